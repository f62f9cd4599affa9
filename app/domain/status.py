"""Statuses kept fresh: the rules applied to rows, for one task or project after a change.

The daily job recomputes every row in set-based SQL; this module does the same for the
few rows one change touches, through the rules module, so the two cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from flask import current_app
from sqlalchemy import func, select

from app import models as m
from app.domain import clock, escalation, rules, rules_sql
from app.extensions import db


def today() -> dt.date:
    """Today where the portal is (the one clock, app/domain/clock.py)."""
    return clock.today()


def settings() -> rules.Settings:
    config = current_app.config
    return rules.Settings(
        due_soon_workdays=config["DUE_SOON_WORKDAYS"],
        feedback_day=config["FEEDBACK_DAY"],
        lag_yellow=config["LAG_YELLOW"],
        lag_red=config["LAG_RED"],
        escalation_yellow_workdays=config["ESCALATION_YELLOW_WORKDAYS"],
        escalation_red_workdays=config["ESCALATION_RED_WORKDAYS"],
        escalation_red_notices=config["ESCALATION_RED_NOTICES"],
    )


def calendar() -> rules.Calendar:
    """The working-day calendar: chinese-calendar overridden by the `holiday` table."""
    rows = db.session.execute(select(m.Holiday.day, m.Holiday.is_workday)).all()
    return rules.Calendar(overrides={day: is_workday for day, is_workday in rows})


def refresh_tasks(tasks: Iterable[m.Task], as_of: dt.date | None = None,
                  cal: rules.Calendar | None = None) -> None:
    """Set status and overdue days of these tasks as of a day (not committed)."""
    as_of = as_of or today()
    cal = cal or calendar()
    conf = settings()
    for task in tasks:
        task.status, task.overdue_days = rules.task_status(
            task.deadline, task.done_on, task.cancelled, as_of, cal, conf)
        task.escalation_level = escalation.level(
            task.deadline, task.done_on, task.cancelled, as_of, cal, conf,
            notices_since_deadline(task, as_of) if conf.escalation_red_notices else 0)


def notices_since_deadline(task: m.Task, as_of: dt.date) -> int:
    """The 督办单 a task has had after its deadline, up to a day (ESCALATION_RED_NOTICES)."""
    s = m.Supervision
    return db.session.scalar(select(func.count()).where(
        s.task_id == task.id, s.channel == "notice", s.sent_on > task.deadline,
        s.sent_on <= as_of)) or 0


def refresh_projects(project_ids: Iterable[int], as_of: dt.date | None = None) -> None:
    """Set the colour of these projects, and their tasks' statuses, as of a day."""
    as_of = as_of or today()
    cal, conf = calendar(), settings()
    for project in db.session.scalars(select(m.Project).where(m.Project.id.in_(set(project_ids)))):
        tasks = db.session.scalars(select(m.Task).where(m.Task.project_id == project.id)).all()
        refresh_tasks(tasks, as_of, cal)
        problems = db.session.execute(
            select(m.Problem.deadline, m.Problem.resolved_on)
            .where(m.Problem.project_id == project.id)).all()
        overdue_problem = any(rules.problem_overdue(d, r, as_of) for d, r in problems)
        project.status_color = rules.project_color(
            [t.status for t in tasks], overdue_problem, project_lag(project, as_of), conf)


def project_lag(project: m.Project, as_of: dt.date) -> float | None:
    """Investment lag: time progress minus this year's completion up to as_of's month."""
    completed = db.session.scalar(rules_sql.ytd_investment(as_of, project.id))
    return rules.investment_lag(project.annual_plan_investment, completed, as_of)


def affected(item: m.Model) -> tuple[list[m.Task], set[int]]:
    """The tasks and projects whose status a change to this row can move."""
    task = item if isinstance(item, m.Task) else getattr(item, "task", None)
    tasks = [task] if task is not None else []
    projects = set()
    if isinstance(item, m.Project):
        projects.add(item.id)
    for owner in (task, item):
        project_id = getattr(owner, "project_id", None)
        if project_id is not None:
            projects.add(project_id)
    return tasks, projects


def refresh_affected(rows: Iterable[m.Model], projects: Iterable[int] = ()) -> None:
    """Bring the statuses these changed rows (and projects) touch up to date (not committed)."""
    tasks: list[m.Task] = []
    projects = set(projects)
    for row in rows:
        more, ids = affected(row)
        tasks += [t for t in more if t in db.session and t not in tasks]
        projects |= ids
    if tasks:
        refresh_tasks(tasks)
    if projects:
        refresh_projects(projects)


def after_change(item: m.Model) -> None:
    """Bring the statuses a saved change touches up to date, and commit them."""
    tasks, projects = affected(item)
    if not tasks and not projects:
        return
    refresh_affected([item])
    db.session.commit()

"""The 督查通报's figures of one month: totals and ranking from the compliance counts, and
the lists (overdue tasks, tasks with no feedback this month, unresolved problems) by the
very rules those counts use. The job renders and stores them (app/jobs/build_circular.py)."""

from __future__ import annotations

import datetime as dt
from typing import cast

from flask_babel import gettext as _
from sqlalchemy import Row, func, select
from sqlalchemy.sql import Select

from app import models as m
from app.domain import clock, compliance_sql, rules, rules_sql, tree_ranking
from app.domain.text import printable
from app.domain.tree import indented
from app.extensions import db

RATES = ("dispatch_rate", "supervision_rate", "implementation_rate", "feedback_rate")


def summary(counts: rules.ComplianceCounts) -> dict:
    """One compliance row as the circular shows it: counts, rates, verdict and score."""
    return ({name: getattr(counts, name) for name in rules_sql.COUNT_NAMES}
            | {name: getattr(counts, name) for name in RATES}
            | {"compliant": counts.compliant, "score": counts.score})


def ranking(table: dict[int | None, rules.ComplianceCounts]) -> list[dict]:
    """The ranked units in tree order, each by its place among its siblings on its subtree's
    score (tree_ranking.tree_ranking), with its subtree's figures ("XX（含下级）" for a unit with
    units under it): not the county leaders, not a unit that is 停用 (their tasks are still
    in the lists)."""
    units = {d.id: d for d in db.session.scalars(select(m.Department))}
    ranked = {d: c for d, c in table.items()
              if d is not None and rules.ranked_unit(units[d].kind, units[d].active)}
    places = tree_ranking.tree_ranking({d: (units[d].name, units[d].parent_id) for d in ranked},
                                ranked, {d: c.score for d, c in ranked.items()})
    out = []
    for place in places:
        name = units[place.unit].name
        if place.totals is not None:
            name = _("%(name)s（含下级）", name=name)
        out.append({"rank": place.place, "department_id": place.unit,
                    "department": indented(name, place.depth), "depth": place.depth}
                   | summary(place.totals or ranked[place.unit]))
    return out


def task_row(task: Row, as_of: dt.date) -> dict:
    """A listed task (a row of _tasks); its overdue days as of A (a task done after A was
    not done yet)."""
    return {"id": task.id, "title": task.title, "department": task.department,
            "person": task.person or "", "project": task.project or "",
            "deadline": task.deadline.isoformat(),
            "original_deadline": task.original_deadline.isoformat(),
            "overdue_days": rules.overdue_days_on(task.deadline, task.done_on, as_of)}


def problem_row(problem: Row, as_of: dt.date) -> dict:
    """A listed problem (a row of _problems), and whether it is past its deadline at A."""
    return {"id": problem.id, "project": problem.project,
            "description": problem.description, "department": problem.department,
            "deadline": problem.deadline.isoformat() if problem.deadline else None,
            "overdue": rules.problem_overdue(problem.deadline, problem.resolved_on, as_of)}


def _tasks() -> Select:
    """The columns a listed task shows, its names joined in (issue 19: one statement per
    list, no ORM objects nor a lookup per row)."""
    t, d, pe, pj = m.Task, m.Department, m.Person, m.Project
    return (select(t.id, t.title, d.name.label("department"), pe.name.label("person"),
                   pj.name.label("project"), t.deadline, t.original_deadline, t.done_on)
            .select_from(t).join(d, d.id == t.department_id)
            .outerjoin(pe, pe.id == t.person_id).outerjoin(pj, pj.id == t.project_id))


def _problems() -> Select:
    pr, d, pj = m.Problem, m.Department, m.Project
    return (select(pr.id, pj.name.label("project"), pr.description,
                   d.name.label("department"), pr.deadline, pr.resolved_on)
            .select_from(pr).join(pj, pj.id == pr.project_id)
            .join(d, d.id == pr.department_id))


def lists(period: dt.date, as_of: dt.date) -> dict[str, list[dict]]:
    """The circular's lists, by the very conditions the compliance counts use: three
    statements, however many rows. The tasks without feedback are the open ones with no row
    in the month's fed-back slice (the compliance counts' own join, rules_sql.month_fed)."""
    t, f, p = m.Task, m.Feedback, m.Problem
    overdue = _tasks().where(rules_sql.task_overdue_in(period, as_of)).order_by(t.deadline, t.id)
    fed = select(f.task_id).where(rules_sql.month_fed(period, as_of)).distinct().subquery("fed")
    unreported = (_tasks().outerjoin(fed, fed.c.task_id == t.id)
                  .where(rules_sql.task_open_in(period, as_of), fed.c.task_id.is_(None))
                  .order_by(t.department_id, t.deadline, t.id))
    problems = (_problems().where(rules_sql.problem_unresolved_on(as_of))
                .order_by(p.deadline, p.id))
    return {
        "overdue_tasks": [task_row(x, as_of) for x in db.session.execute(overdue)],
        "unreported_tasks": [task_row(x, as_of) for x in db.session.execute(unreported)],
        "unresolved_problems": [problem_row(x, as_of) for x in db.session.execute(problems)],
    }


def closures_in(period: dt.date, as_of: dt.date) -> int:
    """办结销号 of the month up to A: the office's closures made in it (the portal's days)
    and still in force."""
    def utc(day: dt.date) -> dt.datetime:
        local = dt.datetime.combine(day, dt.time(), tzinfo=clock.zone())
        return local.astimezone(dt.UTC).replace(tzinfo=None)

    c = m.TaskClosure
    return db.session.scalar(select(func.count()).select_from(c).where(
        c.revoked_at.is_(None), c.closed_at >= utc(period),
        c.closed_at < utc(as_of + dt.timedelta(days=1)))) or 0


def circular_data(period: dt.date, today: dt.date) -> dict:
    """The circular of a period as judged on `today` (A = min(today, the period's end))."""
    period = rules.month_start(period)
    as_of = rules.compliance_as_of(period, today)
    table = compliance_sql.compliance_table(db.session, period, today)
    data = {"period": period.strftime("%Y-%m"), "as_of": as_of.isoformat(),
            "totals": summary(table[None]), "ranking": ranking(table),
            "closures": closures_in(period, as_of)} | lists(period, as_of)
    # rows saved before input was checked may hold control characters
    return cast(dict, printable(data))

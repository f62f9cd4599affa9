"""build_circular(period): the monthly 督查通报, stored as a `circular` row with its files.

Totals and the ranking come from the same counts as the compliance table; the lists
name the overdue tasks, the tasks with no feedback this month and the open problems.
"""

from __future__ import annotations

import datetime as dt
from typing import cast

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import delete, or_, select

from app import models as m
from app.domain import clock, rules, rules_sql, status
from app.domain.text import printable
from app.extensions import db
from app.files.circular_docx import render_docx
from app.files.circular_xlsx import render_xlsx
from app.jobs.build_compliance import rows as compliance_rows

RATES = ("dispatch_rate", "supervision_rate", "implementation_rate", "feedback_rate")


def _summary(counts: rules.ComplianceCounts) -> dict:
    from app.domain.rules_sql import COUNT_NAMES

    return ({name: getattr(counts, name) for name in COUNT_NAMES}
            | {name: getattr(counts, name) for name in RATES}
            | {"compliant": counts.compliant, "score": counts.score})


def _ranking(table: dict[int | None, rules.ComplianceCounts]) -> list[dict]:
    names = dict(db.session.execute(select(m.Department.id, m.Department.name)).all())
    scored = {d: (names[d], c.score) for d, c in table.items() if d is not None}
    return [{"rank": place, "department_id": d, "department": names[d]} | _summary(table[d])
            for place, d in enumerate(rules.ranking(scored), start=1)]


def _task_row(task: m.Task, as_of: dt.date) -> dict:
    return {"id": task.id, "title": task.title, "department": task.department.name,
            "person": task.person.name if task.person else "",
            "project": task.project.name if task.project else "",
            "deadline": task.deadline.isoformat(),
            "original_deadline": task.original_deadline.isoformat(),
            "overdue_days": max((as_of - task.deadline).days, 0)}


def _lists(period: dt.date, as_of: dt.date) -> dict[str, list[dict]]:
    """The circular's lists, by the very conditions the compliance counts use."""
    t, p = m.Task, m.Problem
    counted = rules_sql.task_conditions(period, as_of)
    overdue = select(t).where(counted["tasks_overdue"]).order_by(t.deadline)
    unreported = select(t).where(counted["tasks_open"], ~counted["tasks_fed_back"]).order_by(
        t.department_id, t.deadline)
    problems = select(p).where(p.raised_on <= as_of, or_(
        p.resolved_on.is_(None), p.resolved_on > as_of)).order_by(p.deadline)
    return {
        "overdue_tasks": [_task_row(x, as_of) for x in db.session.scalars(overdue)],
        "unreported_tasks": [_task_row(x, as_of) for x in db.session.scalars(unreported)],
        "unresolved_problems": [
            {"id": x.id, "project": x.project.name, "description": x.description,
             "department": x.department.name,
             "deadline": x.deadline.isoformat() if x.deadline else None,
             "overdue": rules.problem_overdue(x.deadline, x.resolved_on, as_of)}
            for x in db.session.scalars(problems)],
    }


def renderings(data: dict, issued_on: dt.date) -> dict[str, bytes]:
    """The .docx and .xlsx of the circular, in the portal's default language."""
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "zh")):
        issuer = current_app.config["CIRCULAR_ISSUER"]
        return {"docx": render_docx(data, issuer, issued_on=issued_on),
                "xlsx": render_xlsx(data)}


def run(period: dt.date) -> dict:
    """Build the period's circular data and store it, replacing an earlier build."""
    period = rules.month_start(period)
    today = status.today()
    as_of = rules.compliance_as_of(period, today)
    table = compliance_rows(period, today)
    data = {"period": period.strftime("%Y-%m"), "as_of": as_of.isoformat(),
            "totals": _summary(table[None]), "ranking": _ranking(table)} | _lists(period, as_of)
    # rows saved before input was checked may hold control characters
    data = cast(dict, printable(data))
    now = clock.utcnow()
    db.session.execute(delete(m.Circular).where(m.Circular.period == period))
    db.session.add(m.Circular(period=period, built_at=now, data=data,
                              **renderings(data, today)))
    db.session.commit()
    return {"overdue_tasks": len(data["overdue_tasks"]),
            "unreported_tasks": len(data["unreported_tasks"]),
            "unresolved_problems": len(data["unresolved_problems"])}

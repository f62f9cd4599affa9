"""Rows for the route access test: fresh rows it may delete, and fingerprints of the data."""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from decimal import Decimal

from sqlalchemy import Select, bindparam, func, select

from app import models as m
from app.extensions import db

_serial = itertools.count(1)
D = dt.date


def _department(w, dept: str) -> tuple[int, int, dict]:
    """(department id, person id, world rows) of department "a" or "b"."""
    rows = w.a if dept == "a" else w.b
    return rows["department"], rows["person"], rows


def _security_row(table: str, n: int) -> int:
    """A fresh row of one of FAB's security tables."""
    from flask import current_app

    sm = current_app.appbuilder.sm
    if table == "ab_user":
        role = sm.find_role("Leader")
        return sm.add_user(f"gone{n}", "一次", "用户", f"gone{n}@example.test", role,
                           password="Ledger#2026-x").id
    if table == "ab_role":
        return sm.add_role(f"一次性角色{n}").id
    if table == "ab_group":
        return sm.add_group(f"group{n}", f"一次性组{n}", "", [], []).id
    if table == "ab_permission":
        return sm.add_permission(f"can_gone{n}").id
    if table == "ab_view_menu":
        return sm.add_view_menu(f"Gone{n}").id
    if table == "ab_permission_view":
        return sm.add_permission_view_menu(f"can_gone{n}", f"GoneView{n}").id
    raise KeyError(table)


def _free_period(project_id: int, n: int) -> dt.date:
    """A month with no report of the project yet (fuzzed requests add reports too)."""
    taken = set(db.session.scalars(select(m.InvestmentReport.period)
                                   .where(m.InvestmentReport.project_id == project_id)))
    while (period := D(1990 + n // 12, n % 12 + 1, 1)) in taken:
        n += 1
    return period


def fresh_row(w, table: str, dept: str) -> int:
    """A new row of `table` in department `dept` ("a"/"b"), committed; returns its id."""
    n = next(_serial)
    if table.startswith("ab_"):
        return _security_row(table, n)
    department, person, rows = _department(w, dept)
    project_id, task_id = rows["project"], rows["task"]
    make = {
        "department": lambda: m.Department(name=f"一次性单位{n}", kind="other"),
        "person": lambda: m.Person(name=f"一次性人{n}", department_id=department),
        "project": lambda: m.Project(code=f"GONE-{n}", name=f"一次性项目{n}", category="other",
                                     stage="planning", list_level="county",
                                     lead_department_id=department),
        "investment_report": lambda: m.InvestmentReport(
            project_id=project_id, period=_free_period(project_id, n), amount=Decimal(1)),
        "meeting": lambda: m.Meeting(held_on=D(2026, 5, 1), title=f"一次性会议{n}",
                                     projects=[db.session.get(m.Project, project_id)]),
        "task": lambda: m.Task(title=f"一次性任务{n}", project_id=project_id,
                               department_id=department, assigned_on=D(2026, 5, 1),
                               deadline=D(2026, 12, 31), original_deadline=D(2026, 12, 31)),
        # a task of its own: one pending extension per task (issue 14)
        "extension": lambda: m.Extension(
            task=m.Task(title=f"一次性延期任务{n}", project_id=project_id,
                        department_id=department, assigned_on=D(2026, 5, 1),
                        deadline=D(2026, 12, 31), original_deadline=D(2026, 12, 31)),
            requested_on=D(2026, 5, 1), new_deadline=D(2027, 1, 31), reason="一次性"),
        "feedback": lambda: m.Feedback(task_id=task_id, reported_on=D(2026, 5, 3),
                                       progress="一次性", percent_complete=1),
        "supervision": lambda: m.Supervision(task_id=task_id, sent_on=D(2026, 5, 4),
                                             channel="notice", kind="manual", message="一次性"),
        "problem": lambda: m.Problem(project_id=project_id, description=f"一次性问题{n}",
                                     category="other", raised_on=D(2026, 5, 1),
                                     department_id=department),
        "node_template": lambda: m.NodeTemplate(name=f"一次性模板{n}"),
        "template_node": lambda: m.TemplateNode(template_id=w.template, position=100 + n,
                                                title=f"一次性节点{n}", workdays=1),
        "holiday": lambda: m.Holiday(day=D(2060, 1, 1) + dt.timedelta(days=n),
                                     is_workday=False, name="一次性"),
        "circular": lambda: m.Circular(period=D(2100 + n // 12, n % 12 + 1, 1),
                                       built_at=dt.datetime(2026, 6, 1), data={},
                                       docx=b"docx", xlsx=b"xlsx"),
        "compliance": lambda: m.Compliance(period=D(2200 + n // 12, n % 12 + 1, 1),
                                           department_id=department,
                                           built_at=dt.datetime(2026, 6, 1)),
        "job_run": lambda: m.JobRun(job="refresh_status", args={}, status="finished",
                                    queued_at=dt.datetime(2026, 6, 1)),
        "login_log": lambda: m.LoginLog(at=dt.datetime(2026, 6, 1), event="login",
                                        channel="form", username=f"gone{n}", success=False,
                                        reason="unknown_user"),
    }
    row = make[table]()
    db.session.add(row)
    db.session.commit()
    return row.id


def notification_for(username: str) -> int:
    """An unread reminder of one login, committed; returns its id."""
    from flask import current_app

    user = current_app.appbuilder.sm.find_user(username=username)
    row = m.Notification(user_id=user.id, created_at=dt.datetime(2026, 6, 1), message="提醒")
    db.session.add(row)
    db.session.commit()
    return row.id


# browsers' sessions come and go with every visit (and expired ones are purged at random),
# and every login and logout adds to the 登录日志
SESSION_BOOKKEEPING = frozenset({"web_session", "login_log"})


def counted_tables() -> list:
    """Every table of the portal (ledger, jobs, FAB's security tables), not the sessions."""
    return [t for t in m.Model.metadata.sorted_tables if t.name not in SESSION_BOOKKEEPING]


@functools.cache
def _counts_statement() -> tuple[list[str], Select]:
    tables = counted_tables()
    statement = select(*[select(func.count()).select_from(t).scalar_subquery()
                         for t in tables])
    return [t.name for t in tables], statement


@functools.cache
def _row_statement(table_name: str) -> Select:
    table = m.Model.metadata.tables[table_name]
    return select(table).where(table.c.id == bindparam("row_id"))


def fingerprint(table_name: str | None, row_id: int | None) -> tuple:
    """Row counts of every table in one statement, and the content of one row."""
    names, statement = _counts_statement()
    counts = db.session.execute(statement).one()
    row = None
    if table_name is not None and row_id is not None:
        found = db.session.execute(_row_statement(table_name), {"row_id": row_id}).first()
        row = tuple(found) if found is not None else None
    db.session.rollback()
    return dict(zip(names, counts, strict=True)), row

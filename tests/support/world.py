"""A small world of two departments, A (住建局) and B (工信局), with a row of every table."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

from flask import current_app

from app import models as m
from app.domain.accounts import create_account
from app.extensions import db

PASSWORD = "Ledger#2026"
D = dt.date


def _department_rows(session, suffix: str, dept: m.Department, person: m.Person) -> dict:
    """One row of every department-scoped table for one department."""
    project = m.Project(code=f"P-{suffix}", name=f"项目{suffix}", category="other",
                        stage="construction", list_level="county", lead_department=dept,
                        responsible_person=person, annual_plan_investment=Decimal("1200"),
                        total_investment=Decimal("5000"))
    meeting = m.Meeting(held_on=D(2026, 5, 12), title=f"五月调度会{suffix}", projects=[project])
    task = m.Task(title=f"任务{suffix}", project=project, meeting=meeting, department=dept,
                  person=person, assigned_on=D(2026, 5, 12), deadline=D(2026, 6, 30),
                  original_deadline=D(2026, 6, 30))
    rows = {
        "project": project,
        "meeting": meeting,
        "task": task,
        "feedback": m.Feedback(task=task, reported_on=D(2026, 5, 20), progress=f"进展{suffix}",
                               percent_complete=40),
        "supervision": m.Supervision(task=task, sent_on=D(2026, 5, 21), channel="in_app",
                                     kind="manual", message=f"督促{suffix}"),
        "extension": m.Extension(task=task, requested_on=D(2026, 5, 22),
                                 new_deadline=D(2026, 7, 31), reason=f"理由{suffix}"),
        "problem": m.Problem(project=project, description=f"问题{suffix}", category="land",
                             raised_on=D(2026, 5, 2), department=dept, person=person),
        "investment_report": m.InvestmentReport(project=project, period=D(2026, 4, 1),
                                                amount=Decimal("100")),
        "compliance": m.Compliance(period=D(2026, 5, 1), department=dept, tasks_open=1,
                                   built_at=dt.datetime(2026, 6, 1, 2, 0)),
    }
    session.add_all(rows.values())
    return rows


def build_world() -> SimpleNamespace:
    """Departments A and B, a leader and the office, one login per role; returns ids."""
    session = db.session
    dept_a = m.Department(name="住建局", kind="department")
    dept_b = m.Department(name="工信局", kind="department")
    leaders = m.Department(name="县领导", kind="leadership")
    office = m.Department(name="县委县政府督查室", kind="other")
    person_a = m.Person(name="张建国", title="局长", department=dept_a, phone="13800000001")
    person_b = m.Person(name="李工业", title="局长", department=dept_b)
    leader = m.Person(name="王县长", title="县长", department=leaders, is_leader=True)
    clerk = m.Person(name="赵督查", title="主任", department=office)
    session.add_all([dept_a, dept_b, leaders, office, person_a, person_b, leader, clerk])
    rows_a = _department_rows(session, "A", dept_a, person_a)
    rows_b = _department_rows(session, "B", dept_b, person_b)
    county = m.Compliance(period=D(2026, 5, 1), department=None, tasks_open=2,
                          built_at=dt.datetime(2026, 6, 1, 2, 0))
    holiday = m.Holiday(day=D(2027, 1, 1), is_workday=False, name="元旦")
    template = m.NodeTemplate(name="测试模板")
    node = m.TemplateNode(template=template, position=1, title="立项", workdays=5)
    circular = m.Circular(period=D(2026, 5, 1), built_at=dt.datetime(2026, 6, 1), data={})
    job_run = m.JobRun(job="build_compliance", args={"period": "2026-05-01"}, status="finished",
                       queued_at=dt.datetime(2026, 6, 1, 1, 0), counts={"rows": 3},
                       started_at=dt.datetime(2026, 6, 1, 1, 0), duration=0.5,
                       finished_at=dt.datetime(2026, 6, 1, 1, 0, 1))
    session.add_all([county, holiday, template, node, circular, job_run])
    session.commit()

    create_account("admin", "Admin", PASSWORD, None)
    create_account("supervisor", "Supervisor", PASSWORD, clerk.id)
    create_account("leader", "Leader", PASSWORD, leader.id)
    create_account("staff_a", "DeptStaff", PASSWORD, person_a.id)
    create_account("staff_b", "DeptStaff", PASSWORD, person_b.id)
    create_account("nobody", "DeptStaff", PASSWORD, None)
    return SimpleNamespace(
        app=current_app._get_current_object(),  # tests/support/payloads.py: open_task
        dept_a=dept_a.id, dept_b=dept_b.id, leader_person=leader.id, clerk=clerk.id,
        person_a=person_a.id, person_b=person_b.id,
        a={k: v.id for k, v in rows_a.items()} | {"department": dept_a.id, "person": person_a.id},
        b={k: v.id for k, v in rows_b.items()} | {"department": dept_b.id, "person": person_b.id},
        county_compliance=county.id, holiday=holiday.id, template=template.id,
        node=node.id, circular=circular.id, job_run=job_run.id,
    )

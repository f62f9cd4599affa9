"""Every table the access tests walk, with its CRUD view and model, and a new valid row of
each in department A's world, as REST JSON."""

from __future__ import annotations

import datetime as dt
import itertools

from app import models as m

# table -> (CRUD view endpoint prefix, model)
TABLES = {
    "department": ("departmentview", m.Department),
    "person": ("personview", m.Person),
    "project": ("projectview", m.Project),
    "investment_report": ("investmentreportview", m.InvestmentReport),
    "meeting": ("meetingview", m.Meeting),
    "task": ("taskview", m.Task),
    "extension": ("extensionview", m.Extension),
    "feedback": ("feedbackview", m.Feedback),
    "supervision": ("supervisionview", m.Supervision),
    "problem": ("problemview", m.Problem),
    "node_template": ("nodetemplateview", m.NodeTemplate),
    "template_node": ("templatenodeview", m.TemplateNode),
    "holiday": ("holidayview", m.Holiday),
    "compliance": ("complianceview", m.Compliance),
    "circular": ("circularview", m.Circular),
}

_counter = itertools.count(1)


def open_task(w) -> int:
    """A new task of department A's project, with no extension request yet (a task may
    have one pending request only: the database holds it, issue 14)."""
    from app.extensions import db

    with w.app.app_context():
        task = m.Task(title=f"申请延期用任务{next(_counter)}", department_id=w.dept_a,
                      project_id=w.a["project"], person_id=w.person_a,
                      assigned_on=dt.date(2026, 5, 12), deadline=dt.date(2026, 6, 30),
                      original_deadline=dt.date(2026, 6, 30))
        db.session.add(task)
        db.session.commit()
        return task.id


def payload(table: str, w) -> dict:
    """A new, valid row of `table` in department A's world, as REST JSON (an extension:
    of a task of its own, see open_task)."""
    n = next(_counter)
    a = w.a
    if table == "extension":
        return {"task": open_task(w), "requested_on": "2026-06-01",
                "new_deadline": "2026-08-31", "reason": "需要协调"}
    return {
        "department": {"name": f"新单位{n}", "kind": "township", "active": True},
        "person": {"name": f"新人{n}", "title": "科员", "department": w.dept_a},
        "project": {"code": f"NEW-{n}", "name": f"新项目{n}", "category": "other",
                    "stage": "planning", "list_level": "county", "lead_department": w.dept_a},
        "investment_report": {"project": a["project"], "amount": 10,
                              "period": dt.date(2000 + n // 12, n % 12 + 1, 1).isoformat()},
        "meeting": {"held_on": "2026-06-01", "title": f"会议{n}", "projects": [a["project"]]},
        "task": {"title": f"新任务{n}", "department": w.dept_a, "project": a["project"],
                 "assigned_on": "2026-06-01", "deadline": "2026-06-30"},
        "feedback": {"task": a["task"], "reported_on": "2026-06-01", "progress": f"进展{n}",
                     "percent_complete": 50},
        "supervision": {"task": a["task"], "sent_on": "2026-06-01", "channel": "in_app",
                        "kind": "manual", "message": "请加快"},
        "problem": {"project": a["project"], "description": f"问题{n}", "category": "land",
                    "raised_on": "2026-06-01", "department": w.dept_a},
        "node_template": {"name": f"模板{n}"},
        "template_node": {"template": w.template, "title": f"节点{n}", "workdays": 3,
                          "position": n},
        "holiday": {"day": (dt.date(2040, 1, 1) + dt.timedelta(days=n)).isoformat(),
                    "is_workday": False, "name": "测试"},
    }[table]

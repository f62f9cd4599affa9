"""挂图作战: the figures of the dashboard, and a department user sees only their own."""

from __future__ import annotations

import datetime as dt
import json
import re

from sqlalchemy import select

from app import models as m


def data_of(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="dashboard-data">(.*?)</script>',
                      html, re.S)
    return json.loads(match.group(1))


def test_leader_sees_the_county(app, client, auth, world):
    from app.extensions import db

    auth.login("leader")
    response = client.get("/dashboard/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    data = data_of(html)
    with app.app_context():
        projects = db.session.query(m.Project).count()
        construction = db.session.query(m.Project).filter_by(stage="construction").count()
    assert sum(row["value"] for row in data["stage"]) == projects
    assert {r["key"]: r["value"] for r in data["stage"]}["construction"] == construction
    assert sum(row["value"] for row in data["colour"]) == projects
    assert len(data["overdue"]) == 12
    assert "vendor/echarts/echarts.min.js" in html
    assert "<table" in html  # the numbers beside each chart


def test_department_user_sees_only_their_department(app, client, auth, world):
    from app.extensions import db

    auth.login("staff_a")
    data = data_of(client.get("/dashboard/").get_data(as_text=True))
    with app.app_context():
        own = db.session.query(m.Project).filter_by(lead_department_id=world.dept_a).count()
        plan = sum(p.annual_plan_investment or 0 for p in db.session.query(m.Project).filter_by(
            lead_department_id=world.dept_a))
    assert sum(row["value"] for row in data["stage"]) == own
    assert data["investment"]["plan"] == float(plan)
    assert all(row["department"] != "工信局" for row in data["ranking"])


def test_the_chart_script_is_served_by_the_portal(client):
    for path, size in (("vendor/echarts/echarts.min.js", 500_000), ("js/dashboard.js", 500)):
        with client.get(f"/static/{path}") as response:
            assert response.status_code == 200 and len(response.data) > size


def test_the_figures_are_the_rules(app, client, auth, world):
    """Overdue tasks at each month's end are the compliance rule's; the investment line ends
    at this year's completion up to this month, as the project colour counts it."""
    from app.domain import rules, status
    from app.extensions import db

    auth.login("leader")
    data = data_of(client.get("/dashboard/").get_data(as_text=True))
    with app.app_context():
        today = status.today()
        tasks = [rules.TaskFacts(t.department_id, t.assigned_on, t.deadline, t.done_on,
                                 t.cancelled) for t in db.session.scalars(select(m.Task))]
        ir = m.InvestmentReport
        completed = rules.ytd_investment(db.session.execute(select(ir.period, ir.amount)), today)
    for row in data["overdue"]:
        end = min(rules.month_end(dt.date.fromisoformat(f"{row['month']}-01")), today)
        period = rules.month_start(end)
        assert row["value"] == sum(rules.task_overdue_in(t, period, end) for t in tasks), row
    assert data["investment"]["months"][-1]["completed"] == float(completed)

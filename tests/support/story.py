"""The data the journeys start from, besides the demo county: what the schedule and the
office would have done before the day the journeys tell."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

# the demo logins of app/seed/demo.py
ADMIN = ("sysadmin", "Sysadmin#2026")
SUPERVISOR = ("duchashi", "Duban#2026")
LEADER = ("xianzhang", "Lingdao#2026")
# what the administrator creates in journey 1
DEPARTMENT = "县数据资源局"
PERSON = "陈思远"
TITLE = "数据应用科科长"
STAFF = ("shujuju", "Shuju#2026")
# login names are data, not words of the UI: pages may show them
# (guihuagu: the 股室填报员 of tests/e2e/test_data_scope_journey.py, on the same portal)
SECTION_CLERK = ("guihuagu", "Guihua#2026")
USERNAMES = frozenset({"sysadmin", "duchashi", "xianzhang", "zhujianju", "gongxinju", STAFF[0],
                       SECTION_CLERK[0]})
# the tasks the office assigned to that department at this month's meeting
OVERDUE_TASK = "政务数据共享交换平台迁移"
REPORT_TASK = "城市运行管理中心建设方案编制"
EXTEND_TASK = "公共数据开放目录编制"


def last_month_reports() -> None:
    """Last month's compliance table and circular, as the 1st of this month built them."""
    from app import jobs
    from app.domain import rules, status

    period = rules.month_start(status.today()) - dt.timedelta(days=1)
    for job in ("build_compliance", "build_circular"):
        run = jobs.enqueue(job, jobs.parse_args(job, period.replace(day=1)))
        assert run is not None and run.status == "finished", (job, run and run.error)


def assign_tasks(department_name: str) -> dict[str, int]:
    """Three tasks of the department from the latest meeting (one overdue, with last month's
    feedback) and two open."""
    from app import models as m
    from app.domain import status
    from app.extensions import db

    today = status.today()
    department = db.session.scalar(select(m.Department).where(
        m.Department.name == department_name))
    person = db.session.scalar(select(m.Person).where(m.Person.department == department))
    meeting = db.session.scalar(select(m.Meeting).order_by(m.Meeting.held_on.desc()))
    assigned = min(meeting.held_on, today - dt.timedelta(days=20))
    deadlines = {OVERDUE_TASK: today - dt.timedelta(days=6),
                 REPORT_TASK: today + dt.timedelta(days=45),
                 EXTEND_TASK: today + dt.timedelta(days=30)}
    tasks = {title: m.Task(title=title, meeting=meeting, department=department, person=person,
                           assigned_on=assigned, deadline=deadline, original_deadline=deadline,
                           expected_outcome="按期完成并报送成果")
             for title, deadline in deadlines.items()}
    last_month = today.replace(day=1) - dt.timedelta(days=5)
    report = m.Feedback(task=tasks[OVERDUE_TASK], reported_on=last_month, percent_complete=70,
                        progress="完成数据迁移方案评审，开始迁移测试", review_status="accepted")
    db.session.add_all([*tasks.values(), report])
    status.refresh_tasks(tasks.values(), today)
    db.session.commit()
    ids = {title: task.id for title, task in tasks.items()}
    db.session.remove()
    return ids

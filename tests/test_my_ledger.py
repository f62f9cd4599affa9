"""我的台账 and 投资月报填报: scope, order, statuses as of today, the short forms, queries."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from app import models as m
from app.domain import rules
from tests.support import days
from tests.support.database import count, counting, get
from tests.support.web import csrf_token
from tests.support.world import PASSWORD

LEDGER = "/my/ledger/"
INVESTMENT = "/my/investment/"
DAY = dt.timedelta(days=1)
D = dt.date
_titles = itertools.count(1)


def add_task(app, department: int, deadline: dt.date, **fields) -> int:
    """A task of a department, assigned well before its deadline; returns its id."""
    from app.extensions import db

    with app.app_context():
        task = m.Task(title=fields.pop("title", f"台账测试任务{next(_titles)}"),
                      department_id=department,
                      assigned_on=min(deadline, days.today(app)) - 20 * DAY,
                      deadline=deadline, original_deadline=fields.pop("original", deadline),
                      status="pending", **fields)
        db.session.add(task)
        db.session.commit()
        return task.id


def task_ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'class="ledger-row" id="task-(\d+)"', html)]


def row_html(html: str, task_id: int) -> str:
    match = re.search(rf'id="task-{task_id}".*?</tr>', html, re.S)
    assert match, f"task {task_id} not on the page"
    return match.group(0)


def post(client, url: str, data: dict):
    return client.post(url, data=data | {"csrf_token": csrf_token(client, LEDGER)})


@pytest.fixture(scope="module")
def tasks(app, world) -> SimpleNamespace:
    """Department A: overdue, due in 1 working day, due in 30 days, done, cancelled,
    moved by an extension; department B: one due soon."""
    from app.domain import status

    today = days.today(app)
    with app.app_context():
        soon = status.calendar().add_workdays(today, 1)
    a = world.dept_a
    return SimpleNamespace(
        today=today,
        overdue=add_task(app, a, today - 3 * DAY),
        soon=add_task(app, a, soon),
        later=add_task(app, a, today + 30 * DAY),
        done=add_task(app, a, today + 10 * DAY, done_on=today - 5 * DAY),
        cancelled=add_task(app, a, today - 5 * DAY, cancelled=True),
        moved=add_task(app, a, today + 60 * DAY, original=today + 40 * DAY),
        other=add_task(app, world.dept_b, soon),
    )


def every_page(client, query: str = "") -> str:
    """The ledger's pages one after the other (other tests' tasks may fill the first)."""
    pages, number = [], 1
    while True:
        response = client.get(f"{LEDGER}?{query}page={number}")
        assert response.status_code == 200
        pages.append(response.get_data(as_text=True))
        if f"page={number + 1}" not in pages[-1]:
            return "".join(pages)
        number += 1


def test_ledger_lists_own_open_tasks_overdue_first(client, auth, tasks):
    auth.login("staff_a")
    html = every_page(client)
    ids = task_ids(html)
    assert tasks.other not in ids
    assert tasks.done not in ids and tasks.cancelled not in ids
    assert ids.index(tasks.overdue) < ids.index(tasks.soon) < ids.index(tasks.later)
    assert ids.index(tasks.later) < ids.index(tasks.moved)
    statuses = {pk: re.search(r'data-status="(\w+)"', row_html(html, pk)).group(1)
                for pk in (tasks.overdue, tasks.soon, tasks.later)}
    # computed as of today, although every row was stored as "pending"
    assert statuses == {tasks.overdue: "overdue", tasks.soon: "due_soon", tasks.later: "pending"}
    assert "label-danger" in row_html(html, tasks.overdue)
    assert "逾期 3 天" in row_html(html, tasks.overdue)
    assert "label-warning" in row_html(html, tasks.soon)
    assert "剩 1 个工作日" in row_html(html, tasks.soon)
    assert "label-success status-pending" in row_html(html, tasks.later)
    moved = row_html(html, tasks.moved)
    assert f"原定 {(tasks.today + 40 * DAY).isoformat()}" in moved
    assert "原定" not in row_html(html, tasks.later)


def test_lag_form_only_on_lagging_rows(client, auth, tasks):
    auth.login("staff_a")
    html = every_page(client)
    assert f"/my/ledger/{tasks.overdue}/lag" in html
    assert f"/my/ledger/{tasks.soon}/lag" in html
    assert f"/my/ledger/{tasks.later}/lag" not in html


def test_staff_b_sees_only_department_b(client, auth, tasks):
    auth.login("staff_b")
    ids = task_ids(every_page(client))
    assert tasks.other in ids
    assert not {tasks.overdue, tasks.soon, tasks.later} & set(ids)


def test_supervisor_sees_every_department_and_filters(client, auth, world, tasks):
    auth.login("supervisor")
    html = every_page(client)
    assert {tasks.other, tasks.overdue} <= set(task_ids(html))
    assert 'name="department"' in html
    ids = task_ids(every_page(client, f"department={world.dept_b}&"))
    assert tasks.other in ids and tasks.overdue not in ids


def test_progress_out_of_range_is_refused(app, client, auth, tasks):
    auth.login("staff_a")
    before = count(app, m.Feedback)
    response = post(client, f"/my/ledger/{tasks.later}/feedback",
                    {"progress": "已完成招标", "percent_complete": "120"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "完成百分比应在 0 到 100 之间。" in html
    assert "has-error" in html
    assert count(app, m.Feedback) == before


def test_progress_without_text_is_refused(app, client, auth, tasks):
    auth.login("staff_a")
    before = count(app, m.Feedback)
    response = post(client, f"/my/ledger/{tasks.later}/feedback", {"percent_complete": "30"})
    assert response.status_code == 422
    assert "请填写进展情况。" in response.get_data(as_text=True)
    assert count(app, m.Feedback) == before


def test_progress_is_filed_and_this_month_shows_in(app, client, auth, world):
    task = add_task(app, world.dept_a, days.today(app) + 20 * DAY)
    auth.login("staff_a")
    assert "本月未反馈" in row_html(every_page(client), task)
    response = post(client, f"/my/ledger/{task}/feedback", {
        "progress": "完成初步设计", "percent_complete": "35", "problems": "用地指标未落实",
        "next_steps": "协调自然资源局"})
    assert response.status_code == 302
    from app.extensions import db

    with app.app_context():
        feedback = db.session.scalars(select(m.Feedback).where(m.Feedback.task_id == task)).one()
        assert (feedback.reported_on, feedback.percent_complete, feedback.review_status) == (
            days.today(app), 35, "submitted")
        assert feedback.problems == "用地指标未落实"
    row = row_html(every_page(client), task)
    assert "本月已反馈" in row
    assert f"{days.today(app).isoformat()} · 35% · 已提交" in row


def test_returned_feedback_this_month_does_not_count(app, client, auth, world):
    from app.extensions import db

    task = add_task(app, world.dept_a, days.today(app) + 20 * DAY)
    with app.app_context():
        db.session.add(m.Feedback(task_id=task, reported_on=days.today(app), progress="退回的",
                                  percent_complete=10, review_status="returned"))
        db.session.commit()
    auth.login("staff_a")
    row = row_html(every_page(client), task)
    assert "本月未反馈" in row and "已退回" in row


def test_a_feedback_dated_later_this_month_is_not_in_yet(app, client, auth, world):
    """Fed back this month means up to today, as compliance and the reminder count it."""
    from app.extensions import db

    today = days.today(app)
    if today == rules.month_end(today):
        pytest.skip("no later day this month")
    task = add_task(app, world.dept_a, today + 20 * DAY)
    with app.app_context():
        db.session.add(m.Feedback(task_id=task, reported_on=rules.month_end(today),
                                  progress="提前填的", percent_complete=10))
        db.session.commit()
    auth.login("staff_a")
    assert "本月未反馈" in row_html(every_page(client), task)


@pytest.mark.parametrize("form", ["feedback", "extension", "lag"])
def test_forms_on_another_departments_task_are_not_found(app, client, auth, tasks, form):
    data = {"feedback": {"progress": "越权", "percent_complete": "10"},
            "extension": {"new_deadline": (tasks.today + 90 * DAY).isoformat(),
                          "reason": "越权"},
            "lag": {"lag_reason": "越权", "measures": "越权"}}[form]
    auth.login("staff_a")
    before = (count(app, m.Feedback), count(app, m.Extension))
    response = post(client, f"/my/ledger/{tasks.other}/{form}", data)
    assert response.status_code == 404
    assert (count(app, m.Feedback), count(app, m.Extension)) == before
    assert get(app, m.Task, tasks.other).lag_reason is None


def test_extension_of_a_done_task_is_refused(app, client, auth, tasks):
    auth.login("staff_a")
    before = count(app, m.Extension)
    response = post(client, f"/my/ledger/{tasks.done}/extension", {
        "new_deadline": (tasks.today + 90 * DAY).isoformat(), "reason": "需要更多时间"})
    assert response.status_code == 422
    assert "已完成或已撤销的任务不能申请延期。" in response.get_data(as_text=True)
    assert count(app, m.Extension) == before


def test_extension_must_move_the_deadline_later(app, client, auth, world):
    deadline = days.today(app) + 15 * DAY
    task = add_task(app, world.dept_a, deadline)
    auth.login("staff_a")
    response = post(client, f"/my/ledger/{task}/extension",
                    {"new_deadline": deadline.isoformat(), "reason": "需要协调"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "申请延至的日期应晚于现行时间节点。" in html
    assert count(app, m.Extension, m.Extension.task_id == task) == 0
    response = post(client, f"/my/ledger/{task}/extension",
                    {"new_deadline": (deadline + DAY).isoformat(), "reason": "  "})
    assert response.status_code == 422
    assert "请填写延期理由。" in response.get_data(as_text=True)
    response = post(client, f"/my/ledger/{task}/extension",
                    {"new_deadline": (deadline + 10 * DAY).isoformat(), "reason": "需要协调"})
    assert response.status_code == 302
    from app.extensions import db

    with app.app_context():
        extension = db.session.scalars(
            select(m.Extension).where(m.Extension.task_id == task)).one()
        assert (extension.decision, extension.new_deadline) == ("pending", deadline + 10 * DAY)
        assert db.session.get(m.Task, task).deadline == deadline  # until the office approves


def test_lag_reason_is_recorded(app, client, auth, world):
    task = add_task(app, world.dept_a, days.today(app) - 2 * DAY)
    auth.login("staff_a")
    response = post(client, f"/my/ledger/{task}/lag", {"lag_reason": "征迁未完成"})
    assert response.status_code == 422
    assert "请填写整改措施。" in response.get_data(as_text=True)
    response = post(client, f"/my/ledger/{task}/lag",
                    {"lag_reason": "征迁未完成", "measures": "县领导牵头协调，月底前交地"})
    assert response.status_code == 302
    row = get(app, m.Task, task)
    assert (row.lag_reason, row.measures) == ("征迁未完成", "县领导牵头协调，月底前交地")
    html = every_page(client)  # the form shows what is on record
    assert re.search(rf'id="measures-{task}"[^>]*>\s*县领导牵头协调，月底前交地</textarea>', html)


def test_lag_of_a_task_on_schedule_is_refused(app, client, auth, tasks):
    auth.login("staff_a")
    response = post(client, f"/my/ledger/{tasks.later}/lag",
                    {"lag_reason": "无", "measures": "无"})
    assert response.status_code == 422
    assert "只有逾期或临期的任务" in response.get_data(as_text=True)
    assert get(app, m.Task, tasks.later).lag_reason is None


@pytest.fixture(scope="module")
def project(app, world) -> SimpleNamespace:
    """A project of department A with an annual plan, and one of B."""
    from app.extensions import db

    today = days.today(app)
    with app.app_context():
        own = m.Project(code="ZZ-MY-A", name="台账测试项目", category="other", stage="construction",
                        lead_department_id=world.dept_a, annual_plan_investment=Decimal("1000"))
        other = m.Project(code="ZZ-MY-B", name="乙单位项目", category="other",
                          stage="construction", lead_department_id=world.dept_b)
        db.session.add_all([own, other])
        db.session.flush()
        earlier = Decimal("0")
        if today.month > 1:  # an earlier month of this year, already filed
            earlier = Decimal("100")
            db.session.add(m.InvestmentReport(project_id=own.id, period=dt.date(today.year, 1, 1),
                                              amount=earlier))
        db.session.commit()
        return SimpleNamespace(id=own.id, other=other.id, earlier=earlier,
                               period=rules.month_start(today), today=today)


def file_investment(client, project_id: int, amount: str, period: dt.date):
    return post(client, "/my/investment/file", {
        "project_id": str(project_id), "period": f"{period:%Y-%m}", "amount": amount})


def test_investment_page_embeds_plan_and_completed(client, auth, project):
    auth.login("staff_a")
    html = client.get(INVESTMENT).get_data(as_text=True)
    row = re.search(rf'id="project-{project.id}".*?</tr>', html, re.S).group(0)
    assert 'data-plan="1000.00"' in row
    assert f'data-completed="{project.earlier:.2f}"' in row
    progress = rules.time_progress(project.today)
    assert f"{progress * 100:.1f}%" in row
    assert "js/my-investment.js" in html
    assert f'id="project-{project.other}"' not in html


def test_investment_is_filed_then_updated(app, client, auth, project):
    auth.login("staff_a")
    this_month = (m.InvestmentReport.project_id == project.id,
                  m.InvestmentReport.period == project.period)
    response = file_investment(client, project.id, "50", project.period)
    assert response.status_code == 302
    assert count(app, m.InvestmentReport, *this_month) == 1
    response = file_investment(client, project.id, "80.5", project.period)
    assert response.status_code == 302
    assert count(app, m.InvestmentReport, *this_month) == 1
    from app.extensions import db

    with app.app_context():
        report = db.session.scalars(select(m.InvestmentReport).where(*this_month)).one()
        assert report.amount == Decimal("80.50")
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    row = re.search(rf'id="project-{project.id}".*?</tr>', html, re.S).group(0)
    completion = float(project.earlier + Decimal("80.5")) / 1000
    assert f"{completion * 100:.1f}%" in row
    assert 'value="80.50"' in row


def test_investment_refuses_negative_and_future_and_other_departments(app, client, auth,
                                                                      project):
    auth.login("staff_a")
    before = count(app, m.InvestmentReport)
    response = file_investment(client, project.id, "-5", project.period)
    assert response.status_code == 422
    assert "完成投资不能为负数。" in response.get_data(as_text=True)
    next_month = rules.month_end(project.today) + DAY
    response = file_investment(client, project.id, "5", next_month)
    assert response.status_code == 422
    assert "不能填报以后月份的完成投资。" in response.get_data(as_text=True)
    response = file_investment(client, project.id, "NaN", project.period)
    assert response.status_code == 422
    response = file_investment(client, project.other, "5", project.period)
    assert response.status_code == 404
    assert count(app, m.InvestmentReport) == before


def test_the_years_completion_counts_up_to_the_month_judged(app, world):
    """The page's completion is the project colour's: this year up to the day's month, so
    a later month (filed through the API, say) does not count yet; a past year counts whole."""
    from app.domain import access
    from app.extensions import db
    from app.reports.investment import judged_on, year_figures

    with app.app_context(), access.acting_as("test:investment"):
        project = m.Project(code="ZZ-YTD", name="年度测试项目", category="other",
                            stage="construction", lead_department_id=world.dept_a)
        db.session.add(project)
        db.session.flush()
        db.session.add_all(m.InvestmentReport(project_id=project.id, period=period,
                                              amount=Decimal(amount))
                           for period, amount in ((D(2025, 12, 1), 99), (D(2026, 1, 1), 10),
                                                  (D(2026, 3, 1), 5), (D(2026, 8, 1), 70)))
        db.session.flush()
        march = year_figures([project.id], D(2026, 3, 1), D(2026, 3, 15))[project.id]
        assert (march.others, march.amount) == (10, 5)
        january = year_figures([project.id], D(2026, 1, 1), D(2026, 3, 15))[project.id]
        assert (january.others, january.amount) == (5, 10)
        last_year = year_figures([project.id], D(2025, 6, 1), D(2026, 3, 15))[project.id]
        assert (last_year.others, last_year.amount) == (99, None)
        assert judged_on(D(2025, 6, 1), D(2026, 3, 15)) == D(2025, 12, 31)
        db.session.rollback()


LEADER_POSTS = [
    ("/my/ledger/{task}/feedback", {"progress": "领导", "percent_complete": "10"}),
    ("/my/ledger/{task}/extension", {"new_deadline": "2099-01-01", "reason": "领导"}),
    ("/my/ledger/{task}/lag", {"lag_reason": "领导", "measures": "领导"}),
    ("/my/investment/file", {"project_id": "{project}", "period": "2026-01", "amount": "1"}),
]


@pytest.mark.parametrize(("url", "data"), LEADER_POSTS)
def test_leader_reads_but_changes_nothing(app, client, auth, tasks, project, url, data):
    auth.login("leader")
    page = client.get(LEDGER)
    assert page.status_code == 200
    assert "ledger-forms" not in page.get_data(as_text=True)
    assert client.get(INVESTMENT).status_code == 200
    before = [count(app, model) for model in (m.Feedback, m.Extension, m.InvestmentReport)]
    data = {k: v.format(project=project.id) for k, v in data.items()}
    response = post(client, url.format(task=tasks.overdue), data)
    assert response.status_code == 403
    after = [count(app, model) for model in (m.Feedback, m.Extension, m.InvestmentReport)]
    assert after == before
    assert get(app, m.Task, tasks.overdue).lag_reason is None


def test_forms_need_the_csrf_token(app, client, auth, tasks):
    auth.login("staff_a")
    before = count(app, m.Feedback)
    response = client.post(f"/my/ledger/{tasks.later}/feedback",
                           data={"progress": "无令牌", "percent_complete": "10"})
    assert response.status_code == 400
    assert count(app, m.Feedback) == before


def test_pages_need_a_login(client):
    assert client.get(LEDGER).status_code == 302
    assert client.get(INVESTMENT).status_code == 302


# --- no per-row queries -------------------------------------------------------------------


@pytest.fixture(scope="module")
def counted(app, world) -> SimpleNamespace:
    """A department of its own with a login, so the rows it adds touch no other test."""
    from app.domain.accounts import create_account
    from app.extensions import db

    with app.app_context():
        dept = m.Department(name="台账计数局", kind="other")
        person = m.Person(name="钱计数", department=dept)
        db.session.add_all([dept, person])
        db.session.commit()
        create_account("staff_count", "DeptStaff", PASSWORD, person.id)
        return SimpleNamespace(dept=dept.id, person=person.id)


def add_rows(app, dept: int, person: int, n: int) -> None:
    """n tasks with two feedbacks each, and n projects with a report each."""
    from app.domain import access
    from app.extensions import db

    today = days.today(app)
    # the client keeps its last request pushed: the test, not its user, writes these rows
    with app.app_context(), access.acting_as("test:setup"):
        for i in range(n):
            project = m.Project(code=f"ZZ-CNT-{dept}-{next(_titles)}", name=f"计数项目{i}",
                                category="other", stage="construction", lead_department_id=dept,
                                annual_plan_investment=Decimal("100"))
            task = m.Task(title=f"计数任务{i}", department_id=dept, person_id=person,
                          project=project, assigned_on=today - 60 * DAY,
                          deadline=today + (i - n // 2) * DAY,
                          original_deadline=today + (i - n // 2) * DAY)
            db.session.add_all([
                project, task,
                m.Feedback(task=task, reported_on=today - 40 * DAY, progress="旧",
                           percent_complete=10),
                m.Feedback(task=task, reported_on=today, progress="新", percent_complete=20),
                m.InvestmentReport(project=project, period=rules.month_start(today),
                                   amount=Decimal("5")),
            ])
        db.session.commit()


def statements(app, client, url: str) -> int:
    from app.extensions import db

    with app.app_context():
        engine = db.engine
    client.get(url)
    with counting(engine) as seen:
        assert client.get(url).status_code == 200
    return len(seen)


def test_statements_do_not_grow_with_rows(app, client, auth, counted):
    auth.login("staff_count")
    add_rows(app, counted.dept, counted.person, 2)
    few = statements(app, client, LEDGER), statements(app, client, INVESTMENT)
    add_rows(app, counted.dept, counted.person, 40)
    first, second = (client.get(f"{LEDGER}?page={n}").get_data(as_text=True) for n in (1, 2))
    assert (len(task_ids(first)), len(task_ids(second))) == (25, 17)  # 25 rows a page
    assert 'href="/my/ledger/?page=2"' in first and 'href="/my/ledger/?page=1"' in second
    assert not set(task_ids(first)) & set(task_ids(second))
    with app.app_context():
        deadline = {t.id: t.deadline for t in m.Task.query.filter(
            m.Task.id.in_(task_ids(first) + task_ids(second)))}
    shown = [deadline[pk] for pk in task_ids(first) + task_ids(second)]
    assert shown == sorted(shown)  # earliest deadline (overdue) first, across the pages
    many = statements(app, client, LEDGER), statements(app, client, INVESTMENT)
    print(f"ledger {few[0]} -> {many[0]}, investment {few[1]} -> {many[1]} statements")
    assert few == many


def test_a_refused_form_of_a_later_page_shows_its_row_and_error(app, client, auth, counted):
    """A clerk on page 2 sends a bad form: the page he gets back shows that row with the
    message (not page 1 without it), and a good one brings him back to page 2."""
    auth.login("staff_count")
    add_rows(app, counted.dept, counted.person, 30)  # more than a page, whatever ran before
    with app.app_context():
        last = max(m.Task.query.filter_by(department_id=counted.dept, done_on=None),
                   key=lambda t: (t.deadline, t.id)).id
    assert last not in task_ids(client.get(LEDGER).get_data(as_text=True))
    before = count(app, m.Feedback)
    response = post(client, f"/my/ledger/{last}/feedback",
                    {"progress": "进展", "percent_complete": "120"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert last in task_ids(html)
    assert "完成百分比应在 0 到 100 之间。" in html and "has-error" in html
    assert count(app, m.Feedback) == before
    response = post(client, f"/my/ledger/{last}/feedback?page=2",
                    {"progress": "进展", "percent_complete": "30"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/my/ledger/?page=2")


def test_odd_ids_and_pages_answer_404_or_the_page(app, client, auth, tasks, project):
    auth.login("supervisor")
    huge = 10**30
    assert client.get(f"{LEDGER}?department={huge}&page={huge}").status_code == 200
    assert client.get(f"{INVESTMENT}?department=x&page=-3&period=2026-99").status_code == 200
    assert post(client, f"/my/ledger/{huge}/feedback",
                {"progress": "x", "percent_complete": "1"}).status_code == 404
    response = file_investment(client, huge, "1", project.period)
    assert response.status_code == 404
    response = post(client, "/my/investment/file", {"period": "2026-01", "amount": "1"})
    assert response.status_code == 404

"""The office's pages, through their web forms: assign, review, urge, extensions."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from app import models as m
from app.domain import rules, status
from app.extensions import db
from tests.support.database import count, get
from tests.support.web import csrf_token

DAY = dt.timedelta(days=1)
_numbers = itertools.count(1)


@pytest.fixture(scope="module")
def office(app):
    """A department of its own with a person, a project and a meeting held five days ago."""
    with app.app_context():
        today = status.today()
        dept = m.Department(name="督办测试局", kind="department")
        other = m.Department(name="督办测试乡", kind="township")
        person = m.Person(name="钱督办", title="科长", department=dept)
        stranger = m.Person(name="孙乡长", title="乡长", department=other)
        project = m.Project(code="P-OFFICE", name="督办测试项目", category="other",
                            stage="construction", list_level="county", lead_department=dept)
        meeting = m.Meeting(held_on=today - 5 * DAY, title="督办测试调度会", projects=[project])
        db.session.add_all([dept, other, person, stranger, project, meeting])
        db.session.commit()
        return SimpleNamespace(dept=dept.id, other=other.id, person=person.id,
                               stranger=stranger.id, project=project.id, meeting=meeting.id,
                               held_on=meeting.held_on, today=today)


def new_task(office, **fields) -> int:
    """A new open task of the office's department: assigned 30 days ago, due in 30."""
    today = office.today
    values = {"title": f"督办测试任务{next(_numbers)}", "department_id": office.dept,
              "person_id": office.person, "assigned_on": today - 30 * DAY,
              "deadline": today + 30 * DAY} | fields
    values.setdefault("original_deadline", values["deadline"])
    task = m.Task(**values)
    db.session.add(task)
    db.session.commit()
    return task.id


def add(row: m.Model) -> int:
    db.session.add(row)
    db.session.commit()
    return row.id


def text(response) -> str:
    return response.get_data(as_text=True)


def every_page(client, url: str) -> str:
    """The HTML of every page of a paged queue, joined."""
    pages = []
    for page in itertools.count(1):
        pages.append(text(client.get(f"{url}?page={page}")))
        if 'class="next"' not in pages[-1]:
            return "".join(pages)


# --- assigning from a meeting -----------------------------------------------------------


def assign_form(office, **fields) -> dict:
    return {"title": f"会议交办{next(_numbers)}", "expected_outcome": "完成用地预审",
            "department": str(office.dept), "person": str(office.person),
            "project": str(office.project), "assigned_from": "meeting",
            "deadline_mode": "workdays", "workdays": "3"} | fields


def test_assign_within_working_days_gets_the_calendars_date(app, client, auth, office):
    auth.login("supervisor")
    page = client.get(f"/office/meeting/{office.meeting}")
    assert page.status_code == 200 and "交办任务" in text(page)
    form = assign_form(office)
    response = client.post(f"/office/meeting/{office.meeting}/assign",
                           data=form | {"csrf_token": csrf_token(client)})
    assert response.status_code == 302, text(response)
    with app.app_context():
        expected = status.calendar().add_workdays(office.held_on, 3)
        task = db.session.scalars(select(m.Task).where(m.Task.title == form["title"])).one()
        assert (task.assigned_on, task.deadline, task.original_deadline) == (
            office.held_on, expected, expected)
        assert (task.meeting_id, task.department_id, task.person_id, task.project_id) == (
            office.meeting, office.dept, office.person, office.project)
        assert (task.status, task.overdue_days) == rules.task_status(
            expected, None, False, status.today(), status.calendar(), status.settings())
    preview = client.get(f"/office/meeting/{office.meeting}/deadline?workdays=3")
    assert preview.status_code == 200
    assert preview.json["deadline"] == expected.isoformat()
    assert form["title"] in text(client.get(f"/office/meeting/{office.meeting}"))


def test_assign_from_today(app, client, auth, office):
    auth.login("supervisor")
    form = assign_form(office, assigned_from="today", workdays="5")
    client.post(f"/office/meeting/{office.meeting}/assign",
                data=form | {"csrf_token": csrf_token(client)})
    with app.app_context():
        task = db.session.scalars(select(m.Task).where(m.Task.title == form["title"])).one()
        assert task.assigned_on == status.today()
        assert task.deadline == status.calendar().add_workdays(status.today(), 5)


@pytest.mark.parametrize(("fields", "message"), [
    ({"deadline_mode": "date", "deadline": "before"}, "时间节点不能早于交办日期。"),
    ({"workdays": "0"}, "办结时限至少为 1 个工作日。"),
    ({"workdays": "三"}, "请填写办结时限（工作日数，整数）。"),
    ({"title": "  "}, "请填写任务标题。"),
    ({"person": "stranger"}, "所选责任人不属于该责任单位。"),
    ({"department": ""}, "请选择“责任单位”。"),
    ({"deadline_mode": "date", "deadline": "2026-13-01"}, "日期格式应为"),
])
def test_bad_assignment_is_refused_and_nothing_saved(app, client, auth, office, fields,
                                                     message):
    auth.login("supervisor")
    form = assign_form(office, **fields)
    if form.get("deadline") == "before":
        form["deadline"] = (office.held_on - DAY).isoformat()
    if form["person"] == "stranger":
        form["person"] = str(office.stranger)
    before = count(app, m.Task)
    response = client.post(f"/office/meeting/{office.meeting}/assign",
                           data=form | {"csrf_token": csrf_token(client)})
    assert response.status_code == 422
    assert message in text(response)
    assert count(app, m.Task) == before


def test_deadline_preview_refuses_bad_numbers(client, auth, office):
    auth.login("supervisor")
    response = client.get(f"/office/meeting/{office.meeting}/deadline?workdays=0")
    assert response.status_code == 422
    assert response.json["message"] == "办结时限至少为 1 个工作日。"


def test_leader_sees_the_meeting_but_cannot_assign(app, client, auth, office):
    auth.login("leader")
    page = client.get(f"/office/meeting/{office.meeting}")
    assert page.status_code == 200 and "assign-form" not in text(page)
    before = count(app, m.Task)
    response = client.post(f"/office/meeting/{office.meeting}/assign",
                           data=assign_form(office) | {"csrf_token": csrf_token(client)})
    assert response.status_code == 403
    assert count(app, m.Task) == before


def test_meeting_page_offers_assignment_to_the_office_only(client, auth, world):
    auth.login("supervisor")
    meeting = world.a["meeting"]
    assert "/meetingview/action/assign/" in text(client.get(f"/meetingview/show/{meeting}"))
    response = client.post(f"/meetingview/action/assign/{meeting}",
                           data={"csrf_token": csrf_token(client)})
    assert response.headers["Location"].endswith(f"/office/meeting/{meeting}")
    auth.logout()
    auth.login("leader")
    assert "/meetingview/action/assign/" not in text(
        client.get(f"/meetingview/show/{world.a['meeting']}"))


# --- reviewing feedback -----------------------------------------------------------------


def new_feedback(app, office, percent: int, days_ago: int = 2) -> tuple[int, int]:
    with app.app_context():
        task = new_task(office)
        feedback = add(m.Feedback(task_id=task, reported_on=office.today - days_ago * DAY,
                                  progress=f"审核测试进展{next(_numbers)}",
                                  percent_complete=percent))
        return task, feedback


def review(client, feedback: int, **fields):
    return client.post(f"/office/review/{feedback}",
                       data=fields | {"csrf_token": csrf_token(client)})


def test_accepting_a_full_feedback_closes_the_task_on_its_report_date(app, client, auth,
                                                                       office):
    task, feedback = new_feedback(app, office, 100)
    auth.login("supervisor")
    assert f'id="feedback-{feedback}"' in every_page(client, "/office/review/")
    assert review(client, feedback, decision="accept").status_code == 302
    assert get(app, m.Feedback, feedback).review_status == "accepted"
    closed = get(app, m.Task, task)
    assert closed.done_on == office.today - 2 * DAY
    assert closed.status == "done_on_time"
    assert f'id="feedback-{feedback}"' not in every_page(client, "/office/review/")


def test_queue_lists_oldest_reports_first(app, client, auth, office):
    _task, newer = new_feedback(app, office, 30, days_ago=1)
    _task, older = new_feedback(app, office, 30, days_ago=3)
    auth.login("supervisor")
    queue = every_page(client, "/office/review/")
    assert queue.index(f'id="feedback-{older}"') < queue.index(f'id="feedback-{newer}"')


def test_returning_needs_a_comment(app, client, auth, office):
    _task, feedback = new_feedback(app, office, 60)
    auth.login("supervisor")
    response = review(client, feedback, decision="return", comment=" ")
    assert response.status_code == 422
    assert "退回反馈时请填写审核意见。" in text(response)
    assert get(app, m.Feedback, feedback).review_status == "submitted"
    assert review(client, feedback, decision="return", comment="数据不实").status_code == 302
    returned = get(app, m.Feedback, feedback)
    assert (returned.review_status, returned.review_comment) == ("returned", "数据不实")
    again = review(client, feedback, decision="accept")
    assert again.status_code == 422 and "这条反馈已经审核过了。" in text(again)


@pytest.mark.parametrize("role", ["staff_a", "leader"])
def test_only_the_office_reviews(app, client, auth, office, world, role):
    _task, feedback = new_feedback(app, office, 100)
    auth.login(role)
    for pk in (feedback, world.a["feedback"]):
        assert review(client, pk, decision="accept").status_code == 403
        assert get(app, m.Feedback, pk).review_status == "submitted"
    queue = client.get("/office/review/")
    if role == "leader":
        assert queue.status_code == 200 and "采纳" not in text(queue)
    else:
        assert queue.status_code == 403


# --- urging -----------------------------------------------------------------------------


def test_urge_by_notice_prints_a_notice(app, client, auth, office):
    with app.app_context():
        task = new_task(office, assigned_on=office.today - 20 * DAY,
                        deadline=office.today - 4 * DAY)
    auth.login("supervisor")
    assert client.get(f"/office/urge?task={task}").status_code == 200
    before = count(app, m.Supervision)
    response = client.post("/office/urge", data={
        "task": str(task), "channel": "notice", "message": "请于三日内办结并书面报告。",
        "csrf_token": csrf_token(client)})
    assert response.status_code == 302
    assert count(app, m.Supervision) == before + 1
    with app.app_context():
        row = db.session.scalars(select(m.Supervision).where(m.Supervision.task_id == task)).one()
        assert (row.channel, row.kind, row.sent_on) == ("notice", "manual", status.today())
    page = client.get(f"/office/notice/{row.id}")
    assert page.status_code == 200
    html = text(page)
    title = get(app, m.Task, task).title
    for expected in (title, "督办测试局", "钱督办", "请于三日内办结并书面报告。",
                     "县委县政府督查室", "css/office-notice.css", "4 天"):
        assert expected in html, expected
    assert text(client.get(response.headers["Location"])) .count('class="kl-notice"') == 1


def test_only_notices_have_a_notice_page(client, auth, world):
    auth.login("supervisor")
    assert client.get(f"/office/notice/{world.a['supervision']}").status_code == 404
    assert client.get("/office/notice/999999").status_code == 404


def test_staff_cannot_urge_through_the_list_action(app, client, auth, world):
    auth.login("staff_a")
    before = count(app, m.Supervision)
    response = client.post("/taskview/action_post", data={
        "action": "urge", "rowid": [str(world.b["task"])], "csrf_token": csrf_token(client)})
    assert response.status_code == 403
    assert client.get(f"/office/urge?task={world.a['task']}").status_code == 403
    response = client.post("/office/urge", data={
        "task": str(world.a["task"]), "channel": "in_app", "message": "自己督促自己",
        "csrf_token": csrf_token(client)})
    assert response.status_code == 403
    assert count(app, m.Supervision) == before


def test_office_urges_several_tasks_from_the_list(app, client, auth, office):
    with app.app_context():
        tasks = [new_task(office), new_task(office)]
    auth.login("supervisor")
    assert "/taskview/action/urge/" in text(client.get(f"/taskview/show/{tasks[0]}"))
    one = client.post(f"/taskview/action/urge/{tasks[0]}",
                      data={"csrf_token": csrf_token(client)})
    assert one.headers["Location"].endswith(f"/office/urge?task={tasks[0]}")
    response = client.post("/taskview/action_post", data={
        "action": "urge", "rowid": [str(t) for t in tasks], "csrf_token": csrf_token(client)})
    assert response.status_code == 302
    form_url = response.headers["Location"]
    assert re.findall(r"task=(\d+)", form_url) == [str(t) for t in tasks]
    form = text(client.get(form_url))
    assert all(get(app, m.Task, t).title in form for t in tasks)
    before = count(app, m.Supervision)
    response = client.post("/office/urge", data={
        "task": [str(t) for t in tasks], "channel": "in_app", "message": "请加快进度",
        "csrf_token": csrf_token(client)})
    assert response.status_code == 302
    assert count(app, m.Supervision) == before + 2
    assert count(app, m.Supervision, m.Supervision.task_id.in_(tasks),
                 m.Supervision.message == "请加快进度") == 2


def test_urge_refuses_bad_input(app, client, auth, office):
    with app.app_context():
        task = new_task(office)
    auth.login("supervisor")
    before = count(app, m.Supervision)
    for data, code in [({"channel": "pigeon", "message": "x"}, 422),
                       ({"channel": "email", "message": " "}, 422)]:
        response = client.post("/office/urge", data=data | {
            "task": str(task), "csrf_token": csrf_token(client)})
        assert response.status_code == code
    response = client.post("/office/urge", data={
        "task": "999999", "channel": "email", "message": "x", "csrf_token": csrf_token(client)})
    assert response.status_code == 404
    for url in ("/office/urge?task=³", f"/office/urge?task={10**30}", f"/office/notice/{10**30}",
                "/office/notice/?id=x"):
        assert client.get(url).status_code == 404, url
    assert count(app, m.Supervision) == before


# --- extensions -------------------------------------------------------------------------


def new_extension(app, office, **task_fields) -> tuple[int, int]:
    with app.app_context():
        task = new_task(office, **task_fields)
        deadline = db.session.get(m.Task, task).deadline
        extension = add(m.Extension(task_id=task, requested_on=office.today,
                                    new_deadline=deadline + 10 * DAY, reason="征迁未完成"))
        return task, extension


def decide(client, extension: int, decision: str, **form: str):
    """Approve, or reject with a reason (unless the form given says otherwise)."""
    reason = {"comment": "前期手续未完成，不符合延期条件"} if decision == "reject" else {}
    return client.post(f"/office/extensions/{extension}",
                       data={"decision": decision, "csrf_token": csrf_token(client)}
                       | reason | form)


def test_approving_moves_the_deadline_and_keeps_the_original(app, client, auth, office):
    task, extension = new_extension(app, office)
    original = get(app, m.Task, task).deadline
    auth.login("supervisor")
    assert f'id="extension-{extension}"' in every_page(client, "/office/extensions/")
    assert decide(client, extension, "approve").status_code == 302
    moved = get(app, m.Task, task)
    assert (moved.deadline, moved.original_deadline) == (original + 10 * DAY, original)
    assert get(app, m.Extension, extension).decision == "approved"
    show = text(client.get(f"/taskview/show/{task}"))
    assert moved.deadline.isoformat() in show and original.isoformat() in show
    again = decide(client, extension, "approve")
    assert again.status_code == 422 and "这条延期申请已经审批过了。" in text(again)
    assert get(app, m.Task, task).deadline == original + 10 * DAY


def test_rejecting_keeps_the_deadline(app, client, auth, office):
    task, extension = new_extension(app, office)
    original = get(app, m.Task, task).deadline
    auth.login("supervisor")
    assert decide(client, extension, "reject").status_code == 302
    assert get(app, m.Extension, extension).decision == "rejected"
    assert get(app, m.Task, task).deadline == original


def test_a_rejection_needs_its_reason_and_keeps_it(app, client, auth, office):
    task, extension = new_extension(app, office)
    auth.login("supervisor")
    refused = decide(client, extension, "reject", comment="  ")
    assert refused.status_code == 422 and "驳回延期申请时请填写理由。" in text(refused)
    assert get(app, m.Extension, extension).decision == "pending"
    assert decide(client, extension, "reject").status_code == 302
    row = get(app, m.Extension, extension)
    assert (row.decision, row.decision_comment, row.decided_on) == (
        "rejected", "前期手续未完成，不符合延期条件", office.today)
    assert "前期手续未完成，不符合延期条件" in text(client.get(f"/extensionview/show/{extension}"))


def test_approving_after_the_deadline_is_confirmed_and_keeps_the_days_overdue(
        app, client, auth, office):
    task, extension = new_extension(app, office, assigned_on=office.today - 40 * DAY,
                                    deadline=office.today - 12 * DAY)
    auth.login("supervisor")
    with app.app_context():
        from app.domain import rules

        _state, overdue = rules.task_status(office.today - 12 * DAY, None, False, office.today,
                                            status.calendar(), status.settings())
    assert overdue > 0
    page = text(client.get("/office/extensions/"))
    assert "确认逾期后批准" in page and "已逾期" in page
    refused = decide(client, extension, "approve")
    assert refused.status_code == 422 and f"这项任务已逾期 {overdue} 天" in text(refused)
    assert get(app, m.Extension, extension).decision == "pending"
    assert get(app, m.Task, task).deadline == office.today - 12 * DAY
    assert decide(client, extension, "approve", late="1").status_code == 302
    row = get(app, m.Extension, extension)
    assert (row.decision, row.overdue_days_served) == ("approved", overdue)
    show = client.get(f"/extensionview/show/{extension}").get_data(as_text=True)
    assert re.search(rf"批准前已逾期天数.*?<td[^>]*>\s*{overdue}\s*</td>", show, re.S), show


def test_no_extension_for_a_done_task(app, client, auth, office):
    task, extension = new_extension(app, office)
    with app.app_context():
        db.session.get(m.Task, task).done_on = office.today
        db.session.commit()
    original = get(app, m.Task, task).deadline
    auth.login("supervisor")
    response = decide(client, extension, "approve")
    assert response.status_code == 422
    assert "已完成或已撤销的任务不能延期。" in text(response)
    assert get(app, m.Task, task).deadline == original
    assert get(app, m.Extension, extension).decision == "pending"


@pytest.mark.parametrize("role", ["staff_a", "leader"])
def test_only_the_office_decides_extensions(app, client, auth, office, role):
    _task, extension = new_extension(app, office)
    auth.login(role)
    assert decide(client, extension, "approve").status_code == 403
    assert get(app, m.Extension, extension).decision == "pending"
    expected = 200 if role == "leader" else 403
    assert client.get("/office/extensions/").status_code == expected


# --- CSRF -------------------------------------------------------------------------------


def test_posts_without_a_token_are_refused(app, client, auth, office):
    _task, feedback = new_feedback(app, office, 100)
    task, extension = new_extension(app, office)
    auth.login("supervisor")
    tasks, supervisions = count(app, m.Task), count(app, m.Supervision)
    posts = [
        (f"/office/meeting/{office.meeting}/assign", assign_form(office)),
        (f"/office/review/{feedback}", {"decision": "accept"}),
        (f"/office/extensions/{extension}", {"decision": "approve"}),
        ("/office/urge", {"task": str(task), "channel": "in_app", "message": "无令牌"}),
    ]
    for url, data in posts:
        assert client.post(url, data=data).status_code == 400, url
    assert (count(app, m.Task), count(app, m.Supervision)) == (tasks, supervisions)
    assert get(app, m.Feedback, feedback).review_status == "submitted"
    assert get(app, m.Extension, extension).decision == "pending"


def test_menu_shows_the_office_pages_to_the_office_and_leaders(client, auth):
    auth.login("supervisor")
    home = text(client.get("/"))
    assert "/office/review/" in home and "/office/extensions/" in home
    auth.logout()
    auth.login("staff_a")
    home = text(client.get("/"))
    assert "/office/review/" not in home and "/office/extensions/" not in home

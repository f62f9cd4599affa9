"""No lost updates (issue 7): two people editing one row; the second save is refused."""

from __future__ import annotations

import datetime as dt
import itertools
from html.parser import HTMLParser

import pytest
from sqlalchemy import text

from app import models as m
from app.domain import status
from app.domain.locking import EditConflict
from app.extensions import db
from tests.support.web import Auth, csrf_token

DAY = dt.timedelta(days=1)
_numbers = itertools.count(1)


class FormReader(HTMLParser):
    """The fields a browser would send from the page's edit form (id model_form)."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self._in_form = False
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "form" and a.get("id") == "model_form":
            self._in_form = True
        if not self._in_form or "name" not in a and tag != "option":
            return
        if tag == "input" and (a.get("type") not in ("checkbox", "radio") or "checked" in a):
            self.fields[a["name"]] = a.get("value") or ""
        elif tag == "select":
            self._select = a["name"]
            self.fields.setdefault(self._select, "")
        elif tag == "option" and self._select and "selected" in a:
            self.fields[self._select] = a.get("value") or ""
        elif tag == "textarea":
            self._textarea = a["name"]
            self.fields[self._textarea] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:  # a browser drops the one line break that opens a textarea
            first = not self.fields[self._textarea]
            self.fields[self._textarea] += data.removeprefix("\r\n") if first else data


def edit_form(client, url: str) -> dict[str, str]:
    """Open an edit page as a browser does; the fields it would post back."""
    response = client.get(url)
    assert response.status_code == 200, url
    reader = FormReader()
    reader.feed(response.get_data(as_text=True))
    return reader.fields


def person(app, username: str):
    """A browser of its own, logged in."""
    client = app.test_client()
    Auth(client).login(username)
    return client


def new_task(world, **fields) -> int:
    today = status.today()
    values = {"title": f"并发编辑任务{next(_numbers)}", "department_id": world.dept_a,
              "person_id": world.person_a, "project_id": world.a["project"],
              "assigned_on": today - 30 * DAY, "deadline": today + 30 * DAY} | fields
    values.setdefault("original_deadline", values["deadline"])
    task = m.Task(**values)
    db.session.add(task)
    db.session.commit()
    return task.id


def stored(app, model: type, pk: int) -> m.Model:
    with app.app_context():
        row = db.session.get(model, pk)
        db.session.expunge(row)
        return row


def test_the_second_save_of_a_task_is_refused_with_what_changed(app, world):
    with app.app_context():
        task_id = new_task(world, measures="原措施")
    url = f"/taskview/edit/{task_id}"
    first, second = person(app, "supervisor"), person(app, "admin")
    form_1, form_2 = edit_form(first, url), edit_form(second, url)
    assert form_1["version"] == form_2["version"] == "1"

    saved = first.post(url, data=form_1 | {"title": "改后的标题"})
    assert saved.status_code == 302
    refused = second.post(url, data=form_2 | {"measures": "第二人的措施"})

    assert refused.status_code == 409
    page = refused.get_data(as_text=True)
    assert "他人修改" in page and "“标题”" in page and "“整改措施”" in page
    assert "改后的标题" in page and "第二人的措施" in page and "原措施" in page
    row = stored(app, m.Task, task_id)
    assert (row.title, row.measures, row.version) == ("改后的标题", "原措施", 2)

    # the form shown again keeps what they typed and carries the version now stored
    reader = FormReader()
    reader.feed(page)
    assert reader.fields["version"] == "2" and reader.fields["measures"] == "第二人的措施"
    again = second.post(url, data=reader.fields | {"title": "改后的标题"})
    assert again.status_code == 302
    row = stored(app, m.Task, task_id)
    assert (row.title, row.measures, row.version) == ("改后的标题", "第二人的措施", 3)


def test_a_stale_form_that_changes_nothing_is_not_refused(app, world):
    with app.app_context():
        task_id = new_task(world)
    url = f"/taskview/edit/{task_id}"
    first, second = person(app, "supervisor"), person(app, "admin")
    form_1, form_2 = edit_form(first, url), edit_form(second, url)
    assert first.post(url, data=form_1 | {"lag_reason": "征地延误"}).status_code == 302
    # the second person changes nothing the first did not: nothing would be lost
    assert second.post(url, data=form_2 | {"lag_reason": "征地延误"}).status_code == 302


def test_status_jobs_and_refreshes_do_not_make_an_open_form_stale(app, world):
    """Computed columns (status, overdue days, project colour) are not anyone's edit."""
    with app.app_context():
        task_id = new_task(world, assigned_on=status.today() - 60 * DAY,
                           deadline=status.today() - 3 * DAY, status="pending")
    url = f"/taskview/edit/{task_id}"
    editor = person(app, "supervisor")
    form = edit_form(editor, url)
    with app.app_context():
        from app.jobs import refresh_status

        refresh_status.run(status.today())  # set-based SQL: the task turns overdue
        task = db.session.get(m.Task, task_id)
        assert task.status == "overdue" and task.overdue_days == 3
        project_version = task.project.version
        status.after_change(task)  # what every save does: the ORM refresh of statuses
        status.refresh_projects([task.project_id])
        db.session.commit()
        assert db.session.get(m.Task, task_id).version == 1
        assert db.session.get(m.Project, world.a["project"]).version == project_version
    saved = editor.post(url, data=form | {"lag_reason": "资金未到位"})
    assert saved.status_code == 302
    assert stored(app, m.Task, task_id).lag_reason == "资金未到位"


def test_feedback_reviewed_while_its_author_edits_it(app, world):
    """The office accepts a feedback; the department's stale edit form is refused."""
    with app.app_context():
        task_id = new_task(world)
        feedback = m.Feedback(task_id=task_id, reported_on=status.today(), progress="完成主体",
                              percent_complete=60)
        db.session.add(feedback)
        db.session.commit()
        feedback_id = feedback.id
    url = f"/feedbackview/edit/{feedback_id}"
    staff = person(app, "staff_a")
    form = edit_form(staff, url)
    office = person(app, "supervisor")
    token = csrf_token(office, "/office/review/")
    reviewed = office.post(f"/office/review/{feedback_id}",
                           data={"decision": "accept", "csrf_token": token})
    assert reviewed.status_code == 302

    refused = staff.post(url, data=form | {"progress": "完成主体和附属"})
    assert refused.status_code == 409
    page = refused.get_data(as_text=True)
    assert "审核状态" in page and "已采纳" in page
    row = stored(app, m.Feedback, feedback_id)
    assert (row.progress, row.review_status, row.version) == ("完成主体", "accepted", 2)


def api_task(client, headers, task_id) -> dict:
    response = client.get(f"/api/v1/task/{task_id}", headers=headers)
    assert response.status_code == 200
    return response.json["result"]


def test_api_put_with_a_stale_version_answers_409(app, client, world, api_token):
    with app.app_context():
        task_id = new_task(world)
    headers = api_token("supervisor")
    read = api_task(client, headers, task_id)
    assert read["version"] == 1

    first = client.put(f"/api/v1/task/{task_id}", headers=headers,
                       json={"measures": "甲的措施", "version": 1})
    assert first.status_code == 200, first.json
    assert first.json["result"]["version"] == 2
    stale = client.put(f"/api/v1/task/{task_id}", headers=headers,
                       json={"measures": "乙的措施", "version": 1})
    assert stale.status_code == 409
    assert "他人修改" in stale.json["message"] and stale.json["version"] == 2
    assert stale.json["changes"] == [{"field": "measures", "label": "整改措施",
                                      "yours": "乙的措施", "stored": "甲的措施"}]
    assert stored(app, m.Task, task_id).measures == "甲的措施"
    fresh = client.put(f"/api/v1/task/{task_id}", headers=headers,
                       json={"measures": "乙的措施", "version": 2})
    assert fresh.status_code == 200 and fresh.json["result"]["version"] == 3


def test_api_put_of_a_feedback_checks_its_version_too(app, client, world, api_token):
    headers = api_token("staff_a")
    feedback = client.get(f"/api/v1/feedback/{world.a['feedback']}", headers=headers).json
    version = feedback["result"]["version"]
    ok = client.put(f"/api/v1/feedback/{world.a['feedback']}", headers=headers,
                    json={"next_steps": "下月完成", "version": version})
    assert ok.status_code == 200, ok.json
    stale = client.put(f"/api/v1/feedback/{world.a['feedback']}", headers=headers,
                       json={"next_steps": "下下月完成", "version": version})
    assert stale.status_code == 409


def test_a_save_racing_another_is_refused_at_the_database(app, world):
    """Read, someone else commits, then write: the claim finds the version moved on."""
    with app.app_context():
        task_id = new_task(world)
        task = db.session.get(m.Task, task_id)
        assert task.version == 1
        with db.engine.begin() as other:  # another worker's transaction, committed
            other.execute(text("UPDATE task SET version = version + 1, title = '别人的标题' "
                               "WHERE id = :id"), {"id": task_id})
        task.title = "我的标题"
        with pytest.raises(EditConflict):
            db.session.commit()
        db.session.rollback()
        assert db.session.get(m.Task, task_id).title == "别人的标题"


def test_every_edit_moves_the_version_once_per_transaction(app, world):
    with app.app_context():
        task_id = new_task(world)
        task = db.session.get(m.Task, task_id)
        task.lag_reason = "一"
        db.session.flush()
        task.measures = "二"
        db.session.commit()
        assert db.session.get(m.Task, task_id).version == 2
        meeting = db.session.get(m.Meeting, world.b["meeting"])
        before = meeting.version
        linked = db.session.get(m.Project, world.a["project"])
        meeting.projects = [*meeting.projects, linked]
        db.session.commit()
        assert meeting.version == before + 1
        # the world's meeting of B goes back to B's projects alone (the reloaded list has
        # no fixed order, so remove the link by what it is, not where it is)
        meeting.projects = [p for p in meeting.projects if p.id != linked.id]
        db.session.commit()


def test_the_ledger_actions_keep_working_and_move_versions(app, world):
    """Writers outside the forms (review, extension decisions, lag) claim their rows too."""
    from app.domain import ledger

    with app.app_context():
        task_id = new_task(world)
        task = db.session.get(m.Task, task_id)
        extension = m.Extension(task=task, requested_on=status.today(),
                                new_deadline=task.deadline + 10 * DAY, reason="雨季")
        db.session.add(extension)
        db.session.commit()
        ledger.decide_extension(extension, approve=True)
        ledger.record_lag(task, "雨季", "加班")  # on a row the last commit expired
        assert (task.version, extension.version) == (3, 2)
        assert task.deadline == extension.new_deadline and task.measures == "加班"


def test_two_saves_at_the_same_moment_one_wins(app, world):
    """Two workers read the same version and save together: the database lets one through
    (the second waits for the first's commit), and refuses the other; nothing is lost."""
    import threading
    import time

    with app.app_context():
        task_id = new_task(world)
    loaded, outcome = threading.Barrier(2), {}

    def save(name: str, delay: float) -> None:
        with app.app_context():
            task = db.session.get(m.Task, task_id)
            _ = task.version
            loaded.wait()
            time.sleep(delay)
            task.measures = f"{name}的措施"
            try:
                db.session.flush()  # the claim: the row is ours until commit
                time.sleep(0.5)  # the other worker tries meanwhile
                db.session.commit()
                outcome[name] = "saved"
            except EditConflict:
                db.session.rollback()
                outcome[name] = "refused"
            finally:
                db.session.remove()

    workers = [threading.Thread(target=save, args=("甲", 0.0)),
               threading.Thread(target=save, args=("乙", 0.2))]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    assert outcome == {"甲": "saved", "乙": "refused"}
    row = stored(app, m.Task, task_id)
    assert (row.measures, row.version) == ("甲的措施", 2)

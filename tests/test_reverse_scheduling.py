"""倒排工期 through the forms: preview, confirm, scope, refusals, re-planning, the strip."""

from __future__ import annotations

import datetime as dt
import io
import re
import uuid
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app import models as m
from app.domain import backward_plan, compliance_sql, status
from app.domain.node_templates import ensure_templates
from app.extensions import db
from tests.support.web import csrf_token

D = dt.date
ROW = re.compile(r'data-key="(\d+)">.*?<td class="start">([\d-]*)</td>\s*'
                 r'<td class="deadline">([\d-]*)</td>', re.S)


@pytest.fixture
def clock(monkeypatch):
    """The app's today, settable by the test."""
    now = SimpleNamespace(day=D(2026, 6, 1))
    monkeypatch.setattr(status, "today", lambda: now.day)
    return now


def _world(app, lead: int | None = None, chain: str = "three") -> SimpleNamespace:
    """A department X with a person, a project (led by X or `lead`) and a template."""
    uid = uuid.uuid4().hex[:8]
    with app.app_context():
        dept = m.Department(name=f"倒排测试局{uid}")
        person = m.Person(name=f"倒排{uid}", department=dept)
        leader = {"lead_department_id": lead} if lead else {"lead_department": dept}
        project = m.Project(code=f"RS-{uid}", name=f"倒排项目{uid}", category="other",
                            stage="preparation", planned_start=D(2026, 10, 30), **leader)
        db.session.add_all([dept, person, project])
        if chain == "three":
            template = m.NodeTemplate(name=f"三步链{uid}")
            first = m.TemplateNode(template=template, position=1, title="甲节点", workdays=5,
                                   expected_outcome="甲完成")
            second = m.TemplateNode(template=template, position=2, title="乙节点", workdays=5,
                                    depends_on=[first])
            m.TemplateNode(template=template, position=3, title="丙节点", workdays=5,
                           depends_on=[second])
            db.session.add(template)
        else:
            ensure_templates()
            template = db.session.scalar(select(m.NodeTemplate).where(
                m.NodeTemplate.name == "工业项目前期手续"))
        db.session.commit()
        return SimpleNamespace(dept=dept.id, person=person.id, project=project.id,
                               template=template.id, code=project.code,
                               nodes={n.title: n.id for n in template.nodes})


def _form(client, w, target: str, action: str = "preview", dept: int | None = None,
          **extra: str) -> dict:
    form = {"template": str(w.template), "target": target, "action": action,
            "csrf_token": csrf_token(client)}
    for key in w.nodes.values():
        form[f"department-{key}"] = str(dept or w.dept)
    return form | extra


def _post(client, w, target: str, action: str = "preview", **extra: str):
    return client.post(f"/chains/project/{w.project}/schedule",
                       data=_form(client, w, target, action, **extra))


def _tasks(app, project: int) -> list[m.Task]:
    with app.app_context():
        return list(db.session.scalars(
            select(m.Task).where(m.Task.project_id == project).order_by(m.Task.id)))


def _chains(app, project: int) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(m.TaskChain.id)).where(
            m.TaskChain.project_id == project))


def test_a_supervisor_gets_exactly_the_tasks_of_the_preview(app, client, auth, clock):
    w = _world(app, chain="industrial")
    auth.login("supervisor")
    sign = w.nodes["签约评审"]
    extra = {f"person-{sign}": str(w.person), f"workdays-{w.nodes['开工']}": "5"}
    preview = _post(client, w, "2026-10-30", **extra)
    assert preview.status_code == 200
    html = preview.get_data(as_text=True)
    shown = {int(k): (D.fromisoformat(s), D.fromisoformat(e)) for k, s, e in ROW.findall(html)}
    assert len(shown) == 8 and "chain-strip" in html
    assert shown[w.nodes["开工"]] == (D(2026, 10, 26), D(2026, 10, 30))
    assert shown[w.nodes["规划许可"]] == (D(2026, 9, 24), D(2026, 10, 14))  # across 1-7 Oct
    assert shown[sign] == (D(2026, 6, 26), D(2026, 7, 9))
    assert _tasks(app, w.project) == []  # a preview saves nothing
    done = _post(client, w, "2026-10-30", action="confirm", **extra)
    assert done.status_code == 302
    tasks = _tasks(app, w.project)
    titles = {n: k for n, k in w.nodes.items()}
    assert [t.title for t in tasks] == list(titles)
    for task in tasks:
        deadline = shown[titles[task.title]][1]
        assert (task.deadline, task.original_deadline, task.assigned_on) == (
            deadline, deadline, D(2026, 6, 1))
        assert task.department_id == w.dept
        assert task.person_id == (w.person if task.title == "签约评审" else None)
    assert tasks[0].expected_outcome == "通过招商引资项目评审并签订投资协议"
    with app.app_context():
        chain = db.session.scalar(select(m.TaskChain).where(m.TaskChain.project_id == w.project))
        planning = next(n for n in chain.nodes if n.task.title == "规划许可")
        assert {d.task.title for d in planning.depends_on} == {"节能审查", "环评审批"}
        assert chain.target == D(2026, 10, 30)


def test_an_infeasible_target_says_by_how_much_and_what_fits(app, client, auth, clock):
    w = _world(app, chain="industrial")
    clock.day = D(2026, 9, 1)
    auth.login("supervisor")
    response = _post(client, w, "2026-10-30")
    html = response.get_data(as_text=True)
    # the chain would start Fri 26 Jun: 2 + 23 + 21 + 1 working days before Tue 1 Sep
    assert "比今天早 47 个工作日" in html
    with app.app_context():
        nodes = [backward_plan.Node(str(n.id), n.workdays, tuple(str(d.id) for d in n.depends_on))
                 for n in db.session.get(m.NodeTemplate, w.template).nodes]
        cal = status.calendar()
    earliest = backward_plan.plan(nodes, D(2026, 10, 30), clock.day, cal).earliest_target
    assert f"最早能在 {earliest.isoformat()} 完成" in html
    assert backward_plan.plan(nodes, earliest, clock.day, cal).shortfall == 0
    assert backward_plan.plan(nodes, earliest - dt.timedelta(days=1), clock.day, cal).shortfall == 1
    refused = _post(client, w, "2026-10-30", action="confirm")
    assert refused.status_code == 422 and _tasks(app, w.project) == []
    fits = _post(client, w, earliest.isoformat(), action="confirm")
    assert fits.status_code == 302 and len(_tasks(app, w.project)) == 8


@pytest.mark.parametrize(("field", "value", "message"), [
    ("workdays", "0", "的工期应至少为 1 个工作日"),
    ("workdays", "-2", "的工期应至少为 1 个工作日"),
    ("workdays", "两天", "的工期应为整数个工作日"),
    ("target", "2026-05-29", "目标日期不能早于今天"),
    ("target", "明天", "日期格式应为"),
    ("department", "", "请为“甲节点”选择责任单位"),
])
def test_bad_input_is_refused_in_chinese_and_nothing_saved(app, client, auth, clock, field,
                                                           value, message):
    w = _world(app)
    auth.login("supervisor")
    first = w.nodes["甲节点"]
    extra = {"target": value} if field == "target" else {f"{field}-{first}": value}
    form = _form(client, w, "2026-10-30", action="confirm") | extra
    response = client.post(f"/chains/project/{w.project}/schedule", data=form)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _tasks(app, w.project) == [] and _chains(app, w.project) == 0


def test_a_post_without_csrf_token_saves_nothing(app, client, auth, clock):
    w = _world(app)
    auth.login("supervisor")
    form = _form(client, w, "2026-10-30", action="confirm")
    del form["csrf_token"]
    assert client.post(f"/chains/project/{w.project}/schedule", data=form).status_code == 400
    assert _tasks(app, w.project) == []


def test_departments_schedule_only_the_projects_they_lead(app, client, auth, world, clock):
    w = _world(app, lead=world.dept_a)
    auth.login("staff_b")
    assert client.get(f"/chains/project/{w.project}/schedule").status_code == 404
    response = _post(client, w, "2026-10-30", action="confirm")
    assert response.status_code == 404 and _tasks(app, w.project) == []
    auth.logout()
    auth.login("leader")
    assert client.get(f"/chains/project/{w.project}/schedule").status_code == 403
    auth.logout()
    auth.login("staff_a")
    assert client.get(f"/chains/project/{w.project}/schedule").status_code == 200
    # a department plans its own projects (倒排工期：编辑), in its own ledger only: a node of
    # another department refuses the whole chain, nothing saved
    response = _post(client, w, "2026-10-30", action="confirm", dept=world.dept_b)
    assert response.status_code == 403 and _tasks(app, w.project) == []
    response = _post(client, w, "2026-10-30", action="confirm", dept=world.dept_a)
    assert response.status_code == 302 and len(_tasks(app, w.project)) == 3


def _scheduled(app, client, auth, clock, lead: int | None = None, login: str = "supervisor",
               dept: int | None = None) -> tuple[SimpleNamespace, list[m.Task]]:
    """甲 12-16 Oct, 乙 19-23 Oct, 丙 26-30 Oct 2026, scheduled on 1 Sep."""
    w = _world(app, lead=lead)
    clock.day = D(2026, 9, 1)
    auth.login(login)
    assert _post(client, w, "2026-10-30", action="confirm", dept=dept).status_code == 302
    tasks = _tasks(app, w.project)
    assert [t.deadline for t in tasks] == [D(2026, 10, 16), D(2026, 10, 23), D(2026, 10, 30)]
    return w, tasks


def _replan(client, task: int, expected: str, mode: str, action: str = "preview",
            **extra: str):
    form = {"expected": expected, "mode": mode, "action": action,
            "csrf_token": csrf_token(client)} | extra
    return client.post(f"/chains/task/{task}/replan", data=form)


def test_replanning_keeps_original_deadlines_and_compliance_uses_the_deadline_in_force(
        app, client, auth, clock):
    w, (first, second, third) = _scheduled(app, client, auth, clock)
    clock.day = D(2026, 10, 19)  # 甲 is overdue
    preview = _replan(client, first.id, "2026-10-21", "shift").get_data(as_text=True)
    assert "2026-10-28" in preview and "整条链的完成日期为 2026-11-04" in preview
    assert _tasks(app, w.project)[1].deadline == D(2026, 10, 23)  # nothing saved yet
    saved = _replan(client, first.id, "2026-10-21", "shift", "save",
                    lag_reason="土地报批延误", measures="分管县领导专题调度")
    assert saved.status_code == 302
    late, moved, last = _tasks(app, w.project)
    assert (late.lag_reason, late.measures) == ("土地报批延误", "分管县领导专题调度")
    assert (late.deadline, late.original_deadline) == (D(2026, 10, 16), D(2026, 10, 16))
    assert (moved.deadline, moved.original_deadline) == (D(2026, 10, 28), D(2026, 10, 23))
    assert (last.deadline, last.original_deadline) == (D(2026, 11, 4), D(2026, 10, 30))
    assert late.status == "overdue"
    with app.app_context():
        extensions = db.session.scalars(select(m.Extension).where(
            m.Extension.task_id.in_([moved.id, last.id])).order_by(m.Extension.task_id)).all()
        assert [(e.new_deadline, e.decision) for e in extensions] == [
            (D(2026, 10, 28), "approved"), (D(2026, 11, 4), "approved")]
    auth.logout()  # the test client leaves its last request's login in the context
    with app.app_context():
        db.session.get(m.Task, moved.id).done_on = D(2026, 10, 27)  # after its original
        db.session.get(m.Task, last.id).done_on = D(2026, 11, 3)
        db.session.commit()
        october = compliance_sql.compliance_counts(db.session, D(2026, 10, 1), D(2026, 11, 10))
        november = compliance_sql.compliance_counts(db.session, D(2026, 11, 1), D(2026, 11, 10))
    assert (october[w.dept].tasks_due, october[w.dept].tasks_implemented,
            october[w.dept].tasks_overdue) == (2, 1, 1)  # 甲 late, 乙 on time (in force)
    assert (november[w.dept].tasks_due, november[w.dept].tasks_implemented) == (1, 1)


def test_keeping_the_target_shortens_the_later_nodes(app, client, auth, clock):
    w, (first, second, third) = _scheduled(app, client, auth, clock)
    clock.day = D(2026, 10, 19)
    html = _replan(client, first.id, "2026-10-20", "keep").get_data(as_text=True)
    assert '<td class="cut">2</td>' in html and '<td class="cut">0</td>' in html
    assert _replan(client, first.id, "2026-10-20", "keep", "save", lag_reason="设计变更",
                   measures="并联审查").status_code == 302
    assert [t.deadline for t in _tasks(app, w.project)] == [
        D(2026, 10, 16), D(2026, 10, 23), D(2026, 10, 30)]
    with app.app_context():
        nodes = db.session.scalars(select(m.ChainNode).join(m.Task).where(
            m.Task.project_id == w.project).order_by(m.ChainNode.position)).all()
        assert [n.workdays for n in nodes] == [5, 3, 5]
        assert db.session.scalar(select(func.count(m.Extension.id)).where(
            m.Extension.task_id.in_([second.id, third.id]))) == 0
    impossible = _replan(client, first.id, "2026-10-23", "keep", "save", lag_reason="再次延误",
                         measures="加派人手")
    assert impossible.status_code == 422 and "保持目标日期已不可行" in impossible.get_data(
        as_text=True)


def test_replanning_refuses_bad_input_and_saves_nothing(app, client, auth, clock):
    w, (first, second, _third) = _scheduled(app, client, auth, clock)
    clock.day = D(2026, 10, 14)
    early = _replan(client, first.id, "2026-10-15", "shift")
    assert early.status_code == 422 and "应晚于现行时间节点" in early.get_data(as_text=True)
    clock.day = D(2026, 10, 19)
    past = _replan(client, first.id, "2026-10-18", "shift")
    assert past.status_code == 422 and "不能早于今天" in past.get_data(as_text=True)
    blank = _replan(client, first.id, "2026-10-21", "shift", "save", lag_reason="",
                    measures="")
    assert blank.status_code == 422 and "请填写滞后原因和整改措施" in blank.get_data(as_text=True)
    assert _tasks(app, w.project)[1].deadline == D(2026, 10, 23)
    with app.app_context():
        assert db.session.scalar(select(func.count(m.Extension.id)).where(
            m.Extension.task_id == second.id)) == 0


def test_a_department_replans_by_asking_for_extensions(app, client, auth, world, clock):
    w, (first, second, third) = _scheduled(app, client, auth, clock, lead=world.dept_a,
                                           dept=world.dept_a)
    auth.logout()
    auth.login("staff_a")
    clock.day = D(2026, 10, 19)
    assert _replan(client, first.id, "2026-10-21", "shift", "save", lag_reason="资料补正",
                   measures="专人跟办").status_code == 302
    assert [t.deadline for t in _tasks(app, w.project)] == [
        D(2026, 10, 16), D(2026, 10, 23), D(2026, 10, 30)]
    with app.app_context():
        decisions = db.session.scalars(select(m.Extension.decision).where(
            m.Extension.task_id.in_([second.id, third.id]))).all()
    assert decisions == ["pending", "pending"]
    auth.logout()
    auth.login("staff_b")
    assert _replan(client, first.id, "2026-10-22", "shift").status_code == 404


def test_the_project_page_and_export_show_the_chain(app, client, auth, clock):
    w, tasks = _scheduled(app, client, auth, clock)
    clock.day = D(2026, 10, 19)
    auth.logout()  # the test client leaves its last request's login in the context
    with app.app_context():
        status.refresh_projects([w.project], clock.day)
        db.session.commit()
    auth.login("supervisor")
    html = client.get(f"/projectview/show/{w.project}").get_data(as_text=True)
    assert "chain-strip" in html and "chain-overdue" in html and "chain-due_soon" not in html
    assert "目标日期 2026-10-30" in html and "今天 2026-10-19" in html
    assert f"/chains/task/{tasks[0].id}/replan" in html
    response = client.get(f"/projectview/export/?_flt_0_code={w.code}")
    book = load_workbook(io.BytesIO(response.data))
    response.close()
    rows = list(book["节点链"].iter_rows(values_only=True))
    assert rows[0][:6] == ("项目编号", "项目名称", "节点模板", "目标日期", "序号", "节点")
    assert [(r[0], r[5], r[10].date()) for r in rows[1:]] == [
        (w.code, "甲节点", D(2026, 10, 16)), (w.code, "乙节点", D(2026, 10, 23)),
        (w.code, "丙节点", D(2026, 10, 30))]


def test_a_holiday_row_changes_the_preview_of_a_2027_target(app, client, auth, clock):
    """2027 is beyond chinese-calendar: weekends only, plus the holiday table."""
    w = _world(app)
    auth.login("supervisor")

    def shown() -> dict[int, tuple[str, str]]:
        html = _post(client, w, "2027-03-05").get_data(as_text=True)
        return {int(k): (s, e) for k, s, e in ROW.findall(html)}

    third, second = w.nodes["丙节点"], w.nodes["乙节点"]
    assert shown()[third] == ("2027-03-01", "2027-03-05")
    auth.logout()
    with app.app_context():
        day = m.Holiday(day=D(2027, 3, 3), is_workday=False, name="测试假日")
        db.session.add(day)
        db.session.commit()
        holiday = day.id
    try:
        auth.login("supervisor")
        after = shown()
        assert after[third] == ("2027-02-26", "2027-03-05")
        assert after[second][1] == "2027-02-25"
    finally:
        auth.logout()
        with app.app_context():
            db.session.delete(db.session.get(m.Holiday, holiday))
            db.session.commit()

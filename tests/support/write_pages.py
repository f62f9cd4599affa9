"""Valid write requests of the hand-written pages (我的台账, the office's pages, problems,
attachments, 倒排工期, jobs, reminders), for tests/test_write_access.py."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import delete

from app import models as m
from app.domain import access, attachments
from app.extensions import db
from app.web.holiday_pages import statutory_days, this_year_start
from tests.support import access_rows
from tests.support.write_cases import PDF, Build, Call, Ctx, added, changed, removed, serial
from tests.test_excel import DEPARTMENT, PERSON, PROJECT, TASK, workbook

DAY = dt.timedelta(days=1)


def _task(ctx: Ctx, deadline: dt.date, **extra: object) -> int:
    """An open task of department A with this deadline, assigned a month before it."""
    w = ctx.world
    (task,) = ctx.made(lambda: [m.Task(
        title=f"写入测试任务{serial()}", project_id=w.a["project"], department_id=w.dept_a,
        assigned_on=deadline - 30 * DAY, deadline=deadline, original_deadline=deadline,
        **extra)])
    return task


# --- 我的台账 and 投资月报填报 ---------------------------------------------------------------


def ledger_feedback(ctx: Ctx) -> Call:
    task = ctx.fresh("task")
    return Call("POST", f"/my/ledger/{task}/feedback", added("feedback"),
                form={"progress": "完成招标", "percent_complete": "30"})


def ledger_feedback_photo(ctx: Ctx) -> Call:
    task = ctx.fresh("task")
    return Call("POST", f"/my/ledger/{task}/feedback", added("attachment"),
                form={"progress": "完成招标", "percent_complete": "30"},
                files={"photo": (PDF, "现场.pdf")})


def ledger_extension(ctx: Ctx) -> Call:
    task = ctx.fresh("task")
    return Call("POST", f"/my/ledger/{task}/extension", added("extension"),
                form={"new_deadline": "2027-03-31", "reason": "征地未完成"})


def ledger_lag(ctx: Ctx) -> Call:
    task = _task(ctx, ctx.today - 5 * DAY)  # overdue: only a lagging task takes a lag
    return Call("POST", f"/my/ledger/{task}/lag", changed("task", task),
                form={"lag_reason": "资金未到位", "measures": "专题调度"})


def investment_new(ctx: Ctx) -> Call:
    project = ctx.fresh("project")
    return Call("POST", "/my/investment/file", added("investment_report"),
                form={"project_id": str(project), "period": f"{ctx.today:%Y-%m}",
                      "amount": "12.5"})


def investment_change(ctx: Ctx) -> Call:
    project, month = ctx.fresh("project"), ctx.today.replace(day=1)
    (report,) = ctx.made(lambda: [m.InvestmentReport(project_id=project, period=month,
                                                     amount=Decimal(1))])
    return Call("POST", "/my/investment/file", changed("investment_report", report),
                form={"project_id": str(project), "period": f"{month:%Y-%m}", "amount": "9"})


# --- the office's pages -----------------------------------------------------------------


def _feedback(ctx: Ctx, task: int, percent: int) -> int:
    (feedback,) = ctx.made(lambda: [m.Feedback(task_id=task, reported_on=ctx.today - DAY,
                                               progress="待审核", percent_complete=percent)])
    return feedback


def review_return(ctx: Ctx) -> Call:
    feedback = _feedback(ctx, ctx.world.a["task"], 40)
    return Call("POST", f"/office/review/{feedback}", changed("feedback", feedback),
                form={"decision": "return", "comment": "请补充照片"})


def review_accept_done(ctx: Ctx) -> Call:
    task = _task(ctx, ctx.today + 20 * DAY)
    feedback = _feedback(ctx, task, 100)  # accepted at 100 %, it closes the task
    return Call("POST", f"/office/review/{feedback}", changed("task", task),
                form={"decision": "accept"})


def closure_revoke(ctx: Ctx) -> Call:
    """撤销销号 of a task the office closed on an accepted 100 % feedback (issue 16)."""
    task = _task(ctx, ctx.today + 20 * DAY, done_on=ctx.today - DAY)
    (feedback,) = ctx.made(lambda: [m.Feedback(
        task_id=task, reported_on=ctx.today - DAY, progress="已完成", percent_complete=100,
        review_status="accepted")])
    ctx.made(lambda: [m.TaskClosure(task_id=task, feedback_id=feedback,
                                    closed_at=dt.datetime(2026, 1, 1))])
    return Call("POST", f"/office/closure/{task}/revoke", changed("task", task),
                form={"reason": "现场核查未完成"})


def _pending_extension(ctx: Ctx) -> tuple[int, int]:
    task = _task(ctx, ctx.today + 20 * DAY)
    (extension,) = ctx.made(lambda: [m.Extension(
        task_id=task, requested_on=ctx.today, new_deadline=ctx.today + 40 * DAY,
        reason="需协调")])
    return task, extension


def extension_reject(ctx: Ctx) -> Call:
    _task_id, extension = _pending_extension(ctx)
    return Call("POST", f"/office/extensions/{extension}", changed("extension", extension),
                form={"decision": "reject", "comment": "理由不足"})


def extension_approve(ctx: Ctx) -> Call:
    task, extension = _pending_extension(ctx)
    return Call("POST", f"/office/extensions/{extension}", changed("task", task),
                form={"decision": "approve", "late": "1"})


def assign(ctx: Ctx) -> Call:
    w = ctx.world
    return Call("POST", f"/office/meeting/{w.a['meeting']}/assign", added("task"),
                form={"title": f"交办任务{serial()}", "department": str(w.dept_a),
                      "deadline": "2027-01-15"})


def urge(ctx: Ctx) -> Call:
    return Call("POST", "/office/urge", added("supervision"),
                form={"task": [str(ctx.world.a["task"])], "channel": "in_app",
                      "message": "请加快推进"})


# --- problems and attachments -----------------------------------------------------------


def escalate(ctx: Ctx) -> Call:
    problem = ctx.fresh("problem")
    return Call("POST", f"/problems/{problem}/escalate", changed("problem", problem),
                form={"leader": str(ctx.world.leader_person)})


def resolve(ctx: Ctx) -> Call:
    problem = ctx.fresh("problem")
    return Call("POST", f"/problems/{problem}/resolve", changed("problem", problem),
                form={"resolution": "已协调解决"})


def upload(kind: str) -> Build:
    def build(ctx: Ctx) -> Call:
        owner = ctx.fresh(kind)
        return Call("POST", f"/attachments/{kind}/{owner}/upload", added("attachment"),
                    form={}, files={"file": (PDF, "说明.pdf")})
    return build


def remove_attachment(kind: str) -> Build:
    def build(ctx: Ctx) -> Call:
        owner = ctx.fresh(kind)
        with ctx.app.app_context():
            row = attachments.save(kind, owner, attachments.Upload("说明.pdf", PDF,
                                                                   "application/pdf"), None)
            row_id = row.id
        return Call("POST", f"/attachments/{kind}/{owner}/{row_id}/delete",
                    removed("attachment", row_id), form={})
    return build


# --- 倒排工期 -----------------------------------------------------------------------------


def schedule(ctx: Ctx) -> Call:
    project = ctx.fresh("project")
    template, node = ctx.made(lambda: [
        template := m.NodeTemplate(name=f"写入测试模板{serial()}"),
        m.TemplateNode(template=template, position=1, title="立项", workdays=5)])
    return Call("POST", f"/chains/project/{project}/schedule", added("task_chain"), form={
        "template": str(template), "target": (ctx.today + 25 * DAY).isoformat(),
        "action": "confirm", f"department-{node}": str(ctx.world.dept_a)})


def _chain(ctx: Ctx) -> tuple[int, int]:
    """A chain of two nodes (the second waits for the first); the first task and its end."""
    project, first_end = ctx.fresh("project"), ctx.today + 8 * DAY

    def build() -> list:
        tasks = [m.Task(title=f"链节点{serial()}", project_id=project,
                        department_id=ctx.world.dept_a, assigned_on=ctx.today,
                        deadline=end, original_deadline=end)
                 for end in (first_end, first_end + 10 * DAY)]
        chain = m.TaskChain(project_id=project, name="两步链", target=first_end + 10 * DAY,
                            created_on=ctx.today)
        first = m.ChainNode(chain=chain, task=tasks[0], position=0, workdays=5)
        m.ChainNode(chain=chain, task=tasks[1], position=1, workdays=5, depends_on=[first])
        return [chain, *tasks]

    _chain_id, first_task, _second = ctx.made(build)
    return first_task, first_end


def replan(mode: str) -> Build:
    def build(ctx: Ctx) -> Call:
        task, end = _chain(ctx)
        return Call("POST", f"/chains/task/{task}/replan", changed("task", task), form={
            "expected": (end + 4 * DAY).isoformat(), "mode": mode, "action": "save",
            "lag_reason": "用地报批延误", "measures": "县领导专题调度"})
    return build


# --- jobs and reminders -----------------------------------------------------------------


def run_job_page(ctx: Ctx) -> Call:
    return Call("POST", "/jobrunview/add", added("job_run"),
                form={"job": "refresh_status", "as_of": ""})


def run_job_api(ctx: Ctx) -> Call:
    return Call("POST", "/api/v1/jobs/refresh_status", added("job_run"), json={})


def build_circular(ctx: Ctx) -> Call:
    """生成 on 报表 › 督查通报: any ended month (one far back, so no test's month is numbered)."""
    return Call("POST", "/circularview/build/", added("job_run"), form={"period": "2001-01"})


def rebuild(ctx: Ctx) -> Call:
    return Call("POST", "/compliance/rebuild/", added("job_run"), form={"period": "2099-12"})


def prefill(ctx: Ctx) -> Call:
    """The prefill adds only the statutory days missing: earlier tests may have added them."""
    with ctx.app.app_context(), access.acting_as("test:setup"):
        days = statutory_days(this_year_start())
        db.session.execute(delete(m.Holiday).where(m.Holiday.day.in_(list(days))))
        db.session.commit()
    return Call("POST", "/holidays/prefill", added("holiday"), form={})


def notice_confirm(ctx: Ctx) -> Call:
    """A notice of a year with no rows: saving it adds them (replacing a year's rows would
    need delete too)."""
    with ctx.app.app_context(), access.acting_as("test:setup"):
        db.session.execute(delete(m.Holiday).where(m.Holiday.day >= dt.date(2098, 1, 1),
                                                   m.Holiday.day <= dt.date(2098, 12, 31)))
        db.session.commit()
    text = "国务院办公厅关于2098年部分节假日安排的通知\n一、元旦：1月1日放假1天。"
    return Call("POST", "/holidays/notice/confirm/", added("holiday"), form={"text": text})


def _notification(ctx: Ctx, login: str) -> int:
    with ctx.app.app_context():
        return access_rows.notification_for(login)


def mark_read(ctx: Ctx) -> Call:
    row = _notification(ctx, ctx.login)
    return Call("POST", f"/notifications/{row}/read", changed("notification", row), form={})


def mark_all_read(ctx: Ctx) -> Call:
    row = _notification(ctx, ctx.login)
    return Call("POST", "/notifications/read-all", changed("notification", row), form={})


# --- Excel 导入 ---------------------------------------------------------------------------


def _imported(sheets: dict[str, list[list]], effect: object) -> Call:
    return Call("POST", "/excel/import/", effect, form={},
                files={"file": (workbook(sheets), "台账.xlsx")})


def import_new(table: str) -> Build:
    """A file with one new row of the table."""
    def build(ctx: Ctx) -> Call:
        n, t = serial(), ctx.today
        rows = {
            "department": ("责任单位", DEPARTMENT, [f"导入单位{n}", "other", "是"]),
            "person": ("责任人", PERSON, [f"导入人{n}", "科员", "住建局", None, None, "否"]),
            "project": ("重点项目", PROJECT, [f"IMP-W{n}", f"导入项目{n}", "other", "planning",
                                          "county", None, None, None, None, "住建局", None,
                                          None]),
            "task": ("任务", TASK, [None, f"导入任务{n}", "住建局", None, t - DAY, t + 30 * DAY,
                                  None, "否"]),
        }
        sheet, header, row = rows[table]
        return _imported({sheet: [header, row]}, added(table))
    return build


def import_update(table: str) -> Build:
    """A file that changes one column of an existing row of the table."""
    def build(ctx: Ctx) -> Call:
        row = ctx.fresh(table)
        if table == "department":
            name = ctx.value(m.Department, row, "name")
            sheet = {"责任单位": [DEPARTMENT, [name, "township", "是"]]}
        elif table == "person":
            name = ctx.value(m.Person, row, "name")
            sheet = {"责任人": [PERSON, [name, "科员", "住建局", None, None, "否"]]}
        elif table == "project":
            code = ctx.value(m.Project, row, "code")
            sheet = {"重点项目": [["项目编号", "名称", "类别", "牵头单位"],
                                  [code, f"导入改名{serial()}", "other", "住建局"]]}
        else:
            title = ctx.value(m.Task, row, "title")
            sheet = {"任务": [TASK, ["P-A", title, "住建局", None, dt.date(2026, 5, 1),
                                   dt.date(2026, 12, 31), ctx.today, "否"]]}
        return _imported(sheet, changed(table, row))
    return build

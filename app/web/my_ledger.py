"""我的台账: a department's open tasks, statuses as of today, and their short forms.

The rows and their figures are app/reports/ledger.py's; this is the page and its forms."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, cast

from flask import current_app, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from wtforms import DecimalField, FileField, IntegerField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional, StopValidation

from app import models as m
from app.domain import access, attachments, choices, ledger, rules, status, tree, validation
from app.domain.access import current_department_scope
from app.domain.scope import Scope
from app.domain.validation import DomainError
from app.extensions import appbuilder, db
from app.reports.ledger import LAGGING, LedgerRow, ledger_rows, open_tasks
from app.web.attachment_pages import sent_upload
from app.web.form_fields import text_length
from app.web.too_large import keeps_text
from app.web.typed_fields import TypedDateField

RESOURCE = "MyLedger"
PAGE_SIZE = 100  # 我的投资 (app/web/my_investment.py): one short row a project
LEDGER_PAGE_SIZE = 25  # 我的台账: three forms a row; 100 rows made ~430 KB, p95 250 ms (bench/)
BADGES = {"overdue": "danger", "due_soon": "warning", "pending": "success"}


def parsed(form: FlaskForm, field: IntegerField | DecimalField) -> None:
    """Stop at the parse error ("不是有效的整数。"): no range message about a non-number."""
    if field.process_errors:
        raise StopValidation()


class ProgressForm(FlaskForm):
    """进展反馈: what was done, how far, what blocks it, what comes next."""

    progress = TextAreaField(_l("进展情况"), validators=[DataRequired(_l("请填写进展情况。")),
                                                     text_length()])
    percent_complete = IntegerField(_l("完成百分比"), validators=[
        InputRequired(_l("请填写完成百分比。")), parsed,
        NumberRange(0, 100, _l("完成百分比应在 0 到 100 之间。"))])
    problems = TextAreaField(_l("存在问题"), validators=[Optional(), text_length()])
    next_steps = TextAreaField(_l("下步计划"), validators=[Optional(), text_length()])
    photo = FileField(_l("形象进度照片或附件（可选）"))  # read by report_progress (its refusals)


class PhotoRefused(DomainError):
    """The photo or file of a feedback refused: said beside the file field (issue 18.3)."""

    field = "photo"


class ExtensionForm(FlaskForm):
    """延期申请: a later deadline and why."""

    new_deadline = TypedDateField(_l("申请延至"),
                             validators=[InputRequired(_l("请选择申请延至的日期。"))])
    reason = TextAreaField(_l("延期理由"), validators=[DataRequired(_l("请填写延期理由。")),
                                                   text_length()])


class LagForm(FlaskForm):
    """滞后原因和整改措施 of a lagging task."""

    lag_reason = TextAreaField(_l("滞后原因"), validators=[DataRequired(_l("请填写滞后原因。")),
                                                       text_length()])
    measures = TextAreaField(_l("整改措施"), validators=[DataRequired(_l("请填写整改措施。")),
                                                     text_length()])


@dataclass
class Refusal:
    """A form refused: which row and form, with its errors, for the page to show."""

    row_id: int
    kind: str
    form: FlaskForm
    title: str = ""
    messages: list[str] = field(default_factory=list)


def refused(row_id: int, kind: str, form: FlaskForm, title: str) -> Refusal:
    """The refusal of a validated form, with every message its fields carry."""
    messages = [e for f in form for e in f.errors if isinstance(e, str)]
    return Refusal(row_id, kind, form, title, messages)


def chosen_department() -> Scope | int | None:
    """What the rows are limited to: the user's data scope (narrowed to the unit chosen in
    the filter, for a scope of several units), or for the unlimited roles the unit chosen."""
    limit = current_department_scope()
    chosen = chosen_filter()
    if limit is None:
        return chosen
    return limit if chosen is None else limit.narrowed(chosen)


def chosen_filter() -> int | None:
    """The unit chosen in the department filter (None: all the user sees); only a unit the
    filter offers counts."""
    chosen = access.id_or_none(request.args.get("department"))
    limit = current_department_scope()
    if limit is None or (chosen in limit.readable and several_units(limit)):
        return chosen
    return None


def several_units(limit: Scope | None) -> bool:
    """Whether the user sees several units' rows (so the pages offer the filter, and show
    each row's unit)."""
    return limit is None or len(limit.readable) > 1


def page_number() -> int:
    """The page asked for (?page=N), the first by default."""
    return min(max(request.args.get("page", 1, type=int), 1), access.ID_LIMIT // PAGE_SIZE)


def department_options() -> list:
    """The department filter's options, in tree order with names indented by depth (issue
    15): every unit for the unlimited roles, the scope's units for a scope of several."""
    limit = current_department_scope()
    if not several_units(limit):
        return []
    query = select(m.Department).order_by(m.Department.name)
    if limit is not None:
        query = query.where(m.Department.id.in_(sorted(limit.readable)))
    return [(unit.id, tree.label(unit)) for unit in tree.tree_order(db.session.scalars(query))]


def can_edit() -> bool:
    """Whether the user may use the forms (Leader reads only)."""
    return appbuilder().sm.has_access("can_edit", RESOURCE)


# --- 我的台账 ---------------------------------------------------------------------------


def blank_forms(rows: list[LedgerRow]) -> dict[str, Any]:
    """Empty forms for every row; the lag form shows what was recorded already."""
    lag = {r.task.id: LagForm(formdata=None, obj=r.task) for r in rows if r.lagging}
    return {"feedback": ProgressForm(formdata=None), "extension": ExtensionForm(formdata=None),
            "lag": lag}


class MyLedgerView(BaseView):
    """我的台账: the open tasks of the user's department, and their short forms."""

    route_base = "/my/ledger"
    default_view = "ledger"
    resource = RESOURCE
    class_permission_name = RESOURCE
    method_permission_name = {"ledger": "read", "feedback": "edit", "extension": "edit",
                              "lag": "edit"}
    base_permissions = ["can_read", "can_edit"]

    @expose("/")
    @has_access
    def ledger(self):
        return self._page()

    @expose("/<int:task_id>/feedback", methods=["POST"])
    @has_access
    def feedback(self, task_id: int):
        return self._submit(task_id, "feedback", ProgressForm, report_progress,
                            _("进展已报送。"))

    @expose("/<int:task_id>/extension", methods=["POST"])
    @has_access
    def extension(self, task_id: int):
        return self._submit(task_id, "extension", ExtensionForm, ask_extension,
                            _("延期申请已提交，等待督查室审批。"))

    @expose("/<int:task_id>/lag", methods=["POST"])
    @has_access
    def lag(self, task_id: int):
        return self._submit(task_id, "lag", LagForm, record_lag, _("滞后原因和整改措施已保存。"))

    def _submit(self, task_id: int, kind: str, form_class: type, action: Any,
                done: str):
        """Check the task is in scope and the form valid, act, and go back to the list."""
        task = access.load(m.Task, task_id)
        form = form_class()
        code = 422
        if form.validate():
            try:
                action(task, form)
            except DomainError as error:
                db.session.rollback()
                form[getattr(error, "field", FIRST_FIELD[kind])].errors.append(error.message)
                code = error.status
            else:
                flash(done, "success")
                page = page_number()
                return redirect(url_for(".ledger", department=request.args.get("department"),
                                        page=page if page > 1 else None))
        return self._page(refused(task_id, kind, form, task.title), code)

    def _page(self, refusal: Refusal | None = None, code: int = 200):
        today, page = status.today(), page_number()
        department = chosen_department()
        tasks = open_tasks(department, today, (page - 1) * LEDGER_PAGE_SIZE,
                           LEDGER_PAGE_SIZE + 1)
        shown = tasks[:LEDGER_PAGE_SIZE]
        if refusal is not None and refusal.row_id not in {task.id for task in shown}:
            shown = [access.load(m.Task, refusal.row_id), *shown]  # its errors must show
        rows = ledger_rows(shown, today)
        html = self.render_template(
            "my_ledger/ledger.html", rows=rows, today=today, page=page,
            more=len(tasks) > LEDGER_PAGE_SIZE, departments=department_options(),
            department=chosen_filter(),
            scoped=not several_units(current_department_scope()), can_edit=can_edit(),
            forms=blank_forms(rows), refusal=refusal, badges=BADGES, untied=access.untied(),
            status_label=lambda s: choices.label(choices.TASK_STATUS, s),
            review_label=lambda s: choices.label(choices.REVIEW_STATUS, s))
        return html, code


FIRST_FIELD = {"feedback": "progress", "extension": "new_deadline", "lag": "lag_reason"}


def report_progress(task: m.Task, form: ProgressForm) -> None:
    """A feedback reported today, submitted for review; statuses brought up to date."""
    feedback = m.Feedback(task=task, reported_on=status.today(), progress=form.progress.data,
                          percent_complete=form.percent_complete.data,
                          problems=form.problems.data or None,
                          next_steps=form.next_steps.data or None, review_status="submitted")
    problem = validation.check(feedback, adding=True)
    if problem:
        raise DomainError(problem)
    try:
        photo = sent_upload("photo")  # issue 7: a 形象进度 photo, checked first
    except DomainError as error:
        raise PhotoRefused(error.message, error.status) from None
    db.session.add(feedback)
    status.after_change(feedback)
    if photo is None:
        db.session.commit()
        return
    db.session.flush()  # the feedback's id, for its attachment
    user_id = getattr(appbuilder().sm.current_user, "id", None)
    _row, path = attachments.stage("feedback", feedback.id, photo, user_id)
    attachments.commit_or_remove([path])


def ask_extension(task: m.Task, form: ExtensionForm) -> None:
    """A request for a later deadline, decided by the office."""
    # a validated form: both required
    ledger.request_extension(task, cast(dt.date, form.new_deadline.data),
                             cast(str, form.reason.data), status.today())


def record_lag(task: m.Task, form: LagForm) -> None:
    """Lag reason and measures, for a task overdue or due soon as of today only."""
    state, _days = rules.task_status(task.deadline, task.done_on, task.cancelled,
                                     status.today(), status.calendar(), status.settings())
    if state not in LAGGING:
        raise DomainError(_("只有逾期或临期的任务需要填写滞后原因和整改措施。"))
    ledger.record_lag(task, cast(str, form.lag_reason.data), cast(str, form.measures.data))


@keeps_text("MyLedgerView.feedback")
def feedback_too_large(formdata: MultiDict):
    """进展反馈 over the request limit (a phone photo as it was taken): the form again with
    what was typed, the limit said beside the file field; None for the plain 413 page."""
    g.user = g.get("user") or current_user  # the refusal may come before FAB's before_request
    task_id = access.id_or_none((request.view_args or {}).get("task_id"))
    if task_id is None or not can_edit():
        return None
    try:
        task = access.load(m.Task, task_id)
    except access.NotFound:
        return None
    form = ProgressForm(formdata=formdata, meta={"csrf": False})
    form.validate()
    form.photo.errors.append(_(  # type: ignore[attr-defined]  # a list once validated
        "照片或附件太大（本次提交 %(size)s MB，单个附件不能超过 %(limit)s MB），未上传；"
        "已填写的内容已保留，请换一个较小的文件（或不附文件）再报送。",
        size=attachments.megabytes(request.content_length or 0),
        limit=attachments.megabytes(current_app.config["ATTACHMENT_MAX_BYTES"])))
    view = next(v for v in appbuilder().baseviews if isinstance(v, MyLedgerView))
    return view._page(refused(task.id, "feedback", form, task.title), 413)

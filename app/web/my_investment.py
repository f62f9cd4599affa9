"""投资月报填报: a month's completed investment per project, against the year's time progress.

The figures are app/reports/investment.py's; this is the page and its one form."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import cast

from flask import flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from wtforms import BooleanField, DecimalField, IntegerField, MonthField
from wtforms.validators import InputRequired, NumberRange, StopValidation

from app import models as m
from app.domain import access, plausibility, rules, status, validation
from app.domain.plausibility import NeedsConfirmation
from app.domain.validation import DomainError
from app.extensions import db
from app.reports.investment import investment_rows, time_progress
from app.web.my_ledger import (
    PAGE_SIZE,
    RESOURCE,
    Refusal,
    can_edit,
    chosen_department,
    chosen_filter,
    department_options,
    page_number,
    parsed,
    refused,
)
from app.web.typed_fields import TypedDecimalField

MAX_AMOUNT = Decimal("999999999999.99")  # Numeric(14, 2)


def finite(form: FlaskForm, field: DecimalField) -> None:
    """Refuse NaN and infinities, which Decimal parses."""
    if field.data is not None and not field.data.is_finite():
        raise StopValidation(_("请输入有效的金额。"))


class InvestmentForm(FlaskForm):
    """One project's completed investment in one month (万元)."""

    project_id = IntegerField(validators=[InputRequired(_l("请选择项目。"))])
    period = MonthField(_l("月份"), validators=[InputRequired(_l("请选择月份。"))])
    amount = TypedDecimalField(_l("当月完成投资（万元）"), places=2, validators=[
        InputRequired(_l("请填写完成投资。")), parsed, finite,
        NumberRange(min=0, message=_l("完成投资不能为负数。")),
        NumberRange(max=MAX_AMOUNT, message=_l("金额超出范围。"))])
    # issue 18.5: an implausible amount is saved once the user confirms it
    confirm = BooleanField(_l("数额无误，确认保存"))


def chosen_period(today: dt.date) -> dt.date:
    """The month asked for (?period=YYYY-MM), this month when none or not a past month."""
    try:
        period = dt.datetime.strptime(request.args.get("period", ""), "%Y-%m").date()
    except ValueError:
        return rules.month_start(today)
    return min(period, rules.month_start(today))


def save_investment(project: m.Project, period: dt.date, amount: Decimal,
                    confirmed: bool = False) -> None:
    """File a month's completed investment: the one row of that project and month; an
    implausible amount (plausibility.confirm_investment) only once confirmed."""
    if period > rules.month_start(status.today()):
        raise DomainError(_("不能填报以后月份的完成投资。"))
    report = db.session.scalar(select(m.InvestmentReport).where(
        m.InvestmentReport.project_id == project.id, m.InvestmentReport.period == period))
    adding = report is None
    if adding:
        report = m.InvestmentReport(project_id=project.id, period=period)
    report.amount = amount.quantize(Decimal("0.01"))
    problem = validation.check(report, adding)
    if problem:
        raise DomainError(problem)
    plausibility.confirm_investment(report, confirmed, adding)
    db.session.add(report)
    try:
        db.session.flush()
    except IntegrityError as error:  # the same month filed at the same moment elsewhere
        raise DomainError(_("这个月份刚刚被他人填报，请刷新后重试。")) from error
    status.after_change(report)
    db.session.commit()


class MyInvestmentView(BaseView):
    """投资月报填报: this month's (or a chosen month's) completed investment per project."""

    route_base = "/my/investment"
    default_view = "investment"
    resource = RESOURCE
    class_permission_name = RESOURCE
    method_permission_name = {"investment": "read", "file": "edit"}
    base_permissions = ["can_read", "can_edit"]

    @expose("/")
    @has_access
    def investment(self):
        return self._page(chosen_period(status.today()))

    @expose("/file", methods=["POST"])
    @has_access
    def file(self):
        form = InvestmentForm()
        project = access.load(m.Project, request.form.get("project_id"))
        code, confirming = 422, False
        if form.validate():
            try:
                save_investment(project, cast(dt.date, form.period.data),  # validated: required
                                cast(Decimal, form.amount.data), bool(form.confirm.data))
            except DomainError as error:
                db.session.rollback()
                form.amount.errors.append(error.message)  # type: ignore[attr-defined]  # a list
                code, confirming = error.status, isinstance(error, NeedsConfirmation)
            else:
                flash(_("已保存“%(project)s”%(period)s的完成投资。", project=project.name,
                        period=f"{form.period.data:%Y-%m}"), "success")
                return redirect(url_for(".investment", period=f"{form.period.data:%Y-%m}",
                                        department=request.args.get("department")))
        period = form.period.data or chosen_period(status.today())
        return self._page(period, refused(project.id, "investment", form, project.name), code,
                          confirming)

    def _page(self, period: dt.date, refusal: Refusal | None = None,
              code: int = 200, confirming: bool = False):
        today, page, department = status.today(), page_number(), chosen_department()
        rows = investment_rows(department, period, today, (page - 1) * PAGE_SIZE, PAGE_SIZE + 1)
        progress = time_progress(period, today)
        html = self.render_template(
            "my_ledger/investment.html", rows=rows[:PAGE_SIZE], more=len(rows) > PAGE_SIZE,
            page=page, period=period, this_month=rules.month_start(today),
            time_progress=progress, departments=department_options(), department=chosen_filter(),
            can_edit=can_edit(), refusal=refusal, blank=InvestmentForm(formdata=None),
            confirming=confirming,
            settings=status.settings(), untied=access.untied())
        return html, code

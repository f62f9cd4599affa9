"""Plausibility of a monthly investment (issue 18.5): an amount above what remains of the
project's annual plan, or above half of the plan in one month (the classic 元 typed for
万元), is saved only once the user confirms it; the office's list marks such entries."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import extract, func, inspect, select

from app import models as m
from app.domain.validation import DomainError
from app.extensions import db


class NeedsConfirmation(DomainError):
    """A change that may be saved once the user confirms it (an implausible figure)."""

    extra = {"needs_confirmation": True}  # the API's 422 says a confirm flag would save it


def changed(item: m.Model, field: str) -> bool:
    """Whether this change sets the field to another value."""
    return inspect(item).attrs[field].history.has_changes()


HALF = Decimal("0.5")


def investment_doubt(amount: Decimal, plan: Decimal | None, others: Decimal) -> str | None:
    """Why a month's amount (万元) looks mistyped, beside the annual plan and the year's other
    months (issue 18.5): above what remains of the plan, or above half the plan in a month."""
    if plan is None or plan <= 0 or amount is None:
        return None
    figures = {"amount": f"{amount:,.2f}", "plan": f"{plan:,.2f}"}
    remaining = plan - others
    if amount > remaining and amount >= 2 * plan:
        return _("本月完成 %(amount)s 万元，超过年度计划 %(plan)s 万元的 %(times)s 倍，"
                 "是否以“元”误填？", times=int(amount / plan), **figures)
    if amount > remaining:
        return _("本月完成 %(amount)s 万元，超过年度计划 %(plan)s 万元尚未完成的 %(remaining)s 万元"
                 "（年内其他月份已完成 %(others)s 万元），请核对后确认。",
                 remaining=f"{max(remaining, Decimal(0)):,.2f}", others=f"{others:,.2f}",
                 **figures)
    if amount > plan * HALF:
        return _("本月完成 %(amount)s 万元，占年度计划 %(plan)s 万元的 %(share)s%%，"
                 "一个月超过一半，请核对后确认。", share=f"{amount / plan * 100:.1f}", **figures)
    return None


def year_others(project_id: int, period: object) -> Decimal:
    """The project's completed investment in the period's year, other months than this one."""
    report = m.InvestmentReport
    with db.session.no_autoflush:
        total = db.session.scalar(select(func.coalesce(func.sum(report.amount), 0)).where(
            report.project_id == project_id, report.period != period,
            extract("year", report.period) == period.year))  # type: ignore[attr-defined]
    return Decimal(total)


def doubts_of(reports: list[m.InvestmentReport]) -> dict[int, str]:
    """investment_doubt of each report that has one (the office's list: issue 18.5), from one
    grouped query of the year totals of the reports' projects."""
    report = m.InvestmentReport
    projects = {r.project_id for r in reports}
    if not projects:
        return {}
    year = extract("year", report.period)
    rows = db.session.execute(select(report.project_id, year, func.sum(report.amount)).where(
        report.project_id.in_(projects)).group_by(report.project_id, year))
    totals = {(project, int(y)): Decimal(total) for project, y, total in rows}
    found = {}
    for r in reports:
        others = totals.get((r.project_id, r.period.year), Decimal(0)) - r.amount
        doubt = investment_doubt(r.amount, r.project.annual_plan_investment, others)
        if doubt:
            found[r.id] = doubt
    return found


def confirm_investment(item: m.InvestmentReport, confirmed: bool, adding: bool) -> None:
    """Refuse an implausible month's amount until the user confirms it (NeedsConfirmation);
    an edit that leaves the amount as it was is not asked again."""
    if confirmed or item.amount is None or item.period is None:
        return
    if not adding and not any(changed(item, f) for f in ("amount", "period", "project")):
        return
    project = item.project or db.session.get(m.Project, item.project_id)
    if project is None:
        return
    period = item.period.replace(day=1)
    doubt = investment_doubt(Decimal(item.amount), project.annual_plan_investment,
                             year_others(project.id, period))
    if doubt:
        raise NeedsConfirmation(doubt)

"""投资月报填报's figures: per project, this year's completed investment up to the day judged
(rules.ytd_months, as the project colour counts it), split into the chosen month and the rest."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload, raiseload

from app import models as m
from app.domain import rules, rules_sql
from app.domain.scope import Scope, scope_clause
from app.extensions import db


@dataclass
class InvestmentRow:
    """A project with this year's completion: `others` is the year without the month."""

    project: m.Project
    others: Decimal
    amount: Decimal | None

    @property
    def completion(self) -> float | None:
        plan = self.project.annual_plan_investment
        if not plan:
            return None
        return float(self.others + (self.amount or 0)) / float(plan)


def judged_on(period: dt.date, today: dt.date) -> dt.date:
    """The day the year of `period` is judged as of: today, kept within that year (a past
    year is judged on its last day)."""
    return min(max(today, dt.date(period.year, 1, 1)), dt.date(period.year, 12, 31))


def time_progress(period: dt.date, today: dt.date) -> float:
    """The time progress the year's completion is held against."""
    return rules.time_progress(judged_on(period, today))


def year_figures(project_ids: list[int], period: dt.date, today: dt.date) -> dict[int, Any]:
    """Per project: the year's completed sum without the month, and the month's amount."""
    r = m.InvestmentReport
    query = (
        select(r.project_id,
               func.sum(case((r.period != period, r.amount), else_=0)).label("others"),
               func.max(case((r.period == period, r.amount))).label("amount"))
        .where(r.project_id.in_(project_ids), rules_sql.ytd_reports(judged_on(period, today)))
        .group_by(r.project_id)
    )
    return {row.project_id: row for row in db.session.execute(query)}


def investment_rows(department: Scope | int | None, period: dt.date, today: dt.date, offset: int,
                    limit: int) -> list[InvestmentRow]:
    """The projects in scope from `offset` (at most `limit`), with their year's figures."""
    query = (select(m.Project)
             .options(raiseload("*"), joinedload(m.Project.lead_department).raiseload("*"))
             .order_by(m.Project.code).offset(offset).limit(limit))
    if department is not None:
        query = query.where(scope_clause(m.Project, department))
    projects = list(db.session.scalars(query))
    figures = year_figures([p.id for p in projects], period, today)
    rows = []
    for project in projects:
        found = figures.get(project.id)
        others = Decimal(found.others or 0) if found else Decimal(0)
        amount = Decimal(found.amount) if found and found.amount is not None else None
        rows.append(InvestmentRow(project, others, amount))
    return rows

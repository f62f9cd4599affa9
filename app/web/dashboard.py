"""挂图作战: the dashboard. Leaders see the county; a department user sees their department."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _
from sqlalchemy import and_, case, func, or_, select

from app import models as m
from app.domain import choices, rules, status
from app.domain.access import current_department_scope
from app.domain.scope import scope_clause
from app.extensions import db


def _scoped(query, model):
    department = current_department_scope()
    return query if department is None else query.where(scope_clause(model, department))


def counts_by(column) -> dict[str, int]:
    """Projects counted by a choice column, every choice present (zero included)."""
    query = _scoped(select(column, func.count()).group_by(column), m.Project)
    return dict(db.session.execute(query).all())


def overdue_by_month(today: dt.date) -> list[tuple[str, int]]:
    """Tasks open and overdue at the end of each of the last 12 months (one SELECT)."""
    t = m.Task
    ends: list[dt.date] = []
    month = rules.month_start(today)
    for _i in range(12):
        ends.insert(0, min(rules.month_end(month), today))
        month = rules.month_start(month - dt.timedelta(days=1))
    columns = [func.coalesce(func.sum(case((and_(
        t.assigned_on <= end, t.deadline < end, or_(t.done_on.is_(None), t.done_on > end)),
        1), else_=0)), 0) for end in ends]
    row = db.session.execute(_scoped(select(*columns).where(t.cancelled.is_(False)), t)).one()
    return [(f"{end:%Y-%m}", int(n)) for end, n in zip(ends, row, strict=True)]


def investment_by_month(today: dt.date) -> dict:
    """This year's completed investment by month, cumulative, against plan and time."""
    p, ir = m.Project, m.InvestmentReport
    plan = db.session.scalar(_scoped(select(func.coalesce(
        func.sum(p.annual_plan_investment), 0)), p)) or Decimal(0)
    monthly = dict(db.session.execute(_scoped(
        select(ir.period, func.sum(ir.amount)).join(p, ir.project_id == p.id)
        .where(ir.period >= dt.date(today.year, 1, 1), ir.period <= today)
        .group_by(ir.period), p)).all())
    months, running = [], Decimal(0)
    for number in range(1, today.month + 1):
        running += monthly.get(dt.date(today.year, number, 1), Decimal(0))
        end = rules.month_end(dt.date(today.year, number, 1))
        months.append({"month": f"{number}", "completed": float(running),
                       "time_target": round(float(plan) * rules.time_progress(min(end, today)), 2),
                       "quarter_target": round(float(plan) * ((number + 2) // 3) / 4, 2)})
    return {"plan": float(plan), "months": months}


def ranking() -> list[dict]:
    """This month's departments by score, as built last."""
    period = rules.month_start(status.today())
    query = _scoped(select(m.Compliance).where(m.Compliance.period == period,
                                               m.Compliance.department_id.is_not(None)),
                    m.Compliance)
    rows = db.session.scalars(query).all()
    order = rules.ranking({r.department_id: (r.department.name, r.score) for r in rows})
    by_id = {r.department_id: r for r in rows}
    return [{"department": by_id[d].department.name, "score": by_id[d].score} for d in order]


def dashboard_data() -> dict:
    today = status.today()
    stage = counts_by(m.Project.stage)
    category = counts_by(m.Project.category)
    colour = counts_by(m.Project.status_color)
    return {
        "today": today.isoformat(),
        "stage": [{"key": k, "name": str(v), "value": stage.get(k, 0)}
                  for k, v in choices.PROJECT_STAGE.items()],
        "category": [{"key": k, "name": str(v), "value": category.get(k, 0)}
                     for k, v in choices.PROJECT_CATEGORY.items()],
        "colour": [{"key": k, "name": str(v), "value": colour.get(k, 0)}
                   for k, v in choices.STATUS_COLOR.items()],
        "investment": investment_by_month(today),
        "ranking": ranking(),
        "overdue": [{"month": month, "value": n} for month, n in overdue_by_month(today)],
        "labels": {"completed": _("累计完成投资"), "time_target": _("按时序进度应完成"),
                   "quarter_target": _("季度目标"), "score": _("得分"),
                   "overdue": _("逾期任务"), "projects": _("项目数")},
    }


class DashboardView(BaseView):
    """挂图作战."""

    route_base = "/dashboard"
    default_view = "index"
    class_permission_name = "Dashboard"
    method_permission_name = {"index": "read"}
    resource = "Dashboard"

    @expose("/")
    @has_access
    def index(self):
        return self.render_template("dashboard.html", data=dashboard_data(),
                                    title=_("挂图作战"))

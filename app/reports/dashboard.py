"""挂图作战's figures: projects by stage, category and colour, this year's investment by month,
the ranking, and overdue tasks month by month; a department user's limited to their own."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import Select, and_, case, func, select

from app import models as m
from app.domain import (
    access,
    choices,
    clock,
    month_close,
    notice_number,
    rules,
    rules_sql,
    status,
    tree_ranking,
)
from app.domain.access import current_department_scope
from app.domain.scope import scope_clause
from app.domain.tree import indented, unindented
from app.extensions import db


def _scoped(query: Select, model: type) -> Select:
    department = current_department_scope()
    return query if department is None else query.where(scope_clause(model, department))


def counts_by(column) -> dict[str, int]:
    """Projects counted by a choice column, every choice present (zero included)."""
    query = _scoped(select(column, func.count()).group_by(column), m.Project)
    return dict(db.session.execute(query).all())


def month_ends(today: dt.date, months: int = 12) -> list[dt.date]:
    """The last day of each of the last months, oldest first; today for this month."""
    ends: list[dt.date] = []
    month = rules.month_start(today)
    for _i in range(months):
        ends.insert(0, min(rules.month_end(month), today))
        month = rules.month_start(month - rules.DAY)
    return ends


def overdue_by_month(today: dt.date) -> list[tuple[str, int]]:
    """Each of the last 12 months' overdue tasks at its end (the compliance rule's
    tasks_overdue as of the month's last day, or today): one SELECT."""
    ends = month_ends(today)
    columns = [rules_sql.count_if(rules_sql.task_overdue_in(rules.month_start(end), end))
               for end in ends]
    row = db.session.execute(_scoped(select(*columns).select_from(m.Task), m.Task)).one()
    return [(f"{end:%Y-%m}", int(n)) for end, n in zip(ends, row, strict=True)]


def investment_by_month(today: dt.date) -> dict:
    """This year's completed investment by month up to this month (rules.ytd_months),
    cumulative, against plan and time."""
    p, ir = m.Project, m.InvestmentReport
    plan = db.session.scalar(_scoped(select(func.coalesce(
        func.sum(p.annual_plan_investment), 0)), p)) or Decimal(0)
    monthly: dict[dt.date, Decimal] = defaultdict(Decimal)
    for period, amount in db.session.execute(_scoped(
            select(ir.period, func.sum(ir.amount)).join(p, ir.project_id == p.id)
            .where(rules_sql.ytd_reports(today)).group_by(ir.period), p)):
        monthly[rules.month_start(period)] += amount
    months, running = [], Decimal(0)
    for number in range(1, today.month + 1):
        running += monthly[dt.date(today.year, number, 1)]
        end = rules.month_end(dt.date(today.year, number, 1))
        months.append({"month": f"{number}", "completed": float(running),
                       "time_target": round(float(plan) * rules.time_progress(min(end, today)), 2),
                       "quarter_target": round(float(plan) * ((number + 2) // 3) / 4, 2)})
    return {"plan": float(plan), "months": months}


def ranking() -> list[dict]:
    """This month's ranked units as built last, in tree order, each on its subtree's score
    (tree_ranking.tree_ranking: siblings by rank; "XX（含下级）" for a unit with units under it)."""
    return [row for _unit, row in _ranked()]


def _ranked() -> list[tuple[int, dict]]:
    """(unit, ranking row) in the ranking's order."""
    period = rules.month_start(status.today())
    query = _scoped(select(m.Compliance).where(m.Compliance.period == period,
                                               m.Compliance.department_id.is_not(None)),
                    m.Compliance)
    by_id = {r.department_id: r for r in db.session.scalars(query)
             if rules.ranked_unit(r.department.kind, r.department.active)}
    places = tree_ranking.tree_ranking(
        {d: (r.department.name, r.department.parent_id) for d, r in by_id.items()},
        {d: tree_ranking.counts_of(r) for d, r in by_id.items()},
        {d: r.score for d, r in by_id.items()})
    out = []
    for place in places:
        name = by_id[place.unit].department.name
        if place.totals is not None:
            name = _("%(name)s（含下级）", name=name)
        out.append((place.unit, {"rank": place.place, "department": indented(name, place.depth),
                                 "score": place.score}))
    return out


def ranking_state() -> dict:
    """This month's ranking in progress (截至 D日（进行中）, uncoloured) or judged."""
    period = rules.month_start(status.today())
    built = db.session.scalar(select(func.max(m.Compliance.built_at))
                              .where(m.Compliance.period == period))
    note = month_close.progress_note(period, None if built is None else clock.local_day(built))
    return {"in_progress": note is not None, "note": note}


def in_charge(ranked: list[tuple[int, dict]]) -> list[dict]:
    """The ranking's rows of the user's 分管单位 (access.in_charge), at the top level, for the
    block above the whole ranking (issue 15); none when the ranking holds nothing else."""
    charge = access.in_charge()
    if all(unit in charge for unit, _row in ranked):  # they see their units only: no block
        return []
    return [dict(row, department=unindented(row["department"])) for unit, row in ranked
            if unit in charge]


def escalation_counts() -> list[dict]:
    """Open tasks at each 督办 level (task.escalation_level), every level present."""
    t = m.Task
    query = _scoped(select(t.escalation_level, func.count()).where(
        t.escalation_level.is_not(None), rules_sql.task_open_on(status.today()))
        .group_by(t.escalation_level), t)
    return _by_choice(dict(db.session.execute(query).all()), choices.ESCALATION_LEVEL)


def red_escalations(limit: int = 50) -> list[dict]:
    """The open tasks at 红色督办 in the user's scope, with their 红 督办单: those of the
    projects the user is 分管领导 of first, then by deadline."""
    t, s, p, d, leader = m.Task, m.Supervision, m.Project, m.Department, m.Person
    mine = and_(leader.user_id.is_not(None), leader.user_id == access.current().user_id)
    query = (access.scoped(t, t.escalation_level == "red", rules_sql.task_open_on(status.today()))
             .with_only_columns(t.id, t.title, t.deadline, d.name.label("unit"),
                                p.name.label("project"), s.id.label("notice"), s.doc_year,
                                s.doc_seq, s.sent_on, case((mine, 1), else_=0).label("mine"))
             .join(d, d.id == t.department_id)
             .outerjoin(p, p.id == t.project_id).outerjoin(leader, leader.id == p.lead_leader_id)
             .join(s, and_(s.task_id == t.id, s.level == "red"))
             .order_by(case((mine, 0), else_=1), t.deadline, t.id).limit(limit))
    return [{"task": row.id, "title": row.title, "deadline": row.deadline.isoformat(),
             "department": row.unit, "project": row.project or "", "notice": row.notice,
             "number": notice_number.doc_number(row.doc_year, row.doc_seq),
             "sent_on": row.sent_on.isoformat(), "mine": bool(row.mine)}
            for row in db.session.execute(query)]


def _by_choice(counts: dict[str, int], labels: dict) -> list[dict]:
    return [{"key": k, "name": str(v), "value": counts.get(k, 0)} for k, v in labels.items()]


def dashboard_data() -> dict:
    """Every figure of the dashboard as of today, as the page's JSON."""
    today = status.today()
    ranked = _ranked()
    return {
        "today": today.isoformat(),
        "stage": _by_choice(counts_by(m.Project.stage), choices.PROJECT_STAGE),
        "category": _by_choice(counts_by(m.Project.category), choices.PROJECT_CATEGORY),
        "colour": _by_choice(counts_by(m.Project.status_color), choices.STATUS_COLOR),
        "investment": investment_by_month(today),
        "ranking": [row for _unit, row in ranked],
        "in_charge": in_charge(ranked),
        "ranking_state": ranking_state(),
        "escalation": escalation_counts(),
        "red_escalations": red_escalations(),
        "overdue": [{"month": month, "value": n} for month, n in overdue_by_month(today)],
        "labels": {"completed": _("累计完成投资"), "time_target": _("按时序进度应完成"),
                   "quarter_target": _("季度目标"), "score": _("得分"),
                   "overdue": _("逾期任务"), "projects": _("项目数")},
    }

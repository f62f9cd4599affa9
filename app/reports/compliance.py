"""月度督查考核表 as figures: a month's rows in the user's scope, ranked, and the rows behind
each count (the drill-downs), for the page, the export and the API alike."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select

from app import models as m
from app.domain import access, clock, rules, rules_sql, status, tree, tree_ranking
from app.domain.access import NotFound, current_department_scope
from app.domain.scope import scope_clause
from app.domain.tree import indented
from app.domain.validation import DomainError
from app.extensions import db

# indicator -> (numerator count, denominator count, label)
INDICATORS = {
    "dispatch": ("projects_dispatched", "projects_in_scope", _l("调度")),
    "supervision": ("tasks_urged", "tasks_open", _l("督促")),
    "implementation": ("tasks_implemented", "tasks_due", _l("落实")),
    "feedback": ("tasks_fed_back", "tasks_open", _l("反馈")),
}
RATE_OF = {"dispatch": "dispatch_rate", "supervision": "supervision_rate",
           "implementation": "implementation_rate", "feedback": "feedback_rate"}
PROJECT_COUNTS = ("projects_in_scope", "projects_dispatched")


FIRST_YEAR, LAST_YEAR = 2000, 2099  # the months a ledger can hold


def parse_period(value: str | None) -> dt.date:
    """A month YYYY-MM (this month by default); 400 for anything else."""
    if not value:
        return rules.month_start(status.today())
    try:
        period = dt.date.fromisoformat(f"{value}-01")
    except ValueError:
        raise DomainError(_("月份应为“年-月”，如 2026-11。"), 400) from None
    parse_year(period.year)
    return period


def parse_year(value: str | int | None) -> int:
    """A year between FIRST_YEAR and LAST_YEAR (this year by default); 400 otherwise."""
    if value is None or value == "":
        return status.today().year
    text = str(value).strip()
    if not (text.isascii() and text.isdigit() and FIRST_YEAR <= int(text) <= LAST_YEAR):
        raise DomainError(_("年份应在 %(first)s 到 %(last)s 之间。", first=FIRST_YEAR,
                            last=LAST_YEAR), 400)
    return int(text)


def rate_class(value: float | None) -> str:
    """Cell colour: 100 % green, under 100 % amber, under 60 % red, none grey."""
    if value is None:
        return "rate-none"
    return "rate-full" if value >= 1 else "rate-low" if value < 0.6 else "rate-part"


@dataclass
class TableRow:
    compliance: m.Compliance | rules.ComplianceCounts  # counts: a subtree's totals
    name: str
    rank: int | None
    apart: bool = False  # 县领导 or 停用: listed after the ranked units, not ranked
    depth: int = 0  # in the department tree (the name is indented by it)
    totals: bool = False  # "XX（含下级）": the subtree's sums, no drill-down
    unit: int | None = None  # the unit of the row (of a totals row: the subtree's root)
    charge: bool = False  # repeated in the 分管单位 block at the top (issue 15)


def table_rows(period: dt.date, charge_first: bool = False) -> list[TableRow]:
    """The period's rows the user may see: the county first, then the ranked units in tree
    order (siblings by rank, on their subtree's score), each unit with units under it
    followed by its subtree's totals (which carry its rank); then the units apart. With
    `charge_first`, the rows of the user's 分管单位 are repeated after the county's, marked
    `charge`, before the whole table."""
    query = select(m.Compliance).where(m.Compliance.period == period)
    department = current_department_scope()
    if department is not None:
        query = query.where(scope_clause(m.Compliance, department))
    rows = db.session.scalars(query).all()
    county = [r for r in rows if r.department_id is None]
    departments = {r.department_id: r for r in rows if r.department_id is not None
                   and rules.ranked_unit(r.department.kind, r.department.active)}
    places = tree_ranking.tree_ranking(
        {d: (r.department.name, r.department.parent_id) for d, r in departments.items()},
        {d: tree_ranking.counts_of(r) for d, r in departments.items()},
        {d: r.score for d, r in departments.items()})
    ranked: list[TableRow] = []
    for place in places:
        row = departments[place.unit]
        name = row.department.name
        if place.totals is None:  # nothing to judge: no rank
            ranked.append(TableRow(row, indented(name, place.depth), place.rank,
                                   depth=place.depth, unit=place.unit))
            continue
        ranked.append(TableRow(row, indented(name, place.depth), None, depth=place.depth,
                               unit=place.unit))
        ranked.append(TableRow(place.totals, indented(_("%(name)s（含下级）", name=name),
                                                      place.depth),
                               place.rank, depth=place.depth, totals=True, unit=place.unit))
    apart = sorted((TableRow(r, r.department.name, None, apart=True, unit=r.department_id)
                    for r in rows
                    if r.department_id is not None and r.department_id not in departments),
                   key=lambda row: row.name)
    charge = access.in_charge() if charge_first else frozenset()
    first = [replace(row, name=tree.unindented(row.name), depth=0, charge=True)
             for row in ranked + apart if row.unit in charge]
    if len(first) == len(ranked) + len(apart):  # they see their units only: no block
        first = []
    return [TableRow(c, _("全县"), None) for c in county] + first + ranked + apart


def built_day(rows: list[TableRow]) -> dt.date | None:
    """The local day the rows were built: the `today` their counts were judged on."""
    if not rows:
        return None
    built = max(r.compliance.built_at for r in rows if isinstance(r.compliance, m.Compliance))
    return clock.local_day(built)


def detail_query(period: dt.date, today: dt.date, count: str, missing: bool,
                 department_id: int | None) -> tuple[type, Select]:
    """The rows behind one count (or, with `missing`, behind denominator minus count)."""
    as_of = rules.compliance_as_of(period, today)
    project = count in PROJECT_COUNTS
    conditions = (rules_sql.project_conditions if project else rules_sql.task_conditions)(
        period, as_of)
    if count not in conditions:
        raise NotFound()
    model = m.Project if project else m.Task
    where = conditions[count]
    if missing:
        denominator = next((den for num, den, _label in INDICATORS.values() if num == count),
                           None)
        if denominator is None:
            raise NotFound()
        where = conditions[denominator] & ~conditions[count]
    query = select(model).where(where)
    column = m.Project.lead_department_id if project else m.Task.department_id
    if department_id is not None:
        query = query.where(column == department_id)
    scope = current_department_scope()
    if scope is not None:
        query = query.where(scope_clause(model, scope))
    order = m.Project.code if project else m.Task.deadline
    return model, query.order_by(order)

"""月度督查考核表: the compliance table of a month, its drill-downs, the year view, the export."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from flask import abort, current_app, flash, redirect, request, send_file, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from . import choices, rules, rules_sql, status
from . import models as m
from .extensions import db
from .labels import LABELS
from .scope import current_department_scope, scope_clause

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


def parse_period(value: str | None) -> dt.date:
    """A month YYYY-MM (this month by default); 404 for anything else."""
    if not value:
        return rules.month_start(status.today())
    try:
        return dt.date.fromisoformat(f"{value}-01")
    except ValueError:
        abort(400)


def rate_class(value: float | None) -> str:
    """Cell colour: 100 % green, under 100 % amber, under 60 % red, none grey."""
    if value is None:
        return "rate-none"
    return "rate-full" if value >= 1 else "rate-low" if value < 0.6 else "rate-part"


@dataclass
class TableRow:
    compliance: m.Compliance
    name: str
    rank: int | None


def table_rows(period: dt.date) -> list[TableRow]:
    """The period's rows the user may see: the county first, then departments by rank."""
    query = select(m.Compliance).where(m.Compliance.period == period)
    department = current_department_scope()
    if department is not None:
        query = query.where(scope_clause(m.Compliance, department))
    rows = db.session.scalars(query).all()
    county = [r for r in rows if r.department_id is None]
    departments = {r.department_id: r for r in rows if r.department_id is not None}
    order = rules.ranking({d: (r.department.name, r.score) for d, r in departments.items()})
    ranked = [TableRow(departments[d], departments[d].department.name,
                       place if departments[d].score is not None else None)
              for place, d in enumerate(order, start=1)]  # nothing to judge: no rank
    return [TableRow(c, _("全县"), None) for c in county] + ranked


def built_day(rows: list[TableRow]) -> dt.date | None:
    """The local day the rows were built: the `today` their counts were judged on."""
    if not rows:
        return None
    built = max(r.compliance.built_at for r in rows)
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    return built.replace(tzinfo=dt.UTC).astimezone(zone).date()


def detail_query(period: dt.date, today: dt.date, count: str, missing: bool,
                 department_id: int | None):
    """The rows behind one count (or, with `missing`, behind denominator minus count)."""
    as_of = rules.compliance_as_of(period, today)
    project = count in PROJECT_COUNTS
    conditions = (rules_sql.project_conditions if project else rules_sql.task_conditions)(
        period, as_of)
    if count not in conditions:
        abort(404)
    model = m.Project if project else m.Task
    where = conditions[count]
    if missing:
        denominator = next((den for num, den, _label in INDICATORS.values() if num == count),
                           None)
        if denominator is None:
            abort(404)
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


def detail_link(period: dt.date) -> str:
    """The start of every drill-down link of the table; a row adds its department and count.

    Built once: url_for per cell was most of the page's time at 300 departments. What the
    row adds is an id and a count name, which need no quoting, so the links are url_for's.
    """
    return url_for("ComplianceReportView.detail", period=f"{period:%Y-%m}") + "&department="


def row_labels() -> dict[str, str]:
    """The labels every row repeats, translated once per page."""
    return {"not_done": _("未完成"), "short": _("差 %(n)s")}


class ComplianceReportView(BaseView):
    """The monthly compliance table, for everyone who may read compliance rows."""

    route_base = "/compliance"
    default_view = "table"
    resource = "Compliance"  # the menu entry shows the compliance rows (app.views.MENU)
    class_permission_name = "Compliance"
    method_permission_name = {"table": "read", "detail": "read", "year": "read",
                              "export": "read", "rebuild": "rebuild"}

    @expose("/")
    @has_access
    def table(self):
        period = parse_period(request.args.get("period"))
        rows = table_rows(period)
        return self.render_template(
            "reports/compliance.html", period=period, rows=rows, built=built_day(rows),
            indicators=INDICATORS, rate_of=RATE_OF, rate_class=rate_class,
            indicator_keys=[(key, num, den) for key, (num, den, _label) in INDICATORS.items()],
            detail_link=detail_link(period), labels=row_labels(),
            can_rebuild=self.appbuilder.sm.has_access("can_rebuild", "Compliance"),
            title=_("月度督查考核表"))

    @expose("/detail/")
    @has_access
    def detail(self):
        period = parse_period(request.args.get("period"))
        rows = table_rows(period)
        department = request.args.get("department", type=int)
        if department is not None and department not in {
                r.compliance.department_id for r in rows}:
            abort(404)
        count = request.args.get("count", "")
        missing = request.args.get("missing") == "1"
        model, query = detail_query(period, built_day(rows) or status.today(), count, missing,
                                    department)
        items = db.session.scalars(query.limit(1000)).all()
        return self.render_template(
            "reports/compliance_detail.html", period=period, items=items, count=count,
            missing=missing, is_project=model is m.Project, title=_("考核明细"),
            count_label=LABELS.get(count, count),
            stage_label=lambda v: choices.label(choices.PROJECT_STAGE, v),
            department=db.session.get(m.Department, department) if department else None)

    @expose("/year/")
    @has_access
    def year(self):
        year = request.args.get("year", type=int) or status.today().year
        query = select(m.Compliance).where(
            m.Compliance.period >= dt.date(year, 1, 1), m.Compliance.period <= dt.date(year, 12, 1))
        scope = current_department_scope()
        if scope is not None:
            query = query.where(scope_clause(m.Compliance, scope))
        grid: dict[str, dict[int, float | None]] = {}
        for row in db.session.scalars(query):
            name = row.department.name if row.department else _("全县")
            grid.setdefault(name, {})[row.period.month] = row.score
        names = sorted(grid, key=lambda n: (n != _("全县"), n))
        return self.render_template("reports/compliance_year.html", year=year, grid=grid,
                                    names=names, title=_("年度考核得分"))

    @expose("/export/")
    @has_access
    def export(self):
        from .reports_xlsx import compliance_workbook

        period = parse_period(request.args.get("period"))
        data = compliance_workbook(period, table_rows(period))
        return send_file(io.BytesIO(data), as_attachment=True,
                         download_name=f"月度督查考核表-{period:%Y-%m}.xlsx",
                         mimetype="application/vnd.openxmlformats-officedocument"
                                  ".spreadsheetml.sheet")

    @expose("/rebuild/", methods=["POST"])
    @has_access
    def rebuild(self):
        from .jobs import QueueUnavailable, enqueue, parse_args

        period = parse_period(request.form.get("period"))
        try:
            run = enqueue("build_compliance", parse_args("build_compliance", period),
                          requested_by=getattr(self.appbuilder.sm.current_user, "id", None))
        except QueueUnavailable:
            flash(_("任务队列暂不可用，请稍后再试。"), "danger")  # shown on the table's page
            return redirect(url_for(".table", period=f"{period:%Y-%m}"))
        assert run is not None  # None only for a schedule_key already claimed
        flash(_("已提交重新生成（运行记录 %(id)s）。", id=run.id), "success")
        return redirect(url_for(".table", period=f"{period:%Y-%m}"))

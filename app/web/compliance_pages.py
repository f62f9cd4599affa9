"""月度督查考核表: the compliance table of a month, its drill-downs, the year view, the export."""

from __future__ import annotations

import datetime as dt
import io

from flask import abort, flash, jsonify, redirect, request, send_file, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _
from sqlalchemy import select

from app import models as m
from app.domain import choices, month_close, rules, status
from app.domain.access import current_department_scope
from app.domain.labels import LABELS
from app.domain.scope import scope_clause
from app.extensions import db
from app.files.compliance_xlsx import compliance_workbook
from app.jobs import QueueUnavailable, month_ready
from app.reports.compliance import (
    INDICATORS,
    RATE_OF,
    built_day,
    detail_query,
    parse_period,
    parse_year,
    rate_class,
    table_rows,
)
from app.reports.month_progress import still_due
from app.web.disposition import attachment
from app.web.job_runs import current_user_id


def detail_link(period: dt.date) -> str:
    """The start of every drill-down link of the table; a row adds its department and count.

    Built once: url_for per cell was most of the page's time at 300 departments. What the
    row adds is an id and a count name, which need no quoting, so the links are url_for's.
    """
    return url_for("ComplianceReportView.detail", period=f"{period:%Y-%m}") + "&department="


def first_view_build(months: list[dt.date]) -> tuple[list[int], bool]:
    """Build the months with data and no rows (for whoever views them, through the job
    runner): the ids of the runs still going, and whether one failed or could not queue."""
    try:
        runs = month_ready.ensure_built(months, current_user_id())
    except QueueUnavailable:
        return [], True
    pending = [run.id for run in runs if run.status in month_ready.PENDING]
    return pending, any(run.status == "failed" for run in runs)


def month_state(period: dt.date, built: dt.date | None) -> dict:
    """In progress or judged; in progress, the day the figures run to and what is still due."""
    if not month_close.in_progress(period):
        return {"in_progress": False}
    as_of = month_close.figures_as_of(period, built)
    return {"in_progress": True, "as_of": as_of, "still_due": still_due(period, as_of),
            "closes_on": month_close.closes_on(period)}


def neutral_class(_value: float | None) -> str:
    """A month in progress: no cell judged green, amber or red."""
    return "rate-neutral"


def row_labels() -> dict[str, str]:
    """The labels every row repeats, translated once per page."""
    return {"not_done": _("未完成"), "short": _("差 %(n)s")}


class ComplianceReportView(BaseView):
    """The monthly compliance table, for everyone who may read compliance rows."""

    route_base = "/compliance"
    default_view = "table"
    resource = "Compliance"  # the menu entry shows the compliance rows (app/web/menu.py)
    class_permission_name = "Compliance"
    method_permission_name = {"table": "read", "detail": "read", "year": "read",
                              "export": "read", "progress": "read", "rebuild": "rebuild"}

    @expose("/")
    @has_access
    def table(self):
        period = parse_period(request.args.get("period"))
        building, failed = first_view_build([period])  # none, or not final: built now
        rows = table_rows(period, charge_first=True)  # in-process, the build has run by now
        state = month_state(period, built_day(rows))
        return self.render_template(
            "reports/compliance.html", period=period, rows=rows, built=built_day(rows),
            building=building, build_failed=failed and not rows,
            state=state, cell_class=neutral_class if state["in_progress"] else rate_class,
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
                r.compliance.department_id for r in rows
                if isinstance(r.compliance, m.Compliance)}:
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
        year = parse_year(request.args.get("year"))
        building, failed = first_view_build([dt.date(year, month, 1) for month in range(1, 13)])
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
        this_month = rules.month_start(status.today())
        open_months = {p.month for p in (this_month, rules.month_start(this_month - rules.DAY))
                       if p.year == year and month_close.in_progress(p)}
        return self.render_template("reports/compliance_year.html", year=year, grid=grid,
                                    names=names, building=building, build_failed=failed,
                                    open_months=open_months, title=_("年度考核得分"))

    @expose("/progress/")
    @has_access
    def progress(self):
        """How the builds a page waits for are going: {"done": …, "failed": …}."""
        ids = [int(part) for part in request.args.get("runs", "").split(",")
               if part.isascii() and part.isdigit() and len(part) < 12][:12]
        runs = db.session.scalars(select(m.JobRun).where(
            m.JobRun.id.in_(ids), m.JobRun.job == month_ready.JOB)).all()
        if not runs:
            abort(404)
        return jsonify(done=all(r.status not in month_ready.PENDING for r in runs),
                       failed=any(r.status == "failed" for r in runs))

    @expose("/export/")
    @has_access
    def export(self):
        period = parse_period(request.args.get("period"))
        month_ready.build_now(period, current_user_id())  # a month never built: built first
        rows = table_rows(period)
        data = compliance_workbook(period, rows,
                                   month_close.progress_note(period, built_day(rows)))
        response = send_file(io.BytesIO(data), as_attachment=True,
                             download_name=f"kaohebiao-{period:%Y-%m}.xlsx",
                             mimetype="application/vnd.openxmlformats-officedocument"
                                      ".spreadsheetml.sheet")
        response.headers["Content-Disposition"] = attachment(
            f"月度督查考核表-{period:%Y-%m}.xlsx", f"kaohebiao-{period:%Y-%m}.xlsx")
        return response

    @expose("/rebuild/", methods=["POST"])
    @has_access
    def rebuild(self):
        from app.jobs import enqueue, parse_args

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

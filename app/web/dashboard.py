"""挂图作战: the dashboard. Leaders see the county; a department user sees their department.

The figures are app/reports/dashboard.py's; this is the page."""

from __future__ import annotations

from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _

from app.domain import rules, status
from app.jobs import QueueUnavailable, month_ready
from app.reports.dashboard import dashboard_data
from app.web.job_runs import current_user_id


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
        try:  # this month's ranking: built on first view (in-process: before the figures)
            month_ready.ensure_built([rules.month_start(status.today())], current_user_id())
        except QueueUnavailable:
            pass  # the ranking stays empty until the queue is back
        return self.render_template("dashboard.html", data=dashboard_data(),
                                    title=_("挂图作战"))

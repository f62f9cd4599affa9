"""挂图作战: the dashboard. Leaders see the county; a department user sees their department.

The figures are app/reports/dashboard.py's; this is the page."""

from __future__ import annotations

from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _

from app.reports.dashboard import dashboard_data


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

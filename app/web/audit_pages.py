"""审计日志: the search over the whole audit trail, for Admin.

Read-only by construction: no route here adds, edits or deletes an audit row, and no
model view or REST API is registered for the table. Each row's own history (历史记录) is
app/web/audit_history.py; this view gives show pages its `row_history(pk)`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from flask import request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _
from sqlalchemy import select

from app import models as m
from app.extensions import appbuilder, db
from app.web.audit_history import TABLE_LABELS, entry, names_of, row_history, zone

PAGE_SIZE = 50


@dataclass
class Search:
    """The audit search's criteria, read from the query string, with what was wrong."""

    user: str = ""
    table: str = ""
    start: dt.date | None = None
    end: dt.date | None = None
    page: int = 1
    errors: list[str] = field(default_factory=list)


def _day(text: str, search: Search) -> dt.date | None:
    """A criterion's date, or a message in the search when it is not one."""
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        search.errors.append(_("日期“%(value)s”无效，格式为“年-月-日”，如 2026-11-02。",
                               value=text[:20]))
        return None


def parse_search(args: dict) -> Search:
    """The criteria from the query string; wrong values become messages, not errors."""
    search = Search(user=args.get("user", "").strip()[:128])
    table = args.get("table", "")
    if table and table not in TABLE_LABELS:
        search.errors.append(_("没有这张表。"))
    else:
        search.table = table
    search.start = _day(args.get("start", "").strip(), search)
    search.end = _day(args.get("end", "").strip(), search)
    if search.start and search.end and search.end < search.start:
        search.errors.append(_("结束日期早于开始日期。"))
    page = args.get("page", "1")
    search.page = int(page) if page.isdigit() and 0 < int(page) < 100_000 else 1
    return search


def _utc(day: dt.date, local: ZoneInfo) -> dt.datetime:
    """The start of a local day, in UTC as stored."""
    start = dt.datetime.combine(day, dt.time(), tzinfo=local)
    return start.astimezone(dt.UTC).replace(tzinfo=None)


def search_rows(search: Search, local: ZoneInfo) -> tuple[list[m.AuditLog], bool]:
    """One page of matching audit rows, newest first, and whether a next page exists."""
    a = m.AuditLog
    query = select(a)
    if search.user:
        query = query.where(a.username == search.user)
    if search.table:
        query = query.where(a.table_name == search.table)
    if search.start:
        query = query.where(a.changed_at >= _utc(search.start, local))
    if search.end:
        query = query.where(a.changed_at < _utc(search.end + dt.timedelta(days=1), local))
    query = (query.order_by(a.changed_at.desc(), a.id.desc())
             .offset((search.page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1))
    rows = db.session.scalars(query).all()
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


def show_urls() -> dict[str, str]:
    """table -> the endpoint of its show page, for links from the audit rows."""
    urls = {}
    for view in appbuilder().baseviews:
        model = getattr(getattr(view, "datamodel", None), "obj", None)
        table = getattr(model, "__tablename__", None)
        if table in TABLE_LABELS and table not in urls and hasattr(view, "show"):
            urls[table] = f"{view.endpoint}.show"
    return urls


class AuditLogView(BaseView):
    """审计日志: every recorded change, searchable by user, table and dates (Admin only)."""

    route_base = "/audit"
    default_view = "search"
    class_permission_name = "AuditLog"
    method_permission_name = {"search": "read"}
    resource = "AuditLog"

    def create_blueprint(self, appbuilder, endpoint=None, static_folder=None):
        """FAB's blueprint, also giving show pages `row_history(pk)`."""
        blueprint = super().create_blueprint(appbuilder, endpoint, static_folder)
        blueprint.add_app_template_global(row_history)
        return blueprint

    @expose("/")
    @has_access
    def search(self):
        """The search form and one page of matching changes (400 if a criterion is wrong)."""
        search = parse_search(request.args)
        local = zone()
        rows, more = ([], False) if search.errors else search_rows(search, local)
        names = names_of(rows)
        page = self.render_template(
            "audit/search.html", search=search,
            entries=[entry(r, local, names) for r in rows],
            more=more, tables=TABLE_LABELS, show_urls=show_urls(),
            page_url=lambda n: url_for(".search", **{**request.args, "page": n}))
        return (page, 400) if search.errors else page

"""The audit trail on pages: 历史记录 on each row's page, 审计日志 (search) for Admin.

Read-only by construction: no route here adds, edits or deletes an audit row, and no
model view or REST API is registered for the table. A row's history shows on its own
show page (templates/appbuilder/general/model/show.html), so whoever may see the row
(FAB's permission and the department scope of its view) sees its history, nobody else.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app, request, url_for
from flask_appbuilder import BaseView, Model, expose, has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import RelationshipDirection

from app import models as m
from app.domain import audit, choices
from app.domain.access import current_department_scope
from app.domain.labels import LABELS, choices_for, joined
from app.domain.roles import role_label
from app.domain.scope import scope_clause
from app.extensions import appbuilder, db
from app.web.permission_labels import permission_label

TABLE_LABELS = {
    "project": _l("重点项目"), "investment_report": _l("投资月报"), "problem": _l("问题清单"),
    "task": _l("任务台账"), "feedback": _l("进展反馈"), "extension": _l("延期申请"),
    "meeting": _l("调度会"), "supervision": _l("督促记录"), "node_template": _l("节点模板"),
    "template_node": _l("模板节点"), "department": _l("责任单位"), "person": _l("责任人"),
    "holiday": _l("节假日"), "ab_user": _l("用户"), "ab_role": _l("角色"),
    "ab_group": _l("用户组"),
}
ACTION_LABELS = {"insert": _l("新增"), "update": _l("修改"), "delete": _l("删除")}
ACTION_STYLE = {"insert": "success", "update": "info", "delete": "danger"}
# field labels the ledger's LABELS do not have (accounts), or have with another meaning
EXTRA_LABELS = {
    "username": _l("用户名"), "first_name": _l("名"), "last_name": _l("姓"),
    "password": _l("密码"), "roles": _l("角色"), "groups": _l("用户组"),
    "permissions": _l("权限"), "label": _l("显示名称"),
}
TABLE_FIELD_LABELS = {
    ("node_template", "description"): _l("说明"),
    ("ab_group", "description"): _l("说明"),
}
HISTORY_LIMIT = 200


def _permission(text: str) -> str:
    """A recorded permission ("can_read on Task") as 权限管理 shows it ("任务台账：查看")."""
    permission, _on, resource = text.rpartition(" on ")
    view = SimpleNamespace(permission=SimpleNamespace(name=permission.replace(" ", "_")),
                           view_menu=SimpleNamespace(name=resource))
    return permission_label(view)


# values stored as identifiers, shown by their labels
FORMATS: dict[tuple[str, str], Callable[[Any], str]] = {
    ("ab_role", "name"): role_label, ("ab_user", "roles"): role_label,
    ("ab_group", "roles"): role_label, ("ab_role", "permissions"): _permission}
PAGE_SIZE = 50


def field_label(table: str, key: str) -> str:
    """A field's Chinese label: `department_id` reads as 责任单位."""
    # the relation's label first: FAB fills LABELS with English for columns it lacks
    label = (TABLE_FIELD_LABELS.get((table, key)) or EXTRA_LABELS.get(key)
             or LABELS.get(key.removesuffix("_id")) or LABELS.get(key))
    return str(label or key)


@lru_cache
def references(table: str) -> dict[str, type]:
    """The foreign-key fields of a table and the model each names (`department_id`: …)."""
    models = [mp.class_ for mp in Model.registry.mappers if mp.local_table.name == table]
    if not models:
        return {}
    mapper = inspect(models[0])
    refs = {}
    for rel in mapper.relationships:
        if rel.direction is RelationshipDirection.MANYTOONE and len(rel.local_columns) == 1:
            key = mapper.get_property_by_column(next(iter(rel.local_columns))).key
            if key not in audit.SKIPPED:
                refs[key] = rel.mapper.class_
    return refs


def names_of(rows: list[m.AuditLog]) -> dict[tuple[type, int], str]:
    """The names of the rows the audit rows' foreign keys name: one query per table, and
    only rows the user may see (others stay a number)."""
    wanted: dict[type[m.Model], set[int]] = defaultdict(set)
    for row in rows:
        refs = references(row.table_name)
        for key, values in (row.changes or {}).items():
            if key in refs:
                wanted[refs[key]].update(v for v in values if isinstance(v, int))
    department = current_department_scope()
    names = {}
    for model, ids in wanted.items():
        query = select(model).where(model.id.in_(ids))
        if department is not None:
            query = query.where(scope_clause(model, department))
        for obj in db.session.scalars(query).unique():
            names[(model, obj.id)] = str(getattr(obj, "username", None) or obj)
    return names


def shown(table: str, key: str, value: object, names: dict | None = None) -> str:
    """A recorded value as a page shows it: choice labels, 是/否, lists joined, names of
    linked rows."""
    if value is None:
        return ""
    target = references(table).get(key)
    if target is not None and isinstance(value, int) and not isinstance(value, bool):
        return (names or {}).get((target, value), f"#{value}")
    if isinstance(value, bool):
        return _("是") if value else _("否")
    show = FORMATS.get((table, key), str)
    if isinstance(value, list):
        return joined(sorted(map(show, value)))
    if (table, key) in FORMATS:
        return show(value)
    options = choices_for(table, key)
    if options is not None:
        return str(choices.label(options, value))
    return str(value)


@dataclass
class Entry:
    """One audit row, ready for a page."""

    row: m.AuditLog
    when: str
    table: str
    action: str
    style: str
    fields: list[tuple[str, str, str]] = field(default_factory=list)


def entry(row: m.AuditLog, zone: ZoneInfo, names: dict) -> Entry:
    """An audit row with local time, Chinese labels and shown values."""
    when = row.changed_at.replace(tzinfo=dt.UTC).astimezone(zone)
    links = audit.COLLECTIONS.get(row.table_name, ())
    fields = []
    for key, (old, new) in (row.changes or {}).items():
        old_text = shown(row.table_name, key, old, names)
        new_text = shown(row.table_name, key, new, names)
        if key in links and row.action == "update":  # links removed / added
            old_text = _("移除：%(items)s", items=old_text) if old else ""
            new_text = _("新增：%(items)s", items=new_text) if new else ""
        fields.append((field_label(row.table_name, key), old_text, new_text))
    return Entry(row, when.strftime("%Y-%m-%d %H:%M:%S"),
                 str(TABLE_LABELS.get(row.table_name, row.table_name)),
                 str(ACTION_LABELS.get(row.action, row.action)),
                 ACTION_STYLE.get(row.action, "default"), fields)


def zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def _current_view():  # a FAB model view, or None
    """The model view whose page is being rendered."""
    name = (request.endpoint or "").rpartition(".")[0]
    for view in appbuilder().baseviews:
        if view.endpoint == name and hasattr(view, "datamodel"):
            return view
    return None


def row_history(pk: object) -> list[Entry] | None:
    """The history of the row a show page shows (None: the table is not recorded)."""
    view = _current_view()
    if view is None or not audit.is_audited_model(view.datamodel.obj):
        return None
    try:
        row_id = int(str(pk))
    except ValueError:
        return None
    if view.datamodel.get(row_id, view._base_filters) is None:  # out of scope: nothing
        return None
    this_row = (m.AuditLog.table_name == view.datamodel.obj.__tablename__,
                m.AuditLog.row_id == row_id)
    # SQLite may give a deleted row's id to a new row: its history starts at its insert.
    born = (select(func.coalesce(func.max(m.AuditLog.id), 0))
            .where(*this_row, m.AuditLog.action == "insert").scalar_subquery())
    rows = db.session.scalars(
        select(m.AuditLog)
        .where(*this_row, m.AuditLog.id >= born)
        .order_by(m.AuditLog.changed_at.desc(), m.AuditLog.id.desc())
        .limit(HISTORY_LIMIT)
    ).all()
    local, names = zone(), names_of(rows)
    return [entry(row, local, names) for row in rows]


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

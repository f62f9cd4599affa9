"""The audit trail as pages read it, and 历史记录: each row's history on its own show page.

A row's history shows on its show page (templates/appbuilder/general/model/show.html), so
whoever may see the row (FAB's permission and the department scope of its view) sees its
history, nobody else. Linked rows are named only where the reader may see them.
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

from flask import current_app, request
from flask_appbuilder import Model
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
from app.web.times import local_time

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


def visible_links(rows: list[m.AuditLog]) -> dict[tuple[str, str], set[str]]:
    """For a scoped user, the names of the linked rows (a meeting's projects, recorded as
    names) they may see, by (table, collection): the history shows no others (issue 14)."""
    department = current_department_scope()
    if department is None:
        return {}
    out: dict[tuple[str, str], set[str]] = {}
    for table in {row.table_name for row in rows}:
        models = [mp.class_ for mp in Model.registry.mappers if mp.local_table.name == table]
        for key in audit.COLLECTIONS.get(table, ()) if models else ():
            target = inspect(models[0]).relationships[key].mapper.class_
            query = select(target).where(scope_clause(target, department))
            out[(table, key)] = {str(obj) for obj in db.session.scalars(query)}
    return out


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


def _among(value: object, visible: set[str]) -> object:
    return [v for v in value if v in visible] if isinstance(value, list) else value


def entry(row: m.AuditLog, zone: ZoneInfo, names: dict,
          seen: dict[tuple[str, str], set[str]] | None = None) -> Entry:
    """An audit row with local time, Chinese labels and shown values (of linked rows, those
    in `seen` when given)."""
    when = row.changed_at.replace(tzinfo=dt.UTC).astimezone(zone)
    links = audit.COLLECTIONS.get(row.table_name, ())
    fields = []
    for key, (old, new) in (row.changes or {}).items():
        visible = (seen or {}).get((row.table_name, key))
        if visible is not None:
            old, new = _among(old, visible), _among(new, visible)
        old_text = shown(row.table_name, key, old, names)
        new_text = shown(row.table_name, key, new, names)
        if key in links and row.action == "update":  # links removed / added
            old_text = _("移除：%(items)s", items=old_text) if old else ""
            new_text = _("新增：%(items)s", items=new_text) if new else ""
        fields.append((field_label(row.table_name, key), old_text, new_text))
    return Entry(row, local_time(when),
                 str(TABLE_LABELS.get(row.table_name, row.table_name)),
                 str(ACTION_LABELS.get(row.action, row.action)),
                 ACTION_STYLE.get(row.action, "default"), fields)


def zone() -> ZoneInfo:
    """The configured time zone, in which the pages show times."""
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
    local, names, seen = zone(), names_of(rows), visible_links(rows)
    return [entry(row, local, names, seen) for row in rows]

"""No lost updates: optimistic locking on the rows people edit at the same time (issue 7).

Each versioned table has a `version` integer. A form or a REST client carries the version
it read; saving it while the stored row has moved on is refused with what differs (409).

The check is made atomic by a *claim*: before a user's change is written, one
`UPDATE … SET version = version + 1 WHERE id = :id AND version = :read` runs in the same
transaction. It matches no row when someone else saved first (in PostgreSQL it waits for
their commit, then re-reads), and from then on it holds the row until our commit.

Only changes people make move the version. The computed columns (task status and overdue
days, project colour) are rewritten by jobs in set-based SQL and by `status.after_change`
after every save: they never make an open form stale, so they are left out here.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, cast

from flask import Flask
from flask_babel import gettext as _
from sqlalchemy import inspect, select, update
from sqlalchemy.orm import Session, lazyload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.interfaces import MANYTOMANY, MANYTOONE
from wtforms import Form, HiddenField

from app.domain import choices
from app.domain.labels import LABELS, choices_for
from app.domain.validation import DomainError

VERSION = "version"
# never a person's edit: computed columns, FAB's audit columns, the other side of a link
NOT_EDITS = {"id", VERSION, "status", "overdue_days", "escalation_level", "status_color",
             "meetings",
             "created_on", "changed_on", "created_by", "changed_by", "created_by_fk",
             "changed_by_fk"}
CLAIMED = "locking_claimed"  # session.info: rows claimed in the current transaction
SHOWN_CHARS = 80


class EditConflict(DomainError):
    """Someone saved this row after it was read: what differs, and the version now stored."""

    def __init__(self, message: str, version: int | None, changes: list[dict]) -> None:
        super().__init__(message, 409)
        self.version = version
        self.changes = changes
        self.extra = {"version": version, "changes": changes}


def versioned(obj: object) -> bool:
    """Whether the row's table carries a version column."""
    return VERSION in inspect(type(obj)).columns


def _edited_keys(obj: object) -> list[str]:
    """The attributes a person changed on this row since it was loaded (not yet written)."""
    state = inspect(obj)
    keys = [a.key for a in state.mapper.column_attrs]
    keys += [r.key for r in state.mapper.relationships if r.direction in (MANYTOONE, MANYTOMANY)]
    return [k for k in keys if k not in NOT_EDITS and state.attrs[k].history.has_changes()]


def _version_read(obj: object) -> int | None:
    """The version as loaded from the database (before anything set it); loaded if need be."""
    state = inspect(obj)
    if VERSION in state.unloaded:  # expired by a commit: read it now
        getattr(obj, VERSION)
    history = state.attrs[VERSION].history
    if history.deleted:
        return history.deleted[0]
    return history.unchanged[0] if history.unchanged else None


def claim(session: Session, obj: Any) -> None:
    """Move the stored version on, if it is still the one read; else an EditConflict."""
    # the connection first: after a rollback (a retried deadlock's victim) asking for it
    # begins the new transaction, whose after_rollback clean-up would drop a set read before
    connection = session.connection()
    claimed = session.info.setdefault(CLAIMED, set())
    key = (type(obj), inspect(obj).identity)
    if key in claimed:
        return
    read = _version_read(obj)
    table = inspect(type(obj)).local_table
    result = connection.execute(
        update(table).where(table.c.id == obj.id, table.c.version == read)
        .values(version=table.c.version + 1))
    if result.rowcount != 1:
        message = _("保存未成功：这条记录刚刚已被他人修改。请重新打开编辑页面，核对后再保存。")
        raise EditConflict(message, None, [])
    set_committed_value(obj, VERSION, cast(int, read) + 1)  # a versioned row has one
    claimed.add(key)


def lock_in_order(row: Any) -> None:
    """Lock the rows a ledger action on `row` writes, always in one order — its project,
    its task, then the row — and read them again (issue 14: an approval and a rejection at
    once deadlocked, each holding a row the other's status refresh needed). Two actions in
    one project now take turns, and the second reads what the first one saved. On
    PostgreSQL `SELECT … FOR UPDATE` (SQLite has one writer at a time anyway). Call it
    first: it reloads the rows, dropping changes not yet flushed."""
    from app import models as m

    task = row if isinstance(row, m.Task) else getattr(row, "task", None)
    project_id = getattr(task if task is not None else row, "project_id", None)
    chain: list[tuple[Any, int]] = [(m.Project, project_id)] if project_id else []
    if task is not None and task is not row:
        chain.append((m.Task, task.id))
    chain.append((type(row), row.id))
    session = inspect(row).session
    for model, pk in chain:
        session.execute(select(model).where(model.id == pk).with_for_update(of=model)
                        .options(lazyload("*")).execution_options(populate_existing=True))


def check(obj: Any) -> None:
    """A form's or client's change to a row: refused if the version it read is stale."""
    if not versioned(obj) or inspect(obj).identity is None:
        return
    stored = _version_read(obj)
    sent = obj.version
    if sent is not None and sent != stored:
        setattr(obj, VERSION, stored)  # the version is not a field anyone sets
        changes = differences(obj)
        if changes:
            raise EditConflict(conflict_message(changes), stored, changes)
    elif sent is None:
        setattr(obj, VERSION, stored)
    if _edited_keys(obj):
        claim(inspect(obj).session, obj)


def differences(obj: object) -> list[dict]:
    """Each field whose value sent differs from the value stored: label, theirs, stored."""
    state = inspect(obj)
    table = state.mapper.local_table.name
    out = []
    for key in _edited_keys(obj):
        history = state.attrs[key].history
        yours: object
        stored: object
        if isinstance(state.attrs[key].value, list):
            yours, stored = [*history.unchanged, *history.added], [*history.unchanged,
                                                                   *history.deleted]
        else:
            yours = history.added[0] if history.added else None
            stored = history.deleted[0] if history.deleted else None
        shown = (shown_value(table, key, yours), shown_value(table, key, stored))
        if shown[0] != shown[1]:
            out.append({"field": key, "label": str(LABELS.get(key, key)),
                        "yours": shown[0], "stored": shown[1]})
    return out


def shown_value(table: str, key: str, value: object) -> str:
    """A value as a person reads it: choice labels, 是/否, dates, names; （空） for none."""
    if value is None or value == "" or value == []:
        return _("（空）")
    if isinstance(value, list):
        return "、".join(sorted(str(v) for v in value))
    if isinstance(value, bool):
        return _("是") if value else _("否")
    options = choices_for(table, key)
    if options is not None:
        return choices.label(options, value)
    if isinstance(value, dt.date | Decimal | int):
        return str(value)
    text = str(value)
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "…"


def conflict_message(changes: list[dict]) -> str:
    """The refusal in one sentence, naming the fields that differ."""
    fields = "、".join(f"“{c['label']}”" for c in changes)
    return _("保存未成功：在您打开编辑页面之后，这条记录已被他人修改。您填写的内容与现在保存的内容"
             "在以下字段不同：%(fields)s。页面已保留您填写的内容并更新为最新版本，"
             "请核对后再次保存（再次保存将以您填写的为准）。", fields=fields)


def version_field() -> HiddenField:
    """The hidden field an edit form carries: the version of the row it shows."""
    return HiddenField(filters=[_as_version])


def _as_version(value: object) -> int | None:
    text = str(value).strip() if value is not None else ""
    return int(text) if text.isascii() and text.isdecimal() and len(text) < 10 else None


def renew(form: Form, error: Exception | None) -> None:
    """A form re-shown after a conflict carries the version now stored."""
    if isinstance(error, EditConflict) and VERSION in form and error.version is not None:
        form[VERSION].data = error.version


def _claim_edits(session: Session, _context: object, _instances: object) -> None:
    """Before every flush: claim each versioned row with a person's change not yet claimed."""
    for obj in list(session.dirty):
        if versioned(obj) and inspect(obj).identity is not None and _edited_keys(obj):
            claim(session, obj)


def _forget_claims(session: Session, *_args: object) -> None:
    session.info.pop(CLAIMED, None)


def init_app(app: Flask) -> None:
    """Claim edited rows at every flush of the app's session."""
    from sqlalchemy import event

    from app.extensions import db

    if not event.contains(db.session, "before_flush", _claim_edits):
        event.listen(db.session, "before_flush", _claim_edits)
        event.listen(db.session, "after_commit", _forget_claims)
        event.listen(db.session, "after_rollback", _forget_claims)

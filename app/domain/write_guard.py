"""The flush guard: the one door every write passes, whichever page, form or API made it.

Before a flush writes anything, each inserted, changed or deleted row of a guarded table is
checked against the acting user (app/domain/access.py): the role must hold the table's
add, edit or delete permission (the ones 权限管理 › 角色列表 shows), and a department-bound
user may touch only the rows of their own department — before the change (the row as
stored) and after it (the row as written, checked inside the same transaction). A refusal
raises Forbidden, and the flush, with everything the request wrote, is rolled back.

A row that belongs to another is checked as a write of its owner: an attachment edits its
feedback or problem (or is part of adding it, in the same request), a chain's nodes
and the tasks a new chain makes are the chain's (倒排工期: edit), each in a ledger the
user may write.

System actors (jobs, commands, the demo) pass. Changes that are only a consequence of an
allowed change pass too: the computed columns (task status and overdue days, project
colour), the version counter and FAB's audit columns.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from flask import Flask
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from app import models as m
from app.domain import access, scope, validation
from app.domain.roles import LEDGER
from app.extensions import db

# never a person's edit: computed by the rules, counted by locking, stamped by FAB
DERIVED = frozenset({"id", "version", "status", "overdue_days", "escalation_level",
                     "status_color", "created_on",
                     "changed_on", "created_by", "changed_by", "created_by_fk",
                     "changed_by_fk", "meetings"})
# columns that a resource other than the table's own governs: 滞后原因和整改措施 are filed
# from 我的台账 (MyLedger: edit), not through the task's edit form (Task: edit)
COLUMN_RESOURCES: dict[type, tuple[frozenset[str], str]] = {
    m.Task: (frozenset({"lag_reason", "measures"}), "MyLedger"),
}
# rows that belong to another row (its id column, its table): writing them edits the owner
OWNED_BY: dict[type, tuple[tuple[str, type], ...]] = {
    m.Attachment: (("feedback_id", m.Feedback), ("problem_id", m.Problem)),
    m.ChainNode: (("chain_id", m.TaskChain),),
}
PENDING = "write_guard_pending"  # session.info: rows to check after the flush wrote them
# session.info: owners (model, id) a user inserted in this session (one request's, as
# Flask-SQLAlchemy scopes sessions): a photo is part of adding the report filed with it
ADDED = "write_guard_added"
OWNERS = frozenset(model for owners in OWNED_BY.values() for _column, model in owners)


def edited(obj: object) -> set[str]:
    """The attributes a person changed on this row since it was loaded."""
    state = inspect(obj)
    return {attr.key for attr in state.attrs if attr.history.has_changes()} - DERIVED


def _resource(obj: object, permission: str, changed: set[str]) -> tuple[str, str] | None:
    """The (permission, resource) this write needs, or None when it needs none."""
    model = type(obj)
    if model in OWNED_BY:
        return _owner_permission(owner_of(obj))
    if model is m.TaskChain:
        return access.EDIT, "ReverseSchedule"
    if model.__name__ not in LEDGER:
        return None
    columns, other = COLUMN_RESOURCES.get(model, (frozenset(), ""))
    if permission == access.EDIT and changed and changed <= columns:
        return access.EDIT, other
    return permission, model.__name__


def owner_of(obj: object) -> object | None:
    """The row an owned row belongs to (a photo's feedback, a node's chain)."""
    session = db.session
    for column, model in OWNED_BY[type(obj)]:
        related = obj.__dict__.get(column.removesuffix("_id"))  # set but not yet flushed
        if related is not None:
            return related
        owner_id = getattr(obj, column)
        if owner_id is not None:
            with session.no_autoflush:
                return session.get(model, owner_id)
    return None


def _owner_permission(owner: object) -> tuple[str, str] | None:
    """Writing an owned row edits its owner; on an owner the same request added (a photo
    filed with its progress report) it is part of the owner's adding."""
    if owner is None:
        return None
    if isinstance(owner, m.TaskChain):
        return access.EDIT, "ReverseSchedule"
    key = (type(owner), getattr(owner, "id", None))
    added = inspect(owner).pending or key in db.session.info.get(ADDED, ())
    return access.ADD if added else access.EDIT, type(owner).__name__


def _chained_tasks(session: Session) -> dict[int, m.TaskChain]:
    """New tasks placed in a chain by a new node of this flush: 倒排工期 makes them, under the
    chain's permission; each still lands only in a ledger the user may write (its scope)."""
    return {id(node.task): node.chain for node in session.new
            if isinstance(node, m.ChainNode) and node.task is not None
            and node.chain is not None}


def _needs(session: Session) -> Iterable[tuple[object, str, set[str]]]:
    """(row, permission, the fields changed) of every guarded write of this flush."""
    for obj in session.new:
        yield obj, access.ADD, edited(obj)
    for obj in session.dirty:
        changed = edited(obj)
        if changed and obj not in session.deleted:
            yield obj, access.EDIT, changed
    for obj in session.deleted:
        yield obj, access.DELETE, set()


def _before_flush(session: Session, _context: object, _instances: object) -> None:
    actor = access.current()
    if actor.is_system:
        return
    department = actor.scope  # None: an unscoped actor
    after: dict[type[m.Model], set[m.Model]] = defaultdict(set)
    before: dict[type[m.Model], set[m.Model]] = defaultdict(set)
    chained = _chained_tasks(session)
    for obj, permission, changed in _needs(session):
        chain = chained.get(id(obj)) if permission == access.ADD else None
        needed = _resource(chain if chain is not None else obj, permission, changed)
        if needed is None:
            continue
        if not actor.may(*needed):
            raise access.Forbidden()
        if department is None:
            continue
        if chain is not None:  # the chain's permission, but the task's own ledger (scope)
            after[m.Task].add(obj)
            continue
        if permission != access.ADD:
            before[type(obj)].add(obj)
        if permission != access.DELETE:
            after[type(obj)].add(obj)
    if before and department is not None:
        _check_scope(session, before, department)
    session.info[PENDING] = after


def _after_flush(session: Session, _context: object) -> None:
    actor = access.current()
    if actor.is_system:
        return
    owners = {(type(obj), obj.id) for obj in session.new if type(obj) in OWNERS}
    if owners:
        session.info.setdefault(ADDED, set()).update(owners)
    pending = session.info.pop(PENDING, None)
    if pending and actor.scope is not None:  # a scoped actor
        _check_scope(session, pending, actor.scope)


def _check_scope(session: Session, rows: dict[type[m.Model], set[m.Model]],
                 department: scope.Scope) -> None:
    """Refuse unless every row (as the database holds it now) is the department's to write."""
    for model, objs in rows.items():
        target, ids = _scoped_rows(model, objs)
        if target is None or not ids:
            continue
        clause = scope.write_clause(target, department)
        with session.no_autoflush:
            found = set(session.scalars(select(target.id).where(target.id.in_(ids), clause)))
        if found != ids:
            raise access.Forbidden(validation.unwritable(target, ids - found))


def _scoped_rows(model: type[m.Model],
                 objs: set[m.Model]) -> tuple[type[m.Model] | None, set[int]]:
    """The table whose scope decides, and the ids to look up (an owned row: its owner's)."""
    if model in OWNED_BY:
        owners = [owner for owner in map(owner_of, objs) if owner is not None]
        if not owners:
            return None, set()
        return _scoped_rows(type(owners[0]), set(owners))
    if model is m.TaskChain:
        return m.Project, {o.project_id for o in objs if o.project_id}
    return model, {o.id for o in objs if o.id is not None}


def _rolled_back(session: Session) -> None:
    session.info.pop(ADDED, None)  # those rows are gone (and their ids free again)


def init_app(app: Flask) -> None:
    """Guard the flushes of the app's session (once: the session outlives apps)."""
    for name, listener in (("before_flush", _before_flush), ("after_flush", _after_flush),
                           ("after_rollback", _rolled_back)):
        if not event.contains(db.session, name, listener):
            event.listen(db.session, name, listener)

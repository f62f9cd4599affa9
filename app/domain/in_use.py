"""A delete of a row that other rows use (a department with tasks, a person who answers for
a project, a meeting that assigned tasks) is refused before the database is asked, with what
uses it and what to do instead: the one check the CRUD pages and the REST API both call."""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import gettext as _
from sqlalchemy import Table, func, or_, select

from app import models as m
from app.domain.validation import DomainError
from app.extensions import db

# rows written by jobs from the ledger, rebuilt whole: they go with the row (ON DELETE CASCADE)
DERIVED = {"compliance"}
# references that are the row's own content, not a use of it: they go with it (a meeting's list
# of the projects it dispatched)
OWN = {("meeting_project", "meeting_id")}

# how a count of the rows that use a row reads, by table (or table and column), in the order
# the message lists them
WORDS: dict[tuple[str, str] | str, Callable[[int], str]] = {
    "task": lambda n: _("%(n)d 项任务", n=n),
    "project": lambda n: _("%(n)d 个项目", n=n),
    "person": lambda n: _("%(n)d 名责任人", n=n),
    "problem": lambda n: _("%(n)d 个问题", n=n),
    "investment_report": lambda n: _("%(n)d 条投资月报", n=n),
    ("meeting", "chair_id"): lambda n: _("%(n)d 次调度会", n=n),
    # a meeting that dispatched the project uses it (its own list of them: OWN)
    ("meeting_project", "project_id"): lambda n: _("%(n)d 次调度会", n=n),
    "task_chain": lambda n: _("%(n)d 条倒排工期", n=n),
    "template_node": lambda n: _("%(n)d 个模板节点", n=n),
    ("department", "parent_id"): lambda n: _("%(n)d 个下级单位", n=n),  # the tree (issue 15)
}
ORDER = list(WORDS)


def _key(table: str, column: str) -> tuple[str, str] | str:
    """The WORDS entry of rows of `table` that use a row through `column`; a table not named
    there is still counted (by its name), so no use of a row is left to the database."""
    for key in ((table, column), table):
        if key in WORDS:
            return key
    return table


def _words(key: tuple[str, str] | str) -> Callable[[int], str]:
    return WORDS.get(key) or (lambda n: _("%(n)d 条“%(table)s”记录", n=n, table=key))


def _instead(item: m.Model) -> str:
    """What the administrator can do instead of deleting."""
    if isinstance(item, m.Department):
        return _("可以改为停用。")
    if isinstance(item, m.Project):
        return _("可以把阶段改为“终止”。")
    if isinstance(item, m.Person):
        return _("可以先把这些记录改由其他责任人负责，再删除。")
    return _("调度会是考核的依据；确需删除时，请先把这些任务改到其他调度会。")


def _users(target: Table) -> list[tuple[Table, list, Callable[[int], str]]]:
    """Each table that refers to `target`, with its referring columns and its words."""
    found: dict[tuple[str, str] | str, tuple[Table, list]] = {}
    for table in db.metadata.sorted_tables:
        if table.name in DERIVED:
            continue
        for fk in table.foreign_keys:
            if fk.column.table is target and (table.name, fk.parent.name) not in OWN:
                key = _key(table.name, fk.parent.name)
                found[key] = (table, [*found.get(key, (table, []))[1], fk.parent])
    rank = {key: place for place, key in enumerate(ORDER)}
    return [(table, columns, _words(key)) for key, (table, columns)
            in sorted(found.items(), key=lambda kv: rank.get(kv[0], len(rank)))]


def uses(item: m.Model) -> list[str]:
    """What uses this row, as the message says it ("12 项任务"), nothing when unused."""
    said = []
    for table, columns, words in _users(type(item).__table__):
        count = db.session.scalar(select(func.count()).select_from(table)
                                  .where(or_(*(c == item.id for c in columns))))
        if count:
            said.append(words(count))
    return said


def guard_delete(item: m.Model) -> None:
    """Refuse (409) the delete of a department, person, project or meeting in use."""
    if not isinstance(item, m.Department | m.Person | m.Project | m.Meeting):
        return
    used = uses(item)
    if used:
        raise DomainError(_("%(name)s 还有 %(uses)s，不能删除；%(instead)s", name=str(item),
                            uses=_("、").join(used), instead=_instead(item)), 409)

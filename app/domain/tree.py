"""The department tree (issue 15): units in tree order, each at its depth, for the 责任单位
list and every department picker; and the check that no unit is made its own ancestor."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from flask import g, has_app_context
from flask_babel import gettext as _
from sqlalchemy import select

from app import models as m
from app.extensions import db

INDENT = "\u3000"  # a full-width space: an <option> keeps it, where it folds ASCII spaces


def depths() -> dict[int, int]:
    """Every unit's depth (0 at the top), from one query of (id, parent_id); once per
    request (app context), as pickers ask for each option's label."""
    cached = g.get("_keyledger_depths") if has_app_context() else None
    if cached is not None:
        return cached
    parents = dict(db.session.execute(select(m.Department.id, m.Department.parent_id)).all())
    found: dict[int, int] = {}

    def depth(unit: int, seen: frozenset[int] = frozenset()) -> int:
        if unit not in found:
            parent = parents.get(unit)
            found[unit] = 0 if parent is None or parent in seen else 1 + depth(
                parent, seen | {unit})
        return found[unit]

    for unit in parents:
        depth(unit)
    if has_app_context():
        g._keyledger_depths = found
    return found


def tree_order(units: Iterable[m.Department]) -> list[m.Department]:
    """These units in tree order: each after its parent, siblings by name. A unit whose
    parent is not among them stands at the top of what is shown."""
    units = list(units)
    present = {u.id for u in units}
    children: dict[int | None, list[m.Department]] = defaultdict(list)
    for unit in units:
        children[unit.parent_id if unit.parent_id in present else None].append(unit)
    out: list[m.Department] = []
    stack = sorted(children[None], key=lambda u: u.name, reverse=True)
    while stack:
        unit = stack.pop()
        if unit.id in {o.id for o in out}:
            continue
        out.append(unit)
        stack.extend(sorted(children[unit.id], key=lambda u: u.name, reverse=True))
    return out


def label(unit: m.Department) -> str:
    """A unit's name indented by its depth in the tree (a picker's option)."""
    depth = depths().get(unit.id, 0) if unit.id is not None else 0
    return f"{INDENT * 2 * depth}{'└ ' if depth else ''}{unit.name}"


def positions() -> dict[int, int]:
    """Every unit's place in tree order (the 责任单位 list sorts by it)."""
    units = db.session.scalars(select(m.Department)).all()
    return {unit.id: place for place, unit in enumerate(tree_order(units))}


def name_label(name: str) -> str:
    """A unit's name (names are unique) indented by its depth: the 责任单位 list's column."""
    cached = g.get("_keyledger_names") if has_app_context() else None
    if cached is None:
        cached = dict(db.session.execute(select(m.Department.name, m.Department.id)).all())
        if has_app_context():
            g._keyledger_names = cached
    found = cached.get(name)
    depth = depths().get(found, 0) if found is not None else 0
    return f"{INDENT * 2 * depth}{'└ ' if depth else ''}{name}"


def forget() -> None:
    """Drop this request's depths (after a unit moved)."""
    if has_app_context():
        g.pop("_keyledger_depths", None)
        g.pop("_keyledger_names", None)


def check_parent(unit: m.Model, _adding: bool = False) -> str | None:
    """The message refusing (422) a parent that is the unit itself or a unit under it."""
    assert isinstance(unit, m.Department)
    parent = unit.__dict__.get("parent")
    parent_id = parent.id if parent is not None else unit.parent_id
    if parent_id is None or unit.id is None:
        return None
    if parent_id == unit.id:
        return _("上级单位不能是本单位。")
    with db.session.no_autoflush:
        parents = dict(db.session.execute(
            select(m.Department.id, m.Department.parent_id)).all())
    seen, step = {unit.id}, parent_id
    while step is not None:
        if step in seen:
            return _("上级单位不能是本单位的下级单位。")
        seen.add(step)
        step = parents.get(step)
    return None

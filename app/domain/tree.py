"""The department tree (issue 15): units in tree order, each at its depth, for the 责任单位
list and every department picker; and the check that no unit is made its own ancestor.
(The subtree of a data scope is app/domain/scope.py `subtree`, one recursive query.)"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from flask_babel import gettext as _
from sqlalchemy import select

from app import models as m
from app.extensions import db

INDENT = "\u3000"  # a full-width space: an <option> keeps it, where it folds ASCII spaces


def depth_in(parents: dict[int, int | None], unit: int) -> int:
    """A unit's depth (0 at the top) given every unit's parent; a cycle ends the walk."""
    depth, seen, step = 0, {unit}, parents.get(unit)
    while step is not None and step not in seen:
        seen.add(step)
        depth, step = depth + 1, parents.get(step)
    return depth


def indented(name: str, depth: int) -> str:
    return f"{INDENT * 2 * depth}{'└ ' if depth else ''}{name}"


def unindented(name: str) -> str:
    """A name as `indented` gave it, at the top level again."""
    return name.lstrip(INDENT).removeprefix("└ ")


def tree_order(units: Iterable[m.Department]) -> list[m.Department]:
    """These units in tree order: each after its parent, siblings by name. A unit whose
    parent is not among them stands at the top of what is shown. Each unit keeps its depth
    in what is shown, for `label` (from the parent_id columns: no query)."""
    units = list(units)
    present = {u.id for u in units}
    children: dict[int | None, list[m.Department]] = defaultdict(list)
    for unit in units:
        children[unit.parent_id if unit.parent_id in present else None].append(unit)
    out: list[m.Department] = []
    done: set[int] = set()
    stack = [(u, 0) for u in sorted(children[None], key=lambda u: u.name, reverse=True)]
    while stack:
        unit, depth = stack.pop()
        if unit.id in done:
            continue
        done.add(unit.id)
        unit.tree_depth = depth  # not a column: for label()
        out.append(unit)
        stack.extend((child, depth + 1) for child in
                     sorted(children[unit.id], key=lambda u: u.name, reverse=True))
    return out


def label(unit: m.Department) -> str:
    """A unit's name indented by its depth in the tree (a picker's option, after
    `tree_order` placed it)."""
    return indented(unit.name, getattr(unit, "tree_depth", 0))


def positions() -> dict[int, int]:
    """Every unit's place in tree order (the 责任单位 list sorts by it)."""
    units = db.session.scalars(select(m.Department)).all()
    return {unit.id: place for place, unit in enumerate(tree_order(units))}


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

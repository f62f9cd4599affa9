"""倒排工期: schedule a chain of nodes backwards from a target date, in working days.

Plain functions over plain values, like rules.py. A node of n working days that must be
done by day F occupies the n working days ending on F; the nodes it waits for must be
done by the working day before it starts. Parallel successors: a node must be done
before the earliest of them starts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app.domain.rules import DAY, Calendar


class ScheduleError(ValueError):
    """A chain that cannot be scheduled: a cycle, an unknown node, a bad duration.

    `kind` ("duration", "unknown" or "cycle") and `key` let a caller word its own message.
    """

    def __init__(self, message: str, kind: str = "", key: str = "") -> None:
        super().__init__(message)
        self.kind = kind
        self.key = key


@dataclass(frozen=True)
class Node:
    key: str
    workdays: int
    depends_on: tuple[str, ...] = ()


@dataclass(frozen=True)
class Slot:
    start: dt.date
    deadline: dt.date


@dataclass(frozen=True)
class Plan:
    slots: dict[str, Slot]
    first_start: dt.date
    shortfall: int  # working days the first node would have to start before `today`
    earliest_target: dt.date  # the earliest target every node fits before, from today


def order(nodes: list[Node]) -> list[Node]:
    """The nodes in an order where each comes after what it waits for; refuses cycles."""
    by_key = {n.key: n for n in nodes}
    for node in nodes:
        if node.workdays < 1:
            raise ScheduleError(f"duration of {node.key} must be at least 1 working day",
                                "duration", node.key)
        for dep in node.depends_on:
            if dep not in by_key:
                raise ScheduleError(f"{node.key} waits for unknown node {dep}", "unknown",
                                    node.key)
    done: list[Node] = []
    seen: set[str] = set()
    remaining = list(nodes)
    while remaining:
        ready = [n for n in remaining if all(d in seen for d in n.depends_on)]
        if not ready:
            raise ScheduleError("the nodes wait for each other in a cycle", "cycle",
                                remaining[0].key)
        for node in ready:
            done.append(node)
            seen.add(node.key)
        remaining = [n for n in remaining if n.key not in seen]
    return done


def last_workday_on_or_before(day: dt.date, cal: Calendar) -> dt.date:
    while not cal.is_workday(day):
        day -= DAY
    return day


def first_workday_on_or_after(day: dt.date, cal: Calendar) -> dt.date:
    while not cal.is_workday(day):
        day += DAY
    return day


def backwards(nodes: list[Node], target: dt.date, cal: Calendar) -> dict[str, Slot]:
    """Every node's start and deadline, the last ones done by `target`."""
    ordered = order(nodes)
    successors: dict[str, list[str]] = {n.key: [] for n in ordered}
    for node in ordered:
        for dep in node.depends_on:
            successors[dep].append(node.key)
    slots: dict[str, Slot] = {}
    for node in reversed(ordered):
        if successors[node.key]:
            earliest_next = min(slots[s].start for s in successors[node.key])
            deadline = cal.subtract_workdays(earliest_next, 1)
        else:
            deadline = last_workday_on_or_before(target, cal)
        slots[node.key] = Slot(cal.subtract_workdays(deadline, node.workdays - 1), deadline)
    return slots


def forwards(nodes: list[Node], start: dt.date, cal: Calendar) -> dict[str, Slot]:
    """Every node as early as possible, the first ones starting on `start`."""
    slots: dict[str, Slot] = {}
    for node in order(nodes):
        if node.depends_on:
            begin = cal.add_workdays(max(slots[d].deadline for d in node.depends_on), 1)
        else:
            begin = first_workday_on_or_after(start, cal)
        slots[node.key] = Slot(begin, cal.add_workdays(begin, node.workdays - 1))
    return slots


def plan(nodes: list[Node], target: dt.date, today: dt.date, cal: Calendar) -> Plan:
    """The backward schedule, how far it starts before today, and the earliest target."""
    slots = backwards(nodes, target, cal)
    first = min(s.start for s in slots.values())
    begin = first_workday_on_or_after(today, cal)
    shortfall = cal.workdays_between(first, begin) if first < begin else 0
    earliest = max(s.deadline for s in forwards(nodes, today, cal).values())
    return Plan(slots, first, shortfall, earliest)


# --- re-planning when a node slips -----------------------------------------------------


@dataclass(frozen=True)
class Squeeze:
    """A later node under "keep the target": the working days it has left, and the cut."""

    start: dt.date
    deadline: dt.date
    available: int  # working days from its earliest start to its deadline (< 1: no room)
    shortened_by: int  # working days it must give up (0: it still fits)


def after(nodes: list[Node], key: str) -> list[Node]:
    """The nodes that wait, directly or not, for `key`, in chain order."""
    later: set[str] = {key}
    found = []
    for node in order(nodes):
        if any(d in later for d in node.depends_on):
            later.add(node.key)
            found.append(node)
    return found


def _ready(node: Node, deadlines: dict[str, dt.date], cal: Calendar) -> dt.date:
    """The first working day after everything the node waits for is done."""
    return cal.add_workdays(max(deadlines[d] for d in node.depends_on), 1)


def shift(nodes: list[Node], deadlines: dict[str, dt.date], key: str, new_deadline: dt.date,
          cal: Calendar) -> dict[str, dt.date]:
    """Option A: `key` done on `new_deadline`, the nodes after it moved later as needed.

    A later node keeps its deadline in force when it still fits; none moves earlier.
    Returns every node's deadline; the latest is the target the slip implies.
    """
    moved = dict(deadlines)
    moved[key] = new_deadline
    for node in after(nodes, key):
        finish = cal.add_workdays(_ready(node, moved, cal), node.workdays - 1)
        moved[node.key] = max(finish, deadlines[node.key])
    return moved


def squeeze(nodes: list[Node], deadlines: dict[str, dt.date], key: str, new_deadline: dt.date,
            cal: Calendar) -> dict[str, Squeeze]:
    """Option B: the target kept; how many working days each later node must give up.

    Every deadline stays; a node without a single working day left (`available` < 1)
    makes the target unreachable, and the nodes after it are judged from its deadline.
    """
    known = dict(deadlines)
    known[key] = new_deadline
    result: dict[str, Squeeze] = {}
    for node in after(nodes, key):
        begin = _ready(node, known, cal)
        deadline = deadlines[node.key]
        available = cal.workdays_between(begin, deadline) + 1  # begin is a working day
        result[node.key] = Squeeze(begin, deadline, available,
                                   max(0, node.workdays - max(available, 0)))
        known[node.key] = max(deadline, begin)
    return result

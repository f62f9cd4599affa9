"""倒排工期: schedule a chain of nodes backwards from a target date, in working days.

Plain functions over plain values, like rules.py. A node of n working days that must be
done by day F occupies the n working days ending on F; the nodes it waits for must be
done by the working day before it starts. Parallel successors: a node must be done
before the earliest of them starts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .rules import DAY, Calendar


class ScheduleError(ValueError):
    """A chain that cannot be scheduled: a cycle, an unknown node, a bad duration."""


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
            raise ScheduleError(f"duration of {node.key} must be at least 1 working day")
        for dep in node.depends_on:
            if dep not in by_key:
                raise ScheduleError(f"{node.key} waits for unknown node {dep}")
    done: list[Node] = []
    seen: set[str] = set()
    remaining = list(nodes)
    while remaining:
        ready = [n for n in remaining if all(d in seen for d in n.depends_on)]
        if not ready:
            raise ScheduleError("the nodes wait for each other in a cycle")
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

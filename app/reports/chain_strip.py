"""The chain as a Gantt-like strip: each node a bar from its start to its deadline.

Shared by the project's page, the 倒排工期 preview and the chain sheet of the export.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from app import models as m
from app.domain import choices
from app.domain.rules import Calendar


@dataclass(frozen=True)
class Bar:
    title: str
    department: str
    person: str
    start: dt.date
    deadline: dt.date
    original_deadline: dt.date
    status: str
    status_label: str
    left: float  # per cent of the strip
    width: float
    task_id: int | None = None


@dataclass(frozen=True)
class Strip:
    name: str
    target: dt.date
    today: dt.date
    bars: list[Bar]
    target_left: float
    today_left: float


@dataclass(frozen=True)
class Item:
    """A node as the strip needs it."""

    title: str
    department: str
    person: str
    start: dt.date
    deadline: dt.date
    original_deadline: dt.date
    status: str
    task_id: int | None = None


def strip(name: str, target: dt.date, today: dt.date, items: Iterable[Item]) -> Strip:
    """Place every node on one time axis that also holds the target and today."""
    items = list(items)
    low = min([i.start for i in items] + [today, target])
    high = max([i.deadline for i in items] + [today, target])
    days = (high - low).days + 1

    def at(day: dt.date) -> float:
        return round(100 * (day - low).days / days, 2)

    bars = [Bar(i.title, i.department, i.person, i.start, i.deadline, i.original_deadline,
                i.status, choices.label(choices.TASK_STATUS, i.status), at(i.start),
                max(round(100 * ((i.deadline - i.start).days + 1) / days, 2), 0.8), i.task_id)
            for i in items]
    return Strip(name, target, today, bars, at(target), at(today))


def node_start(node: m.ChainNode, cal: Calendar) -> dt.date:
    """A node's start: its duration counted back from the deadline in force."""
    return cal.subtract_workdays(node.task.deadline, max(node.workdays, 1) - 1)


def chain_items(chain: m.TaskChain, cal: Calendar) -> list[Item]:
    return [Item(n.task.title, n.task.department.name, n.task.person.name if n.task.person else "",
                 node_start(n, cal), n.task.deadline, n.task.original_deadline, n.task.status,
                 n.task_id) for n in chain.nodes]


def chain_strips(chains: Iterable[m.TaskChain], today: dt.date, cal: Calendar) -> list[Strip]:
    return [strip(c.name, c.target, today, chain_items(c, cal)) for c in chains if c.nodes]

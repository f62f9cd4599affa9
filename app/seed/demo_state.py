"""What the demo's seeding steps share: the dice, the day, and the rows built so far."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from app import models as m
from app.domain import rules


@dataclass
class Seed:
    """The state of one seeding: dice, day, calendar, settings, rows by table."""

    rng: random.Random
    today: dt.date
    cal: rules.Calendar
    settings: rules.Settings
    rows: dict[str, list] = field(default_factory=lambda: defaultdict(list))
    depts: dict[str, m.Department] = field(default_factory=dict)
    staff: dict[str, list[m.Person]] = field(default_factory=dict)
    completed: dict[m.Project, Decimal] = field(default_factory=dict)
    feedback_days: dict[m.Task, list[dt.date]] = field(default_factory=lambda: defaultdict(list))
    sent: set[tuple[int, str, dt.date]] = field(default_factory=set)

    def add(self, table: str, *rows: object) -> None:
        """Collect rows for a table."""
        self.rows[table].extend(rows)

    @property
    def leaders(self) -> list[m.Person]:
        """The county leaders (the leadership unit's people), the 县长 first."""
        return [p for people in self.staff.values() for p in people if p.is_leader]

    def member(self, dept: m.Department) -> m.Person:
        """A working-level person of a department (not its head when it has others)."""
        people = self.staff[dept.name]
        return self.rng.choice(people[1:] or people)

    def workday_from(self, day: dt.date) -> dt.date:
        """The day itself if a working day, else the next working day."""
        while not self.cal.is_workday(day):
            day += rules.DAY
        return day

    def days(self, low: int, high: int) -> dt.timedelta:
        """A random number of days from `low` to `high`."""
        return dt.timedelta(days=self.rng.randint(low, high))

    def between(self, low: dt.date, high: dt.date) -> dt.date:
        """A day from `low` to `high`, both included."""
        return low + dt.timedelta(days=self.rng.randint(0, (high - low).days))

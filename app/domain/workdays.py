"""Working days (DESIGN.md): chinese-calendar overridden by the `holiday` table; for a year
the calendar does not know, weekends only plus the table, never a crash."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass

import chinese_calendar

DAY = dt.timedelta(days=1)


@functools.lru_cache(maxsize=4096)
def _statutory_workday(day: dt.date) -> bool:
    """chinese-calendar's answer; weekends only for a year it does not know."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


@dataclass(frozen=True)
class Calendar:
    """Working days: chinese-calendar, overridden by the `holiday` table.

    For a year the package does not know: weekends only, plus the table.
    """

    overrides: Mapping[dt.date, bool] | None = None  # day -> is_workday

    def is_workday(self, day: dt.date) -> bool:
        if self.overrides and day in self.overrides:
            return self.overrides[day]
        return _statutory_workday(day)

    def add_workdays(self, start: dt.date, n: int) -> dt.date:
        """The day that is the n-th working day after `start` (n >= 0; 0 is `start`)."""
        day = start
        while n > 0:
            day += DAY
            if self.is_workday(day):
                n -= 1
        return day

    def subtract_workdays(self, end: dt.date, n: int) -> dt.date:
        """The day that is the n-th working day before `end` (n >= 0; 0 is `end`)."""
        day = end
        while n > 0:
            day -= DAY
            if self.is_workday(day):
                n -= 1
        return day

    def due_soon_until(self, as_of: dt.date, n: int) -> dt.date:
        """The last day whose deadline is at most n working days after `as_of`."""
        return self.add_workdays(as_of, n + 1) - DAY

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end`; negative if end < start."""
        if end < start:
            return -self.workdays_between(end, start)
        count, day = 0, start
        while day < end:
            day += DAY
            count += self.is_workday(day)
        return count

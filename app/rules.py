"""The rules of DESIGN.md as plain functions over plain values: no Flask, no session.

`as_of` (the day D) is always passed in. Views, jobs, reports and tests call these,
so they cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

import chinese_calendar

DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Calendar:
    """Working days: chinese-calendar, overridden by the `holiday` table.

    For a year the package does not know: weekends only, plus the table.
    """

    overrides: Mapping[dt.date, bool] | None = None  # day -> is_workday

    def is_workday(self, day: dt.date) -> bool:
        if self.overrides and day in self.overrides:
            return self.overrides[day]
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            return day.weekday() < 5

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

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end`; negative if end < start."""
        if end < start:
            return -self.workdays_between(end, start)
        count, day = 0, start
        while day < end:
            day += DAY
            count += self.is_workday(day)
        return count


@dataclass(frozen=True)
class Settings:
    """The tunable numbers of the rules (config.py reads them from the environment)."""

    due_soon_workdays: int = 3
    feedback_day: int = 25
    lag_yellow: float = 0.10
    lag_red: float = 0.30


def task_status(
    deadline: dt.date,
    done_on: dt.date | None,
    cancelled: bool,
    as_of: dt.date,
    calendar: Calendar,
    settings: Settings = Settings(),  # noqa: B008 - frozen, shared safely
) -> tuple[str, int]:
    """A task's status and overdue days as of a day."""
    if cancelled:
        return "cancelled", 0
    if done_on is not None:
        if done_on <= deadline:
            return "done_on_time", 0
        return "done_late", (done_on - deadline).days
    if deadline < as_of:
        return "overdue", (as_of - deadline).days
    if calendar.workdays_between(as_of, deadline) <= settings.due_soon_workdays:
        return "due_soon", 0
    return "pending", 0


def time_progress(as_of: dt.date) -> float:
    """Days elapsed in the year of `as_of`, up to and including it, over the days in that year."""
    start = dt.date(as_of.year, 1, 1)
    days_in_year = (dt.date(as_of.year + 1, 1, 1) - start).days
    return ((as_of - start).days + 1) / days_in_year


def investment_lag(
    annual_plan: Decimal | float | None, completed_this_year: Decimal | float, as_of: dt.date
) -> float | None:
    """Time progress minus completion; None without an annual plan."""
    if not annual_plan:
        return None
    return time_progress(as_of) - float(completed_this_year) / float(annual_plan)


def project_color(
    task_statuses: list[str],
    overdue_problem: bool,
    lag: float | None,
    settings: Settings = Settings(),  # noqa: B008
) -> str:
    """A project's colour from its tasks' statuses, its problems and its investment lag."""
    lagging = lag is not None and lag > settings.lag_red
    if "overdue" in task_statuses or overdue_problem or lagging:
        return "red"
    if "due_soon" in task_statuses or (lag is not None and lag > settings.lag_yellow):
        return "yellow"
    return "green"


def problem_overdue(
    deadline: dt.date | None, resolved_on: dt.date | None, as_of: dt.date
) -> bool:
    """An unresolved problem past its deadline."""
    unresolved = resolved_on is None or resolved_on > as_of
    return deadline is not None and deadline < as_of and unresolved


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    nxt = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return nxt - DAY

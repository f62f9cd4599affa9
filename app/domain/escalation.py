"""分级督办's rule (issue 16, item 3) as plain functions: a task's 督办 level as of a day D,
by working days overdue; the thresholds are rules.Settings' escalation_* numbers. No Flask,
no session: the job, the stored level (rules_sql.escalation_level_on) and the pages agree.
"""

from __future__ import annotations

import datetime as dt

from app.domain.rules import Settings
from app.domain.workdays import DAY, Calendar


def level(
    deadline: dt.date,
    done_on: dt.date | None,
    cancelled: bool,
    as_of: dt.date,
    calendar: Calendar,
    settings: Settings = Settings(),  # noqa: B008 - frozen, shared safely (as rules.py)
    notices: int = 0,
) -> str | None:
    """A task's 督办 level as of a day: 红 or 黄 by working days overdue, 蓝 when due soon
    (or overdue by fewer working days than 黄 needs); none for a task done, cancelled or
    not due soon. With ESCALATION_RED_NOTICES = N, an overdue task is 红 also once it has had
    N 督办单 since its deadline (`notices`: those sent after the deadline, up to D)."""
    if cancelled or done_on is not None:
        return None
    if deadline < as_of:
        late = calendar.workdays_between(deadline, as_of)
        if late >= settings.escalation_red_workdays or red_by_notices(notices, settings):
            return "red"
        if late >= settings.escalation_yellow_workdays:
            return "yellow"
        return "blue"
    if deadline <= calendar.due_soon_until(as_of, settings.due_soon_workdays):
        return "blue"
    return None


def red_by_notices(notices: int, settings: Settings) -> bool:
    """红 "after a second notice" (ESCALATION_RED_NOTICES, off at 0)."""
    return settings.escalation_red_notices > 0 and notices >= settings.escalation_red_notices


def since(as_of: dt.date, workdays: int, calendar: Calendar) -> dt.date:
    """The day a deadline must be before to be `workdays` working days overdue as of D:
    the `workdays`-th working day counting back from D itself (D + 1 day for none)."""
    return calendar.subtract_workdays(as_of + DAY, workdays)

"""When a month's compliance is judged: a month in progress is shown as figures so far
(截至 D日（进行中）), judged and coloured only from its 考核截止日 on."""

from __future__ import annotations

import datetime as dt

from flask import current_app, has_app_context
from flask_babel import gettext as _

from app.domain import rules, status

DEFAULT_CLOSE_DAY = 1  # the 1st of the next month: the first day after the month ends


def close_day() -> int:
    """COMPLIANCE_CLOSE_DAY: the day of the next month from which a month is judged (1–28)."""
    value = current_app.config.get("COMPLIANCE_CLOSE_DAY") if has_app_context() else None
    return min(max(int(value or DEFAULT_CLOSE_DAY), 1), 28)


def closes_on(period: dt.date, day: int | None = None) -> dt.date:
    """The first day on which the period is judged: its next month's `day`."""
    following = rules.month_end(period) + rules.DAY
    return following.replace(day=day or close_day())


def in_progress(period: dt.date, today: dt.date | None = None) -> bool:
    """Whether the period has begun and is not judged yet on `today` (the portal's today by
    default). A month to come is neither: nothing in it can have been built from the ledger."""
    today = today or status.today()
    period = rules.month_start(period)
    return period <= today < closes_on(period)


def figures_as_of(period: dt.date, built: dt.date | None) -> dt.date:
    """The day a month's figures run to: the day they were built (today, if not yet)."""
    return rules.compliance_as_of(period, built or status.today())


def progress_note(period: dt.date, built: dt.date | None) -> str | None:
    """"截至 D日（进行中）" for a month not judged yet, its figures built on `built`; else None."""
    if not in_progress(period):
        return None
    return _("截至 %(d)s日（进行中）", d=figures_as_of(period, built).day)

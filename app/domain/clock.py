"""The portal's one clock: what "today" and "now" mean, in the configured time zone.

Every page, job, command and the demo ask this module, never the system clock directly, so a
deployment (or a test) can fix the day with `TODAY` (environment `KEYLEDGER_TODAY`,
YYYY-MM-DD): the portal then behaves as on that day, whatever the machine's date.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_ZONE = "Asia/Shanghai"


def zone() -> ZoneInfo:
    """The portal's time zone (TIMEZONE, Asia/Shanghai by default)."""
    name = current_app.config.get("TIMEZONE", DEFAULT_ZONE) if has_app_context() else None
    return ZoneInfo(name or DEFAULT_ZONE)


def fixed_day() -> dt.date | None:
    """The day set by TODAY, if any."""
    value = current_app.config.get("TODAY") if has_app_context() else None
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def now() -> dt.datetime:
    """Now in the portal's time zone (aware); on a fixed day, that day at the present time."""
    moment = dt.datetime.now(zone())
    day = fixed_day()
    return moment if day is None else dt.datetime.combine(day, moment.timetz())


def today() -> dt.date:
    """Today where the portal is."""
    return now().date()


def utcnow() -> dt.datetime:
    """Now in UTC, naive, as stored timestamps (run records, audit rows) hold it."""
    return now().astimezone(dt.UTC).replace(tzinfo=None)


def local_day(stored: dt.datetime) -> dt.date:
    """The portal's day of a stored (naive UTC) timestamp."""
    return stored.replace(tzinfo=dt.UTC).astimezone(zone()).date()

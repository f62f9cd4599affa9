"""The one clock of the pages (issue 17, item 6): every time a user sees is the portal's
time zone (TIMEZONE, Beijing by default), to the minute.

Stored times are naive UTC (app/tables/base.py, app/domain/clock.py); an aware time is
converted as it is. Every list and show column of a datetime (form_fields.list_formatters),
every hand-written page and the Jinja filter `local_time` go through `local_time`.
"""

from __future__ import annotations

import datetime as dt

from flask import Flask

from app.domain import clock

MINUTE = "%Y-%m-%d %H:%M"


def in_zone(value: dt.datetime) -> dt.datetime:
    """A stored time (naive: UTC) as an aware time in the portal's zone."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
    return aware.astimezone(clock.zone())


def local_time(value: dt.datetime | dt.date | None) -> str:
    """2026-12-03 17:41 (Beijing) for a stored 09:41:53.690551 (UTC); a date as it is."""
    if value is None:
        return ""
    if not isinstance(value, dt.datetime):
        return value.isoformat()
    return in_zone(value).strftime(MINUTE)


def iso_time(value: dt.datetime | None) -> str | None:
    """A stored time for JSON: ISO 8601 in the portal's zone with its offset (+08:00)."""
    return None if value is None else in_zone(value).isoformat(timespec="seconds")


def server_time(value: dt.datetime | None) -> str:
    """FAB's own account times (last login, created, changed: `datetime.now()`, the server's
    local time, naive) in the portal's zone, to the minute."""
    if value is None:
        return ""
    aware = value.astimezone() if value.tzinfo is None else value  # naive: the server's zone
    return local_time(aware)


def init_app(app: Flask) -> None:
    """The filter for templates: {{ row.created_at | local_time }}."""
    app.add_template_filter(local_time, "local_time")

"""The months the 督查通报 page lists (issue 17, item 3): every month since the ledger's
first entry (the earliest task assigned or meeting held) through last month, and every
month that has a circular, latest first, each with its circular if there is one."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select

from app import models as m
from app.domain import rules
from app.extensions import db
from app.reports.compliance import FIRST_YEAR


@dataclass(frozen=True)
class CircularMonth:
    """One month of the page: its circular's issue and which files it has, or none yet."""

    period: dt.date
    id: int | None = None
    doc_number: str | None = None
    issued_on: dt.date | None = None
    issued_by: str | None = None
    built_at: dt.datetime | None = None
    docx: bool = False
    xlsx: bool = False

    @property
    def built(self) -> bool:
        return self.docx or self.xlsx


def issued() -> dict[dt.date, CircularMonth]:
    """Every circular's issue by month, without loading its files."""
    c = m.Circular
    query = select(c.period, c.id, c.doc_number, c.issued_on, c.issued_by, c.built_at,
                   c.docx.is_not(None), c.xlsx.is_not(None))
    return {row[0]: CircularMonth(*row) for row in db.session.execute(query)}


def first_month() -> dt.date | None:
    """The month of the ledger's first entry (index look-ups, not a scan)."""
    days = [db.session.scalar(select(func.min(m.Task.assigned_on))),
            db.session.scalar(select(func.min(m.Meeting.held_on)))]
    found = [d for d in days if d is not None and d.year >= FIRST_YEAR]
    return rules.month_start(min(found)) if found else None


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """The first days of the months from `first` through `last`, both month starts."""
    out, month = [], first
    while month <= last:
        out.append(month)
        month = rules.month_start(month + dt.timedelta(days=32))
    return out


def circular_months(today: dt.date) -> list[CircularMonth]:
    """The page's months, latest first."""
    circulars = issued()
    last = rules.month_start(rules.month_start(today) - dt.timedelta(days=1))
    first = first_month()
    periods = set(circulars) | set(months_between(first, last) if first else [])
    return [circulars.get(p) or CircularMonth(p) for p in sorted(periods, reverse=True)]

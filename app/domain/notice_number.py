"""The number of a 督办通知单 (issue 16): 督办〔YEAR〕N号, N counting from 1 each year, with no
gaps, whoever issues at once (the office by hand, the daily escalation job).

One statement takes the year's `notice_counter` row and moves it on: `INSERT … ON CONFLICT
DO UPDATE … RETURNING`. On PostgreSQL it locks the row until the transaction ends, so a
second issuer waits and then counts on from the first one's commit (or, after its rollback,
from where it was: a number is never lost); SQLite's write lock serialises the same way. The
unique (doc_year, doc_seq) of `supervision` refuses a duplicate should anything write past it.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _
from sqlalchemy import text

from app import models as m
from app.extensions import db

TAKE = text("INSERT INTO notice_counter (year, last) VALUES (:year, :count) "
            "ON CONFLICT (year) DO UPDATE SET last = notice_counter.last + excluded.last "
            "RETURNING last")


def reserve(year: int, count: int) -> int:
    """Take the next `count` numbers of `year` (held until this transaction ends); returns the
    first of them. `count` 0 only waits for, and holds, the year's counter."""
    last = db.session.execute(TAKE, {"year": year, "count": count}).scalar_one()
    return int(last) - count + 1


def number(rows: Sequence[object]) -> None:
    """Give each 督办单 among the rows that has none its number, in the order given, from the
    year of its day (the save path's guard calls this for every row it passes)."""
    waiting: dict[int, list[m.Supervision]] = {}
    for row in rows:
        if isinstance(row, m.Supervision) and row.channel == "notice" and row.doc_seq is None:
            waiting.setdefault(row.sent_on.year, []).append(row)
    for year, notices in sorted(waiting.items()):
        first = reserve(year, len(notices))
        for offset, row in enumerate(notices):
            row.doc_year, row.doc_seq = year, first + offset


def doc_number(year: int | None, seq: int | None) -> str:
    """督办〔2026〕3号; empty for a supervision that is not a numbered 督办单."""
    if year is None or seq is None:
        return ""
    return _("督办〔%(year)s〕%(number)s号", year=year, number=seq)

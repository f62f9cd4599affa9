"""The 发文字号 of a 督查通报 (issue 17): PREFIX〔YEAR〕N号, N counting from
CIRCULAR_NUMBER_START each year in the order circulars are first issued.

Builds of two months run side by side (each holds the lock of its own month), so the year's
count is read under a lock of the year (app/jobs/locks.py), held to the end of the build's
transaction; the unique (doc_year, doc_seq) of the table refuses a duplicate should anything
write past the lock.
"""

from __future__ import annotations

import datetime as dt

from flask import current_app
from sqlalchemy import func, select

from app import models as m
from app.extensions import db
from app.jobs.locks import hold


def doc_number(year: int, seq: int) -> str:
    """清督通〔2026〕11号."""
    prefix = current_app.config.get("CIRCULAR_NUMBER_PREFIX") or ""
    return f"{prefix}〔{year}〕{seq}号"


def next_seq(year: int) -> int:
    """The next number of `year`, under the year's lock (held until the transaction ends)."""
    hold("circular_number", dt.date(year, 1, 1))
    start = int(current_app.config.get("CIRCULAR_NUMBER_START") or 1)
    taken = db.session.scalar(select(func.max(m.Circular.doc_seq)).where(
        m.Circular.doc_year == year))
    return max(start, (taken or 0) + 1)


def number(circular: m.Circular, issued_on: dt.date) -> None:
    """Give a circular its number at its first issue; a rebuild keeps the one it has."""
    if circular.doc_seq is None or circular.doc_year is None:
        circular.doc_year = issued_on.year
        circular.doc_seq = next_seq(issued_on.year)
        circular.doc_number = None
    if circular.doc_number is None:
        circular.doc_number = doc_number(circular.doc_year, circular.doc_seq)

"""One year of the 节假日 calendar: its 12 month grids, and replacing its rows from a notice."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select

from app import models as m
from app.domain.holiday_notice import Notice
from app.extensions import db

Marks = Mapping[dt.date, tuple[bool, str]]  # day -> (is_workday, name)


@dataclass(frozen=True)
class Cell:
    """One day of a month grid: its kind ("holiday", "workday" 调休上班, "weekend", "")."""

    day: dt.date
    kind: str
    name: str = ""


@dataclass(frozen=True)
class Month:
    number: int
    weeks: list[list[Cell | None]]  # Monday first; None outside the month


def cell(day: dt.date, marks: Marks) -> Cell:
    """How a day shows: a holiday, a weekend day worked (调休), a weekend, or a working day."""
    weekend = day.weekday() >= 5
    if day in marks:
        workday, name = marks[day]
        if not workday:
            return Cell(day, "holiday", name)
        return Cell(day, "workday" if weekend else "", name)
    return Cell(day, "weekend" if weekend else "")


def year_months(year: int, marks: Marks) -> list[Month]:
    """The 12 month grids of a year, the marked days coloured."""
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar
    return [Month(month, [[cell(day, marks) if day.month == month else None for day in week]
                          for week in weeks(year, month)])
            for month in range(1, 13)]


def notice_marks(notice: Notice) -> dict[dt.date, tuple[bool, str]]:
    return {row.day: (row.is_workday, row.name) for row in notice.days}


def _span(year: int) -> tuple:
    return m.Holiday.day >= dt.date(year, 1, 1), m.Holiday.day <= dt.date(year, 12, 31)


def year_rows(year: int) -> list[m.Holiday]:
    """The holiday table's rows of a year, in order."""
    return list(db.session.scalars(select(m.Holiday).where(*_span(year))
                                   .order_by(m.Holiday.day)))


def replace_year(notice: Notice) -> tuple[int, int]:
    """Replace the year's holiday rows by the notice's, in one transaction; (removed, added)."""
    old = year_rows(notice.year)
    try:
        for row in old:
            db.session.delete(row)
        db.session.flush()  # the day is unique: the old rows go before the new ones come
        db.session.add_all(m.Holiday(day=row.day, is_workday=row.is_workday, name=row.name)
                           for row in notice.days)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return len(old), len(notice.days)

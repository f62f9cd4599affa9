"""The 节假日 calendar: prefill it from chinese-calendar, warn when a year is not covered.

A year is *covered* when chinese-calendar knows it (the State Council's schedule is in the
installed release) or when the `holiday` table holds at least one row in that year (the
office has begun entering it by hand). An uncovered year counts weekends only, so the
portal warns the office to enter it: for this year always, for the next from 1 December
(the notice comes out in November; app/web/holiday_notice_pages.py reads it in). The table
cannot tell a complete entry from a partial one: one row is taken as "entered".
"""

from __future__ import annotations

import datetime as dt
import functools

from chinese_calendar import constants
from flask import flash, redirect, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app import models as m
from app.domain import access, status
from app.domain.access import READ
from app.domain.labels import joined
from app.extensions import appbuilder, db

WARNED_RESOURCE = "WorkdayCalendar"  # the year calendar page (app/web/holiday_notice_pages.py)


@functools.cache
def known_years() -> frozenset[int]:
    """The years whose holiday schedule the installed chinese-calendar release holds."""
    return frozenset(day.year for day in constants.holidays)


def _has_rows(year: int) -> bool:
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    query = select(m.Holiday.id).where(m.Holiday.day >= first, m.Holiday.day <= last).limit(1)
    return db.session.scalar(query) is not None


WARN_NEXT_YEAR_FROM = (12, 1)  # (month, day): the State Council publishes in November


def uncovered_years(today: dt.date) -> list[int]:
    """This year and the next, where neither chinese-calendar nor the holiday table covers them."""
    return [year for year in (today.year, today.year + 1)
            if year not in known_years() and not _has_rows(year)]


def warned_years(today: dt.date) -> list[int]:
    """The uncovered years to warn of: this year always, the next from 1 December."""
    december = (today.month, today.day) >= WARN_NEXT_YEAR_FROM
    return [year for year in uncovered_years(today) if year == today.year or december]


def coverage_warnings() -> list[str]:
    """The warnings shown to whoever reads the working-day calendar (WorkdayCalendar: read)."""
    if not current_user.is_authenticated or not access.current().may(READ, WARNED_RESOURCE):
        return []
    return [_("%(year)s 年节假日安排尚未发布/未录入，工作日按周一至周五计算，请在节假日表中补录。",
              year=str(year)) for year in warned_years(status.today())]


def _chinese_name(english: str) -> str:
    try:
        return constants.Holiday(english).chinese
    except ValueError:
        return english


def statutory_days(since: dt.date) -> dict[dt.date, tuple[bool, str]]:
    """chinese-calendar's holidays and adjusted working days from a day on.

    day -> (is_workday, Chinese name of the holiday).
    """
    days = {day: (False, name) for day, name in constants.holidays.items() if day >= since}
    days |= {day: (True, name) for day, name in constants.workdays.items() if day >= since}
    return {day: (workday, _chinese_name(name)) for day, (workday, name) in sorted(days.items())}


def prefill_holidays(since: dt.date) -> list[m.Holiday]:
    """Add the statutory days from `since` on that have no row yet (idempotent); commits."""
    wanted = statutory_days(since)
    existing = set(db.session.scalars(select(m.Holiday.day).where(m.Holiday.day >= since)))
    rows = [m.Holiday(day=day, is_workday=workday, name=name)
            for day, (workday, name) in wanted.items() if day not in existing]
    db.session.add_all(rows)
    db.session.commit()
    return rows


def this_year_start() -> dt.date:
    return dt.date(status.today().year, 1, 1)


class HolidayCalendarView(BaseView):
    """The prefill button of the holiday list: the `can_add` permission on Holiday."""

    route_base = "/holidays"
    class_permission_name = "Holiday"
    method_permission_name = {"prefill": "add"}
    default_view = "prefill"

    def create_blueprint(self, appbuilder, endpoint=None, static_folder=None):
        """FAB's blueprint, also giving templates `coverage_warnings()` and `can_prefill()`."""
        blueprint = super().create_blueprint(appbuilder, endpoint, static_folder)
        blueprint.add_app_template_global(coverage_warnings)
        blueprint.add_app_template_global(can_prefill)
        return blueprint

    @expose("/prefill", methods=["POST"])
    @has_access
    def prefill(self):
        rows = prefill_holidays(this_year_start())
        if rows:
            years = sorted({row.day.year for row in rows})
            flash(_("已从内置日历预填 %(count)s 天节假日和调休上班日（%(years)s 年）。",
                    count=len(rows), years=joined(years)), "success")
        else:
            flash(_("内置日历中的节假日均已录入，未新增记录。"), "info")
        return redirect(url_for("HolidayView.list"))


def can_prefill() -> bool:
    """Whether the current user may fill the holiday table from chinese-calendar."""
    return bool(appbuilder().sm.has_access("can_add", "Holiday"))

"""节假日 › 粘贴国务院通知: the State Council's notice read into a year's holiday and 调休
rows, shown on a year calendar, saved on confirm; and the year calendar the portal counts
working days by (issue 15, item 5).

Pasting and saving need `can_add` on Holiday (the administrator); the year calendar and the
missing-calendar banner need `can_read` on WorkdayCalendar (the administrator and the office).
"""

from __future__ import annotations

import datetime as dt

from chinese_calendar import constants
from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.domain import status
from app.domain.holiday_notice import Notice, NoticeError, parse_notice, weekday_label
from app.domain.holiday_year import notice_marks, replace_year, year_months, year_rows
from app.web.holiday_pages import known_years

TEXT_LIMIT = 20_000  # characters: a notice is about 1 000
LEGEND = (("holiday", _l("放假")), ("workday", _l("调休上班")), ("weekend", _l("周末")))
WEEK_HEADER = (_l("一"), _l("二"), _l("三"), _l("四"), _l("五"), _l("六"), _l("日"))
MONTH_NAMES = (_l("1月"), _l("2月"), _l("3月"), _l("4月"), _l("5月"), _l("6月"), _l("7月"),
               _l("8月"), _l("9月"), _l("10月"), _l("11月"), _l("12月"))
# chinese-calendar's holidays by their English value, in the page's language
STATUTORY_NAMES = {
    "New Year's Day": _l("元旦"), "Spring Festival": _l("春节"), "Tomb-sweeping Day": _l("清明"),
    "Labour Day": _l("劳动节"), "Dragon Boat Festival": _l("端午"), "National Day": _l("国庆节"),
    "Mid-autumn Festival": _l("中秋"),
}
GRID = {"legend": LEGEND, "week_header": WEEK_HEADER, "month_names": MONTH_NAMES}


class HolidayNoticeView(BaseView):
    """Paste the notice, check it on the year calendar, save it: `can_add` on Holiday."""

    route_base = "/holidays/notice"
    class_permission_name = "Holiday"
    method_permission_name = {"form": "add", "preview": "add", "confirm": "add"}
    default_view = "form"
    title = _l("导入国务院节假日安排通知")

    @expose("/")
    @has_access
    def form(self):
        return self._page()

    @expose("/preview/", methods=["POST"])
    @has_access
    def preview(self):
        """The parsed notice on the year calendar, with what saving it would replace."""
        text = _text()
        try:
            notice = parse_notice(text)
        except NoticeError as error:
            return self._page(text=text, error=error.message, code=400)
        return self._page(text=text, notice=notice, existing=len(year_rows(notice.year)))

    @expose("/confirm/", methods=["POST"])
    @has_access
    def confirm(self):
        """Save the notice's year (read again from the text sent back), replacing its rows."""
        text = _text()
        try:
            notice = parse_notice(text)
        except NoticeError as error:
            return self._page(text=text, error=error.message, code=400)
        removed, added = replace_year(notice)
        flash(_("已导入 %(year)s 年节假日安排：%(holidays)s 天放假、%(workdays)s 天调休上班"
                "（替换了原有的 %(removed)s 条记录）。", year=notice.year,
                holidays=len(notice.holidays), workdays=len(notice.workdays),
                removed=removed), "success")
        return redirect(url_for("WorkdayCalendarView.year", year=notice.year))

    def _page(self, text: str = "", notice: Notice | None = None, existing: int = 0,
              error: str | None = None, code: int = 200) -> tuple[str, int]:
        months = year_months(notice.year, notice_marks(notice)) if notice else None
        page = self.render_template(
            "holiday_notice.html", title=self.title, text=text, notice=notice,
            existing=existing, error=error, months=months, weekday_label=weekday_label,
            text_limit=TEXT_LIMIT, **GRID)
        return page, code


def _text() -> str:
    text = request.form.get("text", "")
    if len(text) > TEXT_LIMIT:
        abort(413)
    return text


class WorkdayCalendarView(BaseView):
    """年度工作日日历: the days the portal counts as holidays and 调休 workdays in a year."""

    route_base = "/holidays/calendar"
    class_permission_name = "WorkdayCalendar"
    method_permission_name = {"year": "read"}
    default_view = "year"
    title = _l("年度工作日日历")

    @expose("/")
    @has_access
    def year(self):
        this_year = status.today().year
        year = request.args.get("year", this_year, type=int)
        if not 2000 <= year <= this_year + 5:
            abort(404)
        page = self.render_template(
            "holiday_year.html", title=self.title, year=year,
            months=year_months(year, year_marks(year)), known=year in known_years(),
            rows=len(year_rows(year)), years=range(this_year - 1, this_year + 2), **GRID)
        return page


def year_marks(year: int) -> dict[dt.date, tuple[bool, str]]:
    """The marked days of a year as the portal counts them: chinese-calendar, then the table."""
    marks = {day: (False, statutory_name(name)) for day, name in constants.holidays.items()
             if day.year == year}
    marks |= {day: (True, statutory_name(name)) for day, name in constants.workdays.items()
              if day.year == year}
    marks |= {row.day: (row.is_workday, row.name or "") for row in year_rows(year)}
    return marks


def statutory_name(english: str) -> str:
    """A chinese-calendar holiday's name in the page's language."""
    return str(STATUTORY_NAMES.get(english, english))

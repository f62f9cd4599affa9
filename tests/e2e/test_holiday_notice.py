"""节假日 › 导入国务院通知 in Chromium (issue 15, item 5): the administrator pastes 2027's
notice, checks it on the year calendar, saves it; the page holds at 360 px too."""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import expect
from sqlalchemy import select

from app import models as m
from app.domain import access
from app.extensions import db
from tests.support import story
from tests.support.browser import Visitor
from tests.test_holiday_notice import NOTICE_2027

SPAN = (m.Holiday.day >= dt.date(2027, 1, 1), m.Holiday.day <= dt.date(2027, 12, 31))


def _rows_2027(portal) -> list[tuple[dt.date, bool, str | None]]:
    with portal.app.app_context():
        query = select(m.Holiday.day, m.Holiday.is_workday, m.Holiday.name).where(*SPAN)
        return [tuple(row) for row in db.session.execute(query.order_by(m.Holiday.day))]


def _put_back(portal, rows: list[tuple[dt.date, bool, str | None]]) -> None:
    """The other browser tests find 2027 as the demo left it."""
    with portal.app.app_context(), access.acting_as("test:setup"):
        db.session.execute(m.Holiday.__table__.delete().where(*SPAN))
        db.session.add_all(m.Holiday(day=day, is_workday=workday, name=name)
                           for day, workday, name in rows)
        db.session.commit()


def test_admin_pastes_previews_and_saves_2027(portal, new_context) -> None:
    before = _rows_2027(portal)
    admin = Visitor(portal, new_context)
    try:
        admin.login(*story.ADMIN)
        admin.goto("/holidayview/list/")
        admin.page.get_by_role("link", name="粘贴国务院通知导入").first.click()
        admin.check()
        page = admin.page
        page.locator("#notice-text").fill(NOTICE_2027)
        page.get_by_role("button", name="预览").click()
        admin.check()
        expect(page.locator(".kl-month")).to_have_count(12)
        expect(page.locator("td.kl-day-holiday[data-day='2027-02-05']")).to_be_visible()
        expect(page.locator("td.kl-day-workday[data-day='2027-02-14']")).to_be_visible()
        expect(page.locator(".kl-legend")).to_contain_text("调休上班")
        assert _rows_2027(portal) == before  # nothing saved by the preview

        page.set_viewport_size({"width": 360, "height": 740})
        calendar = page.locator(".kl-year-calendar").bounding_box()
        assert calendar is not None and calendar["x"] + calendar["width"] <= 360
        assert page.locator(".kl-month").first.bounding_box()["width"] <= 360
        page.set_viewport_size({"width": 1366, "height": 768})

        page.get_by_role("button", name="确认保存 2027 年安排").click()
        admin.check()
        expect(page.locator(".alert-success")).to_contain_text("已导入 2027 年节假日安排")
        expect(page.locator("td.kl-day-holiday[data-day='2027-10-01']")).to_be_visible()
        saved = _rows_2027(portal)
        assert (dt.date(2027, 2, 14), True, "春节") in saved and len(saved) == 35
        admin.goto("/")
        expect(page.locator(".calendar-warning", has_text="2027 年")).to_have_count(0)
    finally:
        admin.close()
        _put_back(portal, before)

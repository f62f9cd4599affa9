"""节假日 › 导入国务院通知 (issue 15, item 5): the State Council's notice read into holiday
and 调休 rows, checked day by day against chinese-calendar for 2025 and 2026; the paste,
preview and confirm pages; the banner from 1 December; and 2027's deadlines counted by the
pasted rows.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager

import chinese_calendar
import pytest
from chinese_calendar import constants
from sqlalchemy import func, select

from app import models as m
from app.domain import access, ledger, status
from app.domain.holiday_notice import NoticeError, parse_notice
from app.extensions import db
from tests.support.days import on_day
from tests.support.web import csrf_token

# The published notices (国务院办公厅, November 2024 and November 2025), as an office copies
# them from gov.cn: title, opening, the items one a line, the closing paragraph, signature.
NOTICE_2025 = """国务院办公厅关于2025年部分节假日安排的通知
国办发明电〔2024〕12号

各省、自治区、直辖市人民政府，国务院各部委、各直属机构：
根据《国务院关于修改〈全国年节及纪念日放假办法〉的决定》，经国务院批准，现将2025年元旦、春节、清明节、劳动节、端午节、中秋节和国庆节放假调休日期的具体安排通知如下。
一、元旦：1月1日（周三）放假1天，不调休。
二、春节：1月28日（农历除夕、周二）至2月4日（农历正月初七、周二）放假调休，共8天。1月26日（周日）、2月8日（周六）上班。
三、清明节：4月4日（周五）至6日（周日）放假，共3天。
四、劳动节：5月1日（周四）至5日（周一）放假调休，共5天。4月27日（周日）上班。
五、端午节：5月31日（周六）至6月2日（周一）放假，共3天。
六、国庆节、中秋节：10月1日（周三）至8日（周三）放假调休，共8天。9月28日（周日）、10月11日（周六）上班。
节假日期间，各地区、各部门要妥善安排好值班和安全、保卫等工作，遇有重大突发事件，要按规定及时报告并妥善处置，确保人民群众祥和平安度过节日假期。

国务院办公厅
2024年11月11日
"""

NOTICE_2026 = """国务院办公厅关于2026年部分节假日安排的通知
国办发明电〔2025〕7号

各省、自治区、直辖市人民政府，国务院各部委、各直属机构：
经国务院批准，现将2026年元旦、春节、清明节、劳动节、端午节、中秋节和国庆节放假调休日期的具体安排通知如下。
一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。
二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。
三、清明节：4月4日（周六）至6日（周一）放假，共3天。
四、劳动节：5月1日（周五）至5日（周二）放假调休，共5天。5月9日（周六）上班。
五、端午节：6月19日（周五）至21日（周日）放假，共3天。
六、中秋节：9月25日（周五）至27日（周日）放假，共3天。
七、国庆节：10月1日（周四）至7日（周三）放假调休，共7天。9月20日（周日）、10月10日（周六）上班。
节假日期间，各地区、各部门要妥善安排好值班和安全、保卫、疫情防控等工作，遇有重大突发事件，要按规定及时报告并妥善处置，确保人民群众祥和平安度过节日假期。

国务院办公厅
2025年11月4日
"""

# 2027's notice is not out when this is written: a notice in the same wording, its dates
# made up (the weekdays are right), to test the pages and that 2027 is counted by it.
NOTICE_2027 = """国务院办公厅关于2027年部分节假日安排的通知
经国务院批准，现将2027年元旦、春节、清明节、劳动节、端午节、中秋节和国庆节放假调休日期的具体安排通知如下。
一、元旦：1月1日（周五）至3日（周日）放假，共3天。
二、春节：2月5日（农历除夕、周五）至13日（农历正月初八、周六）放假调休，共9天。2月14日（周日）、2月20日（周六）上班。
三、清明节：4月3日（周六）至5日（周一）放假，共3天。
四、劳动节：5月1日（周六）至5日（周三）放假调休，共5天。4月25日（周日）、5月8日（周六）上班。
五、端午节：6月9日（周三）放假1天，不调休。
六、中秋节：9月15日（周三）放假1天，不调休。
七、国庆节：10月1日（周五）至7日（周四）放假调休，共7天。9月26日（周日）、10月9日（周六）上班。
"""
WARNING_2027 = "2027 年节假日安排尚未发布/未录入，工作日按周一至周五计算，请在节假日表中补录。"


def days_of(year: int) -> Iterator[dt.date]:
    day = dt.date(year, 1, 1)
    while day.year == year:
        yield day
        day += dt.timedelta(days=1)


# --- the notice, read ------------------------------------------------------------------------


@pytest.mark.parametrize("year, text", [(2025, NOTICE_2025), (2026, NOTICE_2026)])
def test_the_published_notice_gives_chinese_calendars_every_day(app, year, text):
    with app.app_context():
        notice = parse_notice(text)
    assert notice.year == year
    marks = {row.day: row for row in notice.days}
    for day in days_of(year):
        workday = marks[day].is_workday if day in marks else day.weekday() < 5
        assert workday == chinese_calendar.is_workday(day), day
        assert (not workday) == chinese_calendar.is_holiday(day), day
    # the same days as chinese-calendar's own lists, and under the same holiday's name
    assert {row.day for row in notice.holidays} == {
        day for day in constants.holidays if day.year == year}
    assert {row.day for row in notice.workdays} == {
        day for day in constants.workdays if day.year == year}
    for row in notice.holidays:
        short = constants.Holiday(constants.holidays[row.day]).chinese
        assert short.removesuffix("节") in row.name, (row.day, short, row.name)


def test_the_notice_reads_its_items_and_their_workdays(app):
    with app.app_context():
        notice = parse_notice(NOTICE_2026)
    spring = [row for row in notice.days if row.name == "春节"]
    assert [row.day for row in spring if not row.is_workday] == [
        dt.date(2026, 2, 15) + dt.timedelta(days=i) for i in range(9)]
    assert [row.day for row in spring if row.is_workday] == [dt.date(2026, 2, 14),
                                                            dt.date(2026, 2, 28)]
    assert len(notice.holidays) == 33 and len(notice.workdays) == 6


def test_an_item_wrapped_over_lines_when_copied_is_read_whole(app):
    wrapped = NOTICE_2026.replace("2月14日（周六）、2月28日", "2月14日（周六）、\n 2月28日")
    with app.app_context():
        assert parse_notice(wrapped) == parse_notice(NOTICE_2026)


TITLE = "国务院办公厅关于2026年部分节假日安排的通知\n"


@pytest.mark.parametrize("text, message", [
    (TITLE + "一、元旦：1月1日（周五）放假1天，不调休。",
     "第 2 行：1月1日 是周四，通知写的是周五，请检查年份和日期。"),
    (TITLE + "一、元旦：1月1日（周四）至3日（周六）放假调休，共4天。",
     "第 2 行：1月1日 至 1月3日 是 3 天，通知写的是共 4 天。"),
    (TITLE + "一、元旦：1月1日（周四）放假1天。\n二、春节：2月15日至23日休息。",
     "第 3 行无法识别：“2月15日至23日休息”"),
    (TITLE + "一、春节：2月15日至23日放假调休，共9天。2月14日上班，2月28日调休。",
     "第 2 行无法识别：“2月14日上班,2月28日调休”"),
    (TITLE + "一、元旦：2月30日放假1天。", "第 2 行：2026年没有2月30日。"),
    (TITLE + "一、元旦：1月5日（周一）放假1天。1月6日上班。",
     "第 2 行：1月6日 本来就是工作日，不能作为调休上班日。"),
    (TITLE + "一、元旦：1月1日放假1天。\n二、新年：1月1日放假1天。",
     "第 3 行：1月1日 已在前面的条目中出现过。"),
    ("一、元旦：1月1日（周四）放假1天，不调休。", "没有找到通知的年份"),
    (TITLE + "节假日期间，各地区要妥善安排好值班工作。", "没有找到节假日安排条目"),
    ("", "没有找到通知的年份"),
])
def test_text_that_is_not_a_notice_is_refused_naming_the_line(app, text, message):
    with app.app_context(), pytest.raises(NoticeError) as refused:
        parse_notice(text)
    assert message in refused.value.message


# --- the pages -------------------------------------------------------------------------------


@contextmanager
def writing(app) -> Iterator[None]:
    with app.app_context(), app.test_request_context(), access.acting_as("test:setup"):
        yield


def _span(year: int) -> tuple:
    return m.Holiday.day >= dt.date(year, 1, 1), m.Holiday.day <= dt.date(year, 12, 31)


def rows_of(app, year: int) -> list[tuple[dt.date, bool, str]]:
    with writing(app):
        query = (select(m.Holiday.day, m.Holiday.is_workday, m.Holiday.name)
                 .where(*_span(year)).order_by(m.Holiday.day))
        return [tuple(row) for row in db.session.execute(query)]


def holiday_count(app) -> int:
    with writing(app):
        return db.session.scalar(select(func.count(m.Holiday.id)))


@pytest.fixture
def no_2027(app) -> Iterator[int]:
    """2027 absent from the holiday table: the world's rows of 2027 are moved 400 years on
    (same weekdays and leap days) and put back afterwards, keeping their ids."""
    with writing(app):
        moved = list(db.session.scalars(select(m.Holiday).where(*_span(2027))))
        for row in moved:
            row.day = row.day.replace(year=2427)
        db.session.commit()
        ids = [row.id for row in moved]
    yield 2027
    with writing(app):
        db.session.execute(m.Holiday.__table__.delete().where(*_span(2027)))
        for row in db.session.scalars(select(m.Holiday).where(m.Holiday.id.in_(ids))):
            row.day = row.day.replace(year=2027)
        db.session.commit()


def post(client, url: str, data: dict, token: bool = True):
    form = {**data, "csrf_token": csrf_token(client, "/holidayview/list/")} if token else data
    return client.post(url, data=form)


def expected_2027(app) -> list[tuple[dt.date, bool, str]]:
    with app.app_context():
        return [(row.day, row.is_workday, row.name) for row in parse_notice(NOTICE_2027).days]


def test_paste_preview_confirm_saves_the_year(app, client, auth, no_2027):
    auth.login("admin")
    page = client.get("/holidays/notice/")
    assert page.status_code == 200
    assert "保存时会删除该年已有的全部节假日和调休记录" in page.get_data(as_text=True)
    preview = post(client, "/holidays/notice/preview/", {"text": NOTICE_2027})
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200, html
    assert "2027 年节假日安排预览" in html
    assert "共 29 天放假、6 天调休上班。" in html
    assert html.count('class="kl-month"') == 12
    assert '<td class="kl-day-holiday" data-day="2027-02-05" title="春节">5</td>' in html
    assert '<td class="kl-day-workday" data-day="2027-02-14" title="春节">14</td>' in html
    assert "调休上班" in html and "放假" in html and "周末" in html  # the legend
    assert "2027 年尚无节假日记录" in html
    assert rows_of(app, 2027) == []  # a preview saves nothing
    confirm = post(client, "/holidays/notice/confirm/", {"text": NOTICE_2027})
    assert confirm.status_code == 302
    assert confirm.headers["Location"].endswith("/holidays/calendar/?year=2027")
    assert rows_of(app, 2027) == expected_2027(app)
    shown = client.get("/holidays/calendar/?year=2027").get_data(as_text=True)
    assert "已导入 2027 年节假日安排：29 天放假、6 天调休上班" in shown
    assert 'data-day="2027-10-09" title="国庆节"' in shown


def test_importing_a_year_again_replaces_its_rows(app, client, auth, no_2027):
    with writing(app):
        db.session.add(m.Holiday(day=dt.date(2027, 3, 8), is_workday=False, name="手工录入"))
        db.session.add(m.Holiday(day=dt.date(2027, 2, 14), is_workday=False, name="错误"))
        db.session.add(m.Holiday(day=dt.date(2028, 5, 4), is_workday=False, name="另一年"))
        db.session.commit()
    auth.login("admin")
    html = post(client, "/holidays/notice/preview/", {"text": NOTICE_2027}).get_data(
        as_text=True)
    assert "2027 年已有 2 条节假日记录：确认后将全部删除，并由本通知的安排替换。" in html
    assert post(client, "/holidays/notice/confirm/", {"text": NOTICE_2027}).status_code == 302
    assert rows_of(app, 2027) == expected_2027(app)
    assert rows_of(app, 2028) == [(dt.date(2028, 5, 4), False, "另一年")]  # other years stay
    with writing(app):
        db.session.execute(m.Holiday.__table__.delete().where(*_span(2028)))
        db.session.commit()
    html = client.get("/holidays/calendar/?year=2027").get_data(as_text=True)
    assert "替换了原有的 2 条记录" in html


@pytest.mark.parametrize("step", ["preview", "confirm"])
def test_bad_text_is_refused_with_its_line_and_saves_nothing(app, client, auth, no_2027, step):
    bad = NOTICE_2027.replace("2月14日（周日）", "2月14日（周一）")
    before = holiday_count(app)
    auth.login("admin")
    response = post(client, f"/holidays/notice/{step}/", {"text": bad})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "第 4 行：2月14日 是周日，通知写的是周一，请检查年份和日期。" in html
    assert bad.splitlines()[3][:10] in html  # the text stays in the box to be corrected
    assert holiday_count(app) == before and rows_of(app, 2027) == []


def test_confirm_without_the_csrf_token_is_refused(app, client, auth, no_2027):
    auth.login("admin")
    response = post(client, "/holidays/notice/confirm/", {"text": NOTICE_2027}, token=False)
    assert response.status_code == 400
    assert rows_of(app, 2027) == []


@pytest.mark.parametrize("login", ["staff_a", "supervisor", "leader"])
def test_only_who_may_add_holidays_pastes(app, client, auth, no_2027, login):
    auth.login(login)
    assert client.get("/holidays/notice/").status_code == 403
    for step in ("preview", "confirm"):
        assert post(client, f"/holidays/notice/{step}/", {"text": NOTICE_2027}).status_code == 403
    assert rows_of(app, 2027) == []
    assert "/holidays/notice/" not in client.get("/holidayview/list/").get_data(as_text=True)


# --- the banner from 1 December --------------------------------------------------------------


def test_banner_on_3_december_until_the_notice_is_saved(app, client, auth, no_2027):
    auth.login("admin")
    with on_day(app, dt.date(2026, 12, 3)):
        html = client.get("/").get_data(as_text=True)
        assert WARNING_2027 in html
        assert re.search(r'<a class="alert-link" href="/holidays/notice/">\s*粘贴国务院通知导入',
                         html)
        assert WARNING_2027 in client.get("/holidayview/list/").get_data(as_text=True)
        post(client, "/holidays/notice/confirm/", {"text": NOTICE_2027})
        assert WARNING_2027 not in client.get("/").get_data(as_text=True)
        assert WARNING_2027 not in client.get("/holidayview/list/").get_data(as_text=True)


def test_no_banner_for_next_year_before_december(app, client, auth, no_2027):
    auth.login("admin")
    with on_day(app, dt.date(2026, 11, 30)):
        assert WARNING_2027 not in client.get("/").get_data(as_text=True)
    with on_day(app, dt.date(2026, 12, 1)):
        assert WARNING_2027 in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("login, shown", [
    ("supervisor", True), ("leader", False), ("staff_a", False)])
def test_banner_is_for_who_reads_the_workday_calendar(app, client, auth, no_2027, login,
                                                      shown):
    auth.login(login)
    with on_day(app, dt.date(2026, 12, 3)):
        html = client.get("/").get_data(as_text=True)
        assert (WARNING_2027 in html) is shown
        if shown:  # the office cannot paste: it is pointed at the year calendar
            assert 'href="/holidays/calendar/"' in html
            assert client.get("/holidays/calendar/?year=2027").status_code == 200
        else:
            assert client.get("/holidays/calendar/?year=2027").status_code == 403


# --- 2027's working days are the pasted rows -------------------------------------------------


def test_a_deadline_across_2027_spring_festival_counts_the_pasted_rows(app, client, auth,
                                                                       no_2027):
    start = dt.date(2027, 2, 4)  # Thursday before the (made-up) 春节 holiday
    with writing(app):
        assert ledger.deadline_within(start, 3) == dt.date(2027, 2, 9)  # weekends only
    auth.login("admin")
    assert post(client, "/holidays/notice/confirm/", {"text": NOTICE_2027}).status_code == 302
    with writing(app):
        # 5–13 Feb off, Sunday 14 Feb worked: 14, 15, 16 Feb
        assert ledger.deadline_within(start, 3) == dt.date(2027, 2, 16)
        calendar = status.calendar()
        assert not calendar.is_workday(dt.date(2027, 2, 8))
        assert calendar.is_workday(dt.date(2027, 2, 20))
        # after 1 Feb: 2–4, Sunday 14, 15–19, Saturday 20, 22–26
        assert calendar.workdays_between(dt.date(2027, 2, 1), dt.date(2027, 2, 28)) == 15

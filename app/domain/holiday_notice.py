"""The State Council's 节假日安排 notice, read into holiday and 调休 rows (issue 15, item 5).

The notice (国务院办公厅关于20XX年部分节假日安排的通知) names its year in the title or the
first paragraph and lists one item a line in a fixed wording:

    二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。
    2月14日（周六）、2月28日（周六）上班。

Each item gives its holiday days (every day of the range, weekends included, as
chinese-calendar stores them) and the weekend days worked instead (调休上班). Anything that
does not read so is refused with the line it is on; nothing here touches the database.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.domain.validation import DomainError

WEEKDAYS = "一二三四五六日"  # as the notice writes them: （周六）
WEEKDAY_NAMES = (_l("周一"), _l("周二"), _l("周三"), _l("周四"), _l("周五"), _l("周六"),
                 _l("周日"))
ITEM = re.compile(r"^[一二三四五六七八九十]+[、.]\s*(?P<name>[^:]{1,20}?)\s*:\s*(?P<body>.*)$")
YEAR = re.compile(r"(?:关于)?(?P<year>(?:19|20)\d{2})\s*年")
NOTE = r"(?:\((?P<{0}>[^)]*)\))?"
DAY = r"(?:(?P<{0}m>\d{{1,2}})月)?(?P<{0}d>\d{{1,2}})日" + NOTE.format("{0}n")
HOLIDAY = re.compile(r"^" + DAY.format("a") + r"(?:至" + DAY.format("b") + r")?"
                     r"放假(?:调休)?(?:,?共?(?P<count>\d+)天)?(?:,不调休)?$")
WORKDAY = re.compile(DAY.format("w"))


@dataclass(frozen=True)
class NoticeDay:
    """One row the notice gives: a holiday (is_workday False) or a 调休 working day."""

    day: dt.date
    is_workday: bool
    name: str


@dataclass(frozen=True)
class Notice:
    """A year's schedule as the notice gives it, days in order."""

    year: int
    days: tuple[NoticeDay, ...]

    @property
    def holidays(self) -> list[NoticeDay]:
        return [day for day in self.days if not day.is_workday]

    @property
    def workdays(self) -> list[NoticeDay]:
        return [day for day in self.days if day.is_workday]


class NoticeError(DomainError):
    """The pasted text cannot be read as a notice; the message names the line."""


def parse_notice(text: str) -> Notice:
    """Read a pasted notice into its year's holiday and 调休 days, or raise NoticeError."""
    lines = [unicodedata.normalize("NFKC", line).strip() for line in (text or "").splitlines()]
    year = _year(lines)
    days: dict[dt.date, NoticeDay] = {}
    items = _items(lines)
    for number, name, body in items:
        for found in _item_days(year, name, body, number):
            if found.day in days:
                raise NoticeError(_("第 %(line)s 行：%(day)s 已在前面的条目中出现过。",
                                    line=number, day=_label(found.day)))
            days[found.day] = found
    if not items:
        raise NoticeError(_("没有找到节假日安排条目。请粘贴通知正文，每项一行，"
                            "如“一、元旦：1月1日（周四）放假1天，不调休。”"))
    return Notice(year, tuple(days[day] for day in sorted(days)))


def _items(lines: list[str]) -> list[tuple[int, str, str]]:
    """(line number, name, text) of each item; a line that goes on with dates right after
    an item (a paragraph wrapped when copied) is part of it."""
    items: list[tuple[int, str, str]] = []
    current = False
    for number, line in enumerate(lines, start=1):
        line = line.replace(" ", "")
        if item := ITEM.match(line):
            items.append((number, item["name"], item["body"]))
            current = True
        elif current and line[:1].isdigit():
            number, name, body = items[-1]
            items[-1] = (number, name, body + line)
        else:
            current = False
    return items


def _year(lines: list[str]) -> int:
    for line in lines:
        found = YEAR.search(line)
        if found and not ITEM.match(line.replace(" ", "")):
            return int(found["year"])
    raise NoticeError(_("没有找到通知的年份。请连同标题一起粘贴，"
                        "如“国务院办公厅关于2027年部分节假日安排的通知”。"))


def _item_days(year: int, name: str, body: str, number: int) -> list[NoticeDay]:
    """The days of one item: its holiday range, then the days worked instead."""
    sentences = [part for part in body.split("。") if part]
    if not sentences:
        raise NoticeError(_("第 %(line)s 行：“%(name)s”后面没有日期。", line=number, name=name))
    holiday = HOLIDAY.match(sentences[0])
    if not holiday:
        raise NoticeError(_("第 %(line)s 行无法识别：“%(text)s”。应为“1月1日至3日放假调休，共3天。”"
                            "这样的写法。", line=number, text=sentences[0]))
    first = _date(year, holiday, "a", None, number)
    last = _date(year, holiday, "b", first.month, number) if holiday["bd"] else first
    if last < first:
        raise NoticeError(_("第 %(line)s 行：放假的结束日期早于开始日期。", line=number))
    span = (last - first).days + 1
    if holiday["count"] and int(holiday["count"]) != span:
        raise NoticeError(_("第 %(line)s 行：%(first)s 至 %(last)s 是 %(span)s 天，通知写的是共 "
                            "%(count)s 天。", line=number, first=_label(first),
                            last=_label(last), span=span, count=holiday["count"]))
    days = [NoticeDay(first + dt.timedelta(days=i), False, name) for i in range(span)]
    for sentence in sentences[1:]:
        days += _workdays(year, name, sentence, number)
    return days


def _workdays(year: int, name: str, sentence: str, number: int) -> list[NoticeDay]:
    """The 调休 days of a sentence such as "2月14日（周六）、2月28日（周六）上班"."""
    listed = WORKDAY.sub("", sentence)
    if not sentence.endswith("上班") or listed.replace("、", "") != "上班":
        raise NoticeError(_("第 %(line)s 行无法识别：“%(text)s”。调休上班应写作"
                            "“2月14日（周六）上班。”", line=number, text=sentence))
    days = []
    for found in WORKDAY.finditer(sentence):
        day = _date(year, found, "w", None, number)
        if day.weekday() < 5:
            raise NoticeError(_("第 %(line)s 行：%(day)s 本来就是工作日，不能作为调休上班日。",
                                line=number, day=_label(day)))
        days.append(NoticeDay(day, True, name))
    return days


def _date(year: int, found: re.Match, key: str, month: int | None, number: int) -> dt.date:
    """The date of a matched day (month taken from the range's start if left out)."""
    raw_month = found[f"{key}m"]
    if raw_month is None and month is None:
        raise NoticeError(_("第 %(line)s 行：日期缺少月份。", line=number))
    try:
        day = dt.date(year, int(raw_month or month or 0), int(found[f"{key}d"]))
    except ValueError:
        raise NoticeError(_("第 %(line)s 行：%(year)s年没有%(month)s月%(day)s日。", line=number,
                            year=year, month=raw_month or month, day=found[f"{key}d"])) from None
    note = found[f"{key}n"] or ""
    weekday = re.search(r"(?:周|星期)([一二三四五六日天])", note)
    if weekday and WEEKDAYS.index(weekday[1].replace("天", "日")) != day.weekday():
        raise NoticeError(_("第 %(line)s 行：%(day)s 是%(actual)s，通知写的是周%(written)s，"
                            "请检查年份和日期。", line=number, day=_label(day),
                            actual=weekday_label(day), written=weekday[1]))
    return day


def weekday_label(day: dt.date) -> str:
    return str(WEEKDAY_NAMES[day.weekday()])


def _label(day: dt.date) -> str:
    return _("%(month)s月%(day)s日", month=day.month, day=day.day)

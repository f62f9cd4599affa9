"""The 督查通报's tables as the Word and the Excel circular both print them: columns, and
values as printed (rates, scores, long dates, the issue line)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

DASH = "—"
TEXT_WIDTH_CM = 15.6  # A4 less GB/T 9704 margins of 2.8 and 2.6 cm
LEFT_ALIGNED = ("title", "project", "description")  # long texts read from the left


# --- values as the circular prints them -----------------------------------------------


def percent(rate: float | None) -> str:
    """A rate from 0 to 1 as a percentage with one decimal; none as a dash."""
    return DASH if rate is None else f"{rate * 100:.1f}%"


def score_text(score: float | None) -> str:
    return DASH if score is None else f"{score:.1f}"


def long_date(day: dt.date | str | None) -> str:
    """2026年11月30日."""
    if day is None:
        return DASH
    day = dt.date.fromisoformat(day) if isinstance(day, str) else day
    return _("%(year)s年%(month)s月%(day)s日", year=day.year, month=day.month, day=day.day)


def period_of(data: dict) -> dt.date:
    return dt.date.fromisoformat(f"{data['period']}-01")


def issue_line(data: dict) -> str:
    """（2026年第11期）: one issue a month, numbered by the month."""
    period = period_of(data)
    return _("（%(year)s年第%(number)s期）", year=period.year, number=period.month)


def overdue_mark(overdue: bool) -> str:
    return _("已超期") if overdue else _("未超期")


# --- the columns of each list, shared by the Word tables and the sheets ---------------


@dataclass(frozen=True)
class Column:
    """One column: its label, the key of a row, how to show it, widths (cm, characters)."""

    label: str
    key: str
    kind: str = "text"  # text | int | date | rate | score | mark
    cm: float = 2.0
    chars: int = 12


RANKING = (
    Column(_l("名次"), "rank", "int", 1.2, 6),
    Column(_l("责任单位"), "department", "text", 3.8, 22),
    Column(_l("调度率"), "dispatch_rate", "rate", 1.7, 9),
    Column(_l("督促率"), "supervision_rate", "rate", 1.7, 9),
    Column(_l("落实率"), "implementation_rate", "rate", 1.7, 9),
    Column(_l("反馈率"), "feedback_rate", "rate", 1.7, 9),
    Column(_l("逾期任务"), "tasks_overdue", "int", 2.0, 9),
    Column(_l("得分"), "score", "score", 1.8, 8),
)
TASK = (
    Column(_l("任务"), "title", "text", 4.2, 36),
    Column(_l("所属项目"), "project", "text", 3.2, 26),
    Column(_l("责任单位"), "department", "text", 2.6, 18),
    Column(_l("责任人"), "person", "text", 1.6, 10),
    Column(_l("时间节点"), "deadline", "date", 2.8, 12),
)
OVERDUE = (
    Column(_l("任务"), "title", "text", 3.7, 36),
    Column(_l("所属项目"), "project", "text", 3.0, 26),
    Column(_l("责任单位"), "department", "text", 2.4, 18),
    Column(_l("责任人"), "person", "text", 1.6, 10),
    Column(_l("时间节点"), "deadline", "date", 2.3, 12),
    Column(_l("逾期天数"), "overdue_days", "int", 1.4, 10),
)
PROBLEMS = (
    Column(_l("问题"), "description", "text", 4.6, 40),
    Column(_l("所属项目"), "project", "text", 3.2, 26),
    Column(_l("责任单位"), "department", "text", 2.6, 18),
    Column(_l("办结时限"), "deadline", "date", 2.4, 12),
    Column(_l("状态"), "overdue", "mark", 1.6, 10),
)
NUMBER = Column(_l("序号"), "#", "int", 1.2, 6)


def cell_text(column: Column, row: dict) -> str:
    """A value as the Word circular prints it."""
    value = row.get(column.key)
    if column.kind == "rate":
        return percent(value)
    if column.kind == "score":
        return score_text(value)
    if column.kind == "mark":
        return overdue_mark(bool(value))
    return DASH if value in (None, "") else str(value)


def summary_sentences(data: dict) -> list[str]:
    """The summary's figures in words: counts, the four rates, the score and the verdict."""
    t, period = data["totals"], period_of(data)
    figures = _(
        "%(year)s年%(month)s月，全县纳入考核的重点项目%(in_scope)s个，当月调度%(dispatched)s个，"
        "调度率%(dispatch)s；在办任务%(open)s项，已督促%(urged)s项，督促率%(supervision)s；"
        "已反馈%(fed_back)s项，反馈率%(feedback)s；当月到期任务%(due)s项，按期落实"
        "%(implemented)s项，落实率%(implementation)s；逾期未完成任务%(overdue)s项。",
        year=period.year, month=period.month, in_scope=t["projects_in_scope"],
        dispatched=t["projects_dispatched"], dispatch=percent(t["dispatch_rate"]),
        open=t["tasks_open"], urged=t["tasks_urged"],
        supervision=percent(t["supervision_rate"]), fed_back=t["tasks_fed_back"],
        feedback=percent(t["feedback_rate"]), due=t["tasks_due"],
        implemented=t["tasks_implemented"],
        implementation=percent(t["implementation_rate"]), overdue=t["tasks_overdue"])
    if "closures" in data:  # issue 16: circulars built before it hold no count
        figures += _("本月办结销号任务%(count)s项。", count=data["closures"])
    score = score_text(t["score"])
    if t["compliant"]:
        return [figures, _("全县综合得分%(score)s分，本月考核达标。", score=score)]
    return [figures, _("全县综合得分%(score)s分，本月考核未达标。", score=score)]


def numbered(rows: list[dict]) -> list[dict]:
    return [{"#": index} | row for index, row in enumerate(rows, start=1)]


# --- the Word circular ----------------------------------------------------------------

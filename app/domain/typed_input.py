"""Dates and amounts as people type them: the one parser of forms, the API and Excel (issue 18.4).

A date may be written 2026-12-03, 2026/12/3, 2026.12.3, 2026年12月3日, 20261203, with
full-width digits and dashes (２０２６－１２－０３), or as an Excel serial (46359, also typed as
text). An amount (万元) may carry thousands separators, half- or full-width ("1,200.50",
"1，200.50"), and a trailing unit: 万元 (or 万) is kept, 元 is converted to 万元 (÷ 10000)
with a note saying so. A refusal names the expected format and the value found.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from flask_babel import gettext as _

EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 is 1900-01-01 (Excel's leap-year bug)
EXCEL_SERIALS = range(20000, 80000)  # 1954 to 2119: a date cell that lost its format
CENT = Decimal("0.01")
YUAN_PER_WAN = Decimal(10000)
DASHES = str.maketrans({c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63"})
SEPARATED = re.compile(r"(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})")
CHINESE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?")
COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
SERIAL = re.compile(r"(\d{5})(\.\d+)?")
TIME_TAIL = re.compile(r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")  # 2026-12-03 00:00:00
AMOUNT = re.compile(r"([+-]?)(\d+(?:,\d{3})*|\d*)(\.\d+)?")
GROUPED = re.compile(r"\d{1,3}(,\d{3})+")


class InputError(ValueError):
    """A typed value that cannot be read; the message names the format and what was found."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Amount:
    """An amount in 万元, and the note to show when it was typed in 元 (converted)."""

    value: Decimal
    note: str | None = None


def normalized(text: str) -> str:
    """Full-width digits, letters and signs as half-width; every dash a hyphen; trimmed."""
    return unicodedata.normalize("NFKC", text).translate(DASHES).strip()


def shown(value: object) -> str:
    """The value found, as a message quotes it (long ones cut)."""
    text = str(value)
    return text if len(text) <= 40 else text[:40] + "…"


def date_error(value: object) -> InputError:
    """The refusal of a value that is not a date."""
    return InputError(_("应为日期，格式如 2026-12-03（也可写 2026/12/3、2026年12月3日），"
                        "收到“%(value)s”", value=shown(value)))


def from_serial(serial: float) -> dt.date:
    """The date of an Excel serial number (its time of day dropped)."""
    return EXCEL_EPOCH + dt.timedelta(days=int(serial))


def _day(value: object, year: str, month: str, day: str) -> dt.date:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        raise InputError(_("应为日期，%(year)s年%(month)s月%(day)s日不存在，收到“%(value)s”",
                           year=int(year), month=int(month), day=int(day),
                           value=shown(value))) from None


def parse_date(value: object) -> dt.date | None:
    """A date from what was typed or what a cell holds; None for nothing; InputError if bad."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise date_error(value)
    if isinstance(value, int | float):
        if value == value and int(value) in EXCEL_SERIALS:
            return from_serial(value)
        raise date_error(value)
    if value is None:
        return None
    text = normalized(str(value))
    if not text:
        return None
    for pattern in (SEPARATED, CHINESE):
        match = re.fullmatch(pattern.pattern + TIME_TAIL.pattern, text)
        if match:
            return _day(value, *match.groups())
    match = COMPACT.fullmatch(text)
    if match:
        return _day(value, *match.groups())
    match = SERIAL.fullmatch(text)
    if match and int(match.group(1)) in EXCEL_SERIALS:
        return from_serial(int(match.group(1)))
    raise date_error(value)


def amount_error(value: object) -> InputError:
    """The refusal of a value that is not an amount."""
    return InputError(_("应为金额（万元），如 1200.50、1,200.50 或 1200.50万元，收到“%(value)s”",
                        value=shown(value)))


def _unit(text: str) -> tuple[str, str]:
    """The number and its unit: "万元" (also 万 or none) or "元"."""
    for suffix, unit in (("万元", "万元"), ("万", "万元"), ("元", "元")):
        if text.endswith(suffix):
            return text[: -len(suffix)].strip(), unit
    return text, "万元"


def parse_amount(value: object) -> Amount | None:
    """An amount in 万元 from what was typed or a cell; None for nothing; InputError if bad."""
    if isinstance(value, bool | dt.date):
        raise amount_error(value)
    if value is None:
        return None
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
        if not number.is_finite():
            raise amount_error(value)
        return Amount(number)
    text = normalized(str(value))
    if not text:
        return None
    figure, unit = _unit(text.replace(" ", ""))
    match = AMOUNT.fullmatch(figure)
    digits = match.group(2) if match else ""
    if not match or not (digits or match.group(3)) or (
            "," in digits and not GROUPED.fullmatch(digits)):
        raise amount_error(value)
    try:
        number = Decimal(figure.replace(",", ""))
    except InvalidOperation:
        raise amount_error(value) from None
    if unit == "万元":
        return Amount(number)
    wan = (number / YUAN_PER_WAN).quantize(CENT, ROUND_HALF_UP)
    return Amount(wan, _("“%(value)s”按元填写，已换算为 %(wan)s 万元", value=shown(value),
                         wan=f"{wan:,.2f}"))

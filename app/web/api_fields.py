"""The REST API's fields as they travel, and its validation messages in the reader's language.

- Money (Numeric(14, 2)) travels as a decimal string, "5000.00" (a JSON number would lose
  cents in clients that read it as a float); the document says so with a pattern.
- Timestamps are stored as naive UTC and answered in the portal's zone with its offset,
  "2026-05-12T09:30:00+08:00", as the pages show them (Beijing time by default).
- A relation in a body is the related row's id: the document says integer.
- marshmallow's messages ("Longer than maximum length 300.") are replaced by ours, through
  gettext at the time of the error, so a Chinese reader reads Chinese.
"""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate

from app.domain import clock, typed_input
from app.domain.typed_input import InputError

INTEGER_DIGITS = 12  # Numeric(14, 2)
MONEY_PATTERN = r"^\d{1,12}(\.\d{1,2})?$"
SIGNED_MONEY_PATTERN = r"^-?\d{1,12}(\.\d{1,2})?$"
DATE_DESCRIPTION = _l("日期，如 2026-12-03；也可写 2026/12/3、2026.12.3、2026年12月3日、20261203")
STAMP_DESCRIPTION = _l("北京时间（门户所在时区），带时区偏移，如 2026-05-12T09:30:00+08:00")


class Messages(dict):
    """A field's or schema's error messages, each translated when an error is made."""

    def __getitem__(self, key: str) -> Any:
        value = super().__getitem__(key)
        return str(value) if hasattr(value, "__html__") else value


def _money_digits(value: decimal.Decimal) -> None:
    sign, digits, exponent = value.as_tuple()
    if isinstance(exponent, int) and (exponent < -2 or len(digits) + exponent > INTEGER_DIGITS):
        raise ValidationError(gettext("金额最多 %(digits)d 位整数、2 位小数。",
                                      digits=INTEGER_DIGITS))


class Money(fields.Decimal):
    """A Numeric(14, 2) column: answered as a decimal string; a body may send a string or
    a number."""

    def __init__(self, *, signed: bool = True, **kwargs: Any) -> None:
        validators = [*(kwargs.pop("validate", None) or []), _money_digits]
        pattern = SIGNED_MONEY_PATTERN if signed else MONEY_PATTERN
        metadata = {"pattern": pattern, "description": _l("金额（万元），两位小数的十进制字符串")}
        super().__init__(places=2, as_string=True, validate=validators, metadata=metadata,
                         **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        """A string as people type it (app/domain/typed_input.py): "1,200.50", "1，200.50",
        "1200.50万元"; one in 元 ("12,000,000元") is converted to 万元."""
        if isinstance(value, str) and value.strip():
            try:
                amount = typed_input.parse_amount(value)
            except InputError as error:
                raise ValidationError(error.message) from None
            value = str(amount.value) if amount is not None else value
        return super()._deserialize(value, attr, data, **kwargs)


class TypedDate(fields.Date):
    """A date column: answered as YYYY-MM-DD; a body's string may be written as people type
    it (2026/12/3, 2026年12月3日, 20261203, full-width digits, an Excel serial)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(metadata={"description": DATE_DESCRIPTION}, **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, str):
            return super()._deserialize(value, attr, data, **kwargs)
        try:
            day = typed_input.parse_date(value)
        except InputError as error:
            raise ValidationError(error.message) from None
        if day is None:
            raise ValidationError(str(FIELD_MESSAGES["null"]))
        return day


class ZonedDateTime(fields.DateTime):
    """A naive UTC timestamp, answered in the portal's zone with its offset."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(metadata={"description": STAMP_DESCRIPTION}, **kwargs)

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:
        if isinstance(value, dt.datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC).astimezone(clock.zone())
        return super()._serialize(value, attr, obj, **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> dt.datetime:
        moment = super()._deserialize(value, attr, data, **kwargs)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=clock.zone())
        return moment.astimezone(dt.UTC).replace(tzinfo=None)


# marshmallow's keys, in our words (msgids in Chinese, English in the catalogue)
FIELD_MESSAGES = {
    "required": _l("必填。"),
    "null": _l("不能为空。"),
    "validator_failed": _l("取值无效。"),
    "too_large": _l("数值过大。"),
    "special": _l("不能是 NaN 或无穷大。"),
    "invalid_utf8": _l("不是有效的 UTF-8 文本。"),
    "format": _l("格式不正确。"),
    "invalid_awareness": _l("日期时间的时区写法不正确。"),
}
INVALID = [  # the most specific class first
    (fields.Boolean, _l("应为 true 或 false。")),
    (fields.Integer, _l("应为整数。")),
    (fields.Number, _l("应为数值。")),
    (fields.DateTime, _l("应为日期时间，如 2026-05-12T09:30:00+08:00。")),
    (fields.Date, _l("应为日期，如 2026-05-12。")),
    (fields.String, _l("应为文本。")),
    (fields.List, _l("应为列表。")),
    (fields.Mapping, _l("应为 JSON 对象。")),
]
SCHEMA_MESSAGES = {"unknown": _l("没有这个字段。"), "type": _l("应为 JSON 对象。")}


def _localized_validator(validator: Any) -> Any:
    """A validator with our messages (marshmallow formats them when the error is made)."""
    if isinstance(validator, validate.Length):
        validator.message_min = _l("长度不能少于 {min} 个字符。")
        validator.message_max = _l("长度不能超过 {max} 个字符。")
        validator.message_all = _l("长度应在 {min} 到 {max} 个字符之间。")
        validator.message_equal = _l("长度应为 {equal} 个字符。")
    elif isinstance(validator, validate.Range):
        validator.message_min = _l("不能小于 {min}。")
        validator.message_max = _l("不能大于 {max}。")
        validator.message_all = _l("应在 {min} 到 {max} 之间。")
    elif isinstance(validator, validate.OneOf):
        validator.error = _l("应为以下之一：{choices}。")
    return validator


def localize_field(field: fields.Field) -> fields.Field:
    """The field with our messages, its validators' and a list's items' too."""
    messages = Messages(field.error_messages)
    messages.update({k: v for k, v in FIELD_MESSAGES.items() if k in messages})
    if "invalid" in messages:
        messages["invalid"] = next((text for cls, text in INVALID if isinstance(field, cls)),
                                   _l("取值格式不正确。"))
    field.error_messages = messages
    for validator in field.validators:
        _localized_validator(validator)
    if isinstance(field, fields.List):
        localize_field(field.inner)
    return field


def localize(schema: Schema) -> Schema:
    """A schema (its fields) answering refusals in the reader's language."""
    schema.error_messages = Messages({**schema.error_messages, **SCHEMA_MESSAGES})
    for field in schema.fields.values():
        localize_field(field)
    return schema

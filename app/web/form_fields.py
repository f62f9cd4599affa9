"""The fields and formatters every CRUD screen derives from its model: lengths of free text,
choice drop-downs and check boxes (preset on an add form), and values as a page shows them."""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, DateTime, Text, inspect
from wtforms import BooleanField, Field, SelectField
from wtforms.validators import DataRequired, Length, Optional

from app import models as m
from app.domain import choices
from app.domain.labels import LABELS, choices_for, joined
from app.domain.text import TEXT_MAX
from app.web.times import local_time


def text_length() -> Length:
    """The length a free-text field holds (app/domain/text.py), also the form's maxlength."""
    return Length(max=TEXT_MAX, message=_l("不能超过 %(max)d 个字。"))


def text_validators(model: type[m.Model]) -> dict[str, list]:
    """A length validator for each free-text (Text) column: String columns have FAB's."""
    return {column.key: [text_length()] for column in inspect(model).columns
            if isinstance(column.type, Text)}


def column_default(model: type[m.Model], column: str) -> object:
    """The model's scalar default of a column (a new row's value), None without one."""
    default = inspect(model).columns[column].default
    return default.arg if default is not None and default.is_scalar else None


def choice_form_fields(model: type[m.Model], columns: list[str],
                       adding: bool = False) -> dict[str, Field]:
    """Select fields with translated labels for choice columns; check boxes for booleans;
    on an add form (`adding`) preset to the model's defaults (a new 责任单位: 职能部门, 启用).

    (FAB marks a NOT NULL boolean as required, so an unticked box could never be saved.)
    """
    table = model.__tablename__
    fields: dict[str, Field] = {}
    for column in columns:
        default = column_default(model, column) if adding else None
        if isinstance(inspect(model).columns[column].type, Boolean):
            fields[column] = BooleanField(LABELS.get(column, column), default=bool(default))
            continue
        options = choices_for(table, column)
        if options is None:
            continue
        nullable = inspect(model).columns[column].nullable
        fields[column] = SelectField(
            LABELS.get(column, column),
            choices=([("", "")] if nullable else []) + choices.pairs(options),
            validators=[Optional() if nullable else DataRequired()],
            coerce=lambda v: v or None,
            default=default,
        )
    return fields


def display(value: object) -> object:
    """A value as a page shows it: nothing for none, 是/否 for booleans, lists joined."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, list | tuple):
        return joined(value)
    return value


def list_formatters(model: type[m.Model], columns: list[str]) -> dict:
    """Formatters for list and show pages: choice labels, not stored values; no "None";
    times in the portal's zone to the minute."""
    table = model.__tablename__
    times = {c.key for c in inspect(model).columns if isinstance(c.type, DateTime)}
    out: dict[str, Callable[..., object]] = {}
    for column in columns:
        options = choices_for(table, column)
        if options is not None:
            out[column] = lambda v, options=options: choices.label(options, v)
        elif column in times:  # one clock (issue 17): Beijing time, to the minute
            out[column] = local_time
        else:
            out[column] = display
    return out

"""Searching by a time (issue 17, item 6): the time is typed in the portal's zone (Beijing),
never prefilled with the server's UTC "now", and compared with the stored UTC.

Every datetime column of a list's search gets a text field and the filters 不早于 / 早于;
the converter (crud_kit.ChoiceFilterConverter) and the view base (crud_base) use them.
"""

from __future__ import annotations

import datetime as dt
import operator
from typing import Any

from flask_appbuilder.fieldwidgets import BS3TextFieldWidget
from flask_appbuilder.models.filters import BaseFilter
from flask_babel import lazy_gettext as _l
from sqlalchemy import DateTime, inspect
from wtforms import StringField
from wtforms.validators import Optional

from app.domain import clock


def typed_utc(text: object) -> dt.datetime | None:
    """A time typed in the portal's time zone, as stored (UTC); None if not one."""
    try:
        moment = dt.datetime.fromisoformat(str(text).strip())
    except (ValueError, OverflowError):
        return None
    local = moment.replace(tzinfo=clock.zone()) if moment.tzinfo is None else moment
    return local.astimezone(dt.UTC).replace(tzinfo=None)


class _TimeFilter(BaseFilter):
    """A moment typed in Beijing time, compared with a UTC column by `compare`."""

    compare = staticmethod(operator.ge)

    def apply(self, query, value):
        moment = typed_utc(value)
        column = getattr(self.datamodel.obj, self.column_name)
        return query if moment is None else query.filter(self.compare(column, moment))


class FilterFrom(_TimeFilter):
    name = _l("不早于（北京时间）")
    arg_name = "from"
    compare = staticmethod(operator.ge)


class FilterBefore(_TimeFilter):
    name = _l("早于（北京时间）")
    arg_name = "before"
    compare = staticmethod(operator.lt)


def is_time(model: type, column: str) -> bool:
    """Whether the model's column is a stored time (DateTime)."""
    columns: dict[str, Any] = dict(inspect(model).columns.items())
    found = columns.get(column)
    return found is not None and isinstance(found.type, DateTime)


def time_filters(datamodel, column: str) -> list[BaseFilter]:
    """不早于 / 早于 a typed Beijing time."""
    return [FilterFrom(column, datamodel), FilterBefore(column, datamodel)]


def time_search_fields(model: type, labels: dict) -> dict[str, StringField]:
    """A text field, empty, for each datetime column of the model (FAB prefills its picker
    with the column default: the server's UTC now, with microseconds)."""
    columns: list[Any] = list(inspect(model).columns)
    return {c.key: StringField(labels.get(c.key, c.key), validators=[Optional()],
                               widget=BS3TextFieldWidget(),
                               description=_l("如 2026-12-03 或 2026-12-03 08:00"))
            for c in columns if isinstance(c.type, DateTime)}

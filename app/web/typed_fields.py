"""Form fields that read dates and amounts as people type them (app/domain/typed_input.py).

Every CRUD form's date and decimal fields become these (app/web/crud_base.py), as do the
short forms of 我的台账 and 投资月报填报; a refused value stays in the field, shown as typed."""

from __future__ import annotations

from typing import Any

from flask import flash
from markupsafe import Markup
from wtforms import DateField, DecimalField, Field
from wtforms.fields.core import UnboundField
from wtforms.widgets import TextInput, html_params

from app.domain import typed_input
from app.domain.typed_input import InputError


class TypedDateField(DateField):
    """A date typed as 2026-12-03, 2026/12/3, 2026年12月3日, 20261203, full-width, a serial."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist:
            return
        try:
            self.data = typed_input.parse_date(" ".join(valuelist))
        except InputError as error:
            self.data = None
            raise ValueError(error.message) from None

    def _value(self) -> str:
        if self.data is not None and not self.process_errors:
            return self.data.isoformat()
        return " ".join(self.raw_data) if self.raw_data else ""


class TypedDecimalField(DecimalField):
    """An amount in 万元, with thousands separators (half- or full-width) and a unit;
    one typed in 元 is converted, and the form says so. A text box (WTForms' number input
    would let the browser refuse "1，200.50" before the parser sees it)."""

    widget = TextInput()

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist:
            return
        try:
            amount = typed_input.parse_amount(valuelist[0])
        except InputError as error:
            self.data = None
            raise ValueError(error.message) from None
        self.data = amount.value if amount is not None else None
        if amount is not None and amount.note:
            flash(amount.note, "info")

    def _value(self) -> str:
        if self.data is not None and not self.process_errors:
            return DecimalField._value(self)  # type: ignore[attr-defined]  # not in the stubs
        return self.raw_data[0] if self.raw_data else ""


class DatePickerWidget:
    """FAB's date picker, showing the field's text (FAB's shows its data: a refused value
    was cleared)."""

    def __call__(self, field: TypedDateField, **kwargs: Any) -> Markup:
        kwargs.setdefault("id", field.id)
        kwargs.setdefault("name", field.name)
        params = html_params(type="text", value=field._value(), autocomplete="off", **kwargs)
        return Markup('<div class="input-group date appbuilder_date" data-provide="datepicker">'
                      '<span class="input-group-addon"><i class="fa fa-calendar cursor-hand">'
                      f'</i></span><input class="form-control" {params} /></div>')


def typed(unbound: Any) -> Any:
    """A form's unbound field with the typed reading, if it is a date or decimal field."""
    if not isinstance(unbound, UnboundField):
        return unbound
    kwargs = dict(unbound.kwargs)
    if unbound.field_class is DateField:
        kind: type[Field] = TypedDateField
        kwargs["widget"] = DatePickerWidget()
    elif unbound.field_class is DecimalField:
        kind = TypedDecimalField
    else:
        return unbound
    found: UnboundField = UnboundField(kind, *unbound.args, name=unbound.name, **kwargs)
    found.creation_counter = unbound.creation_counter  # the form keeps its order
    return found


def typed_form(form: type) -> None:
    """Give a form class's date and decimal fields the typed reading."""
    for name in list(vars(form)):
        value = getattr(form, name)
        if isinstance(value, UnboundField):
            setattr(form, name, typed(value))

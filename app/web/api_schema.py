"""What a REST answer may carry: the columns a resource lists, each relation as a reference
(the related row's id and name) and a login as its display name, nothing else of ab_user;
of a row's to-many relations (a meeting's projects), only the rows the user may see.

FAB nests a relation named without dotted columns ("user") as the whole related row, every
column of it: Person's login went out with its password hash, e-mail and login counts
(issue 14). Here every nested relation takes the columns REFERENCES allows for its model,
and FAB's User only ever appears as AccountName; `account_leaks` is the check each resource
runs at startup, so a new one cannot bring the leak back.
"""

from __future__ import annotations

from typing import Any

from flask_appbuilder.api.convert import Model2SchemaConverter, TreeNode
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate
from marshmallow_sqlalchemy.fields import Related
from sqlalchemy import Date, DateTime, Numeric

from app import models as m
from app.domain import access
from app.web.api_fields import Money, TypedDate, ZonedDateTime, localize

# a relation nests as its row's reference: the id and what names the row
REFERENCES: dict[type[m.Model], tuple[str, ...]] = {
    m.Department: ("id", "name"),
    m.Person: ("id", "name"),
    m.Project: ("id", "code", "name"),
    m.Meeting: ("id", "held_on", "title"),
    m.Task: ("id", "title"),
    m.NodeTemplate: ("id", "name"),
    m.TemplateNode: ("id", "title"),
}


def display_name(user: m.User | None) -> str | None:
    """A login as pages show it: FAB's first and last name (a person's name and title)."""
    return None if user is None else user.get_full_name()


class AccountName(fields.String):
    """A relation to a login, answered as its display name only; never read from a body."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(dump_only=True, allow_none=True, **kwargs)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        if isinstance(value, list | tuple | set):
            return ", ".join(filter(None, (display_name(user) for user in value)))
        return display_name(value)


class InScope(fields.Nested):
    """A to-many relation as references, of the related rows the user may see only."""

    # marshmallow types Field._serialize and Nested._serialize apart; this is Nested's
    def _serialize(self, nested_obj: Any, attr: Any, obj: Any,  # type: ignore[override]
                   **kwargs: Any) -> Any:
        rows = None if nested_obj is None else access.shown(nested_obj)
        return super()._serialize(rows, attr, obj, **kwargs)


def _typed(datamodel: Any, name: str, field: fields.Field) -> fields.Field:
    """A column's field as it travels: money as a decimal string, a timestamp with its
    offset (app/web/api_fields.py); a relation in a body as the related row's id."""
    column = datamodel.list_columns.get(name)
    kind = getattr(column, "type", None)
    common = {"required": field.required, "allow_none": field.allow_none,
              "dump_only": field.dump_only, "load_only": field.load_only}
    if isinstance(kind, Numeric) and isinstance(field, fields.Decimal):
        ranges = [v for v in field.validators if isinstance(v, validate.Range)]
        signed = not any(v.min is not None and v.min >= 0 for v in ranges)
        return Money(signed=signed, validate=list(field.validators), **common)
    if isinstance(kind, DateTime) and isinstance(field, fields.DateTime):
        return ZonedDateTime(validate=list(field.validators), **common)
    if isinstance(kind, Date) and isinstance(field, fields.Date):
        return TypedDate(validate=list(field.validators), **common)
    inner = field.inner if isinstance(field, fields.List) else field
    if isinstance(inner, Related):
        inner.metadata = {**inner.metadata, "type": "integer",
                          "description": _l("关联记录的编号")}
    return field


class ReferenceConverter(Model2SchemaConverter):
    """FAB's schema builder, with relations as references and logins as display names,
    fields as they travel and messages in the reader's language."""

    def convert(self, *args: Any, **kwargs: Any) -> Schema:
        return localize(super().convert(*args, **kwargs))

    def _column2field(self, datamodel: Any, column: TreeNode, *args: Any,
                      **kwargs: Any) -> fields.Field:
        field = super()._column2field(datamodel, column, *args, **kwargs)
        return _typed(datamodel, column.name, field)

    def _column2relation(self, datamodel: Any, column: TreeNode, nested: bool = False,
                         parent_schema_name: str | None = None) -> fields.Field:
        related = datamodel.get_related_model(column.name)
        if issubclass(related, m.User):
            if nested:  # an answer: the name
                return AccountName()
            field = super()._column2relation(datamodel, column, nested=False)
            field.load_only = True  # a body names the login by id; the echo leaves it out
            return field
        if nested and not column.children:
            if related not in REFERENCES:
                raise TypeError(f"{datamodel.obj.__name__}.{column.name}: no reference "
                                f"columns for {related.__name__} (app/web/api_schema.py)")
            column.children = [TreeNode(name) for name in REFERENCES[related]]
        field = super()._column2relation(datamodel, column, nested, parent_schema_name)
        if isinstance(field, fields.Nested) and field.many:  # row scope follows relations
            return InScope(field.nested, many=True, required=field.required)
        if nested and datamodel.is_relation_many_to_one(column.name):
            field.allow_none = datamodel.is_nullable(column.name)  # a task without a person
        return field


def _reaches_account(field: fields.Field) -> bool:
    """Whether a field answers something of FAB's ab_user table."""
    if isinstance(field, AccountName) or field.load_only:
        return False
    if isinstance(field, Related):
        return issubclass(field.related_model, m.User)
    return False


def account_leaks(schema: Schema, path: str = "") -> list[str]:
    """The fields of a schema (nested ones too) that would answer a login's columns."""
    leaks = []
    for name, field in schema.fields.items():
        inner = field.inner if isinstance(field, fields.List) else field
        if isinstance(inner, fields.Nested):
            nested = inner.schema
            model = getattr(nested.opts, "model", None)
            if model is not None and issubclass(model, m.User):
                leaks.append(f"{path}{name}")
            leaks += account_leaks(nested, f"{path}{name}.")
        elif _reaches_account(inner):
            leaks.append(f"{path}{name}")
    return leaks

"""What a REST answer may carry: the columns a resource lists, each relation as a reference
(the related row's id and name) and a login as its display name, nothing else of ab_user.

FAB nests a relation named without dotted columns ("user") as the whole related row, every
column of it: Person's login went out with its password hash, e-mail and login counts
(issue 14). Here every nested relation takes the columns REFERENCES allows for its model,
and FAB's User only ever appears as AccountName; `account_leaks` is the check each resource
runs at startup, so a new one cannot bring the leak back.
"""

from __future__ import annotations

from typing import Any

from flask_appbuilder.api.convert import Model2SchemaConverter, TreeNode
from marshmallow import Schema, fields
from marshmallow_sqlalchemy.fields import Related

from app import models as m

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


class ReferenceConverter(Model2SchemaConverter):
    """FAB's schema builder, with relations as references and logins as display names."""

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
        return super()._column2relation(datamodel, column, nested, parent_schema_name)


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

"""The drop-downs of a new row: the user's scope, and no unit that is 停用; a view's own
filters (the person form's free logins) after them."""

from __future__ import annotations

from flask_appbuilder.models.sqla.filters import FilterEqual

from app import models as m
from app.domain.save import relationships
from app.web.row_scope import SCOPE

ACTIVE = [["active", FilterEqual, True]]


def offered_rel_fields(model: type[m.Model]) -> dict[str, list]:
    """A new row's drop-downs: in scope, and no unit that is 停用 (validation.py refuses
    one); an edit form keeps offering the unit a row already has."""
    return {rel.key: [*SCOPE, *(ACTIVE if rel.mapper.class_ is m.Department else [])]
            for rel in relationships(model)}


def more_filters(base: dict[str, list], own: dict[str, list] | None) -> dict[str, list]:
    """A view's own drop-down filters (the free logins of the person form) after the base's."""
    return {**base, **{key: [*base.get(key, []), *filters]
                       for key, filters in (own or {}).items()}}

"""How the security screens show accounts and roles: role labels, 是/否, lists joined, blanks
for empty cells (app/web/security.py's views use these)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from app.domain.labels import joined
from app.domain.roles import role_label


def roles_text(roles: list | None) -> str:
    return joined(map(role_label, roles or []))


def yes_no(value: bool | None) -> str:
    return "" if value is None else str(_l("是") if value else _l("否"))


def joined_text(items: list | None) -> str:
    return joined(items or [])


def blank(value: object) -> object:
    return "" if value is None else value


class RoleLabelledForms:
    """A security view whose role drop-downs (add, edit, search) list role labels."""

    role_fields = ("roles",)
    # the model view's, which this is mixed into (FAB is untyped)
    add_form: Any
    edit_form: Any
    search_form: Any

    def _init_forms(self) -> None:
        super()._init_forms()  # type: ignore[misc]  # the model view's, after this in the MRO
        for form in (self.add_form, self.edit_form, self.search_form):
            for name in self.role_fields:
                field = getattr(form, name, None)
                if field is not None:
                    field.kwargs["get_label"] = role_label

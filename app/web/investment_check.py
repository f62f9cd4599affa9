"""投资月报 on the office's list: an implausible amount marked (issue 18.5), and the CRUD
form's confirmation of one (app/domain/validation.py says what is implausible)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import BooleanField

from app.domain.plausibility import doubts_of
from app.web.paging import PagedInterface

DOUBT = "doubt"  # the list's computed column


def confirm_field() -> BooleanField:
    """The form's 数额无误 box: an implausible amount is saved once it is ticked."""
    return BooleanField(_l("数额无误，确认保存"),
                        description=_l("本月金额超过年度计划剩余部分或年度计划的一半时须勾选。"))


class DoubtInterface(PagedInterface):
    """The investment list's data, each page's rows with their doubt (one query a page)."""

    def get_values(self, lst: list, list_columns: list[str]) -> Iterator[dict[str, Any]]:
        if DOUBT not in list_columns:
            yield from super().get_values(lst, list_columns)
            return
        found = doubts_of(list(lst))
        columns = [c for c in list_columns if c != DOUBT]
        for item, values in zip(lst, super().get_values(lst, columns), strict=True):
            yield {**values, DOUBT: found.get(item.id)}


def doubt_badge(doubt: str | None) -> Markup | str:
    """The mark of an implausible amount, its reason in words beside it."""
    if not doubt:
        return ""
    return Markup('<span class="label label-warning kl-doubt">{}</span> '
                  '<small class="text-warning">{}</small>').format(_l("数额存疑"), doubt)

"""Every CRUD list remembers its user's last filter and order for the session (issue 18.7).

A list opened with no arguments (from the menu, or 返回) shows the filter and order its user
last applied; a new search or order replaces what is remembered, and 清除筛选 forgets it.
The memory lives in the user's own session: another user's lists are not affected."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import request, session, url_for
from flask_appbuilder.widgets import SearchWidget
from markupsafe import Markup

SESSION_KEY = "list_filters"
SEARCHED = "_search"  # the search form's own field: a search with every filter removed
CLEAR = "_clear"  # 清除筛选
LIST_ARGS = ("_flt_", "_oc_", "_od_", "psize_")


def list_args() -> list[tuple[str, str]]:
    """This request's filter, order and page-size arguments."""
    return [(key, value) for key in request.args if key.startswith(LIST_ARGS)
            for value in request.args.getlist(key)]


def remembered_url(view_name: str) -> str | None:
    """Where the list should go instead of answering this request (the remembered filter,
    or the plain list after 清除筛选), None to answer it; what it applies is remembered."""
    memory = dict(session.get(SESSION_KEY) or {})
    kept = memory.get(view_name)
    if CLEAR in request.args:
        _remember(memory, view_name, None)
        return url_for(f"{view_name}.list")
    applied = list_args()
    if applied or SEARCHED in request.args:
        _remember(memory, view_name, applied or None)
        return None
    if kept and not request.args:
        return url_for(f"{view_name}.list") + "?" + urlencode([tuple(pair) for pair in kept])
    return None


def _remember(memory: dict, view_name: str, applied: list[tuple[str, str]] | None) -> None:
    """Keep (or, None, forget) a list's arguments; the session is written only on a change."""
    before = memory.get(view_name)
    if applied is None:
        memory.pop(view_name, None)
    else:
        memory[view_name] = [list(pair) for pair in applied]
    if memory.get(view_name) != before:
        session[SESSION_KEY] = memory


class RememberingSearchWidget(SearchWidget):
    """FAB's search form, marking a search as made, with 清除筛选 while one is applied."""

    template = "lists/search_widget.html"

    def __call__(self, **kwargs: Any) -> Markup:
        route_base = self.template_args.get("route_base", "")
        if list_args():
            kwargs["clear_url"] = f"{route_base}/list/?{CLEAR}=1"
        return super().__call__(**kwargs)

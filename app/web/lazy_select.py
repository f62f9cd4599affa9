"""The search form's related-field drop-downs, filled as the user opens them (issue 19, item 2).

FAB's search widget rendered every choice of a related field (every unit, in tree order)
into every list page, whether or not anyone filtered by it. Here the field renders only the
values of the filters the page applies, and select2 (FAB's copy, static/js/lazy-select.js)
asks `<view>/choices/<field>/` for the rest as the user types: rows in the user's scope
only, by the same one door as every list (app/domain/access.py), fifty at a time.
"""

from __future__ import annotations

import re
from typing import Any

from flask import abort, jsonify, request, url_for
from flask_appbuilder import ModelView
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import inspect

from app import models as m
from app.domain import access, tree
from app.extensions import db

PAGE = 50
QUERY_MAX = 50  # characters of the text typed that are searched for
LABEL_COLUMNS = ("name", "title", "code")  # what a row is searched by, in this order
PLACEHOLDER = _l("输入名称查找")


class LazySelect:
    """A <select> holding only the chosen values; select2 loads the others from the
    endpoint's JSON."""

    def __init__(self, endpoint: str, name: str, model: type) -> None:
        self.endpoint, self.name, self.model = endpoint, name, model

    def __call__(self, field: Any, **kwargs: Any) -> Markup:
        options = [Markup('<option value=""></option>')]
        options += [Markup('<option value="{}" selected>{}</option>').format(pk, text)
                    for pk, text in chosen(self.model, field.name)]
        return Markup(
            '<select class="form-control kl-lazy-select" id="{}" name="{}" data-url="{}" '
            'data-placeholder="{}">{}</select>').format(
                field.id, field.name, url_for(self.endpoint, name=self.name), PLACEHOLDER,
                Markup("").join(options))


def chosen(model: type, name: str) -> list[tuple[int, str]]:
    """The rows named by this page's filters on the field (in scope only), as options."""
    wanted = re.compile(rf"^_flt_\d+_{re.escape(name)}$")
    ids = {pk for key in request.args if wanted.match(key)
           for pk in map(access.id_or_none, request.args.getlist(key)) if pk is not None}
    if not ids:
        return []
    rows = db.session.scalars(access.scoped(model, model.id.in_(ids)))  # type: ignore[attr-defined]
    return [(row.id, label_of(row)) for row in rows]


def label_of(row: Any) -> str:
    if isinstance(row, m.Department):
        return tree.label(row)
    return str(row)


def install(view: ModelView) -> None:
    """Give the view's search form lazy drop-downs for its related fields."""
    form = view.search_form
    for name in related_search_fields(view):
        field = getattr(form, name, None)
        if field is not None:
            field.kwargs["widget"] = LazySelect(f"{type(view).__name__}.choices", name,
                                                view.datamodel.get_related_model(name))


def related_search_fields(view: ModelView) -> list[str]:
    datamodel = view.datamodel
    return [name for name in (view.search_columns or [])
            if datamodel.is_relation_many_to_one(name) or datamodel.is_relation_many_to_many(name)]


def answer(view: ModelView, name: str):
    """The choices of one related field of the view's search, as select2 asks for them:
    {"results": [{"id", "text"}], "pagination": {"more"}}; an unknown field is a 404."""
    if name not in related_search_fields(view):
        abort(404)
    model = view.datamodel.get_related_model(name)
    typed = request.args.get("q", "", type=str).strip()[:QUERY_MAX]
    page = max(1, min(request.args.get("page", 1, type=int), 10_000))
    if model is m.Department:
        rows = units(typed, page)
    else:
        rows = others(model, typed, page)
    more = len(rows) > PAGE
    return jsonify(results=[{"id": row.id, "text": label_of(row)} for row in rows[:PAGE]],
                   pagination={"more": more})


def units(typed: str, page: int) -> list[m.Department]:
    """The units in scope in tree order (one query: the tree needs them all), those whose
    name holds what was typed, a page of them and one more."""
    found = tree.tree_order(db.session.scalars(access.scoped(m.Department)))
    if typed:
        found = [unit for unit in found if typed.casefold() in unit.name.casefold()]
    return found[(page - 1) * PAGE:page * PAGE + 1]


def others(model: type, typed: str, page: int) -> list[Any]:
    columns: Any = inspect(model).columns
    column = next((columns[c] for c in LABEL_COLUMNS if c in columns), columns["id"])
    query = access.scoped(model)
    if typed and column.key != "id":
        query = query.where(column.contains(typed, autoescape=True))
    query = query.order_by(column, columns["id"]).limit(PAGE + 1).offset((page - 1) * PAGE)
    return list(db.session.scalars(query))


"""The base of every CRUD screen: permissions, row scope, guarded writes, refusals on the form."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from flask import abort, flash, g, redirect, request, session, url_for
from flask_appbuilder import ModelView, expose, has_access
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext as _
from sqlalchemy import inspect
from wtforms import Field, Form

from app import models as m
from app.domain import locking, tree
from app.domain.in_use import guard_delete
from app.domain.labels import LABELS
from app.domain.roles import METHOD_PERMISSIONS
from app.domain.save import guard_write, relationships
from app.domain.validation import DomainError
from app.web import lazy_select
from app.web.drop_downs import more_filters, offered_rel_fields
from app.web.form_fields import choice_form_fields, list_formatters, text_validators
from app.web.list_export import ExportListWidget, export_list
from app.web.list_memory import RememberingSearchWidget, remembered_url
from app.web.row_scope import SCOPE
from app.web.time_filters import time_search_fields
from app.web.typed_fields import typed_form

logger = logging.getLogger(__name__)


def scoped_rel_fields(model: type[m.Model]) -> dict[str, list]:
    """Drop-down filters: every related field lists only rows in the user's scope."""
    return {rel.key: SCOPE for rel in relationships(model)}


def said_instead(message: str | None) -> None:
    """FAB flashes a write the flush guard refused as a database error or as done: take
    its message back, and say the refusal instead (None: the error page says it)."""
    flashes = session.get("_flashes", [])
    if flashes:
        session["_flashes"] = flashes[:-1]
    if message:
        flash(message, "danger")


class ScopedModelView(ModelView):
    """A CRUD view: four permissions, department scope, guarded writes, 422 on bad input."""

    method_permission_name = METHOD_PERMISSIONS
    base_filters = SCOPE
    label_columns = LABELS
    page_size = 25
    list_widget = ExportListWidget  # the list with its "导出 Excel" button
    search_widget = RememberingSearchWidget  # issue 18.7: with 清除筛选
    edit_template = "locking/edit.html"  # issue 7: FAB's, with a refused save's differences
    # FAB's attributes that __init__ below completes (FAB is untyped: their types, for mypy)
    class_permission_name: str | None
    list_columns: list[str] | None
    show_columns: list[str] | None
    edit_columns: list[str]
    add_form_extra_fields: dict[str, Field] | None
    edit_form_extra_fields: dict[str, Field] | None
    add_form_query_rel_fields: dict[str, list] | None
    edit_form_query_rel_fields: dict[str, list] | None
    search_form_extra_fields: dict[str, Field] | None
    formatters_columns: dict[str, Callable[..., object]] | None
    validators_columns: dict[str, list] | None

    def __init__(self, **kwargs) -> None:
        model = self.datamodel.obj
        self.class_permission_name = self.class_permission_name or model.__name__
        rel = scoped_rel_fields(model)
        self.add_form_query_rel_fields = more_filters(offered_rel_fields(model),
                                                      self.add_form_query_rel_fields)
        self.edit_form_query_rel_fields = more_filters(rel, self.edit_form_query_rel_fields)
        self.search_form_query_rel_fields = rel
        columns = [c.key for c in inspect(model).columns]
        self.add_form_extra_fields = {**choice_form_fields(model, columns, adding=True),
                                      **(self.add_form_extra_fields or {})}
        self.edit_form_extra_fields = {**choice_form_fields(model, columns),
                                       **(self.edit_form_extra_fields or {})}
        if locking.VERSION in columns:  # issue 7: the edit form carries the version it shows
            self.edit_columns = [*self.edit_columns, locking.VERSION]
            self.edit_form_extra_fields[locking.VERSION] = locking.version_field()
        validators = text_validators(model)
        for key, own in (self.validators_columns or {}).items():
            validators[key] = [*validators.get(key, []), *own]
        self.validators_columns = validators
        self.search_form_extra_fields = {**time_search_fields(model, self.label_columns),
                                         **choice_form_fields(model, columns),
                                         **(self.search_form_extra_fields or {})}
        shown = [*(self.list_columns or []), *(self.show_columns or [])]
        self.formatters_columns = {**list_formatters(model, shown),
                                   **(self.formatters_columns or {})}
        super().__init__(**kwargs)

    def _init_forms(self) -> None:
        """FAB's forms; every department drop-down lists the units in tree order, each name
        indented by its depth (issue 15)."""
        super()._init_forms()
        for form in (self.add_form, self.edit_form):
            typed_form(form)  # dates and amounts as people type them (issue 18)
        units = [rel.key for rel in relationships(self.datamodel.obj)
                 if rel.mapper.class_ is m.Department]
        for form in (self.add_form, self.edit_form, self.search_form):
            for name in units:
                field = getattr(form, name, None)
                if field is not None and "query_func" in field.kwargs:
                    field.kwargs["query_func"] = tree_query(field.kwargs["query_func"])
                    field.kwargs["get_label"] = tree.label
        lazy_select.install(self)  # the search's drop-downs load as they open (issue 19)

    @expose("/choices/<string:name>/")
    @has_access
    def choices(self, name: str):
        """A search drop-down's choices, as its select2 asks for them: rows in scope only."""
        return lazy_select.answer(self, name)

    @expose("/list/")
    @has_access
    def list(self):
        """FAB's list; opened without arguments, with the filter and order its user last
        applied in this session (issue 18.7, app/web/list_memory.py)."""
        elsewhere = remembered_url(type(self).__name__)
        if elsewhere is not None:
            return redirect(elsewhere)
        return super().list()

    @expose("/export/")
    @has_access
    def export(self):
        """导出 Excel: the list as its page shows it (scope, search filters, order), as .xlsx."""
        return export_list(self)

    @expose("/download/<string:filename>")
    @has_access
    def download(self, filename: str):
        """FAB's file-column download: no table keeps files there, so 404 (FAB: a 500)."""
        abort(404)

    def process_form(self, form: Form, is_created: bool) -> None:
        """An empty text box leaves a nullable column empty (NULL), not "": a field the user
        did not touch changes nothing (a department user may not set 审核意见 at all)."""
        columns = inspect(self.datamodel.obj).columns
        for field in form:
            if field.data == "" and field.name in columns and columns[field.name].nullable:
                field.data = None

    def pre_add(self, item: m.Model) -> None:
        self._guarded(item, adding=True)

    def pre_update(self, item: m.Model) -> None:
        self._guarded(item, adding=False)

    def pre_delete(self, item: m.Model) -> None:
        """A row other rows use is refused before the database is asked: FAB flashes the
        message in red, and delete() goes back to the page (app/domain/in_use.py)."""
        try:
            guard_delete(item)
        except DomainError:
            g.delete_refused = True
            raise

    def _guarded(self, item: m.Model, adding: bool) -> None:
        try:
            guard_write(item, adding)
        except DomainError as error:
            g.domain_error = error
            raise

    def _refused(self, template: str, title: str, widgets: dict) -> tuple[str, int]:
        error = g.pop("domain_error", None)
        if g.pop("refused_commit", False):
            said_instead(error.message)
        status = error.status if error else 422
        conflict = getattr(error, "changes", None)  # issue 7: what differs, shown as a table
        return self.render_template(template, title=title, widgets=widgets,
                                    conflict=conflict), status

    @expose("/add", methods=["GET", "POST"])
    @has_access
    def add(self):
        widget = self._add()
        if "domain_error" in g:
            self.datamodel.session.rollback()
            widget = self._get_add_widget(form=self.add_form.refresh(request.form))
            return self._refused(self.add_template, self.add_title, widget)
        if not widget:
            return self.post_add_redirect()
        if request.method == "POST":
            return self._refused(self.add_template, self.add_title, widget)
        return self.render_template(self.add_template, title=self.add_title, widgets=widget)

    @expose("/edit/<pk>", methods=["GET", "POST"])
    @has_access
    def edit(self, pk):
        widgets = self._edit(pk)
        if "domain_error" in g:
            self.datamodel.session.rollback()
            form = self.edit_form.refresh(request.form)
            locking.renew(form, g.get("domain_error"))
            widgets = self._get_edit_widget(form=form)
            widgets["related_views"] = []
            return self._refused(self.edit_template, self.edit_title, widgets)
        if not widgets:
            return self.post_edit_redirect()
        kwargs = {"title": self.edit_title, "widgets": widgets,
                  "related_views": self._related_views}
        if request.method == "POST":
            return self.render_template(self.edit_template, **kwargs), 422
        return self.render_template(self.edit_template, **kwargs)

    @expose("/delete/<pk>", methods=["GET", "POST"])
    @has_access
    def delete(self, pk):
        """FAB's delete; one the flush guard refuses is a 403 page, not "deleted"."""
        response = super().delete(pk)
        if g.pop("refused_commit", False):
            said_instead(None)
            raise g.pop("domain_error")
        if g.pop("delete_refused", False):  # back to the list it was asked from, and its message
            back = request.referrer or ""
            same_site = back.startswith(request.host_url)
            return redirect(back if same_site else url_for(f"{type(self).__name__}.list"))
        return response

    @expose("/action/<string:name>/<pk>", methods=["POST"])
    def action(self, name, pk):
        """A single-row action, on a row in scope only."""
        if name not in self.actions:
            abort(404)
        if not self.appbuilder.sm.has_access(self.get_action_permission_name(name),
                                             self.class_permission_name):
            abort(403)
        item = self.datamodel.get(pk, self._base_filters)
        if item is None:
            abort(404)
        return self.actions[name].func(item)

    @expose("/action_post", methods=["POST"])
    def action_post(self):
        """A list action, on rows in scope only: one id out of scope refuses all."""
        name = request.form.get("action", "")
        if name not in self.actions:
            abort(404)
        if not self.appbuilder.sm.has_access(self.get_action_permission_name(name),
                                             self.class_permission_name):
            abort(403)
        pks = request.form.getlist("rowid")
        items = [self.datamodel.get(pk, self._base_filters) for pk in pks]
        if any(item is None for item in items):
            abort(404)
        return self.actions[name].func(items)


def tree_query(query: Callable[[], Any]) -> Callable[[], list]:
    """A drop-down's query, its units in tree order."""
    return lambda: tree.tree_order(query())


def interface(model: type, orders: Mapping[str, Sequence[Any]] | None = None) -> SQLAInterface:
    """The data interface of a view; `orders` names orders of several keys (a base_order)."""
    from app.web.paging import PagedInterface  # 503 when the database refuses; fast last pages

    return PagedInterface(model, orders)


def back_to_list(view: ModelView):
    flash(_("操作完成。"), "success")
    return redirect(view.get_redirect())

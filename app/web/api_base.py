"""The base of every REST resource: the same permissions, row scope and guarded writes as
the CRUD screens, and refusals as JSON with a Chinese message."""

from __future__ import annotations

import logging
import re
from typing import Any

from flask import request
from flask_appbuilder import ModelRestApi
from flask_babel import gettext as _
from marshmallow import Schema
from marshmallow.validate import OneOf
from sqlalchemy import Integer, inspect
from sqlalchemy.exc import SQLAlchemyError

from app import models as m
from app.domain import access, locking
from app.domain.access import ID_LIMIT, parse_id
from app.domain.in_use import guard_delete
from app.domain.labels import LABELS, choices_for
from app.domain.roles import METHOD_PERMISSIONS
from app.domain.save import guard_write, relationships
from app.domain.scope import DEPARTMENT_COLUMN
from app.domain.validation import DomainError
from app.extensions import db
from app.web.api_schema import ReferenceConverter, account_leaks
from app.web.crud_base import scoped_rel_fields
from app.web.drop_downs import offered_rel_fields
from app.web.openapi import operation
from app.web.row_scope import SCOPE

logger = logging.getLogger(__name__)
CHINESE = re.compile("[\u4e00-\u9fff]")
COLUMN_LISTS = ("list_columns", "show_columns", "add_columns", "edit_columns")


def bad_relation(model: type[m.Model], item: m.Model | None = None) -> DomainError | None:
    """A related field of the JSON body that is not the id of a row the user may see (or a
    list of them, many-to-many): marshmallow-sqlalchemy would make a new row of an object or
    of an unknown id ({"department": {"x": 1}}, {"task": 999999}), and then fail with a 500.
    Scope first: an id out of scope answers 404 before any shape is judged (422); a relation
    a PUT sends back unchanged, or the user's own department (forced), is not looked at."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return None
    forced = DEPARTMENT_COLUMN.get(model, "").removesuffix("_id")
    malformed = None
    for rel in relationships(model):
        value = body.get(rel.key)
        if value is None:
            continue
        values = value if rel.uselist and isinstance(value, list) else [value]
        ids = [v for v in values if isinstance(v, int) and not isinstance(v, bool)]
        label = LABELS.get(rel.key, rel.key)
        kept = rel.key == forced or (item is not None and set(ids) == _ids(getattr(item,
                                                                                  rel.key)))
        if not kept and not all(_seen(rel.mapper.class_, v) for v in ids):
            return DomainError(_("所选的“%(field)s”不存在或不在本单位范围内。", field=label), 404)
        if (rel.uselist and not isinstance(value, list)) or len(ids) != len(values):
            malformed = malformed or DomainError(_("“%(field)s”应为记录编号。", field=label), 422)
        elif not all(0 < v <= ID_LIMIT and db.session.get(rel.mapper.class_, v) for v in ids):
            malformed = malformed or DomainError(
                _("所选的“%(field)s”不存在或不在本单位范围内。", field=label), 404)
    return malformed


def _ids(value: Any) -> set[int]:
    rows = value if isinstance(value, list) else [value]
    return {row.id for row in rows if row is not None}


def _seen(model: type, row_id: int) -> bool:
    """Whether this id names a row the user may see."""
    row = db.session.get(model, row_id) if 0 < row_id <= ID_LIMIT else None
    return row is not None and access.visible(row)


def bad_number(model: type[m.Model]) -> DomainError | None:
    """An integer column sent as a fraction or a boolean: marshmallow would store 100.5 as
    100 and true as 1 without a word."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return None
    for column in inspect(model).columns:
        value = body.get(column.key)
        if isinstance(column.type, Integer) and value is not None and (
                isinstance(value, bool) or (isinstance(value, float) and not value.is_integer())):
            return DomainError(_("“%(field)s”应为整数。", field=LABELS.get(column.key,
                                                                       column.key)), 422)
    return None


def declared(api: ModelRestApi) -> None:
    """Refuse a resource that leaves a column list to FAB: it would take every column."""
    missing = [attr for attr in COLUMN_LISTS if getattr(api, attr) is None]
    if missing:
        raise TypeError(f"{type(api).__name__}: declare {', '.join(missing)} "
                        "(an allow-list; [] for none)")


def answers_no_login(api: ModelRestApi) -> None:
    """Refuse a resource whose schemas would answer a login's columns (api_schema.py)."""
    leaks = [f"{kind}: {leak}" for kind in ("list", "show", "add", "edit")
             for leak in account_leaks(getattr(api, f"{kind}_model_schema"))]
    if leaks:
        raise TypeError(f"{type(api).__name__} would answer a login's columns: {leaks}")


def no_columns() -> Schema:
    """The add or edit schema of a read-only resource (a class of its own: apispec keys its
    components by class)."""
    return type("NoColumns", (Schema,), {})()


def choice_validators(model: type[m.Model]) -> dict[str, OneOf]:
    """A OneOf for each choice column of the table (app/domain/labels.py)."""
    table = model.__tablename__
    validators = {}
    for column in inspect(model).columns.keys():
        options = choices_for(table, column)
        if options is not None:
            validators[column] = OneOf(list(options))
    return validators


class ScopedApi(ModelRestApi):
    """A REST resource: the same permissions, scope and guards as the CRUD views; it
    answers the columns it declares, relations as references, logins as a name."""

    method_permission_name = METHOD_PERMISSIONS
    model2schemaconverter = ReferenceConverter
    base_filters = SCOPE
    label_columns = LABELS
    page_size = 25
    # FAB's attributes that __init__ below completes (FAB is untyped: their types, for mypy)
    class_permission_name: str | None
    list_columns: list[str]
    show_columns: list[str]
    add_columns: list[str]
    edit_columns: list[str]
    validators_columns: dict[str, Any] | None

    def __init__(self) -> None:
        model = self.datamodel.obj
        self.class_permission_name = self.class_permission_name or model.__name__
        declared(self)
        writable = bool(self.add_columns or self.edit_columns)
        if not writable:  # FAB reads an empty list as "every column"
            self.add_model_schema, self.edit_model_schema = no_columns(), no_columns()
        elif locking.VERSION in inspect(model).columns:  # issue 7: clients read and send it
            self.list_columns = [*self.list_columns, locking.VERSION]
            self.show_columns = [*self.show_columns, locking.VERSION]
            self.edit_columns = [*self.edit_columns, locking.VERSION]
        self.add_query_rel_fields = offered_rel_fields(model)
        self.edit_query_rel_fields = scoped_rel_fields(model)
        self.validators_columns = {**choice_validators(model), **(self.validators_columns or {})}
        super().__init__()
        if not writable:
            self.add_columns, self.edit_columns = [], []

    def create_blueprint(self, appbuilder: Any, *args: Any, **kwargs: Any) -> Any:
        """FAB builds the schemas here, as the app registers the resource: check them."""
        blueprint = super().create_blueprint(appbuilder, *args, **kwargs)
        answers_no_login(self)
        return blueprint

    def _merge_update_item(self, model_item: m.Model, data: dict[str, Any]) -> dict[str, Any]:
        """FAB's PUT as a PATCH: a column left out keeps its value; a write-only one (the
        login, which no answer carries) by not being loaded at all."""
        answered = self.edit_model_schema.dump(model_item, many=False)
        return {**{c: answered[c] for c in self.edit_columns if c in answered}, **data}

    def _get_field_info(self, field: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """FAB's field description for _info; gettext("") would answer the catalogue's
        header for a field without label or description."""
        info = super()._get_field_info(field, *args, **kwargs)
        for key, columns in (("label", self.label_columns), ("description",
                                                             self.description_columns)):
            if not columns.get(field.name):
                info[key] = ""
        return info

    def operation_helper(self, path: Any = None, operations: Any = None, methods: Any = None,
                         func: Any = None, **kwargs: Any) -> None:
        """An operation of the document as it answers (app/web/openapi.py); none for what
        the resource does not permit (a read-only one's writes)."""
        super().operation_helper(path, operations, methods, func, **kwargs)
        name = func.__name__
        if f"can_{self.get_method_permission(name)}" not in self.base_permissions:
            operations.clear()
            return
        for method in list(operations):
            operation(self.resource_name, name, operations[method])

    def pre_add(self, item: m.Model) -> None:
        guard_write(item, adding=True)

    def pre_update(self, item: m.Model) -> None:
        guard_write(item, adding=False)

    def pre_delete(self, item: m.Model) -> None:
        guard_delete(item)  # in use: 409 with what uses it, before the database is asked

    def _guarded_response(self, call, *args):
        item = None
        if args:  # PUT and DELETE: scope first, whatever the body (issue 14)
            item = self.datamodel.get(args[0], self._base_filters)
            if item is None:
                return self.response(404, message=access.NotFound().message)
        refusal = bad_relation(self.datamodel.obj, item) or bad_number(self.datamodel.obj)
        if refusal is not None:  # marshmallow-sqlalchemy would build a row of it: a 500
            return self.response(refusal.status, message=refusal.message)
        try:
            return call(*args)
        except DomainError as error:
            self.datamodel.session.rollback()
            return self.response(error.status, message=error.message,
                                 **getattr(error, "extra", {}))
        except SQLAlchemyError:
            logger.exception("refused write on %s", self.resource_name)
            self.datamodel.session.rollback()
            return self.response_422(message=_("数据不符合约束（重复或取值超出范围），未保存。"))

    def response_400(self, message=None):
        """FAB's own 400s (a bad rison filter, an unknown column) are English: say it in
        Chinese, FAB's words after it."""
        if not isinstance(message, str) or not CHINESE.search(message):
            detail = message if isinstance(message, str) else ""
            message = _("请求参数无效。") + (f" ({detail})" if detail else "")
        return super().response_400(message=message)

    def response_404(self, message=None):
        """FAB's "Not found", in Chinese as every page's 404 (never which: absent or out of
        scope)."""
        return self.response(404, message=_("未找到该记录，或您无权查看。"))

    def response_422(self, message=None):
        """FAB answers a commit the database refused with its own words, SQL included."""
        if isinstance(message, str) and message.startswith("Database exception occurred"):
            logger.warning("refused write on %s: %s", self.resource_name, message)
            message = _("数据不符合约束（重复或取值超出范围），未保存。")
        return super().response_422(message=message)

    def post_headless(self):
        return self._guarded_response(super().post_headless)

    def put_headless(self, pk):
        return self._guarded_response(self._put_row, pk)

    def delete_headless(self, pk):
        return self._guarded_response(self._delete_row, pk)

    # FAB routes PUT and DELETE as /<pk> (any text): a row id, or 404 (not a 500 on 2**70)
    def _put_row(self, pk):
        return super().put_headless(parse_id(pk))

    def _delete_row(self, pk):
        return super().delete_headless(parse_id(pk))

"""The role screens' 数据范围 (issue 15): the form fields, their storage in role_scope (beside
FAB's ab_role, whose columns stay FAB's), the label the role list shows, and the built-in
roles' defaults that `flask init` writes."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect
from flask_appbuilder.actions import action
from flask_appbuilder.fields import QuerySelectMultipleField
from flask_appbuilder.fieldwidgets import Select2ManyWidget
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import SelectField, ValidationError

from app import models as m
from app.domain import choices, scope, tree
from app.domain.labels import joined
from app.domain.roles import role_label
from app.domain.scope import BUILT_IN_KINDS
from app.extensions import db


def _scope_departments() -> list:
    """The units a 指定单位 scope may name, in tree order, indented by depth."""
    return tree.tree_order(db.session.scalars(select(m.Department)))


def _chosen_units(form: Any, field: Any) -> None:
    if form.data_scope.data == scope.CUSTOM and not field.data:
        raise ValidationError(_l("数据范围为“指定单位”时，请至少选择一个单位。"))


SCOPE_FIELDS = {
    "data_scope": SelectField(
        _l("数据范围"), choices=list(choices.DATA_SCOPE.items()), default=scope.DEFAULT_KIND,
        description=_l("本角色的用户能看到哪些单位的数据；一个用户有多个角色时取并集。")),
    "scope_departments": QuerySelectMultipleField(
        _l("指定单位"), query_func=_scope_departments, get_label=tree.label,
        get_pk_func=lambda unit: unit.id,
        widget=Select2ManyWidget(), validators=[_chosen_units],
        description=_l("仅在数据范围为“指定单位”时使用。")),
}


def scope_label(role: Any) -> str:
    """A role's 数据范围 as the role screens show it: "指定单位：住建局、规划股"."""
    row = db.session.get(m.RoleScope, role.id) if role.id is not None else None
    kind = row.kind if row else scope.DEFAULT_KIND
    label = str(choices.DATA_SCOPE[kind])
    if kind == scope.CUSTOM and row is not None:
        units = joined(unit.name for unit in tree.tree_order(row.departments))
        return _("%(scope)s：%(units)s", scope=label, units=units)
    return label


class RoleInterface(SQLAInterface):
    """FAB's data interface for roles, with the role's 数据范围 as a column to show."""

    @staticmethod
    def _get_attr_value(item: Any, col: str) -> Any:
        if col == "data_scope":
            return scope_label(item)
        return SQLAInterface._get_attr_value(item, col)


class RoleScopeForms:
    """Mixed into FAB's role view: the form's 数据范围 shown, and saved with the role (in
    the session before FAB commits the role: one transaction)."""

    datamodel: Any  # the model view's, which this is mixed into

    def prefill_form(self, form: Any, pk: Any) -> None:
        row = self.datamodel.session.get(m.RoleScope, pk)
        form.data_scope.data = row.kind if row else scope.DEFAULT_KIND
        form.scope_departments.data = list(row.departments) if row else []

    def pre_add(self, item: Any) -> None:
        self._stage_scope(item)

    def pre_update(self, item: Any) -> None:
        self._stage_scope(item)

    @action("copyrole", _l("复制角色"), _l("复制选定的角色？"), icon="fa-copy", single=False)
    def copy_role(self, items: list) -> Any:
        """FAB's 复制角色, with a Chinese name ("责任单位人员（副本）", not "DeptStaff copy")
        and the role's 数据范围 copied with its permissions, in one transaction."""
        self.update_redirect()  # type: ignore[attr-defined]  # the model view's
        session = self.datamodel.session
        for item in items:
            name = _("%(role)s（副本）", role=role_label(item))
            if self.datamodel.session.scalar(select(type(item)).where(type(item).name == name)):
                flash(_("已有名为“%(name)s”的角色，请先改名再复制。", name=name), "danger")
                continue
            row = session.get(m.RoleScope, item.id)
            copy = type(item)(name=name, permissions=list(item.permissions))
            session.add(m.RoleScope(role=copy, kind=row.kind if row else scope.DEFAULT_KIND,
                                    departments=list(row.departments) if row else []))
            self.datamodel.add(copy)
        return redirect(self.get_redirect())  # type: ignore[attr-defined]

    def _stage_scope(self, role: Any) -> None:
        """Put the form's scope in the session, to be committed with the role."""
        kind = getattr(role, "data_scope", None) or scope.DEFAULT_KIND
        chosen = getattr(role, "scope_departments", None) or []
        session = self.datamodel.session
        row = session.get(m.RoleScope, role.id) if role.id is not None else None
        if row is None:
            row = m.RoleScope(role=role)
            session.add(row)
        row.kind = kind
        row.departments = list(chosen) if kind == scope.CUSTOM else []


def default_scope(session: Any, role: Any, role_name: str, reset: bool) -> None:
    """A built-in role's data scope as the design has it (issue 15): the office and the
    leaders all data, DeptStaff its own unit; set when the role has none, or on reset
    (an administrator's choice on the role screen stays otherwise)."""
    if role.id is None:
        session.flush()
    row = session.get(m.RoleScope, role.id)
    if row is not None and not reset:
        return
    row = row or m.RoleScope(role_id=role.id)
    row.kind = BUILT_IN_KINDS[role_name]
    row.departments = []
    session.add(row)


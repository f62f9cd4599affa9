"""Row scope in FAB's terms: the filter every CRUD view and REST API carries, and the values
its pages show, whose related rows are only those the user may see."""

from __future__ import annotations

from typing import Any

from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.models.sqla.interface import SQLAInterface

from app.domain.access import current_department_scope, shown
from app.domain.scope import scope_clause


class DepartmentScopeFilter(BaseFilter):
    """FAB filter: the rows of the current user's department, or all for unscoped roles."""

    name = "department scope"
    arg_name = None

    def apply(self, query: Any, value: Any) -> Any:
        department = current_department_scope()
        if department is None:
            return query
        return query.filter(scope_clause(self.model, department))


SCOPE = [["id", DepartmentScopeFilter, None]]


def related_in_scope(value: Any) -> Any:
    """A value a page shows: a list of related rows cut to those the user may see."""
    if isinstance(value, list | tuple) and value and hasattr(value[0], "__tablename__"):
        return shown(value)
    return value


class RelatedInScope(SQLAInterface):
    """FAB's data interface whose list, show and export values carry, of a row's related
    rows (a meeting's projects), only those the user may see (issue 14)."""

    @staticmethod
    def _get_attr_value(item: Any, col: str) -> Any:
        return related_in_scope(SQLAInterface._get_attr_value(item, col))

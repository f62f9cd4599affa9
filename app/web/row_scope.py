"""Row scope in FAB's terms: the filter every CRUD view and REST API carries."""

from __future__ import annotations

from typing import Any

from flask_appbuilder.models.filters import BaseFilter

from app.domain.access import current_department_scope
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

"""What every table module shares: FAB's audit columns, the money type, choice CHECKs."""

from __future__ import annotations

from flask import g, has_request_context
from flask_appbuilder.models.mixins import AuditMixin
from sqlalchemy import CheckConstraint, Column, ForeignKey, Integer, Numeric
from sqlalchemy.ext.declarative import declared_attr

from app.extensions import appbuilder

MONEY = Numeric(14, 2)


def one_of(table: str, column: str, values: dict) -> CheckConstraint:
    """A CHECK that keeps a choice column to its values."""
    allowed = ", ".join(f"'{v}'" for v in values)
    return CheckConstraint(f"{column} IN ({allowed})", name=f"ck_{table}_{column}")


class Audited(AuditMixin):
    """FAB's audit columns; the user is null for rows written by jobs and the CLI."""

    @declared_attr
    def created_by_fk(cls):
        return Column(Integer, ForeignKey("ab_user.id"), default=cls.get_user_id, index=True)

    @declared_attr
    def changed_by_fk(cls):
        return Column(
            Integer,
            ForeignKey("ab_user.id"),
            default=cls.get_user_id,
            onupdate=cls.get_user_id,
            index=True,
        )

    @classmethod
    def get_user_id(cls) -> int | None:
        """The logged-in user, by session or by JWT (FAB's g.user is anonymous for JWT)."""
        if not has_request_context() or "user" not in g:  # not a request FAB serves
            return None
        return getattr(appbuilder().sm.current_user, "id", None)

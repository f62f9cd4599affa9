"""What every table module shares: FAB's audit columns, the money type, choice CHECKs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import ClassVar

from flask_appbuilder.models.mixins import AuditMixin
from sqlalchemy import CheckConstraint, Column, DateTime, ForeignKey, Integer, Numeric
from sqlalchemy.ext.declarative import declared_attr

MONEY = Numeric(14, 2)


def one_of(table: str, column: str, values: dict) -> CheckConstraint:
    """A CHECK that keeps a choice column to its values."""
    allowed = ", ".join(f"'{v}'" for v in values)
    return CheckConstraint(f"{column} IN ({allowed})", name=f"ck_{table}_{column}")


def utcnow() -> dt.datetime:
    """Now as every stored timestamp holds it: naive UTC (FAB's mixin takes the machine's
    local time, so a row's time depended on the server's TZ)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Audited(AuditMixin):
    """FAB's audit columns (times in UTC); the user is null for rows written by jobs and the
    CLI."""

    @declared_attr
    def created_on(cls):
        return Column(DateTime, default=utcnow, nullable=False)

    @declared_attr
    def changed_on(cls):
        return Column(DateTime, default=utcnow, onupdate=utcnow, nullable=False)

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

    # who acts: the one door installs its actor's user (app/domain/access.py); none by default
    user_id_source: ClassVar[Callable[[], int | None]] = staticmethod(lambda: None)

    @classmethod
    def get_user_id(cls) -> int | None:
        """The acting user (by session or by JWT); none for jobs and commands."""
        return Audited.user_id_source()

"""Who answers for the work: the responsible units (责任单位) and their people (责任人)."""

from __future__ import annotations

from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import (
    Boolean,
    ForeignKey,
    String,
)
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from app.domain import choices
from app.tables.base import Audited, one_of


class Department(Audited, Model):
    __tablename__ = "department"
    __table_args__ = (one_of("department", "kind", choices.DEPARTMENT_KIND),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default="department")
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def __str__(self) -> str:
        return self.name


class Person(Audited, Model):
    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    title: Mapped[str | None] = mapped_column(String(100))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    phone: Mapped[str | None] = mapped_column(String(30))
    email: Mapped[str | None] = mapped_column(String(120))
    is_leader: Mapped[bool] = mapped_column(Boolean, default=False)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"), unique=True)

    department: Mapped[Department] = relationship(lazy="joined", innerjoin=True)
    # User.person: the user screens show whom a login is tied to (app/web/login_tie.py)
    user: Mapped[User | None] = relationship(User, foreign_keys=[user_id], lazy="joined",
                                             backref=backref("person", uselist=False))

    def __str__(self) -> str:
        return self.name

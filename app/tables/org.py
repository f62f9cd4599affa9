"""Who answers for the work: the responsible units (责任单位) and their people (责任人)."""

from __future__ import annotations

from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import Role, User
from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Integer,
    String,
    Table,
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
    # issue 15: the unit above (a 局 above its 股室); None at the top. No cycles
    # (app/domain/validation.py); a unit with units under it cannot be deleted.
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("department.id", ondelete="RESTRICT"), index=True)

    parent: Mapped[Department | None] = relationship(
        remote_side=[id], foreign_keys=[parent_id], lazy="select")

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


role_scope_department = Table(
    "role_scope_department", Model.metadata,
    Column("role_id", Integer, ForeignKey("role_scope.role_id", ondelete="CASCADE"),
           primary_key=True),
    Column("department_id", Integer, ForeignKey("department.id", ondelete="CASCADE"),
           primary_key=True),
)


class RoleScope(Model):
    """A role's data scope (数据范围, issue 15), beside FAB's ab_role (whose columns stay
    FAB's): which rows its users see. A role with no row is 本单位 (app/domain/scope.py)."""

    __tablename__ = "role_scope"
    __table_args__ = (one_of("role_scope", "kind", choices.DATA_SCOPE),)

    role_id: Mapped[int] = mapped_column(
        ForeignKey("ab_role.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), default="own")

    role: Mapped[Role] = relationship(Role, lazy="joined")
    departments: Mapped[list[Department]] = relationship(
        secondary=role_scope_department, lazy="selectin", order_by=Department.name)

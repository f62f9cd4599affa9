"""倒排工期: the node templates, the chains of tasks scheduled from them, and the
working-day calendar (节假日) they count in."""

from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.tables.base import Audited
from app.tables.ledger import Task
from app.tables.org import Department
from app.tables.projects import Project

template_node_dependency = Table(
    "template_node_dependency",
    Model.metadata,
    Column("node_id", ForeignKey("template_node.id", ondelete="CASCADE"), primary_key=True),
    Column("depends_on_id", ForeignKey("template_node.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_template_node_dependency_depends_on_id", "depends_on_id"),
)


class NodeTemplate(Audited, Model):
    __tablename__ = "node_template"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str | None] = mapped_column(Text)

    nodes: Mapped[list[TemplateNode]] = relationship(
        back_populates="template", order_by="TemplateNode.position"
    )

    def __str__(self) -> str:
        return self.name


class TemplateNode(Audited, Model):
    __tablename__ = "template_node"
    __table_args__ = (CheckConstraint("workdays > 0", name="ck_template_node_workdays"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(
        ForeignKey("node_template.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(200))
    expected_outcome: Mapped[str | None] = mapped_column(Text)
    workdays: Mapped[int] = mapped_column(Integer)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)

    template: Mapped[NodeTemplate] = relationship(back_populates="nodes", lazy="joined")
    department: Mapped[Department | None] = relationship(lazy="joined")
    depends_on: Mapped[list[TemplateNode]] = relationship(
        secondary=template_node_dependency,
        primaryjoin="TemplateNode.id == template_node_dependency.c.node_id",
        secondaryjoin="TemplateNode.id == template_node_dependency.c.depends_on_id",
    )

    def __str__(self) -> str:
        # drop-downs list every template's nodes: "工业项目前期手续 / 开工", not a bare "开工"
        return f"{self.template.name} / {self.title}" if self.template else self.title


class Holiday(Audited, Model):
    __tablename__ = "holiday"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, unique=True)
    is_workday: Mapped[bool] = mapped_column(Boolean, default=False)
    name: Mapped[str | None] = mapped_column(String(50))


# issue 9: 倒排工期 — the chains of tasks scheduled from a node template
chain_node_dependency = Table(
    "chain_node_dependency",
    Model.metadata,
    Column("node_id", ForeignKey("chain_node.id", ondelete="CASCADE"), primary_key=True),
    Column("depends_on_id", ForeignKey("chain_node.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_chain_node_dependency_depends_on_id", "depends_on_id"),
)


class TaskChain(Model):
    """One reverse scheduling of a project: the template used and the target date."""

    __tablename__ = "task_chain"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    template_id: Mapped[int | None] = mapped_column(
        ForeignKey("node_template.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    target: Mapped[dt.date] = mapped_column(Date)
    created_on: Mapped[dt.date] = mapped_column(Date)

    project: Mapped[Project] = relationship(lazy="joined", innerjoin=True)
    nodes: Mapped[list[ChainNode]] = relationship(
        back_populates="chain", order_by="ChainNode.position", cascade="all, delete-orphan"
    )


class ChainNode(Model):
    """A task's place in its chain: the node it came from, its duration, what it waits for."""

    __tablename__ = "chain_node"
    __table_args__ = (CheckConstraint("workdays > 0", name="ck_chain_node_workdays"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    chain_id: Mapped[int] = mapped_column(
        ForeignKey("task_chain.id", ondelete="CASCADE"), index=True
    )
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), unique=True)
    template_node_id: Mapped[int | None] = mapped_column(
        ForeignKey("template_node.id", ondelete="SET NULL"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    workdays: Mapped[int] = mapped_column(Integer)

    chain: Mapped[TaskChain] = relationship(back_populates="nodes")
    task: Mapped[Task] = relationship(lazy="joined", innerjoin=True)
    template_node: Mapped[TemplateNode | None] = relationship()
    depends_on: Mapped[list[ChainNode]] = relationship(
        secondary=chain_node_dependency,
        primaryjoin="ChainNode.id == chain_node_dependency.c.node_id",
        secondaryjoin="ChainNode.id == chain_node_dependency.c.depends_on_id",
    )

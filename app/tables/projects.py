"""The project library (项目库): projects, their investment, the 调度会 that dispatch them,
and their 问题清单."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask_appbuilder import Model
from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain import choices
from app.tables.base import MONEY, Audited, one_of
from app.tables.org import Department, Person

meeting_project = Table(
    "meeting_project",
    Model.metadata,
    Column("meeting_id", ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True),
    Column("project_id", ForeignKey("project.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_meeting_project_project_id", "project_id"),
)


class Project(Audited, Model):
    __tablename__ = "project"
    __table_args__ = (
        one_of("project", "category", choices.PROJECT_CATEGORY),
        one_of("project", "source", choices.PROJECT_SOURCE),
        one_of("project", "stage", choices.PROJECT_STAGE),
        one_of("project", "list_level", choices.LIST_LEVEL),
        one_of("project", "status_color", choices.STATUS_COLOR),
        CheckConstraint("total_investment >= 0", name="ck_project_total_investment"),
        CheckConstraint("annual_plan_investment >= 0", name="ck_project_annual_plan"),
        CheckConstraint("planned_end >= planned_start", name="ck_project_planned_dates"),
        CheckConstraint("actual_end >= actual_start", name="ck_project_actual_dates"),
        # issue 6: the compliance counts of projects, index-only
        Index("ix_project_department_scope", "lead_department_id", "stage", "actual_end"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(30))
    source: Mapped[str | None] = mapped_column(String(30))
    industry: Mapped[str | None] = mapped_column(String(100))
    stage: Mapped[str] = mapped_column(String(20), default="planning", index=True)
    list_level: Mapped[str] = mapped_column(String(20), default="county")
    total_investment: Mapped[Decimal | None] = mapped_column(MONEY)
    annual_plan_investment: Mapped[Decimal | None] = mapped_column(MONEY)
    planned_start: Mapped[dt.date | None] = mapped_column(Date)
    planned_end: Mapped[dt.date | None] = mapped_column(Date)
    actual_start: Mapped[dt.date | None] = mapped_column(Date)
    actual_end: Mapped[dt.date | None] = mapped_column(Date)
    location: Mapped[str | None] = mapped_column(String(200))
    content: Mapped[str | None] = mapped_column(Text)
    lead_leader_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    lead_department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    responsible_person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    funding: Mapped[str | None] = mapped_column(String(200))
    status_color: Mapped[str] = mapped_column(String(10), default="green", index=True)
    version: Mapped[int] = mapped_column(default=1, server_default=text("1"))  # issue 7: locking

    lead_leader: Mapped[Person | None] = relationship(foreign_keys=[lead_leader_id], lazy="joined")
    lead_department: Mapped[Department] = relationship(lazy="joined", innerjoin=True)
    responsible_person: Mapped[Person | None] = relationship(
        foreign_keys=[responsible_person_id], lazy="joined"
    )
    meetings: Mapped[list[Meeting]] = relationship(
        secondary=meeting_project, back_populates="projects", order_by="Meeting.held_on"
    )

    def __str__(self) -> str:
        return self.name


class InvestmentReport(Audited, Model):
    __tablename__ = "investment_report"
    __table_args__ = (
        UniqueConstraint("project_id", "period", name="uq_investment_report_project_period"),
        CheckConstraint("amount >= 0", name="ck_investment_report_amount"),
        Index("ix_investment_report_period", "period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    period: Mapped[dt.date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(MONEY)

    project: Mapped[Project] = relationship(lazy="joined", innerjoin=True)


class Meeting(Audited, Model):
    __tablename__ = "meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    held_on: Mapped[dt.date] = mapped_column(Date, index=True)
    title: Mapped[str] = mapped_column(String(200))
    chair_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    minutes: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(default=1, server_default=text("1"))  # issue 7: locking

    chair: Mapped[Person | None] = relationship(lazy="joined")
    projects: Mapped[list[Project]] = relationship(
        secondary=meeting_project, back_populates="meetings", order_by="Project.code"
    )

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} {self.title}"


class Problem(Audited, Model):
    __tablename__ = "problem"
    __table_args__ = (
        one_of("problem", "category", choices.PROBLEM_CATEGORY),
        CheckConstraint("resolved_on >= raised_on", name="ck_problem_resolved_after_raised"),
        CheckConstraint("deadline >= raised_on", name="ck_problem_deadline_after_raised"),
        Index("ix_problem_deadline", "deadline"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    description: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(20), default="other")
    raised_on: Mapped[dt.date] = mapped_column(Date)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    resolved_on: Mapped[dt.date | None] = mapped_column(Date)
    resolution: Mapped[str | None] = mapped_column(Text)
    coordinating_leader_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id"), index=True
    )
    version: Mapped[int] = mapped_column(default=1, server_default=text("1"))  # issue 7: locking

    project: Mapped[Project] = relationship(lazy="joined", innerjoin=True)
    department: Mapped[Department] = relationship(lazy="joined", innerjoin=True)
    person: Mapped[Person | None] = relationship(foreign_keys=[person_id], lazy="joined")
    coordinating_leader: Mapped[Person | None] = relationship(
        foreign_keys=[coordinating_leader_id], lazy="joined"
    )

"""KeyLedger tables: the domain of DESIGN.md, as typed SQLAlchemy 2 models."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask import has_request_context
from flask_appbuilder import Model
from flask_appbuilder.models.mixins import AuditMixin
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.ext.declarative import declared_attr
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain import choices
from app.extensions import appbuilder

MONEY = Numeric(14, 2)


def _one_of(table: str, column: str, values: dict) -> CheckConstraint:
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
        if not has_request_context():
            return None
        return getattr(appbuilder().sm.current_user, "id", None)


class Department(Audited, Model):
    __tablename__ = "department"
    __table_args__ = (_one_of("department", "kind", choices.DEPARTMENT_KIND),)

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
    user: Mapped[User | None] = relationship(User, foreign_keys=[user_id], lazy="joined")

    def __str__(self) -> str:
        return self.name


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
        _one_of("project", "category", choices.PROJECT_CATEGORY),
        _one_of("project", "source", choices.PROJECT_SOURCE),
        _one_of("project", "stage", choices.PROJECT_STAGE),
        _one_of("project", "list_level", choices.LIST_LEVEL),
        _one_of("project", "status_color", choices.STATUS_COLOR),
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


class Task(Audited, Model):
    __tablename__ = "task"
    __table_args__ = (
        _one_of("task", "status", choices.TASK_STATUS),
        CheckConstraint("deadline >= assigned_on", name="ck_task_deadline_after_assigned"),
        CheckConstraint("done_on >= assigned_on", name="ck_task_done_after_assigned"),
        CheckConstraint("overdue_days >= 0", name="ck_task_overdue_days"),
        Index("ix_task_deadline_id", "deadline", "id"),  # the task list pages by (deadline, id)
        # issue 6: a project's task statuses (its colour); a department's tasks by deadline
        Index("ix_task_project_status", "project_id", "status"),
        Index("ix_task_department_deadline", "department_id", "deadline"),
        Index("ix_task_assigned_on", "assigned_on"),
        Index("ix_task_done_on", "done_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("project.id", ondelete="SET NULL"), index=True
    )
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    expected_outcome: Mapped[str | None] = mapped_column(Text)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    assigned_on: Mapped[dt.date] = mapped_column(Date)
    deadline: Mapped[dt.date] = mapped_column(Date)
    original_deadline: Mapped[dt.date] = mapped_column(Date)
    done_on: Mapped[dt.date | None] = mapped_column(Date)
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    lag_reason: Mapped[str | None] = mapped_column(Text)
    measures: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    overdue_days: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(default=1, server_default=text("1"))  # issue 7: locking

    project: Mapped[Project | None] = relationship(lazy="joined")
    meeting: Mapped[Meeting | None] = relationship(lazy="joined")
    department: Mapped[Department] = relationship(lazy="joined", innerjoin=True)
    person: Mapped[Person | None] = relationship(lazy="joined")

    def __str__(self) -> str:
        return self.title


class Extension(Audited, Model):
    __tablename__ = "extension"
    __table_args__ = (_one_of("extension", "decision", choices.EXTENSION_DECISION),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    requested_on: Mapped[dt.date] = mapped_column(Date)
    new_deadline: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    decision: Mapped[str] = mapped_column(String(10), default="pending")
    version: Mapped[int] = mapped_column(default=1, server_default=text("1"))  # issue 7: locking

    task: Mapped[Task] = relationship(lazy="joined", innerjoin=True)


class Feedback(Audited, Model):
    __tablename__ = "feedback"
    __table_args__ = (
        _one_of("feedback", "review_status", choices.REVIEW_STATUS),
        CheckConstraint(
            "percent_complete >= 0 AND percent_complete <= 100", name="ck_feedback_percent"
        ),
        Index("ix_feedback_task_reported", "task_id", "reported_on", "review_status"),
        # issue 6: the month's feedback that counts, read as a slice (date first)
        Index("ix_feedback_reported_task", "reported_on", "task_id",
              sqlite_where=text("review_status <> 'returned'"),
              postgresql_where=text("review_status <> 'returned'")),
        Index("ix_feedback_reported_on", "reported_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    reported_on: Mapped[dt.date] = mapped_column(Date)
    progress: Mapped[str] = mapped_column(Text)
    percent_complete: Mapped[int] = mapped_column(Integer, default=0)
    problems: Mapped[str | None] = mapped_column(Text)
    next_steps: Mapped[str | None] = mapped_column(Text)
    review_status: Mapped[str] = mapped_column(String(10), default="submitted")
    review_comment: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(default=1, server_default=text("1"))  # issue 7: locking

    task: Mapped[Task] = relationship(lazy="joined", innerjoin=True)


class Supervision(Audited, Model):
    __tablename__ = "supervision"
    __table_args__ = (
        _one_of("supervision", "channel", choices.SUPERVISION_CHANNEL),
        _one_of("supervision", "kind", choices.SUPERVISION_KIND),
        Index("ix_supervision_task_sent", "task_id", "sent_on"),
        Index("ix_supervision_sent_task", "sent_on", "task_id"),  # issue 6: month slices
        Index("ix_supervision_sent_on", "sent_on"),
        # reminders: one per task, kind and day, however often the job runs
        Index("uq_supervision_reminder", "task_id", "kind", "sent_on", unique=True,
              sqlite_where=text("kind <> 'manual'"), postgresql_where=text("kind <> 'manual'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    sent_on: Mapped[dt.date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(10), default="in_app")
    kind: Mapped[str] = mapped_column(String(20), default="manual")
    message: Mapped[str | None] = mapped_column(Text)

    task: Mapped[Task] = relationship(lazy="joined", innerjoin=True)


class Problem(Audited, Model):
    __tablename__ = "problem"
    __table_args__ = (
        _one_of("problem", "category", choices.PROBLEM_CATEGORY),
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


class Compliance(Model):
    """One department's (or, with no department, the county's) compliance in a month."""

    __tablename__ = "compliance"
    __table_args__ = (
        UniqueConstraint("period", "department_id", name="uq_compliance_period_department"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[dt.date] = mapped_column(Date, index=True)
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("department.id", ondelete="CASCADE"), index=True
    )
    projects_in_scope: Mapped[int] = mapped_column(Integer, default=0)
    projects_dispatched: Mapped[int] = mapped_column(Integer, default=0)
    tasks_open: Mapped[int] = mapped_column(Integer, default=0)
    tasks_urged: Mapped[int] = mapped_column(Integer, default=0)
    tasks_fed_back: Mapped[int] = mapped_column(Integer, default=0)
    tasks_due: Mapped[int] = mapped_column(Integer, default=0)
    tasks_implemented: Mapped[int] = mapped_column(Integer, default=0)
    tasks_overdue: Mapped[int] = mapped_column(Integer, default=0)
    dispatch_rate: Mapped[float | None] = mapped_column(Float)
    supervision_rate: Mapped[float | None] = mapped_column(Float)
    implementation_rate: Mapped[float | None] = mapped_column(Float)
    feedback_rate: Mapped[float | None] = mapped_column(Float)
    compliant: Mapped[bool] = mapped_column(Boolean, default=False)
    score: Mapped[float | None] = mapped_column(Float)
    built_at: Mapped[dt.datetime] = mapped_column(DateTime)

    department: Mapped[Department | None] = relationship(lazy="joined")


class Circular(Model):
    """The monthly 督查通报: its data, and its renderings once built."""

    __tablename__ = "circular"

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[dt.date] = mapped_column(Date, unique=True)
    built_at: Mapped[dt.datetime] = mapped_column(DateTime)
    data: Mapped[dict] = mapped_column(JSON)
    docx: Mapped[bytes | None] = mapped_column(LargeBinary)
    xlsx: Mapped[bytes | None] = mapped_column(LargeBinary)


class JobRun(Model):
    """One run of a background job: what, with which arguments, how it went (任务运行记录)."""

    __tablename__ = "job_run"
    __table_args__ = (
        _one_of("job_run", "status", choices.JOB_STATUS),
        Index("ix_job_run_queued_at", "queued_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(40), index=True)
    args: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(10), default="queued")
    # a scheduled run claims its job and date here; a second claim of the same key fails
    schedule_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    queued_at: Mapped[dt.datetime] = mapped_column(DateTime)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    duration: Mapped[float | None] = mapped_column(Float)
    counts: Mapped[dict | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    requested_by_fk: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"), index=True)

    requested_by: Mapped[User | None] = relationship(User)


class Notification(Model):
    """A reminder in the portal for one login, read or not."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_user_unread", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id", ondelete="CASCADE"))
    supervision_id: Mapped[int | None] = mapped_column(
        ForeignKey("supervision.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    message: Mapped[str] = mapped_column(Text)
    read_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    supervision: Mapped[Supervision | None] = relationship()


class Delivery(Model):
    """A reminder sent out of the portal (e-mail, group robot): tried until it goes."""

    __tablename__ = "delivery"
    __table_args__ = (
        _one_of("delivery", "channel", {"email": 1, "webhook": 1}),
        _one_of("delivery", "status", {"pending": 1, "sent": 1, "failed": 1}),
        UniqueConstraint("supervision_id", "channel", name="uq_delivery_supervision_channel"),
        Index("ix_delivery_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    supervision_id: Mapped[int] = mapped_column(
        ForeignKey("supervision.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(10))
    recipient: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    supervision: Mapped[Supervision] = relationship()


# --- issue 7: attachments (形象进度 photos on feedback, documents on problems) ---------------


class Attachment(Model):
    """A file attached to one feedback or one problem; its bytes live in ATTACHMENT_DIR."""

    __tablename__ = "attachment"
    __table_args__ = (
        CheckConstraint("(feedback_id IS NULL) <> (problem_id IS NULL)",
                        name="ck_attachment_one_owner"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    feedback_id: Mapped[int | None] = mapped_column(
        ForeignKey("feedback.id", ondelete="CASCADE"), index=True
    )
    problem_id: Mapped[int | None] = mapped_column(
        ForeignKey("problem.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255))  # as uploaded: for display only
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_fk: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"), index=True)
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime)

    uploaded_by: Mapped[User | None] = relationship(User)


# --- issue 9: 倒排工期 — the chains of tasks scheduled from a node template ---------------

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


# issue 7: the audit trail (留痕), written by app/domain/audit.py in the transaction of each change
class AuditLog(Model):
    """One insert, update or delete of a ledger row: who, when, from where, what changed."""

    __tablename__ = "audit_log"
    __table_args__ = (
        _one_of("audit_log", "action", {"insert": 1, "update": 1, "delete": 1}),
        Index("ix_audit_log_row", "table_name", "row_id"),
        Index("ix_audit_log_changed_at", "changed_at"),
        Index("ix_audit_log_user_id", "user_id"),
        Index("ix_audit_log_username", "username"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime)  # UTC
    # no foreign key: the history outlives the account it names
    user_id: Mapped[int | None] = mapped_column(Integer)
    username: Mapped[str] = mapped_column(String(128))  # a snapshot, or "job:…", "cli:…"
    remote_addr: Mapped[str | None] = mapped_column(String(45))
    table_name: Mapped[str] = mapped_column(String(64))
    row_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(10))
    # field -> [old, new], as JSON (dates ISO, decimals as strings)
    changes: Mapped[dict] = mapped_column(JSON)

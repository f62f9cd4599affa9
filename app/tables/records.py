"""What the jobs and the audit write: compliance, circulars, job runs, reminders sent out,
and the audit trail."""

from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain import choices
from app.tables.base import one_of
from app.tables.ledger import Supervision, Task
from app.tables.org import Department


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
    # no two issues of a year share a number (issue 17): the build also numbers under a lock
    __table_args__ = (UniqueConstraint("doc_year", "doc_seq", name="uq_circular_doc_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[dt.date] = mapped_column(Date, unique=True)
    built_at: Mapped[dt.datetime] = mapped_column(DateTime)
    data: Mapped[dict] = mapped_column(JSON)
    docx: Mapped[bytes | None] = mapped_column(LargeBinary)
    xlsx: Mapped[bytes | None] = mapped_column(LargeBinary)
    # 发文字号 清督通〔2026〕11号: the year and sequence it was given at its first issue
    doc_year: Mapped[int | None] = mapped_column(Integer)
    doc_seq: Mapped[int | None] = mapped_column(Integer)
    doc_number: Mapped[str | None] = mapped_column(String(60))
    issued_on: Mapped[dt.date | None] = mapped_column(Date)  # 签发日期
    issued_by: Mapped[str | None] = mapped_column(String(120))  # 签发人; null: the system


class NoticeCounter(Model):
    """The last 督办单 number given in a year (issue 16): taken and moved on in one statement
    that locks the row to the end of the transaction (app/domain/notice_number.py)."""

    __tablename__ = "notice_counter"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer)


class JobRun(Model):
    """One run of a background job: what, with which arguments, how it went (任务运行记录)."""

    __tablename__ = "job_run"
    __table_args__ = (
        one_of("job_run", "status", choices.JOB_STATUS),
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


class JobLock(Model):
    """The lock row of one job and date: a run holds it for its transaction (issue 14), so
    two runs of one job and period take turns (both PostgreSQL and SQLite wait for it)."""

    __tablename__ = "job_lock"

    name: Mapped[str] = mapped_column(String(80), primary_key=True)  # "job:YYYY-MM-DD"
    held_since: Mapped[dt.datetime] = mapped_column(DateTime)


class TaskEvent(Model):
    """Something that happened to a task that its department must hear of (issue 16): it
    was assigned, its feedback returned, its extension decided. Written in the change's own
    transaction by app/domain/task_events.py, with the notifications and deliveries it makes."""

    __tablename__ = "task_event"
    __table_args__ = (one_of("task_event", "kind", choices.TASK_EVENT),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))

    task: Mapped[Task] = relationship()


class Notification(Model):
    """A reminder in the portal for one login, read or not: of a 督促 or of a task event."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_user_unread", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id", ondelete="CASCADE"))
    supervision_id: Mapped[int | None] = mapped_column(
        ForeignKey("supervision.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("task_event.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    message: Mapped[str] = mapped_column(Text)
    read_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    supervision: Mapped[Supervision | None] = relationship()
    event: Mapped[TaskEvent | None] = relationship()


class Delivery(Model):
    """A reminder sent out of the portal (e-mail, group robot): tried until it goes."""

    __tablename__ = "delivery"
    __table_args__ = (
        one_of("delivery", "channel", {"email": 1, "webhook": 1}),
        one_of("delivery", "status", {"pending": 1, "sent": 1, "failed": 1}),
        UniqueConstraint("supervision_id", "channel", "recipient",
                         name="uq_delivery_supervision_channel_recipient"),
        UniqueConstraint("event_id", "channel", "recipient",
                         name="uq_delivery_event_channel_recipient"),
        CheckConstraint("(supervision_id IS NULL) <> (event_id IS NULL)",
                        name="ck_delivery_of_one"),
        Index("ix_delivery_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    supervision_id: Mapped[int | None] = mapped_column(
        ForeignKey("supervision.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("task_event.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(10))
    recipient: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    supervision: Mapped[Supervision | None] = relationship()
    event: Mapped[TaskEvent | None] = relationship()

    @property
    def about(self) -> tuple[Task, str, str]:
        """(task, subject, text) of what it delivers: a 督促 or a task event."""
        if self.supervision is not None:
            row = self.supervision
            return row.task, "督办提醒：" + row.task.title, row.message or ""
        event = self.event
        assert event is not None  # ck_delivery_of_one
        return event.task, "任务动态：" + event.task.title, event.message


# issue 7: the audit trail (留痕), written by app/domain/audit.py in the transaction of each change
class AuditLog(Model):
    """One insert, update or delete of a ledger row: who, when, from where, what changed."""

    __tablename__ = "audit_log"
    __table_args__ = (
        one_of("audit_log", "action", {"insert": 1, "update": 1, "delete": 1}),
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

"""The task ledger (任务台账): tasks, their extensions, feedback, supervision and the files
attached to feedback and problems."""

from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain import choices
from app.tables.base import Audited, one_of
from app.tables.org import Department, Person
from app.tables.projects import Meeting, Project

# 任务台账's default order (issue 18.7): the open tasks first, each part by deadline. Written
# out as SQL with its values inline, so the index below serves it on both databases (an
# expression index is matched only by the same expression; PostgreSQL and SQLite both
# compare it with literals, not bound parameters): without it, a city's 30,000 tasks were
# joined and sorted for every page (231 ms a page at city on PostgreSQL; 0.4 ms with it).
OPEN_FIRST_SQL = ("CASE WHEN status IN ({}) THEN 0 ELSE 1 END"
                  .format(", ".join(f"'{s}'" for s in choices.OPEN_TASK_STATUSES)))


class Task(Audited, Model):
    __tablename__ = "task"
    __table_args__ = (
        one_of("task", "status", choices.TASK_STATUS),
        CheckConstraint("deadline >= assigned_on", name="ck_task_deadline_after_assigned"),
        CheckConstraint("done_on >= assigned_on", name="ck_task_done_after_assigned"),
        CheckConstraint("overdue_days >= 0", name="ck_task_overdue_days"),
        Index("ix_task_deadline_id", "deadline", "id"),  # the task list pages by (deadline, id)
        Index("ix_task_open_first", text(f"({OPEN_FIRST_SQL})"), "deadline", "id"),
        # issue 6: a project's task statuses (its colour); a department's tasks by deadline
        Index("ix_task_project_status", "project_id", "status"),
        Index("ix_task_department_deadline", "department_id", "deadline"),
        Index("ix_task_assigned_on", "assigned_on"),
        Index("ix_task_done_on", "done_on"),
        one_of("task", "escalation_level", choices.ESCALATION_LEVEL),
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
    # issue 16: the 督办 level as of the last refresh (app/domain/escalation.py), like status
    escalation_level: Mapped[str | None] = mapped_column(String(10), index=True)
    version: Mapped[int] = mapped_column(default=1, server_default=text("1"))  # issue 7: locking

    project: Mapped[Project | None] = relationship(lazy="joined")
    meeting: Mapped[Meeting | None] = relationship(lazy="joined")
    department: Mapped[Department] = relationship(lazy="joined", innerjoin=True)
    person: Mapped[Person | None] = relationship(lazy="joined")

    def __str__(self) -> str:
        return self.title


class Extension(Audited, Model):
    __tablename__ = "extension"
    __table_args__ = (
        one_of("extension", "decision", choices.EXTENSION_DECISION),
        # issue 14: one pending request per task, held by the database even in a race
        Index("uq_extension_pending", "task_id", unique=True,
              sqlite_where=text("decision = 'pending'"),
              postgresql_where=text("decision = 'pending'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    requested_on: Mapped[dt.date] = mapped_column(Date)
    new_deadline: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    decision: Mapped[str] = mapped_column(String(10), default="pending")
    # issue 16: the decision's day and reason (a rejection must give one); approved after the
    # deadline had passed, the days overdue at the approval stay on record
    decided_on: Mapped[dt.date | None] = mapped_column(Date)
    decision_comment: Mapped[str | None] = mapped_column(Text)
    overdue_days_served: Mapped[int | None] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(default=1, server_default=text("1"))  # issue 7: locking

    task: Mapped[Task] = relationship(lazy="joined", innerjoin=True)


class Feedback(Audited, Model):
    __tablename__ = "feedback"
    __table_args__ = (
        one_of("feedback", "review_status", choices.REVIEW_STATUS),
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


REMINDER = "kind <> 'manual' AND level IS NULL"  # the daily reminders' rows


class Supervision(Audited, Model):
    __tablename__ = "supervision"
    __table_args__ = (
        one_of("supervision", "channel", choices.SUPERVISION_CHANNEL),
        one_of("supervision", "kind", choices.SUPERVISION_KIND),
        Index("ix_supervision_task_sent", "task_id", "sent_on"),
        Index("ix_supervision_sent_task", "sent_on", "task_id"),  # issue 6: month slices
        Index("ix_supervision_sent_on", "sent_on"),
        # reminders: one per task, kind and day, however often the job runs (a level's 督办单
        # is not one: it may go out the day of an overdue reminder)
        Index("uq_supervision_reminder", "task_id", "kind", "sent_on", unique=True,
              sqlite_where=text(REMINDER), postgresql_where=text(REMINDER)),
        # issue 16: each 督办 level's 督办单 once per task, however often the job runs
        one_of("supervision", "level", choices.ESCALATION_LEVEL),
        Index("uq_supervision_level", "task_id", "level", unique=True,
              sqlite_where=text("level IS NOT NULL"), postgresql_where=text("level IS NOT NULL")),
        # a 督办单's number 督办〔YEAR〕N号: unique in its year (app/domain/notice_number.py)
        Index("uq_supervision_doc_number", "doc_year", "doc_seq", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    sent_on: Mapped[dt.date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(10), default="in_app")
    kind: Mapped[str] = mapped_column(String(20), default="manual")
    message: Mapped[str | None] = mapped_column(Text)
    level: Mapped[str | None] = mapped_column(String(10))  # the 督办 level it was issued at
    doc_year: Mapped[int | None] = mapped_column(Integer)  # a 督办单's year and number in it
    doc_seq: Mapped[int | None] = mapped_column(Integer)

    task: Mapped[Task] = relationship(lazy="joined", innerjoin=True)


# issue 7: attachments (形象进度 photos on feedback, documents on problems)
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


# issue 16.4: 办结销号 — the office's act that completes a task, on an accepted feedback
class TaskClosure(Audited, Model):
    """A 销号: who closed the task, when, on which accepted feedback; revoked with a reason
    (the task reopens, the row stays)."""

    __tablename__ = "task_closure"
    __table_args__ = (
        # one standing 销号 per task, held by the database even in a race
        Index("uq_task_closure_standing", "task_id", unique=True,
              sqlite_where=text("revoked_at IS NULL"),
              postgresql_where=text("revoked_at IS NULL")),
        CheckConstraint("(revoked_at IS NULL) = (revoke_reason IS NULL)",
                        name="ck_task_closure_revoked_with_reason"),
        Index("ix_task_closure_closed_at", "closed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    feedback_id: Mapped[int] = mapped_column(
        ForeignKey("feedback.id", ondelete="CASCADE"), index=True)
    closed_by_fk: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"), index=True)
    closed_at: Mapped[dt.datetime] = mapped_column(DateTime)
    revoked_by_fk: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"), index=True)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    revoke_reason: Mapped[str | None] = mapped_column(Text)

    task: Mapped[Task] = relationship(lazy="joined", innerjoin=True)
    feedback: Mapped[Feedback] = relationship(lazy="joined", innerjoin=True)
    closed_by: Mapped[User | None] = relationship(User, foreign_keys=[closed_by_fk])
    revoked_by: Mapped[User | None] = relationship(User, foreign_keys=[revoked_by_fk])

"""The ledger's actions: assign, report, review (and 销号), urge, extend,
escalate and resolve a problem. Each saves through the one
save path (app/domain/save.py) and commits once.

Views and the API call these; they check the domain rules and raise DomainError with the
message the user reads. Row scope is the caller's business (views load rows in scope).
Actions that people take at the same moment on one task lock its rows in one order first
(locking.lock_in_order), and each action runs again if the database still picks it as a
deadlock's victim (save.retried).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from flask_babel import gettext as _
from sqlalchemy import select

from app import models as m
from app.domain import access, clock, rules, status
from app.domain.locking import lock_in_order
from app.domain.save import retried, save
from app.domain.validation import DomainError
from app.extensions import db


def deadline_within(start: dt.date, workdays: int) -> dt.date:
    """限时办结: the day that is `workdays` working days after `start`."""
    if workdays < 1:
        raise DomainError(_("办结时限至少为 1 个工作日。"))
    return status.calendar().add_workdays(start, workdays)


@retried
def review_feedback(feedback: m.Feedback, accept: bool, comment: str | None = None) -> None:
    """Accept a feedback, or return it with a comment; an accepted 100 % closes the task: the
    office's 销号, recorded in the same transaction (who, when, on which feedback)."""
    lock_in_order(feedback)
    if feedback.review_status != "submitted":
        raise DomainError(_("这条反馈已经审核过了。"))
    if not accept and not (comment or "").strip():
        raise DomainError(_("退回反馈时请填写审核意见。"))
    feedback.review_status = "accepted" if accept else "returned"
    feedback.review_comment = (comment or "").strip() or None
    task = feedback.task
    if accept and feedback.percent_complete == 100 and task.done_on is None:
        task.done_on = max(feedback.reported_on, task.assigned_on)
        closure = m.TaskClosure(task=task, feedback=feedback, closed_at=clock.utcnow(),
                                closed_by_fk=access.current().user_id)
        save(feedback, task, closure)
        return
    save(feedback, task)


def standing_closure(task: m.Task) -> m.TaskClosure | None:
    """The task's 销号 in force (not revoked), if any."""
    return db.session.scalars(select(m.TaskClosure).where(
        m.TaskClosure.task_id == task.id, m.TaskClosure.revoked_at.is_(None))).first()


@retried
def revoke_closure(task: m.Task, reason: str | None) -> m.TaskClosure:
    """Revoke the task's 销号 with a reason: the task reopens (no 办结日期), the record stays
    with who revoked it, when and why."""
    lock_in_order(task)
    text = (reason or "").strip()
    if not text:
        raise DomainError(_("撤销销号时请填写理由。"))
    closure = standing_closure(task)
    if closure is None:
        raise DomainError(_("这项任务没有有效的销号，无需撤销。"), 409)
    closure.revoked_at, closure.revoked_by_fk = clock.utcnow(), access.current().user_id
    closure.revoke_reason = text
    task.done_on = None
    save(closure, task)
    return closure


@retried
def decide_extension(extension: m.Extension, approve: bool, comment: str | None = None,
                     today: dt.date | None = None, late_confirmed: bool = False) -> None:
    """Approve (the deadline moves; the original stays on record) or reject a request. A
    rejection gives its reason. Approving once the deadline has passed must be confirmed
    (`late_confirmed`): the days overdue until the approval stay on record."""
    lock_in_order(extension)  # a decision made at the same moment is read here, if first
    if extension.decision != "pending":
        raise DomainError(_("这条延期申请已经审批过了。"))
    comment = (comment or "").strip() or None
    if not approve and comment is None:
        raise DomainError(_("驳回延期申请时请填写理由。"))
    task = extension.task
    today = today or status.today()
    if approve:
        if task.cancelled or task.done_on is not None:
            raise DomainError(_("已完成或已撤销的任务不能延期。"))
        _state, overdue = rules.task_status(task.deadline, None, False, today,
                                            status.calendar(), status.settings())
        if overdue and not late_confirmed:
            raise DomainError(_("这项任务已逾期 %(n)s 天。批准后时间节点延至 %(day)s，已逾期的 "
                                "%(n)s 天仍记录在案；请勾选“确认逾期后批准”再批准。",
                                n=overdue, day=extension.new_deadline.isoformat()))
        extension.overdue_days_served = overdue or None
        task.deadline = extension.new_deadline
        task._extension_approved = True  # the one way a deadline moves (validation._task)
    extension.decision = "approved" if approve else "rejected"
    extension.decided_on, extension.decision_comment = today, comment
    save(extension, task)


@retried
def urge(tasks: list[m.Task], channel: str, message: str, sent_on: dt.date,
         kind: str = "manual",
         notify: Callable[[list[int]], object] | None = None) -> list[m.Supervision]:
    """Record a supervision on each task (督促); `notify(ids)` records, in the same
    transaction, whom they reach (the notifications and deliveries of issue 16). A 督办单
    takes its number 督办〔YEAR〕N号 on the save path (app/domain/notice_number.py)."""
    if not tasks:
        raise DomainError(_("请至少选择一项任务。"))
    rows = [m.Supervision(task=t, sent_on=sent_on, channel=channel, kind=kind, message=message)
            for t in tasks]
    save(*rows, adding=True, commit=False)
    if notify is not None:
        notify([row.id for row in rows])
    db.session.commit()
    return rows


@retried
def request_extension(task: m.Task, new_deadline: dt.date, reason: str,
                      requested_on: dt.date) -> m.Extension:
    """A department asks for a later deadline; the office decides. One pending request per
    task: requests at the same moment take turns on the task's lock (the later ones are
    told, 409), and the database's unique index holds the rule for every other way in."""
    lock_in_order(task)
    if task.cancelled or task.done_on is not None:
        raise DomainError(_("已完成或已撤销的任务不能申请延期。"))
    if new_deadline <= task.deadline:
        raise DomainError(_("申请延至的日期应晚于现行时间节点。"))
    if not reason.strip():
        raise DomainError(_("请填写延期理由。"))
    pending = db.session.scalar(select(m.Extension.id).where(
        m.Extension.task_id == task.id, m.Extension.decision == "pending"))
    if pending is not None:
        raise DomainError(_("这项任务已有待审批的延期申请。"), 409)
    extension = m.Extension(task=task, requested_on=requested_on, new_deadline=new_deadline,
                            reason=reason.strip())
    save(extension, adding=True)
    return extension


@retried
def record_lag(task: m.Task, lag_reason: str, measures: str) -> None:
    """The reason a task lags and what is done about it (滞后原因、整改措施)."""
    if not lag_reason.strip() or not measures.strip():
        raise DomainError(_("请填写滞后原因和整改措施。"))
    task.lag_reason, task.measures = lag_reason.strip(), measures.strip()
    save(task)


@retried
def escalate_problem(problem: m.Problem, leader_id: int | None) -> None:
    """Hand an open problem to a county leader for coordination (提请领导协调)."""
    if problem.resolved_on is not None:
        raise DomainError(_("问题已解决，无需提请领导协调。"))
    leader = db.session.get(m.Person, leader_id) if leader_id else None
    if leader is None or not leader.is_leader:
        raise DomainError(_("协调领导应为县级领导，请从列表中选择。"))
    problem.coordinating_leader = leader
    save(problem)


@retried
def resolve_problem(problem: m.Problem, resolution: str, resolved_on: dt.date,
                    today: dt.date) -> None:
    """Close a problem with how it was solved (办结)."""
    if problem.resolved_on is not None:
        raise DomainError(_("这个问题已经办结。"))
    text = (resolution or "").strip()
    if not text:
        raise DomainError(_("请填写解决情况。"))
    if resolved_on < problem.raised_on:
        raise DomainError(_("解决日期不能早于提出日期。"))
    if resolved_on > today:
        raise DomainError(_("解决日期不能晚于今天。"))
    problem.resolution = text
    problem.resolved_on = resolved_on
    save(problem)

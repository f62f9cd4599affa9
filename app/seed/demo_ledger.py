"""The demo's task ledger: tasks assigned at the meetings, extensions, statuses, feedback."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import cast

from app import models as m
from app.domain import rules
from app.seed.demo_data import COUNTY, TaskTemplate
from app.seed.demo_state import Seed


def tasks(s: Seed) -> None:
    """About seventeen tasks assigned at each meeting, most on the projects it dispatched."""
    used: dict[str, set[str]] = defaultdict(set)
    meetings = s.rows["meeting"]
    for i, meeting in enumerate(meetings):
        recent = i >= len(meetings) - 2
        for _ in range(s.rng.randint(15, 18)):
            project = None
            if meeting.projects and s.rng.random() < 0.88:
                project = s.rng.choice(meeting.projects)
            s.add("task", _task(s, meeting, project, _pick(s, project, used), recent))


def _pick(s: Seed, project: m.Project | None, used: dict[str, set[str]]) -> TaskTemplate:
    """A task template for a project: preparation in order, construction at random."""
    if project is None:
        return s.rng.choice(COUNTY.general_tasks)
    preparing = project.stage == "preparation"
    pool = COUNTY.prep_tasks if preparing else COUNTY.build_tasks
    fresh = [t for t in pool if t.title not in used[project.code]]
    if preparing:
        template = fresh[0] if fresh else COUNTY.prep_recurring
    else:
        template = s.rng.choice(fresh or pool[:2])
    used[project.code].add(template.title)
    return template


def _task(s: Seed, meeting: m.Meeting, project: m.Project | None, template: TaskTemplate,
          recent: bool) -> m.Task:
    """One task assigned at a meeting, with its deadline and completion."""
    # a task of no project (a general one) always names its department
    dept = (s.depts[template.department] if template.department
            else cast(m.Project, project).lead_department)
    assigned = meeting.held_on
    if recent and s.rng.random() < 0.3:
        deadline = s.cal.add_workdays(s.today, s.rng.randint(1, s.settings.due_soon_workdays))
    else:
        deadline = s.workday_from(assigned + s.days(10, 90))
    cancelled = s.rng.random() < 0.03
    done_on = None if cancelled else _done_on(s, assigned, deadline)
    name = project.name if project else ""
    return m.Task(
        project=project, meeting=meeting, title=template.title.format(p=name),
        expected_outcome=template.outcome, department=dept, person=s.member(dept),
        assigned_on=assigned, deadline=deadline, original_deadline=deadline, done_on=done_on,
        cancelled=cancelled)


def _done_on(s: Seed, assigned: dt.date, deadline: dt.date) -> dt.date | None:
    """When the task got done: mostly on time, some late, some still open."""
    rng, today = s.rng, s.today
    if deadline >= today:
        return s.between(assigned, today) if rng.random() < 0.15 else None
    late = (today - deadline).days
    if rng.random() < (0.25 if late <= 30 else 0.1 if late <= 75 else 0.0):
        return None
    if rng.random() < 0.17:
        return min(deadline + s.days(1, 20), today)
    return s.between(max(assigned, deadline - dt.timedelta(days=20)), deadline)


def extensions(s: Seed) -> None:
    """Four approved extensions (deadline moved), one rejected, two pending."""
    late = [t for t in s.rows["task"] if not t.cancelled and t.deadline < s.today
            and (t.done_on is None or t.done_on > t.deadline)
            and (t.deadline - t.assigned_on).days > 7]
    picks = s.rng.sample(late, min(5, len(late)))
    for i, task in enumerate(picks):
        asked = s.cal.subtract_workdays(task.deadline, s.rng.randint(2, 5))
        requested = max(task.assigned_on, asked)
        new_deadline = s.workday_from(task.deadline + s.days(10, 30))
        decision = "approved" if i < 4 else "rejected"
        s.add("extension", m.Extension(task=task, requested_on=requested, decision=decision,
                                       new_deadline=new_deadline,
                                       reason=s.rng.choice(COUNTY.texts.extension_reasons)))
        if decision == "approved":
            task.deadline = new_deadline
    _pending_extensions(s)


def _pending_extensions(s: Seed) -> None:
    """Two extension requests on open tasks still awaiting a decision."""
    waiting = [t for t in s.rows["task"] if not t.cancelled and t.done_on is None
               and t.deadline >= s.today and t.original_deadline == t.deadline]
    for task in s.rng.sample(waiting, min(2, len(waiting))):
        requested = max(task.assigned_on, s.today - s.days(0, 2))
        s.add("extension", m.Extension(
            task=task, requested_on=requested, decision="pending",
            new_deadline=s.workday_from(task.deadline + s.days(15, 30)),
            reason=s.rng.choice(COUNTY.texts.extension_reasons)))


def statuses(s: Seed) -> None:
    """Status and overdue days by the rules; a reason and measures where late."""
    for task in s.rows["task"]:
        task.status, task.overdue_days = rules.task_status(
            task.deadline, task.done_on, task.cancelled, s.today, s.cal, s.settings)
        if task.status in ("overdue", "done_late"):
            task.lag_reason = s.rng.choice(COUNTY.texts.lag_reasons)
            task.measures = s.rng.choice(COUNTY.texts.measures)


def feedback(s: Seed) -> None:
    """Monthly progress reports; a done task closes with an accepted 100 % on its done day."""
    say = COUNTY.sentences
    for task in s.rows["task"]:
        if task.cancelled:
            continue
        _monthly_feedback(s, task)
        if task.done_on is not None:
            s.add("feedback", m.Feedback(
                task=task, reported_on=task.done_on, percent_complete=100,
                progress=say.done_progress.format(outcome=task.expected_outcome),
                next_steps=say.done_next_steps, review_status="accepted",
                review_comment=say.done_review))
            s.feedback_days[task].append(task.done_on)


def _monthly_feedback(s: Seed, task: m.Task) -> None:
    """One report in most months the task was open, around the 20th."""
    month, last = rules.month_start(task.assigned_on), rules.month_start(task.done_on or s.today)
    percent = 0
    while month <= last:
        day = s.workday_from(month.replace(day=s.rng.randint(18, 26)))
        day = min(day, rules.month_end(month))
        before_done = task.done_on is None or day < task.done_on
        if task.assigned_on < day <= s.today and before_done and s.rng.random() >= 0.12:
            percent = _percent(s, task, day, percent)
            _report(s, task, day, percent)
        month = rules.month_end(month) + rules.DAY


def _percent(s: Seed, task: m.Task, day: dt.date, previous: int) -> int:
    """Percent complete on a day: time-proportional, never falling, below 100."""
    span = max((task.deadline - task.assigned_on).days, 1)
    expected = 100 * (day - task.assigned_on).days / span * s.rng.uniform(0.7, 1.05)
    return max(previous, 5, min(95, int(expected) // 5 * 5))


def _report(s: Seed, task: m.Task, day: dt.date, percent: int) -> None:
    """One monthly report; a returned one is filed again three days later."""
    recent = (s.today - day).days < 7
    returned = not recent and s.rng.random() < 0.08
    if recent and task.done_on is None and s.rng.random() < 0.15:
        percent = 100  # reported done, awaiting review: the task stays open until accepted
    status = "submitted" if recent else ("returned" if returned else "accepted")
    s.add("feedback", _feedback_row(s, task, day, percent, status))
    s.feedback_days[task].append(day)
    again = day + dt.timedelta(days=3)
    if returned and again <= s.today and again.month == day.month and (
            task.done_on is None or again < task.done_on):
        status = "submitted" if (s.today - again).days < 7 else "accepted"
        s.add("feedback", _feedback_row(s, task, again, percent, status))
        s.feedback_days[task].append(again)


def _feedback_row(s: Seed, task: m.Task, day: dt.date, percent: int, status: str) -> m.Feedback:
    """A progress report with its review status."""
    texts = COUNTY.texts
    progress = COUNTY.sentences.progress.format(
        text=s.rng.choice(texts.progress[min(percent // 40, 2)]), percent=percent)
    return m.Feedback(
        task=task, reported_on=day, percent_complete=percent, progress=progress,
        problems=s.rng.choice(texts.feedback_problems), next_steps=s.rng.choice(texts.next_steps),
        review_status=status,
        review_comment=s.rng.choice(texts.return_comments) if status == "returned" else None)

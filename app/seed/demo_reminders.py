"""The demo's supervision (督促记录): the reminders the jobs would have sent, and roll calls."""

from __future__ import annotations

import datetime as dt

from app import models as m
from app.domain import rules
from app.seed.demo_data import COUNTY
from app.seed.demo_state import Seed


def supervisions(s: Seed) -> None:
    """Due-soon, overdue, missing-feedback and monthly reminders, and meeting roll calls."""
    for task in s.rows["task"]:
        if task.cancelled:
            continue
        _due_soon_reminder(s, task)
        _overdue_reminders(s, task)
        _monthly_reminders(s, task)
    for meeting in s.rows["meeting"]:
        for task in s.rows["task"]:
            if not task.cancelled and task.deadline < meeting.held_on and _open_on(
                    s, task, meeting.held_on):
                _remind(s, task, meeting.held_on, "manual", "meeting",
                        COUNTY.sentences.roll_call.format(meeting=meeting.title, task=task.title))


def _open_on(s: Seed, task: m.Task, day: dt.date) -> bool:
    """Whether the task was assigned, not done and not in the future on `day`."""
    return task.assigned_on <= day <= s.today and (task.done_on is None or task.done_on > day)


def _remind(s: Seed, task: m.Task, day: dt.date, kind: str, channel: str, text: str) -> None:
    """One supervision per task, kind and day at most."""
    key = (id(task), kind, day)
    if key not in s.sent:
        s.sent.add(key)
        s.add("supervision", m.Supervision(task=task, sent_on=day, kind=kind, channel=channel,
                                           message=text))


def _due_soon_reminder(s: Seed, task: m.Task) -> None:
    """The due-soon reminder on the day the task became due soon."""
    day = s.cal.subtract_workdays(task.deadline, s.settings.due_soon_workdays)
    day = max(day, task.assigned_on)
    if day <= task.deadline and _open_on(s, task, day):
        _remind(s, task, day, "due_soon", "in_app", COUNTY.sentences.due_soon.format(
            task=task.title, month=task.deadline.month, day=task.deadline.day))


def _overdue_reminders(s: Seed, task: m.Task) -> None:
    """Overdue reminders weekly from the day after the deadline; 督办单 after two weeks."""
    day = task.deadline + rules.DAY
    while _open_on(s, task, day):
        late = (day - task.deadline).days
        channel = "notice" if late >= 15 else "in_app"
        _remind(s, task, day, "overdue", channel,
                COUNTY.sentences.overdue.format(task=task.title, late=late))
        day += dt.timedelta(days=7)


def _monthly_reminders(s: Seed, task: m.Task) -> None:
    """Mid-month urging for about half the open tasks; from the feedback day, 催报."""
    say = COUNTY.sentences
    month = rules.month_start(task.assigned_on)
    while month <= s.today:
        urge = s.workday_from(month.replace(day=s.rng.randint(15, 20)))
        if _open_on(s, task, urge) and s.rng.random() < 0.5:
            _remind(s, task, urge, "manual", s.rng.choice(("in_app", "webhook", "email")),
                    say.urge.format(task=task.title))
        due = min(month.replace(day=s.settings.feedback_day), rules.month_end(month))
        reported = [d for d in s.feedback_days[task] if month <= d <= due]
        if _open_on(s, task, due) and not reported:
            _remind(s, task, due, "missing_feedback", "in_app",
                    say.missing_feedback.format(task=task.title))
        month = rules.month_end(month) + rules.DAY

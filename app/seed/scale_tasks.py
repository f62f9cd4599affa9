"""Tasks of the scale generator, their extensions, and a year of feedback and reminders.

Reminders follow send_reminders' rules as if it had run every day: due_soon on the days
before the deadline, overdue once a week while overdue, missing_feedback daily from the
25th while the month has no feedback; plus manual urging (督办单, 会议督办).
"""

from __future__ import annotations

import random

from app.jobs.send_reminders import MESSAGES
from app.seed import scale_words as words
from app.seed.scale_rows import Context

DURATIONS = (15, 30, 45, 60, 90, 120, 180, 240, 300, 365)
DURATION_WEIGHTS = (4, 8, 10, 12, 14, 12, 12, 10, 8, 10)
FEEDBACK_DAY = 25
P_FEEDBACK, P_MANUAL, P_MANUAL_2 = 0.93, 0.85, 0.7
EXTRA_REPORTS, EXTRA_WEIGHTS = (0, 1, 2, 3), (5, 25, 40, 30)  # 半月报, 周报
CHANNELS = ("notice", "meeting", "in_app", "email", "webhook")

TASK_COLUMNS = ("id", "project_id", "meeting_id", "title", "expected_outcome", "department_id",
                "person_id", "assigned_on", "deadline", "original_deadline", "done_on",
                "cancelled", "lag_reason", "measures", "status", "overdue_days", "created_on",
                "changed_on")
EXTENSION_COLUMNS = ("id", "task_id", "requested_on", "new_deadline", "reason", "decision",
                     "created_on", "changed_on")
FEEDBACK_COLUMNS = ("id", "task_id", "reported_on", "progress", "percent_complete", "problems",
                    "next_steps", "review_status", "review_comment", "created_on", "changed_on")
SUPERVISION_COLUMNS = ("id", "task_id", "sent_on", "channel", "kind", "message", "created_on",
                       "changed_on")


def dates(ctx: Context) -> tuple[int, int, int | None, bool]:
    """(assigned, deadline, done, cancelled): a share overdue, done late, due soon, early."""
    rng, today = ctx.rng, ctx.today
    assigned = rng.randint(ctx.months[0][0] - 120, today - 3)
    deadline = assigned + rng.choices(DURATIONS, DURATION_WEIGHTS)[0]
    roll = rng.random()
    if roll < 0.03:
        return assigned, deadline, None, True
    if roll < 0.08:
        deadline = today + rng.randint(0, 4)  # due soon
    done = None
    if deadline < today:
        roll = rng.random()
        if roll < 0.82:
            done = rng.randint(max(assigned, deadline - 20), deadline)
        elif roll < 0.965:
            done = deadline + rng.randint(1, min(60, today - deadline))
    elif rng.random() < 0.15:
        done = rng.randint(assigned, today - 1)
    return assigned, deadline, done, False


def tasks(ctx: Context, count: int) -> tuple[list[tuple], list[tuple], list[tuple]]:
    """Task rows, extension rows, and (id, assigned, deadline, done, cancelled, title)."""
    extensions: list[tuple]
    rng, rows, extensions, facts = ctx.rng, [], [], []
    for _ in range(count):
        task = ctx.next_id("task")
        assigned, deadline, done, cancelled = dates(ctx)
        project = ctx.project() if rng.random() < 0.9 else None
        dept = project[1] if project and rng.random() < 0.75 else ctx.dept()
        if project is None:
            title = rng.choice(words.GENERAL_TASKS)
        else:
            nodes = words.PREP_NODES if project[2] in ("preparation", "reserve") else \
                words.BUILD_NODES
            title = f"{project[5]}：{rng.choice(nodes)}"
        late = (done or ctx.today) > deadline and not cancelled
        original = _extension(ctx, task, assigned, deadline, done, extensions)
        rows.append((
            task, project[0] if project else None, _meeting(ctx, assigned), title,
            rng.choice(words.OUTCOMES), dept, ctx.person(dept) if rng.random() < 0.95 else None,
            ctx.day(assigned), ctx.day(deadline), ctx.day(original),
            None if done is None else ctx.day(done), cancelled,
            rng.choice(words.LAG_REASONS) if late else None,
            rng.choice(words.MEASURES) if late else None, "pending", 0,
            ctx.stamp(assigned), ctx.stamp(assigned)))
        facts.append((task, assigned, deadline, done, cancelled, title))
    return rows, extensions, facts


def _meeting(ctx: Context, assigned: int) -> int | None:
    """Half the tasks were assigned by a meeting held that month, on or before the day."""
    if ctx.rng.random() < 0.5:
        return None
    for month, (first, last) in enumerate(ctx.months):
        if first <= assigned <= last:
            held = [meeting for meeting, day in ctx.meetings.get(month, ()) if day <= assigned]
            return held[-1] if held else None
    return None


def _extension(ctx: Context, task: int, assigned: int, deadline: int, done: int | None,
               out: list[tuple]) -> int:
    """Some tasks' deadlines moved by an approved extension; a few were asked and refused
    or wait. Returns the original deadline."""
    rng, roll = ctx.rng, ctx.rng.random()
    if roll < 0.04 and deadline - assigned > 20:
        original = deadline - rng.randint(7, min(45, deadline - assigned))
        asked = rng.randint(assigned, min(original, ctx.today))
        out.append((ctx.next_id("extension"), task, ctx.day(asked), ctx.day(deadline),
                    rng.choice(words.EXTENSION_REASONS), "approved", ctx.stamp(asked),
                    ctx.stamp(asked)))
        return original
    if roll < 0.06 and done is None:
        asked = max(assigned, ctx.today - rng.randint(0, 10))
        decision = "pending" if roll < 0.05 else "rejected"
        out.append((ctx.next_id("extension"), task, ctx.day(asked),
                    ctx.day(deadline + 30), rng.choice(words.EXTENSION_REASONS), decision,
                    ctx.stamp(asked), ctx.stamp(asked)))
    return deadline


def activity(ctx: Context, fact: tuple, feedback: list[tuple], supervision: list[tuple]) -> None:
    """One task's year of feedback and supervisions, appended to the two lists."""
    task, assigned, deadline, done, cancelled, title = fact
    rng = random.Random(ctx.seed * 1_000_003 + task)
    end = done if done is not None else ctx.today
    if cancelled:
        end = min(ctx.today, assigned + rng.randint(10, 60))
    for first, last in ctx.months:
        low, high = max(first, assigned), min(last, end)
        if low > high:
            continue
        fed = _month_feedback(ctx, rng, fact, low, high, done, feedback)
        if cancelled:
            continue
        for _ in range((rng.random() < P_MANUAL) + (rng.random() < P_MANUAL_2)):
            day = rng.randint(low, high)
            supervision.append((ctx.next_id("supervision"), task, ctx.day(day),
                                rng.choice(CHANNELS), "manual", rng.choice(words.MANUAL_MESSAGES),
                                ctx.stamp(day), ctx.stamp(day)))
        day = max(first + FEEDBACK_DAY - 1, low)  # up to yesterday: today's are the job's
        while day <= min(high, ctx.today - 1) and day < fed and (done is None or day < done):
            _remind(ctx, supervision, task, day, "missing_feedback", title, deadline)
            day += 1
    if not cancelled:
        _deadline_reminders(ctx, supervision, fact, end)


def _month_feedback(ctx: Context, rng: random.Random, fact: tuple, low: int, high: int,
                    done: int | None, out: list[tuple]) -> int:
    """The month's feedback rows; returns the first day one that counts was reported."""
    task, assigned, deadline = fact[0], fact[1], fact[2]
    days = []
    if rng.random() < P_FEEDBACK:
        for _ in range(1 + rng.choices(EXTRA_REPORTS, EXTRA_WEIGHTS)[0]):
            days.append(rng.randint(low, high))
    final = done is not None and low <= done <= high
    if final:
        assert done is not None  # final: done within the month
        days = [d for d in days if d < done] + [done]
    counted = high + 1
    for day in sorted(days):
        status, comment = _review(ctx, rng, day)
        if final and day == done:
            status, comment, percent, progress = "accepted", None, 100, words.DONE_PROGRESS
        else:
            percent = min(95, 100 * (day - assigned) // max(1, deadline - assigned))
            progress = rng.choice(words.PROGRESS)
        if status != "returned":
            counted = min(counted, day)
        out.append((ctx.next_id("feedback"), task, ctx.day(day), progress, percent,
                    rng.choice(words.FEEDBACK_PROBLEMS), rng.choice(words.NEXT_STEPS), status,
                    comment, ctx.stamp(day), ctx.stamp(day)))
    return counted


def _review(ctx: Context, rng: random.Random, day: int) -> tuple[str, str | None]:
    roll = rng.random()
    if ctx.today - day <= 7 and roll < 0.6:
        return "submitted", None
    if roll < 0.08:
        return "returned", rng.choice(words.RETURN_COMMENTS)
    return ("submitted", None) if roll < 0.12 else ("accepted", None)


def _deadline_reminders(ctx: Context, out: list[tuple], fact: tuple, end: int) -> None:
    """due_soon on the days before the deadline, then overdue weekly until done."""
    task, assigned, deadline, done, _cancelled, title = fact
    window = ctx.months[0][0]
    for day in range(max(deadline - 4, assigned, window), min(deadline, end, ctx.today - 1) + 1):
        if done is None or day < done:
            _remind(ctx, out, task, day, "due_soon", title, deadline)
    for day in range(max(deadline + 1, window), min(end, ctx.today - 1) + 1, 7):
        if done is None or day < done:
            _remind(ctx, out, task, day, "overdue", title, deadline)


def _remind(ctx: Context, out: list[tuple], task: int, day: int, kind: str, title: str,
            deadline: int) -> None:
    message = MESSAGES[kind].format(title=title, deadline=ctx.day(deadline), days=day - deadline)
    out.append((ctx.next_id("supervision"), task, ctx.day(day), "in_app", kind, message,
                ctx.stamp(day), ctx.stamp(day)))

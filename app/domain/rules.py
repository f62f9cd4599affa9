"""The rules of DESIGN.md as plain functions over plain values: no Flask, no session.

`as_of` (the day D) is always passed in. Views, jobs, reports and tests call these,
so they cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from app.domain.workdays import DAY, Calendar  # part of the rules' interface: rules.Calendar


@dataclass(frozen=True)
class Settings:
    """The tunable numbers of the rules (config.py reads them from the environment)."""

    due_soon_workdays: int = 3
    feedback_day: int = 25
    lag_yellow: float = 0.10
    lag_red: float = 0.30
    escalation_yellow_workdays: int = 1  # 督办 levels (issue 16): app/domain/escalation.py
    escalation_red_workdays: int = 10
    escalation_red_notices: int = 0  # 0: 红 by working days only


def task_status(
    deadline: dt.date,
    done_on: dt.date | None,
    cancelled: bool,
    as_of: dt.date,
    calendar: Calendar,
    settings: Settings = Settings(),  # frozen, shared safely
) -> tuple[str, int]:
    """A task's status and overdue days as of a day."""
    if cancelled:
        return "cancelled", 0
    if done_on is not None:
        if done_on <= deadline:
            return "done_on_time", 0
        return "done_late", days_late(deadline, done_on)
    if deadline < as_of:
        return "overdue", days_late(deadline, as_of)
    # at most N working days after D (the same as workdays_between(D, deadline) <= N)
    if deadline <= calendar.due_soon_until(as_of, settings.due_soon_workdays):
        return "due_soon", 0
    return "pending", 0


def days_late(deadline: dt.date, until: dt.date) -> int:
    """Days from the deadline to `until` (the day done, or the day judged); 0 if not after."""
    return max((until - deadline).days, 0)


def done_by(done_on: dt.date | None, as_of: dt.date) -> bool:
    """Done on or before the day judged (a later done_on is not done yet as of then)."""
    return done_on is not None and done_on <= as_of


def overdue_days_on(deadline: dt.date, done_on: dt.date | None, as_of: dt.date) -> int:
    """Days late as of a day: up to the day done if done by then, else up to that day."""
    return days_late(deadline, done_on if done_on is not None and done_on <= as_of else as_of)


def time_progress(as_of: dt.date) -> float:
    """Days elapsed in the year of `as_of`, up to and including it, over the days in that year."""
    start = dt.date(as_of.year, 1, 1)
    return ((as_of - start).days + 1) / (dt.date(as_of.year + 1, 1, 1) - start).days


def ytd_months(as_of: dt.date) -> tuple[dt.date, dt.date]:
    """The periods "this year up to D's month" covers: (1 January, the first of D's month)."""
    return dt.date(as_of.year, 1, 1), month_start(as_of)


def ytd_investment(reports: Iterable[tuple[dt.date, Decimal | float]], as_of: dt.date
                   ) -> Decimal:
    """This year's completed investment up to D's month, from (period, amount) pairs."""
    first, last = ytd_months(as_of)
    return sum((Decimal(amount) for period, amount in reports if first <= period <= last),
               Decimal(0))


def investment_lag(
    annual_plan: Decimal | float | None, completed_this_year: Decimal | float, as_of: dt.date
) -> float | None:
    """Time progress minus completion; None without an annual plan."""
    if not annual_plan:
        return None
    return time_progress(as_of) - float(completed_this_year) / float(annual_plan)


def project_color(
    task_statuses: list[str],
    overdue_problem: bool,
    lag: float | None,
    settings: Settings = Settings(),
) -> str:
    """A project's colour from its tasks' statuses, its problems and its investment lag."""
    lagging = lag is not None and lag > settings.lag_red
    if "overdue" in task_statuses or overdue_problem or lagging:
        return "red"
    if "due_soon" in task_statuses or (lag is not None and lag > settings.lag_yellow):
        return "yellow"
    return "green"


def problem_overdue(
    deadline: dt.date | None, resolved_on: dt.date | None, as_of: dt.date
) -> bool:
    """An unresolved problem past its deadline."""
    return deadline is not None and deadline < as_of and not done_by(resolved_on, as_of)


def problem_unresolved(raised_on: dt.date, resolved_on: dt.date | None, as_of: dt.date
                       ) -> bool:
    """A problem raised by the day and not resolved by then."""
    return raised_on <= as_of and not done_by(resolved_on, as_of)


def month_start(day: dt.date) -> dt.date:
    """The first day of the day's month (a period)."""
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    """The last day of the day's month."""
    nxt = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return nxt - DAY


# --- compliance of one period -------------------------------------------------------

IN_SCOPE_STAGES = ("preparation", "construction")
FINISHED_STAGES = ("completed", "operating")


@dataclass(frozen=True)
class ProjectFacts:
    """What the compliance rule needs to know of a project."""

    department_id: int | None
    stage: str
    actual_end: dt.date | None = None
    meeting_dates: tuple[dt.date, ...] = ()  # the days of the meetings that dispatched it


@dataclass(frozen=True)
class TaskFacts:
    """What the compliance rule needs to know of a task."""

    department_id: int | None
    assigned_on: dt.date
    deadline: dt.date
    done_on: dt.date | None = None
    cancelled: bool = False
    supervision_dates: tuple[dt.date, ...] = ()
    feedback: tuple[tuple[dt.date, str], ...] = ()  # (reported_on, review_status)


@dataclass(frozen=True)
class ComplianceCounts:
    """One row of the compliance table: counts, rates (None for 0/0), verdict and score."""

    projects_in_scope: int = 0
    projects_dispatched: int = 0
    tasks_open: int = 0
    tasks_urged: int = 0
    tasks_fed_back: int = 0
    tasks_due: int = 0
    tasks_implemented: int = 0
    tasks_overdue: int = 0

    @property
    def dispatch_rate(self) -> float | None:
        return rate(self.projects_dispatched, self.projects_in_scope)

    @property
    def supervision_rate(self) -> float | None:
        return rate(self.tasks_urged, self.tasks_open)

    @property
    def implementation_rate(self) -> float | None:
        return rate(self.tasks_implemented, self.tasks_due)

    @property
    def feedback_rate(self) -> float | None:
        return rate(self.tasks_fed_back, self.tasks_open)

    @property
    def rates(self) -> tuple[float | None, ...]:
        return (self.dispatch_rate, self.supervision_rate, self.implementation_rate,
                self.feedback_rate)

    @property
    def compliant(self) -> bool:
        known = [r for r in self.rates if r is not None]
        return bool(known) and all(r == 1 for r in known)

    @property
    def score(self) -> float | None:
        known = [r for r in self.rates if r is not None]
        return round(100 * sum(known) / len(known), 1) if known else None


def rate(numerator: int, denominator: int) -> float | None:
    """A rate; None (shown as "—") when there is nothing to count."""
    return numerator / denominator if denominator else None


def compliance_as_of(period: dt.date, today: dt.date) -> dt.date:
    """A = min(today, last day of the period)."""
    return min(today, month_end(period))


def project_in_scope(project: ProjectFacts, period: dt.date) -> bool:
    if project.stage in IN_SCOPE_STAGES:
        return True
    ended = project.actual_end
    return project.stage in FINISHED_STAGES and ended is not None and ended >= period


def task_open(task: TaskFacts, period: dt.date, as_of: dt.date) -> bool:
    """Open in the period: not cancelled, assigned by A, not done before the period began."""
    done = task.done_on
    return not task.cancelled and task.assigned_on <= as_of and (done is None or done >= period)


def urged_in(task: TaskFacts, period: dt.date, as_of: dt.date) -> bool:
    """A supervision sent in the period, up to A."""
    return any(period <= day <= as_of for day in task.supervision_dates)


def fed_back_in(task: TaskFacts, period: dt.date, as_of: dt.date) -> bool:
    """A feedback reported in the period, up to A, that was not returned."""
    return any(period <= day <= as_of and review != "returned" for day, review in task.feedback)


def task_due_in(task: TaskFacts, period: dt.date, as_of: dt.date) -> bool:
    """Not cancelled, its deadline in the period up to A."""
    return not task.cancelled and period <= task.deadline <= as_of


def task_overdue_in(task: TaskFacts, period: dt.date, as_of: dt.date) -> bool:
    """Open in the period, past its deadline at A and not done by A."""
    return (task_open(task, period, as_of) and task.deadline < as_of
            and not done_by(task.done_on, as_of))


def compliance(
    period: dt.date, today: dt.date, projects: list[ProjectFacts], tasks: list[TaskFacts]
) -> ComplianceCounts:
    """The compliance counts of one period over the given projects and tasks."""
    period = month_start(period)
    as_of = compliance_as_of(period, today)
    scoped = [p for p in projects if project_in_scope(p, period)]
    open_tasks = [t for t in tasks if task_open(t, period, as_of)]
    due = [t for t in tasks if task_due_in(t, period, as_of)]
    return ComplianceCounts(
        projects_in_scope=len(scoped),
        projects_dispatched=sum(any(period <= d <= as_of for d in p.meeting_dates)
                                for p in scoped),
        tasks_open=len(open_tasks),
        tasks_urged=sum(urged_in(t, period, as_of) for t in open_tasks),
        tasks_fed_back=sum(fed_back_in(t, period, as_of) for t in open_tasks),
        tasks_due=len(due),
        tasks_implemented=sum(t.done_on is not None and t.done_on <= t.deadline for t in due),
        tasks_overdue=sum(task_overdue_in(t, period, as_of) for t in tasks),
    )


def compliance_table(
    period: dt.date, today: dt.date, projects: list[ProjectFacts], tasks: list[TaskFacts],
    department_ids: list[int],
) -> dict[int | None, ComplianceCounts]:
    """Every department's row and the county's (key None) for one period."""
    table: dict[int | None, ComplianceCounts] = {
        None: compliance(period, today, projects, tasks)}
    for department in department_ids:
        table[department] = compliance(
            period, today,
            [p for p in projects if p.department_id == department],
            [t for t in tasks if t.department_id == department],
        )
    return table


def ranked_unit(kind: str, active: bool) -> bool:
    """Whether a unit is ranked as a 责任单位: not the county leaders (领导), not a unit that is
    停用; those are listed apart with their figures, not given a place."""
    return active is not False and kind != "leadership"


def ranking(scores: dict[int, tuple[str, float | None]]) -> list[int]:
    """Departments by score (highest first; none last), then by name."""
    return sorted(scores, key=lambda d: (scores[d][1] is None, -(scores[d][1] or 0), scores[d][0]))


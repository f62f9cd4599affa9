"""Random small ledgers (hypothesis strategies), written into the database, and the facts
the plain rules of app/domain/rules.py need, read back from every row of the database."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from hypothesis import strategies as st
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app import models as m
from app.domain import rules

BASE = dt.date(2026, 9, 1)  # the window spans a year end: 2027 is unknown to chinese-calendar
SPAN = 180
STAGES = ("planning", "reserve", "preparation", "construction", "completed", "operating",
          "terminated")
KINDS = ("manual", "due_soon", "overdue", "missing_feedback")
REVIEWS = ("submitted", "accepted", "returned")
PLANS = (None, 0, 100, 1000)
# months of investment reports: last year's December up to the window's last month
MONTHS = tuple(dt.date(2025 + (i + 11) // 12, (i + 11) % 12 + 1, 1) for i in range(16))
EDGES = tuple(d for month in MONTHS[-7:] for d in (month, rules.month_end(month)))


def day(offset: int) -> dt.date:
    return BASE + dt.timedelta(days=offset)


# a day of the window, often a month's first or last day (the edges of a period)
days = st.integers(0, SPAN).map(day) | st.sampled_from(EDGES)


def shifted(start: dt.date, low: int, high: int) -> st.SearchStrategy[dt.date]:
    """A day from `start` + low to `start` + high, often within three days of a bound or of
    `start` itself."""
    offsets = (st.integers(low, high) | st.integers(low, min(high, low + 3))
               | st.integers(max(low, high - 3), high)
               | st.integers(max(low, min(-3, high)), min(high, 3)))
    return offsets.map(lambda n: start + dt.timedelta(days=n))


def near(anchor: dt.date) -> st.SearchStrategy[dt.date]:
    """A day around the ledger's anchor: dates cluster, so boundaries meet."""
    return shifted(anchor, -40, 40)


@st.composite
def rule_settings(draw: st.DrawFn) -> rules.Settings:
    """Settings around the defaults: due-soon window, feedback day, lag thresholds."""
    return rules.Settings(
        due_soon_workdays=draw(st.sampled_from((0, 1, 3, 5))),
        feedback_day=draw(st.sampled_from((1, 25, 28))),
        lag_yellow=draw(st.sampled_from((0.0, 0.10))),
        lag_red=draw(st.sampled_from((0.10, 0.30))),
    )


@dataclass(frozen=True)
class Days:
    """The days of one ledger: a few key days that most of its dates take, so deadlines,
    as-of days and the edges of periods meet (an off-by-one shows up)."""

    pool: tuple[dt.date, ...]

    def any(self) -> st.SearchStrategy[dt.date]:
        return _mostly(st.sampled_from(self.pool), near(self.pool[0]))

    def after(self, start: dt.date, most: int = 40) -> st.SearchStrategy[dt.date]:
        later = [d for d in self.pool if d >= start]
        return _mostly(st.sampled_from(later) if later else st.just(start),
                       shifted(start, 0, most))


def _mostly(usual: st.SearchStrategy, other: st.SearchStrategy) -> st.SearchStrategy:
    """`usual` three times in four (a plain `|` would weigh each of `other`'s branches)."""
    return st.integers(0, 3).flatmap(lambda n: usual if n else other)


def key_days(anchor: dt.date, *more: dt.date) -> Days:
    """The anchor, its neighbours, its month's edges and the days next to them, and more."""
    first, last = rules.month_start(anchor), rules.month_end(anchor)
    return Days((anchor, anchor - rules.DAY, anchor + rules.DAY, first, first - rules.DAY,
                 last, last + rules.DAY, *more))


@dataclass(frozen=True)
class Ledger:
    """A ledger as plain values; indexes point into the lists above them."""

    days: Days
    departments: int
    projects: list[tuple]  # (dept, stage, actual_end, plan)
    meetings: list[tuple]  # (held_on, {project})
    tasks: list[tuple]  # (dept, project | None, assigned_on, deadline, done_on, cancelled)
    supervisions: list[tuple]  # (task, sent_on, kind)
    feedback: list[tuple]  # (task, reported_on, review_status)
    problems: list[tuple]  # (project, raised_on, deadline, resolved_on)
    investment: dict[tuple, int]  # (project, period) -> amount
    holidays: dict[dt.date, bool]  # day -> is_workday


def _index(size: int) -> st.SearchStrategy[int]:
    return st.integers(0, size - 1)


def _maybe(draw: st.DrawFn, strategy: st.SearchStrategy) -> object | None:
    return draw(strategy) if draw(st.booleans()) else None


def _task(draw: st.DrawFn, when: Days, departments: int, projects: int) -> tuple:
    project = _maybe(draw, _index(projects)) if projects else None
    assigned = draw(when.any())
    deadline = draw(when.after(assigned))
    done_on = _maybe(draw, when.after(assigned, 50))
    cancelled = draw(st.booleans()) and draw(st.booleans())
    return draw(_index(departments)), project, assigned, deadline, done_on, cancelled


def _problem(draw: st.DrawFn, when: Days, projects: int) -> tuple:
    raised = draw(when.any())
    deadline = _maybe(draw, when.after(raised, 30))
    return draw(_index(projects)), raised, deadline, _maybe(draw, when.after(raised))


def _on_tasks(draw: st.DrawFn, tasks: int, *more: st.SearchStrategy) -> list[tuple]:
    if not tasks:
        return []
    return draw(st.lists(st.tuples(_index(tasks), *more), max_size=8))


@st.composite
def ledgers(draw: st.DrawFn, when: Days) -> Ledger:
    """A few departments, projects, meetings, tasks and what hangs on them, on these days."""
    departments = draw(st.integers(1, 3))
    projects = draw(st.lists(st.tuples(
        _index(departments), st.sampled_from(STAGES), st.none() | when.any(),
        st.sampled_from(PLANS)), max_size=5))
    p = len(projects)
    meetings = draw(st.lists(st.tuples(when.any(), st.sets(_index(p)) if p else st.just(set())),
                             max_size=3))
    tasks = [_task(draw, when, departments, p) for _ in range(draw(st.integers(0, 8)))]
    supervisions = _on_tasks(draw, len(tasks), when.any(), st.sampled_from(KINDS))
    unique = {(i, kind, on) if kind != "manual" else (i, kind, on, n): (i, on, kind)
              for n, (i, on, kind) in enumerate(supervisions)}
    feedback = _on_tasks(draw, len(tasks), when.any(), st.sampled_from(REVIEWS))
    problems = [_problem(draw, when, p) for _ in range(draw(st.integers(0, 4)))] if p else []
    investment = draw(st.dictionaries(st.tuples(_index(p), st.sampled_from(MONTHS)),
                                      st.integers(0, 400), max_size=8)) if p else {}
    holidays = draw(st.dictionaries(when.any(), st.booleans(), max_size=4))
    return Ledger(when, departments, projects, meetings, tasks, list(unique.values()),
                  feedback, problems, investment, holidays)


@st.composite
def refresh_cases(draw: st.DrawFn) -> tuple[Ledger, dt.date, rules.Settings]:
    """A ledger, the day its statuses are refreshed as of, and the settings: the ledger's
    dates cluster on that day and on the last day that is still due soon."""
    as_of, conf = draw(days), draw(rule_settings())
    edge = rules.Calendar().due_soon_until(as_of, conf.due_soon_workdays)
    more = draw(st.lists(near(as_of), max_size=2))
    ledger = draw(ledgers(Days((as_of, as_of - rules.DAY, edge, edge + rules.DAY, *more))))
    return ledger, as_of, conf


@st.composite
def compliance_cases(draw: st.DrawFn) -> tuple[Ledger, list[tuple[dt.date, dt.date]]]:
    """A ledger and a few (period, today) pairs on its key days."""
    when = key_days(draw(days), *draw(st.lists(days, max_size=2)))
    ledger = draw(ledgers(when))
    pairs = st.tuples(when.any().map(rules.month_start), when.any())
    return ledger, draw(st.lists(pairs, min_size=1, max_size=3))


@dataclass(frozen=True)
class Written:
    """The ids of the rows a ledger was written as."""

    departments: list[int]
    projects: list[int]
    tasks: list[int]
    meetings: list[int]


def write(session: Session, ledger: Ledger) -> Written:
    """Add the ledger's rows (flushed, not committed); their ids."""
    tag = uuid.uuid4().hex[:10]
    depts = [m.Department(name=f"HT{tag}-{i}") for i in range(ledger.departments)]
    projects = [
        m.Project(code=f"HT{tag}-{i}", name="项目", category="other", stage=stage,
                  actual_end=end, lead_department=depts[d],
                  annual_plan_investment=None if plan is None else Decimal(plan))
        for i, (d, stage, end, plan) in enumerate(ledger.projects)]
    meetings = [m.Meeting(held_on=held, title="调度会", projects=[projects[i] for i in chosen])
                for held, chosen in ledger.meetings]
    tasks = [m.Task(title="任务", department=depts[d], assigned_on=assigned, deadline=deadline,
                    original_deadline=deadline, done_on=done, cancelled=cancelled,
                    project=None if p is None else projects[p])
             for d, p, assigned, deadline, done, cancelled in ledger.tasks]
    session.add_all([*depts, *projects, *meetings, *tasks])
    session.add_all(m.Supervision(task=tasks[i], sent_on=sent, kind=kind, channel="in_app")
                    for i, sent, kind in ledger.supervisions)
    session.add_all(m.Feedback(task=tasks[i], reported_on=on, progress="进展", review_status=r)
                    for i, on, r in ledger.feedback)
    session.add_all(m.Problem(project=projects[i], department=projects[i].lead_department,
                              description="问题", raised_on=raised, deadline=deadline,
                              resolved_on=resolved)
                    for i, raised, deadline, resolved in ledger.problems)
    session.add_all(m.InvestmentReport(project=projects[i], period=period, amount=Decimal(a))
                    for (i, period), a in ledger.investment.items())
    taken = set(session.scalars(select(m.Holiday.day)))
    session.add_all(m.Holiday(day=d, is_workday=w) for d, w in ledger.holidays.items()
                    if d not in taken)
    session.flush()
    return Written([d.id for d in depts], [p.id for p in projects], [t.id for t in tasks],
                   [mt.id for mt in meetings])


def erase(session: Session, written: Written) -> None:
    """Delete a committed ledger and what hangs on it (cascades), and commit."""
    session.execute(delete(m.Task).where(m.Task.id.in_(written.tasks)))
    session.execute(delete(m.Meeting).where(m.Meeting.id.in_(written.meetings)))
    session.execute(delete(m.Project).where(m.Project.id.in_(written.projects)))
    session.execute(delete(m.Department).where(m.Department.id.in_(written.departments)))
    session.commit()


def year_ledger(year: int, seed: int = 4) -> Ledger:
    """A busy, fixed ledger of one year: monthly meetings, tasks urged and fed back."""
    rng = random.Random(seed)

    def on(month: int) -> dt.date:
        return dt.date(year, month, rng.randint(1, 28))

    projects = [(i % 3, rng.choice(STAGES), dt.date(year, rng.randint(1, 12), 15), 1000)
                for i in range(9)]
    meetings = [(on(month), set(rng.sample(range(9), 4))) for month in range(1, 13)]
    tasks = []
    for _ in range(60):
        assigned = on(rng.randint(1, 11))
        deadline = assigned + dt.timedelta(days=rng.randint(5, 60))
        done = rng.choice((None, assigned + dt.timedelta(days=rng.randint(0, 70))))
        tasks.append((rng.randrange(3), rng.choice((None, rng.randrange(9))), assigned,
                      deadline, done, rng.random() < 0.1))
    touch = lambda: (rng.randrange(60), on(rng.randint(1, 12)))  # noqa: E731
    return Ledger(Days((dt.date(year, 1, 1),)), 3, projects, meetings, tasks,
                  [(*touch(), "manual") for _ in range(80)],
                  [(*touch(), rng.choice(REVIEWS)) for _ in range(80)],
                  [], {}, {})


# --- the facts of every row, for the plain rules ----------------------------------------

def _grouped(session: Session, *columns) -> dict[int, list]:
    grouped: dict[int, list] = defaultdict(list)
    for key, *values in session.execute(select(*columns)):
        grouped[key].append(values[0] if len(values) == 1 else tuple(values))
    return grouped


def task_rows(session: Session) -> list:
    t = m.Task
    return session.execute(select(t.id, t.project_id, t.department_id, t.assigned_on,
                                  t.deadline, t.done_on, t.cancelled)).all()


def task_facts(session: Session) -> list[rules.TaskFacts]:
    """Every task as the compliance rule sees it."""
    return list(task_facts_by_id(session).values())


def task_facts_by_id(session: Session) -> dict[int, rules.TaskFacts]:
    """Task id -> the task as the compliance rule sees it, for every task."""
    sent = _grouped(session, m.Supervision.task_id, m.Supervision.sent_on)
    fed = _grouped(session, m.Feedback.task_id, m.Feedback.reported_on, m.Feedback.review_status)
    return {i: rules.TaskFacts(dept, assigned, deadline, done, cancelled, tuple(sent[i]),
                               tuple(fed[i]))
            for i, _, dept, assigned, deadline, done, cancelled in task_rows(session)}


def project_facts(session: Session) -> list[rules.ProjectFacts]:
    """Every project as the compliance rule sees it."""
    held = _grouped_meetings(session)
    p = m.Project
    return [rules.ProjectFacts(dept, stage, end, tuple(held[i]))
            for i, dept, stage, end in session.execute(
                select(p.id, p.lead_department_id, p.stage, p.actual_end))]


def _grouped_meetings(session: Session) -> dict[int, list]:
    mp = m.meeting_project
    grouped: dict[int, list] = defaultdict(list)
    query = select(mp.c.project_id, m.Meeting.held_on).join(m.Meeting,
                                                             m.Meeting.id == mp.c.meeting_id)
    for project, held in session.execute(query):
        grouped[project].append(held)
    return grouped


def expected_statuses(session: Session, as_of: dt.date, cal: rules.Calendar,
                      settings: rules.Settings) -> dict[int, tuple[str, int]]:
    """Task id -> rules.task_status, for every task."""
    return {i: rules.task_status(deadline, done, cancelled, as_of, cal, settings)
            for i, _, _, _, deadline, done, cancelled in task_rows(session)}


def expected_colours(session: Session, as_of: dt.date, cal: rules.Calendar,
                     settings: rules.Settings) -> dict[int, str]:
    """Project id -> rules.project_color, for every project."""
    statuses = expected_statuses(session, as_of, cal, settings)
    by_project: dict[int, list[str]] = defaultdict(list)
    for i, project, *_ in task_rows(session):
        by_project[project].append(statuses[i][0])
    problems = _grouped(session, m.Problem.project_id, m.Problem.deadline, m.Problem.resolved_on)
    reports = _grouped(session, m.InvestmentReport.project_id, m.InvestmentReport.period,
                       m.InvestmentReport.amount)
    colours = {}
    for i, plan in session.execute(select(m.Project.id, m.Project.annual_plan_investment)):
        completed = rules.ytd_investment(reports[i], as_of)
        late = any(rules.problem_overdue(d, r, as_of) for d, r in problems[i])
        lag = rules.investment_lag(plan, completed, as_of)
        colours[i] = rules.project_color(by_project[i], late, lag, settings)
    return colours


# --- hand-written cases at the edges of the rules (run before the random ones) -----------

D = dt.date
EDGE_CASE = (
    Ledger(
        days=Days((D(2026, 12, 1),)), departments=1,
        projects=[(0, "construction", None, None), (0, "construction", None, None),
                  (0, "preparation", None, 100), (0, "preparation", None, 100),
                  (0, "construction", None, 0)],
        meetings=[],
        tasks=[  # as of Tue 1 Dec, 3 working days: due soon up to Sun 6 Dec
            (0, 0, D(2026, 11, 2), D(2026, 12, 6), None, False),  # due_soon
            (0, 1, D(2026, 11, 2), D(2026, 12, 7), None, False),  # pending
            (0, None, D(2026, 11, 2), D(2026, 11, 30), None, False),  # overdue 1 day
            (0, None, D(2026, 11, 2), D(2026, 12, 1), None, False),  # due_soon, today
            (0, None, D(2026, 11, 2), D(2026, 11, 30), D(2026, 12, 1), False),  # done_late 1
            (0, None, D(2026, 11, 2), D(2026, 11, 30), D(2026, 11, 30), False),  # on time
            (0, None, D(2026, 11, 2), D(2026, 11, 20), None, True),  # cancelled
        ],
        supervisions=[], feedback=[],
        problems=[(0, D(2026, 11, 20), D(2026, 11, 30), D(2026, 12, 1)),  # resolved today
                  (1, D(2026, 11, 20), D(2026, 11, 30), D(2026, 12, 2))],  # still late
        # time progress on 1 Dec: 335/365 = 0.918; lag 0.218 (yellow) and 0.318 (red)
        investment={(2, D(2026, 11, 1)): 70, (3, D(2026, 6, 1)): 60, (3, D(2025, 12, 1)): 99,
                    (2, D(2027, 1, 1)): 50},
        holidays={}),
    D(2026, 12, 1), rules.Settings())

WORKED_EXAMPLE = (  # DESIGN.md's worked example, period 2026-05: score 75.0
    Ledger(
        days=Days((D(2026, 5, 31),)), departments=1,
        projects=[(0, "construction", None, None), (0, "reserve", None, None)],
        meetings=[(D(2026, 5, 12), {0})],
        tasks=[(0, 0, D(2026, 4, 10), D(2026, 5, 15), D(2026, 5, 14), False),  # a
               (0, None, D(2026, 5, 3), D(2026, 6, 30), None, False),  # b
               (0, None, D(2026, 3, 1), D(2026, 4, 30), D(2026, 5, 6), False),  # c
               (0, None, D(2026, 4, 1), D(2026, 5, 31), None, True)],  # d
        supervisions=[(0, D(2026, 5, 2), "manual"), (2, D(2026, 4, 28), "manual")],
        feedback=[(0, D(2026, 5, 14), "accepted"), (1, D(2026, 5, 20), "returned"),
                  (2, D(2026, 5, 6), "submitted")],
        problems=[], investment={}, holidays={}),
    [(D(2026, 5, 1), D(2026, 11, 25)), (D(2026, 5, 1), D(2026, 5, 14)),
     (D(2026, 4, 1), D(2026, 11, 25))])

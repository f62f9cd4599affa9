"""The demo county and its library: units, people, projects, meetings, problems, investment."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import cast

from app import models as m
from app.domain import rules
from app.domain.node_templates import ensure_templates
from app.seed.demo_data import COUNTY, ProjectRow
from app.seed.demo_state import Seed

# investment lag (time progress − completion) a construction project is seeded to show
LAG_TARGETS = (-0.08, -0.04, 0.0, 0.03, 0.06, 0.08, 0.15, 0.22, 0.35)
OPEN_STAGES = ("preparation", "construction")


def departments(s: Seed) -> None:
    """The units and their people, with phones and unique e-mails."""
    for unit in COUNTY.units:
        dept = m.Department(name=unit.name, kind=unit.kind, active=True)
        s.depts[unit.name] = dept
        s.staff[unit.name] = [
            m.Person(name=person, title=title, department=dept, phone=_phone(s),
                     email=f"{unit.mail}{i:02d}@{COUNTY.mail_domain}",
                     is_leader=unit.kind == "leadership")
            for i, (person, title) in enumerate(unit.people, start=1)
        ]
        s.add("department", dept)
        s.add("person", *s.staff[unit.name])


def _phone(s: Seed) -> str:
    """A mobile number such as 138xxxxxxxx."""
    return s.rng.choice(COUNTY.phone_prefixes) + f"{s.rng.randint(0, 99_999_999):08d}"


def templates(s: Seed) -> None:
    """The two 前期手续 node chains (app/domain/node_templates.py), with the county's departments;
    `flask init` may have created them already without departments."""
    for row in ensure_templates(s.depts):
        s.add("node_template" if isinstance(row, m.NodeTemplate) else "template_node", row)


def projects(s: Seed) -> None:
    """The thirty projects of the library, coded QH<year>-001 onwards."""
    for number, row in enumerate(COUNTY.projects, start=1):
        s.add("project", _project(s, number, row))


def _project(s: Seed, number: int, row: ProjectRow) -> m.Project:
    """One project with dates, leader, responsible person and annual plan."""
    planned_start, planned_end, actual_start, actual_end = _project_dates(s, row.stage)
    national = row.level in ("province", "national")
    leader = s.leaders[0 if national else COUNTY.leader_by_category[row.category]]
    plan = None
    if row.stage == "construction":
        plan = Decimal(round(row.total * s.rng.uniform(0.2, 0.45), -2))
    return m.Project(
        code=COUNTY.project_code.format(year=s.today.year, number=number), name=row.name,
        category=row.category, source=row.source, industry=row.industry, stage=row.stage,
        list_level=row.level, total_investment=Decimal(row.total), annual_plan_investment=plan,
        planned_start=planned_start, planned_end=planned_end, actual_start=actual_start,
        actual_end=actual_end, location=row.location, content=row.content, lead_leader=leader,
        lead_department=s.depts[row.department],
        responsible_person=s.staff[row.department][1], funding=row.funding, status_color="green")


def _project_dates(s: Seed, stage: str) -> tuple[dt.date, dt.date, dt.date | None, dt.date | None]:
    """Planned start and end, actual start and end, fitting the stage as of today."""
    today, year = s.today, s.today.year
    if stage == "construction":
        start = dt.date(year - 1, s.rng.randint(2, 11), 1) + s.days(0, 20)
        return start, start + s.days(540, 1100), start + s.days(0, 40), None
    if stage in ("completed", "operating"):
        end = today - (s.days(20, 150) if stage == "completed" else s.days(200, 500))
        start = end - s.days(300, 600)
        return start - s.days(0, 30), end - s.days(0, 30), start, end
    if stage == "preparation":
        start = today + s.days(30, 240)
        return start, start + s.days(365, 900), None, None
    if stage == "terminated":
        start = today - s.days(100, 300)
        return start, start + s.days(600, 800), None, None
    start = dt.date(year + 1, s.rng.randint(3, 9), 1)
    return start, start + s.days(700, 1400), None, None


def meetings(s: Seed) -> None:
    """One 调度会 a month for the last twelve months, dispatching most projects in scope."""
    for held_on in _meeting_days(s):
        quarterly = held_on.month % 3 == 0
        chair = s.leaders[0 if quarterly else 1]
        title = COUNTY.sentences.quarterly_meeting if quarterly else COUNTY.sentences.meeting
        scope = [p for p in s.rows["project"] if _in_scope(p, held_on)]
        chosen = [p for p in scope if s.rng.random() < 0.85]
        s.add("meeting", m.Meeting(
            held_on=held_on, title=title.format(year=held_on.year, month=held_on.month),
            chair=chair, projects=chosen, minutes=_minutes(s, held_on, chair, chosen)))


def _meeting_days(s: Seed) -> list[dt.date]:
    """The twelve latest monthly meeting days up to today, oldest first."""
    days: list[dt.date] = []
    month = rules.month_start(s.today)
    while len(days) < 12:
        day = s.workday_from(month.replace(day=s.rng.randint(6, 12)))
        if day <= s.today:
            days.append(day)
        month = rules.month_start(month - rules.DAY)
    return days[::-1]


def _in_scope(project: m.Project, day: dt.date) -> bool:
    """Whether a meeting held on `day` would dispatch the project."""
    if project.stage in OPEN_STAGES:
        return True
    ended = cast(dt.date, project.actual_end)  # set for a completed or operating one
    return project.stage in ("completed", "operating") and ended >= rules.month_start(day)


def _minutes(s: Seed, held_on: dt.date, chair: m.Person, projects: list[m.Project]) -> str:
    """The minutes of a monthly meeting."""
    say = COUNTY.sentences
    names = say.names_separator.join(p.name for p in projects[:3])
    one, two, three = s.rng.sample(COUNTY.texts.minutes_points, 3)
    return say.minutes.format(
        year=held_on.year, month=held_on.month, day=held_on.day, chair_title=chair.title,
        chair_name=chair.name, count=len(projects), names=names, one=one, two=two, three=three)


def problems(s: Seed) -> None:
    """The 问题清单: most resolved, a few open, two past their deadline."""
    by_name = {project.name: project for project in s.rows["project"]}
    for row in COUNTY.problems:
        project, dept = by_name[row.project], s.depts[row.department]
        raised, deadline, resolved = _problem_dates(s, row.state)
        s.add("problem", m.Problem(
            project=project, description=row.description, category=row.category,
            raised_on=raised, department=dept, person=s.member(dept), deadline=deadline,
            resolved_on=resolved, resolution=row.resolution,
            coordinating_leader=project.lead_leader))


def _problem_dates(s: Seed, state: str) -> tuple[dt.date, dt.date, dt.date | None]:
    """Raised, deadline and resolved dates for a problem's state."""
    if state == "resolved":
        raised = s.today - s.days(60, 300)
        deadline = raised + s.days(20, 60)
        return raised, deadline, min(raised + s.days(5, (deadline - raised).days + 15), s.today)
    if state == "overdue":
        raised = s.today - s.days(40, 90)
        return raised, raised + s.days(15, 30), None
    return s.today - s.days(3, 30), s.today + s.days(10, 45), None


def investment(s: Seed) -> None:
    """Monthly completed investment of construction projects, this year up to last month."""
    months = [dt.date(s.today.year, k, 1) for k in range(1, s.today.month)]
    progress = rules.time_progress(s.today)
    for project in s.rows["project"]:
        if project.stage != "construction" or not months:
            continue
        target = max(0.0, progress - s.rng.choice(LAG_TARGETS))
        total = float(project.annual_plan_investment) * target
        weights = [s.rng.uniform(0.6, 1.4) for _ in months]
        amounts = [Decimal(f"{total * w / sum(weights):.2f}") for w in weights]
        s.completed[project] = sum(amounts, Decimal(0))
        s.add("investment_report", *(
            m.InvestmentReport(project=project, period=month, amount=amount)
            for month, amount in zip(months, amounts, strict=True)))


def colors(s: Seed) -> None:
    """Each project's colour from its tasks, its problems and its investment lag."""
    statuses: dict[m.Project, list[str]] = defaultdict(list)
    for task in s.rows["task"]:
        if task.project is not None:
            statuses[task.project].append(task.status)
    late = {p.project for p in s.rows["problem"]
            if rules.problem_overdue(p.deadline, p.resolved_on, s.today)}
    for project in s.rows["project"]:
        lag = rules.investment_lag(project.annual_plan_investment,
                                   s.completed.get(project, Decimal(0)), s.today)
        project.status_color = rules.project_color(statuses[project], project in late, lag,
                                                   s.settings)

"""Rows of the scale generator's base tables: departments, persons, projects, meetings,
investment reports and problems. Days are ordinals; values are text (see scale_load)."""

from __future__ import annotations

import datetime as dt
import math
import random
from bisect import bisect
from dataclasses import dataclass, field
from itertools import accumulate

from app.seed import scale_words as words

PROJECT_STAGES = ("planning", "reserve", "preparation", "construction", "completed",
                  "operating", "terminated")
STAGE_WEIGHTS = (6, 10, 22, 45, 8, 6, 3)
LEVELS, LEVEL_WEIGHTS = ("county", "city", "province", "national"), (60, 25, 12, 3)
SOURCES = ("national_policy", "industrial_cluster", "central_city", "comparative_advantage",
           "public_demand")
PACES = (0.45, 0.75, 0.9, 1.0, 1.0, 1.05, 1.1, 1.15, 1.2, 1.25)  # of the plan, by project
PROBLEM_CATEGORIES = ("land", "funding", "approval", "relocation", "construction", "other")


@dataclass
class Context:
    """What the generation steps share: dice, days, sizes, ids and the rows' keys."""

    rng: random.Random
    seed: int
    batch: int
    today: int  # ordinal
    months: list[tuple[int, int]]  # (first day, last day) ordinals, oldest first
    ids: dict[str, int]  # table -> the last id in use
    iso: dict[int, str] = field(default_factory=dict)
    leaders: list[int] = field(default_factory=list)
    depts: list[int] = field(default_factory=list)  # non-leadership, biggest first
    dept_cum: list[float] = field(default_factory=list)
    staff: dict[int, list[int]] = field(default_factory=dict)
    projects: list[tuple] = field(default_factory=list)  # (id, dept, stage, start, end, name)
    project_cum: list[float] = field(default_factory=list)
    meetings: dict[int, list[tuple[int, int]]] = field(default_factory=dict)  # month -> (id, day)

    def day(self, ordinal: int) -> str:
        text = self.iso.get(ordinal)
        if text is None:
            text = self.iso[ordinal] = dt.date.fromordinal(ordinal).isoformat()
        return text

    def stamp(self, ordinal: int) -> str:
        return self.day(ordinal) + " 09:00:00"

    def next_id(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    def dept(self) -> int:
        """A department drawn by the Zipf-like weights: a few big ones, many small ones."""
        return self.depts[bisect(self.dept_cum, self.rng.random() * self.dept_cum[-1])]

    def person(self, dept: int) -> int:
        return self.rng.choice(self.staff[dept])

    def project(self) -> tuple:
        return self.projects[bisect(self.project_cum, self.rng.random() * self.project_cum[-1])]


def zipf(n: int, exponent: float = 0.9) -> list[float]:
    return list(accumulate(1 / (k + 1) ** exponent for k in range(n)))


DEPT_COLUMNS = ("id", "name", "kind", "active", "created_on", "changed_on")
PERSON_COLUMNS = ("id", "name", "title", "department_id", "phone", "email", "is_leader",
                  "created_on", "changed_on")


def department_names(count: int, batch: int, taken: set[str]) -> list[tuple[str, str]]:
    """(name, kind) of `count` departments: the leadership first, then region × unit."""
    regions = words.REGIONS[(batch - 1) * 7 % len(words.REGIONS):] + words.REGIONS
    names = [(f"{regions[0]}领导", "leadership")]
    for region in regions:
        for unit in words.UNITS:
            kind = words.UNIT_KIND.get(unit, "township" if unit[-1] in "镇乡道" else "department")
            names.append((f"{region}{unit}", kind))
    picked = []
    for name, kind in names:
        if name not in taken:
            picked.append((name, kind))
            if len(picked) == count:
                return picked
    return picked + [(f"{regions[0]}单位{batch}-{i}", "other") for i in range(count - len(picked))]


def departments_and_persons(ctx: Context, count: int, taken: set[str]) -> tuple[list, list]:
    rng, stamp = ctx.rng, ctx.stamp(ctx.months[0][0])
    departments, persons = [], []
    weights = zipf(count - 1)
    shares = [weights[0]] + [b - a for a, b in zip(weights, weights[1:], strict=False)]
    for index, (name, kind) in enumerate(department_names(count, ctx.batch, taken)):
        dept = ctx.next_id("department")
        departments.append((dept, name, kind, True, stamp, stamp))
        leading = index == 0
        size = max(4, count // 8) if leading else 2 + round(shares[index - 1] / weights[-1]
                                                             * 6 * count)
        staff = [_person(ctx, dept, leading, stamp) for _ in range(size)]
        persons.extend(staff)
        ids = [row[0] for row in staff]
        if leading:
            ctx.leaders = ids
        else:
            ctx.depts.append(dept)
            ctx.staff[dept] = ids
    ctx.dept_cum = weights
    rng.shuffle(ctx.leaders)
    return departments, persons


def _person(ctx: Context, dept: int, leader: bool, stamp: str) -> tuple:
    rng = ctx.rng
    person = ctx.next_id("person")
    name = rng.choice(words.SURNAMES) + rng.choice(words.GIVEN)
    title = rng.choice(words.LEADER_TITLES if leader else words.TITLES)
    phone = rng.choice(words.PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"
    email = f"p{person}@gov.example.cn" if rng.random() < 0.3 else None
    return (person, name, title, dept, phone, email, leader, stamp, stamp)


PROJECT_COLUMNS = (
    "id", "code", "name", "category", "source", "industry", "stage", "list_level",
    "total_investment", "annual_plan_investment", "planned_start", "planned_end",
    "actual_start", "actual_end", "location", "content", "lead_leader_id",
    "lead_department_id", "responsible_person_id", "funding", "status_color",
    "created_on", "changed_on")


def projects(ctx: Context, count: int) -> list[tuple]:
    rng, rows = ctx.rng, []
    categories = list(words.SUBJECTS)
    prefix = "ZD" if ctx.batch == 1 else f"ZD{ctx.batch}"
    year = dt.date.fromordinal(ctx.today).year
    for index in range(count):
        project, dept = ctx.next_id("project"), ctx.dept()
        category = rng.choice(categories)
        stage = rng.choices(PROJECT_STAGES, STAGE_WEIGHTS)[0]
        name = (rng.choice(words.PLACES) + rng.choice(words.SUBJECTS[category])
                + rng.choice(words.SUFFIXES))
        start = ctx.today - rng.randint(60, 900)
        actual_start = actual_end = None
        if stage in ("construction", "completed", "operating"):
            actual_start = min(ctx.today - 30, start + rng.randint(0, 120))
        if stage in ("completed", "operating"):
            assert actual_start is not None  # a completed project was built: set above
            actual_end = rng.randint(max(actual_start, ctx.months[0][0] - 60), ctx.today)
        total = round(math.exp(rng.gauss(9.3, 1.1)) + 100, 2)
        plan = _annual_plan(ctx, total, actual_start, actual_end)
        leader = rng.choice(ctx.leaders) if rng.random() < 0.9 else None
        stamp = ctx.stamp(start)
        rows.append((
            project, f"{prefix}-{year}-{index + 1:05d}", name, category, rng.choice(SOURCES),
            rng.choice(words.INDUSTRIES), stage, rng.choices(LEVELS, LEVEL_WEIGHTS)[0],
            f"{total:.2f}", plan, ctx.day(start), ctx.day(start + rng.randint(365, 1500)),
            _day(ctx, actual_start), _day(ctx, actual_end), rng.choice(words.PLACES),
            rng.choice(words.CONTENTS), leader, dept, ctx.person(dept), rng.choice(words.FUNDING),
            "green", stamp, stamp))
        ctx.projects.append((project, dept, stage, actual_start, actual_end, name, plan))
    ctx.project_cum = list(accumulate(rng.lognormvariate(0, 0.8) for _ in ctx.projects))
    return rows


def _annual_plan(ctx: Context, total: float, start: int | None, end: int | None) -> str | None:
    """This year's plan of a project under way: a share of its total, for the months it
    builds this year; none for projects not under way this year."""
    year = dt.date.fromordinal(ctx.today).year
    first, last = dt.date(year, 1, 1).toordinal(), dt.date(year, 12, 31).toordinal()
    if start is None or (end is not None and end < first):
        return None
    months = (min(end or last, last) - max(start, first)) / 30.4 + 1
    return f"{total * ctx.rng.uniform(0.15, 0.5) * min(months, 12) / 12:.2f}"


def _day(ctx: Context, ordinal: int | None) -> str | None:
    return None if ordinal is None else ctx.day(ordinal)


MEETING_COLUMNS = ("id", "held_on", "title", "chair_id", "minutes", "created_on", "changed_on")


def meetings(ctx: Context, per_month: int) -> tuple[list[tuple], list[tuple]]:
    """Each month's meetings, and the projects in scope each dispatched (meeting_project)."""
    rng, rows, links = ctx.rng, [], []
    for month, (first, _last) in enumerate(ctx.months):
        held = []
        for number in range(per_month):
            day = first + 4 + (number * 20) // per_month
            if day > ctx.today:
                break
            meeting, date = ctx.next_id("meeting"), dt.date.fromordinal(day)
            title = f"{date.year}年{date.month}月重点项目调度会（第{number + 1}场）"
            rows.append((meeting, ctx.day(day), title, rng.choice(ctx.leaders), words.MINUTES,
                         ctx.stamp(day), ctx.stamp(day)))
            held.append((meeting, day))
        ctx.meetings[month] = held
        if not held:
            continue
        for project, _dept, stage, _start, end, *_ in ctx.projects:
            in_scope = (stage in ("preparation", "construction")
                        or (end is not None and end >= first)
                        or (stage == "reserve" and rng.random() < 0.1))
            if in_scope and rng.random() < 0.85:
                links.append((rng.choice(held)[0], project))
    return rows, links


REPORT_COLUMNS = ("id", "project_id", "period", "amount", "created_on", "changed_on")


def investment_reports(ctx: Context) -> list[tuple]:
    """Monthly amounts of the projects under way, at a pace of their own (some lag)."""
    rng, rows = ctx.rng, []
    for project, _dept, _stage, start, end, _name, plan in ctx.projects:
        if plan is None or start is None:
            continue
        pace = rng.choice(PACES)
        year_first = dt.date(dt.date.fromordinal(ctx.today).year, 1, 1).toordinal()
        months = (min(end or ctx.today + 400, year_first + 364) - max(start, year_first)) / 30.4
        monthly = float(plan) * pace / min(12, months + 1)
        for first, last in ctx.months:
            if last < start or (end is not None and first > end):
                continue
            if last >= ctx.today and rng.random() < 0.5:
                continue  # this month's report not in yet
            amount = f"{monthly * rng.uniform(0.6, 1.4):.2f}"
            day = min(last, ctx.today)
            rows.append((ctx.next_id("investment_report"), project, ctx.day(first), amount,
                         ctx.stamp(day), ctx.stamp(day)))
    return rows


PROBLEM_COLUMNS = ("id", "project_id", "description", "category", "raised_on", "department_id",
                   "person_id", "deadline", "resolved_on", "resolution",
                   "coordinating_leader_id", "created_on", "changed_on")


def problems(ctx: Context, count: int) -> list[tuple]:
    rng, rows = ctx.rng, []
    for _ in range(count):
        project, lead, *_ = rng.choice(ctx.projects)
        dept = lead if rng.random() < 0.8 else ctx.dept()
        category = rng.choice(PROBLEM_CATEGORIES)
        raised = rng.randint(ctx.months[0][0], ctx.today)
        deadline = raised + rng.randint(15, 120) if rng.random() < 0.7 else None
        resolved = None
        if rng.random() < 0.7:
            resolved = rng.randint(raised, min(ctx.today, raised + 150))
        leader = rng.choice(ctx.leaders) if rng.random() < 0.6 else None
        rows.append((ctx.next_id("problem"), project, words.PROBLEM_TEXTS[category], category,
                     ctx.day(raised), dept, ctx.person(dept), _day(ctx, deadline),
                     _day(ctx, resolved), rng.choice(words.RESOLUTIONS) if resolved else None,
                     leader, ctx.stamp(raised), ctx.stamp(raised)))
    return rows

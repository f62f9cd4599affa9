"""The demo county's names and texts (demo_county.toml beside this file), as typed records."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

DATA_FILE = Path(__file__).resolve().with_name("demo_county.toml")


@dataclass(frozen=True)
class Account:
    """A demo login: its role, whom it stands for, the 责任人 it is tied to (if any)."""

    username: str
    password: str
    role: str
    who: str
    person: str | None = None


@dataclass(frozen=True)
class Unit:
    """A responsible unit (责任单位) and its people as (name, title), the head first."""

    name: str
    kind: str
    mail: str
    people: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class ProjectRow:
    """A project of the library, as the county lists it (total in 万元)."""

    name: str
    category: str
    source: str
    stage: str
    level: str
    total: int
    department: str
    location: str
    funding: str
    content: str
    industry: str | None = None


@dataclass(frozen=True)
class TaskTemplate:
    """A task's title ({p}: the project's name), its outcome, a department other than the
    project's lead department."""

    title: str
    outcome: str
    department: str | None = None


@dataclass(frozen=True)
class ProblemRow:
    """A problem of the 问题清单 and the state it is seeded in (resolved, open, overdue)."""

    project: str
    category: str
    department: str
    description: str
    state: str
    resolution: str | None = None


@dataclass(frozen=True)
class Texts:
    """The pools of texts the dice pick from."""

    minutes_points: tuple[str, ...]
    progress: tuple[tuple[str, str], ...]
    feedback_problems: tuple[str | None, ...]
    next_steps: tuple[str, ...]
    return_comments: tuple[str, ...]
    lag_reasons: tuple[str, ...]
    measures: tuple[str, ...]
    extension_reasons: tuple[str, ...]


@dataclass(frozen=True)
class Sentences:
    """The sentences the generator fills in (str.format, fields named in the data file)."""

    meeting: str
    quarterly_meeting: str
    minutes: str
    names_separator: str
    progress: str
    done_progress: str
    done_next_steps: str
    done_review: str
    roll_call: str
    due_soon: str
    overdue: str
    urge: str
    missing_feedback: str


@dataclass(frozen=True)
class County:
    """Everything of the demo county that is data, not code."""

    mail_domain: str
    project_code: str
    phone_prefixes: tuple[str, ...]
    accounts: tuple[Account, ...]
    units: tuple[Unit, ...]
    leader_by_category: dict[str, int]
    projects: tuple[ProjectRow, ...]
    build_tasks: tuple[TaskTemplate, ...]
    prep_tasks: tuple[TaskTemplate, ...]
    prep_recurring: TaskTemplate
    general_tasks: tuple[TaskTemplate, ...]
    problems: tuple[ProblemRow, ...]
    texts: Texts
    sentences: Sentences


def _tuples(rows: list) -> tuple:
    """Lists (TOML arrays) as tuples, one level deep."""
    return tuple(tuple(row) if isinstance(row, list) else row for row in rows)


def _texts(raw: dict) -> Texts:
    """The text pools; "" in feedback_problems is a report that names no problem."""
    pools = {key: _tuples(values) for key, values in raw.items()}
    pools["feedback_problems"] = tuple(text or None for text in raw["feedback_problems"])
    return Texts(**pools)


def load(path: Path = DATA_FILE) -> County:
    """Read the data file; a missing or unknown key fails here, not halfway through a seed."""
    with path.open("rb") as file:
        raw = tomllib.load(file)
    tasks = {key: tuple(TaskTemplate(**row) for row in raw[key])
             for key in ("build_tasks", "prep_tasks", "general_tasks")}
    (recurring,) = raw["prep_recurring"]
    return County(
        mail_domain=raw["mail_domain"], project_code=raw["project_code"],
        phone_prefixes=tuple(raw["phone_prefixes"]),
        accounts=tuple(Account(**row) for row in raw["accounts"]),
        units=tuple(Unit(**{**row, "people": _tuples(row["people"])})
                    for row in raw["departments"]),
        leader_by_category=dict(raw["leader_by_category"]),
        projects=tuple(ProjectRow(**row) for row in raw["projects"]),
        prep_recurring=TaskTemplate(**recurring), **tasks,
        problems=tuple(ProblemRow(**row) for row in raw["problems"]),
        texts=_texts(raw["texts"]), sentences=Sentences(**raw["sentences"]))


COUNTY = load()

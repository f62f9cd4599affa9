"""Generated ledgers at county, city and province size, for benchmarks and scale tests.

`seed_scale("county")` fills an empty database (after `flask init`) with departments of
Zipf-like sizes, their persons, projects, a year of meetings, investment reports,
problems, tasks with deadlines around today (a share overdue, done late, due soon,
cancelled, extended) and their feedback and supervisions — deterministic for a seed and
a day. Rows are written in bulk past the ORM (see scale_load: no ORM events, so no audit
rows for generated data); statuses and colours are then computed by the refresh_status
job's own set-based SQL, in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import time
from dataclasses import dataclass
from typing import cast

import click
from flask.cli import with_appcontext
from sqlalchemy import Connection, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app import models as m
from app.domain import rules, rules_sql, status
from app.extensions import db
from app.seed import bulk_load, scale_rows, scale_tasks

logger = logging.getLogger(__name__)
CHUNK = 5_000  # tasks whose feedback and supervisions are written together


@dataclass(frozen=True)
class Size:
    departments: int
    projects: int
    tasks: int
    meetings_per_month: int


SIZES = {
    "county": Size(departments=30, projects=300, tasks=3_000, meetings_per_month=2),
    "city": Size(departments=100, projects=3_000, tasks=30_000, meetings_per_month=6),
    "province": Size(departments=300, projects=30_000, tasks=300_000, meetings_per_month=20),
}
LEDGER_TABLES = ("department", "person", "project", "investment_report", "meeting", "task",
                 "extension", "feedback", "supervision", "problem")


BIG_TABLES = ("task", "feedback", "supervision", "meeting_project", "investment_report")


class LedgerNotEmpty(Exception):
    """The database holds ledger rows already: a generated ledger goes only into an empty one."""


def seed_scale(size: str, seed: int = 1, extra: bool = False,
               today: dt.date | None = None) -> dict[str, int]:
    """Generate a ledger of this size; returns the rows written per table.

    `extra=True` adds a further batch beside the rows there (other names and codes)
    instead of refusing: the data doubles.
    """
    spec = SIZES[size]
    today = today or status.today()
    if not extra and db.session.scalar(select(m.Department.id).limit(1)) is not None:
        raise LedgerNotEmpty("台账中已有数据（责任单位等），seed-scale 只向空库生成数据。"
                             "Ledger data exists already: seed-scale fills an empty database only.")
    cal, conf = status.calendar(), status.settings()
    db.session.commit()
    started = time.monotonic()
    with db.engine.connect() as connection:
        before = bulk_load.sqlite_pragmas(connection, fast=True)
        connection.commit()
        with connection.begin():
            writer = bulk_load.Writer(connection)
            session = Session(bind=connection)
            with bulk_load.indexes_dropped(connection, BIG_TABLES):
                _generate(writer, spec, seed, today)
                # the refresh_status job's SQL, while the task indexes are still down
                rules_sql.refresh_task_status(session, today, cal, conf)
            rules_sql.refresh_project_colour(session, today, conf)
            writer.fix_sequences()
            bulk_load.check_foreign_keys(connection, writer.counts)
        _restore(connection, before)
        connection.commit()
        bulk_load.analyze(connection, writer.counts)
    logger.info("%s generated in %.1f s: writing %s", size, time.monotonic() - started,
                ", ".join(f"{name} {sec:.1f} s" for name, sec in writer.seconds.items()))
    return dict(writer.counts)


def _context(writer: bulk_load.Writer, seed: int, today: dt.date) -> scale_rows.Context:
    batch = 1 + cast(int, writer.connection.exec_driver_sql(
        "SELECT COUNT(*) FROM department WHERE kind = 'leadership'").scalar())
    first = rules.month_start(today)
    months: list[tuple[int, int]] = []
    for _ in range(12):
        months.insert(0, (first.toordinal(), rules.month_end(first).toordinal()))
        first = rules.month_start(first - dt.timedelta(days=1))
    ids = {name: writer.max_id(name) for name in LEDGER_TABLES}
    return scale_rows.Context(rng=random.Random(seed), seed=seed, batch=batch,
                             today=today.toordinal(), months=months, ids=ids)


def _generate(writer: bulk_load.Writer, spec: Size, seed: int, today: dt.date) -> None:
    g, t = scale_rows, scale_tasks
    ctx = _context(writer, seed, today)
    taken = set(writer.connection.exec_driver_sql("SELECT name FROM department").scalars())
    departments, persons = g.departments_and_persons(ctx, spec.departments, taken)
    writer.write("department", g.DEPT_COLUMNS, departments)
    writer.write("person", g.PERSON_COLUMNS, persons)
    writer.write("project", g.PROJECT_COLUMNS, g.projects(ctx, spec.projects))
    meetings, links = g.meetings(ctx, spec.meetings_per_month)
    writer.write("meeting", g.MEETING_COLUMNS, meetings)
    writer.write("meeting_project", ("meeting_id", "project_id"), links)
    writer.write("investment_report", g.REPORT_COLUMNS, g.investment_reports(ctx))
    writer.write("problem", g.PROBLEM_COLUMNS, g.problems(ctx, spec.projects * 2 // 5))
    tasks, extensions, facts = t.tasks(ctx, spec.tasks)
    writer.write("task", t.TASK_COLUMNS, tasks)
    writer.write("extension", t.EXTENSION_COLUMNS, extensions)
    del tasks
    for start in range(0, len(facts), CHUNK):
        feedback: list[tuple] = []
        supervision: list[tuple] = []
        for fact in facts[start:start + CHUNK]:
            t.activity(ctx, fact, feedback, supervision)
        writer.write("feedback", t.FEEDBACK_COLUMNS, feedback)
        writer.write("supervision", t.SUPERVISION_COLUMNS, supervision)


def _restore(connection: Connection, before: dict[str, object]) -> None:
    """SQLite: the journal mode and syncing of before the load."""
    if not before:
        return
    connection.exec_driver_sql(f"PRAGMA synchronous={before['synchronous']}")
    connection.exec_driver_sql(f"PRAGMA foreign_keys={before['foreign_keys']}")
    try:
        connection.exec_driver_sql(f"PRAGMA journal_mode={before['journal_mode']}")
    except OperationalError as error:  # another connection has the file open: WAL stays
        logger.warning("journal mode left at WAL: %s", error)


@click.command("seed-scale")
@click.option("--size", type=click.Choice(list(SIZES)), required=True)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--extra", is_flag=True, help="Add a further batch beside existing data.")
@with_appcontext
def seed_scale_command(size: str, seed: int, extra: bool) -> None:
    """Generate a county-, city- or province-size ledger into an empty database."""
    started = time.monotonic()
    try:
        counts = seed_scale(size, seed, extra=extra)
    except LedgerNotEmpty as error:
        raise click.ClickException(str(error)) from error
    click.echo(", ".join(f"{name} {count}" for name, count in counts.items()))
    click.echo(f"{size} (seed {seed}) generated in {time.monotonic() - started:.1f} s")

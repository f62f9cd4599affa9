"""How long each background job takes on the demo county, and on N times the demo county.

    PYTHONPATH=. python bench/jobs_bench.py --scale 1 --scale 100 [--repeat 5]
        [--database-url postgresql://postgres@127.0.0.1:5432/postgres]

Each scale gets a fresh database (a temporary SQLite file, or a new database on the given
PostgreSQL server, dropped afterwards): migrated, `seed-demo` loaded, then the demo rows
cloned N - 1 times with new ids (set-based INSERT ... SELECT). Each job's function runs
`--repeat` times in-process, as a worker runs it; the median is printed (milliseconds).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

os.environ.setdefault("KEYLEDGER_INSTANCE", tempfile.mkdtemp(prefix="keyledger-bench-"))

from sqlalchemy import String, cast, func, insert, literal, null, select, text  # noqa: E402

from app import models as m  # noqa: E402
from app.extensions import db  # noqa: E402

# the demo's tables in the order their foreign keys allow
CLONED = ("department", "person", "project", "meeting", "meeting_project", "task", "extension",
          "feedback", "supervision", "problem", "investment_report")
RENAMED = {("department", "name"), ("project", "code")}  # unique: a copy gets a suffix
DROPPED = {("person", "user_id")}  # a login belongs to one person: copies have none


@contextmanager
def database(server: str | None) -> Iterator[str]:
    """A fresh, empty database URL; dropped afterwards on PostgreSQL."""
    if not server:
        yield f"sqlite:///{tempfile.mkdtemp(prefix='keyledger-bench-db-')}/bench.db"
        return
    from tests import services

    name = f"keyledger_bench_{uuid.uuid4().hex[:8]}"
    services.create_database(server, name)
    try:
        yield services.with_database(server, name)
    finally:
        services.drop_database(server, name)


def build_app(url: str):  # noqa: ANN201
    from config import Config

    class BenchConfig(Config):
        SQLALCHEMY_DATABASE_URI = url
        REDIS_URL = None

    from app import create_app

    return create_app(BenchConfig)


def _expression(table, column, copy: int, offsets: dict[str, int]):  # noqa: ANN001, ANN202
    """The value of one column in the copy number `copy` of a row."""
    if (table.name, column.name) in DROPPED:
        return null()
    if (table.name, column.name) in RENAMED:
        return cast(column, String) + literal(f" #{copy}")
    targets = {fk.column.table.name for fk in column.foreign_keys}
    if column.primary_key and not targets:
        return column + copy * offsets[table.name]
    cloned = targets & set(CLONED)
    if cloned:
        return column + copy * offsets[cloned.pop()]
    return column


def clone(copies: int) -> None:
    """Copy every demo row `copies` times, with new ids (one INSERT ... SELECT each)."""
    metadata = m.Model.metadata
    offsets = {name: db.session.scalar(select(func.max(metadata.tables[name].c.id)))
               for name in CLONED if "id" in metadata.tables[name].c}
    for name in CLONED:
        table = metadata.tables[name]
        for copy in range(1, copies + 1):
            columns = list(table.c)
            rows = select(*[_expression(table, c, copy, offsets).label(c.name) for c in columns])
            key, last = (table.c.id, offsets[name]) if name in offsets else (
                table.c.meeting_id, offsets["meeting"])  # meeting_project
            rows = rows.where(key <= last)  # the demo's own rows, not earlier copies
            db.session.execute(insert(table).from_select([c.name for c in columns], rows))
    if db.session.get_bind().dialect.name == "postgresql":
        for name in offsets:
            db.session.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), max(id)) FROM {name}"))
    db.session.commit()


def load(scale: int) -> dict[str, int]:
    """Migrate, seed the demo, multiply it; the row counts."""
    from flask import current_app
    from flask_migrate import upgrade

    from app.cli import sync_permissions
    from app.demo import seed_demo

    upgrade(directory=current_app.extensions["migrate"].directory)
    sync_permissions()
    seed_demo()
    if scale > 1:
        clone(scale - 1)
    return {name: db.session.scalar(select(func.count()).select_from(m.Model.metadata.tables[
        name])) for name in ("project", "task", "feedback", "supervision")}


def timings(repeat: int) -> dict[str, list[float]]:
    """Each job's durations (ms), run in-process as the worker runs it."""
    from app import status
    from app.jobs import JOBS

    today = status.today()
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    arguments = {"refresh_status": today, "send_reminders": today,
                 "build_compliance": today.replace(day=1), "build_circular": last_month}
    results: dict[str, list[float]] = {}
    for job, (function, _) in JOBS.items():
        results[job] = []
        for _ in range(repeat):
            started = time.perf_counter()
            function(arguments[job])
            results[job].append(1000 * (time.perf_counter() - started))
            db.session.remove()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, action="append")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database-url", default=None, help="a PostgreSQL server")
    options = parser.parse_args()
    for scale in options.scale or [1]:
        with database(options.database_url) as url:
            app = build_app(url)
            with app.app_context():
                counts = load(scale)
                results = timings(options.repeat)
                db.session.remove()
                db.engine.dispose()
        print(f"scale {scale}x ({url.split(':')[0]}): " + ", ".join(
            f"{k} {v}" for k, v in counts.items()))
        for job, values in results.items():
            print(f"  {job:18} median {statistics.median(values):9.1f} ms   first "
                  f"{values[0]:9.1f} ms   ({len(values)} runs)")


if __name__ == "__main__":
    main()

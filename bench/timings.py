"""The jobs timed in-process (as a worker's work-horse runs them) and the floor query."""

from __future__ import annotations

import datetime as dt
import math
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Date, Engine, bindparam, event, select, text
from sqlalchemy.exc import OperationalError

from app import models as m
from app.extensions import db

FLOOR = Path(__file__).with_name("floor.sql")
COUNTS = ("projects_in_scope", "projects_dispatched", "tasks_open", "tasks_urged",
          "tasks_fed_back", "tasks_due", "tasks_implemented", "tasks_overdue")
RATES = ("dispatch_rate", "supervision_rate", "implementation_rate", "feedback_rate")


class TimedOut(Exception):
    """A statement ran past the benchmark's limit (see limit_statements)."""


def limit_statements(engine: Engine, seconds: float) -> None:
    """Cancel any statement of this process running longer than `seconds`: PostgreSQL's
    statement_timeout, SQLite's progress handler. A job past it is reported, not waited for."""
    if engine.dialect.name == "postgresql":
        @event.listens_for(engine, "connect")
        def timeout(connection, record) -> None:
            with connection.cursor() as cursor:
                cursor.execute(f"SET statement_timeout = {int(seconds * 1000)}")
            connection.commit()
        return
    started = {"at": time.monotonic()}

    @event.listens_for(engine, "before_cursor_execute")
    def clock(*args: object) -> None:
        started["at"] = time.monotonic()

    @event.listens_for(engine, "connect")
    def handler(connection, record) -> None:
        connection.set_progress_handler(
            lambda: int(time.monotonic() - started["at"] > seconds), 100_000)


def timed(function: Callable[[], object]) -> tuple[float, object]:
    """(milliseconds, result) of one call; the session is put away afterwards."""
    started = time.perf_counter()
    try:
        result = function()
    except OperationalError as error:
        db.session.rollback()
        if "statement timeout" in str(error) or "interrupted" in str(error):
            raise TimedOut(str(error).splitlines()[0]) from error
        raise
    finally:
        elapsed = 1000 * (time.perf_counter() - started)
        db.session.remove()
    return elapsed, result


def repeated(function: Callable[[], object], repeat: int) -> dict:
    """Median, first and every duration (ms) of `repeat` calls; the first past the
    statement limit ends it (median None, `timed_out` says after how long)."""
    values = []
    for _ in range(repeat):
        started = time.perf_counter()
        try:
            values.append(timed(function)[0])
        except TimedOut as error:
            return {"median_ms": None, "timed_out_ms": 1000 * (time.perf_counter() - started),
                    "error": str(error), "runs": values}
    return {"median_ms": statistics.median(values), "first_ms": values[0], "runs": values}


def floor_rows(period: dt.date, as_of: dt.date) -> list[dict]:
    """The hand-written query's rows (bench/floor.sql), fetched whole."""
    statement = text(FLOOR.read_text()).bindparams(
        bindparam("period", period, type_=Date), bindparam("as_of", as_of, type_=Date))
    return [dict(row._mapping) for row in db.session.execute(statement)]


def job_rows(period: dt.date) -> list[dict]:
    """The compliance rows build_compliance wrote for the period."""
    rows = db.session.scalars(select(m.Compliance).where(m.Compliance.period == period))
    return [{name: getattr(row, name) for name in ("department_id", *COUNTS, *RATES,
                                                   "compliant", "score")} for row in rows]


def _same(a: object, b: object, tolerance: float) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(float(a), float(b), abs_tol=tolerance) if tolerance else a == b


def differences(floor: list[dict], job: list[dict]) -> list[str]:
    """Where the floor's rows and the job's differ (empty: the same rows)."""
    by_department = {row["department_id"]: row for row in job}
    if set(by_department) != {row["department_id"] for row in floor}:
        return [f"departments differ: {len(floor)} floor rows, {len(job)} job rows"]
    found = []
    for row in floor:
        mine = by_department[row["department_id"]]
        for name in (*COUNTS, *RATES, "compliant", "score"):
            tolerance = {"score": 0.05 + 1e-9}.get(name, 1e-9 if name in RATES else 0)
            ours = bool(row[name]) if name == "compliant" else row[name]
            if not _same(ours, mine[name], tolerance):
                found.append(f"department {row['department_id']} {name}: floor {ours!r}, "
                             f"job {mine[name]!r}")
    return found


def compliance(period: dt.date, as_of: dt.date, repeat: int) -> dict:
    """build_compliance and the floor, `repeat` times each; their rows checked equal."""
    from app.jobs import build_compliance

    job = repeated(lambda: build_compliance.run(period), repeat)
    floor = repeated(lambda: floor_rows(period, as_of), repeat)
    result = {"build_compliance": job, "floor": floor, "ratio": None, "rows": None}
    if job["median_ms"] is None or floor["median_ms"] is None:
        return result  # nothing to compare: one did not finish
    wrong = differences(floor_rows(period, as_of), job_rows(period))
    db.session.remove()
    assert not wrong, "floor and build_compliance disagree:\n" + "\n".join(wrong[:20])
    return result | {"ratio": job["median_ms"] / floor["median_ms"],
                     "rows": len(job_rows(period))}


def once(function: Callable[[], object]) -> dict:
    """One timed call: {"ms", "result"}, or {"timed_out_ms", "error"}."""
    started = time.perf_counter()
    try:
        elapsed, result = timed(function)
    except TimedOut as error:
        return {"ms": None, "timed_out_ms": 1000 * (time.perf_counter() - started),
                "error": str(error)}
    return {"ms": elapsed, "result": result}


def jobs(today: dt.date, circular_period: dt.date | None, repeat: int) -> dict:
    """refresh_status (median), send_reminders (first run and rerun), build_circular."""
    from app.jobs import build_circular, refresh_status, send_reminders

    results = {"refresh_status": repeated(lambda: refresh_status.run(today), repeat),
               "send_reminders": once(lambda: send_reminders.run(today)),
               "send_reminders_rerun": once(lambda: send_reminders.run(today))}
    if circular_period is not None:
        results["build_circular"] = once(lambda: build_circular.run(circular_period))
    return results

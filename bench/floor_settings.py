"""Side measurement: build_compliance (with its SET LOCALs) against bench/floor.sql at stock
settings and against the floor under the same SET LOCALs; interleaved, median of N each.

Run with the environment of bench/run.py and DATABASE_URL of its copy (RESULTS.md).
"""
from __future__ import annotations

import datetime as dt
import json
import os
import statistics
import sys

from sqlalchemy import text

from app import create_app
from app.domain import rules, status
from app.extensions import db
from app.jobs import build_compliance
from bench import timings

N = int(sys.argv[1]) if len(sys.argv) > 1 else 5


def floor_same() -> list:
    for s in ("max_parallel_workers_per_gather = 0", "jit = off", "work_mem = '32MB'"):
        db.session.execute(text(f"SET LOCAL {s}"))
    return timings.floor_rows(period, as_of)


app = create_app()
with app.app_context():
    today = status.today()
    period = rules.month_start(rules.month_start(today) - dt.timedelta(days=1))
    as_of = rules.compliance_as_of(period, today)
    runs = {"job": [], "floor_stock": [], "floor_same_settings": []}
    for _ in range(N):
        runs["job"].append(timings.timed(lambda: build_compliance.run(period))[0])
        runs["floor_stock"].append(timings.timed(lambda: timings.floor_rows(period, as_of))[0])
        runs["floor_same_settings"].append(timings.timed(floor_same)[0])
    med = {k: statistics.median(v) for k, v in runs.items()}
    out = {"load": os.getloadavg(), "period": str(period), "runs_ms": runs, "median_ms": med,
           "ratio_stock": med["job"] / med["floor_stock"],
           "ratio_same": med["job"] / med["floor_same_settings"]}
    print(json.dumps(out, indent=1))

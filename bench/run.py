"""KeyLedger at county, city or province size: jobs, the floor query, pages, rq workers.

    /tmp/v/bin/python bench/run.py --size county --database sqlite|postgresql|URL
        [--seed 1] [--requests 200] [--repeat 5] [--period YYYY-MM] [--json OUT]

Prints one table and writes it, with every detail, as JSON (bench/README.md says what
each line measures).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import database  # noqa: E402


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=("county", "city", "province"), default="county")
    parser.add_argument("--database", default="sqlite",
                        help="sqlite, postgresql (the local server) or a PostgreSQL URL")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--requests", type=int, default=200, help="per page (>= 200)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per job median (>= 5)")
    parser.add_argument("--period", help="the month build_compliance builds (last month)")
    parser.add_argument("--workdir", type=Path,
                        default=Path(tempfile.gettempdir()) / "keyledger-bench")
    parser.add_argument("--statement-limit", type=float, default=300,
                        help="seconds a statement of the in-process jobs may run (300)")
    parser.add_argument("--worker-pgoptions", default="",
                        help="PGOPTIONS of the rq workers, e.g. '-c jit=off' (an experiment)")
    parser.add_argument("--skip", action="append", default=[],
                        choices=("circular", "pages", "workers", "tree", "concurrency", "horse"),
                        help="leave a part out")
    parser.add_argument("--regenerate", action="store_true",
                        help="generate the data again even if a template for it exists")
    parser.add_argument("--prepare-only", action="store_true",
                        help="generate (or reuse) and copy the database, measure nothing")
    parser.add_argument("--copy", default="", help="a suffix of the run's copy of the data "
                        "(keyledger_bench_<size><copy>), so two runs at once do not share one")
    parser.add_argument("--json", type=Path, help="where the JSON goes "
                        "(default bench/results/<size>-<database>.json)")
    return parser.parse_args()


def machine(url: str) -> dict:
    """What the figures were measured on."""
    import sqlite3

    from sqlalchemy import text

    from app.extensions import db

    model = next((line.split(":", 1)[1].strip() for line in
                  Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    memory = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text()
                  .splitlines() if line.startswith("MemTotal"))
    info = {"nproc": os.cpu_count(), "cpu": model, "ram_gib": round(memory / 2**20, 1),
            "python": platform.python_version(), "sqlite": sqlite3.sqlite_version}
    if url.startswith("postgresql"):
        info["postgresql"] = db.session.scalar(text("SHOW server_version"))
    return info


def data_counts() -> dict[str, int]:
    from sqlalchemy import func, select

    from app import models as m
    from app.extensions import db

    return {table: db.session.scalar(select(func.count()).select_from(
        m.Model.metadata.tables[table])) for table in
        ("department", "person", "project", "task", "feedback", "supervision", "meeting")}


def staff_person() -> tuple[int, int, str]:
    """(person id, department id, its name): a person without login in the department
    with the most tasks."""
    from sqlalchemy import func, select

    from app import models as m
    from app.extensions import db

    biggest = select(m.Task.department_id).group_by(m.Task.department_id).order_by(
        func.count().desc(), m.Task.department_id).limit(1).scalar_subquery()
    person = db.session.execute(select(m.Person.id, m.Person.department_id).where(
        m.Person.department_id == biggest, m.Person.user_id.is_(None)).order_by(
        m.Person.id).limit(1)).one()
    name = db.session.get(m.Department, person.department_id).name
    return person.id, person.department_id, name


# the pages of the concurrency part (issue 19): the office's lists, the clerk's, the table
CONCURRENT_PAGES = ("task list", "project list", "我的台账 (biggest dept)", "compliance")


def page_plan(period: dt.date, requests: int, tasks: int) -> dict:
    """The pages the client requests, and as whom."""
    sup, staff = database.SUPERVISOR, database.STAFF
    last = max(0, (tasks - 1) // 25)
    pages = [("task list", "/taskview/list/", sup),
             ("task list, last page", f"/taskview/list/?page_TaskView={last}", sup),
             ("task list, 100 rows", "/taskview/list/?psize_TaskView=100", sup),
             ("project list", "/projectview/list/", sup),
             ("我的台账 (biggest dept)", "/my/ledger/", staff),
             (f"compliance {period:%Y-%m}", f"/compliance/?period={period:%Y-%m}", sup)]
    return {"requests": requests, "warmup": 10, "budget_s": 45,
            "logins": {sup: database.PASSWORD, staff: database.PASSWORD},
            "pages": [{"name": n, "path": p, "user": u} for n, p, u in pages]}


def measure(opts: argparse.Namespace, env: dict[str, str], url: str) -> dict:
    """Everything, in an order where no measurement disturbs the next."""
    from app import create_app
    from app.domain import rules, status
    from app.extensions import db
    from bench import concurrency, horse, pages, timings, tree, workers

    app = create_app()
    result: dict = {"statement_limit_s": opts.statement_limit}
    with app.app_context():
        timings.limit_statements(db.engine, opts.statement_limit)
        today = status.today()
        period = (dt.date.fromisoformat(f"{opts.period}-01") if opts.period
                  else rules.month_start(rules.month_start(today) - dt.timedelta(days=1)))
        result |= {"today": today.isoformat(), "period": period.isoformat(),
                   "machine": machine(url), "rows": data_counts()}
        person, department, name = staff_person()
        db.session.remove()
        database.create_logins(env, person)
        result["staff"] = {"person": person, "department": department, "name": name}
        as_of = rules.compliance_as_of(period, today)
        circular = "circular" not in opts.skip
        log(f"load {os.getloadavg()[0]:.2f}: build_compliance and the floor, {period:%Y-%m}")
        result["compliance"] = timings.compliance(period, as_of, opts.repeat)
        if "tree" not in opts.skip:
            log(f"load {os.getloadavg()[0]:.2f}: flat and as a tree, interleaved")
            result["tree"] = tree.compare(period, database.SUPERVISOR, opts.repeat)
        log("refresh_status, send_reminders" + ", build_circular" * circular)
        result["jobs"] = timings.jobs(today, period if circular else None, opts.repeat)
        if "pages" not in opts.skip:
            log(f"load {os.getloadavg()[0]:.2f}: pages through gunicorn")
            plan = page_plan(period, opts.requests, result["rows"]["task"])
            result["pages"] = pages.measure(env, plan, opts.workdir / "gunicorn.log")
        if "concurrency" not in opts.skip:
            log(f"load {os.getloadavg()[0]:.2f}: 16 connections, 1 and 2 gunicorn workers")
            plan = page_plan(period, opts.requests, result["rows"]["task"])
            plan["pages"] = [p for p in plan["pages"]
                             if p["name"].split(" 20")[0] in CONCURRENT_PAGES]
            result["concurrency"] = concurrency.measure(env, plan, opts.workdir)
        if result["compliance"]["build_compliance"]["median_ms"] is None:
            result["workers_skipped"] = "skipped: build_compliance did not finish in-process"
        elif url.startswith("postgresql") and "workers" not in opts.skip:
            log(f"load {os.getloadavg()[0]:.2f}: twelve months on 1, 2, 4 rq workers")
            worker_env = dict(env, PGOPTIONS=opts.worker_pgoptions)
            result["workers"] = workers.scaling(app, worker_env, today.year, opts.workdir)
            result["worker_pgoptions"] = opts.worker_pgoptions
        if "horse" not in opts.skip:
            log(f"load {os.getloadavg()[0]:.2f}: a job's overhead, in-process and on rq workers")
            result["horse"] = horse.overhead(app, env, opts.workdir)
        db.session.remove()
        db.engine.dispose()
    return result


def log(message: str) -> None:
    print(f"[{dt.datetime.now(dt.UTC):%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def main() -> None:
    opts = options()
    opts.workdir.mkdir(parents=True, exist_ok=True)
    env = database.base_env(opts.workdir)
    started = dt.datetime.now(dt.UTC)
    load = os.getloadavg()
    log(f"load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}: preparing {opts.size} on "
        f"{opts.database} (seed-scale, seed {opts.seed})")
    url, made = database.prepare(opts.database, opts.size, opts.seed, opts.workdir, env,
                                 opts.regenerate, opts.copy)
    env["DATABASE_URL"] = os.environ["DATABASE_URL"] = url
    if opts.prepare_only:
        log(f"prepared {url}: {made}")
        return
    os.environ.update({k: env[k] for k in ("KEYLEDGER_INSTANCE", "SECRET_KEY", "SCHEDULER")})
    result = {"size": opts.size, "database": url.split(":")[0], "seed": opts.seed,
              "generator": "seed-scale", "started": started.isoformat(timespec="seconds"),
              "load_at_start": load, "database_made": made,
              "command": " ".join(["python", "bench/run.py", *sys.argv[1:]])}
    clock = time.perf_counter()
    result |= measure(opts, env, url)
    result["measure_s"] = time.perf_counter() - clock
    from bench.table import render

    print(render(result))
    out = opts.json or ROOT / "bench" / "results" / f"{opts.size}-{result['database']}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False, default=str))
    log(f"written {out}")


if __name__ == "__main__":
    main()

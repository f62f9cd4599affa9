"""What the flush guard (app/domain/write_guard.py) costs on one person's write, in-process.

    /work/main/.venv/bin/python bench/guard_cost.py SQLITE_FILE [--writes 200] [--rounds 6]

On a copy of SQLITE_FILE (e.g. the county template bench/run.py left in its workdir), as
a 责任单位人员 (DeptStaff's permissions, the department with the most tasks): edit a task's
滞后原因 and commit, and add a progress report and commit, each `--writes` times per round,
with the guard's listeners on and off in alternating rounds. Prints the median per write,
wall and CPU time (CPU is what to compare on a shared machine).
run.py's job writes do not measure this: jobs act as the system, which the guard passes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def switch(on: bool) -> None:
    from sqlalchemy import event

    from app.domain import write_guard as guard
    from app.extensions import db

    for name, listener in (("before_flush", guard._before_flush),
                           ("after_flush", guard._after_flush),
                           ("after_rollback", guard._rolled_back)):
        if on and not event.contains(db.session, name, listener):
            event.listen(db.session, name, listener)
        elif not on and event.contains(db.session, name, listener):
            event.remove(db.session, name, listener)


def staff() -> tuple:
    """A DeptStaff actor of the department with the most tasks, and that department's tasks."""
    from sqlalchemy import func, select

    from app import models as m
    from app.domain import access
    from app.extensions import appbuilder, db

    role = appbuilder().sm.find_role("DeptStaff")
    permissions = frozenset((p.permission.name, p.view_menu.name) for p in role.permissions)
    department = db.session.scalar(select(m.Task.department_id).group_by(
        m.Task.department_id).order_by(func.count().desc()).limit(1))
    tasks = list(db.session.scalars(select(m.Task).where(m.Task.department_id == department)
                                    .order_by(m.Task.id).limit(50)))
    actor = access.Actor(user_id=None, username="bench_staff", permissions=permissions,
                         department_id=department, roles=frozenset({"DeptStaff"}))
    return actor, tasks


def timed(tasks: list, work: str, writes: int) -> tuple[float, float]:
    """Median wall and CPU ms of one write and its commit."""
    from app import models as m
    from app.extensions import db

    times, cpu = [], []
    for n in range(writes):
        task = tasks[n % len(tasks)]
        started, cpu_started = time.perf_counter(), time.process_time()
        if work == "edit":
            task.lag_reason = f"基准测试 {n}"
        else:
            db.session.add(m.Feedback(task_id=task.id, reported_on=dt.date.today(),
                                      progress=f"基准测试 {n}", percent_complete=10))
        db.session.commit()
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
    return statistics.median(times), statistics.median(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database", type=Path)
    parser.add_argument("--writes", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=6)
    opts = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="keyledger-guard-"))
    shutil.copyfile(opts.database, work / "guard.db")
    os.environ.update(DATABASE_URL=f"sqlite:///{work / 'guard.db'}", SCHEDULER="0",
                      KEYLEDGER_INSTANCE=str(work / "instance"), FAB_UPDATE_PERMS="0")
    from app import create_app
    from app.domain import access

    app = create_app()
    with app.app_context():
        actor, tasks = staff()
        token = access._override.set(actor)
        results: dict[tuple[str, bool], list[tuple[float, float]]] = {}
        for n in range(opts.rounds):
            on = n % 2 == 0
            switch(on)
            for kind in ("edit", "add"):
                results.setdefault((kind, on), []).append(timed(tasks, kind, opts.writes))
        switch(True)
        access._override.reset(token)
    print(f"load {os.getloadavg()[0]:.2f}; {opts.rounds} rounds of {opts.writes} writes")
    for kind in ("edit", "add"):
        for i, clock in enumerate(("wall", "CPU")):
            on, off = (statistics.median(r[i] for r in results[kind, s]) for s in (True, False))
            print(f"{kind}, {clock}: guard on {on:.2f} ms, off {off:.2f} ms, "
                  f"on/off {on / off:.2f}")
    shutil.rmtree(work)


if __name__ == "__main__":
    main()

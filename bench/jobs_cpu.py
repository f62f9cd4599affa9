"""CPU time of the in-process jobs and the floor, for the tree in the current directory.

    cd TREE && /work/main/.venv/bin/python /work/wt-bench13/bench/jobs_cpu.py SQLITE_FILE

On a copy of SQLITE_FILE (bench/run.py's county template): build_compliance, the floor
(bench/floor.sql, the same statement in every tree), refresh_status and send_reminders
(the first run, then the rerun), `--repeat` times each; prints the median CPU ms of each.
It imports the `app` of the current directory, so two trees can be run in turns. CPU time
(SQLite runs in the process) is what holds on a shared machine; wall time does not.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path[:0] = [os.getcwd()]


def cpu(function: object, repeat: int) -> float:
    from app.extensions import db

    values = []
    for _ in range(repeat):
        started = time.process_time()
        function()  # type: ignore[operator]
        values.append(1000 * (time.process_time() - started))
        db.session.remove()
    return statistics.median(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database", type=Path)
    parser.add_argument("--repeat", type=int, default=7)
    opts = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="keyledger-cpu-"))
    shutil.copyfile(opts.database, work / "cpu.db")
    os.environ.update(DATABASE_URL=f"sqlite:///{work / 'cpu.db'}", SCHEDULER="0",
                      KEYLEDGER_INSTANCE=str(work / "instance"), FAB_UPDATE_PERMS="0")
    import app
    from app import create_app
    from app.jobs import build_compliance, refresh_status, send_reminders
    from bench import timings

    today = dt.date.fromisoformat(json.loads(opts.database.with_suffix(".stamp").read_text())
                                  ["generator"].split(":")[2])
    period = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    with create_app().app_context():
        out = {"build_compliance": cpu(lambda: build_compliance.run(period), opts.repeat),
               "floor": cpu(lambda: timings.floor_rows(period, today), opts.repeat),
               "refresh_status": cpu(lambda: refresh_status.run(today), opts.repeat),
               "send_reminders, first run": cpu(lambda: send_reminders.run(today), 1),
               "send_reminders, rerun": cpu(lambda: send_reminders.run(today), opts.repeat)}
    print(json.dumps({"app": app.__file__, "load": os.getloadavg()[0],
                      **{k: round(v, 1) for k, v in out.items()}}, ensure_ascii=False))
    shutil.rmtree(work)


if __name__ == "__main__":
    main()

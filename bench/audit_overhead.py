"""What the audit trail (app/domain/audit.py) costs on the bulk paths: seed-demo and a 5,000-task
Excel import, each on a fresh SQLite (or PostgreSQL) database, with and without it.

    /tmp/v/bin/python bench/audit_overhead.py [--repeat 5] [--database URL]

Prints the median of each (wall and CPU time: CPU is what to compare on a shared machine)
and the audit rows written.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("KEYLEDGER_INSTANCE", tempfile.mkdtemp(prefix="keyledger-bench-"))

from openpyxl import Workbook  # noqa: E402
from sqlalchemy import event, func, select  # noqa: E402

DEPARTMENT = ["名称", "类型", "启用"]
PERSON = ["姓名", "职务", "责任单位", "电话", "电子邮箱", "县级领导"]
PROJECT = ["项目编号", "名称", "类别", "阶段", "项目层级", "总投资（万元）", "年度计划投资（万元）",
           "计划开工", "计划竣工", "牵头单位", "责任人", "分管领导"]
TASK = ["项目编号", "标题", "责任单位", "责任人", "交办日期", "时间节点", "完成日期", "已撤销"]


def five_thousand_tasks() -> bytes:
    """The workbook of tests/test_excel.py's large import: 20 projects, 5,000 tasks."""
    t, day = dt.date(2026, 11, 1), dt.timedelta(days=1)
    sheets = {
        "责任单位": [DEPARTMENT, ["批量导入局", "职能部门", "是"]],
        "责任人": [PERSON, ["批量负责人", "科长", "批量导入局", None, None, "否"]],
        "重点项目": [PROJECT, *([f"BULK-{n:03}", f"批量项目{n}", "其他", "在建", "县级", 100, 10,
                               None, None, "批量导入局", "批量负责人", None] for n in range(20))],
        "任务": [TASK, *([f"BULK-{n % 20:03}", f"批量任务{n:05}", "批量导入局", "批量负责人",
                         t - 30 * day, t + (n % 90 - 30) * day, None, "否"]
                        for n in range(5000))],
    }
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def switch(enabled: bool) -> None:
    """Turn the audit trail's session listeners on or off."""
    from app.domain import audit
    from app.extensions import db

    for name, listener in (("before_flush", audit._before_flush),
                           ("after_flush", audit._after_flush)):
        present = event.contains(db.session, name, listener)
        if enabled and not present:
            event.listen(db.session, name, listener)
        elif not enabled and present:
            event.remove(db.session, name, listener)


def fresh_app(url: str | None):
    from config import Config

    class BenchConfig(Config):
        SQLALCHEMY_DATABASE_URI = url or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
        REDIS_URL = None
        SCHEDULER = False

    from flask_migrate import upgrade

    from app import create_app

    app = create_app(BenchConfig)
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        from app.cli import sync_permissions

        sync_permissions()  # as `flask init` does
    return app


def timed(app, work: str, workbook: bytes) -> tuple[float, float, int]:
    """Wall and CPU seconds of one run of `work`, and the audit rows it wrote."""
    from app import models as m
    from app.domain import access
    from app.extensions import db
    from app.files.excel_import import import_workbook
    from app.seed.demo import seed_demo

    count = select(func.count()).select_from(m.AuditLog)
    with app.app_context(), access.acting_as(f"cli:{work}"):
        before = db.session.scalar(count)
        started, cpu = time.perf_counter(), time.process_time()
        if work == "seed-demo":
            seed_demo()
        else:
            report = import_workbook(io.BytesIO(workbook), db.session, filename="bulk.xlsx")
            assert report.ok, report.errors[:3]
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        rows = db.session.scalar(count) - before
        db.session.remove()
        db.engine.dispose()
    return seconds, cpu, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database", default=None, help="a PostgreSQL URL (a fresh database "
                        "is made for each run); SQLite files by default")
    parser.add_argument("--one", nargs=2, metavar=("WORK", "on|off"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:  # one run, in a process of its own (one app per process)
        work, state = args.one
        app = fresh_app(_database(args.database))
        switch(state == "on")
        print(json.dumps(timed(app, work, five_thousand_tasks() if work != "seed-demo" else b"")))
        return
    for work in ("seed-demo", "import-xlsx"):
        for state in ("off", "on"):
            runs = [_run(work, state, args.database) for _ in range(args.repeat)]
            wall = statistics.median(run[0] for run in runs)
            cpu = statistics.median(run[1] for run in runs)
            print(f"{work:12} audit {state:3}: median wall {wall:6.2f} s, CPU {cpu:6.2f} s "
                  f"(CPU of each run: {', '.join(f'{run[1]:.2f}' for run in runs)}); "
                  f"audit rows {runs[-1][2]}", flush=True)


def _run(work: str, state: str, database: str | None) -> tuple[float, float, int]:
    command = [sys.executable, __file__, "--one", work, state]
    if database:
        command += ["--database", database]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return tuple(json.loads(out.strip().splitlines()[-1]))


def _database(url: str | None) -> str | None:
    if not url:
        return None
    from tests.support import services

    name = f"keyledger_bench_{uuid.uuid4().hex[:8]}"
    services.create_database(url, name)
    return services.with_database(url, name)


if __name__ == "__main__":
    main()

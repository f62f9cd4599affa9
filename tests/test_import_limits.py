"""Uploads that would exhaust the server (issue 14.5): a decompression bomb and a sheet of
50,000 × 300 cells, posted to the real import route of a real gunicorn worker, are refused
in Chinese within seconds while the worker's peak memory (VmHWM) stays under 300 MB.

The hostile files are written directly as zip and XML (tests/support/xlsx_bombs.py). The
worker runs under a 2 GB address-space limit, so a regression fails (MemoryError, 500)
instead of taking the machine's memory.
"""

from __future__ import annotations

import io
import re
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest
import requests

from app.domain.validation import DomainError
from app.files.excel_import import read_tables
from app.files.xlsx_guard import Limits
from tests.support import xlsx_bombs
from tests.support.processes import ROOT, children, free_port, python_path, wait_for
from tests.support.world import PASSWORD

PEAK_MB = 300
SECONDS = 5
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
ADDRESS_SPACE = 2 * 1024**3

ATTACKS = {
    "one 1.5 GB string in 1.5 MB": lambda: xlsx_bombs.one_huge_string(1.5),
    "6 GB of strings in 6 MB": lambda: xlsx_bombs.one_huge_string(3.9, 2),
    "50,000 × 300 cells": xlsx_bombs.wide_sheet,
}
REFUSAL = re.compile(r'class="alert alert-danger kl-import-error"[^>]*>\s*(文件解压后约 \d+ MB，'
                     r'超过导入上限 100 MB，请分批导入。)')


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def _peak_mb(pid: int) -> float:
    """The process's peak resident memory (VmHWM), in MB."""
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    assert match, status
    return int(match.group(1)) / 1024


@pytest.fixture(scope="module")
def server(app, world, tmp_path_factory):
    """One gunicorn worker on the test database; its base URL and the worker's pid."""
    port = free_port()
    instance = tmp_path_factory.mktemp("import-limits")
    env = {"PATH": str(Path(sys.executable).parent), "PYTHONPATH": python_path(),
           "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "SCHEDULER": "0",
           "KEYLEDGER_INSTANCE": str(instance), "AUTH_RATE_LIMITED": "0"}
    log = (instance / "gunicorn.log").open("wb")
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "-w", "1", "-b", f"127.0.0.1:{port}",
         "--timeout", "120", "app:create_app()"], cwd=ROOT, env=env, stdout=log,
        stderr=subprocess.STDOUT, preexec_fn=_limit_memory)
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            return requests.get(f"{base}/login/", timeout=20).status_code == 200
        except requests.RequestException:
            return False

    try:
        wait_for(up, 120, lambda: (instance / "gunicorn.log").read_text(errors="replace"))
        (worker,) = children(process.pid)
        yield base, worker
    finally:
        process.terminate()
        process.wait(30)
        log.close()


def _logged_in(base: str) -> tuple[requests.Session, str]:
    browser = requests.Session()
    token = CSRF.search(browser.get(f"{base}/login/").text)
    assert token
    answer = browser.post(f"{base}/login/", data={"username": "admin", "password": PASSWORD,
                                                  "csrf_token": token.group(1)},
                          allow_redirects=False)
    assert answer.status_code == 302
    page = CSRF.search(browser.get(f"{base}/excel/import/").text)
    assert page
    return browser, page.group(1)


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_hostile_workbooks_are_refused_quickly_in_bounded_memory(server, attack):
    base, worker = server
    data = ATTACKS[attack]()
    browser, token = _logged_in(base)
    started = time.monotonic()
    answer = browser.post(f"{base}/excel/import/", data={"csrf_token": token},
                          files={"file": ("台账.xlsx", io.BytesIO(data))}, timeout=120)
    elapsed = time.monotonic() - started
    peak = _peak_mb(worker)
    print(f"{attack}: {len(data) / 1024**2:.1f} MB file, {answer.status_code} in "
          f"{elapsed:.2f} s, worker peak {peak:.0f} MB")
    assert answer.status_code == 413, answer.text[:500]
    assert REFUSAL.search(answer.text), answer.text[:3000]
    assert elapsed < SECONDS
    assert peak < PEAK_MB


def _table_of(data: bytes, limits: Limits) -> dict:
    return read_tables(io.BytesIO(data), limits)


def test_a_lying_package_is_still_stopped_by_the_streamed_scan(app):
    """Ratio and size checks off: the stream scan still stops a 2 GB inline string after
    the first kilobytes past the string limit, holding no more than a few chunks."""
    data = xlsx_bombs.one_huge_string(0, inline_gigabytes=2)
    limits = Limits(unpacked_mb=10**5, ratio=10**6, string=5000)
    tracemalloc.start()
    started = time.monotonic()
    with app.test_request_context(), pytest.raises(DomainError) as refused:
        _table_of(data, limits)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert refused.value.status == 413 and "5000 个字符" in refused.value.message
    assert time.monotonic() - started < SECONDS
    assert peak < 10 * 1024**2


@pytest.mark.parametrize("dimension", [True, False])
def test_too_many_cells_columns_or_seconds_are_refused(app, dimension):
    """With the ratio check off, so that the scan's own limits answer."""
    wide = xlsx_bombs.wide_sheet(rows=2_000, columns=50, dimension=dimension)
    cases = {"工作表超过 50000 个单元格": Limits(ratio=10**6, cells=50_000),
             "工作表超过 40 列": Limits(ratio=10**6, columns=40),
             "超过 0 秒": Limits(ratio=10**6, seconds=0)}
    with app.test_request_context():
        for says, limits in cases.items():
            with pytest.raises(DomainError) as refused:
                _table_of(wide, limits)
            assert refused.value.status == 413 and says in refused.value.message


def test_a_workbook_within_the_limits_is_read(app):
    with app.test_request_context():
        tables = _table_of(xlsx_bombs.wide_sheet(rows=1_000, columns=20), Limits())
    assert len(tables["task"]) == 1_000

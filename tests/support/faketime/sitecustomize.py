"""Loaded by every Python process tests/support/on_date.sh starts (this folder is first on
PYTHONPATH there, and nowhere else).

libfaketime 0.9.10 keeps the monotonic clock real there (FAKETIME_DONT_FAKE_MONOTONIC=1: a
faked one hangs threading's timed waits, wolfcw/libfaketime#390), but then fails Python's
time.sleep with EINVAL (clock_nanosleep with TIMER_ABSTIME, #426). Sleep with select().
"""

from __future__ import annotations

import os
import select
import time


def _sleep(seconds: float) -> None:
    """time.sleep, on select()'s relative timeout."""
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        select.select([], [], [], left)


if os.environ.get("FAKETIME") and os.environ.get("FAKETIME_DONT_FAKE_MONOTONIC") == "1":
    time.sleep = _sleep

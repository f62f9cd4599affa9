"""The embedded scheduler: without Redis, each serving process runs the job schedule itself.

It starts on the first request a process serves, not in create_app(): `flask` commands
(init, seed-demo, jobs run…) build the app but serve nothing, so they never start it; a
gunicorn worker starts its own after the fork, whatever the server's options (`--preload`
included: a thread started before a fork does not survive it). Several processes may run
it at once: every scheduled run claims its job and day (JobRun.schedule_key), so a day's
jobs run once however many schedulers tick.
"""

from __future__ import annotations

import logging
import os
import threading

from flask import Flask

from app.jobs import timetable

logger = logging.getLogger(__name__)
KEY = "keyledger.scheduler"
_lock = threading.Lock()


def _new_lock() -> None:
    """After a fork, a fresh lock (the parent's may have been held at that moment)."""
    global _lock
    _lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_new_lock)


def wanted(app: Flask) -> bool:
    """Embedded mode: no REDIS_URL, not under test, and SCHEDULER on (the default)."""
    config = app.config
    return not config.get("REDIS_URL") and not app.testing and bool(config.get("SCHEDULER"))


def ensure_started(app: Flask) -> threading.Thread:
    """Start the scheduler thread of this process, once; a no-op while it runs."""
    thread = app.extensions.get(KEY)
    if thread is not None and thread.is_alive():
        return thread
    with _lock:
        thread = app.extensions.get(KEY)
        if thread is None or not thread.is_alive():  # not yet, or not in this forked child
            thread = timetable.start_embedded(app)
            app.extensions[KEY] = thread
            logger.info("embedded scheduler started in process %s", os.getpid())
    return thread


def init_app(app: Flask) -> None:
    """In embedded mode, start the scheduler when the process serves its first request."""
    if not wanted(app):
        return

    @app.before_request
    def _start_scheduler() -> None:
        ensure_started(app)

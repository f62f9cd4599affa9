"""The schedule: what runs when. Each run claims its job and date, so a second scheduler
(a second `rq cron`, or a restart) firing the same tick is a no-op, and a tick that comes
late still runs the day's jobs."""

from __future__ import annotations

import datetime as dt
import logging
import threading

from flask import Flask

from app.domain import clock, rules
from app.jobs.recovery import recover_lost_runs
from app.jobs.runner import enqueue, parse_args

logger = logging.getLogger(__name__)
START_HOUR = 1  # local time: the daily jobs run at the first tick after 01:00


def due_runs(now: dt.datetime) -> list[tuple[str, dt.date, str]]:
    """(job, its date argument, claim key) of every run due at this local time."""
    if now.hour < START_HOUR:
        return []
    today = now.date()
    last = rules.month_start(rules.month_start(today) - dt.timedelta(days=1))
    runs = [("refresh_status", today, f"refresh_status:{today}"),
            ("send_reminders", today, f"send_reminders:{today}"),
            ("escalate", today, f"escalate:{today}"),
            ("build_compliance", rules.month_start(today), f"build_compliance:{today}")]
    if today.day == 1:  # the month just ended, judged whole, then its circular
        runs += [("build_compliance", last, f"build_compliance:final:{last:%Y-%m}"),
                 ("build_circular", last, f"build_circular:{last:%Y-%m}")]
    else:  # last month kept fresh too (late entries, a 考核截止日 after the 1st)
        runs.append(("build_compliance", last, f"build_compliance:previous:{today}"))
    return runs


def tick(now: dt.datetime | None = None) -> list[int]:
    """Claim and queue the runs due now; returns the ids of the runs this tick queued."""
    recover_lost_runs()  # runs Redis lost: recorded failed, their claims given back
    now = now or clock.now()
    queued = []
    for job, day, key in due_runs(now):
        run = enqueue(job, parse_args(job, day), schedule_key=key)
        if run is not None:
            queued.append(run.id)
    return queued


def start_embedded(app: Flask, every: int = 300) -> threading.Thread:
    """Without Redis: a daemon thread in the web process ticks every `every` seconds."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            with app.app_context():
                try:
                    tick()
                except Exception:  # keep the portal's scheduler alive; the run records it
                    logger.exception("scheduled tick failed")
            stop.wait(every)

    thread = threading.Thread(target=loop, name="keyledger-scheduler", daemon=True)
    thread.stop = stop  # type: ignore[attr-defined]
    thread.start()
    return thread

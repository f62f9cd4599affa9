"""Months always built: a month with ledger data but no compliance rows is built when it is
first asked for (a page, the year view, an export), through the job runner.

In-process (the embedded default) the run has finished when `ensure_built` returns; with
Redis it is queued, and the page shows its progress until the worker is done."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from app import models as m
from app.domain import clock, month_close, rules, status
from app.extensions import db
from app.jobs.runner import enqueue, execute, parse_args

JOB = "build_compliance"
PENDING = ("queued", "started")


def first_data_month() -> dt.date | None:
    """The month of the ledger's earliest task, meeting, feedback or investment report."""
    earliest = [db.session.scalar(select(func.min(column))) for column in (
        m.Task.assigned_on, m.Meeting.held_on, m.Feedback.reported_on,
        m.InvestmentReport.period)]
    days = [day for day in earliest if day is not None]
    return rules.month_start(min(days)) if days else None


def months_with_data(first: dt.date, last: dt.date) -> list[dt.date]:
    """The months from `first` to `last` that hold data: from the ledger's first month up
    to this month (a month to come has nothing to judge yet)."""
    start, this_month = first_data_month(), rules.month_start(status.today())
    if start is None:
        return []
    month, months = max(rules.month_start(first), start), []
    while month <= min(rules.month_start(last), this_month):
        months.append(month)
        month = rules.month_end(month) + rules.DAY
    return months


def built_months(months: list[dt.date]) -> set[dt.date]:
    """Which of the months have final compliance rows (one query): rows, and not built
    while a month now judged was still running — that month must not be judged on the
    figures of a day within it."""
    if not months:
        return set()
    built = db.session.execute(select(m.Compliance.period, func.max(m.Compliance.built_at))
                               .where(m.Compliance.period.in_(months))
                               .group_by(m.Compliance.period))
    return {period for period, at in built
            if month_close.in_progress(period) or clock.local_day(at) > rules.month_end(period)}


def pending_run(period: dt.date) -> m.JobRun | None:
    """A build of the period queued or running already, if any."""
    runs = db.session.scalars(select(m.JobRun).where(
        m.JobRun.job == JOB, m.JobRun.status.in_(PENDING)).order_by(m.JobRun.id.desc()))
    wanted = parse_args(JOB, period)
    return next((run for run in runs if run.args == wanted), None)


def ensure_built(months: list[dt.date], requested_by: int | None = None) -> list[m.JobRun]:
    """Queue a build of each month with data and no rows, or rows built before the month
    ended that is judged now (one run per month, however often asked); answers the runs of
    those months, finished or not. May raise QueueUnavailable."""
    asked = [rules.month_start(month) for month in months]
    built = built_months(asked)
    if all(month in built for month in asked):  # the usual case: no look at the ledger
        return []
    missing = [month for month in months_with_data(min(asked), max(asked))
               if month not in built]
    runs = []
    for month in missing:
        run = pending_run(month) or enqueue(JOB, parse_args(JOB, month), requested_by)
        if run is not None:
            runs.append(run)
    return runs


def build_now(period: dt.date, requested_by: int | None = None) -> bool:
    """Build a month with data and no rows (or rows not final) here and now: the export's
    and the CLI's first build; answers whether it built."""
    if built_months([period]) or \
            not months_with_data(period, period):
        return False
    run = m.JobRun(job=JOB, args=parse_args(JOB, period), status="queued",
                   queued_at=clock.utcnow(), requested_by_fk=requested_by)
    db.session.add(run)
    db.session.commit()
    execute(run.id)
    return True


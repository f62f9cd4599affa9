"""build_compliance(period): the compliance rows of one month, replaced whole."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, text

from app import models as m
from app.domain import clock, compliance_sql, rules, rules_sql, status
from app.extensions import db
from app.jobs.locks import hold

SIDE_BY_SIDE = text("SELECT set_config('max_parallel_workers_per_gather', '0', true), "
                    "set_config('jit', 'off', true), set_config('work_mem', '32MB', true)")


def side_by_side_settings() -> None:
    """PostgreSQL only, for this transaction: no parallel query, no JIT, 32 MB work_mem."""
    # Kept on purpose (issue 19; the figures are in bench/RESULTS.md):
    # - max_parallel_workers_per_gather = 0: the job is one of many run side by side by
    #   several rq workers (a year's rebuild); a parallel plan inside one job takes the
    #   cores the other jobs need (twelve months on 2 workers were 1.23× faster than on 1
    #   with parallel plans, 1.88× without), and each parallel process built the month's
    #   DISTINCT hashes again by itself.
    # - jit = off: compiling a statement of milliseconds to a second costs more than it
    #   saves (0.3–0.5 s off the job at province size).
    # - work_mem = '32MB': at the stock 4 MB the month's DISTINCT task-id hash aggregates
    #   spill to disk, and at province size the floor query (bench/floor.sql) picks a
    #   quadratic plan; the job's own setting avoids both.
    # set_config(…, true) is SET LOCAL (it ends with the transaction); the three in one
    # statement, as three SET LOCALs were three round trips on a 5-ms job at county size.
    if db.session.get_bind().dialect.name != "postgresql":
        return
    db.session.execute(SIDE_BY_SIDE)


def run(period: dt.date) -> dict:
    """Delete the period's rows and write them again, in one transaction (one build of a
    month at a time: a second one waits, then rebuilds on what the first one wrote)."""
    period = rules.month_start(period)
    hold("build_compliance", period)
    side_by_side_settings()
    # every department's counts in one statement, filtered first (compliance_sql.compliance_counts)
    built = compliance_sql.compliance_table(db.session, period, status.today())
    now = clock.utcnow()
    db.session.execute(delete(m.Compliance).where(m.Compliance.period == period))
    # one Core executemany, however many departments (the ORM's bulk insert splits the rows
    # by which rates are null)
    db.session.connection().execute(m.Compliance.__table__.insert(), [
        {"period": period, "department_id": department, "built_at": now,
         **{name: getattr(counts, name) for name in rules_sql.COUNT_NAMES},
         "dispatch_rate": counts.dispatch_rate, "supervision_rate": counts.supervision_rate,
         "implementation_rate": counts.implementation_rate,
         "feedback_rate": counts.feedback_rate, "compliant": counts.compliant,
         "score": counts.score}
        for department, counts in built.items()])
    db.session.commit()
    return {"rows": len(built), "period": period.isoformat()}

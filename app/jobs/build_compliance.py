"""build_compliance(period): the compliance rows of one month, replaced whole."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, text

from app import models as m
from app.domain import clock, rules, rules_sql, status
from app.extensions import db
from app.jobs.locks import hold


def side_by_side_settings() -> None:
    """PostgreSQL only, for this transaction: no parallel query, no JIT, 32 MB work_mem."""
    # The job is one of many run side by side by several rq workers (a year's rebuild): a
    # parallel plan inside one job only steals the cores the other jobs need, and JIT
    # compiling costs more than it saves on a one-second query. 32 MB keeps the month's
    # DISTINCT task-id hash aggregates in memory instead of spilling them to disk.
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for setting in ("max_parallel_workers_per_gather = 0", "jit = off", "work_mem = '32MB'"):
        db.session.execute(text(f"SET LOCAL {setting}"))


def run(period: dt.date) -> dict:
    """Delete the period's rows and write them again, in one transaction (one build of a
    month at a time: a second one waits, then rebuilds on what the first one wrote)."""
    period = rules.month_start(period)
    hold("build_compliance", period)
    side_by_side_settings()
    built = rules_sql.compliance_table(db.session, period, status.today())
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

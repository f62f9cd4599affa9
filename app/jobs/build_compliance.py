"""build_compliance(period): the compliance rows of one month, replaced whole."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete

from .. import models as m
from .. import rules, rules_sql, status
from ..extensions import db


def rows(period: dt.date, today: dt.date) -> dict[int | None, rules.ComplianceCounts]:
    """Every department's counts and the county's (key None)."""
    departments = rules_sql.compliance_counts(db.session, period, today)
    return {None: rules_sql.county(departments), **departments}


def run(period: dt.date) -> dict:
    """Delete the period's rows and write them again, in one transaction."""
    period = rules.month_start(period)
    built = dict(rows(period, status.today()))
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    db.session.execute(delete(m.Compliance).where(m.Compliance.period == period))
    db.session.add_all(
        m.Compliance(period=period, department_id=department, built_at=now,
                     **{name: getattr(counts, name) for name in rules_sql.COUNT_NAMES},
                     dispatch_rate=counts.dispatch_rate, supervision_rate=counts.supervision_rate,
                     implementation_rate=counts.implementation_rate,
                     feedback_rate=counts.feedback_rate, compliant=counts.compliant,
                     score=counts.score)
        for department, counts in built.items())
    db.session.commit()
    return {"rows": len(built), "period": period.isoformat()}

"""refresh_status(as_of): every task's status and overdue days, every project's colour."""

from __future__ import annotations

import datetime as dt

from app.domain import rules_sql, status
from app.extensions import db
from app.jobs.locks import hold


def run(as_of: dt.date) -> dict:
    """Two UPDATEs, one transaction."""
    hold("refresh_status", as_of)
    tasks = rules_sql.refresh_task_status(db.session, as_of, status.calendar(), status.settings())
    projects = rules_sql.refresh_project_colour(db.session, as_of, status.settings())
    db.session.commit()
    return {"tasks": tasks, "projects": projects}

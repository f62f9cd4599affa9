"""build_circular(period): the monthly 督查通报, stored as a `circular` row with its files.

The figures come from app/reports/circular.py; this job numbers the issue (its 发文字号,
kept by a rebuild), renders it (.docx and .xlsx) and stores it in the month's one row.
"""

from __future__ import annotations

import datetime as dt

from flask import current_app
from flask_appbuilder.security.sqla.models import User
from flask_babel import force_locale
from sqlalchemy import select

from app import models as m
from app.domain import clock, rules, status
from app.extensions import db
from app.files.circular_docx import render_docx
from app.files.circular_xlsx import render_xlsx
from app.jobs.circular_number import number
from app.jobs.locks import hold
from app.reports.circular import circular_data


def renderings(data: dict, issued_on: dt.date) -> dict[str, bytes]:
    """The .docx and .xlsx of the circular, in the portal's default language."""
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "zh")):
        config = current_app.config
        issuer = config["CIRCULAR_ISSUER"]
        return {"docx": render_docx(data, issuer, issued_on=issued_on,
                                    cc=config.get("CIRCULAR_CC", ""),
                                    printer=config.get("CIRCULAR_PRINTER") or issuer),
                "xlsx": render_xlsx(data)}


def issuer_name(user_id: int | None) -> str | None:
    """Who issued it: the user's name (None for the scheduled job: 系统)."""
    user = db.session.get(User, user_id) if user_id is not None else None
    if user is None:
        return None
    return (user.first_name or "").strip() or user.username  # the person's name (accounts)


def run(period: dt.date, requested_by: int | None = None) -> dict:
    """Build the period's circular and store it, replacing an earlier build's files."""
    period = rules.month_start(period)
    hold("build_circular", period)
    today = status.today()
    data = circular_data(period, today)
    row = db.session.scalars(select(m.Circular).where(m.Circular.period == period)).first()
    if row is None:
        row = m.Circular(period=period)
        db.session.add(row)
    row.built_at, row.data, row.issued_on = clock.utcnow(), data, today
    row.issued_by = issuer_name(requested_by)
    number(row, today)
    data = {**data, "doc_number": row.doc_number}
    row.data = data
    for kind, content in renderings(data, today).items():
        setattr(row, kind, content)
    db.session.commit()
    return {name: len(data[name])
            for name in ("overdue_tasks", "unreported_tasks", "unresolved_problems")}


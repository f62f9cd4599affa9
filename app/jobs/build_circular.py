"""build_circular(period): the monthly 督查通报, stored as a `circular` row with its files.

The figures come from app/reports/circular.py; this job renders them (.docx and .xlsx)
and stores them, replacing an earlier build of the month.
"""

from __future__ import annotations

import datetime as dt

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import delete

from app import models as m
from app.domain import clock, rules, status
from app.extensions import db
from app.files.circular_docx import render_docx
from app.files.circular_xlsx import render_xlsx
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


def run(period: dt.date) -> dict:
    """Build the period's circular and store it, replacing an earlier build."""
    period = rules.month_start(period)
    hold("build_circular", period)
    today = status.today()
    data = circular_data(period, today)
    db.session.execute(delete(m.Circular).where(m.Circular.period == period))
    db.session.add(m.Circular(period=period, built_at=clock.utcnow(), data=data,
                              **renderings(data, today)))
    db.session.commit()
    return {name: len(data[name])
            for name in ("overdue_tasks", "unreported_tasks", "unresolved_problems")}

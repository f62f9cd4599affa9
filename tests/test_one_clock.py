"""One clock (issue 17, item 6): every time a page shows is Beijing time (TIMEZONE) to the
minute, never the stored UTC with microseconds; the API carries the offset."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from flask_appbuilder import ModelView
from sqlalchemy import DateTime, inspect, select, update

from app import models as m
from app.domain import access
from app.extensions import appbuilder, db
from app.web.times import iso_time, local_time

STORED = dt.datetime(2026, 6, 1, 1, 23, 45, 678901)  # UTC, as the tables store it
SHOWN = "2026-06-01 09:23"  # Beijing
UTC_SHOWN = "2026-06-01 01:23"
SECONDS = re.compile(r"\d{2}:\d{2}:\d{2}")  # a time to the second, or with microseconds


def test_the_formatter_reads_beijing_time_to_the_minute(app):
    with app.app_context():
        assert local_time(STORED) == SHOWN
        assert local_time(STORED.replace(tzinfo=dt.UTC)) == SHOWN
        assert local_time(None) == "" and local_time(dt.date(2026, 6, 1)) == "2026-06-01"
        assert iso_time(STORED) == "2026-06-01T09:23:45+08:00"
        app.config["TIMEZONE"] = "Europe/Berlin"
        try:
            assert local_time(STORED) == "2026-06-01 03:23"
        finally:
            app.config["TIMEZONE"] = "Asia/Shanghai"


def model_views(app) -> list[tuple[ModelView, list[str]]]:
    """Every model view with a datetime column on its list or show page (the portal's own
    tables; FAB's account screens keep the server's local time, checked apart)."""
    out = []
    with app.app_context():
        for view in appbuilder().baseviews:
            if not isinstance(view, ModelView) or not hasattr(view.datamodel.obj, "__table__"):
                continue
            model = view.datamodel.obj
            if model.__module__.startswith("flask_appbuilder"):
                continue
            times = [c.key for c in inspect(model).columns if isinstance(c.type, DateTime)]
            shown = {*(view.list_columns or []), *(view.show_columns or [])}
            if any(t in shown for t in times):
                out.append((view, [t for t in times if t in shown]))
    return out


def test_every_model_with_a_datetime_column_is_walked(app):
    names = {type(view).__name__ for view, _ in model_views(app)}
    assert {"TaskView", "ProjectView", "JobRunView", "CircularView", "ComplianceView",
            "LoginLogView"} <= names


def stamp(app, view: ModelView, columns: list[str]) -> int | None:
    """Give one row of the view's table the stored time STORED in every shown datetime."""
    model = view.datamodel.obj
    with app.app_context(), access.acting_as("test:setup"):
        pk = db.session.scalar(select(model.id).order_by(model.id.desc()).limit(1))
        if pk is None:
            return None
        db.session.execute(update(model).where(model.id == pk)
                           .values(**dict.fromkeys(columns, STORED)))
        db.session.commit()
        return pk


def test_list_and_show_pages_show_beijing_time_to_the_minute(app, client, auth):
    auth.login("admin")
    client.get("/")  # a login_log row, at least
    walked = 0
    for view, columns in model_views(app):
        base = view.route_base
        pk = stamp(app, view, columns)
        if pk is None:
            continue
        listing = client.get(f"{base}/list/")
        assert listing.status_code == 200, base
        assert not SECONDS.search(listing.get_data(as_text=True)), f"{base}/list/"
        page = client.get(f"{base}/show/{pk}")
        html = page.get_data(as_text=True)
        assert page.status_code == 200, f"{base}/show/{pk}"
        shown_on_show = [c for c in columns if c in (view.show_columns or [])]
        if shown_on_show:
            assert SHOWN in html, f"{base}/show/{pk}"
            assert UTC_SHOWN not in html, f"{base}/show/{pk}"
        assert not SECONDS.search(html), f"{base}/show/{pk}"
        walked += 1
    assert walked >= 10


def test_the_jobs_api_answers_times_with_the_offset(app, client, api_token):
    with app.app_context():
        run = db.session.scalars(select(m.JobRun).order_by(m.JobRun.id)).first()
        pk = run.id
    response = client.get(f"/api/v1/jobs/{pk}", headers=api_token("admin"))
    assert response.status_code == 200
    queued = response.get_json()["queued_at"]
    assert queued.endswith("+08:00")
    assert dt.datetime.fromisoformat(queued).utcoffset() == dt.timedelta(hours=8)


@pytest.mark.parametrize("table", ["task", "project"])
def test_the_rest_api_answers_audit_times_with_the_offset(client, api_token, table):
    response = client.get(f"/api/v1/{table}/?q=(columns:!(id,created_on,changed_on))",
                          headers=api_token("admin"))
    assert response.status_code == 200
    rows = response.get_json()["result"]
    assert rows
    for row in rows:
        for key in ("created_on", "changed_on"):
            assert row[key].endswith("+08:00"), row


def test_account_pages_show_times_to_the_minute(app, client, auth):
    """FAB's user screens: last login, created, changed (the server's clock) to the minute."""
    from flask_appbuilder.security.sqla.models import User

    auth.login("admin")
    with app.app_context():
        admin = db.session.scalars(select(User).where(User.username == "admin")).one()
        assert admin.last_login is not None and admin.last_login.microsecond  # as FAB stores it
        pk, shown = admin.id, local_time(admin.last_login.astimezone())
    html = client.get(f"/users/show/{pk}").get_data(as_text=True)
    assert shown in html
    assert not SECONDS.search(html)
    assert not SECONDS.search(client.get("/users/userinfo/").get_data(as_text=True))

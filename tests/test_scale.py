"""Scale (issue 6): the SQL statements of each page and each job do not grow with the data.

A county-size ledger is generated into a database of its own (a second app beside the
session's), every page and job is counted, a second county-size batch is added (the data
doubles) and everything is counted again: the counts must be equal.
"""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select

from app import models as m
from tests.support import services
from tests.support.database import counting
from tests.support.web import Auth
from tests.support.world import PASSWORD

PAGES = {
    "task list": "/taskview/list/",
    "project list": "/projectview/list/",
    "task list, last page": "/taskview/list/?page_TaskView={last}",
    "我的台账 (office)": "/my/ledger/",
    "我的台账 (department)": "/my/ledger/",
    "compliance": "/compliance/?period={period}",
}
LOGIN = {"我的台账 (department)": "scale_staff"}


@pytest.fixture(scope="module")
def scale_app():
    """A second app on its own empty database, migrated, with a county-size ledger."""
    from flask_migrate import upgrade

    from app import create_app
    from app.cli import sync_permissions
    from app.domain.accounts import create_account
    from app.extensions import db
    from app.seed.scale import seed_scale
    from config import Config

    url, cleanup = services.fresh_database("scale")

    class ScaleConfig(Config):
        TESTING = True
        SQLALCHEMY_DATABASE_URI = url
        REDIS_URL = None

    application = create_app(ScaleConfig)
    with application.app_context():
        upgrade(directory=application.extensions["migrate"].directory)
        sync_permissions()
        seed_scale("county", seed=1)
        create_account("scale_office", "Supervisor", PASSWORD, None)
        _accounts("scale_staff", 0)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()
    cleanup()


def _accounts(login: str, since_person: int) -> None:
    """A staff login for the person with the most tasks among those generated last."""
    from app.domain.accounts import create_account
    from app.extensions import db

    person = db.session.scalar(
        select(m.Task.person_id).where(m.Task.person_id > since_person)
        .group_by(m.Task.person_id).order_by(func.count().desc(), m.Task.person_id).limit(1))
    create_account(login, "DeptStaff", PASSWORD, person)


def _last_person() -> int:
    from app.extensions import db

    return db.session.scalar(select(func.coalesce(func.max(m.Person.id), 0)))


def _page_counts(application) -> dict[str, int]:
    from app.domain import rules, status
    from app.extensions import db
    from app.jobs import build_compliance

    with application.app_context():
        engine = db.engine
        today = status.today()
        period = rules.month_start(today)
        build_compliance.run(period)
        last = -(-db.session.scalar(select(func.count(m.Task.id))) // 25) - 1
    counts = {}
    for name, url in PAGES.items():
        client = application.test_client()
        Auth(client).login(LOGIN.get(name, "scale_office"))
        url = url.format(period=f"{period:%Y-%m}", last=last)
        assert client.get(url).status_code == 200  # warm: FAB loads some things once
        with counting(engine) as statements:
            response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        counts[name] = len(statements)
    return counts


def _job_counts(application) -> dict[str, int]:
    from app.domain import rules, status
    from app.extensions import db
    from app.jobs import JOBS

    counts = {}
    with application.app_context():
        today = status.today()
        arguments = {"as_of": today, "period": rules.month_start(today)}
        for job, (function, kind) in JOBS.items():
            if job == "build_circular":  # each time its first build (a rebuild does less)
                db.session.execute(delete(m.Circular).where(
                    m.Circular.period == arguments["period"]))
                db.session.commit()
            with counting(db.engine) as statements:
                function(arguments[kind])
            counts[job] = len(statements)
    return counts


def _sizes(application) -> dict[str, int]:
    from app.extensions import db

    with application.app_context():
        return {model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
                for model in (m.Project, m.Task, m.Feedback, m.Supervision)}


def test_statements_per_page_and_job_stay_constant_when_the_data_doubles(scale_app) -> None:
    from app.extensions import db
    from app.seed.scale import seed_scale

    before = _sizes(scale_app)
    pages, jobs = _page_counts(scale_app), _job_counts(scale_app)
    with scale_app.app_context():
        since = _last_person()
        seed_scale("county", seed=2, extra=True)
        _accounts("scale_staff2", since)  # each batch's biggest assignee has a login
        db.session.commit()
    after = _sizes(scale_app)
    pages_doubled, jobs_doubled = _page_counts(scale_app), _job_counts(scale_app)
    print(f"\nrows {before} -> {after}\npages {pages} -> {pages_doubled}\n"
          f"jobs {jobs} -> {jobs_doubled}")
    assert after["task"] == 2 * before["task"] and after["project"] == 2 * before["project"]
    assert after["feedback"] > 1.8 * before["feedback"]
    assert pages_doubled == pages
    assert jobs_doubled == jobs


def test_a_generated_ledger_is_refused_over_existing_data(scale_app) -> None:
    from app.seed.scale import LedgerNotEmpty, seed_scale

    with scale_app.app_context(), pytest.raises(LedgerNotEmpty, match="已有数据"):
        seed_scale("county")

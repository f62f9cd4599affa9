"""A 考核表 built on first view with Redis (issue 17.1): the Leader's page shows the build's
progress, polls it under the strict CSP, and shows the table once the worker is done."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete

from app import models as m
from tests.e2e.test_csp import Watcher
from tests.support import story


def test_the_page_waits_for_a_queued_build_and_then_shows_it(portal, new_context) -> None:
    from app.domain import rules, status
    from app.extensions import db
    from app.jobs import build_compliance

    app = portal.app
    with app.app_context():
        period = rules.month_start(rules.month_start(status.today()) - dt.timedelta(days=70))
        db.session.execute(delete(m.Compliance).where(m.Compliance.period == period))
        run = m.JobRun(job="build_compliance", args={"period": period.isoformat()},
                       status="queued", queued_at=dt.datetime(2026, 1, 1))  # as rq holds it
        db.session.add(run)
        db.session.commit()
        run_id = run.id
    watcher = Watcher(portal, new_context)
    page = watcher.page
    watcher.open("/login/")
    page.locator("input[name=username]").fill(story.LEADER[0])
    page.locator("input[name=password]").fill(story.LEADER[1])
    page.locator("input[type=submit], button[type=submit]").first.click()
    page.wait_for_load_state("load")
    watcher.open(f"/compliance/?period={period:%Y-%m}")
    assert page.locator("#compliance-progress .progress-bar").is_visible()
    assert page.locator("table.compliance").count() == 0
    with app.app_context():  # the worker: builds the month and records the run finished
        build_compliance.run(period)
        db.session.get(m.JobRun, run_id).status = "finished"
        db.session.commit()
    page.wait_for_selector("table.compliance", timeout=15_000)  # polled, then reloaded
    assert page.locator("table.compliance tbody tr").first.inner_text().split()[0] == "全县"
    assert page.locator("#compliance-progress").count() == 0
    assert not page.evaluate("window.__csp || []") and not watcher.errors
    watcher.context.close()

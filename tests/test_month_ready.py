"""The leaders' month, always ready (issue 17, items 1, 2 and 7): on the 2nd of a month last
month's 考核表 is there for the Leader without anyone pressing a button, the current month
is shown in progress (neither red nor green), the year view has every month with data, an
export of a month never built has rows, and the CLI writes the page's file."""

from __future__ import annotations

import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from sqlalchemy import delete, select

from app import models as m
from tests.support.days import config, on_day

SECOND = dt.date(2026, 9, 2)  # a month's 2nd: August just ended, September two days old
AUGUST, SEPTEMBER = dt.date(2026, 8, 1), dt.date(2026, 9, 1)
KEPT = dt.date(2026, 5, 1)  # the world's own May rows
COLOURS = ("rate-full", "rate-part", "rate-low")


@pytest.fixture(scope="module")
def unbuilt(app, world, leaves_no_rows):
    """No compliance rows for 2026 but the world's May; a task due later in September.
    Afterwards the months this module built are removed again."""
    from app.extensions import db

    with app.app_context():
        before = set(db.session.scalars(select(m.Compliance.period).distinct()))
        task = m.Task(title="九月任务", department_id=world.dept_a, person_id=world.person_a,
                      assigned_on=dt.date(2026, 9, 1), deadline=dt.date(2026, 9, 20),
                      original_deadline=dt.date(2026, 9, 20))
        db.session.add(task)
        db.session.commit()
    yield
    with app.app_context():
        db.session.execute(delete(m.Compliance).where(m.Compliance.period.not_in(before)))
        db.session.commit()


def drop(app, *periods: dt.date) -> None:
    """Delete the months' compliance rows: months never built."""
    from app.extensions import db

    with app.app_context():
        db.session.execute(delete(m.Compliance).where(m.Compliance.period.in_(periods)))
        db.session.commit()


def built_periods(app) -> set[dt.date]:
    from app.extensions import db

    with app.app_context():
        return set(db.session.scalars(select(m.Compliance.period).distinct()))


def table_html(html: str) -> str:
    return html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]


def test_on_the_2nd_the_leader_finds_last_month_built(app, client, auth, unbuilt, job_runs):
    drop(app, AUGUST)
    auth.login("leader")
    with on_day(app, SECOND):
        html = client.get("/compliance/?period=2026-08").get_data(as_text=True)
    assert "尚未生成" not in html and "进行中" not in html
    body = table_html(html)
    assert "全县" in body and "住建局" in body and "工信局" in body
    assert any(colour in body for colour in COLOURS) and "rate-neutral" not in body
    assert AUGUST in built_periods(app)
    from app.extensions import db

    with app.app_context():  # built by the job runner, as a recorded run
        run = db.session.scalars(select(m.JobRun).where(m.JobRun.job == "build_compliance")
                                 .order_by(m.JobRun.id.desc())).first()
        assert run.args == {"period": "2026-08-01"} and run.status == "finished"


def test_the_schedule_keeps_last_month_fresh_and_closes_it_on_the_1st():
    from app.jobs import timetable

    zone = ZoneInfo("Asia/Shanghai")
    second = timetable.due_runs(dt.datetime(2026, 9, 2, 1, 5, tzinfo=zone))
    assert ("build_compliance", SEPTEMBER) in {(job, day) for job, day, _key in second}
    assert ("build_compliance", AUGUST) in {(job, day) for job, day, _key in second}
    first = [(job, day) for job, day, _key in
             timetable.due_runs(dt.datetime(2026, 9, 1, 1, 5, tzinfo=zone))]
    assert first.index(("build_compliance", AUGUST)) < first.index(("build_circular", AUGUST))
    assert timetable.due_runs(dt.datetime(2026, 9, 1, 0, 30, tzinfo=zone)) == []


def test_the_current_month_is_in_progress_not_red(app, client, auth, unbuilt, job_runs):
    drop(app, SEPTEMBER)
    auth.login("leader")
    with on_day(app, SECOND):
        html = client.get("/compliance/?period=2026-09").get_data(as_text=True)
    assert "截至 2日（进行中）" in html
    body = table_html(html)
    assert not any(colour in body for colour in COLOURS) and "text-danger" not in body
    assert "不达标" not in html
    head = html.split("<thead>", 1)[1].split("</thead>", 1)[0]
    assert "本月待到期" in head
    row_a = next(r for r in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S) if "住建局" in r)
    assert re.search(r'<td class="still-due">1</td>', row_a)  # 九月任务, due the 20th


def test_a_month_is_judged_from_its_close_day(app, client, auth, unbuilt, job_runs):
    """Built on the 2nd while it ran, September is built again once it is judged."""
    auth.login("leader")
    with on_day(app, SECOND):
        client.get("/compliance/?period=2026-09")
    with on_day(app, dt.date(2026, 10, 2)), config(app, COMPLIANCE_CLOSE_DAY=5):
        waiting = client.get("/compliance/?period=2026-09").get_data(as_text=True)
    assert "截至 2日（进行中）" in waiting and "2026-10-05" in waiting
    with on_day(app, dt.date(2026, 10, 1)):
        judged = client.get("/compliance/?period=2026-09").get_data(as_text=True)
    assert "进行中" not in judged and any(c in table_html(judged) for c in COLOURS)
    assert "生成于 2026-10-01" in judged  # judged on the whole month, not on the 2nd's
    with on_day(app, dt.date(2026, 10, 6)), config(app, COMPLIANCE_CLOSE_DAY=5):
        assert "进行中" not in client.get("/compliance/?period=2026-09").get_data(as_text=True)


def test_the_year_view_has_every_month_with_data(app, client, auth, unbuilt, job_runs):
    from app.extensions import db
    from app.jobs import month_ready

    with app.app_context():
        db.session.execute(delete(m.Compliance).where(
            m.Compliance.period >= dt.date(2026, 1, 1), m.Compliance.period != KEPT))
        db.session.commit()
    auth.login("leader")
    with on_day(app, SECOND):
        html = client.get("/compliance/year/?year=2026").get_data(as_text=True)
        with app.app_context():
            wanted = month_ready.months_with_data(dt.date(2026, 1, 1), dt.date(2026, 12, 1))
    assert AUGUST in wanted and SEPTEMBER in wanted and dt.date(2026, 10, 1) not in wanted
    assert set(wanted) <= built_periods(app)
    county = next(r for r in re.findall(r"<tr>(.*?)</tr>", table_html(html), re.S)
                  if "全县" in r)
    linked = set(re.findall(r"period=2026-(\d\d)", county))
    assert linked == {f"{month.month:02d}" for month in wanted}
    assert "进行中" in county  # September


def sheet_values(data: bytes) -> list[tuple]:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def test_export_of_a_month_never_built_has_rows(app, client, auth, world, unbuilt, job_runs):
    drop(app, AUGUST)
    auth.login("leader")
    with on_day(app, SECOND):
        response = client.get("/compliance/export/?period=2026-08")
    assert response.status_code == 200
    names = [row[1] for row in sheet_values(response.data)[4:]]
    assert names[0] == "全县" and "住建局" in names and "工信局" in names


def test_the_export_of_the_month_in_progress_is_not_judged(app, client, auth, unbuilt,
                                                          job_runs):
    auth.login("leader")
    with on_day(app, SECOND):
        september = client.get("/compliance/export/?period=2026-09")
        august = client.get("/compliance/export/?period=2026-08")
    assert "filename=\"kaohebiao-2026-09.xlsx\"" in september.headers["Content-Disposition"]
    assert "filename*=UTF-8''%E6%9C%88" in september.headers["Content-Disposition"]

    def judged(data: bytes) -> tuple[str, set[str], set[object]]:
        sheet = openpyxl.load_workbook(io.BytesIO(data)).active
        fills = {cell.fill.fgColor.rgb for row in sheet.iter_rows(min_row=5) for cell in row
                 if cell.fill.fill_type == "solid"}
        return sheet["A2"].value, fills, {row[16] for row in
                                          sheet.iter_rows(min_row=5, values_only=True)}

    line, fills, verdicts = judged(september.data)
    assert "截至 2日（进行中）" in line and not fills and verdicts == {"进行中"}
    line, fills, verdicts = judged(august.data)
    assert "进行中" not in line and fills and verdicts <= {"是", "否"}


def test_the_cli_writes_the_pages_export(app, client, auth, unbuilt, job_runs, tmp_path):
    drop(app, AUGUST)
    out = tmp_path / "august.xlsx"
    with on_day(app, SECOND):
        result = app.test_cli_runner().invoke(
            args=["export-compliance", "--period", "2026-08", "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert "built now" in result.output
        auth.login("leader")
        page = client.get("/compliance/export/?period=2026-08").data
    cli = sheet_values(out.read_bytes())
    assert len(cli) > 5 and cli == sheet_values(page)


@pytest.mark.parametrize("period", ["2026-13", "26-08", "2026-8-1", "八月", ""])
def test_the_cli_refuses_a_bad_period(app, tmp_path, period):
    out = tmp_path / "x.xlsx"
    result = app.test_cli_runner().invoke(
        args=["export-compliance", "--period", period, "--out", str(out)])
    assert result.exit_code == 2
    assert "月份应为" in result.output and not out.exists()


def test_a_build_in_the_queue_shows_its_progress(app, client, auth, unbuilt, job_runs):
    """With Redis the first view's build is queued: the page waits for it and polls."""
    from app.extensions import db

    drop(app, AUGUST)
    with app.app_context():
        run = m.JobRun(job="build_compliance", args={"period": "2026-08-01"}, status="queued",
                       queued_at=dt.datetime(2026, 9, 1, 18, 0))
        db.session.add(run)
        db.session.commit()
        run_id = run.id
    auth.login("leader")
    with on_day(app, SECOND):
        html = client.get("/compliance/?period=2026-08").get_data(as_text=True)
        assert 'id="compliance-progress"' in html and "js/compliance-progress.js" in html
        assert f"/compliance/progress/?runs={run_id}" in html
        assert client.get(f"/compliance/progress/?runs={run_id}").json == {
            "done": False, "failed": False}
        with app.app_context():
            db.session.get(m.JobRun, run_id).status = "finished"
            db.session.commit()
        assert client.get(f"/compliance/progress/?runs={run_id}").json["done"] is True
        assert client.get("/compliance/progress/?runs=abc").status_code == 404


def test_the_dashboard_ranking_is_in_progress(app, client, auth, unbuilt, job_runs):
    import json

    drop(app, SEPTEMBER)
    auth.login("leader")
    with on_day(app, SECOND):
        html = client.get("/dashboard/").get_data(as_text=True)
    data = json.loads(re.search(r'id="dashboard-data">(.*?)</script>', html, re.S).group(1))
    assert data["ranking_state"] == {"in_progress": True, "note": "截至 2日（进行中）"}
    assert {row["department"] for row in data["ranking"]} >= {"住建局", "工信局"}
    assert SEPTEMBER in built_periods(app)


@pytest.mark.parametrize(("today", "close_day", "expected"), [
    (dt.date(2026, 9, 2), 1, True),  # September, two days old
    (dt.date(2026, 9, 30), 1, True),
    (dt.date(2026, 10, 1), 1, False),  # the first day after it ends: judged
    (dt.date(2026, 10, 4), 5, True),  # a 考核截止日 of the 5th
    (dt.date(2026, 10, 5), 5, False),
    (dt.date(2026, 8, 31), 1, False),  # not begun: neither in progress nor judged
])
def test_a_month_is_in_progress_until_its_close_day(app, today, close_day, expected):
    from app.domain import month_close

    with app.app_context(), config(app, COMPLIANCE_CLOSE_DAY=close_day):
        assert month_close.in_progress(SEPTEMBER, today) is expected

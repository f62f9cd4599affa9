"""月度督查考核表: the page shows exactly the compliance rows; each count lists its rows."""

from __future__ import annotations

import datetime as dt
import io
import re
from functools import partial

import openpyxl
import pytest

from app import models as m
from tests.support.web import csrf_token

PERIOD = "2026-06"  # not May: the world keeps its own May rows


@pytest.fixture(scope="module")
def built(app, world):
    """June 2026 built over the world (its tasks are open and due in June)."""
    from app.extensions import db
    from app.jobs import build_compliance

    with app.app_context():
        build_compliance.run(dt.date(2026, 6, 1))
        rows = db.session.query(m.Compliance).filter_by(period=dt.date(2026, 6, 1)).all()
        return {r.department_id: r for r in rows}


def cells(html: str) -> list[list[str]]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    return [[re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", c)).strip()
             for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)] for r in rows]


def test_the_page_shows_the_compliance_rows(client, auth, world, built):
    auth.login("leader")
    html = client.get(f"/compliance/?period={PERIOD}").get_data(as_text=True)
    table = cells(html)
    county = built[None]
    assert table[0][1] == "全县"
    assert table[0][2].startswith(f"{county.projects_dispatched} / {county.projects_in_scope}")
    assert table[0][4].startswith(f"{county.tasks_urged} / {county.tasks_open}")
    names = [row[1] for row in table[1:]]
    assert "住建局" in names and "工信局" in names
    a = built[world.dept_a]
    row_a = table[1 + names.index("住建局")]
    assert row_a[8].startswith(f"{a.tasks_fed_back} / {a.tasks_open}")
    expected = "—" if a.feedback_rate is None else f"{a.feedback_rate * 100:.1f}%"
    assert row_a[9] == expected


@pytest.mark.parametrize("count", ["tasks_open", "tasks_urged", "tasks_fed_back", "tasks_due",
                                   "tasks_implemented", "tasks_overdue", "projects_in_scope",
                                   "projects_dispatched"])
def test_each_count_links_to_exactly_its_rows(client, auth, world, built, count):
    auth.login("supervisor")
    for department, row in built.items():
        url = f"/compliance/detail/?period={PERIOD}&count={count}"
        url += f"&department={department}" if department else "&department="
        html = client.get(url).get_data(as_text=True)
        listed = re.findall(r'/(?:taskview|projectview)/show/(\d+)', html)
        assert len(listed) == getattr(row, count), (department, count)


def test_the_table_links_are_url_fors_and_each_lists_its_rows(app, client, auth, built):
    """The links the page writes (made once, string-formatted per row) are url_for's."""
    from flask import url_for

    auth.login("supervisor")
    html = client.get(f"/compliance/?period={PERIOD}").get_data(as_text=True)
    links = re.findall(r'href="(/compliance/detail/[^"]*)"', html)
    expected = []
    with app.test_request_context():
        for department, row in built.items():
            dept = "" if department is None else department
            link = partial(url_for, "ComplianceReportView.detail", period=PERIOD, department=dept)
            for num, den in [("projects_dispatched", "projects_in_scope"),
                             ("tasks_urged", "tasks_open"), ("tasks_implemented", "tasks_due"),
                             ("tasks_fed_back", "tasks_open")]:
                expected += [link(count=num), link(count=den)]
                if getattr(row, den) > getattr(row, num):
                    expected.append(link(count=num, missing=1))
            expected.append(link(count="tasks_overdue"))
    assert sorted(link.replace("&amp;", "&") for link in links) == sorted(expected)


def test_missing_rows_are_the_difference(client, auth, world, built):
    auth.login("supervisor")
    a = built[world.dept_a]
    html = client.get(f"/compliance/detail/?period={PERIOD}&department={world.dept_a}"
                      f"&count=tasks_urged&missing=1").get_data(as_text=True)
    assert len(re.findall(r"/taskview/show/(\d+)", html)) == a.tasks_open - a.tasks_urged


def test_department_user_sees_their_row_and_the_county_only(client, auth, world, built):
    auth.login("staff_a")
    html = client.get(f"/compliance/?period={PERIOD}").get_data(as_text=True)
    assert "住建局" in html and "工信局" not in html
    response = client.get(f"/compliance/detail/?period={PERIOD}&department={world.dept_b}"
                          f"&count=tasks_open")
    assert response.status_code == 404
    county = client.get(f"/compliance/detail/?period={PERIOD}&department=&count=tasks_open")
    assert f'/taskview/show/{world.b["task"]}"' not in county.get_data(as_text=True)


def test_export_is_laid_out_for_printing(client, auth, world, built):
    auth.login("leader")
    response = client.get(f"/compliance/export/?period={PERIOD}")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    assert "2026年6月" in sheet["A1"].value
    assert sheet["C3"].value == "调度" and "C3:E3" in {str(r) for r in sheet.merged_cells}
    assert sheet.freeze_panes == "C5"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet["B5"].value == "全县"
    assert sheet["C5"].value == built[None].projects_dispatched
    rate = sheet["H5"]
    if built[None].supervision_rate is not None:
        assert rate.number_format == "0.0%"
        assert rate.value == pytest.approx(built[None].supervision_rate)


def test_rebuild_is_for_the_office(app, client, auth, world, built):
    auth.login("leader")
    form = {"period": PERIOD}
    assert client.post("/compliance/rebuild/",
                       data=form | {"csrf_token": csrf_token(client)}).status_code == 403
    auth.logout()
    auth.login("supervisor")
    response = client.post("/compliance/rebuild/", data=form | {"csrf_token": csrf_token(client)})
    assert response.status_code == 302


def test_year_view_shows_scores_by_month(client, auth, world, built):
    auth.login("leader")
    html = client.get("/compliance/year/?year=2026").get_data(as_text=True)
    assert "住建局" in html and "6月" in html

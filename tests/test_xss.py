"""XSS and formula injection: every free-text field holds a payload, and every page, export
and circular shows it as text — escaped in HTML, literal (never a formula) in files."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from decimal import Decimal

import pytest
from docx import Document
from openpyxl import load_workbook

from app import models as m
from tests.support.web import Auth

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
FORMULAS = ["=1+2", "+1+2", "-1+2", "@SUM(1,2)"]
PAYLOADS = [SCRIPT, IMG, *FORMULAS]
ESCAPED = {SCRIPT: "&lt;script&gt;alert(1)&lt;/script&gt;",
           IMG: "&lt;img src=x onerror=alert(1)&gt;"}
RAW = {SCRIPT: "<script>alert(1)</script>", IMG: "<img src=x onerror"}
PERIOD = "2025-03"
D = dt.date


def _rows(payload: str, n: int) -> dict:
    """A department named by the payload and a row of every table, each text the payload."""
    p = payload
    dept = m.Department(name=f"{p}单位", kind="other")
    person = m.Person(name=p[:50], title=p, department=dept)
    project = m.Project(code=f"XSS-{n}", name=p, content=p, location=p, industry=p, funding=p,
                        category="other", stage="construction", list_level="county",
                        lead_department=dept, responsible_person=person,
                        annual_plan_investment=Decimal(100))
    meeting = m.Meeting(held_on=D(2025, 3, 5), title=p, minutes=p, chair=person,
                        projects=[project])
    task = m.Task(title=p, expected_outcome=p, lag_reason=p, measures=p, project=project,
                  meeting=meeting, department=dept, person=person, assigned_on=D(2025, 3, 1),
                  deadline=D(2025, 3, 10), original_deadline=D(2025, 3, 10))
    return {
        "department": dept, "person": person, "project": project, "meeting": meeting,
        "task": task,
        "feedback": m.Feedback(task=task, reported_on=D(2025, 3, 8), progress=p, problems=p,
                               next_steps=p, review_comment=p, percent_complete=10),
        "supervision": m.Supervision(task=task, sent_on=D(2025, 3, 9), channel="notice",
                                     kind="manual", message=p),
        "extension": m.Extension(task=task, requested_on=D(2025, 3, 9),
                                 new_deadline=D(2025, 4, 30), reason=p),
        "problem": m.Problem(project=project, description=p, resolution=p, category="other",
                             raised_on=D(2025, 3, 2), department=dept, person=person,
                             deadline=D(2025, 3, 20)),
    }


@pytest.fixture(scope="module")
def payload_rows(app) -> dict[str, dict[str, int]]:
    """payload -> table -> id of its row; the month's compliance and circular built."""
    from app.extensions import db

    with app.app_context():
        made = {p: _rows(p, n) for n, p in enumerate(PAYLOADS)}
        db.session.add_all([row for rows in made.values() for row in rows.values()])
        db.session.commit()
        ids = {p: {table: row.id for table, row in rows.items()} for p, rows in made.items()}
    client = app.test_client()
    Auth(client).login("supervisor")
    for job in ("build_compliance", "build_circular"):
        response = client.post(f"/api/v1/jobs/{job}", json={"period": PERIOD},
                               headers=_token(client))
        assert response.status_code == 202 and response.json["status"] == "finished", \
            response.json
    return ids


def _token(client) -> dict[str, str]:
    from tests.support.world import PASSWORD

    response = client.post("/api/v1/security/login", json={
        "username": "supervisor", "password": PASSWORD, "provider": "db"})
    return {"Authorization": f"Bearer {response.json['access_token']}"}


@pytest.fixture(scope="module")
def office(app):
    client = app.test_client()
    Auth(client).login("supervisor")
    return client


def assert_escaped(html: str, where: str, shown: bool = True,
                   expected: tuple[str, ...] = (SCRIPT, IMG)) -> None:
    """No payload raw in the page; those expected shown escaped (if the page shows rows)."""
    for payload in (SCRIPT, IMG):
        assert RAW[payload] not in html, f"{where}: raw {payload!r} in the page"
        if shown and payload in expected:
            assert ESCAPED[payload] in html, f"{where}: {payload!r} not shown (escaped)"


VIEWS = {  # table -> (CRUD view, a search filter that finds the payload rows, or none)
    "department": ("departmentview", "_flt_2_name=alert"),
    "person": ("personview", "_flt_2_name=alert"),
    "project": ("projectview", "_flt_0_code=XSS-"),
    "meeting": ("meetingview", "_flt_2_title=alert"),
    "task": ("taskview", "_flt_2_title=alert"),
    "feedback": ("feedbackview", "_flt_2_progress=alert"),
    "supervision": ("supervisionview", "_flt_0_sent_on=2025-03-09"),
    "extension": ("extensionview", "_flt_0_requested_on=2025-03-09"),
    "problem": ("problemview", "_flt_2_description=alert"),
}


@pytest.mark.parametrize("table", list(VIEWS))
def test_list_show_and_export(office, payload_rows, table):
    view, search = VIEWS[table]
    html = office.get(f"/{view}/list/?{search}").get_data(as_text=True)
    assert_escaped(html, f"/{view}/list/")
    for payload in (SCRIPT, IMG):
        row = payload_rows[payload][table]
        assert_escaped(office.get(f"/{view}/show/{row}").get_data(as_text=True),
                       f"/{view}/show/{row}", expected=(payload,))
    assert_literal_cells(download(office, f"/{view}/export/"), f"/{view}/export/")


def download(client, url: str) -> bytes:
    """A file's bytes, the response closed (send_file spools exports to a temporary file)."""
    response = client.get(url)
    assert response.status_code == 200, url
    data = response.data
    response.close()
    return data


def assert_literal_cells(data: bytes, where: str, payloads: list[str] = PAYLOADS) -> None:
    """Each payload is in some cell as its literal text, and no cell is a formula."""
    book = load_workbook(io.BytesIO(data))
    texts: set[str] = set()
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{where}: a formula in {cell.coordinate}"
                if isinstance(cell.value, str):
                    texts.add(cell.value)
                    if cell.value.startswith(("=", "+", "-", "@")):
                        assert cell.quotePrefix, f"{where}: {cell.value!r} not quote-prefixed"
    for payload in payloads:
        assert any(payload in text for text in texts), f"{where}: no cell holds {payload!r}"


def test_office_pages(office, payload_rows):
    for payload in (SCRIPT, IMG):
        rows = payload_rows[payload]
        for url in (f"/office/meeting/{rows['meeting']}", f"/office/notice/{rows['supervision']}",
                    f"/problems/{rows['problem']}/escalate",
                    f"/compliance/detail/?period={PERIOD}&count=tasks_open"
                    f"&department={rows['department']}"):
            assert_escaped(office.get(url).get_data(as_text=True), url, expected=(payload,))
    for url in ("/office/review/", "/office/extensions/", f"/compliance/?period={PERIOD}",
                "/my/ledger/"):
        assert_escaped(office.get(url).get_data(as_text=True), url)
    for url in ("/dashboard/", "/notifications/", "/compliance/year/?year=2025"):
        assert_escaped(office.get(url).get_data(as_text=True), url, shown=False)


def test_compliance_export(office, payload_rows):
    assert_literal_cells(download(office, f"/compliance/export/?period={PERIOD}"),
                         "/compliance/export/",
                         [f"{p}单位" for p in PAYLOADS])


def test_circular_files(app, office, payload_rows):
    from app.extensions import db

    with app.app_context():
        circular = db.session.query(m.Circular).filter_by(period=D(2025, 3, 1)).one()
        pk = circular.id
    docx = download(office, f"/circularview/download/{pk}/docx")
    document = Document(io.BytesIO(docx))
    text = "\n".join([p.text for p in document.paragraphs] + [
        cell.text for table in document.tables for row in table.rows for cell in row.cells])
    for payload in PAYLOADS:
        assert payload in text, f"the circular's .docx lacks {payload!r} as text"
    xml = zipfile.ZipFile(io.BytesIO(docx)).read("word/document.xml").decode()
    assert SCRIPT not in xml and "&lt;script&gt;" in xml, "the payload is markup in the .docx"
    assert not re.search(r"<w:instrText|<w:fldSimple", xml), "a field code in the circular"
    xlsx = download(office, f"/circularview/download/{pk}/xlsx")
    assert_literal_cells(xlsx, "the circular's .xlsx")
    html = office.get("/circularview/list/").get_data(as_text=True)
    assert_escaped(html, "/circularview/list/", shown=False)

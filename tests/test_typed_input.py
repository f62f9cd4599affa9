"""Dates and amounts as people type them (issue 18.4): one table of what is typed and what
is stored, through the one parser (app/domain/typed_input.py), a real form (重点项目 add,
as the office), the REST API (JSON strings) and an Excel import (a workbook built here)."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from app import models as m
from app.domain import typed_input
from app.domain.typed_input import InputError
from app.extensions import db
from tests.support.html_forms import form_fields
from tests.support.web import csrf_token

pytestmark = pytest.mark.usefixtures("leaves_no_rows")

D = dt.date
DATES = [  # typed, stored
    ("2026-12-03", D(2026, 12, 3)),
    ("2026/12/3", D(2026, 12, 3)),
    ("2026.12.3", D(2026, 12, 3)),
    ("2026年12月3日", D(2026, 12, 3)),
    ("2026 年 1 月 5 日", D(2026, 1, 5)),
    ("20261203", D(2026, 12, 3)),
    ("２０２６－１２－３１", D(2026, 12, 31)),
    ("２０２６年１２月３１日", D(2026, 12, 31)),
    ("46359", D(2026, 12, 3)),  # an Excel serial typed as text
    ("2026-12-03 00:00:00", D(2026, 12, 3)),
]
AMOUNTS = [  # typed, stored in 万元, whether a 元 note is given
    ("1200.50", Decimal("1200.50"), False),
    ("1,200.50", Decimal("1200.50"), False),
    ("1，200.50", Decimal("1200.50"), False),
    ("１，２００．５０", Decimal("1200.50"), False),
    ("1200.50万元", Decimal("1200.50"), False),
    ("1,200.50 万元", Decimal("1200.50"), False),
    ("12,005,000元", Decimal("1200.50"), True),
    ("3400", Decimal("3400"), False),
]
BAD_DATES = ["2026-13-45", "2026年2月30日", "明年三月", "12/03/2026", "2026-12", "99999"]
BAD_AMOUNTS = ["一千二", "1,20.5", "1.2.3", "12e3", "万元", "NaN"]
CASES = [(date, expected, *AMOUNTS[i % len(AMOUNTS)]) for i, (date, expected)
         in enumerate(DATES)]  # each date with an amount, so every row of both is used


# ---- the parser ---------------------------------------------------------------------------

@pytest.mark.parametrize(("typed", "expected"), DATES)
def test_dates_as_people_type_them(app, typed, expected):
    with app.test_request_context():
        assert typed_input.parse_date(typed) == expected


def test_dates_from_cells(app):
    with app.test_request_context():
        assert typed_input.parse_date(46359) == D(2026, 12, 3)
        assert typed_input.parse_date(46359.75) == D(2026, 12, 3)
        assert typed_input.parse_date(dt.datetime(2026, 12, 3, 8)) == D(2026, 12, 3)
        assert typed_input.parse_date("  ") is None


@pytest.mark.parametrize(("typed", "expected", "noted"), AMOUNTS)
def test_amounts_as_people_type_them(app, typed, expected, noted):
    with app.test_request_context():
        amount = typed_input.parse_amount(typed)
    assert amount.value == expected
    assert (amount.note is not None) == noted
    if noted:
        assert "已换算为 1,200.50 万元" in amount.note and typed in amount.note


@pytest.mark.parametrize("typed", BAD_DATES)
def test_a_bad_date_names_the_format_and_the_value(app, typed):
    with app.test_request_context(), pytest.raises(InputError) as refused:
        typed_input.parse_date(typed)
    assert refused.value.message.startswith("应为日期")
    assert f"收到“{typed}”" in refused.value.message
    if "不存在" not in refused.value.message:
        assert "2026-12-03（也可写 2026/12/3、2026年12月3日）" in refused.value.message


@pytest.mark.parametrize("typed", BAD_AMOUNTS)
def test_a_bad_amount_names_the_format_and_the_value(app, typed):
    with app.test_request_context(), pytest.raises(InputError) as refused:
        typed_input.parse_amount(typed)
    assert "如 1200.50、1,200.50 或 1200.50万元" in refused.value.message
    assert f"收到“{typed}”" in refused.value.message


# ---- a form -------------------------------------------------------------------------------

def _project(app, code: str) -> m.Project | None:
    with app.app_context():
        project = db.session.scalar(select(m.Project).where(m.Project.code == code))
        if project is not None:
            db.session.expunge(project)
        return project


def _form(client, world, code: str, date: str, amount: str) -> dict:
    fields = form_fields(client.get("/projectview/add").get_data(as_text=True))
    data = {name: values[0] for name, values in fields.items() if values}
    data.update(code=code, name=f"录入测试{code}", category="other", stage="planning",
                list_level="county", lead_department=str(world.dept_a),
                planned_start=date, total_investment=amount)
    data.pop("responsible_person", None)
    data.pop("lead_leader", None)
    return data


@pytest.mark.parametrize(("date", "expected", "amount", "wan", "noted"), CASES)
def test_the_project_form_reads_them(app, client, auth, world, date, expected, amount, wan,
                                     noted):
    auth.login("supervisor")
    code = f"TYPED-F-{CASES.index((date, expected, amount, wan, noted))}"
    response = client.post("/projectview/add", data=_form(client, world, code, date, amount))
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    project = _project(app, code)
    assert (project.planned_start, project.total_investment) == (expected, wan)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert ("已换算为 1,200.50 万元" in page) == noted


def test_a_refused_date_stays_in_the_field_with_its_message(app, client, auth, world):
    auth.login("supervisor")
    response = client.post("/projectview/add",
                           data=_form(client, world, "TYPED-F-BAD", "2026年13月3日", "1,2,3"))
    assert response.status_code in (200, 422)
    page = response.get_data(as_text=True)
    assert "应为日期，2026年13月3日不存在，收到“2026年13月3日”" in page
    assert "收到“1,2,3”" in page
    assert re.search(r'name="planned_start"[^>]*value="2026年13月3日"|'
                     r'value="2026年13月3日"[^>]*name="planned_start"', page)
    assert _project(app, "TYPED-F-BAD") is None


# ---- the API ------------------------------------------------------------------------------

@pytest.mark.parametrize(("date", "expected", "amount", "wan", "noted"), CASES)
def test_the_api_reads_them_from_strings(app, client, api_token, world, date, expected,
                                         amount, wan, noted):
    code = f"TYPED-A-{CASES.index((date, expected, amount, wan, noted))}"
    response = client.post("/api/v1/project/", headers=api_token("supervisor"), json={
        "code": code, "name": f"接口录入{code}", "category": "other", "stage": "planning",
        "list_level": "county", "lead_department": world.dept_a,
        "planned_start": date, "annual_plan_investment": amount})
    assert response.status_code == 201, response.get_data(as_text=True)
    answer = client.get(f"/api/v1/project/{response.json['id']}",
                        headers=api_token("supervisor")).json["result"]
    assert answer["planned_start"] == expected.isoformat()
    assert Decimal(answer["annual_plan_investment"]) == wan


def test_the_api_refuses_a_bad_string_naming_format_and_value(client, api_token, world):
    response = client.post("/api/v1/project/", headers=api_token("supervisor"), json={
        "code": "TYPED-A-BAD", "name": "接口录入", "category": "other", "stage": "planning",
        "list_level": "county", "lead_department": world.dept_a,
        "planned_start": "2026/13/3", "total_investment": "1,20.5"})
    assert response.status_code == 422
    message = response.json["message"]
    assert message["planned_start"] == ["应为日期，2026年13月3日不存在，收到“2026/13/3”"]
    assert message["total_investment"] == [
        "应为金额（万元），如 1200.50、1,200.50 或 1200.50万元，收到“1,20.5”"]


# ---- Excel --------------------------------------------------------------------------------

PROJECT = ["项目编号", "名称", "类别", "阶段", "项目层级", "总投资（万元）", "计划开工", "牵头单位"]


def upload(client, data: bytes):
    token = csrf_token(client, "/excel/import/")
    return client.post("/excel/import/", data={"csrf_token": token,
                                               "file": (io.BytesIO(data), "台账.xlsx")},
                       content_type="multipart/form-data")


def test_the_excel_import_reads_them(app, client, auth, world):
    book = Workbook()
    sheet = book.active
    sheet.title = "重点项目"
    sheet.append(PROJECT)
    for index, (date, _expected, amount, _wan, _noted) in enumerate(CASES):
        sheet.append([f"TYPED-X-{index}", f"表格录入{index}", "其他", "谋划", "县级", amount,
                      date, "住建局"])
    sheet.append(["TYPED-X-SERIAL", "序列号日期", "其他", "谋划", "县级", 1200.5, 46359,
                  "住建局"])
    out = io.BytesIO()
    book.save(out)
    auth.login("supervisor")
    response = upload(client, out.getvalue())
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page[-3000:]
    assert f"新增 {len(CASES) + 1} 条" in page
    assert "重点项目 第8行 总投资（万元）：“12,005,000元”按元填写，已换算为 1,200.50 万元" in page
    for index, (_date, expected, _amount, wan, _noted) in enumerate(CASES):
        project = _project(app, f"TYPED-X-{index}")
        assert (project.planned_start, project.total_investment) == (expected, wan)
    serial = _project(app, "TYPED-X-SERIAL")
    assert (serial.planned_start, serial.total_investment) == (D(2026, 12, 3),
                                                               Decimal("1200.50"))

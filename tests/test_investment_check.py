"""Issue 18.5: an implausible monthly investment asks for confirmation with the figure in
words (the form, the office's CRUD form, the API), and the office's list marks it; the
amount of 投资月报填报 is typed as people type it."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from decimal import Decimal

import pytest
from sqlalchemy import select

from app import models as m
from app.domain.plausibility import investment_doubt
from tests.support import days
from tests.support.web import csrf_token

pytestmark = pytest.mark.usefixtures("leaves_no_rows")
EXAMPLE = "本月完成 99,999.00 万元，超过年度计划 3,400.00 万元的 29 倍，是否以“元”误填？"
_codes = itertools.count(1)


@pytest.mark.parametrize(("amount", "plan", "others", "words"), [
    ("99999", "3400", "0", EXAMPLE),
    ("1800", "3400", "0", "本月完成 1,800.00 万元，占年度计划 3,400.00 万元的 52.9%，"
                          "一个月超过一半，请核对后确认。"),
    ("500", "3400", "3000", "本月完成 500.00 万元，超过年度计划 3,400.00 万元尚未完成的 400.00 万元"
                            "（年内其他月份已完成 3,000.00 万元），请核对后确认。"),
    ("1700", "3400", "0", None),  # half the plan exactly: plausible
    ("400", "3400", "3000", None),  # exactly what remains
    ("99999", None, "0", None),  # no plan: nothing to compare with
    ("5", "0", "0", None),
])
def test_the_doubt_in_words(app, amount, plan, others, words):
    with app.test_request_context():
        found = investment_doubt(Decimal(amount), None if plan is None else Decimal(plan),
                                 Decimal(others))
    assert found == words


def new_project(app, department: int, plan: str = "3400") -> int:
    from app.extensions import db

    with app.app_context():
        project = m.Project(code=f"ZZ-CHK-{next(_codes)}", name=f"核对测试项目{next(_codes)}",
                            category="other", stage="construction", lead_department_id=department,
                            annual_plan_investment=Decimal(plan))
        db.session.add(project)
        db.session.commit()
        return project.id


def amounts(app, project_id: int) -> list[Decimal]:
    from app.extensions import db

    with app.app_context():
        return list(db.session.scalars(select(m.InvestmentReport.amount).where(
            m.InvestmentReport.project_id == project_id)))


def this_month(app) -> dt.date:
    return days.today(app).replace(day=1)


def file(client, project_id: int, period: dt.date, amount: str, **more: str):
    token = csrf_token(client, "/my/investment/")
    return client.post("/my/investment/file", data={
        "project_id": str(project_id), "period": f"{period:%Y-%m}", "amount": amount,
        "csrf_token": token, **more})


def test_the_form_asks_before_saving_an_implausible_amount(app, client, auth, world):
    project = new_project(app, world.dept_a)
    auth.login("staff_a")
    response = file(client, project, this_month(app), "99999")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    row = re.search(rf'id="project-{project}".*?</tr>', html, re.S).group(0)
    assert EXAMPLE in row
    assert 'name="confirm"' in row and "数额无误，确认保存" in row
    assert 'value="99999"' in row  # what was typed stays
    assert amounts(app, project) == []
    response = file(client, project, this_month(app), "99999", confirm="y")
    assert response.status_code == 302
    assert amounts(app, project) == [Decimal("99999.00")]


def test_a_plausible_amount_is_saved_without_asking(app, client, auth, world):
    project = new_project(app, world.dept_a)
    auth.login("staff_a")
    assert file(client, project, this_month(app), "300").status_code == 302
    assert amounts(app, project) == [Decimal("300.00")]


@pytest.mark.parametrize(("typed", "saved"), [("1，200.50", "1200.50"), ("1200.50万元", "1200.50"),
                                              ("1,200.5", "1200.50")])
def test_the_amount_is_typed_as_people_type_it(app, client, auth, world, typed, saved):
    project = new_project(app, world.dept_a)
    auth.login("staff_a")
    response = file(client, project, this_month(app), typed)
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    assert amounts(app, project) == [Decimal(saved)]


def test_the_amount_box_is_text_not_a_number_input(app, client, auth, world):
    project = new_project(app, world.dept_a)
    auth.login("staff_a")
    html = client.get("/my/investment/").get_data(as_text=True)
    box = re.search(rf'<input id="amount-{project}"[^>]*>', html).group(0)
    assert 'type="text"' in box and 'inputmode="decimal"' in box
    assert 'type="number"' not in box
    refused = file(client, project, this_month(app), "一千二").get_data(as_text=True)
    box = re.search(rf'<input[^>]*id="amount-{project}"[^>]*>', refused).group(0)
    assert 'type="text"' in box and 'value="一千二"' in box
    assert "应为金额（万元）" in refused


def api_post(client, token, body, query=""):
    return client.post(f"/api/v1/investment_report/{query}", headers=token, json=body)


def test_the_api_answers_422_until_confirmed(app, client, api_token, world):
    project = new_project(app, world.dept_a)
    token = api_token("staff_a")
    body = {"project": project, "period": f"{this_month(app):%Y-%m-%d}", "amount": 99999}
    response = api_post(client, token, body)
    assert response.status_code == 422
    assert response.json["message"] == EXAMPLE
    assert response.json["needs_confirmation"] is True
    assert amounts(app, project) == []
    response = api_post(client, token, {**body, "confirm": True})
    assert response.status_code == 201, response.get_data(as_text=True)
    assert amounts(app, project) == [Decimal("99999.00")]
    row_id = response.json["id"]
    # an edit to another implausible figure asks again; ?confirm=1 also confirms
    response = client.put(f"/api/v1/investment_report/{row_id}", headers=token,
                          json={"amount": 50000})
    assert response.status_code == 422 and "是否以“元”误填" in response.json["message"]
    response = client.put(f"/api/v1/investment_report/{row_id}?confirm=1", headers=token,
                          json={"amount": 50000})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert amounts(app, project) == [Decimal("50000.00")]


def test_the_api_saves_a_plausible_amount_at_once(app, client, api_token, world):
    project = new_project(app, world.dept_a)
    response = api_post(client, api_token("staff_a"), {
        "project": project, "period": f"{this_month(app):%Y-%m-%d}", "amount": 1000})
    assert response.status_code == 201, response.get_data(as_text=True)


def test_the_offices_list_marks_implausible_entries(app, client, auth, world):
    from app.extensions import db

    doubtful, plain = new_project(app, world.dept_a), new_project(app, world.dept_a)
    month = this_month(app)
    with app.app_context():
        db.session.add_all([
            m.InvestmentReport(project_id=doubtful, period=month, amount=Decimal("99999")),
            m.InvestmentReport(project_id=plain, period=month, amount=Decimal("100"))])
        db.session.commit()
    auth.login("supervisor")
    html = client.get("/investmentreportview/list/?psize_InvestmentReportView=100").get_data(
        as_text=True)
    rows = {pid: row_of(html, project_name(app, pid)) for pid in (doubtful, plain)}
    assert "数额存疑" in rows[doubtful] and EXAMPLE in rows[doubtful]
    assert "数额存疑" not in rows[plain]
    assert ">核对<" in html.replace(" ", "").replace("\n", "")


def row_of(html: str, name: str) -> str:
    """The list row that names this project."""
    start = html.index(name)
    return html[html.rindex("<tr", 0, start):html.index("</tr>", start)]


def project_name(app, project_id: int) -> str:
    from app.extensions import db

    with app.app_context():
        return db.session.get(m.Project, project_id).name


def test_the_offices_form_asks_too(app, client, auth, world):
    project = new_project(app, world.dept_a)
    auth.login("supervisor")
    token = csrf_token(client, "/investmentreportview/add")
    data = {"project": str(project), "period": f"{this_month(app):%Y-%m-%d}",
            "amount": "99999", "csrf_token": token}
    response = client.post("/investmentreportview/add", data=data)
    assert response.status_code == 422
    assert EXAMPLE in response.get_data(as_text=True)
    assert amounts(app, project) == []
    response = client.post("/investmentreportview/add", data={**data, "confirm": "y"})
    assert response.status_code == 302
    assert amounts(app, project) == [Decimal("99999.00")]


def test_the_api_document_names_the_confirm_flag(app):
    from tests.support.openapi import document

    paths = document(app)["paths"]
    for path, method in (("/api/v1/investment_report/", "post"),
                         ("/api/v1/investment_report/{pk}", "put")):
        names = [p.get("name") for p in paths[path][method].get("parameters", [])]
        assert "confirm" in names, (path, method)
    assert "confirm" not in [p.get("name") for p in paths["/api/v1/task/"]["post"].get(
        "parameters", [])]

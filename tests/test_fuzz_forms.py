"""Hypothesis on the feedback and task forms: generated form data (dates, percents, odd
and huge strings, missing fields, wrong types) posted as staff_a and supervisor never
answers 500, and a refused (4xx) post saves nothing."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support import access_rows
from tests.support.web import Auth, csrf_token

EXAMPLES = int(os.environ.get("FUZZ_FORM_EXAMPLES", "25"))
COUNTS_FILE = os.environ.get("FUZZ_COUNTS", "/tmp/fuzz_counts.txt")
POSTED: dict[str, int] = {}

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
ODD = st.sampled_from(["", " ", "\x00", "0", "-1", "101", "1e9", "2026-02-30", "2026-13-01",
                       "9999-12-31", "0001-01-01", "NaN", "null", "<b>x</b>", "=1+2",
                       "99999999999999999999", "x" * 70000, "１２", "五十"])
DATE = st.one_of(st.dates().map(lambda d: d.isoformat()), ODD, TEXT)
NUMBER = st.one_of(st.integers(-10**6, 10**6).map(str), st.floats(allow_nan=True).map(str),
                   ODD, TEXT)
FREE = st.one_of(TEXT, ODD)


def form(fields: dict) -> st.SearchStrategy[dict]:
    """Any subset of the fields, each with a value of its kind or of any other."""
    return st.fixed_dictionaries({}, optional={
        name: st.one_of(kind, FREE, NUMBER) for name, kind in fields.items()})


def id_of(rows: list[int]) -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from([str(r) for r in rows]), NUMBER)


@pytest.fixture(scope="module")
def clients(app):
    made = {}
    for role in ("staff_a", "supervisor"):
        client = app.test_client()
        Auth(client).login(role)
        made[role] = (client, csrf_token(client, "/"))
    return made


pytestmark = pytest.mark.usefixtures("leaves_no_rows")


@pytest.fixture(scope="module", autouse=True)
def _write_counts():
    yield
    if POSTED:
        with open(COUNTS_FILE, "a", encoding="utf-8") as out:
            out.write("hypothesis form posts (tests/test_fuzz_forms.py)\n" + "".join(
                f"{key} {count}\n" for key, count in sorted(POSTED.items())))


def post_and_check(app, client, token: str, url: str, data: dict, table: str,
                   row: int | None, key: str) -> None:
    """Post; never a 500; a refusal leaves every count and the row as they were."""
    with app.app_context():
        before = access_rows.fingerprint(table, row)
        version = before[1] and dict(zip(_columns(table), before[1], strict=True)).get("version")
    if version is not None and "version" not in data:
        data = {**data, "version": str(version)}
    response = client.post(url, data={**data, "csrf_token": token})
    POSTED[key] = POSTED.get(key, 0) + 1
    assert response.status_code < 500, (url, data, response.status_code)
    if response.status_code >= 400:
        with app.app_context():
            assert access_rows.fingerprint(table, row) == before, (url, data, "saved on 4xx")


def _columns(table: str) -> list[str]:
    from app import models as m

    return [c.name for c in m.Model.metadata.tables[table].columns]


FEEDBACK = {"reported_on": DATE, "progress": FREE, "percent_complete": NUMBER,
            "problems": FREE, "next_steps": FREE, "review_status": FREE, "review_comment": FREE}
TASK = {"title": FREE, "assigned_on": DATE, "deadline": DATE, "done_on": DATE,
        "cancelled": FREE, "lag_reason": FREE, "measures": FREE, "expected_outcome": FREE}
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                    suppress_health_check=list(HealthCheck))


@pytest.mark.parametrize("role", ["staff_a", "supervisor"])
def test_feedback_forms(app, world, clients, role):
    client, token = clients[role]
    with app.app_context():
        own = access_rows.fresh_row(world, "feedback", "a")
        other = access_rows.fresh_row(world, "feedback", "b")
    tasks = [world.a["task"], world.b["task"]]

    @SETTINGS
    @given(data=form({**FEEDBACK, "task": id_of(tasks)}), target=st.sampled_from(
        ["add", f"edit/{own}", f"edit/{other}"]))
    def fuzz(data: dict, target: str) -> None:
        row = None if target == "add" else int(target.split("/")[1])
        post_and_check(app, client, token, f"/feedbackview/{target}", data, "feedback", row,
                       f"{role} feedback")

    fuzz()


@pytest.mark.parametrize("role", ["staff_a", "supervisor"])
def test_task_forms(app, world, clients, role):
    client, token = clients[role]
    with app.app_context():
        own = access_rows.fresh_row(world, "task", "a")
    ids = {"project": [world.a["project"], world.b["project"]],
           "department": [world.dept_a, world.dept_b], "person": [world.person_a]}

    @SETTINGS
    @given(data=form({**TASK, **{k: id_of(v) for k, v in ids.items()}}),
           target=st.sampled_from(["taskview/add", f"taskview/edit/{own}",
                                   f"my/ledger/{own}/feedback", f"my/ledger/{own}/lag",
                                   f"my/ledger/{own}/extension"]))
    def fuzz(data: dict, target: str) -> None:
        row = None if target.endswith("add") else own
        data = data | {"percent_complete": data.get("title", ""), "progress": data.get(
            "measures", ""), "new_deadline": data.get("deadline", ""),
            "reason": data.get("lag_reason", "")}
        post_and_check(app, client, token, f"/{target}", data, "task", row, f"{role} task")

    fuzz()


# ---- the text rule and the limits of free text (issue 14.5, 14.7) ------------------------

HIDDEN = {"zero-width space": "住建\u200b局", "right-to-left override": "\u202e局建住",
          "line separator": "住建\u2028局", "byte-order mark": "\ufeff住建局",
          "word joiner": "住建\u2060局", "newline in a name": "住建\n局",
          "C1 control": "住建\x85局"}
FIVE_MB = "x" * (5 * 1024 * 1024)  # as the tester sent it: 5 MB once form-encoded too


def _department_count(app, name: str) -> int:
    from sqlalchemy import func, select

    from app import models as m
    from app.extensions import db

    with app.app_context():
        return db.session.scalar(select(func.count()).where(m.Department.name == name))


@pytest.mark.parametrize("kind", list(HIDDEN))
def test_hidden_characters_in_a_name_are_refused_on_form_and_api(app, world, clients,
                                                                 api_token, kind):
    """Refused, not stripped: what is stored is what was typed, or the person is told."""
    name = HIDDEN[kind]
    client, token = clients["supervisor"]
    response = client.post("/departmentview/add", data={
        "name": name, "kind": "department", "active": "y", "csrf_token": token})
    page = response.get_data(as_text=True)
    assert response.status_code == 422, page[:500]
    assert "“名称”" in page and ("不可见字符" in page or "应为一行文字" in page)
    api = app.test_client().post("/api/v1/department/", json={
        "name": name, "kind": "department"}, headers=api_token("supervisor"))
    assert api.status_code == 422 and "名称" in api.json["message"], api.json
    assert _department_count(app, name) == 0


def test_a_five_megabyte_feedback_is_refused_on_form_api_and_my_ledger(app, world, clients,
                                                                       api_token):
    from sqlalchemy import func, select

    from app import models as m
    from app.extensions import db

    client, token = clients["staff_a"]
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(m.Feedback))
    form = client.get("/feedbackview/add").get_data(as_text=True)
    assert 'maxlength="2000"' in form  # the form says the limit before anything is sent
    data = {"task": str(world.a["task"]), "reported_on": "2026-05-20", "progress": FIVE_MB,
            "percent_complete": "50", "csrf_token": token}
    response = client.post("/feedbackview/add", data=data)
    assert response.status_code == 422 and "不能超过 2000 个字" in response.get_data(as_text=True)
    response = client.post(f"/my/ledger/{world.a['task']}/feedback", data=data)
    assert response.status_code in (400, 422), response.status_code
    assert "不能超过 2000 个字" in response.get_data(as_text=True)
    api = app.test_client().post("/api/v1/feedback/", json={
        "task": world.a["task"], "reported_on": "2026-05-20", "progress": FIVE_MB,
        "percent_complete": 50}, headers=api_token("staff_a"))
    assert api.status_code == 422 and "不能超过 2000 个字" in api.json["message"], api.json
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(m.Feedback)) == before


@pytest.mark.parametrize("percent", [100.5, 99.9, True, 0.5])
def test_a_fraction_of_a_percent_is_refused_not_rounded(app, world, clients, api_token,
                                                        percent):
    from sqlalchemy import func, select

    from app import models as m
    from app.extensions import db

    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(m.Feedback))
    api = app.test_client().post("/api/v1/feedback/", json={
        "task": world.a["task"], "reported_on": "2026-05-20", "progress": "进展",
        "percent_complete": percent}, headers=api_token("staff_a"))
    assert api.status_code == 422 and "完成百分比" in str(api.json), api.json
    client, token = clients["staff_a"]
    response = client.post("/feedbackview/add", data={
        "task": str(world.a["task"]), "reported_on": "2026-05-20", "progress": "进展",
        "percent_complete": str(percent), "csrf_token": token})
    assert response.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(m.Feedback)) == before

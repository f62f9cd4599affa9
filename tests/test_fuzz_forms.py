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

"""Schemathesis against /api/v1/_openapi, in-process, as each role: never a 500, and a
department user never gets another department's rows.

PUT and DELETE go to rows made for the fuzz (of department A or B), never the world's;
queueing jobs is left out (a random as_of would rewrite every task's status).
"""

from __future__ import annotations

import collections
import os
import re

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings

from tests.support import access_rows
from tests.support.world import PASSWORD

ROLES = ("admin", "supervisor", "leader", "staff_a", "staff_b")
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "4"))
COUNTS_FILE = os.environ.get("FUZZ_COUNTS", "/tmp/fuzz_counts.txt")
CASES: collections.Counter = collections.Counter()
REPAIRS: list[str] = []
ROW_PATH = re.compile(r"^/api/v1/(\w+)/\{pk\}$")
# what only department B's rows say (tests/support/world.py), and A's for staff_b
FOREIGN = {"staff_a": ("工信局", "李工业", "项目B", "任务B", "进展B", "督促B", "理由B", "问题B",
                       "五月调度会B", "P-B"),
           "staff_b": ("住建局", "张建国", "项目A", "任务A", "进展A", "督促A", "理由A", "问题A",
                       "五月调度会A", "P-A")}


def _token(app, username: str) -> dict[str, str]:
    response = app.test_client().post("/api/v1/security/login", json={
        "username": username, "password": PASSWORD, "provider": "db"})
    assert response.status_code == 200
    return {"Authorization": f"Bearer {response.json['access_token']}"}


@pytest.fixture(scope="module")
def tokens(app) -> dict[str, dict[str, str]]:
    return {role: _token(app, role) for role in ROLES}


def repaired(node: object, found: list[str]) -> object:
    """The document with numeric bounds as numbers: apispec writes a Decimal field's
    Range(min=0) as the string "0.00", which OpenAPI (and schemathesis) reject."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key in ("minimum", "maximum") and isinstance(value, str):
                found.append(f"{key}: {value!r}")
                value = float(value)
            out[key] = repaired(value, found)
        return out
    if isinstance(node, list):
        return [repaired(item, found) for item in node]
    return node


def operations(app, tokens) -> list:
    """Every operation of the OpenAPI document but queueing a job."""
    document = app.test_client().get("/api/v1/_openapi", headers=tokens["admin"]).json
    schema = schemathesis.openapi.from_dict(repaired(document, REPAIRS))
    schema.app, schema.location = app, "/api/v1/_openapi"
    schema = schema.exclude(path_regex=r"^/api/v1/jobs/\{job\}$", method="POST")
    return [result.ok() for result in schema.get_all_operations()]


pytestmark = pytest.mark.usefixtures("leaves_no_rows")


@pytest.fixture(scope="module", autouse=True)
def _write_counts():
    yield
    if CASES:
        lines = [f"{role} {count}" for role, count in sorted(CASES.items())]
        lines.append(f"total {sum(CASES.values())}")
        lines.append(f"bounds of the OpenAPI document repaired: {len(REPAIRS)} {REPAIRS[:3]}")
        with open(COUNTS_FILE, "w", encoding="utf-8") as out:
            out.write("schemathesis cases run (tests/test_fuzz_api.py)\n" + "\n".join(lines)
                      + "\n")


def _own_row(app, world, case) -> None:
    """PUT/DELETE: a fresh row of the fuzz, of department A or B by the example's pk."""
    match = ROW_PATH.match(case.path)
    if case.method.upper() not in ("PUT", "DELETE") or not match:
        return
    table = match.group(1)
    dept = "a" if hash(str(case.path_parameters.get("pk"))) % 2 else "b"
    with app.app_context():
        case.path_parameters["pk"] = access_rows.fresh_row(world, table, dept)


def send_as_every_role(app, world, tokens, case) -> list[str]:
    """One generated request, sent as every role in turn; what went wrong."""
    problems = []
    for role in ROLES:
        _own_row(app, world, case)
        response = case.call(headers=tokens[role])
        CASES[role] += 1
        where = f"{case.method} {case.formatted_path} as {role}"
        if response.status_code >= 500:
            problems.append(f"{where}: {response.status_code} {response.text[:300]}")
        problems += [f"{where}: answered another department's {foreign}"
                     for foreign in FOREIGN.get(role, ()) if foreign in response.text]
    return problems


def test_api_fuzz(app, world, tokens):
    problems: list[str] = []
    ran = []
    for operation in operations(app, tokens):

        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def fuzz(case) -> None:
            problems.extend(send_as_every_role(app, world, tokens, case))

        fuzz()
        ran.append(operation.label)
    assert len(ran) > 80, ran
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(sorted(set(problems)))

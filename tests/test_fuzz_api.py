"""Schemathesis against /api/v1/_openapi, in-process, as each role: never a 500, every
answer as the document says (status, content type, headers and body schema: issue 14), and
a department user never gets another department's rows.

PUT and DELETE go to rows made for the fuzz (of department A or B), never the world's;
queueing jobs is left out (a random as_of would rewrite every task's status).
"""

from __future__ import annotations

import collections
import json
import os
import re

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.support import access_rows
from tests.support.world import PASSWORD

ROLES = ("admin", "supervisor", "leader", "staff_a", "staff_b")
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "4"))
COUNTS_FILE = os.environ.get("FUZZ_COUNTS", "/tmp/fuzz_counts.txt")
CASES: collections.Counter = collections.Counter()
# what an answer must be: no 500, and as the document says (not only "no 500")
CONFORMANCE = [not_a_server_error, status_code_conformance, content_type_conformance,
               response_headers_conformance, response_schema_conformance]
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


def operations(app, tokens) -> list:
    """Every operation of the OpenAPI document but queueing a job."""
    document = app.test_client().get("/api/v1/_openapi", headers=tokens["admin"]).json
    schema = schemathesis.openapi.from_dict(document)
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


def _failures(error: BaseException) -> str:
    """What schemathesis' checks found, one line."""
    found = getattr(error, "exceptions", None) or (error,)
    return "; ".join(f"{getattr(f, 'title', type(f).__name__)}: "
                     f"{' '.join(str(getattr(f, 'message', f)).split())[:300]}" for f in found)


def send_as_every_role(app, world, tokens, case) -> list[str]:
    """One generated request, sent as every role in turn; what went wrong."""
    problems = []
    for role in ROLES:
        _own_row(app, world, case)
        response = case.call(headers=tokens[role])
        CASES[role] += 1
        where = f"{case.method} {case.formatted_path} as {role}"
        try:
            case.validate_response(response, checks=CONFORMANCE)
        except (AssertionError, BaseExceptionGroup) as failure:  # what the checks found
            problems.append(f"{case.method} {case.path} as {role}: {response.status_code} "
                            f"{_failures(failure)} — {response.text[:200]}")
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


# ---- odd input (issue 14.7): the attacks found, then every GET route's arguments ----------

CHINESE = re.compile(r"[\u4e00-\u9fff]")
HUGE = "99999999999999999999"
ROUTE_VALUES = [HUGE, "-1", "9999-12", "(" * 12, "nonexistent", "\u202e1", "x" * 300]
ODD_VALUES = [HUGE, "-1", "0", "1e309", "NaN", "9999-12", "9999-12-31", "0000-00", "2026-13",
              "(" * 12, "(" * 3000, "!(" * 500, "'", "%", "\x00", "nonexistent", "x" * 5000,
              "\u202e1", "２０２６-１１"]
ATTACKS_7 = [
    f"/api/v1/task/{HUGE}", "/api/v1/task/?q=((((((((((", "/api/v1/task/_info?q=((((((((((",
    "/api/v1/task/?q=" + "(" * 5000, f"/api/v1/task/?q=(page:{HUGE})",
    f"/api/v1/task/?q=(page_size:{HUGE})", "/api/v1/task/?q=(order_column:nonexistent)",
    f"/api/v1/task/?q=(filters:!((col:id,opr:eq,value:{HUGE})))",
    "/compliance/year/?year=99999", "/compliance/year/?year=-5",
    "/compliance/detail/?period=9999-12",
    "/compliance/?period=9999-12", "/compliance/export/?period=9999-12",
    f"/chains/project/{HUGE}/schedule", f"/taskview/show/{HUGE}", f"/taskview/edit/{HUGE}",
    "/taskview/list/?_oc_TaskView=nonexistent", "/taskview/list/?_oc_TaskView=nonexistent"
    "&_od_TaskView=asc", f"/taskview/list/?psize_TaskView={HUGE}",
    f"/taskview/list/?page_TaskView={HUGE}", "/taskview/list/?_od_TaskView=sideways",
    "/my/investment/?period=9999-12", f"/api/v1/jobs/{HUGE}",
]


def _answer_is_refusal(response) -> str | None:
    """What is wrong with the answer to odd input: it must be 4xx (or a page) in Chinese."""
    if response.status_code >= 500:
        return f"{response.status_code}: {response.get_data(as_text=True)[:300]}"
    body = response.get_json(silent=True)
    text = json.dumps(body, ensure_ascii=False) if body else response.get_data(as_text=True)
    if response.status_code in (400, 404, 413, 422) and not CHINESE.search(text):
        return f"{response.status_code} without a Chinese message"
    return None


@pytest.mark.parametrize("role", ["admin", "staff_a"])
@pytest.mark.parametrize("url", ATTACKS_7)
def test_the_odd_inputs_found_answer_4xx_in_chinese(app, world, tokens, role, url):
    from tests.support.web import Auth

    client = app.test_client()
    Auth(client).login(role)
    response = client.get(url, headers=tokens[role] if url.startswith("/api/") else {})
    assert _answer_is_refusal(response) is None, (url, _answer_is_refusal(response))
    if response.status_code >= 400:
        assert response.status_code in (400, 403, 404, 413), (url, response.status_code)


SKIPPED = re.compile(r"/(logout|lang|delete|action|download|back)/|^/static|^/appbuilder|"
                     r"^/api/<version>")
ARG_READ = re.compile(r"request\.args\.get\(\s*[\"'](\w+)[\"']|request\.args\[[\"'](\w+)[\"']\]")


def _args_read(app) -> set[str]:
    """Every query argument a page of the portal reads (from the sources of app/web)."""
    found = set()
    for path in (ROOT_DIR / "app" / "web").glob("*.py"):
        for match in ARG_READ.finditer(path.read_text(encoding="utf-8")):
            found.add(match.group(1) or match.group(2))
    return found


ROOT_DIR = __import__("pathlib").Path(__file__).resolve().parents[1]


def _fill(rule, value: str) -> str | None:
    """The rule's URL with every path argument `value` (an int argument: a huge number)."""
    url = rule.rule
    for name, converter in rule._converters.items():
        numeric = type(converter).__name__ == "IntegerConverter"
        filled = HUGE if numeric or not value else value
        url = re.sub(rf"<(\w+:)?{name}>", filled, url)
    return url


def _list_args(endpoint: str) -> dict[str, str]:
    view = endpoint.split(".")[0]
    return {f"_oc_{view}": "", f"_od_{view}": "", f"psize_{view}": "", f"page_{view}": "",
            "_flt_0_id": "", "_flt_0_title": "", "_flt_1_deadline": "", "q": ""}


@pytest.mark.parametrize("role", ["admin"])
def test_every_get_route_answers_odd_arguments_without_500(app, world, tokens, role):
    """Each GET route (path ids odd or huge), with every argument the portal reads set to
    each odd value in turn: never a 500, and a refusal says why in Chinese."""
    from tests.support.web import Auth

    client = app.test_client()
    Auth(client).login(role)
    names = _args_read(app)
    problems, sent = [], 0
    rules = [r for r in app.url_map.iter_rules()
             if "GET" in r.methods and not SKIPPED.search(r.rule)]
    for rule in rules:
        headers = tokens[role] if rule.rule.startswith("/api/") else {}
        urls = {_fill(rule, v) for v in (HUGE, "abc")} if rule._converters else {rule.rule}
        for url in sorted(u for u in urls if u):
            for value in ROUTE_VALUES:
                args = dict.fromkeys(names | set(_list_args(rule.endpoint)), value)
                response = client.get(url, query_string=args, headers=headers)
                sent += 1
                wrong = _answer_is_refusal(response)
                if wrong:
                    problems.append(f"GET {url} ?…={value[:20]!r}: {wrong}")
    assert sent > 500
    assert not problems, f"{len(problems)} of {sent}:\n" + "\n".join(sorted(set(problems))[:80])

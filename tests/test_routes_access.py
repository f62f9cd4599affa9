"""Access generated from the routes: every rule of app.url_map, every method, every role.

Each call is compared with the one table in tests/support/access_table.py; a route without an
entry there fails by name. A call that is refused, or that only reads, must change no
row: the row counts of every table and the content of the row it names are compared
before and after. Rows a call may delete are made fresh for it.
"""

from __future__ import annotations

import os
from urllib.parse import urlencode, urlsplit

import pytest

from tests.support import access_rows
from tests.support.access_table import (
    DENIED,
    ENDPOINTS,
    LOGIN,
    MISSING,
    NOT_ALLOWED,
    OK,
    ROLES,
    expected,
)
from tests.support.web import Auth, csrf_token

TABLE_FILE = os.environ.get("ROUTES_TABLE", "/tmp/routes_roles_table.md")
SKIPPED_METHODS = {"HEAD", "OPTIONS"}
RESULTS: dict[tuple[str, str, str], dict[str | None, str]] = {}


def rules(app) -> list:
    """Every URL rule the app registers, in a stable order."""
    return sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint))


def methods(rule) -> list[str]:
    return sorted(rule.methods - SKIPPED_METHODS)


def outcome(response) -> str:
    """What a response means for access: let through, refused, sent to log in, not found."""
    code = response.status_code
    if code in (301, 302, 303, 307, 308):
        return LOGIN if urlsplit(response.headers["Location"]).path == "/login/" else OK
    if code == 401:
        return LOGIN
    if code in (403, 404, 405):
        return {403: DENIED, 404: MISSING, 405: NOT_ALLOWED}[code]
    if code >= 500:
        return str(code)
    return OK


class Caller:
    """One role's clients: a logged-in browser session and a JWT for the API."""

    def __init__(self, app, role: str) -> None:
        self.app, self.role = app, role
        self.client = app.test_client()
        self.api = app.test_client()  # no session cookie: the API by its token only
        self.headers: dict[str, str] = {}
        if role != "anonymous":
            Auth(self.client).login(role)
            self.headers = {"Authorization": f"Bearer {self._jwt()}"}
        self.token = csrf_token(self.client, "/login/" if role == "anonymous" else "/")

    def _jwt(self) -> str:
        from tests.support.world import PASSWORD

        response = self.api.post("/api/v1/security/login", json={
            "username": self.role, "password": PASSWORD, "provider": "db"})
        return response.json["access_token"]

    def call(self, method: str, url: str, body: dict[str, str]):
        if url.startswith("/api/"):
            json = {} if method in ("POST", "PUT") else None
            return self.api.open(url, method=method, json=json, headers=self.headers)
        data = {"csrf_token": self.token, **body} if method != "GET" else None
        response = self.client.open(url, method=method, data=data)
        if url == "/logout/":  # it ends the session (its CSRF token) and the user's tokens
            if self.role != "anonymous":
                Auth(self.client).login(self.role)
                self.headers = {"Authorization": f"Bearer {self._jwt()}"}
            self.token = csrf_token(self.client, "/login/" if self.role == "anonymous" else "/")
        return response


@pytest.fixture(scope="module")
def base_rows(app, world) -> dict[tuple[str, str], int]:
    """(table, department) -> a row id: the world's rows, and a few made for this test."""
    w = world
    rows: dict[tuple[str, str], int] = {}
    with app.app_context():
        for dept, own in (("a", w.a), ("b", w.b)):
            for table, row in own.items():
                rows[(table, dept)] = row
            shared = {"node_template": w.template, "template_node": w.node,
                      "holiday": w.holiday, "circular": w.circular, "job_run": w.job_run}
            rows |= {(table, dept): row for table, row in shared.items()}
            for table in ("supervision", "circular", "login_log", "ab_user", "ab_role",
                          "ab_group", "ab_permission", "ab_view_menu", "ab_permission_view"):
                rows[(table, dept)] = access_rows.fresh_row(w, table, dept)
            rows[("notification", dept)] = access_rows.notification_for(f"staff_{dept}")
    return rows


@pytest.fixture(scope="module", autouse=True)
def _write_table():
    yield
    if RESULTS:
        write_table(TABLE_FILE)


def filled(values: dict[str, str], row: int | None) -> dict[str, str]:
    return {key: str(row) if value == "{row}" else value for key, value in values.items()}


def build_url(rule, entry, row: int | None) -> str:
    values = dict(entry.args)
    for name in rule.arguments:
        if name in ("pk", "task_id", "owner_id"):
            values[name] = row
    url = rule.build(values, append_unknown=False)[1]
    query = filled(entry.query, row)
    return f"{url}?{urlencode(query)}" if query else url


def check_call(app, world, caller: Caller, rule, method: str, dept: str | None,
               base_rows: dict) -> str | None:
    """Call one route once; a message if the outcome or the data is not as the table says."""
    entry = ENDPOINTS[rule.endpoint]
    want = expected(rule.endpoint, method, caller.role, dept)
    row = None
    with app.app_context():
        if entry.table is not None:
            fresh = entry.fresh and method in entry.mutates
            row = (access_rows.fresh_row(world, entry.table, dept) if fresh
                   else base_rows[(entry.table, dept)])
        before = access_rows.fingerprint(entry.table, row)
    url = build_url(rule, entry, row)
    response = caller.call(method, url, filled(entry.body, row))
    got = outcome(response)
    response.close()
    RESULTS.setdefault((rule.endpoint, method, rule.rule), {})
    RESULTS[(rule.endpoint, method, rule.rule)][f"{caller.role}:{dept}"] = got
    if got != want:
        return f"{method} {url} as {caller.role} (row of {dept}): {got}, expected {want}"
    changes = got == OK and method in entry.mutates
    with app.app_context():
        after = access_rows.fingerprint(entry.table, row)
    if not changes and after != before:
        return f"{method} {url} as {caller.role} (row of {dept}): {got}, but data changed"
    if changes and entry.verbs[method] == "D" and after[1] is not None:
        return f"{method} {url} as {caller.role} (row of {dept}): {got}, but the row remains"
    return None


def test_every_route_has_an_entry(app):
    missing = sorted({r.endpoint for r in rules(app)} - set(ENDPOINTS))
    assert not missing, (
        "routes without an entry in tests/support/access_table.py (say who may call them): "
        + ", ".join(f"{r.endpoint} {r.rule}" for r in rules(app) if r.endpoint in missing))


def test_no_stale_entries(app):
    stale = sorted(set(ENDPOINTS) - {r.endpoint for r in rules(app)})
    assert not stale, ("entries in tests/support/access_table.py for routes that no longer "
                       f"exist: {stale}")


@pytest.mark.parametrize("role", ROLES)
def test_routes_as_role(app, world, base_rows, role):
    caller = Caller(app, role)
    problems = []
    for rule in rules(app):
        if rule.endpoint not in ENDPOINTS:
            continue  # test_every_route_has_an_entry names it
        entry = ENDPOINTS[rule.endpoint]
        for method in methods(rule):
            for dept in ("a", "b") if entry.table else (None,):
                problem = check_call(app, world, caller, rule, method, dept, base_rows)
                if problem:
                    problems.append(problem)
    assert not problems, f"{len(problems)} calls not as tests/support/access_table.py says:\n" + \
        "\n".join(problems)


def test_other_methods_are_405(app):
    client = app.test_client()
    wrong = []
    for rule in rules(app):
        if rule.endpoint not in ENDPOINTS:
            continue
        spare = next(m for m in ("PATCH", "PUT", "DELETE", "POST") if m not in rule.methods)
        url = build_url(rule, ENDPOINTS[rule.endpoint], 1)
        if client.open(url, method=spare).status_code != 405:
            wrong.append(f"{spare} {url}")
    assert not wrong, f"methods a route does not declare must answer 405: {wrong}"


def write_table(path: str) -> None:
    """The routes x roles table, as markdown: a cell is the outcome on A's row / B's row."""
    lines = ["# Routes x roles (tests/test_routes_access.py)", "",
             "ok = let through; 403 = refused; login = sent to log in (API: 401); "
             "404 = out of scope / not found; a/b = on a row of department A / B "
             "(staff_a belongs to A, staff_b to B).", "",
             "| route | method | " + " | ".join(ROLES) + " |",
             "|---|---|" + "---|" * len(ROLES)]
    for (endpoint, method, rule), cells in sorted(RESULTS.items(), key=lambda i: i[0][2]):
        row = []
        for role in ROLES:
            a, b, none = (cells.get(f"{role}:{d}") for d in ("a", "b", "None"))
            row.append(none or (a if a == b else f"{a}/{b}") or "")
        lines.append(f"| `{rule}` ({endpoint}) | {method} | " + " | ".join(row) + " |")
    with open(path, "w", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")

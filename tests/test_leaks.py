"""No answer carries a secret or another user's account internals (issue 14, item 1).

The walk requests every GET route of app.url_map as each role, on rows of both departments
(the routes and ids of tests/test_routes_access.py), and looks in each body — JSON, HTML,
and the XML inside .xlsx/.docx files — for a password hash, a token of any session, the
walking browser's session id and its stored key (issue 15: pages list sessions), the
SECRET_KEY, and the values of other logins' columns besides their name (e-mail, login
times, login counts). Admin's own screens for accounts (Security, the audit log) show
e-mail and login times by design; hashes and tokens nowhere.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import zipfile

import pytest
from flask_appbuilder import ModelRestApi
from flask_appbuilder.api.convert import Model2SchemaConverter
from flask_appbuilder.models.sqla.interface import SQLAInterface

from app import models as m
from app.extensions import db
from app.web.api_base import ScopedApi, declared
from app.web.api_schema import account_leaks
from tests.support.access_table import ENDPOINTS, ROLES
from tests.support.world import PASSWORD
from tests.test_routes_access import Caller, base_rows, build_url, rules  # noqa: F401

HASH = re.compile(r"scrypt:|pbkdf2:|\$2[aby]\$|\$argon2")
# a login's columns besides its name, as JSON keys (a value, not an OpenAPI property)
ACCOUNT_KEYS = {"password", "login_count", "fail_login_count", "last_login", "username",
                "first_name", "last_name"}
ROLES_WALKED = [role for role in ROLES if role != "anonymous"]
ADMIN_SCREENS = {"Security", "AuditLog"}  # Admin manages accounts there
WALKED_FILE = os.environ.get("LEAKS_WALKED", "/tmp/leaks_walked.txt")


def test_person_api_shows_no_login_internals(client, api_token, world):
    """The attack: staff of A reads the county head's login through /api/v1/person/."""
    headers = api_token("staff_a")
    for url in ("/api/v1/person/", f"/api/v1/person/{world.leader_person}",
                "/api/v1/person/?q=(columns:!(user))"):
        response = client.get(url, headers=headers)
        assert response.status_code == 200, url
        body = response.get_data(as_text=True)
        assert not HASH.search(body), f"{url} answers a password hash"
        for column in ("login_count", "fail_login_count", "last_login", "password", "@"):
            assert column not in body, f"{url} answers the login's {column}"
    leader = client.get(f"/api/v1/person/{world.leader_person}", headers=headers).json
    assert leader["result"]["user"] == "王县长 县长"  # the login: its display name


def test_put_without_the_login_keeps_it(client, api_token, world, db_session):
    """The login is write-only in the API; a PUT that leaves it out keeps the link."""
    headers = api_token("admin")
    response = client.put(f"/api/v1/person/{world.clerk}", json={"phone": "13900000009"},
                          headers=headers)
    assert response.status_code == 200, response.json
    assert "user" not in response.json["result"]
    clerk = db_session.get(m.Person, world.clerk)
    db_session.refresh(clerk)
    assert clerk.user is not None and clerk.user.username == "supervisor"


def test_every_api_answers_no_login_columns(app):
    """Every registered REST resource is a ScopedApi whose schemas reach no login column."""
    apis = [v for v in app.appbuilder.baseviews if isinstance(v, ModelRestApi)]
    assert apis and all(isinstance(api, ScopedApi) for api in apis), \
        [type(api).__name__ for api in apis if not isinstance(api, ScopedApi)]
    for api in apis:
        for kind in ("list", "show", "add", "edit"):
            schema = getattr(api, f"{kind}_model_schema")
            assert account_leaks(schema) == [], (type(api).__name__, kind)


def test_the_check_catches_a_nested_login(app):
    """FAB's own converter nests Person's login whole: the check names it."""
    with app.app_context():
        converter = Model2SchemaConverter(SQLAInterface(m.Person, db.session), {})
        assert account_leaks(converter.convert(["name", "user"])) == ["user"]


def test_a_resource_must_declare_its_columns():
    class Careless(ScopedApi):
        datamodel = SQLAInterface(m.Holiday)
        list_columns = show_columns = ["day"]

    with pytest.raises(TypeError, match="add_columns, edit_columns"):
        declared(Careless.__new__(Careless))


@pytest.fixture(scope="module")
def tokens(app) -> set[str]:
    """An access and a refresh token of a session of every role."""
    client, found = app.test_client(), set()
    for role in ROLES_WALKED:
        answer = client.post("/api/v1/security/login", json={
            "username": role, "password": PASSWORD, "provider": "db", "refresh": True}).json
        found |= {answer["access_token"], answer["refresh_token"]}
    return found


def session_secrets(client) -> set[str]:
    """The id a browser's session cookie carries, and the key it is stored under."""
    cookie = client.get_cookie("session")
    assert cookie is not None, "the walk's browser is logged in"
    return {cookie.value, hashlib.sha256(cookie.value.encode()).hexdigest()}


def other_accounts(app, role: str) -> set[str]:
    """The values of other logins' columns that are not a name, as pages would print them."""
    values = set()
    with app.app_context():
        for user in db.session.scalars(db.select(m.User).where(m.User.username != role)):
            values.add(user.email)
            for moment in (user.created_on, user.changed_on, user.last_login):
                if moment is not None:
                    values |= {moment.isoformat(), str(moment)}
    return values


def texts(response) -> list[str]:
    """The body as text: a zip file's (.xlsx, .docx) XML members one by one."""
    data = response.get_data()
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            return [book.read(n).decode("utf-8", "replace") for n in book.namelist()
                    if n.endswith((".xml", ".rels"))]
    return [data.decode("utf-8", "replace")]


def account_keys(value: object) -> set[str]:
    """Login columns that a JSON document carries as values."""
    if isinstance(value, list):
        return set().union(*(account_keys(v) for v in value))
    if not isinstance(value, dict):
        return set()
    found = {k for k, v in value.items() if k in ACCOUNT_KEYS and not isinstance(v, dict)}
    return found.union(*(account_keys(v) for v in value.values()))


def leaks(response, secrets: set[str], accounts: set[str]) -> list[str]:
    """What of the secrets and of other logins' columns one answer carries."""
    found = []
    for text in texts(response):
        found += [f"hash {HASH.search(text).group()}"] if HASH.search(text) else []
        found += ["a secret or a token" for s in secrets if s in text][:1]
        found += [f"a login's {v!r}" for v in accounts if v in text]
    if response.is_json:
        found += [f"a login's {k}" for k in sorted(account_keys(response.json))]
    return found


@pytest.mark.parametrize("role", ROLES_WALKED)
def test_no_answer_carries_secrets(app, world, base_rows, tokens, role):  # noqa: F811
    """Every GET route as `role`, on rows of both departments."""
    caller = Caller(app, role)
    keys = {app.config["SECRET_KEY"], app.config.get("JWT_SECRET_KEY")}
    secrets = tokens | {key for key in keys if key}
    secrets.add(caller.headers["Authorization"].removeprefix("Bearer "))
    secrets |= session_secrets(caller.client)  # 个人信息 lists one's sessions (issue 15)
    accounts = other_accounts(app, role)
    found, walked = [], 0
    for rule in rules(app):
        entry = ENDPOINTS.get(rule.endpoint)
        if entry is None or "GET" not in rule.methods:
            continue  # tests/test_routes_access.py names a route without an entry
        for dept in ("a", "b") if entry.table else (None,):
            url = build_url(rule, entry, base_rows[(entry.table, dept)] if dept else None)
            response = caller.call("GET", url, {})
            exempt = role == "admin" and entry.resource in ADMIN_SCREENS
            found += [f"GET {url}: {leak}" for leak in
                      leaks(response, secrets, set() if exempt else accounts)]
            response.close()
            walked += 1
    with open(WALKED_FILE, "a", encoding="utf-8") as out:
        out.write(f"{role} {walked}\n")
    assert walked > 150, walked
    assert not found, f"{len(found)} answers carry secrets or logins' columns:\n" + \
        "\n".join(found)

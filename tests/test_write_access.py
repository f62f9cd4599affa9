"""A permission taken away on the role screen holds on every route that writes with it.

Generated from the registered routes and the roles' permissions: for each role and each
add, edit or delete permission it holds by default (app/domain/roles.py), the permission is
removed from the role in the database as 权限管理 › 角色列表 does, and every way of writing
with it (tests/write_routes.py: FAB views, the REST API, every hand-written page) must
answer 403 and save nothing; given back, the same request must do its write. A route
that can write and is missing from tests/write_routes.py fails by name.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select
from werkzeug.test import TestResponse

from app import models as m
from app.domain import write_guard
from app.domain.roles import ROLE_PERMISSIONS
from app.extensions import db
from tests.support import access_rows
from tests.support import write_pages as p
from tests.support.web import Auth, csrf_token
from tests.support.world import PASSWORD
from tests.support.write_cases import Call, Case, Ctx, Snapshot
from tests.support.write_routes import WRITES

pytestmark = pytest.mark.usefixtures("leaves_no_rows")

LOGINS = {"supervisor": "Supervisor", "staff_a": "DeptStaff", "admin": "Admin"}
KIND = {"supervisor": "office", "admin": "office", "staff_a": "staff"}
WRITE_METHODS = {"POST", "PUT", "DELETE"}
Permission = tuple[str, str]
CASES = [(endpoint, case) for endpoint, cases in WRITES.items() if not isinstance(cases, str)
         for case in cases]
EVERY_NEED = frozenset().union(*(case.needs for _endpoint, case in CASES))


def held(role: str) -> frozenset[Permission]:
    """What a role holds by default; Admin holds everything."""
    if role == "Admin":
        return EVERY_NEED
    return frozenset((perm, resource) for resource, perms in ROLE_PERMISSIONS[role].items()
                     for perm in perms)


def plan() -> dict[tuple[str, Permission], list[tuple[str, Case]]]:
    """(login, permission) -> the ways of writing that need it and the login may use.

    Admin only takes the permissions no other role holds (节假日), the others all theirs.
    """
    others = held("Supervisor") | held("DeptStaff")
    out: dict[tuple[str, Permission], list[tuple[str, Case]]] = {}
    for login, role in LOGINS.items():
        for endpoint, case in CASES:
            if KIND[login] not in case.kinds or not case.needs <= held(role):
                continue
            for permission in case.needs:
                if role != "Admin" or permission not in others:
                    out.setdefault((login, permission), []).append((endpoint, case))
    return out


PLAN = plan()


def write_routes(app) -> dict[str, str]:
    """endpoint -> rule of every route that can write: a write method, or FAB's delete."""
    return {rule.endpoint: rule.rule for rule in app.url_map.iter_rules()
            if rule.methods & WRITE_METHODS or rule.endpoint.endswith(".delete")}


class Caller:
    """One login's browser session (with its CSRF token) and its JWT for the API."""

    def __init__(self, app, login: str) -> None:
        self.client, self.api = app.test_client(), app.test_client()
        Auth(self.client).login(login)
        self.token = csrf_token(self.client)
        response = self.api.post("/api/v1/security/login", json={
            "username": login, "password": PASSWORD, "provider": "db"})
        self.headers = {"Authorization": f"Bearer {response.json['access_token']}"}

    def send(self, call: Call) -> TestResponse:
        if call.url.startswith("/api/"):
            return self.api.open(call.url, method=call.method, json=call.json,
                                 headers=self.headers)
        data = {"csrf_token": self.token, **(call.form or {})}
        for name, (content, filename) in call.files.items():
            data[name] = (io.BytesIO(content), filename)  # a fresh stream for each send
        return self.client.open(call.url, method=call.method, data=data)


@pytest.fixture(scope="module")
def callers(app, world) -> Iterator:
    made: dict[str, Caller] = {}

    def caller(login: str) -> Caller:
        if login not in made:
            made[login] = Caller(app, login)
        return made[login]

    yield caller


@pytest.fixture(scope="module", autouse=True)
def _roles_kept(app, world) -> Iterator[None]:
    """Whatever happens, the roles end the module with the permissions they began with."""
    with app.app_context():
        sm = app.appbuilder.sm
        kept = {name: list(sm.find_role(name).permissions) for name in LOGINS.values()}
    yield
    with app.app_context():
        for name, permissions in kept.items():
            sm.find_role(name).permissions = [db.session.merge(pv) for pv in permissions]
        db.session.commit()


def grant(app, role_name: str, permission: Permission, granted: bool) -> None:
    """Give or take a permission of a role and commit, as the role screen saves it."""
    with app.app_context():
        sm = app.appbuilder.sm
        role = sm.find_role(role_name)
        pv = sm.find_permission_view_menu(*permission)
        assert pv is not None, f"no permission {permission}"
        if granted:
            role.permissions.append(pv)
        else:
            role.permissions.remove(pv)
        db.session.commit()


@contextmanager
def without(app, role_name: str, permission: Permission) -> Iterator[None]:
    grant(app, role_name, permission, False)
    try:
        yield
    finally:
        grant(app, role_name, permission, True)


def snapshot(app, watch: list[tuple[str, int]]) -> Snapshot:
    with app.app_context():
        counts, _row = access_rows.fingerprint(None, None)
        rows = {}
        for name, row_id in watch:
            table = m.Model.metadata.tables[name]
            found = db.session.execute(select(table).where(table.c.id == row_id)).first()
            rows[(name, row_id)] = tuple(found) if found is not None else None
        db.session.rollback()
    return Snapshot(counts, rows)


def refused(response: TestResponse) -> bool:
    """403, and the refusal said in Chinese (a page, or the API's message)."""
    if response.status_code != 403:
        return False
    if response.is_json:
        return bool(response.json.get("message"))
    return "权限" in response.get_data(as_text=True)


def routed(app, call: Call) -> str:
    """The endpoint a call reaches."""
    adapter = app.url_map.bind("localhost")
    endpoint, _args = adapter.match(urlsplit(call.url).path, method=call.method)
    return endpoint


def test_every_write_route_is_listed(app):
    missing = sorted(set(write_routes(app)) - set(WRITES))
    assert not missing, "routes that can write, missing from tests/write_routes.py " + \
        "(say what they write): " + ", ".join(f"{e} {write_routes(app)[e]}" for e in missing)


def test_no_stale_routes(app):
    stale = sorted(set(WRITES) - set(write_routes(app)))
    assert not stale, f"tests/write_routes.py lists routes that no longer write: {stale}"


def test_every_way_of_writing_is_tried():
    tried = {id(case) for cases in PLAN.values() for _endpoint, case in cases}
    untried = [f"{endpoint} {case.label}" for endpoint, case in CASES if id(case) not in tried]
    assert not untried, f"no login may use these ways of writing: {untried}"


def _name(endpoint: str, case: Case, call: Call) -> str:
    return f"{endpoint}{f' ({case.label})' if case.label else ''} {call.method} {call.url}"


@pytest.mark.parametrize(("login", "permission"), sorted(PLAN),
                         ids=[f"{login}-{perm}-{resource}" for login, (perm, resource)
                              in sorted(PLAN)])
def test_a_removed_permission_refuses_every_write(app, world, callers, login, permission):
    caller = callers(login)
    ctx = Ctx(app, world, login, caller.client)
    calls = [(endpoint, case, case.build(ctx)) for endpoint, case in PLAN[(login, permission)]]
    problems = [f"{_name(e, c, call)} reaches {routed(app, call)}"
                for e, c, call in calls if routed(app, call) != e]
    with without(app, LOGINS[login], permission):
        for endpoint, case, call in calls:
            before = snapshot(app, call.watch)
            response = caller.send(call)
            if not refused(response):
                problems.append(f"{_name(endpoint, case, call)}: {response.status_code} "
                                f"without {permission}")
            elif snapshot(app, call.watch) != before:
                problems.append(f"{_name(endpoint, case, call)}: refused, but saved")
    for endpoint, case, call in calls:
        before = snapshot(app, call.watch)
        response = caller.send(call)
        if response.status_code >= 400 or not call.effect.holds(before, snapshot(app, call.watch)):
            problems.append(f"{_name(endpoint, case, call)}: {response.status_code} with "
                            f"{permission} given back, {call.effect} not done")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("verb", ["add", "edit", "delete"])
def test_a_crud_view_answers_the_guards_refusal(app, world, callers, monkeypatch, verb):
    """A write FAB's view lets through and the flush guard refuses: 403 with the refusal,
    nothing saved, and no "saved" or "database error" message then or on the next page."""
    caller = callers("supervisor")
    call = WRITES[f"FeedbackView.{verb}"][0].build(Ctx(app, world, "supervisor", caller.client))
    monkeypatch.setattr(write_guard, "_resource", lambda *_args: ("can_edit", "Nowhere"))
    before = snapshot(app, call.watch)
    response = caller.send(call)
    assert refused(response) and snapshot(app, call.watch) == before
    assert "您没有执行此操作的权限" in response.get_data(as_text=True)
    assert "alert-" not in caller.client.get("/").get_data(as_text=True)


def test_a_photo_filed_with_its_report_needs_the_add_permission_only(app, world, callers):
    caller = callers("staff_a")
    call = p.ledger_feedback_photo(Ctx(app, world, "staff_a", caller.client))
    with without(app, "DeptStaff", ("can_edit", "Feedback")):
        before = snapshot(app, call.watch)
        response = caller.send(call)
        assert response.status_code == 302
        assert call.effect.holds(before, snapshot(app, call.watch))

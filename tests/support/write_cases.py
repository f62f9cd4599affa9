"""Valid write requests, one per way a row can be written, for tests/test_write_access.py.

A *case* names the permissions its write needs ("Feedback A": can_add on Feedback) and
builds its request: fresh rows made by the system, a form read from its page as the
acting user's browser would, and the *effect* the request has once it is let through.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace

from flask import Flask
from flask.testing import FlaskClient

from app.domain import status
from app.extensions import db
from tests.support import access_rows
from tests.support.access_table import TABLES
from tests.support.html_forms import form_fields
from tests.support.payloads import payload
from tests.test_access import as_form

PERMISSION = {"R": "can_read", "A": "can_add", "E": "can_edit", "D": "can_delete",
              "X": "can_rebuild"}
PDF = b"%PDF-1.4\n% a test attachment\n"
_serial = itertools.count(1)


def need(*specs: str) -> frozenset[tuple[str, str]]:
    """Permissions from "Resource V" specs: need("Feedback A") = {("can_add", "Feedback")}."""
    pairs = (spec.split() for spec in specs)
    return frozenset((PERMISSION[verb], resource) for resource, verb in pairs)


@dataclass(frozen=True)
class Effect:
    """What a let-through call changes: rows added to a table, or one row changed/removed."""

    kind: str  # "added", "changed", "removed"
    table: str
    row: int | None = None

    def holds(self, before: Snapshot, after: Snapshot) -> bool:
        if self.kind == "added":
            return after.counts[self.table] > before.counts[self.table]
        old, new = before.row(self.table, self.row), after.row(self.table, self.row)
        return new is None if self.kind == "removed" else new is not None and new != old


def added(table: str) -> Effect:
    return Effect("added", table)


def changed(table: str, row: int) -> Effect:
    return Effect("changed", table, row)


def removed(table: str, row: int) -> Effect:
    return Effect("removed", table, row)


@dataclass(frozen=True)
class Snapshot:
    """Row counts of every table and the content of the rows a call names."""

    counts: dict[str, int]
    rows: dict[tuple[str, int], tuple | None]

    def row(self, table: str, row_id: int | None) -> tuple | None:
        return self.rows[(table, row_id)]


@dataclass(frozen=True)
class Call:
    """One request: a form (the CSRF token is added), JSON for the API, files to upload."""

    method: str
    url: str
    effect: Effect
    form: dict | None = None
    json: dict | None = None
    files: dict[str, tuple[bytes, str]] = field(default_factory=dict)

    @property
    def watch(self) -> list[tuple[str, int]]:
        return [(self.effect.table, self.effect.row)] if self.effect.row else []


@dataclass
class Ctx:
    """What a case builds its request with: the app, the world and the acting browser."""

    app: Flask
    world: SimpleNamespace
    login: str
    client: FlaskClient

    def fresh(self, table: str) -> int:
        """A new row of the table in department A, made by the system."""
        with self.app.app_context():
            return access_rows.fresh_row(self.world, table, "a")

    def made(self, build: Callable[[], list]) -> list[int]:
        """Rows built (inside an app context) and committed by the system; their ids."""
        with self.app.app_context():
            rows = build()
            db.session.add_all(rows)
            db.session.commit()
            return [row.id for row in rows]

    def value(self, model: type, row_id: int, column: str) -> object:
        """A column of a row, as stored."""
        with self.app.app_context():
            return getattr(db.session.get(model, row_id), column)

    @property
    def today(self) -> dt.date:
        with self.app.app_context():
            return status.today()

    def form(self, url: str, form_id: str = "model_form") -> dict[str, list[str]]:
        """The form of a page as the acting user's browser has it."""
        response = self.client.get(url)
        assert response.status_code == 200, f"GET {url}: {response.status_code}"
        return form_fields(response.get_data(as_text=True), form_id)


Build = Callable[[Ctx], Call]


@dataclass(frozen=True)
class Case:
    """One way of writing: the permissions it needs, and how to build its request."""

    needs: frozenset[tuple[str, str]]
    build: Build
    label: str = ""
    kinds: frozenset[str] = frozenset({"office", "staff"})  # office: unscoped logins


def serial() -> int:
    return next(_serial)


# --- FAB's CRUD views and REST resources, for every table -------------------------------

EDITED = {  # resource -> (the column an edit changes, the new value)
    "Department": ("name", lambda n: f"改名单位{n}"), "Person": ("title", lambda n: "副局长"),
    "Project": ("name", lambda n: f"改名项目{n}"), "InvestmentReport": ("amount", lambda n: 7),
    "Meeting": ("title", lambda n: f"改名会议{n}"), "Task": ("title", lambda n: f"改名任务{n}"),
    "Extension": ("reason", lambda n: "改写理由"), "Feedback": ("progress", lambda n: "改写进展"),
    "Supervision": ("message", lambda n: "改写督促"),
    "Problem": ("description", lambda n: f"改写问题{n}"),
    "NodeTemplate": ("name", lambda n: f"改名模板{n}"),
    "TemplateNode": ("title", lambda n: f"改名节点{n}"),
    "Holiday": ("name", lambda n: "改名假日"),
}


def _names(resource: str) -> tuple[str, str, str]:
    view, _api, table = TABLES[resource]
    return f"/{view.lower()}", table, resource


def view_add(resource: str) -> Build:
    def build(ctx: Ctx) -> Call:
        base, table, _ = _names(resource)
        return Call("POST", f"{base}/add", added(table), form=as_form(payload(table, ctx.world)))
    return build


def view_edit(resource: str, column: str | None = None, value: str | None = None) -> Build:
    def build(ctx: Ctx) -> Call:
        base, table, _ = _names(resource)
        row = ctx.fresh(table)
        form = ctx.form(f"{base}/edit/{row}")
        name, make = EDITED[resource]
        form[column or name] = [str(value or make(serial()))]
        return Call("POST", f"{base}/edit/{row}", changed(table, row), form=form)
    return build


def view_delete(resource: str) -> Build:
    def build(ctx: Ctx) -> Call:
        base, table, _ = _names(resource)
        row = ctx.fresh(table)
        return Call("POST", f"{base}/delete/{row}", removed(table, row), form={})
    return build


def api_post(resource: str) -> Build:
    def build(ctx: Ctx) -> Call:
        table = TABLES[resource][2]
        return Call("POST", f"/api/v1/{table}/", added(table), json=payload(table, ctx.world))
    return build


def api_put(resource: str, column: str | None = None, value: str | None = None) -> Build:
    def build(ctx: Ctx) -> Call:
        table = TABLES[resource][2]
        row = ctx.fresh(table)
        name, make = EDITED[resource]
        change = {column or name: value or make(serial())}
        return Call("PUT", f"/api/v1/{table}/{row}", changed(table, row), json=change)
    return build


def api_delete(resource: str) -> Build:
    def build(ctx: Ctx) -> Call:
        table = TABLES[resource][2]
        row = ctx.fresh(table)
        return Call("DELETE", f"/api/v1/{table}/{row}", removed(table, row))
    return build


def crud_cases(resource: str) -> dict[str, tuple[Case, ...]]:
    """The six writes of a table: add, edit and delete by its CRUD view and its REST API."""
    view, api, _table = TABLES[resource]
    verbs = {"add": "A", "edit": "E", "delete": "D", "post": "A", "put": "E"}
    builders = {f"{view}.add": view_add, f"{view}.edit": view_edit,
                f"{view}.delete": view_delete, f"{api}.post": api_post, f"{api}.put": api_put,
                f"{api}.delete": api_delete}
    return {endpoint: (Case(need(f"{resource} {verbs.get(endpoint.split('.')[1], 'D')}"),
                            make(resource)),)
            for endpoint, make in builders.items()}

"""The search form's drop-downs load as they open (issue 19, item 2): a list page renders no
unit it is not filtered by, and the choices come from a JSON endpoint in the user's scope."""

from __future__ import annotations

import re

import pytest

from app import models as m
from tests.support.database import counting

SELECT = re.compile(r'<select class="form-control kl-lazy-select"[^>]*>.*?</select>')


def search_fields(page: str) -> str:
    """The search form's fields, which FAB's page carries as JSON for its script."""
    page = re.sub(r"\\u([0-9a-fA-F]{4})", lambda code: chr(int(code.group(1), 16)), page)
    return page.replace('\\"', '"')


@pytest.fixture
def many_units(app):
    """Sixty more units, for as long as the test runs."""
    from app.extensions import db

    with app.app_context():
        units = [m.Department(name=f"懒加载局{i:02d}", kind="other") for i in range(60)]
        db.session.add_all(units)
        db.session.commit()
        ids = [unit.id for unit in units]
    yield ids
    with app.app_context():
        db.session.execute(db.delete(m.Department).where(m.Department.id.in_(ids)))
        db.session.commit()


def statements(app, client, url: str) -> list[str]:
    from app.extensions import db

    with app.app_context():
        engine = db.engine
    client.get(url)
    with counting(engine) as seen:
        assert client.get(url).status_code == 200
    return seen


def test_the_task_list_does_not_grow_with_the_units(app, client, auth, request):
    auth.login("supervisor")
    before = len(statements(app, client, "/taskview/list/"))
    request.getfixturevalue("many_units")
    page = client.get("/taskview/list/").get_data(as_text=True)
    after = statements(app, client, "/taskview/list/")
    assert len(after) == before, after
    assert not any("FROM department" in s for s in after)  # no drop-down read at all
    assert "懒加载局" not in page  # no choice rendered
    assert "kl-lazy-select" in page and "/taskview/choices/department/" in page
    assert "/static/js/lazy-select.js" in page
    assert "/static/appbuilder/js/select2/select2.min.js" in page  # FAB's, no CDN


@pytest.mark.parametrize("url", ["/projectview/list/", "/personview/list/",
                                 "/complianceview/list/"])
def test_no_list_renders_its_units(app, client, auth, many_units, url):
    auth.login("supervisor")
    page = client.get(url).get_data(as_text=True)
    assert "懒加载局" not in page


def choices(client, url: str, **args) -> list[str]:
    response = client.get(url, query_string=args)
    assert response.status_code == 200, response.get_data(as_text=True)
    return [row["text"].strip() for row in response.json["results"]]


def test_choices_are_in_the_users_scope(app, client, auth, world):
    auth.login("staff_a")
    assert choices(client, "/taskview/choices/department/") == ["住建局"]
    assert choices(client, "/taskview/choices/department/", q="工信") == []
    auth.logout()
    auth.login("supervisor")
    every = choices(client, "/taskview/choices/department/")
    assert {"住建局", "工信局", "县领导"} <= set(every)
    assert choices(client, "/taskview/choices/department/", q="工信") == ["工信局"]
    assert choices(client, "/taskview/choices/department/", q="%") == []  # LIKE escaped


def test_choices_come_fifty_at_a_time(app, client, auth, many_units):
    auth.login("supervisor")
    first = client.get("/projectview/choices/lead_department/").json
    assert len(first["results"]) == 50 and first["pagination"]["more"] is True
    second = client.get("/projectview/choices/lead_department/?page=2").json
    assert second["pagination"]["more"] is False
    seen = [row["id"] for row in first["results"] + second["results"]]
    assert len(seen) == len(set(seen)) and set(many_units) <= set(seen)
    assert client.get("/projectview/choices/lead_department/?page=x").status_code == 200


def test_choices_of_no_such_field_or_for_no_one_are_refused(app, client, auth):
    assert client.get("/taskview/choices/department/").status_code == 302  # to the login
    auth.login("staff_a")
    assert client.get("/taskview/choices/title/").status_code == 404  # not a relation
    assert client.get("/taskview/choices/project/").status_code == 404  # not searched by
    assert client.get("/roles/choices/permissions/").status_code == 404  # FAB's: none


def test_a_filter_applied_shows_its_unit_and_only_one_in_scope(app, client, auth, world):
    auth.login("staff_a")
    mine = client.get(f"/taskview/list/?_flt_0_department={world.dept_a}")
    field = SELECT.search(search_fields(mine.get_data(as_text=True))).group(0)
    assert "住建局" in field and "selected" in field
    other = client.get(f"/taskview/list/?_flt_0_department={world.dept_b}")
    assert "工信局" not in SELECT.search(search_fields(other.get_data(as_text=True))).group(0)
    # no id: no option (SQLite then lists nothing; PostgreSQL refuses the filter, and FAB
    # goes back to the home page saying so, in English: not this issue's)
    odd = client.get("/taskview/list/?_flt_0_department=abc")
    assert odd.status_code in (200, 302)

"""The OpenAPI document at /api/v1/_openapi: valid OpenAPI, and true to what the API answers
(issue 14, item 8). The generated client and schemathesis are in test_openapi_client.py and
test_api_conformance.py."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.support.openapi import document, require

pytestmark = pytest.mark.filterwarnings("ignore:Multiple schemas resolved:UserWarning")


@pytest.fixture(scope="module")
def spec(app) -> dict:
    return document(app)


def _schema(spec: dict, name: str) -> dict:
    return spec["components"]["schemas"][name]


def _ref(spec: dict, node: dict) -> dict:
    """The schema a property names, through $ref / allOf / anyOf."""
    while True:
        if "$ref" in node:
            node = _schema(spec, node["$ref"].rsplit("/", 1)[1])
        elif "allOf" in node or "anyOf" in node:
            node = [n for n in node.get("allOf", node.get("anyOf")) if n.get("type") != "null"][0]
        else:
            return node


def _nullable(node: dict) -> bool:
    """Nullable as OpenAPI 3.0 says it (a reference: {"allOf": [ref], "nullable": true})."""
    return node.get("nullable") is True


def test_document_is_valid_openapi(spec):
    validator = require("openapi_spec_validator")
    validator.validate(spec)  # raises on the first error (Decimal bounds written as strings)


def test_info_names_a_client_package(spec):
    assert spec["info"]["title"] == "KeyLedger API"  # → keyledger-api-client
    assert re.fullmatch(r"\d+\.\d+\.\d+", spec["info"]["version"])
    assert "重点项目台账与督办系统" in spec["info"]["description"]


def test_relations_that_can_be_empty_are_nullable(spec):
    task = _schema(spec, "TaskApi.get_list")["properties"]
    assert _nullable(task["person"]) and _nullable(task["meeting"]) and _nullable(task["project"])
    assert not _nullable(task["department"])  # a task always has one
    assert _ref(spec, task["person"])["properties"]["name"]["type"] == "string"
    project = _schema(spec, "ProjectApi.get")["properties"]
    assert _nullable(project["lead_leader"]) and _nullable(project["responsible_person"])
    post = _schema(spec, "TaskApi.post")["properties"]
    assert post["department"]["type"] == "integer" and _nullable(post["person"])
    assert _schema(spec, "MeetingApi.post")["properties"]["projects"]["items"]["type"] == \
        "integer"


def test_money_is_declared_as_the_decimal_string_it_travels_as(app, spec, api_token, client):
    for name in ("ProjectApi.get", "ProjectApi.post"):
        money = _schema(spec, name)["properties"]["total_investment"]
        assert money["type"] == "string" and money["format"] == "decimal", money
        assert "minimum" not in money and re.fullmatch(money["pattern"], "5000.00")
        assert not re.fullmatch(money["pattern"], "-1")
    world = app.config["WORLD"]
    body = client.get(f"/api/v1/project/{world.a['project']}",
                      headers=api_token("admin")).json["result"]
    assert body["total_investment"] == "5000.00"
    assert re.fullmatch(money["pattern"], body["total_investment"])


def test_datetimes_carry_beijing_offset(app, spec, api_token, client):
    stamp = _schema(spec, "TaskApi.get")["properties"]["created_on"]
    assert stamp["format"] == "date-time" and "+08:00" in stamp.get("description", "")
    world = app.config["WORLD"]
    body = client.get(f"/api/v1/task/{world.a['task']}", headers=api_token("admin")).json
    created = dt.datetime.fromisoformat(body["result"]["created_on"])
    assert created.utcoffset() == dt.timedelta(hours=8), body["result"]["created_on"]
    # the moment is right: written within the last day, whatever the machine's zone
    assert abs(dt.datetime.now(dt.UTC) - created) < dt.timedelta(days=1)


def test_every_answer_of_a_resource_is_documented(spec):
    paths = spec["paths"]
    expected = {
        ("/api/v1/task/", "get"): {"200", "400", "401", "403"},
        ("/api/v1/task/", "post"): {"201", "400", "401", "403", "404", "422"},
        ("/api/v1/task/{pk}", "get"): {"200", "400", "401", "403", "404"},
        ("/api/v1/task/{pk}", "put"): {"200", "400", "401", "403", "404", "409", "422"},
        ("/api/v1/task/{pk}", "delete"): {"200", "401", "403", "404", "409", "422"},
    }
    for (path, method), codes in expected.items():
        assert codes <= set(paths[path][method]["responses"]), (path, method)
    # a read-only resource documents no writes
    assert set(paths["/api/v1/compliance/{pk}"]) == {"get"}
    assert "post" not in paths["/api/v1/compliance/"]


def test_q_is_a_string_parameter_a_client_can_pass(spec):
    (q,) = [p for p in spec["paths"]["/api/v1/task/"]["get"]["parameters"] if p["name"] == "q"]
    assert q["schema"]["type"] == "string" and "content" not in q
    assert "rison" in q["description"] and "filters" in q["description"]


def test_validation_messages_are_chinese(client, api_token, app):
    world = app.config["WORLD"]
    response = client.post("/api/v1/task/", headers=api_token("admin"), json={
        "title": "长" * 301, "department": world.a["department"], "assigned_on": "2026-05-12",
        "deadline": "not a date", "bogus": 1})
    assert response.status_code == 422, response.json
    text = str(response.json["message"])
    assert "300" in text and "不能超过" in text, text
    assert "收到“not a date”" in text, text  # the value found, quoted as sent (issue 18)
    words = re.sub(r"“[^”]*”", "", re.sub(r"'\w+'", "", text))  # the message's own words
    assert not re.search(r"[A-Za-z]{4,}", words), text

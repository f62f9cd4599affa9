"""A client generated from /api/v1/_openapi by openapi-python-client, against the portal
served by gunicorn on a loopback port (the test session's database and world): it logs in,
lists tasks with a filter, creates a department, a person, a project and a task, updates
and deletes them (issue 14, item 8). Skips without the generator, fails under CI=true."""

from __future__ import annotations

import datetime as dt
import importlib
from zoneinfo import ZoneInfo

import pytest

from tests.support.openapi import CLIENT_PACKAGE, document, generated_client, served
from tests.support.world import PASSWORD

pytestmark = [pytest.mark.usefixtures("leaves_no_rows"),
              pytest.mark.filterwarnings("ignore:Multiple schemas resolved:UserWarning")]


def _api(name: str):
    return importlib.import_module(f"{CLIENT_PACKAGE}.api.{name}")


def _ok(response, status: int):
    assert response.status_code == status, (response.status_code, response.content[:500])
    return response.parsed


def test_generated_client_keeps_the_ledger(app, world, tmp_path):
    package = generated_client(document(app), tmp_path)
    models = importlib.import_module(f"{CLIENT_PACKAGE}.models")
    login = _api("security.post_api_v1_security_login")
    department, person = _api("department_api"), _api("person_api")
    project, task = _api("project_api"), _api("task_api")
    for module in ("create_department", "delete_department", "create_person",
                   "delete_person", "create_project", "update_project", "get_project",
                   "delete_project", "create_task", "update_task", "get_task", "list_task",
                   "delete_task"):
        importlib.import_module(f"{CLIENT_PACKAGE}.api.{module.split('_', 1)[1]}_api."
                                f"{module}")
    with served(app, tmp_path) as origin:
        with package.Client(base_url=origin, raise_on_unexpected_status=True) as anonymous:
            body = models.PostApiV1SecurityLoginBody(
                username="admin", password=PASSWORD,
                provider=models.PostApiV1SecurityLoginBodyProvider.DB)
            token = _ok(login.sync_detailed(client=anonymous, body=body), 200).access_token
        with package.AuthenticatedClient(base_url=origin, token=token,
                                         raise_on_unexpected_status=True) as api:
            _journey(api, models, task, department, person, project)


def _journey(api, models, task, department, person, project) -> None:
    """What a client of the ledger does, each answer parsed by the generated models."""
    # a filter is an argument: q, rison
    listed = _ok(task.list_task.sync_detailed(
        client=api, q="(filters:!((col:title,opr:eq,value:任务A)))"), 200)
    assert [t.title for t in listed.result] == ["任务A"] and listed.count == 1
    assert listed.result[0].person.name == "张建国"
    assert listed.result[0].created_on.utcoffset() == dt.timedelta(hours=8)

    dept = _ok(department.create_department.sync_detailed(client=api, body=(
        models.DepartmentApiPost(name="客户端测试局", kind=models.DepartmentApiPostKind(
            "department")))), 201).id
    who = _ok(person.create_person.sync_detailed(client=api, body=models.PersonApiPost(
        name="客户端测试人", department=dept)), 201).id
    proj = _ok(project.create_project.sync_detailed(client=api, body=models.ProjectApiPost(
        code="P-CLIENT", name="客户端测试项目", category=models.ProjectApiPostCategory(
            "other"), lead_department=dept, total_investment="1234.50")), 201).id
    today = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()  # the portal's day
    made = _ok(task.create_task.sync_detailed(client=api, body=models.TaskApiPost(
        title="客户端测试任务", department=dept, project=proj, assigned_on=today,
        deadline=today + dt.timedelta(days=60))), 201).id

    # a task without person or meeting lists and reads (the crash of issue 14)
    listed = _ok(task.list_task.sync_detailed(
        client=api, q='{"filters":[{"col":"title","opr":"eq","value":"客户端测试任务"}]}'),
        200)
    (row,) = listed.result
    assert row.id == made and row.person is None and row.meeting is None
    assert row.project.name == "客户端测试项目"

    shown = _ok(task.get_task.sync_detailed(made, client=api), 200).result
    _ok(task.update_task.sync_detailed(made, client=api, body=models.TaskApiPut(
        title="客户端改名任务", department=dept, assigned_on=today, deadline=shown.deadline,
        person=who, version=shown.version)), 200)
    shown = _ok(task.get_task.sync_detailed(made, client=api), 200).result
    assert shown.title == "客户端改名任务" and shown.person.name == "客户端测试人"

    _ok(project.update_project.sync_detailed(proj, client=api, body=models.ProjectApiPut(
        code="P-CLIENT", name="客户端测试项目", category=models.ProjectApiPutCategory(
            "other"), lead_department=dept, total_investment="99.9")), 200)
    assert _ok(project.get_project.sync_detailed(proj, client=api),
               200).result.total_investment == "99.90"

    # a refusal is parsed too, in Chinese
    refused = _ok(task.create_task.sync_detailed(client=api, body=models.TaskApiPost(
        title="长" * 301, department=dept, assigned_on=today, deadline=today)), 422)
    assert "不能超过" in str(refused.message.to_dict()["title"])

    for delete, pk in ((task.delete_task, made), (project.delete_project, proj),
                       (person.delete_person, who),
                       (department.delete_department, dept)):
        _ok(delete.sync_detailed(pk, client=api), 200)
    assert task.get_task.sync_detailed(made, client=api).status_code == 404

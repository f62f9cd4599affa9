"""Excel in and out: the import template, all-or-nothing imports, list exports in scope.

Files are built here with openpyxl; dates are relative to status.today(). Every row a test
imports is deleted afterwards: the database is shared by the whole session.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from app import models as m
from app.domain import access
from app.extensions import db
from tests.support.days import today
from tests.support.web import csrf_token

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DAY = dt.timedelta(days=1)
DEPARTMENT = ["名称", "类型", "启用"]
PERSON = ["姓名", "职务", "责任单位", "电话", "电子邮箱", "县级领导"]
PROJECT = ["项目编号", "名称", "类别", "阶段", "项目层级", "总投资（万元）", "年度计划投资（万元）",
           "计划开工", "计划竣工", "牵头单位", "责任人", "分管领导"]
TASK = ["项目编号", "标题", "责任单位", "责任人", "交办日期", "时间节点", "完成日期", "已撤销"]
TABLES = (m.Department, m.Person, m.Project, m.Task)


@contextmanager
def writing(app) -> Iterator[None]:
    """Database work in a test, as nobody (no user left over from a client request)."""
    with app.app_context(), app.test_request_context(), access.acting_as("test:setup"):
        yield


def counts(app) -> dict[str, int]:
    with writing(app):
        return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
                for model in TABLES}


@pytest.fixture(autouse=True)
def _remove_imported(app):
    """Every department, person, project and task a test added goes afterwards."""
    with writing(app):
        before = {model: db.session.scalar(select(func.max(model.id))) or 0 for model in TABLES}
    yield
    with writing(app):
        tasks = select(m.Task.id).where(m.Task.id > before[m.Task])
        supervisions = select(m.Supervision.id).where(m.Supervision.task_id.in_(tasks))
        db.session.execute(m.Notification.__table__.delete().where(
            m.Notification.supervision_id.in_(supervisions)))
        for model in (m.Supervision, m.Feedback, m.Extension):
            db.session.execute(model.__table__.delete().where(model.task_id.in_(tasks)))
        for model in reversed(TABLES):
            db.session.execute(model.__table__.delete().where(model.id > before[model]))
        db.session.commit()


def workbook(sheets: dict[str, list[list]]) -> bytes:
    """An .xlsx file: one sheet per entry, its first row the headers."""
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def good_file(t: dt.date) -> bytes:
    return workbook({
        "责任单位": [DEPARTMENT, ["导入测试局", "职能部门", "是"],
                     ["导入测试镇", "township", None]],
        "责任人": [PERSON, ["钱导入", "科长", "导入测试局", 13900000001, None, "否"],
                   ["孙镇长", "镇长", "导入测试镇", None, "sun@example.cn", "否"]],
        "重点项目": [PROJECT,
                     ["IMP-001", "导入测试项目一", "重大工程", "在建", "县级", 5000, 1200.5,
                      dt.datetime(2026, 1, 1), "2027-12-31", "导入测试局", "钱导入", "王县长"],
                     ["IMP-002", "导入测试项目二", "other", "前期", "市级", None, None, None, None,
                      "住建局", "张建国", None]],
        "任务": [TASK,
                 ["IMP-001", "导入任务逾期", "导入测试局", "钱导入", t - 30 * DAY, t - 2 * DAY,
                  None, "否"],
                 ["IMP-001", "导入任务推进中", "导入测试局", None, t - 10 * DAY, t + 60 * DAY, None,
                  None],
                 ["IMP-002", "导入任务已完成", "住建局", "张建国", t - 20 * DAY, t - 5 * DAY,
                  t - 6 * DAY, "否"],
                 [None, "导入任务无项目", "导入测试镇", "孙镇长", (t - 40 * DAY).isoformat(),
                  (t + 30 * DAY).isoformat(), None, "否"]],
    })


def upload(client, data: bytes, filename: str = "台账.xlsx"):
    token = csrf_token(client, "/excel/import/")
    return client.post("/excel/import/", data={
        "csrf_token": token, "file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data")


def page(response) -> str:
    return response.get_data(as_text=True)


# ---- the template -------------------------------------------------------------------------

def test_template_has_four_sheets_chinese_headers_and_drop_downs(client, auth, world):
    auth.login("supervisor")
    response = client.get("/excel/template/")
    assert response.status_code == 200
    assert response.mimetype == XLSX
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames[:4] == ["责任单位", "责任人", "重点项目", "任务"]
    headers = {name: [cell.value for cell in book[name][1]] for name in book.sheetnames[:4]}
    assert headers["任务"][:6] == ["项目编号", "标题", "工作成效", "责任单位", "责任人", "交办日期"]
    assert {"时间节点", "完成日期", "已撤销"} <= set(headers["任务"])
    assert {"类别", "阶段", "项目层级", "牵头单位", "总投资（万元）"} <= set(headers["重点项目"])
    lists = book["lists"]
    assert lists.sheet_state == "hidden"
    choice_columns = {"责任单位": ["类型", "启用"], "责任人": ["县级领导"],
                      "重点项目": ["类别", "谋划来源", "阶段", "项目层级"], "任务": ["已撤销"]}
    for name, columns in choice_columns.items():
        sheet = book[name]
        rules = {str(rule.sqref).split(":")[0]: rule.formula1
                 for rule in sheet.data_validations.dataValidation}
        for column in columns:
            letter = chr(ord("A") + headers[name].index(column))
            assert f"{letter}2" in rules, (name, column)
            assert rules[f"{letter}2"].startswith("lists!")
    labels = [cell.value for row in lists.iter_rows() for cell in row]
    assert {"重大工程", "在建", "县级", "职能部门", "是", "否"} <= set(labels)
    assert book["任务"]["B2"].value.startswith("（示例）")  # an example row each


def test_the_template_itself_imports_nothing(app, client, auth, world):
    """Its example rows are plainly examples and are skipped."""
    auth.login("supervisor")
    template = client.get("/excel/template/").data
    before = counts(app)
    response = upload(client, template)
    assert response.status_code == 200, page(response)
    assert "新增 0 条" in page(response)
    assert counts(app) == before


# ---- importing ----------------------------------------------------------------------------

def test_good_file_creates_rows_with_statuses(app, client, auth, world):
    t = today(app)
    before = counts(app)
    auth.login("supervisor")
    response = upload(client, good_file(t))
    assert response.status_code == 200, page(response)
    assert "新增 10 条" in page(response)
    after = counts(app)
    assert {k: after[k] - before[k] for k in after} == {
        "Department": 2, "Person": 2, "Project": 2, "Task": 4}
    with writing(app):
        project = db.session.scalar(select(m.Project).where(m.Project.code == "IMP-001"))
        assert project.lead_department.name == "导入测试局"
        assert project.responsible_person.name == "钱导入"
        assert project.lead_leader.name == "王县长"
        assert (project.category, project.stage, project.list_level) == (
            "major_engineering", "construction", "county")
        assert float(project.total_investment) == 5000
        assert float(project.annual_plan_investment) == 1200.5
        assert (project.planned_start, project.planned_end) == (dt.date(2026, 1, 1),
                                                                dt.date(2027, 12, 31))
        assert project.status_color == "red"  # its overdue task
        tasks = {task.title: task for task in db.session.scalars(
            select(m.Task).where(m.Task.title.like("导入任务%")))}
        overdue = tasks["导入任务逾期"]
        assert (overdue.status, overdue.overdue_days) == ("overdue", 2)
        assert overdue.original_deadline == overdue.deadline == t - 2 * DAY
        assert tasks["导入任务推进中"].status == "pending"
        assert tasks["导入任务推进中"].person is None
        assert tasks["导入任务已完成"].status == "done_on_time"
        assert tasks["导入任务已完成"].department_id == world.dept_a
        assert tasks["导入任务无项目"].project is None
        assert tasks["导入任务无项目"].assigned_on == t - 40 * DAY
        person = db.session.scalar(select(m.Person).where(m.Person.name == "钱导入"))
        assert person.phone == "13900000001"
        town = db.session.scalar(select(m.Department).where(m.Department.name == "导入测试镇"))
        assert (town.kind, town.active) == ("township", True)


def test_importing_twice_adds_nothing_and_changes_update(app, client, auth, world):
    t = today(app)
    auth.login("supervisor")
    assert upload(client, good_file(t)).status_code == 200
    once = counts(app)
    again = upload(client, good_file(t))
    assert again.status_code == 200
    assert "新增 0 条，更新 0 条，未变 10 条" in page(again)
    assert counts(app) == once
    changed = workbook({"责任单位": [DEPARTMENT, ["导入测试局", "其他", "否"]]})
    response = upload(client, changed)
    assert "新增 0 条，更新 1 条" in page(response)
    assert counts(app) == once
    with writing(app):
        department = db.session.scalar(
            select(m.Department).where(m.Department.name == "导入测试局"))
        assert (department.kind, department.active) == ("other", False)


def test_a_file_with_fewer_columns_leaves_the_others_alone(app, client, auth, world):
    auth.login("supervisor")
    assert upload(client, good_file(today(app))).status_code == 200
    renamed = ["IMP-001", "导入测试项目一（改名）", "重大工程", "导入测试局"]
    partial = workbook({"重点项目": [["项目编号", "名称", "类别", "牵头单位"], renamed]})
    response = upload(client, partial)
    assert "新增 0 条，更新 1 条，未变 0 条" in page(response)
    with writing(app):
        project = db.session.scalar(select(m.Project).where(m.Project.code == "IMP-001"))
        assert project.name == "导入测试项目一（改名）"
        assert float(project.total_investment) == 5000
        assert project.responsible_person.name == "钱导入"
        assert project.stage == "construction"


def error_file(t: dt.date) -> bytes:
    """Problems in three sheets; the rows without a problem must not be saved either."""
    return workbook({
        "责任人": [PERSON, ["错误测试人", None, "住建局", None, None, "否"],
                   ["某某", None, "住建委", None, None, "否"]],
        "重点项目": [PROJECT,
                     ["ERR-001", "错误项目", "不存在的类别", "在建", "县级", -5, None, None, None,
                      "住建局", None, None],
                     ["ERR-001", "重复项目", "其他", "在建", "县级", None, None, None, None,
                      "住建局", None, None],
                     ["ERR-002", "日期颠倒", "其他", "在建", "县级", None, None, t, t - 10 * DAY,
                      "住建局", None, None]],
        "任务": [TASK,
                 ["ERR-002", "错误文件里的好任务", "住建局", "张建国", t, t + DAY, None, "否"],
                 [None, "日期无效", "住建局", None, "2026-13-45", t, None, "否"],
                 [None, None, "住建局", None, t, t, None, "否"],
                 [None, "时间节点早于交办", "住建局", None, t, t - DAY, None, "否"],
                 ["ERR-001", "所属项目有误", "住建局", None, t, t, None, "否"],
                 [None, "责任人不存在", "住建局", "不存在的人", t, t, None, "否"]],
    })


def test_a_file_with_errors_reports_every_one_and_saves_nothing(app, client, auth, world):
    before = counts(app)
    auth.login("supervisor")
    response = upload(client, error_file(today(app)))
    assert response.status_code == 422
    text = page(response)
    expected = [
        "责任人 第3行 责任单位：找不到“住建委”",
        "重点项目 第2行 类别：“不存在的类别”不是可选值",
        "重点项目 第2行 总投资（万元）：不能为负数",
        "重点项目 第3行 项目编号：与第2行重复",
        "重点项目 第4行 计划竣工：不能早于计划开工",
        "任务 第3行 交办日期：应为日期",
        "任务 第4行 标题：不能为空",
        "任务 第5行 时间节点：不能早于交办日期",
        "任务 第7行 责任人：住建局没有名为“不存在的人”的责任人",
    ]
    for message in expected:
        assert message in text, message
    assert "任务 第6行" not in text  # its project's own row is in error already
    assert "任务 第2行" not in text
    assert "导入失败：共 9 处问题，未保存任何数据。" in text
    assert counts(app) == before


@pytest.mark.parametrize(("filename", "data", "message"), [
    ("台账.csv", b"a,b\n1,2\n", "只能导入 .xlsx 格式"),
    ("台账.xls", b"\xd0\xcf\x11\xe0", "只能导入 .xlsx 格式"),
    ("台账.xlsx", b"PK\x03\x04 this is not a zip", "文件无法读取"),
    ("台账.xlsx", b"", "文件无法读取"),
])
def test_unreadable_files_are_refused_in_chinese(app, client, auth, world, filename, data,
                                                 message):
    before = counts(app)
    auth.login("admin")
    response = upload(client, data, filename)
    assert response.status_code == 400
    assert message in page(response)
    assert counts(app) == before


def test_a_zip_that_is_not_a_workbook_is_refused(client, auth, world):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "你好")
    auth.login("supervisor")
    response = upload(client, out.getvalue())
    assert response.status_code == 400
    assert "文件无法读取" in page(response)


def test_a_workbook_without_template_sheets_is_refused(client, auth, world):
    auth.login("supervisor")
    response = upload(client, workbook({"Sheet1": [["a"], [1]]}))
    assert response.status_code == 400
    assert "文件中没有可导入的工作表" in page(response)


def test_upload_without_a_file_or_a_token(app, client, auth, world):
    auth.login("supervisor")
    token = csrf_token(client, "/excel/import/")
    assert client.post("/excel/import/", data={"csrf_token": token}).status_code == 400
    before = counts(app)
    response = client.post("/excel/import/", data={
        "file": (io.BytesIO(good_file(today(app))), "台账.xlsx")},
        content_type="multipart/form-data")
    assert response.status_code == 400
    assert counts(app) == before


def test_a_file_over_the_size_limit_is_refused(app, client, auth, world):
    auth.login("supervisor")
    limit = app.config["MAX_CONTENT_LENGTH"]
    assert limit == 10 * 1024 * 1024
    token = csrf_token(client, "/excel/import/")
    response = client.post(f"/excel/import/?csrf_token={token}", data=b"x" * (limit + 1),
                           content_type="multipart/form-data; boundary=kl")
    assert response.status_code == 413
    assert "上传的文件太大" in page(response)


@pytest.mark.parametrize(("role", "code"), [
    ("admin", 200), ("supervisor", 200), ("leader", 403), ("staff_a", 403)])
def test_only_admin_and_supervisor_import(app, client, auth, world, role, code):
    auth.login(role)
    assert client.get("/excel/import/").status_code == code
    assert client.get("/excel/template/").status_code == code
    if code == 403:
        token = csrf_token(client)
        response = client.post("/excel/import/", data={
            "csrf_token": token, "file": (io.BytesIO(good_file(today(app))), "台账.xlsx")},
            content_type="multipart/form-data")
        assert response.status_code == 403
        assert counts(app)["Department"] == counts(app)["Department"]


def test_menu_shows_the_import_page_to_the_office_only(client, auth, world):
    auth.login("supervisor")
    assert "/excel/import/" in page(client.get("/"))
    auth.logout()
    auth.login("leader")
    assert "/excel/import/" not in page(client.get("/"))


def test_import_command(app, world, tmp_path):
    runner = app.test_cli_runner()
    good = tmp_path / "台账.xlsx"
    good.write_bytes(good_file(today(app)))
    result = runner.invoke(args=["import-xlsx", str(good)])
    assert result.exit_code == 0, result.output
    assert "新增 10 条" in result.output
    bad = tmp_path / "错误.xlsx"
    bad.write_bytes(error_file(today(app)))
    before = counts(app)
    result = runner.invoke(args=["import-xlsx", str(bad)])
    assert result.exit_code == 1
    assert "任务 第5行 时间节点：不能早于交办日期" in result.output
    assert counts(app) == before


@pytest.mark.skipif(os.environ.get("KEYLEDGER_SLOW") != "1",
                    reason="large import: set KEYLEDGER_SLOW=1 (about a minute on 2 cores)")
def test_five_thousand_tasks_import_and_export(app, client, auth, world):
    """A large file, end to end through the page; prints the times (not asserted)."""
    t = today(app)
    projects = [[f"BULK-{n:03}", f"批量项目{n}", "其他", "在建", "县级", 100, 10, None, None,
                 "批量导入局", "批量负责人", None] for n in range(20)]
    tasks = [[f"BULK-{n % 20:03}", f"批量任务{n:05}", "批量导入局", "批量负责人",
              t - 30 * DAY, t + (n % 90 - 30) * DAY, None, "否"] for n in range(5000)]
    data = workbook({"责任单位": [DEPARTMENT, ["批量导入局", "职能部门", "是"]],
                     "责任人": [PERSON, ["批量负责人", "科长", "批量导入局", None, None, "否"]],
                     "重点项目": [PROJECT, *projects], "任务": [TASK, *tasks]})
    auth.login("supervisor")
    started = time.perf_counter()
    response = upload(client, data)
    imported = time.perf_counter() - started
    assert response.status_code == 200, page(response)[:2000]
    assert "新增 5022 条" in page(response)
    started = time.perf_counter()
    rows = exported(client.get("/taskview/export/?_flt_0_title=批量任务"))
    export_time = time.perf_counter() - started
    assert len(rows) == 5001
    print(f"\n5,000-task import: {imported:.1f} s ({len(data) // 1024} KB file); "
          f"export of 5,000 tasks: {export_time:.1f} s")


# ---- exporting ----------------------------------------------------------------------------

def exported(response) -> list[list]:
    """The cells of a downloaded export (the response closed, as a server would)."""
    assert response.status_code == 200, page(response)[:500]
    assert response.mimetype == XLSX
    data = response.data
    response.close()  # the spooled file goes
    sheet = load_workbook(io.BytesIO(data)).active
    return [list(row) for row in sheet.iter_rows()]


def test_task_export_is_the_staff_members_own_department(app, client, auth, world):
    auth.login("staff_a")
    response = client.get("/taskview/export/")
    disposition = response.headers["Content-Disposition"]
    assert quote(f"任务台账-{today(app):%Y-%m-%d}.xlsx") in disposition
    rows = exported(response)
    header = [cell.value for cell in rows[0]]
    assert header == ["标题", "项目", "责任单位", "责任人", "时间节点", "原定时间节点", "状态",
                      "逾期天数", "督办等级"]  # 分级督办 (issue 16): the level as its word
    body = [[cell.value for cell in row] for row in rows[1:]]
    titles = [row[0] for row in body]
    assert "任务A" in titles and "任务B" not in titles
    assert {row[2] for row in body} == {"住建局"}
    task_a = rows[1 + titles.index("任务A")]
    assert task_a[4].is_date and task_a[4].value.date() == dt.date(2026, 6, 30)
    assert task_a[4].number_format == "yyyy-mm-dd"
    assert task_a[6].value in {"推进中", "临期", "逾期", "按期完成", "逾期完成", "已撤销"}
    assert isinstance(task_a[7].value, int)
    assert task_a[8].value in {None, "", "蓝色督办", "黄色督办", "红色督办"}


def test_export_applies_the_search_filters(client, auth, world):
    auth.login("supervisor")
    rows = exported(client.get("/taskview/export/?_flt_0_title=任务B"))
    assert [row[0].value for row in rows[1:]] == ["任务B"]
    listing = page(client.get("/taskview/list/?_flt_0_title=任务B"))
    assert 'href="/taskview/export/?_flt_0_title=%E4%BB%BB%E5%8A%A1B"' in listing
    assert "导出 Excel" in listing


def test_export_keeps_the_pages_order_and_refuses_a_bad_one(client, auth, world):
    auth.login("supervisor")
    rows = exported(client.get("/taskview/export/?_oc_TaskView=overdue_days&_od_TaskView=desc"))
    days = [row[7].value for row in rows[1:]]
    assert days == sorted(days, reverse=True)
    # as the list itself (issue 14.7: its 500), a column the list cannot sort by is a 400
    response = client.get("/taskview/export/?_oc_TaskView=no_such&_od_TaskView=asc")
    assert response.status_code == 400
    assert "不能按“no_such”排序" in response.get_data(as_text=True)


def test_export_button_on_lists_not_on_related_lists(client, auth, world):
    auth.login("supervisor")
    for view in ("projectview", "departmentview", "holidayview", "complianceview"):
        assert f"/{view}/export/" in page(client.get(f"/{view}/list/")), view
    show = page(client.get(f"/taskview/show/{world.a['task']}"))
    assert "/feedbackview/export/" not in show


def test_leader_exports_projects_with_labels_and_numbers(client, auth, world):
    auth.login("leader")
    rows = exported(client.get("/projectview/export/"))
    header = [cell.value for cell in rows[0]]
    by_code = {row[0].value: row for row in rows[1:]}
    assert {"P-A", "P-B"} <= set(by_code)
    project = by_code["P-A"]
    assert project[header.index("阶段")].value == "在建"
    assert project[header.index("类别")].value == "其他"
    money = project[header.index("总投资（万元）")]
    assert money.value == 5000 and money.number_format == "#,##0.00"
    assert project[header.index("状态")].value in {"绿", "黄", "红"}


def test_export_needs_read(client, auth, world):
    auth.login("staff_a")
    assert client.get("/nodetemplateview/export/").status_code == 403
    assert client.get("/nodetemplateview/list/").status_code == 403
    auth.logout()
    assert client.get("/taskview/export/").status_code == 302  # to the login page


def test_exported_text_is_never_a_formula(app, client, auth, world):
    with writing(app):
        db.session.add(m.Department(name="=HYPERLINK(\"http://x\",\"点我\")", kind="other"))
        db.session.commit()
    auth.login("admin")
    rows = exported(client.get("/departmentview/export/?_flt_0_name=%3DHYPERLINK"))
    cell = rows[1][0]
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")

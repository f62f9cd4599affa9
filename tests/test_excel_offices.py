"""Excel as offices keep it (issue 18.6): title rows above the header, the office's own
header words, 序号-only and blank rows; refused cells reported with the value found, and
the same workbook back with exactly the bad cells in red and a 错误说明 column."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from app import models as m
from app.extensions import db
from app.files.import_errors import RED
from tests.support.web import Auth, csrf_token

pytestmark = pytest.mark.usefixtures("leaves_no_rows")

D = dt.date
TITLE = "清河县2026年重点项目任务台账"
HEADER = ["序号", "任务标题", "责任单位", "交办日期", "时间节点\n（完成时限）", "备注"]


def ledger(rows: list[list], titles: int = 2) -> bytes:
    """A 任务 sheet as an office keeps it: merged title rows, then the header, then rows."""
    book = Workbook()
    sheet = book.active
    sheet.title = "任务"
    sheet.append([TITLE])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    if titles == 2:
        sheet.append(["（截至2026年11月底）"])
        sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(HEADER))
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, data: bytes, filename: str = "清河县台账.xlsx"):
    token = csrf_token(client, "/excel/import/")
    return client.post("/excel/import/", data={"csrf_token": token,
                                               "file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def tasks(app, prefix: str) -> dict[str, m.Task]:
    with app.app_context():
        found = db.session.scalars(select(m.Task).where(m.Task.title.like(f"{prefix}%")))
        return {task.title: (task.department.name, task.assigned_on, task.deadline)
                for task in found}


def test_title_rows_synonyms_and_number_only_rows(app, client, auth, world):
    data = ledger([
        [1, "台账导入甲", "住建局", "2026年3月1日", "2026/12/31", "重点"],
        [2, None, None, None, None, None],  # numbered, otherwise blank
        [None, None, None, None, None, None],
        [3, "台账导入乙", "住建局", "20260301", "２０２６－１２－３０", None],
        [4, "  ", None, None, None, None],
    ])
    auth.login("supervisor")
    response = upload(client, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page[-3000:]
    assert "缺少此列" not in page
    assert "新增 2 条" in page
    assert tasks(app, "台账导入") == {
        "台账导入甲": ("住建局", D(2026, 3, 1), D(2026, 12, 31)),
        "台账导入乙": ("住建局", D(2026, 3, 1), D(2026, 12, 30))}


def test_one_title_row_and_row_numbers_of_the_sheet(app, client, auth, world):
    data = ledger([[1, "台账单行标题", "住建局", "2026-03-01", "2026年13月1日", None]],
                  titles=1)
    auth.login("supervisor")
    page = upload(client, data).get_data(as_text=True)
    assert "任务 第3行 时间节点：应为日期，2026年13月1日不存在，收到“2026年13月1日”" in page


BAD = [  # (row of the sheet, column letter) of each bad cell below
    (4, "D"), (6, "E"), (6, "C"), (7, "B"),
]


def error_ledger() -> bytes:
    return ledger([
        [1, "台账错误甲", "住建局", "明年三月", "2026-12-31", None],      # row 4: D
        [2, "台账错误乙", "住建局", "2026-03-01", "2026-12-31", "好的一行"],  # row 5: none
        [3, "台账错误丙", "不存在的局", "2026-03-01", "2026-02-30", None],  # row 6: C, E
        [4, None, "住建局", "2026-03-01", "2026-12-31", None],          # row 7: B
    ])


def test_errors_name_the_value_and_the_workbook_marks_exactly_the_bad_cells(
        app, client, auth, world):
    auth.login("supervisor")
    response = upload(client, error_ledger())
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    for message in ("任务 第4行 交办日期：应为日期，格式如 2026-12-03（也可写 2026/12/3、"
                    "2026年12月3日），收到“明年三月”",
                    "任务 第6行 时间节点：应为日期，2026年2月30日不存在，收到“2026-02-30”",
                    "任务 第6行 责任单位：找不到“不存在的局”",
                    "任务 第7行 标题：不能为空"):
        assert message in page, message
    assert tasks(app, "台账错误") == {}  # all or nothing
    assert "下载标注错误的工作簿" in page

    answer = client.get("/excel/import/errors/")
    assert answer.status_code == 200
    assert "attachment" in answer.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(answer.data))["任务"]
    red = {cell.coordinate for row in sheet.iter_rows() for cell in row
           if cell.fill.fill_type == "solid" and cell.fill.start_color.rgb == RED}
    assert red == {f"{column}{row}" for row, column in BAD}
    assert sheet["A1"].value == TITLE and "A1:F1" in {str(r) for r in sheet.merged_cells.ranges}
    assert sheet["G3"].value == "错误说明"
    assert "交办日期：应为日期" in sheet["G4"].value and "收到“明年三月”" in sheet["G4"].value
    assert sheet["G5"].value is None
    assert "责任单位：找不到“不存在的局”" in sheet["G6"].value
    assert "时间节点：应为日期，2026年2月30日不存在" in sheet["G6"].value
    assert sheet["G7"].value == "标题：不能为空"
    assert sheet["D4"].comment is not None and "明年三月" in sheet["D4"].comment.text
    assert sheet["B5"].value == "台账错误乙" and sheet["F5"].value == "好的一行"  # the same file


def test_the_error_workbook_fixed_and_sent_back_imports(app, client, auth, world):
    auth.login("supervisor")
    upload(client, error_ledger())
    book = load_workbook(io.BytesIO(client.get("/excel/import/errors/").data))
    sheet = book["任务"]
    for cell, value in (("D4", "2026-03-01"), ("C6", "住建局"), ("E6", "2026-12-30"),
                        ("B7", "台账错误丁")):
        sheet[cell] = value  # fixed; the red marks and 错误说明 left as they were
    out = io.BytesIO()
    book.save(out)
    response = upload(client, out.getvalue())
    assert response.status_code == 200, response.get_data(as_text=True)[-3000:]
    assert len(tasks(app, "台账错误")) == 4


def test_the_errors_are_the_sessions_own(app, client, auth, world):
    auth.login("supervisor")
    upload(client, error_ledger())
    with app.app_context():  # its own `g`: not the logged-in user of the first client
        other = app.test_client()
        Auth(other).login("admin")
        assert other.get("/excel/import/errors/").status_code == 404
    assert client.get("/excel/import/errors/").status_code == 200
    upload(client, ledger([[1, "台账成功导入", "住建局", "2026-03-01", "2026-12-31", None]]))
    assert client.get("/excel/import/errors/").status_code == 404  # a saved import has none

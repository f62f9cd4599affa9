"""Sheets that print (issue 17.5): every .xlsx the portal writes — the 督查通报, the 考核表,
the import template, every list export — is A4 landscape one page wide, repeats and
freezes its header, numbers its pages, and gives wrapped text the rows it needs; and
LibreOffice prints the circular with no text drawn over other text."""

from __future__ import annotations

import datetime as dt
import io
import math
import os
import re
import unicodedata
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from app import models as m
from app.domain import access
from app.extensions import db
from app.files.circular_xlsx import render_xlsx
from app.files.list_xlsx import text_cell, write_header
from tests.support import pdf_render

LONG = ("完成城东新区综合管廊二期工程用地报批、环评批复、施工图审查及招标挂网等"
        "前期手续并组织开工建设")
LIST_EXPORTS = [
    "/projectview/export/", "/investmentreportview/export/", "/problemview/export/",
    "/taskview/export/", "/feedbackview/export/", "/extensionview/export/",
    "/meetingview/export/", "/supervisionview/export/", "/nodetemplateview/export/",
    "/circularview/export/", "/departmentview/export/", "/personview/export/",
    "/holidayview/export/", "/jobrunview/export/", "/loginlogview/export/",
    "/templatenodeview/export/", "/complianceview/export/",
]
FOOTER = "第 &P 页 共 &N 页"
# the README's screenshots, as the browser tests write theirs (E2E_SCREENSHOTS=DIR: elsewhere)
SCREENSHOTS = Path(os.environ.get("E2E_SCREENSHOTS")
                   or Path(__file__).resolve().parents[1] / "docs" / "screenshots")


def units(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def lines(text: str, width: float) -> int:
    """A lower bound of the lines a text takes wrapped in `width` (CJK characters two)."""
    return sum(max(1, math.ceil(units(part) / width)) for part in text.split("\n"))


def width_at(sheet, row: int, column: int) -> float:
    """A cell's width, or its merged range's on one row."""
    for merged in sheet.merged_cells.ranges:
        if merged.min_row == row == merged.max_row and merged.min_col == column:
            return sum(width_at(sheet, 0, c) for c in range(merged.min_col, merged.max_col + 1))
    return sheet.column_dimensions[get_column_letter(column)].width or 8.43


def assert_prints(sheet, title_rows: str, freeze: str) -> None:
    """What an office checks before printing a sheet."""
    setup = sheet.page_setup
    assert int(setup.paperSize) == 9 and setup.orientation == "landscape", sheet.title
    assert setup.fitToWidth == 1 and setup.fitToHeight == 0
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == title_rows, sheet.title
    assert sheet.freeze_panes == freeze
    assert sheet.oddFooter.center.text == FOOTER
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value is None or cell.coordinate in sheet.merged_cells:
                continue
            if not isinstance(cell.value, str):
                continue
            width = width_at(sheet, cell.row, cell.column)
            size = cell.font.sz or 11
            need = lines(cell.value, width * 11 / size)
            if need > 1 or units(cell.value) * size / 11 > width:
                assert cell.alignment.wrap_text, f"{sheet.title}!{cell.coordinate} is cut"
            if cell.alignment.wrap_text:
                height = sheet.row_dimensions[cell.row].height or 15
                assert height >= min(409, need * 12 * size / 11), \
                    f"{sheet.title}!{cell.coordinate}: {need} lines in {height} pt"


@pytest.fixture(scope="module")
def long_rows(app, world):
    """A task, its feedback and a problem of department A with texts that wrap."""
    with app.app_context(), app.test_request_context(), access.acting_as("test:setup"):
        task = m.Task(title=LONG * 2, department_id=world.dept_a, project_id=None,
                      assigned_on=dt.date(2026, 5, 12), deadline=dt.date(2026, 6, 30),
                      original_deadline=dt.date(2026, 6, 30))
        feedback = m.Feedback(task=task, reported_on=dt.date(2026, 5, 25), progress=LONG * 3,
                              percent_complete=50, review_status="returned",
                              review_comment="请补充" + LONG)
        db.session.add_all([task, feedback])
        db.session.commit()
        ids = task.id, feedback.id
    yield SimpleIds(*ids)
    with app.app_context(), app.test_request_context(), access.acting_as("test:setup"):
        db.session.execute(m.Feedback.__table__.delete().where(m.Feedback.id == ids[1]))
        db.session.execute(m.Task.__table__.delete().where(m.Task.id == ids[0]))
        db.session.commit()


class SimpleIds:
    def __init__(self, task: int, feedback: int) -> None:
        self.task, self.feedback = task, feedback


def download(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, url
    data = response.data
    response.close()
    return load_workbook(io.BytesIO(data))


def test_the_list_exports_here_are_all_of_them(app):
    routes = {rule.rule for rule in app.url_map.iter_rules()
              if re.fullmatch(r"/\w+/export/", rule.rule)} - {"/compliance/export/"}
    assert routes == set(LIST_EXPORTS)


@pytest.mark.parametrize("url", LIST_EXPORTS)
def test_every_list_export_prints(client, auth, world, long_rows, url):
    auth.login("admin")
    book = download(client, url)
    for sheet in book.worksheets:
        assert_prints(sheet, "$1:$1", "A2")
        header = [c.value for c in sheet[1]]
        assert all(header) and all(c.font.b for c in sheet[1])


def test_long_task_titles_wrap_in_rows_tall_enough(client, auth, world, long_rows):
    auth.login("supervisor")
    sheet = download(client, "/taskview/export/?_flt_0_title=完成城东").active
    title = sheet["A2"]
    assert title.value == LONG * 2 and title.alignment.wrap_text
    assert sheet.column_dimensions["A"].width == 60  # capped, the rest wraps
    assert sheet.row_dimensions[2].height >= 4 * 12  # 180 units in 58 a line: four lines


def test_feedback_export_carries_the_department_and_the_review(client, auth, world,
                                                                 long_rows):
    auth.login("staff_a")
    sheet = download(client, "/feedbackview/export/").active
    header = [c.value for c in sheet[1]]
    assert {"责任单位", "审核状态", "审核意见"} <= set(header)
    assert header.index("责任单位") == header.index("任务") + 1
    rows = [dict(zip(header, (c.value for c in row), strict=True))
            for row in sheet.iter_rows(min_row=2)]
    assert {row["责任单位"] for row in rows} == {"住建局"}  # staff of A: their own rows only
    mine = next(row for row in rows if row["任务"] == LONG * 2)
    assert mine["审核状态"] == "已退回" and mine["审核意见"] == "请补充" + LONG


def test_compliance_table_prints(client, auth, world):
    auth.login("leader")
    sheet = download(client, "/compliance/export/?period=2026-05").active
    assert_prints(sheet, "$3:$4", "C5")


def test_import_template_prints(client, auth, world):
    auth.login("supervisor")
    book = download(client, "/excel/template/")
    for sheet in book.worksheets:
        if sheet.sheet_state == "visible":
            assert_prints(sheet, "$1:$1", "A2")
    notes = book["填写说明"]
    assert notes["A2"].alignment.wrap_text and notes.column_dimensions["A"].width <= 60


def circular_data() -> dict:
    """A month with long names: tasks, projects, units and problems that wrap."""
    counts = dict.fromkeys(("projects_in_scope", "projects_dispatched", "tasks_open",
                            "tasks_urged", "tasks_fed_back", "tasks_due", "tasks_implemented",
                            "tasks_overdue"), 3)
    rates = dict.fromkeys(("dispatch_rate", "supervision_rate", "implementation_rate",
                           "feedback_rate"), 0.5)
    figures = counts | rates | {"score": 50.0, "compliant": False}
    task = {"title": LONG * 2, "project": "城东新区综合管廊二期工程（含配套道路及雨污分流改造）",
            "department": "县住房和城乡建设局城建股", "person": "张建国",
            "deadline": "2026-05-15", "overdue_days": 16}
    return {"period": "2026-05", "as_of": "2026-05-31", "totals": figures,
            "ranking": [{"rank": i, "department": f"县发展和改革委员会重大项目服务中心{i}"}
                        | figures for i in range(1, 30)],
            "overdue_tasks": [task] * 12, "unreported_tasks": [task] * 4,
            "unresolved_problems": [{"description": LONG, "project": "某项目",
                                     "department": "某局", "deadline": "2026-05-01",
                                     "overdue": True}] * 4}


@pytest.fixture(scope="module")
def circular_xlsx(app) -> bytes:
    with app.app_context(), app.test_request_context():
        return render_xlsx(circular_data())


def test_circular_workbook_prints(circular_xlsx):
    book = load_workbook(io.BytesIO(circular_xlsx))
    for sheet in book.worksheets:
        assert_prints(sheet, "$2:$2", "A3")
    summary = book["汇总"]
    # the title spans the table and fits its width on one line, in a row of its height
    assert "A1:B1" in {str(r) for r in summary.merged_cells.ranges}
    title = summary["A1"]
    assert units(title.value) * title.font.sz / 11 <= width_at(summary, 1, 1)
    assert summary.row_dimensions[1].height >= title.font.sz * 1.2


def test_libreoffice_prints_the_circular_with_no_text_over_text(circular_xlsx, tmp_path):
    pdf_render.require_tools()
    path = Path(tmp_path) / "circular.xlsx"
    path.write_bytes(circular_xlsx)
    pages = pdf_render.word_boxes(pdf_render.to_pdf(path))
    assert len(pages) >= 5  # one sheet or more a page
    words = [w[4] for page in pages for w in page]
    assert "2026年5月重点项目推进情况督查通报" in words
    for number, page in enumerate(pages, start=1):
        assert pdf_render.overlaps(page) == [], f"page {number}: text drawn over text"
    footer = " ".join(w[4] for w in pages[0])
    assert f"第 1 页 共 {len(pages)} 页" in footer  # the page-number footer


def test_libreoffice_prints_the_task_list(client, auth, world, long_rows, tmp_path):
    """The task list export as LibreOffice prints it; page 1 is the README's screenshot."""
    pdf_render.require_tools()
    auth.login("supervisor")
    response = client.get("/taskview/export/")
    assert response.status_code == 200
    path = Path(tmp_path) / "tasks.xlsx"
    path.write_bytes(response.data)
    response.close()
    pdf = pdf_render.to_pdf(path)
    pages = pdf_render.word_boxes(pdf)
    for number, page in enumerate(pages, start=1):
        assert pdf_render.overlaps(page) == [], f"page {number}: text drawn over text"
    words = " ".join(w[4] for w in pages[0])
    book = load_workbook(path)
    header = next(row for row in book.active.iter_rows(values_only=True) if "标题" in row)
    column = header.index("标题")
    rows = list(book.active.iter_rows(values_only=True))
    first_title = rows[rows.index(header) + 1][column]  # the first data row, as the list orders
    book.close()
    assert "标题" in words and str(first_title)[:6] in words
    assert f"第 1 页 共 {len(pages)} 页" in words
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    pdf_render.first_page_png(pdf, SCREENSHOTS / "xlsx-task-list.png")


def test_a_wrapped_formula_like_text_stays_text(app):
    """A long text that starts like a formula wraps in a cell of its own, still quoted text."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("x")
    with app.app_context(), app.test_request_context():
        rows = write_header(sheet, ["名称"])
        rows.append([text_cell(sheet, "=HYPERLINK(\"http://x\")" + LONG * 2)])
        rows.close()
    out = io.BytesIO()
    book.save(out)
    cell = load_workbook(out).active["A2"]
    assert cell.data_type == "s" and cell.quotePrefix and cell.alignment.wrap_text
    assert cell.value.startswith("=HYPERLINK")

"""The Excel import template: one sheet per table with drop-downs, an example row each, and
how to fill it in; its sheets and columns are app/files/import_sheets.py, as the importer's."""

from __future__ import annotations

from io import BytesIO

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from app.files.import_sheets import SHEETS, YES_NO, Column, Sheet, display_value
from app.files.sheet_print import lay_out

TEMPLATE_ROWS = 5000  # the rows of the template that get drop-downs
LISTS_SHEET = "lists"
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
EXAMPLE_FONT = Font(italic=True, color="808080")


def build_template() -> bytes:
    """The import template (.xlsx): one sheet per table, drop-downs, an example row each."""
    book = Workbook()
    default = book.active  # the empty sheet of a new workbook
    assert default is not None
    book.remove(default)
    lists = book.create_sheet(LISTS_SHEET)
    for sheet in SHEETS:
        _template_sheet(book, sheet, lists)
    _instructions(book.create_sheet(_("填写说明")))
    book.move_sheet(lists, offset=len(book.sheetnames) - 1)
    lists.sheet_state = "hidden"
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _template_sheet(book: Workbook, sheet: Sheet, lists: Worksheet) -> None:
    """One table's sheet: the header, the example row, the drop-downs."""
    worksheet = book.create_sheet(str(sheet.title))
    worksheet.append([str(column.title) for column in sheet.columns])
    worksheet.append([display_value(column, sheet.example.get(column.name))
                      for column in sheet.columns])
    for index, column in enumerate(sheet.columns, start=1):
        letter = get_column_letter(index)
        header = worksheet.cell(row=1, column=index)
        header.font = Font(bold=True, color="C00000" if column.required else "000000")
        header.fill = HEADER_FILL
        example = worksheet.cell(row=2, column=index)
        example.font = EXAMPLE_FONT
        if column.kind == "date":
            example.number_format = "yyyy-mm-dd"
        if column.kind in ("choice", "bool"):
            _drop_down(worksheet, letter, column, lists)
    lay_out(worksheet, (1, 1), "A2")
    for index in range(1, len(sheet.columns) + 1):  # room to type beyond the example
        dimension = worksheet.column_dimensions[get_column_letter(index)]
        dimension.width = max(12.0, dimension.width or 0)


def _drop_down(worksheet: Worksheet, letter: str, column: Column, lists: Worksheet) -> None:
    """A list validation on the column; its labels in a column of the hidden lists sheet."""
    options = column.options or YES_NO
    labels = [str(label) for label in options.values()]
    used = lists["A1"].value is not None
    list_letter = get_column_letter(lists.max_column + 1 if used else 1)
    for row, label in enumerate(labels, start=1):
        lists[f"{list_letter}{row}"] = label
    rule = DataValidation(
        type="list", formula1=f"{LISTS_SHEET}!${list_letter}$1:${list_letter}${len(labels)}",
        allow_blank=True, showErrorMessage=True, errorTitle=_("取值无效"),
        error=_("请从下拉列表中选择。"))
    rule.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
    worksheet.add_data_validation(rule)


def _instructions(worksheet: Worksheet) -> None:
    """The sheet that says how to fill in the template."""
    lines = [
        _("第 1 行为列名，请勿修改；红色列名为必填列。第 2 行为示例，与示例完全相同的行不会导入，"
          "可直接覆盖或删除。"),
        _("带下拉框的列请从列表中选择；日期填写为 2026-11-25 这样的格式或 Excel 日期；"
          "金额单位为万元。"),
        _("责任单位按名称匹配，责任人按“姓名 + 责任单位”匹配，项目按项目编号匹配，"
          "任务按“项目编号 + 标题 + 责任单位”匹配：已有的记录会被更新，不会重复新增。"),
        _("可以只保留需要的工作表；其他工作表和其他列会被忽略。"),
        _("文件中任何一处有误，整个文件都不会导入，并列出每一处问题（工作表、行、列）。"),
    ]
    worksheet.append([_("填写说明")])
    worksheet["A1"].font = Font(bold=True)
    for line in lines:
        worksheet.append([line])
    lay_out(worksheet, (1, 1), "A2")

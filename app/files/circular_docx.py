"""The monthly 督查通报 as a Word document, from its data.

Pure functions of the data dict `build_circular` stores (no database, no request);
the text goes through Babel, so the job renders in the portal's default language.
"""

from __future__ import annotations

import datetime as dt
import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_ALIGN_VERTICAL, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from flask_babel import gettext as _

from app.files.circular_columns import (
    LEFT_ALIGNED,
    NUMBER,
    OVERDUE,
    PROBLEMS,
    RANKING,
    TASK,
    TEXT_WIDTH_CM,
    Column,
    cell_text,
    issue_line,
    long_date,
    numbered,
    period_of,
    summary_sentences,
)

RED = RGBColor(0xC0, 0x00, 0x00)
LATIN = "Times New Roman"
BODY, HEADING, TITLE = "仿宋", "黑体", "宋体"  # Word's Chinese font names


def _font(font, east_asia: str, size: float, bold: bool = False,
          color: RGBColor | None = None) -> None:
    """Latin and East Asian font names (w:eastAsia, so Word shows Chinese in it), size."""
    font.name, font.size, font.bold = LATIN, Pt(size), bold
    if color is not None:
        font.color.rgb = color
    font.element.rPr.rFonts.set(qn("w:eastAsia"), east_asia)


def _styles(document) -> None:
    """Body 仿宋 三号 at a fixed 28 pt line; 黑体 headings; 仿宋 五号 in tables."""
    normal = document.styles["Normal"]
    _font(normal.font, BODY, 16)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "en-US")  # Latin text breaks as Latin, not inside numbers
    lang.set(qn("w:eastAsia"), "zh-CN")
    normal.element.get_or_add_rPr().append(lang)
    body = normal.paragraph_format
    body.line_spacing_rule, body.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(28)
    body.space_before = body.space_after = Pt(0)
    heading = document.styles.add_style("CircularHeading", WD_STYLE_TYPE.PARAGRAPH)
    heading.base_style = normal
    _font(heading.font, HEADING, 16)
    heading.paragraph_format.first_line_indent = Pt(32)
    heading.paragraph_format.keep_with_next = True
    table = document.styles.add_style("CircularTable", WD_STYLE_TYPE.PARAGRAPH)
    table.base_style = normal
    _font(table.font, BODY, 10.5)
    cells = table.paragraph_format
    cells.line_spacing, cells.space_before, cells.space_after = 1.0, Pt(3), Pt(3)
    cells.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _page(document) -> None:
    """A4 portrait with GB/T 9704 margins, the page number as "— 1 —" in the footer."""
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("— ")
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    footer._p.append(field)
    footer.add_run(" —")
    for run in footer.runs:
        _font(run.font, LATIN, 14)


def _red_rule(paragraph) -> None:
    """The red line under the masthead (a bottom border of the paragraph)."""
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for name, value in (("val", "single"), ("sz", "18"), ("space", "4"), ("color", "C00000")):
        bottom.set(qn(f"w:{name}"), value)
    border.append(bottom)
    paragraph._p.get_or_add_pPr().insert_element_before(
        border, "w:shd", "w:tabs", "w:spacing", "w:ind", "w:jc")


def _masthead(document, data: dict, office: str, issued_on: dt.date) -> None:
    """Red title, issue number, issuing office and date, red rule."""
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    title.paragraph_format.space_after = Pt(12)
    _font(title.add_run(_("重点项目推进情况督查通报")).font, TITLE, 26, bold=True, color=RED)
    issue = document.add_paragraph(issue_line(data))
    issue.alignment = WD_ALIGN_PARAGRAPH.CENTER
    sender = document.add_paragraph(f"{office}\t{long_date(issued_on)}")
    sender.paragraph_format.tab_stops.add_tab_stop(Cm(TEXT_WIDTH_CM), WD_TAB_ALIGNMENT.RIGHT)
    sender.paragraph_format.space_after = Pt(14)
    _red_rule(sender)


def _body(document, text: str, indent: bool = True):
    paragraph = document.add_paragraph(text)
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(32)  # two characters
    return paragraph


def _table(document, columns: tuple[Column, ...], rows: list[dict]) -> None:
    """A bordered table, its header repeated on every page, overdue marks in red."""
    table = document.add_table(rows=1, cols=len(columns))
    table.style, table.autofit = "Table Grid", False
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    header = table.rows[0]
    header._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    for cell, column in zip(header.cells, columns, strict=True):
        _font(cell.paragraphs[0].add_run(str(column.label)).font, HEADING, 10.5)
    for row in rows:
        cells = table.add_row().cells
        for cell, column in zip(cells, columns, strict=True):
            if column.key in LEFT_ALIGNED:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.LEFT
            run = cell.paragraphs[0].add_run(cell_text(column, row))
            if column.kind == "mark" and row.get(column.key):
                run.font.color.rgb, run.font.bold = RED, True
    # by id: python-docx's `paragraph.style = …` searches all styles on every call (issue 6:
    # seconds for a table of a thousand rows)
    style_id = document.styles["CircularTable"].style_id
    for index, column in enumerate(columns):
        table.columns[index].width = Cm(column.cm)
        for cell in table.columns[index].cells:
            cell.width = Cm(column.cm)
            cell.vertical_alignment = WD_ALIGN_VERTICAL.CENTER
            for paragraph in cell.paragraphs:
                paragraph._p.style = style_id
    document.add_paragraph()


def _section(document, heading: str, columns: tuple[Column, ...], rows: list[dict],
             intro: str, empty: str) -> None:
    document.add_paragraph(heading, style="CircularHeading")
    paragraph = _body(document, intro if rows else empty)
    if rows:
        paragraph.paragraph_format.keep_with_next = True  # never alone at a page's foot
        _table(document, columns, rows)


def render_docx(data: dict, office_name: str, issued_on: dt.date | None = None) -> bytes:
    """The circular as a Word document (.docx), in the form of a government 督查通报."""
    issued_on = issued_on or dt.date.fromisoformat(data["as_of"])
    document = Document()
    _styles(document)
    _page(document)
    _masthead(document, data, office_name, issued_on)
    _body(document, _("各责任单位："), indent=False)
    period = period_of(data)
    _body(document, _(
        "按照“月月有调度、月月有督促，件件有落实、事事有反馈”的要求，%(office)s对%(year)s年"
        "%(month)s月全县重点项目推进情况进行了督查（数据统计截至%(as_of)s），现将有关情况通报"
        "如下。", office=office_name, year=period.year, month=period.month,
        as_of=long_date(data["as_of"])))
    document.add_paragraph(_("一、总体情况"), style="CircularHeading")
    _body(document, "".join(summary_sentences(data)))
    _section(document, _("二、责任单位排名"), RANKING, data["ranking"],
             _("各责任单位按综合得分排名如下（得分相同的按单位名称排序）。"),
             _("本月无参与排名的责任单位。"))
    _sections(document, data)
    document.add_paragraph(_("六、工作要求"), style="CircularHeading")
    _body(document, _(
        "请各责任单位对照通报问题，限期整改：逾期任务要说明滞后原因，明确整改措施和完成时限；"
        "未反馈任务要及时补报进展；未解决问题要落实责任、按期办结。%(office)s将持续跟踪督办，"
        "整改情况纳入下月考核。", office=office_name))
    _properties(document, data, office_name, issued_on)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _sections(document, data: dict) -> None:
    """三、四、五: the overdue tasks, the tasks without feedback, the unresolved problems."""
    overdue, unreported = data["overdue_tasks"], data["unreported_tasks"]
    problems = data["unresolved_problems"]
    _section(document, _("三、逾期任务"), (NUMBER, *OVERDUE), numbered(overdue),
             _("以下%(count)s项任务已超过时间节点仍未完成：", count=len(overdue)),
             _("本月无逾期任务。"))
    _section(document, _("四、本月未反馈任务"), (NUMBER, *TASK), numbered(unreported),
             _("以下%(count)s项在办任务本月未报送进展反馈：", count=len(unreported)),
             _("本月在办任务均已反馈。"))
    late = sum(1 for p in problems if p["overdue"])
    _section(document, _("五、未解决问题"), (NUMBER, *PROBLEMS), numbered(problems),
             _("问题清单中尚有%(count)s个问题未解决，其中%(late)s个已超过办结时限：",
               count=len(problems), late=late),
             _("问题清单中的问题均已解决。"))


def _properties(document, data: dict, office: str, issued_on: dt.date) -> None:
    props = document.core_properties
    props.title = f"{_('重点项目推进情况督查通报')}{issue_line(data)}"
    props.author = props.last_modified_by = office
    props.comments = props.keywords = props.subject = ""
    props.created = props.modified = dt.datetime.combine(issued_on, dt.time())
    props.revision = 1

"""The monthly 督查通报 as a Word document, from its data.

Pure functions of the data dict `build_circular` stores (no database, no request);
the text goes through Babel, so the job renders in the portal's default language.
"""

from __future__ import annotations

import copy
import datetime as dt
import io

from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_ALIGN_VERTICAL, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from flask_babel import gettext as _

from app.files import docx_package
from app.files import gbt9704_parts as parts
from app.files.circular_columns import (
    LEFT_ALIGNED,
    NUMBER,
    OVERDUE,
    PROBLEMS,
    RANKING,
    TASK,
    Column,
    cell_text,
    issue_line,
    long_date,
    numbered,
    period_of,
    summary_sentences,
)
from app.files.gbt9704 import (
    BODY_FONT,
    BODY_PT,
    FONTS,
    HEADING_FONT,
    RED,
    body,
    new_document,
    off_grid,
    set_font,
)

HEADING_STYLE, SUBHEADING_STYLE = "CircularHeading", "CircularSubheading"
TABLE_STYLE = "CircularTable"


def _table_style(document) -> None:
    """仿宋 五号 in tables, off the body's grid."""
    table = document.styles.add_style(TABLE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    table.base_style = document.styles["Normal"]
    set_font(table.font, BODY_FONT, 10.5)
    cells = table.paragraph_format
    cells.line_spacing_rule, cells.line_spacing = WD_LINE_SPACING.SINGLE, None
    cells.space_before, cells.space_after = Pt(3), Pt(3)
    cells.alignment = WD_ALIGN_PARAGRAPH.CENTER
    off_grid(cells)


def _table(document, columns: tuple[Column, ...], rows: list[dict]) -> None:
    """A bordered table, its header repeated on every page, overdue marks in red.

    Issue 19: the header and one model row are made with python-docx (widths, alignment,
    style); each row of the data is a copy of the model row's XML with its texts put in.
    python-docx's add_row / cells / width walk the whole table's grid on every call:
    rendering a city's lists that way took seconds."""
    table = document.add_table(rows=1, cols=len(columns))
    table.style, table.autofit = "Table Grid", False
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    header = table.rows[0]
    header._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))  # on every page
    for cell, column in zip(header.cells, columns, strict=True):
        set_font(cell.paragraphs[0].add_run(str(column.label)).font, HEADING_FONT, 10.5)
    model = table.add_row()
    model._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))  # never across pages
    red = None
    for cell, column in zip(model.cells, columns, strict=True):
        if column.key in LEFT_ALIGNED:
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.LEFT
        run = cell.paragraphs[0].add_run("-")
        if column.kind == "mark" and red is None:
            run.font.color.rgb, run.font.bold = RED, True
            red = run._r.rPr
            run._r.remove(red)
    # by id: python-docx's `paragraph.style = …` searches all styles on every call (issue 6:
    # seconds for a table of a thousand rows)
    style_id = document.styles[TABLE_STYLE].style_id
    for index, column in enumerate(columns):
        table.columns[index].width = Cm(column.cm)
        for cell in table.columns[index].cells:
            cell.width = Cm(column.cm)
            cell.vertical_alignment = WD_ALIGN_VERTICAL.CENTER
            for paragraph in cell.paragraphs:
                paragraph._p.style = style_id
    model_tr = model._tr
    table._tbl.remove(model_tr)
    assert all(len(tc.p_lst[0].r_lst[0]) == 1 for tc in model_tr.tc_lst)  # one <w:t>
    marks = [column.kind == "mark" for column in columns]
    for row in rows:
        tr = copy.deepcopy(model_tr)
        for r, column, mark in zip([tc.p_lst[0].r_lst[0] for tc in tr.tc_lst], columns,
                                   marks, strict=True):
            _put_text(r, cell_text(column, row))
            if mark and row.get(column.key):
                r.insert(0, copy.deepcopy(red))
        table._tbl.append(tr)
    document.add_paragraph()


def _put_text(r, text: str) -> None:
    """The run's text as python-docx's `add_run(text)` writes it: one <w:t> (kept spaces
    marked), or tabs and breaks through python-docx itself; no <w:t> for no text."""
    t = r[0]
    if not text:
        r.remove(t)
    elif "\t" in text or "\n" in text or "\r" in text:
        r.text = text
    else:
        t.text = text
        if len(text.strip()) < len(text):
            t.set(qn("xml:space"), "preserve")


def _section(document, heading: str, columns: tuple[Column, ...], rows: list[dict],
             intro: str, empty: str) -> None:
    document.add_paragraph(heading, style=HEADING_STYLE)
    paragraph = body(document, intro if rows else empty)
    if rows:
        paragraph.paragraph_format.keep_with_next = True  # never alone at a page's foot
        _table(document, columns, rows)


def render_docx(data: dict, office_name: str, issued_on: dt.date | None = None, *,
                cc: str = "", printer: str | None = None) -> bytes:
    """The circular as a GB/T 9704 公文 (.docx): 版头, title, body, 落款 and 版记.

    `data["doc_number"]` (清督通〔2026〕11号) goes over the red line; without it, none."""
    issued_on = issued_on or dt.date.fromisoformat(data["as_of"])
    period = period_of(data)
    document = new_document()
    _table_style(document)
    parts.masthead(document, office_name, data.get("doc_number"))
    # two lines, each of whole words (GB/T 9704: 回行时词意完整)
    parts.title(document, _("关于%(year)s年%(month)s月全县重点项目\n推进情况的督查通报",
                            year=period.year, month=period.month))
    body(document, _("各责任单位："), indent=False)
    body(document, _(
        "按照“月月有调度、月月有督促，件件有落实、事事有反馈”的要求，%(office)s对%(year)s年"
        "%(month)s月全县重点项目推进情况进行了督查（数据统计截至%(as_of)s），现将有关情况通报"
        "如下。", office=office_name, year=period.year, month=period.month,
        as_of=long_date(data["as_of"])))
    document.add_paragraph(_("一、总体情况"), style=HEADING_STYLE)
    body(document, "".join(summary_sentences(data)))
    _section(document, _("二、责任单位排名"), RANKING, data["ranking"],
             _("各责任单位按综合得分排名如下（得分相同的按单位名称排序）。"),
             _("本月无参与排名的责任单位。"))
    _sections(document, data)
    _requirements(document, office_name)
    parts.signature(document, office_name, issued_on)
    parts.colophon(document, cc, printer or office_name, issued_on)
    _properties(document, data, office_name, issued_on)
    out = io.BytesIO()
    document.save(out)
    return docx_package.clean(out.getvalue(), FONTS)


def _requirements(document, office: str) -> None:
    """六、工作要求: three （一） items, their lead in 楷体, then the follow-up sentence."""
    document.add_paragraph(_("六、工作要求"), style=HEADING_STYLE)
    for lead, text in (
            (_("（一）抓紧整改逾期任务。"), _("逾期任务要说明滞后原因，明确整改措施和完成时限。")),
            (_("（二）及时补报任务进展。"), _("未反馈任务要及时补报进展，确保件件有反馈。")),
            (_("（三）按期办结问题清单。"), _("未解决问题要落实责任、按期办结。"))):
        paragraph = document.add_paragraph(lead, style=SUBHEADING_STYLE)
        set_font(paragraph.add_run(text).font, BODY_FONT, BODY_PT)
    body(document, _("%(office)s将持续跟踪督办，整改情况纳入下月考核。", office=office))


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

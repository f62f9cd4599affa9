"""The parts of a GB/T 9704-2012 公文 around its body: 版头, title, 落款 and 版记."""

from __future__ import annotations

import datetime as dt
import re

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, Twips
from flask_babel import gettext as _

from app.files.circular_columns import long_date
from app.files.gbt9704 import (
    BODY_FONT,
    BODY_PT,
    CHAR_PT,
    COLOPHON_PT,
    LINE_PITCH_TWIPS,
    RED,
    TEXT_WIDTH_TWIPS,
    TITLE_FONT,
    TITLE_PT,
    border,
    off_grid,
    set_font,
)

LINE = Twips(LINE_PITCH_TWIPS)
ISSUER_MAX_PT = 36  # 小初; a longer name is set smaller to stay on one line
ISSUER_TOP_MM = 35  # 发文机关标志: its top 35 mm below the type area's top
RED_RULE_SPACE_PT = 11  # the red line 4 mm below the 发文字号
THICK, THIN = 8, 6  # 版记 rules in eighths of a point: 0.35 mm and 0.25 mm


def _centred(document, text: str, font: str, size: float, color=None):
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    form = paragraph.paragraph_format
    form.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    form.line_spacing = max(LINE, Pt(size * 1.2))
    off_grid(form)
    set_font(paragraph.add_run(text).font, font, size, color=color)
    return paragraph


def masthead(document, issuer: str, doc_number: str | None) -> None:
    """版头: the red 发文机关标志, the 发文字号 (if any), the red line under them."""
    size = min(ISSUER_MAX_PT, TEXT_WIDTH_TWIPS / 20 / max(len(issuer), 1))
    mark = _centred(document, issuer, TITLE_FONT, size, color=RED)
    mark.paragraph_format.space_before = Mm(ISSUER_TOP_MM)
    ruled = mark
    if doc_number:
        ruled = _centred(document, doc_number, BODY_FONT, BODY_PT)
        ruled.paragraph_format.space_before = LINE * 2  # 空二行
    border(ruled, "bottom", 12, color="FF0000", space=RED_RULE_SPACE_PT)


def title(document, text: str) -> None:
    """The title, 2号小标宋, two lines below the red line; the addressee one line below it.

    A "\n" in the text breaks the line there (w:br)."""
    paragraph = _centred(document, text, TITLE_FONT, TITLE_PT)
    paragraph.paragraph_format.space_before = LINE * 2
    paragraph.paragraph_format.space_after = LINE


def _width_in_chars(text: str) -> float:
    """Printed width in characters: ASCII (the date's digits) is half a character."""
    return sum(0.5 if ord(char) < 128 else 1 for char in text)


def signature(document, office: str, issued_on: dt.date) -> None:
    """落款: the office centred over the 成文日期, the date four characters from the right."""
    date = long_date(issued_on)
    office_indent = 4 + (_width_in_chars(date) - _width_in_chars(office)) / 2
    for text, indent, before in ((office, max(office_indent, 0), LINE), (date, 4, 0)):
        paragraph = document.add_paragraph(text)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        paragraph.paragraph_format.right_indent = Pt(indent * CHAR_PT)
        paragraph.paragraph_format.space_before = before
        paragraph.paragraph_format.keep_with_next = True


def cc_list(names: str) -> list[str]:
    """CIRCULAR_CC as names: separated by commas (，,) or 、."""
    return [name.strip() for name in re.split(r"[，,、;；]", names) if name.strip()]


def _colophon_row(table, text: str, printed: str | None = None) -> None:
    cell = table.add_row().cells[0]
    row_props = cell._tc.getparent().get_or_add_trPr()
    row_props.append(OxmlElement("w:cantSplit"))
    paragraph = cell.paragraphs[0]
    form = paragraph.paragraph_format
    form.line_spacing_rule, form.line_spacing = WD_LINE_SPACING.EXACTLY, LINE
    form.left_indent = form.right_indent = Pt(COLOPHON_PT)  # 左右各空一字
    off_grid(form)
    if printed is None:  # 抄送：a line that wraps under the first name
        form.left_indent = Pt(COLOPHON_PT * 4)
        form.first_line_indent = Pt(-COLOPHON_PT * 3)
    else:
        form.tab_stops.add_tab_stop(Twips(TEXT_WIDTH_TWIPS) - Pt(COLOPHON_PT * 2),
                                    WD_TAB_ALIGNMENT.RIGHT)
        text = f"{text}\t{printed}"
    set_font(paragraph.add_run(text).font, BODY_FONT, COLOPHON_PT)


def colophon(document, cc: str, printer: str, printed_on: dt.date) -> None:
    """版记: 抄送 (if any), 印发机关 and 印发日期, between a thick first and last rule."""
    document.add_paragraph().paragraph_format.keep_with_next = True
    table = document.add_table(rows=0, cols=1)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    names = cc_list(cc)
    if names:
        _colophon_row(table, _("抄送：%(names)s。", names="，".join(names)))
    _colophon_row(table, printer, _("%(date)s印发", date=long_date(printed_on)))
    rows = table.rows
    for index, row in enumerate(rows):
        cell = row.cells[0]
        cell.width = Twips(TEXT_WIDTH_TWIPS)
        _rules(cell, THICK if index == 0 else THIN, THICK if index == len(rows) - 1 else 0)
        if index < len(rows) - 1:
            cell.paragraphs[0].paragraph_format.keep_with_next = True


def _rules(cell, top: int, bottom: int) -> None:
    """The cell's top and bottom lines (eighths of a point, 0: none), no side lines."""
    borders = OxmlElement("w:tcBorders")
    for edge, size in (("top", top), ("left", 0), ("bottom", bottom), ("right", 0)):
        line = OxmlElement(f"w:{edge}")
        line.set(qn("w:val"), "single" if size else "nil")
        if size:
            line.set(qn("w:sz"), str(size))
            line.set(qn("w:space"), "0")
            line.set(qn("w:color"), "000000")
        borders.append(line)
    cell._tc.get_or_add_tcPr().append(borders)

"""The page of a Chinese official document (GB/T 9704-2012 党政机关公文格式) in python-docx.

A4, type area (版心) 156 × 225 mm, 天头 37 mm, 订口 28 mm; body 3号仿宋 on a grid of
22 lines × 28 characters; page numbers "— 1 —" in 4号宋体 on the outside edge, 7 mm below
the type area. Font names are the ones Chinese offices have installed (方正小标宋简体,
仿宋_GB2312, 黑体, 楷体_GB2312). A machine without them substitutes: LibreOffice on Debian
draws every Chinese character in WenQuanYi Micro Hei (fonts-wqy-microhei), Word on Windows
falls back to SimSun/宋体; the grid keeps the layout (28 characters, 22 lines) either way.
"""

from __future__ import annotations

import math

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor, Twips

RED = RGBColor(0xFF, 0x00, 0x00)
LATIN = "Times New Roman"
TITLE_FONT, BODY_FONT = "方正小标宋简体", "仿宋_GB2312"
HEADING_FONT, SUBHEADING_FONT, PAGE_NUMBER_FONT = "黑体", "楷体_GB2312", "宋体"
FONTS = (TITLE_FONT, BODY_FONT, HEADING_FONT, SUBHEADING_FONT, PAGE_NUMBER_FONT, LATIN)

TOP_MM, LEFT_MM, WIDTH_MM, HEIGHT_MM = 37, 28, 156, 225  # 天头, 订口, 版心
LINES, CHARS = 22, 28
BODY_PT, TITLE_PT, PAGE_NUMBER_PT, COLOPHON_PT = 16, 22, 14, 14  # 3号, 2号, 4号, 4号
PAGE_NUMBER_GAP_MM = 7  # the page number's line starts this far below the type area


def _twips(mm: float) -> int:
    return round(mm * 1440 / 25.4)


TEXT_WIDTH_TWIPS = _twips(WIDTH_MM)  # 8844
LINE_PITCH_TWIPS = _twips(HEIGHT_MM) // LINES  # 579 (28.95 pt): 22 lines fit in 225 mm
# w:charSpace: the character pitch less the body size, in 1/4096 pt (Word and LibreOffice)
CHAR_SPACE = math.floor((TEXT_WIDTH_TWIPS / 20 / CHARS - BODY_PT) * 4096)
CHAR_PT = BODY_PT + CHAR_SPACE / 4096  # one grid character: 15.79 pt
# LibreOffice 7.4 gives a character wider than the grid's pitch two cells (14 to a line),
# and ignores condensed spacing when it snaps. So paragraphs do not snap to the grid
# (w:snapToGrid 0, in Word too): their lines are exactly one pitch, their characters 3号
# condensed by 0.4 pt (w:spacing, in twentieths): 28 of 15.6 pt fit the 442 pt line, 29
# do not. (0.25 pt was measured too little: LibreOffice set some texts 27 to a line.)
CONDENSE_TWENTIETHS = -8


def set_font(font, east_asia: str, size: float, bold: bool = False,
             color: RGBColor | None = None) -> None:
    """Latin and East Asian font names (w:eastAsia: Word draws Chinese in it), size."""
    font.name, font.size, font.bold = LATIN, Pt(size), bold
    if color is not None:
        font.color.rgb = color
    font.element.rPr.rFonts.set(qn("w:eastAsia"), east_asia)


def off_grid(paragraph_format) -> None:
    """w:snapToGrid off: titles, tables and footers keep their own size and spacing."""
    snap = OxmlElement("w:snapToGrid")
    snap.set(qn("w:val"), "0")
    paragraph_format.element.get_or_add_pPr().insert_element_before(
        snap, "w:spacing", "w:ind", "w:jc", "w:rPr")


def _styles(document) -> None:
    """Normal: 3号仿宋 at one grid line; headings 黑体 and 楷体; Chinese language."""
    normal = document.styles["Normal"]
    set_font(normal.font, BODY_FONT, BODY_PT)
    body = normal.paragraph_format
    body.line_spacing_rule, body.line_spacing = WD_LINE_SPACING.EXACTLY, Twips(LINE_PITCH_TWIPS)
    body.space_before = body.space_after = Pt(0)
    body.widow_control = False  # a full page is 22 lines, whatever paragraph ends on it
    body.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    off_grid(body)
    condense = OxmlElement("w:spacing")
    condense.set(qn("w:val"), str(CONDENSE_TWENTIETHS))
    normal.element.get_or_add_rPr().insert_element_before(
        condense, "w:w", "w:kern", "w:position", "w:sz", "w:szCs", "w:highlight", "w:u",
        "w:effect", "w:bdr", "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em",
        "w:lang", "w:eastAsianLayout", "w:specVanish", "w:oMath")
    defaults = document.styles.element.find(qn("w:docDefaults"))
    for lang in defaults.iter(qn("w:lang")):  # the template's en-US: Latin stays Latin
        lang.set(qn("w:eastAsia"), "zh-CN")
    for name, font in (("CircularHeading", HEADING_FONT), ("CircularSubheading",
                                                           SUBHEADING_FONT)):
        heading = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        heading.base_style = normal
        set_font(heading.font, font, BODY_PT)
        heading.paragraph_format.first_line_indent = Pt(2 * CHAR_PT)
        heading.paragraph_format.keep_with_next = True


def _grid(section) -> None:
    """w:docGrid linesAndChars: 22 lines of 28 characters on every page."""
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), str(LINE_PITCH_TWIPS))
    grid.set(qn("w:charSpace"), str(CHAR_SPACE))


def _page(section) -> None:
    """A4 portrait, the type area 156 × 225 mm at 37 mm from the top, 28 mm from the left."""
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.left_margin = Twips(_twips(TOP_MM)), Twips(_twips(LEFT_MM))
    section.right_margin = Twips(_twips(210) - _twips(LEFT_MM) - TEXT_WIDTH_TWIPS)
    section.bottom_margin = Twips(_twips(297 - TOP_MM - HEIGHT_MM))
    # Word and LibreOffice set the footer's last line on this distance from the page's foot
    number_line_mm = PAGE_NUMBER_PT * 25.4 / 72
    section.footer_distance = Mm(297 - TOP_MM - HEIGHT_MM - PAGE_NUMBER_GAP_MM
                                 - number_line_mm)
    section.header_distance = Mm(15)
    _grid(section)


def _field_run(paragraph, kind: str, text: str = "") -> None:
    run = paragraph.add_run()
    if kind == "instr":
        instr = OxmlElement("w:instrText")
        instr.set(qn("xml:space"), "preserve")
        instr.text = text
        run._r.append(instr)
    elif kind == "text":
        run.text = text
    else:
        char = OxmlElement("w:fldChar")
        char.set(qn("w:fldCharType"), kind)
        run._r.append(char)


def _page_number(footer, align) -> None:
    """"— 1 —": 4号宋体, dashes and digits alike, one character in from the outside edge."""
    paragraph = footer.paragraphs[0]
    paragraph.alignment = align
    form = paragraph.paragraph_format
    form.line_spacing_rule, form.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(PAGE_NUMBER_PT)
    if align == WD_ALIGN_PARAGRAPH.RIGHT:
        form.right_indent = Pt(PAGE_NUMBER_PT)
    else:
        form.left_indent = Pt(PAGE_NUMBER_PT)
    off_grid(form)
    for kind, text in (("text", "— "), ("begin", ""), ("instr", " PAGE "), ("separate", ""),
                       ("text", "1"), ("end", ""), ("text", " —")):
        _field_run(paragraph, kind, text)
    for run in paragraph.runs:
        set_font(run.font, PAGE_NUMBER_FONT, PAGE_NUMBER_PT)
        run.font.element.rPr.rFonts.set(qn("w:hAnsi"), PAGE_NUMBER_FONT)
        run.font.element.rPr.rFonts.set(qn("w:ascii"), PAGE_NUMBER_FONT)


def new_document():
    """An empty GB/T 9704 document: page, grid, styles, odd and even page numbers."""
    document = Document()
    _styles(document)
    section = document.sections[0]
    _page(section)
    document.settings.odd_and_even_pages_header_footer = True  # w:evenAndOddHeaders
    _page_number(section.footer, WD_ALIGN_PARAGRAPH.RIGHT)  # odd pages: right
    _page_number(section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)  # even pages: left
    theme_lang = document.settings.element.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(qn("w:eastAsia"), "zh-CN")
    preview = document.settings.element.find(qn("w:savePreviewPicture"))
    if preview is not None:
        document.settings.element.remove(preview)
    return document


def body(document, text: str, indent: bool = True):
    """A body paragraph, its first line indented two characters."""
    paragraph = document.add_paragraph(text)
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(2 * CHAR_PT)
    return paragraph


def border(paragraph, edge: str, size_eighths: int, color: str = "000000",
           space: int = 0) -> None:
    """A line on one edge of a paragraph (w:pBdr), `space` points from its text."""
    line = OxmlElement(f"w:{edge}")
    for name, value in (("val", "single"), ("sz", str(size_eighths)), ("space", str(space)),
                        ("color", color)):
        line.set(qn(f"w:{name}"), value)
    props = paragraph._p.get_or_add_pPr()
    borders = props.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        props.insert_element_before(borders, "w:shd", "w:tabs", "w:spacing", "w:ind",
                                    "w:jc", "w:rPr")
    borders.append(line)

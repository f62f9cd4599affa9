"""The 督查通报's .docx as Word reads it (GB/T 9704-2012): page, grid, fonts, sizes, page
numbers, 版头, 落款, 版记 and tables, read back with python-docx; its package with zipfile."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from app.files import gbt9704
from app.files.circular_docx import render_docx
from app.web.disposition import attachment
from tests.test_circular_pdf import circular_data

ISSUED = dt.date(2026, 12, 2)


@pytest.fixture(scope="module")
def docx() -> bytes:
    return render_docx(circular_data(), "县委县政府督查室", ISSUED, cc="县委办公室、县政府办公室",
                       printer="县委县政府督查室（代印）")


@pytest.fixture(scope="module")
def document(docx):
    return Document(io.BytesIO(docx))


def east_asia(element) -> str:
    return element.rPr.rFonts.get(qn("w:eastAsia"))


def near(length, mm: float) -> bool:
    return abs(length - Mm(mm)) < Mm(0.05)


def test_a4_with_the_type_area_at_37_and_28_mm(document):
    section = document.sections[0]
    assert near(section.page_width, 210) and near(section.page_height, 297)
    assert near(section.top_margin, 37) and near(section.left_margin, 28)
    assert near(section.page_width - section.left_margin - section.right_margin, 156)
    assert near(section.page_height - section.top_margin - section.bottom_margin, 225)
    # the footer's one 14 pt line ends this far from the foot: it starts 7 mm below 262 mm
    assert abs(section.footer_distance + Pt(14) - Mm(297 - 262 - 7)) < Mm(0.05)


def test_the_grid_is_22_lines_of_28_characters(document):
    grid = document.sections[0]._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "linesAndChars"
    pitch, space = int(grid.get(qn("w:linePitch"))), int(grid.get(qn("w:charSpace")))
    area_twips = 225 / 25.4 * 1440
    assert 22 * pitch <= area_twips < 23 * pitch
    char_pt = 16 + space / 4096  # Word: the Normal size plus charSpace/4096 pt
    assert 28 * char_pt <= 156 / 25.4 * 72 < 29 * char_pt
    normal = document.styles["Normal"]
    assert normal.paragraph_format.line_spacing == pitch * 635  # exactly one grid line (EMU)


def test_fonts_and_sizes(document):
    styles = document.styles
    assert east_asia(styles["Normal"].element) == "仿宋_GB2312"
    assert styles["Normal"].font.size == Pt(16)  # 3号
    assert east_asia(styles["CircularHeading"].element) == "黑体"
    assert east_asia(styles["CircularSubheading"].element) == "楷体_GB2312"
    paragraphs = document.paragraphs
    mark, number, title = paragraphs[0], paragraphs[1], paragraphs[2]
    assert east_asia(mark.runs[0].element) == "方正小标宋简体"
    assert str(mark.runs[0].font.color.rgb) == "FF0000"
    assert number.text == "清督通〔2026〕11号"
    rule = number._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert rule.get(qn("w:color")) == "FF0000"  # the red line, under the 发文字号
    assert title.text == "关于2026年11月全县重点项目\n推进情况的督查通报"  # words whole
    assert east_asia(title.runs[0].element) == "方正小标宋简体"
    assert title.runs[0].font.size == Pt(22)  # 2号
    headings = [p.text for p in paragraphs if p.style.name == "CircularHeading"]
    assert headings[0] == "一、总体情况" and headings[-1] == "六、工作要求"
    item = next(p for p in paragraphs if p.text.startswith("（一）"))
    assert item.style.name == "CircularSubheading"  # the lead in 楷体, the rest in 仿宋
    assert east_asia(item.runs[1].element) == "仿宋_GB2312"


def test_page_numbers_outside_odd_right_even_left(docx, document):
    section = document.sections[0]
    with zipfile.ZipFile(io.BytesIO(docx)) as package:
        assert b"<w:evenAndOddHeaders/>" in package.read("word/settings.xml")
    for footer, align in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
                          (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        paragraph = footer.paragraphs[0]
        assert paragraph.alignment == align
        assert "PAGE" in paragraph._p.xml
        assert paragraph.text == "— 1 —"  # the field's cached result between the dashes
        for run in paragraph.runs:  # dashes and digits alike: 4号宋体
            assert run.font.size == Pt(14) and east_asia(run.element) == "宋体"


def test_signature_date_and_colophon(document):
    texts = [p.text for p in document.paragraphs if p.text]
    assert texts[-2:] == ["县委县政府督查室", "2026年12月2日"]
    date = next(p for p in document.paragraphs if p.text == "2026年12月2日")
    assert date.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    indent = date.paragraph_format.right_indent
    assert abs(indent - Pt(4 * gbt9704.CHAR_PT)) < Pt(0.05)  # 右空四字 (Word keeps twips)
    rows = document.tables[-1].rows
    assert [row.cells[0].text for row in rows] == [
        "抄送：县委办公室，县政府办公室。", "县委县政府督查室（代印）\t2026年12月2日印发"]
    sizes = [[int(row.cells[0]._tc.tcPr.find(qn("w:tcBorders")).find(qn(f"w:{edge}"))
                  .get(qn("w:sz")) or 0) for edge in ("top", "bottom")] for row in rows]
    assert sizes == [[8, 0], [6, 8]]  # thick first and last rule (0.35 mm), thin between


def test_tables_rows_never_split_headers_repeat(document):
    for table in document.tables[:-1]:
        header, *rows = table.rows
        assert header._tr.trPr.find(qn("w:tblHeader")) is not None
        assert rows and all(row._tr.trPr.find(qn("w:cantSplit")) is not None for row in rows)


def test_the_package_is_ours(docx):
    with zipfile.ZipFile(io.BytesIO(docx)) as package:
        names = package.namelist()
        assert "docProps/thumbnail.jpeg" not in names
        assert b"thumbnail" not in package.read("_rels/.rels")
        assert b'Extension="jpeg"' not in package.read("[Content_Types].xml")
        app_xml = package.read("docProps/app.xml").decode()
        assert re.search(r"<Application>KeyLedger</Application>", app_xml)
        assert "Macintosh" not in app_xml
        fonts = re.findall(r'w:name="([^"]+)"', package.read("word/fontTable.xml").decode())
        assert sorted(fonts) == sorted(gbt9704.FONTS)
        for part in ("word/styles.xml", "word/stylesWithEffects.xml", "word/settings.xml"):
            xml = package.read(part).decode()
            assert "ja-JP" not in xml and "明朝" not in xml, part
            assert set(re.findall(r'w:eastAsia="([a-z]{2}-[A-Z]{2})"', xml)) == {"zh-CN"}, part


def test_no_doc_number_no_line():
    data = circular_data()
    del data["doc_number"]
    document = Document(io.BytesIO(render_docx(data, "某县督查室", ISSUED)))
    assert [p.text for p in document.paragraphs[:2]] == [
        "某县督查室", "关于2026年11月全县重点项目\n推进情况的督查通报"]
    rule = document.paragraphs[0]._p.pPr.find(qn("w:pBdr"))  # the red line under the 标志
    assert rule is not None
    colophon = [row.cells[0].text for row in document.tables[-1].rows]
    assert colophon == ["某县督查室\t2026年12月2日印发"]  # no CC: no 抄送 line


def test_config_defaults(app):
    assert app.config["CIRCULAR_CC"] == ""
    assert app.config["CIRCULAR_PRINTER"] == app.config["CIRCULAR_ISSUER"]


@pytest.mark.parametrize(("name", "fallback", "header"), [
    ("督查通报-2026-11.docx", "duchatongbao-2026-11.docx",
     "attachment; filename=\"duchatongbao-2026-11.docx\"; "
     "filename*=UTF-8''%E7%9D%A3%E6%9F%A5%E9%80%9A%E6%8A%A5-2026-11.docx"),
    ("a b\".xlsx", "a b\".xlsx",
     "attachment; filename=\"a_b_.xlsx\"; filename*=UTF-8''a%20b%22.xlsx"),
])
def test_content_disposition(name, fallback, header):
    assert attachment(name, fallback) == header

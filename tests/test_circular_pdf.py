"""The 督查通报 as LibreOffice prints it (GB/T 9704-2012), measured on the PDF.

One soffice run converts two files: the circular itself (版头, tables over several pages,
版记) and a body of three full pages on the circular's own page (gbt9704.new_document),
since the circular's text alone never fills a page. pdftotext -bbox gives each word's box.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest

from app.files import docx_package, gbt9704
from app.files.circular_docx import render_docx
from tests.support import office

TOP, LEFT, WIDTH, HEIGHT = 37, 28, 156, 225  # 天头, 订口, 版心 (mm)
BOTTOM = TOP + HEIGHT
PT = 25.4 / 72  # mm
SAMPLE = "全县重点项目推进情况督查通报正文，按期落实各项任务。"
COUNTS = dict.fromkeys(("projects_in_scope", "projects_dispatched", "tasks_open", "tasks_urged",
                        "tasks_fed_back", "tasks_due", "tasks_implemented", "tasks_overdue"), 12)
RATES = {"dispatch_rate": 0.9, "supervision_rate": 0.85, "implementation_rate": 0.8,
         "feedback_rate": 0.95, "score": 86.5, "compliant": True}


def circular_data() -> dict:
    """A month with 30 departments and 60 overdue tasks: tables over several pages."""
    overdue = [{"title": f"完成第{i}批项目用地报批", "project": "城区道路改造工程",
                "department": "县住建局", "person": "张明", "deadline": "2026-11-10",
                "overdue_days": 20} for i in range(1, 61)]
    return {"period": "2026-11", "as_of": "2026-11-30", "doc_number": "清督通〔2026〕11号",
            "totals": COUNTS | RATES,
            "ranking": [{"rank": i, "department": f"第{i}责任单位"} | COUNTS | RATES
                        for i in range(1, 31)],
            "overdue_tasks": overdue, "unreported_tasks": overdue[:5],
            "unresolved_problems": []}


def body_pages() -> bytes:
    """One paragraph of 1,900 characters (three full pages and a bit) on the circular's page."""
    document = gbt9704.new_document()
    gbt9704.body(document, (SAMPLE * 80)[:1900])
    out = io.BytesIO()
    document.save(out)
    return docx_package.clean(out.getvalue(), gbt9704.FONTS)


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    office.require("soffice", "pdftotext", "pdftoppm")
    folder = tmp_path_factory.mktemp("circular-pdf")
    circular, body = folder / "circular.docx", folder / "body.docx"
    circular.write_bytes(render_docx(circular_data(), "县委县政府督查室", dt.date(2026, 12, 2),
                                     cc="县委办公室，县政府办公室"))
    body.write_bytes(body_pages())
    circular_pdf, body_pdf = office.to_pdf([circular, body], folder)
    office.screenshot(circular_pdf, "circular.png")  # the README's picture of page 1
    return office.pages(circular_pdf), office.pages(body_pdf)


def text_lines(page: list[office.Word]) -> list[list[office.Word]]:
    """The lines inside the type area (not the page number)."""
    return [line for line in office.lines(page) if line[0].bottom < BOTTOM + 1]


def number_line(page: list[office.Word]) -> list[office.Word]:
    below = [line for line in office.lines(page) if line[0].top > BOTTOM]
    assert len(below) == 1, below
    return below[0]


def chars(line: list[office.Word]) -> int:
    return sum(len(word.text) for word in line)


def test_a_full_page_has_22_lines_of_28_characters(printed):
    _, body = printed
    assert len(body) == 4
    for number, page in enumerate(body[:3], start=1):
        rows = text_lines(page)
        assert len(rows) == 22, f"page {number}"
        widths = [chars(row) for row in rows]
        first = 26 if number == 1 else 28  # the paragraph's first line: indented two
        assert widths == [first] + [28] * 21, f"page {number}: {widths}"


def test_the_type_area_is_37_mm_from_the_top_and_28_mm_from_the_left(printed):
    _, body = printed
    for page in body[:3]:
        rows = text_lines(page)
        bottoms = [row[0].bottom for row in rows]
        pitch = (bottoms[-1] - bottoms[0]) / (len(bottoms) - 1)
        assert pitch == pytest.approx(579 / 20 * PT, abs=0.05)  # 28.95 pt a line
        # exact line spacing sets the glyphs on the line's foot: its top is a pitch above
        assert bottoms[0] - pitch == pytest.approx(TOP, abs=1)
        assert bottoms[-1] <= BOTTOM + 0.1
        assert min(row[0].left for row in rows) == pytest.approx(LEFT, abs=1)
        full = [row for row in rows if chars(row) == 28]
        assert max(row[-1].right for row in full) == pytest.approx(LEFT + WIDTH, abs=1)


def test_page_numbers_on_the_outside_edge_below_the_type_area(printed):
    for document in printed:
        for number, page in enumerate(document, start=1):
            line = number_line(page)
            assert [word.text for word in line] == ["—", str(number), "—"]
            heights = {round(word.bottom - word.top, 1) for word in line}
            assert len(heights) == 1, f"dashes and digits of one size: {heights}"
            one_char = 14 * PT  # 4号, 空一字
            if number % 2:  # odd: right, one character in
                assert line[-1].right == pytest.approx(LEFT + WIDTH - one_char, abs=1)
            else:  # even: left
                assert line[0].left == pytest.approx(LEFT + one_char, abs=1)
            assert line[0].top == pytest.approx(BOTTOM + 7, abs=1)  # 7 mm below


def test_the_circulars_masthead_tables_and_colophon(printed):
    circular, _ = printed
    first = office.lines(circular[0])
    texts = ["".join(word.text for word in line) for line in first]
    assert texts[:2] == ["县委县政府督查室", "清督通〔2026〕11号"]
    assert texts[2:4] == ["关于2026年11月全县重点项目", "推进情况的督查通报"]  # words whole
    issuer = first[0]
    assert (issuer[0].left + issuer[-1].right) / 2 == pytest.approx(105, abs=1)  # centred
    assert issuer[0].top == pytest.approx(TOP + 35, abs=2)  # 35 mm into the type area
    assert texts[4] == "各责任单位："
    assert first[4][0].left == pytest.approx(LEFT, abs=1)
    # the overdue table's header row on every page it runs over
    def overdue_header(page: list[office.Word]) -> bool:  # its last label: 逾期 / 天数
        return [w.text for w in page].count("天数") == 1

    headed = [page for page in circular if overdue_header(page)]
    assert len(headed) >= 3  # 60 rows: three pages
    last = ["".join(w.text for w in line) for line in office.lines(circular[-1])]
    assert "抄送：县委办公室，县政府办公室。" in last
    assert any(line.startswith("县委县政府督查室") and line.endswith("2026年12月2日印发")
               for line in last)

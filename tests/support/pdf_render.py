"""LibreOffice renders of the workbooks the portal writes: an .xlsx to PDF (soffice), its
words' boxes (pdftotext -bbox), a page as PNG (pdftoppm). Skip without them, fail in CI."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                  r"(.*?)</word>")
PAGE = re.compile(r"<page\b.*?</page>", re.S)


def _missing(what: str) -> None:
    message = f"{what} not installed (apt-get install libreoffice-calc-nogui poppler-utils)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message} (CI=true: it must run)", pytrace=False)
    pytest.skip(message)


def require_tools() -> None:
    missing = [tool for tool in ("soffice", "pdftotext", "pdftoppm") if not shutil.which(tool)]
    if missing:
        _missing(", ".join(missing))


def to_pdf(xlsx: Path) -> Path:
    """The workbook printed to PDF by LibreOffice, with a profile of its own."""
    require_tools()
    profile = xlsx.parent / f"lo-profile-{uuid.uuid4().hex}"
    done = subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless",
                           "--convert-to", "pdf", "--outdir", str(xlsx.parent), str(xlsx)],
                          check=True, capture_output=True, text=True, timeout=180)
    shutil.rmtree(profile, ignore_errors=True)
    pdf = xlsx.with_suffix(".pdf")
    if not pdf.exists() and "could not be loaded" in done.stderr:
        _missing("LibreOffice Calc")  # soffice without Calc (only Writer) cannot open .xlsx
    assert pdf.exists(), f"LibreOffice wrote no {pdf.name}"
    return pdf


def word_boxes(pdf: Path) -> list[list[tuple[float, float, float, float, str]]]:
    """Each page's words: (x0, y0, x1, y1, text), in points from the top left."""
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True,
                          capture_output=True, text=True, timeout=60).stdout
    return [[(float(a), float(b), float(c), float(d), text)
             for a, b, c, d, text in WORD.findall(page)] for page in PAGE.findall(html)]


def overlaps(words: list[tuple[float, float, float, float, str]],
             leading: float = 0.2) -> list[tuple[str, str]]:
    """Pairs of words on different lines whose boxes intersect: text drawn over text. A box
    is the font's full height, so the lines of one wrapped cell touch by a little (about
    10 % of a line in LibreOffice 7.4): up to `leading` of a line's height is not an overlap."""
    found = []
    for i, (ax0, ay0, ax1, ay1, a) in enumerate(words):
        for bx0, by0, bx1, by1, b in words[i + 1:]:
            if abs(ay0 - by0) < 0.5 and abs(ay1 - by1) < 0.5:
                continue  # one line
            across = min(ax1, bx1) - max(ax0, bx0)
            down = min(ay1, by1) - max(ay0, by0)
            if across > 0.5 and down > leading * min(ay1 - ay0, by1 - by0):
                found.append((a, b))
    return found


def first_page_png(pdf: Path, out: Path, dpi: int = 60) -> Path:
    """Page 1 of the PDF as a PNG at out (without its suffix pdftoppm adds)."""
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile",
                    str(pdf), str(out.with_suffix(""))], check=True, timeout=60)
    return out

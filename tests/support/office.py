"""LibreOffice and poppler for the tests of printed documents: skip without them, fail in CI.

One `soffice` run converts all the files it is given, in a profile of its own
(-env:UserInstallation), so parallel runs do not share LibreOffice's lock.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

MM_PER_PT = 25.4 / 72
# the README's screenshots (as tests/support/browser.py: E2E_SCREENSHOTS=DIR writes elsewhere)
SCREENSHOTS = Path(os.environ.get("E2E_SCREENSHOTS")
                   or Path(__file__).resolve().parents[2] / "docs" / "screenshots")


def require(*tools: str) -> None:
    """Skip without the tools (soffice: libreoffice-writer-nogui; poppler-utils), or fail
    under CI=true."""
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if not missing:
        return
    message = f"{', '.join(missing)} not installed (apt-get install libreoffice-writer-nogui " \
              "poppler-utils)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message} (CI=true: it must run)", pytrace=False)
    pytest.skip(message)


def to_pdf(files: list[Path], outdir: Path) -> list[Path]:
    """The files as PDF, by one headless LibreOffice in a private profile."""
    profile = outdir / "lo-profile"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(outdir), *map(str, files)],
                   check=True, capture_output=True, timeout=180)
    pdfs = [outdir / f"{file.stem}.pdf" for file in files]
    assert all(pdf.exists() for pdf in pdfs), f"LibreOffice made no PDF of {files}"
    return pdfs


@dataclass(frozen=True)
class Word:
    """A word of the PDF as pdftotext -bbox places it, in mm from the page's top left."""

    text: str
    left: float
    top: float
    right: float
    bottom: float


_PAGE = re.compile(r"<page [^>]*>(.*?)</page>", re.S)
_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                   r"([^<]*)</word>")


def pages(pdf: Path) -> list[list[Word]]:
    """Every page's words."""
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True,
                          capture_output=True, text=True, timeout=60).stdout
    return [[Word(text, *(float(v) * MM_PER_PT for v in box))
             for *box, text in _WORD.findall(page)] for page in _PAGE.findall(html)]


def lines(words: list[Word]) -> list[list[Word]]:
    """The words grouped into lines (bottoms within 1.5 mm), top to bottom, left to right."""
    rows: list[list[Word]] = []
    for word in sorted(words, key=lambda w: w.bottom):
        if rows and word.bottom - rows[-1][0].bottom < 1.5:
            rows[-1].append(word)
        else:
            rows.append([word])
    return [sorted(row, key=lambda w: w.left) for row in rows]


def screenshot(pdf: Path, name: str) -> Path:
    """Page 1 at 60 dpi as SCREENSHOTS/name.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOTS / name
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile",
                    str(pdf), str(target.with_suffix(""))], check=True, timeout=60)
    return target

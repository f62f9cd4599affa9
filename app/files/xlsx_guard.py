"""An uploaded workbook checked before anything builds it in memory (issue 14.5).

openpyxl keeps every shared string of a workbook in memory, and a cell's text whole: a
1.5 MB file holding one 1.5 GB string drove a web worker to 3.4 GB. So before openpyxl
opens a file, its zip members are read here as streams: the declared unpacked sizes and
compression ratios first (Python's zipfile never unpacks more than a member declares),
then the sheets and the shared strings through expat in small pieces, counting cells,
columns and the length of each text without keeping any of it, within a time limit.
The same limits then hold while openpyxl reads the rows (app/files/excel_import.py).
"""

from __future__ import annotations

import re
import time
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import IO, Any
from xml.parsers import expat

from flask_babel import gettext as _

from app.domain.validation import DomainError

MB = 1024 * 1024
CHUNK = 64 * 1024
RATIO_FLOOR = MB  # members smaller than this may compress as well as they like
SCANNED = re.compile(r"^xl/(worksheets/[^/]+|sharedStrings)\.xml$", re.IGNORECASE)
CELL_REF = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)$")


@dataclass(frozen=True)
class Limits:
    """What one import may hold; config keys IMPORT_* (README, Configuration)."""

    unpacked_mb: int = 100
    ratio: int = 100
    shared_strings_mb: int = 32
    cells: int = 1_000_000
    columns: int = 100
    string: int = 5_000
    seconds: float = 60
    started: float = field(default_factory=time.monotonic, compare=False)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Limits:
        """The limits set in the app's configuration, defaults for the others."""
        keys = {"unpacked_mb": "IMPORT_MAX_UNPACKED_MB", "ratio": "IMPORT_MAX_RATIO",
                "shared_strings_mb": "IMPORT_MAX_SHARED_STRINGS_MB",
                "cells": "IMPORT_MAX_CELLS", "columns": "IMPORT_MAX_COLUMNS",
                "string": "IMPORT_MAX_STRING", "seconds": "IMPORT_MAX_SECONDS"}
        return cls(**{name: config[key] for name, key in keys.items() if key in config})

    def check_time(self) -> None:
        """Refuse an import that has run past its time."""
        if time.monotonic() - self.started > self.seconds:
            raise refused(_("文件处理超过 %(n)s 秒仍未完成，请拆分为较小的文件后分批导入。",
                            n=f"{self.seconds:g}"))


def refused(message: str) -> DomainError:
    """The refusal of a file past a limit: 413, nothing read further, nothing saved."""
    return DomainError(message, 413)


def check_package(source: IO[bytes] | str, limits: Limits) -> None:
    """Refuse a workbook whose members would not fit the limits, before it is opened."""
    with zipfile.ZipFile(source) as package:
        members = package.infolist()
        unpacked = sum(info.file_size for info in members)
        if unpacked > limits.unpacked_mb * MB:
            raise refused(_("文件解压后约 %(size)s MB，超过导入上限 %(limit)s MB，请分批导入。",
                            size=unpacked // MB, limit=limits.unpacked_mb))
        for info in members:
            if info.file_size > RATIO_FLOOR and info.file_size > limits.ratio * max(
                    info.compress_size, 1):
                raise refused(_("文件的压缩比异常（超过 %(ratio)s 倍），疑似压缩炸弹，已拒绝。",
                                ratio=limits.ratio))
            if info.filename.lower() == "xl/sharedstrings.xml" and (
                    info.file_size > limits.shared_strings_mb * MB):
                raise refused(_("文件中的文字内容超过 %(limit)s MB，请分批导入。",
                                limit=limits.shared_strings_mb))
        for info in members:
            if SCANNED.match(info.filename):
                with package.open(info) as stream:
                    _Scan(limits).feed(stream)


class _Scan:
    """One member read through expat: cells, columns and text lengths, nothing kept."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.cells = 0
        self.row_cells = 0
        self.text = 0
        self.parser = expat.ParserCreate()
        self.parser.StartElementHandler = self.start
        self.parser.EndElementHandler = self.end
        self.parser.CharacterDataHandler = self.characters
        self.parser.StartDoctypeDeclHandler = self.doctype

    def feed(self, stream: IO[bytes]) -> None:
        try:
            while chunk := stream.read(CHUNK):
                self.parser.Parse(chunk, False)
                self.limits.check_time()
            self.parser.Parse(b"", True)
        except expat.ExpatError as error:
            raise DomainError(_("文件无法读取：不是有效的 Excel (.xlsx) 文件，或文件已损坏。"),
                              400) from error

    def start(self, name: str, attributes: dict[str, str]) -> None:
        self.text = 0
        local = name.rsplit(":", 1)[-1]
        if local == "row":
            self.row_cells = 0
        elif local == "c":
            self.cells += 1
            self.row_cells += 1
            column = _column(attributes.get("r", "")) or self.row_cells
            self._check_size(self.cells, column)
        elif local == "dimension":
            self._check_dimension(attributes.get("ref", ""))

    def end(self, name: str) -> None:
        self.text = 0

    def characters(self, data: str) -> None:
        self.text += len(data)
        if self.text > self.limits.string:
            raise refused(_("文件中有单元格的文字超过 %(n)s 个字符，已拒绝。",
                            n=self.limits.string))

    def doctype(self, *args: object) -> None:
        raise DomainError(_("文件无法读取：不是有效的 Excel (.xlsx) 文件，或文件已损坏。"), 400)

    def _check_dimension(self, ref: str) -> None:
        """The sheet's declared used range (it may lie: the cells are counted too)."""
        parts = ref.upper().split(":")
        first, last = (parts[0], parts[-1]) if len(parts) <= 2 else ("", "")
        top, bottom = CELL_REF.match(first), CELL_REF.match(last)
        if top is None or bottom is None:
            return
        columns = _column(last) - _column(first) + 1
        rows = int(bottom.group(2)) - int(top.group(2)) + 1
        self._check_size(max(rows, 0) * max(columns, 0), columns)

    def _check_size(self, cells: int, column: int) -> None:
        if column > self.limits.columns:
            raise refused(_("工作表超过 %(n)s 列，请只保留模板中的列后再导入。",
                            n=self.limits.columns))
        if cells > self.limits.cells:
            raise refused(_("工作表超过 %(n)s 个单元格，请分批导入。", n=self.limits.cells))


def _column(ref: str) -> int:
    """The column number of a cell reference ("KN50000" → 300); 0 when there is none."""
    match = CELL_REF.match(ref.upper())
    if not match:
        return 0
    number = 0
    for letter in match.group(1):
        number = number * 26 + ord(letter) - ord("A") + 1
    return number

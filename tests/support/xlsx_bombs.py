"""Hostile .xlsx files written directly as zip and XML, in a second: a decompression bomb
(one huge shared string) and a sheet of 50,000 × 300 cells (issue 14.5).

A member is a prefix, a unit repeated `count` times and a suffix, deflated with a full
flush after each part: after a full flush deflate starts afresh, so the unit's compressed
bytes are the same each time and are computed once, and the file stays a valid zip
(the CRC is the real one) of gigabytes that would take minutes to compress the usual way.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

SHEET_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml"


@dataclass(frozen=True)
class Member:
    name: str
    prefix: bytes
    unit: bytes = b""
    count: int = 0
    suffix: bytes = b""


def _deflated(member: Member) -> tuple[bytes, int, int]:
    """(compressed bytes, CRC-32, unpacked size) of a member."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = packer.compress(member.prefix) + packer.flush(zlib.Z_FULL_FLUSH)
    unit = packer.compress(member.unit) + packer.flush(zlib.Z_FULL_FLUSH) if member.count else b""
    tail = packer.compress(member.suffix) + packer.flush()
    crc = zlib.crc32(member.prefix)
    for _ in range(member.count):
        crc = zlib.crc32(member.unit, crc)
    crc = zlib.crc32(member.suffix, crc)
    size = len(member.prefix) + len(member.unit) * member.count + len(member.suffix)
    assert size < 2**32, "no zip64 here"
    return head + unit * member.count + tail, crc, size


def zip_of(members: list[Member]) -> bytes:
    """A zip archive (deflated members, no zip64) of these members."""
    body, directory = bytearray(), bytearray()
    for member in members:
        data, crc, size = _deflated(member)
        name = member.name.encode()
        fields = (20, 0, 8, 0, 0x21, crc, len(data), size, len(name), 0)
        offset = len(body)
        body += struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields) + name + data
        directory += struct.pack("<IH", 0x02014B50, 20) + struct.pack(
            "<HHHHHIIIHH", *fields) + struct.pack("<HHHII", 0, 0, 0, 0, offset) + name
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members),
                      len(directory), len(body), 0)
    return bytes(body + directory + end)


def _package(sheet: Member, shared: Member | None) -> list[Member]:
    """The parts of a workbook of one sheet named 任务 (the import template's task sheet)."""
    types = (f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.'
             f'openxmlformats.org/package/2006/content-types"><Default Extension="rels" '
             f'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
             f'<Default Extension="xml" ContentType="application/xml"/><Override '
             f'PartName="/xl/workbook.xml" ContentType="{MAIN}.sheet.main+xml"/><Override '
             f'PartName="/xl/worksheets/sheet1.xml" ContentType="{MAIN}.worksheet+xml"/>'
             + (f'<Override PartName="/xl/sharedStrings.xml" ContentType="{MAIN}.'
                f'sharedStrings+xml"/>' if shared else "") + '</Types>')
    rels = (f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PACKAGE_RELS}">'
            f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
            f'</Relationships>')
    book = (f'<?xml version="1.0" encoding="UTF-8"?><workbook {SHEET_NS} xmlns:r="{REL_NS}">'
            f'<sheets><sheet name="任务" sheetId="1" r:id="rId1"/></sheets></workbook>')
    book_rels = (f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PACKAGE_RELS}">'
                 f'<Relationship Id="rId1" Type="{REL_NS}/worksheet" '
                 f'Target="worksheets/sheet1.xml"/>'
                 + (f'<Relationship Id="rId2" Type="{REL_NS}/sharedStrings" '
                    f'Target="sharedStrings.xml"/>' if shared else "") + '</Relationships>')
    parts = [Member("[Content_Types].xml", types.encode()), Member("_rels/.rels", rels.encode()),
             Member("xl/workbook.xml", book.encode()),
             Member("xl/_rels/workbook.xml.rels", book_rels.encode()), sheet]
    return parts + ([shared] if shared else [])


UNIT = b"x" * (16 * 1024 * 1024)


def one_huge_string(gigabytes: float, inline_gigabytes: float = 0) -> bytes:
    """A workbook whose task sheet's title cell is one shared string of this many GB, and
    (inline_gigabytes) a second cell of an inline string that long."""
    shared = Member("xl/sharedStrings.xml",
                    f'<?xml version="1.0" encoding="UTF-8"?><sst {SHEET_NS} count="1" '
                    f'uniqueCount="1"><si><t>'.encode(), UNIT, _units(gigabytes),
                    b"</t></si></sst>")
    sheet = Member("xl/worksheets/sheet1.xml", (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet {SHEET_NS}><sheetData>'
        f'<row r="1"><c r="A1" t="inlineStr"><is><t>任务名称</t></is></c></row>'
        f'<row r="2"><c r="A2" t="s"><v>0</v></c></row><row r="3"><c r="A3" '
        f't="inlineStr"><is><t>').encode(), UNIT, _units(inline_gigabytes),
        b"</t></is></c></row></sheetData></worksheet>")
    return zip_of(_package(sheet, shared))


def _units(gigabytes: float) -> int:
    return int(gigabytes * 1024**3) // len(UNIT)


def wide_sheet(rows: int = 50_000, columns: int = 300, dimension: bool = True) -> bytes:
    """A task sheet of rows × columns numeric cells (with or without its <dimension>)."""
    from openpyxl.utils import get_column_letter

    block = 100
    row = b"<row>" + b"<c><v>1</v></c>" * columns + b"</row>"
    ref = f'<dimension ref="A1:{get_column_letter(columns)}{rows}"/>' if dimension else ""
    sheet = Member("xl/worksheets/sheet1.xml", (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet {SHEET_NS}>{ref}<sheetData>'
    ).encode(), row * block, rows // block, b"</sheetData></worksheet>")
    return zip_of(_package(sheet, None))

"""A saved .docx cleaned of python-docx's default template: our own package, not a Mac Word's.

python-docx's template carries a blank thumbnail, "Microsoft Macintosh Word" as the
application and a font table of Japanese and Latin fonts (ＭＳ 明朝); the circular gets none
of them: no thumbnail, KeyLedger as the application, a font table of the fonts it uses.
"""

from __future__ import annotations

import io
import re
import zipfile
from xml.sax.saxutils import escape

APPLICATION = "KeyLedger"
THUMBNAIL = "docProps/thumbnail.jpeg"
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
# the Windows charset of each font (GB2312: 86), so Word picks the right substitute
_CHARSETS = {"Times New Roman": "00"}


def _font_table(fonts: tuple[str, ...]) -> bytes:
    entries = "".join(
        f'<w:font w:name="{escape(name)}"><w:charset w:val="{_CHARSETS.get(name, "86")}"/>'
        f'<w:family w:val="auto"/><w:pitch w:val="variable"/></w:font>' for name in fonts)
    return ("<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
            f'<w:fonts xmlns:w="{_W}">{entries}</w:fonts>').encode()


def _without_thumbnail(name: str, content: bytes) -> bytes:
    text = content.decode()
    if name == "_rels/.rels":
        text = re.sub(r'<Relationship [^>]*Target="docProps/thumbnail\.jpeg"/>', "", text)
    elif name == "[Content_Types].xml":
        text = re.sub(r'<Default Extension="jpeg" ContentType="image/jpeg"/>', "", text)
    elif name == "docProps/app.xml":
        text = re.sub(r"<Application>[^<]*</Application>",
                      f"<Application>{APPLICATION}</Application>", text)
        text = re.sub(r"<Template>[^<]*</Template>", "", text)
    return text.encode()


def clean(docx: bytes, fonts: tuple[str, ...]) -> bytes:
    """The package without the template's thumbnail, application name and font table."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename == THUMBNAIL:
                continue
            content = source.read(item)
            if item.filename == "word/fontTable.xml":
                content = _font_table(fonts)
            elif item.filename in ("_rels/.rels", "[Content_Types].xml", "docProps/app.xml"):
                content = _without_thumbnail(item.filename, content)
            elif item.filename == "word/stylesWithEffects.xml":  # Word 2010's copy of styles
                content = re.sub(rb'(<w:lang [^>]*w:eastAsia=")[^"]*"', rb'\1zh-CN"', content)
            target.writestr(item, content)
    return out.getvalue()

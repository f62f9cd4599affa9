"""Content-Disposition for a download with a Chinese name and a readable ASCII fallback."""

from __future__ import annotations

import re
from urllib.parse import quote


def attachment(name: str, ascii_name: str) -> str:
    """attachment; filename="duchatongbao-2026-11.docx"; filename*=UTF-8''督查通报-2026-11.docx.

    Browsers take the RFC 5987 `filename*`; old clients the plain `filename`, which must
    be ASCII (werkzeug's fallback drops the Chinese and leaves "-2026-11.docx")."""
    fallback = re.sub(r'[^A-Za-z0-9._-]', "_", ascii_name) or "download"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"

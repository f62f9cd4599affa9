"""A refused import's error workbook, kept for its one download (app/web/import_page.py).

The file goes under the instance folder by a random token; the token goes into the
uploader's session, so only that session can fetch it. Files older than KEEP_SECONDS are
removed whenever another is kept.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from pathlib import Path
from typing import IO

from flask import current_app

from app.files.excel_import import UNREADABLE
from app.files.import_errors import error_workbook
from app.files.importer import Report

logger = logging.getLogger(__name__)

SESSION_KEY = "import_errors"
KEEP_SECONDS = 3600
TOKEN_BYTES = 24


def _folder() -> Path:
    path = Path(current_app.instance_path) / "import_errors"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def _sweep(folder: Path) -> None:
    """Remove the files kept longer than KEEP_SECONDS."""
    limit = time.time() - KEEP_SECONDS
    for path in folder.iterdir():
        if path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)


def keep(source: IO[bytes], report: Report, filename: str | None) -> str | None:
    """Build and keep the error workbook of a refused import; its token (None: no cell to
    mark, or the file cannot be opened whole)."""
    if not report.cells:
        return None
    folder = _folder()
    _sweep(folder)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    try:
        data = error_workbook(source, report.cells, report.header_rows)
    except UNREADABLE:
        logger.exception("error workbook not built")
        return None
    (folder / f"{token}.xlsx").write_bytes(data)
    name = Path(filename or "import.xlsx").name
    (folder / f"{token}.json").write_text(json.dumps({"filename": name}), encoding="utf-8")
    return token


def kept(token: object) -> tuple[bytes, str] | None:
    """The kept workbook and the uploaded file's name, None when gone or never kept."""
    if not isinstance(token, str) or not token.replace("-", "").replace("_", "").isalnum():
        return None
    folder = _folder()
    path, meta = folder / f"{token}.xlsx", folder / f"{token}.json"
    if not path.is_file() or not meta.is_file():
        return None
    return path.read_bytes(), json.loads(meta.read_text(encoding="utf-8"))["filename"]

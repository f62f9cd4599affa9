"""Attachments (附件): 形象进度 photos on feedback, documents on problems.

The type is read from the content (magic bytes), never from the name; the bytes are stored
outside the web root (ATTACHMENT_DIR) under a generated name; a row is saved only with its
file, and a file is kept only with its row.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import event, or_, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from app import models as m
from app.domain import clock
from app.domain.validation import DomainError
from app.extensions import db

logger = logging.getLogger(__name__)

OWNERS = {"feedback": (m.Feedback, "feedback_id"), "problem": (m.Problem, "problem_id")}
IMAGES = frozenset({"image/jpeg", "image/png"})
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf",
              DOCX: ".docx", XLSX: ".xlsx"}
# the main part an OOXML package names in [Content_Types].xml, by the type it makes it
OOXML_MAIN = {
    DOCX: b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    XLSX: b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
}
CONTENT_TYPES_LIMIT = 1024 * 1024  # a [Content_Types].xml larger than this is no Office file
ACCEPT = ".jpg,.jpeg,.png,.pdf,.docx,.xlsx"


def detect_type(head: bytes, data: bytes) -> str | None:
    """The content type the bytes really are (JPEG, PNG, PDF, .docx, .xlsx), else None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"PK\x03\x04"):
        return _ooxml_type(data)
    return None


def _ooxml_type(data: bytes) -> str | None:
    """.docx or .xlsx by the package's [Content_Types].xml; macro-enabled files are not."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            info = package.getinfo("[Content_Types].xml")
            if info.file_size > CONTENT_TYPES_LIMIT:
                return None
            types = package.read(info)
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, ValueError):
        return None
    found = [kind for kind, main in OOXML_MAIN.items() if main in types]
    if len(found) != 1 or b"macroEnabled" in types:
        return None
    return found[0]


def storage_dir() -> Path:
    """ATTACHMENT_DIR, created (owner-only) when missing."""
    path = Path(current_app.config["ATTACHMENT_DIR"])
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def stored_path(attachment: m.Attachment) -> Path:
    return storage_dir() / attachment.stored_name


def display_name(filename: str | None) -> str:
    """The name as uploaded, without any folder a browser sent, for display only."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    name = "".join(ch for ch in name if ch.isprintable())
    return name[-255:] or _("附件")


def megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.0f}"


def too_large_message() -> str:
    return _("上传的文件太大：单个附件不能超过 %(limit)s MB。",
             limit=megabytes(current_app.config["ATTACHMENT_MAX_BYTES"]))


@dataclass
class Upload:
    """An upload read and checked: its bytes, what they are, and their digest."""

    filename: str
    data: bytes
    content_type: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def read_upload(stream: IO[bytes] | None, filename: str | None) -> Upload:
    """Read an upload up to the limit and check what it really is; a DomainError if not."""
    limit = current_app.config["ATTACHMENT_MAX_BYTES"]
    data = stream.read(limit + 1) if stream is not None else b""
    if not data:
        raise DomainError(_("请选择要上传的文件（文件不能为空）。"))
    if len(data) > limit:
        raise DomainError(too_large_message(), 413)
    content_type = detect_type(data[:16], data)
    if content_type is None:
        raise DomainError(_("文件“%(name)s”的内容不是允许的类型：只能上传 JPG、PNG 图片，PDF 文档，"
                            "或 Word（.docx）、Excel（.xlsx）文件。", name=display_name(filename)),
                          415)
    return Upload(display_name(filename), data, content_type)


def owner_filter(kind: str, owner_id: int) -> dict[str, int]:
    return {OWNERS[kind][1]: owner_id}


def save(kind: str, owner_id: int, upload: Upload, user_id: int | None) -> m.Attachment:
    """Write the file, then commit its row; a failed commit removes the file again."""
    row, path = stage(kind, owner_id, upload, user_id)
    commit_or_remove([path])
    return row


def stage(kind: str, owner_id: int, upload: Upload,
          user_id: int | None) -> tuple[m.Attachment, Path]:
    """Write the file and add its row to the session (not committed): the row and the file."""
    stored_name = uuid.uuid4().hex + EXTENSIONS[upload.content_type]
    try:
        path = storage_dir() / stored_name
    except OSError as error:
        raise _storage_failed(stored_name, error) from error
    _write(path, upload.data)
    row = m.Attachment(**owner_filter(kind, owner_id), filename=upload.filename,
                       stored_name=stored_name, content_type=upload.content_type,
                       size=len(upload.data), sha256=upload.sha256, uploaded_by_fk=user_id,
                       uploaded_at=clock.utcnow())
    db.session.add(row)
    return row, path


def commit_or_remove(paths: list[Path]) -> None:
    """Commit the session; if the database refuses, the staged files go too."""
    try:
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        for path in paths:
            path.unlink(missing_ok=True)
        raise


def _write(path: Path, data: bytes) -> None:
    """The bytes into `path`, whole or not at all (a temporary file renamed into place)."""
    partial = path.with_name(f".partial-{path.name}")
    try:
        with open(partial, "xb") as output:
            output.write(data)
            output.flush()
            os.fsync(output.fileno())
        partial.chmod(0o600)
        partial.replace(path)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise _storage_failed(path.name, error) from error


def _storage_failed(name: str, error: OSError) -> DomainError:
    logger.error("attachment %s could not be written: %s", name, error)
    return DomainError(_("附件未能保存（存储不可用），请稍后再试；未保存任何内容。"), 503)


def delete(attachment: m.Attachment) -> None:
    """Delete the row, then its file (a file left over is harmless; a row without one is not)."""
    path = stored_path(attachment)
    db.session.delete(attachment)
    db.session.commit()
    try:
        path.unlink(missing_ok=True)
    except OSError as error:
        logger.warning("attachment file %s left behind: %s", path.name, error)


def attachments_of(kind: str, owner_id: int) -> list[m.Attachment]:
    """The attachments of one feedback or problem, oldest first."""
    column = getattr(m.Attachment, OWNERS[kind][1])
    return list(db.session.scalars(
        select(m.Attachment).where(column == owner_id).order_by(m.Attachment.id)))


def is_image(attachment: m.Attachment) -> bool:
    return attachment.content_type in IMAGES


# --- files of rows deleted with their owner ----------------------------------------------------

DOOMED = "keyledger.attachment_files_to_remove"


@event.listens_for(Session, "before_flush")
def _note_owner_deletions(session: Session, _context: object, _instances: object) -> None:
    """A feedback, problem, task or project deleted takes its attachments' rows (ON DELETE
    CASCADE): note their files, to remove once the deletion is committed."""
    deleted = {model: {o.id for o in session.deleted if isinstance(o, model)}
               for model in (m.Feedback, m.Problem, m.Task, m.Project)}
    if not any(deleted.values()):
        return
    a = m.Attachment
    of_tasks = select(m.Feedback.id).where(m.Feedback.task_id.in_(deleted[m.Task]))
    of_projects = select(m.Problem.id).where(m.Problem.project_id.in_(deleted[m.Project]))
    with session.no_autoflush:
        names = session.scalars(select(a.stored_name).where(or_(
            a.feedback_id.in_(deleted[m.Feedback]), a.problem_id.in_(deleted[m.Problem]),
            a.feedback_id.in_(of_tasks), a.problem_id.in_(of_projects)))).all()
    session.info.setdefault(DOOMED, []).extend(names)


@event.listens_for(Session, "after_commit")
def _remove_files_of_deleted_rows(session: Session) -> None:
    for name in session.info.pop(DOOMED, []):
        try:
            (storage_dir() / name).unlink(missing_ok=True)
        except OSError as error:
            logger.warning("attachment file %s left behind: %s", name, error)


@event.listens_for(Session, "after_rollback")
def _keep_files_of_rows_kept(session: Session) -> None:
    session.info.pop(DOOMED, None)

"""Attachments (附件) on feedback and problems: type by content, size limit, storage outside
the web root under generated names, row scope on download, nothing half-saved."""

from __future__ import annotations

import hashlib
import io
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, text

from app import models as m
from app.extensions import db
from tests.support.days import config
from tests.support.web import csrf_token


def png_bytes() -> bytes:
    """A real 1×1 PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels)
            + chunk(b"IEND", b""))


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 \
    + b"\xff\xd9"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def docx_bytes() -> bytes:
    import docx

    out = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("协调会议纪要")
    document.save(out)
    return out.getvalue()


def xlsx_bytes() -> bytes:
    from openpyxl import Workbook

    out = io.BytesIO()
    Workbook().save(out)
    return out.getvalue()


def macro_enabled(data: bytes) -> bytes:
    """The same package claiming to be a macro-enabled Word file (.docm)."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "[Content_Types].xml":
                content = content.replace(
                    b"wordprocessingml.document.main+xml",
                    b"application/vnd.ms-word.document.macroEnabled.main+xml")
            target.writestr(info, content)
    return out.getvalue()


def plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("index.html", "<script>alert(1)</script>")
    return out.getvalue()


DISGUISED = {
    "html.jpg": b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>",
    "svg.png": b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">'
               b"<script>alert(1)</script></svg>",
    "program.jpg": b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64,
    "archive.docx": plain_zip(),
    "macro.docx": macro_enabled(docx_bytes()),
    "text.pdf": b"just some text, not a PDF",
}


def attachment_dir(app) -> Path:
    return Path(app.config["ATTACHMENT_DIR"])


def stored_files(app) -> set[str]:
    folder = attachment_dir(app)
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


def rows(app) -> list[tuple]:
    with app.app_context():
        found = db.session.execute(select(
            m.Attachment.id, m.Attachment.feedback_id, m.Attachment.problem_id,
            m.Attachment.stored_name, m.Attachment.sha256).order_by(m.Attachment.id)).all()
        db.session.rollback()
    return [tuple(row) for row in found]


def show_url(kind: str, owner: int) -> str:
    return f"/{'feedbackview' if kind == 'feedback' else 'problemview'}/show/{owner}"


def upload(client, kind: str, owner: int, data: bytes, name: str,
           token: str | None = "page"):
    """POST a file as the show page's form does (token "page": read from the page)."""
    if token == "page":
        token = csrf_token(client, show_url(kind, owner))
    form = {"file": (io.BytesIO(data), name)}
    if token:
        form["csrf_token"] = token
    return client.post(f"/attachments/{kind}/{owner}/upload", data=form,
                       content_type="multipart/form-data")


def latest(app) -> m.Attachment:
    with app.app_context():
        row = db.session.scalar(select(m.Attachment).order_by(m.Attachment.id.desc()))
        db.session.expunge(row)
    return row


def text_of(response) -> str:
    return response.get_data(as_text=True)


def fetch(client, url: str):
    """GET a download, its body read and its file closed."""
    response = client.get(url)
    response.get_data()
    response.close()
    return response


# --- upload, list, download ----------------------------------------------------------------


def test_a_photo_on_feedback_is_stored_under_a_generated_name_and_served_inline(
        app, client, auth, world) -> None:
    auth.login("staff_a")
    feedback = world.a["feedback"]
    response = upload(client, "feedback", feedback, png_bytes(), "../../形象进度 一月.jpg")
    assert response.status_code == 302, text_of(response)
    row = latest(app)
    assert (row.feedback_id, row.problem_id) == (feedback, None)
    assert row.filename == "形象进度 一月.jpg"  # no folder; the name for display only
    assert row.content_type == "image/png"  # what the bytes are, not what the name says
    assert row.stored_name.endswith(".png") and "形象" not in row.stored_name
    stored = attachment_dir(app) / row.stored_name
    assert stored.read_bytes() == png_bytes()
    assert row.sha256 == hashlib.sha256(png_bytes()).hexdigest() and row.size == len(png_bytes())
    assert not str(stored.resolve()).startswith(str(Path(app.static_folder).resolve()))

    page = text_of(client.get(show_url("feedback", feedback)))
    assert "形象进度 一月.jpg" in page and "上传附件" in page
    download = fetch(client, f"/attachments/feedback/{feedback}/{row.id}")
    assert download.status_code == 200 and download.data == png_bytes()
    assert download.mimetype == "image/png"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert "attachment" not in download.headers.get("Content-Disposition", "")
    assert "sandbox" in download.headers["Content-Security-Policy"]


@pytest.mark.parametrize(("name", "data", "content_type", "suffix"), [
    ("协调函.pdf", PDF, "application/pdf", ".pdf"),
    ("纪要.docx", docx_bytes(), "application/vnd.openxmlformats-officedocument."
     "wordprocessingml.document", ".docx"),
    ("清单.xlsx", xlsx_bytes(), "application/vnd.openxmlformats-officedocument."
     "spreadsheetml.sheet", ".xlsx"),
    ("现场.jpeg", JPEG, "image/jpeg", ".jpg"),
])
def test_a_document_on_a_problem_downloads_as_an_attachment_with_its_stored_type(
        app, client, auth, world, name, data, content_type, suffix) -> None:
    auth.login("staff_a")
    problem = world.a["problem"]
    assert upload(client, "problem", problem, data, name).status_code == 302
    row = latest(app)
    assert (row.problem_id, row.content_type) == (problem, content_type)
    assert row.stored_name.endswith(suffix)
    response = fetch(client, f"/attachments/problem/{problem}/{row.id}")
    assert response.status_code == 200 and response.data == data
    assert response.mimetype == content_type
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("inline" if content_type.startswith("image/") else "attachment")
    assert name in text_of(client.get(show_url("problem", problem)))


@pytest.mark.parametrize("name", list(DISGUISED))
def test_a_file_whose_content_is_not_an_allowed_type_is_refused_whatever_its_name(
        app, client, auth, world, name) -> None:
    auth.login("staff_a")
    before_rows, before_files = rows(app), stored_files(app)
    response = upload(client, "feedback", world.a["feedback"], DISGUISED[name], name)
    assert response.status_code == 415
    assert "只能上传 JPG、PNG 图片" in text_of(response) and name in text_of(response)
    assert rows(app) == before_rows and stored_files(app) == before_files


def test_an_empty_upload_or_no_file_is_refused(app, client, auth, world) -> None:
    auth.login("staff_a")
    before = rows(app)
    assert upload(client, "feedback", world.a["feedback"], b"", "空.jpg").status_code == 422
    token = csrf_token(client, show_url("feedback", world.a["feedback"]))
    response = client.post(f"/attachments/feedback/{world.a['feedback']}/upload",
                           data={"csrf_token": token})
    assert response.status_code == 422 and "请选择要上传的文件" in text_of(response)
    assert rows(app) == before


# --- size -------------------------------------------------------------------------------------


def test_a_file_over_the_attachment_limit_gets_a_chinese_413(app, client, auth, world) -> None:
    auth.login("staff_a")
    before_rows, before_files = rows(app), stored_files(app)
    with config(app, ATTACHMENT_MAX_BYTES=1024):
        response = upload(client, "feedback", world.a["feedback"], PDF + b"0" * 1024, "大.pdf")
    assert response.status_code == 413
    assert "单个附件不能超过" in text_of(response)
    assert rows(app) == before_rows and stored_files(app) == before_files


def test_a_request_over_the_request_limit_gets_the_413_page(app, client, auth, world) -> None:
    auth.login("staff_a")
    before = rows(app)
    token = csrf_token(client, show_url("feedback", world.a["feedback"]))
    limit = app.config["MAX_CONTENT_LENGTH"]
    body = (f'--kl\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
            '--kl\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\n'
            'Content-Type: application/pdf\r\n\r\n').encode() + PDF + b"0" * limit \
        + b"\r\n--kl--\r\n"  # built here: the test client's own encoder leaks a temp file
    response = client.post(f"/attachments/feedback/{world.a['feedback']}/upload", data=body,
                           content_type="multipart/form-data; boundary=kl")
    assert response.status_code == 413
    assert "上传的文件太大" in text_of(response) and "MB" in text_of(response)
    assert rows(app) == before


# --- who may -------------------------------------------------------------------------------


def test_another_department_gets_404_and_a_leader_reads_but_does_not_write(
        app, client, auth, world) -> None:
    auth.login("staff_a")
    feedback, problem = world.a["feedback"], world.a["problem"]
    assert upload(client, "feedback", feedback, png_bytes(), "a.png").status_code == 302
    photo = latest(app)
    assert upload(client, "problem", problem, PDF, "a.pdf").status_code == 302
    document = latest(app)
    auth.logout()

    auth.login("staff_b")
    token = csrf_token(client, "/feedbackview/list/")
    before = rows(app)
    for kind, owner, row in (("feedback", feedback, photo), ("problem", problem, document)):
        assert fetch(client, f"/attachments/{kind}/{owner}/{row.id}").status_code == 404
        assert upload(client, kind, owner, PDF, "b.pdf", token=token).status_code == 404
        assert client.post(f"/attachments/{kind}/{owner}/{row.id}/delete",
                           data={"csrf_token": token}).status_code == 404
    # B's own feedback id with A's attachment id: still no
    own = world.b["feedback"]
    assert fetch(client, f"/attachments/feedback/{own}/{photo.id}").status_code == 404
    assert rows(app) == before
    auth.logout()

    auth.login("leader")
    assert fetch(client, f"/attachments/feedback/{feedback}/{photo.id}").status_code == 200
    page = text_of(client.get(show_url("feedback", feedback)))
    assert "a.png" in page and "上传附件" not in page
    token = csrf_token(client, show_url("feedback", feedback))
    assert upload(client, "feedback", feedback, PDF, "l.pdf", token=token).status_code in (302, 403)
    assert client.post(f"/attachments/feedback/{feedback}/{photo.id}/delete",
                       data={"csrf_token": token}).status_code in (302, 403)
    assert rows(app) == before, "a leader changes nothing"
    auth.logout()
    assert fetch(client, f"/attachments/feedback/{feedback}/{photo.id}").status_code == 302  # login


def test_every_post_needs_the_csrf_token(app, client, auth, world) -> None:
    auth.login("staff_a")
    feedback = world.a["feedback"]
    assert upload(client, "feedback", feedback, png_bytes(), "c.png").status_code == 302
    row = latest(app)
    before_rows, before_files = rows(app), stored_files(app)
    assert upload(client, "feedback", feedback, png_bytes(), "d.png", token=None).status_code == 400
    assert client.post(f"/attachments/feedback/{feedback}/{row.id}/delete").status_code == 400
    assert rows(app) == before_rows and stored_files(app) == before_files


def test_delete_removes_the_row_and_its_file(app, client, auth, world) -> None:
    auth.login("staff_a")
    problem = world.a["problem"]
    assert upload(client, "problem", problem, PDF, "删除我.pdf").status_code == 302
    row = latest(app)
    token = csrf_token(client, show_url("problem", problem))
    response = client.post(f"/attachments/problem/{problem}/{row.id}/delete",
                           data={"csrf_token": token})
    assert response.status_code == 302
    assert row.id not in [r[0] for r in rows(app)]
    assert not (attachment_dir(app) / row.stored_name).exists()
    assert fetch(client, f"/attachments/problem/{problem}/{row.id}").status_code == 404


# --- nothing half-saved ------------------------------------------------------------------------


def test_storage_that_cannot_be_written_saves_no_row(app, client, auth, world, tmp_path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be")
    auth.login("staff_a")
    before = rows(app)
    with config(app, ATTACHMENT_DIR=str(blocker / "attachments")):
        response = upload(client, "feedback", world.a["feedback"], png_bytes(), "e.png")
    assert response.status_code == 503 and "附件未能保存" in text_of(response)
    assert rows(app) == before


FAILING_INSERT = {
    "sqlite": ["CREATE TRIGGER kl_test_refuse BEFORE INSERT ON attachment "
               "BEGIN SELECT RAISE(ABORT, 'refused by test'); END"],
    "postgresql": ["CREATE FUNCTION kl_test_refuse() RETURNS trigger LANGUAGE plpgsql AS "
                   "$$ BEGIN RAISE EXCEPTION 'refused by test'; END $$",
                   "CREATE TRIGGER kl_test_refuse BEFORE INSERT ON attachment "
                   "FOR EACH ROW EXECUTE FUNCTION kl_test_refuse()"],
}
PASSING_INSERT = {
    "sqlite": ["DROP TRIGGER kl_test_refuse"],
    "postgresql": ["DROP TRIGGER kl_test_refuse ON attachment", "DROP FUNCTION kl_test_refuse()"],
}


def _run(app, statements: dict[str, list[str]]) -> None:
    with app.app_context():
        for statement in statements[db.engine.dialect.name]:
            db.session.execute(text(statement))
        db.session.commit()


def test_a_failed_commit_leaves_no_file_behind(app, client, auth, world) -> None:
    """The database refuses the row (a trigger, in the database): the written file goes."""
    auth.login("staff_a")
    token = csrf_token(client, show_url("feedback", world.a["feedback"]))
    before_rows, before_files = rows(app), stored_files(app)
    _run(app, FAILING_INSERT)
    try:
        response = upload(client, "feedback", world.a["feedback"], png_bytes(), "f.png",
                          token=token)
    finally:
        _run(app, PASSING_INSERT)
    assert response.status_code == 500 and "Traceback" not in text_of(response)
    assert rows(app) == before_rows
    assert stored_files(app) == before_files, "the file of the refused row was removed"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(m.Attachment)) == len(
            before_rows)


# --- 我的台账: a photo with the progress report ---------------------------------------------


def feedback_count(app) -> int:
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(m.Feedback))
        db.session.rollback()
    return count


def report(client, task: int, progress: str, photo: tuple[bytes, str]):
    token = csrf_token(client, "/my/ledger/")
    return client.post(f"/my/ledger/{task}/feedback", content_type="multipart/form-data",
                       data={"csrf_token": token, "progress": progress,
                             "percent_complete": "60", "photo": (io.BytesIO(photo[0]), photo[1])})


def test_my_ledger_reports_progress_with_a_photo_in_one_go(app, client, auth, world) -> None:
    auth.login("staff_a")
    task, before = world.a["task"], feedback_count(app)
    response = report(client, task, "附照片的进展", (png_bytes(), "工地.png"))
    assert response.status_code == 302, text_of(response)[:300]
    assert feedback_count(app) == before + 1
    row = latest(app)
    with app.app_context():
        feedback = db.session.get(m.Feedback, row.feedback_id)
        assert (feedback.progress, feedback.task_id) == ("附照片的进展", task)
        db.session.execute(delete(m.Feedback).where(m.Feedback.id == feedback.id))
        db.session.commit()  # the shared world keeps its feedback count (the row cascades)
    assert (row.filename, row.content_type) == ("工地.png", "image/png")


def test_my_ledger_refuses_a_disguised_file_and_saves_no_feedback(
        app, client, auth, world) -> None:
    auth.login("staff_a")
    before, before_rows, before_files = feedback_count(app), rows(app), stored_files(app)
    response = report(client, world.a["task"], "附伪装文件", (DISGUISED["html.jpg"], "x.jpg"))
    assert response.status_code == 415 and "只能上传 JPG、PNG 图片" in text_of(response)
    assert feedback_count(app) == before
    assert rows(app) == before_rows and stored_files(app) == before_files


def test_deleting_a_feedback_removes_its_attachments_files(app, client, auth, world) -> None:
    auth.login("staff_a")
    task = world.a["task"]
    assert report(client, task, "将被删除的反馈", (PDF, "删.pdf")).status_code == 302
    row = latest(app)
    assert (attachment_dir(app) / row.stored_name).exists()
    token = csrf_token(client, show_url("feedback", row.feedback_id))
    response = client.post(f"/feedbackview/delete/{row.feedback_id}", data={"csrf_token": token})
    assert response.status_code == 302
    assert row.id not in [r[0] for r in rows(app)], "the row went with its feedback"
    assert not (attachment_dir(app) / row.stored_name).exists(), "and so did its file"

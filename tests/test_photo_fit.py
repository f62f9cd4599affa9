"""Issue 18.3 on the server: a 进展反馈 whose photo is over the limit keeps what was typed
(the form again, filled in, with a Chinese message beside the file field), and the photo
fields offer the camera and the in-browser shrinking."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app import models as m
from tests.support.days import config
from tests.support.web import csrf_token

pytestmark = pytest.mark.usefixtures("leaves_no_rows")
PROGRESS = "三号楼主体封顶，正在砌筑二次结构"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"


def feedback_count(app) -> int:
    from app.extensions import db

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(m.Feedback))


def multipart(fields: dict[str, str], photo: bytes, filename: str = "IMG_2026.jpg") -> bytes:
    """A form's body as a browser sends it (the test client's encoder leaks a temp file)."""
    parts = [f'--kl\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
             for name, value in fields.items()]
    head = (f'--kl\r\nContent-Disposition: form-data; name="photo"; filename="{filename}"\r\n'
            "Content-Type: image/jpeg\r\n\r\n")
    return "".join(parts).encode() + head.encode() + photo + b"\r\n--kl--\r\n"


def report(client, task: int, photo: bytes, token: str | None = None):
    fields = {"csrf_token": token or csrf_token(client, "/my/ledger/"), "progress": PROGRESS,
              "percent_complete": "65", "problems": "钢材到货慢", "next_steps": "下周验收"}
    return client.post(f"/my/ledger/{task}/feedback", data=multipart(fields, photo),
                       content_type="multipart/form-data; boundary=kl")


def feedback_form(html: str, task: int) -> str:
    start = html.index(f'action="/my/ledger/{task}/feedback')
    return html[html.rindex("<details", 0, start):html.index("</details>", start)]


def test_a_request_over_the_limit_keeps_the_typed_text(app, client, auth, world):
    auth.login("staff_a")
    task, before = world.a["task"], feedback_count(app)
    photo = JPEG + b"\x00" * app.config["MAX_CONTENT_LENGTH"]  # a phone photo as taken
    response = report(client, task, photo)
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    form = feedback_form(html, task)
    assert form.startswith("<details open")
    assert PROGRESS in form and "钢材到货慢" in form and "下周验收" in form
    assert 'value="65"' in form
    note = re.search(r'<div class="form-group kl-photo has-error">.*?</div>', form, re.S)
    assert note, "the message is beside the file field"
    assert "照片或附件太大" in note.group(0) and "已填写的内容已保留" in note.group(0)
    assert "返回首页" not in html  # the ledger page, not the bare error page
    assert feedback_count(app) == before


def test_a_photo_over_the_attachment_limit_is_said_beside_the_file_field(app, client, auth,
                                                                         world):
    auth.login("staff_a")
    task, before = world.a["task"], feedback_count(app)
    with config(app, ATTACHMENT_MAX_BYTES=1024):
        response = report(client, task, JPEG + b"\x00" * 2048)
    assert response.status_code == 413
    form = feedback_form(response.get_data(as_text=True), task)
    note = re.search(r'<div class="form-group kl-photo has-error">.*?</div>', form, re.S)
    assert note and "单个附件不能超过" in note.group(0)
    assert PROGRESS in form
    assert feedback_count(app) == before


def test_a_refused_upload_without_a_valid_token_gets_the_plain_page(app, client, auth, world):
    auth.login("staff_a")
    photo = JPEG + b"\x00" * app.config["MAX_CONTENT_LENGTH"]
    response = report(client, world.a["task"], photo, token="forged")
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "上传的文件太大" in html and PROGRESS not in html


def test_the_photo_field_offers_the_camera_and_the_shrinking(app, client, auth, world):
    auth.login("staff_a")
    html = client.get("/my/ledger/").get_data(as_text=True)
    task = world.a["task"]
    form = feedback_form(html, task)
    box = re.search(rf'<input type="file" id="photo-{task}"[^>]*>', form).group(0)
    assert 'accept="image/*,' in box and "data-shrink-photo" in box
    assert f'data-max-bytes="{app.config["ATTACHMENT_MAX_BYTES"]}"' in box
    camera = re.search(rf'<input type="file" id="photo-{task}-camera"[^>]*>', form).group(0)
    assert 'capture="environment"' in camera and 'accept="image/*"' in camera
    assert "js/photo-shrink.js" in html
    script = client.get("/static/js/photo-shrink.js")
    assert script.status_code == 200
    script.close()

"""Control characters: refused where text comes in, dropped where documents go out."""

from __future__ import annotations

from sqlalchemy import func, select

from app import models as m
from app.domain.text import has_control, printable


def test_printable_keeps_text_and_drops_only_control_characters():
    assert printable({"a": ["完成\x00用地\x1b报批", 3], "b": "换行\n和\t制表"}) == {
        "a": ["完成用地报批", 3], "b": "换行\n和\t制表"}
    assert has_control("\x07") and not has_control("逾期 3 天\r\n")


def test_a_task_title_with_a_control_character_is_refused_in_chinese(
        client, api_token, world, db_session):
    count = db_session.scalar(select(func.count()).select_from(m.Task))
    response = client.post("/api/v1/task/", headers=api_token("supervisor"), json={
        "title": "完成\x00用地报批", "department": world.dept_a, "assigned_on": "2026-06-01",
        "deadline": "2026-06-30"})
    assert response.status_code == 422
    assert response.json["message"] == "“标题”含有不可见的控制字符，请删除后再保存。"
    assert db_session.scalar(select(func.count()).select_from(m.Task)) == count

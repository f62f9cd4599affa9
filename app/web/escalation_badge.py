"""The 督办 level as a coloured badge with its word (蓝色督办, 黄色督办, 红色督办; issue 16):
for the task list, 我的台账, the project page, the dashboard and the 督办通知单."""

from __future__ import annotations

from flask import Flask
from markupsafe import Markup

from app.domain import choices, notice_number

STYLE = {"blue": "primary", "yellow": "warning", "red": "danger"}  # Bootstrap 3 labels


def badge(level: str | None) -> Markup | str:
    """The level's label, coloured, the word in it (never the colour alone); none: empty."""
    if level is None or level not in STYLE:
        return ""
    return Markup('<span class="label label-{} kl-escalation kl-escalation-{}">{}</span>').format(
        STYLE[level], level, choices.label(choices.ESCALATION_LEVEL, level))


def init_app(app: Flask) -> None:
    app.add_template_global(badge, "escalation_badge")
    app.add_template_global(notice_number.doc_number, "notice_number")

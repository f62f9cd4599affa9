"""登录日志 (issue 15, item 6): every login attempt, by the form or the API, and every logout.

A row says who (the login, and the user name as typed: control and bidirectional characters
removed, cut to its column), when (UTC), from which address (the request's, which ProxyFix
corrects where PROXY_COUNT says a proxy is in front: app/web/accounts.py), the user agent
(cut to 300 characters), and, for a refused login, why: a wrong password, an unknown user
or an inactive account. The page that refused the login says only what FAB says (wrong
user name or password, the same for both); the reason is for the administrator's list.
The password typed is never stored.

Rows are written through a connection of their own, committed at once, so a refused login
is recorded whatever becomes of the request's transaction.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import insert

from app import models as m
from app.domain.text import CONTROL, INVISIBLE, LINE_BREAK
from app.extensions import db

logger = logging.getLogger(__name__)
NAME_MAX = 100  # login_log.username
AGENT_MAX = 300  # login_log.user_agent, web_session.user_agent
ADDRESS_MAX = 45  # an IPv6 address in text

WRONG_PASSWORD, UNKNOWN_USER, INACTIVE = "wrong_password", "unknown_user", "inactive"


def cleaned(text: object, max_length: int) -> str:
    """What was typed, without control, invisible or bidirectional characters, cut."""
    value = text if isinstance(text, str) else ""
    for pattern in (CONTROL, INVISIBLE, LINE_BREAK):
        value = pattern.sub("", value)
    return value.strip()[:max_length]


@dataclass
class Attempt:
    """One login or logout, as the request tells it."""

    event: str  # login, logout
    channel: str  # form, api
    username: object  # as typed (any JSON value an API client sent)
    success: bool
    user_id: int | None = None
    reason: str | None = None
    address: str | None = None
    user_agent: str | None = None


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def record(attempt: Attempt) -> None:
    """Write one row of the 登录日志, committed at once (never the password)."""
    values = {
        "at": utcnow(), "event": attempt.event, "channel": attempt.channel,
        "user_id": attempt.user_id, "username": cleaned(attempt.username, NAME_MAX),
        "success": attempt.success, "reason": attempt.reason,
        "address": cleaned(attempt.address, ADDRESS_MAX) or None,
        "user_agent": cleaned(attempt.user_agent, AGENT_MAX) or None,
    }
    with db.engine.begin() as connection:
        connection.execute(insert(m.LoginLog.__table__).values(**values))

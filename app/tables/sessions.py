"""Logins on the server (issue 14): the sessions behind the browsers' cookies, and each
user's login generation, which every session and token carries and a password change,
deactivation, logout or 全部下线 moves on (app/domain/sessions.py); the 登录日志 of every
login and logout (issue 15, app/domain/login_log.py)."""

from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column


class WebSession(Model):
    """One browser's session, when REDIS_URL is not set (with it, they live in Redis)."""

    __tablename__ = "web_session"
    __table_args__ = (
        Index("ix_web_session_user_id", "user_id"),
        Index("ix_web_session_seen_at", "seen_at"),
    )

    # SHA-256 of the cookie's random id: a copy of this table logs nobody in
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    # no foreign key: anonymous sessions (the login form's CSRF token) have no user
    user_id: Mapped[int | None] = mapped_column(Integer)
    data: Mapped[str] = mapped_column(Text)  # the session's values, as tagged JSON
    created_at: Mapped[float] = mapped_column(Float)  # Unix time
    seen_at: Mapped[float] = mapped_column(Float)  # Unix time of the last request
    # where the session was last used from (issue 15: the user's list of their sessions)
    address: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(300))


class LoginGeneration(Model):
    """A user's login generation: sessions and tokens of an older one are refused."""

    __tablename__ = "login_generation"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("ab_user.id", ondelete="CASCADE"), primary_key=True)
    generation: Mapped[int] = mapped_column(Integer, default=0)
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime)  # UTC


class LoginLog(Model):
    """登录日志: one login attempt (form or API), successful or not, or one logout.

    The user name is the one typed, cleaned (app/domain/login_log.py); the password typed is
    never stored. Written through a connection of its own, so a failed login is recorded
    whatever the request's transaction does.
    """

    __tablename__ = "login_log"
    __table_args__ = (
        Index("ix_login_log_at", "at"),
        Index("ix_login_log_user_id_at", "user_id", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime)  # UTC
    event: Mapped[str] = mapped_column(String(10))  # login, logout
    channel: Mapped[str] = mapped_column(String(10))  # form, api
    # the login the name belongs to, if any (kept when the login is deleted: the name stays)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    username: Mapped[str] = mapped_column(String(100))  # as typed, cleaned and cut
    success: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str | None] = mapped_column(String(20))  # why a login failed
    address: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(300))


class AccessVersion(Model):
    """One row: the access version, moved on in the transaction of every change to roles,
    permissions, data scopes, a user's roles or active flag, or a login's tie to a person
    (app/domain/access_version.py); each web process keeps the users' resolved permissions
    for as long as it stays the same."""

    __tablename__ = "access_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)

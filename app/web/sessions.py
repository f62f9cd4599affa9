"""Sessions on the server, and logins that end (issue 14).

- The cookie carries a random id only; the session's values live in the store of
  app/domain/session_store.py (the database, or Redis with REDIS_URL). Logging out deletes
  the session, so a copy of the cookie is worth nothing afterwards; a login starts a
  session under a new id (no session fixation).
- A session ends SESSION_IDLE_MINUTES after its last request, and at the latest
  PERMANENT_SESSION_LIFETIME after the login.
- Every session and JWT carries its user's login generation (app/domain/sessions.py): a
  session or token of an older one is refused, the API with a Chinese 401.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import secrets
from typing import Any

from flask import Flask, Request, Response, jsonify, request, session
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SessionInterface, SessionMixin
from flask_babel import gettext as _
from flask_login import user_logged_in
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.datastructures import CallbackDict

from app.domain import access_version, sessions
from app.domain.login_log import ADDRESS_MAX, AGENT_MAX, cleaned
from app.domain.session_store import Limits, Record
from app.extensions import appbuilder, db
from app.web.access import note_version
from app.web.errors import DatabaseUnavailable

logger = logging.getLogger(__name__)
GENERATION = "_generation"  # the session's key: the login generation it was started in
SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{43}$")  # secrets.token_urlsafe(32)
TOUCH_AFTER = 60.0  # seconds: an unchanged session is written back at most once a minute
serializer = TaggedJSONSerializer()


class ServerSession(CallbackDict, SessionMixin):
    """A session whose values are stored on the server under `sid`."""

    def __init__(self, initial: dict | None = None, sid: str | None = None,
                 record: Record | None = None) -> None:
        def changed(_session: Any) -> None:
            self.modified = True

        super().__init__(initial, changed)
        self.sid, self.record = sid, record
        self.modified = False
        self.renew = False
        self.unavailable = False  # the store did not answer: this request changes nothing

    def new_id(self) -> None:
        """Go on under a new id (at login and logout): the old id leads nowhere."""
        self.renew = True
        self.modified = True


def _key(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


def current_key() -> str | None:
    """The store's key of this request's session (None before it is stored)."""
    sid = getattr(session, "sid", None)
    return _key(sid) if sid else None


def _worth_storing(values: dict, default_locale: str) -> bool:
    """Not a visitor's (or a JWT client's) session that holds only the default language."""
    return any(k != "locale" or v != default_locale for k, v in values.items())


class ServerSessionInterface(SessionInterface):
    def _limits(self, app: Flask) -> Limits:
        return Limits(idle=float(app.config["SESSION_IDLE_MINUTES"]) * 60,
                      lifetime=app.permanent_session_lifetime.total_seconds())

    def open_session(self, app: Flask, request: Request) -> ServerSession:
        sid = request.cookies.get(self.get_cookie_name(app), "")
        if not SESSION_ID.match(sid):
            return ServerSession()
        try:
            return self._stored(app, sid)
        except SQLAlchemyError as error:  # the request answers 503 (app/web/errors.py)
            logger.warning("sessions: the database does not answer: %s", error)
            unavailable = ServerSession()
            unavailable.unavailable = True
            return unavailable

    def _stored(self, app: Flask, sid: str) -> ServerSession:
        store, key = sessions.store(), _key(sid)
        record = store.get(key)
        if record is None:
            return ServerSession()
        if not self._limits(app).alive(record, sessions.now()):
            store.delete(key)
            return ServerSession()
        return ServerSession(serializer.loads(record.data), sid=sid, record=record)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        """Write the session back, unless the database is away (a 503 changes nothing:
        the browser keeps its session for when the database answers again)."""
        assert isinstance(session, ServerSession)
        if session.unavailable or response.status_code == 503:
            return
        try:
            self._save(app, session, response)
        except SQLAlchemyError as error:
            logger.warning("sessions: the session could not be saved: %s", error)

    def _save(self, app: Flask, session: ServerSession, response: Response) -> None:
        store, now = sessions.store(), sessions.now()
        name = self.get_cookie_name(app)
        if session.sid and (session.renew or not session):
            store.delete(_key(session.sid))
        if not session:
            if session.sid:
                response.delete_cookie(name, domain=self.get_cookie_domain(app),
                                       path=self.get_cookie_path(app))
            return
        stored = session.record
        if session.sid is None or stored is None or session.renew:
            if not _worth_storing(dict(session), app.config["BABEL_DEFAULT_LOCALE"]):
                if session.sid:  # renewed into nothing worth keeping (a logout)
                    response.delete_cookie(name, domain=self.get_cookie_domain(app),
                                           path=self.get_cookie_path(app))
                return
            session.sid, created = secrets.token_urlsafe(32), now
        elif now - stored.seen > TOUCH_AFTER or (
                session.modified and serializer.dumps(dict(session)) != stored.data):
            # FAB sets page_history on every list page: the same page again changes nothing
            # and costs no write (issue 19: a reloaded list wrote its session every time)
            created = stored.created
        else:
            return
        user_id = session.get("_user_id")
        record = Record(serializer.dumps(dict(session)),
                        int(user_id) if user_id is not None else None, created, now,
                        address=cleaned(request.remote_addr, ADDRESS_MAX) or None,
                        user_agent=cleaned(request.user_agent.string, AGENT_MAX) or None)
        store.put(_key(session.sid), record, now)
        response.vary.add("Cookie")
        expires = (dt.datetime.fromtimestamp(created, dt.UTC) + app.permanent_session_lifetime
                   if session.permanent else None)
        response.set_cookie(
            name, session.sid, expires=expires, httponly=self.get_cookie_httponly(app),
            domain=self.get_cookie_domain(app), path=self.get_cookie_path(app),
            secure=self.get_cookie_secure(app), samesite=self.get_cookie_samesite(app))


# --- logins: the generation of sessions and tokens ------------------------------------------


def _started(_app: Flask, user: Any) -> None:
    """A login: a new session id, stamped with the user's current generation."""
    if isinstance(session, ServerSession):
        session.new_id()
    session[GENERATION] = sessions.generation(db.session, user.id)


def restamp(user_id: int) -> None:
    """Keep this session after ending the user's others (their own password change)."""
    session[GENERATION] = sessions.generation(db.session, user_id)


def _session_user(pk: str) -> Any:
    """Flask-Login's user of a session: only while the session's generation is current
    (read with the access version, app/web/access.py: one statement)."""
    user = appbuilder().sm.load_user(pk)
    if user is None:
        return None
    generation, version = access_version.with_generation(db.session, user.id)
    if session.get(GENERATION) != generation:
        return None
    note_version(version)
    return user


def _token_claims(identity: Any) -> dict[str, int]:
    return {"gen": sessions.generation(db.session, int(identity))}


def _token_revoked(_header: dict, payload: dict) -> bool:
    try:
        user_id = int(payload["sub"])
    except (KeyError, TypeError, ValueError):
        return True
    generation, version = access_version.with_generation(db.session, user_id)
    if payload.get("gen", 0) != generation:
        return True
    note_version(version)
    return False


def _revoked_answer(_header: dict, _payload: dict) -> tuple[Response, int]:
    return jsonify(message=_("登录已失效，请重新登录。")), 401


def _store_unavailable() -> None:
    """The session could not be read: a 503 before anything else (the CSRF check would
    refuse the form as expired, the login page would ask to log in again)."""
    if getattr(session, "unavailable", False):
        raise DatabaseUnavailable(_("数据库暂时无法访问或正忙，请稍后再试。"))


def init_app(app: Flask) -> None:
    """Sessions on the server; sessions and JWTs checked against the login generation."""
    sessions.init_app(app)
    app.session_interface = ServerSessionInterface()
    app.before_request_funcs.setdefault(None, []).insert(0, _store_unavailable)
    sm = app.extensions["appbuilder"].sm
    sm.lm.user_loader(_session_user)
    jwt = sm.jwt_manager
    jwt.additional_claims_loader(_token_claims)
    jwt.token_in_blocklist_loader(_token_revoked)
    jwt.revoked_token_loader(_revoked_answer)
    user_logged_in.connect(_started, app)

"""Error pages in the user's language: never a traceback, JSON for the API."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from flask import (
    Flask,
    current_app,
    g,
    has_request_context,
    jsonify,
    render_template,
    request,
    session,
)
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import event
from sqlalchemy.engine import Engine, ExceptionContext
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from app.domain import access, status
from app.domain.save import refusal, retrying
from app.domain.validation import DomainError
from app.extensions import appbuilder, db
from app.web import odd_input
from app.web.too_large import DRAIN_FACTOR, kept_text_answer

logger = logging.getLogger(__name__)


def _messages() -> dict[int, str]:
    return {
        400: _("请求无效。"),
        403: _("您没有权限访问此页面。"),
        404: _("页面不存在，或您无权查看这条记录。"),
        405: _("不支持这种请求方式。"),
        413: _("上传的文件太大：单个附件不能超过 %(file)s MB，一次提交不能超过 %(request)s MB。",
               file=_megabytes("ATTACHMENT_MAX_BYTES"), request=_megabytes("MAX_CONTENT_LENGTH")),
        422: _("提交的数据有误。"),
        500: _("系统出现错误，请稍后再试。"),
    }


def _megabytes(key: str) -> str:
    return f"{current_app.config.get(key, 0) / 1024 / 1024:.0f}"


def _respond(status: int, message: str | None):
    if request.path.startswith("/api/"):
        return jsonify(message=message), status
    if "user" not in g:  # refused before FAB's before_request (CSRF): the menu needs it
        g.user = current_user
    page = render_template("errors/error.html", status=status, message=message,
                           appbuilder=appbuilder())
    return page, status


def init_app(app: Flask) -> None:
    odd_input.init_app(app)  # odd query arguments: 400 before any view reads them

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return _respond(400, _("页面已过期或缺少安全令牌，请刷新页面后重试。"))

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        """A refused change (the flush guard's 403 among them): nothing of it was kept."""
        db.session.rollback()
        return _respond(error.status, error.message)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        if error.code == 413:
            kept = kept_text_answer()  # a form that shows its typed text again (issue 18.3)
            if kept is not None:
                return kept
            _drain_body()
        return _respond(error.code, _messages().get(error.code, error.description))

    @app.errorhandler(OperationalError)
    @app.errorhandler(PoolTimeout)
    def database_error(error: SQLAlchemyError):
        logger.error("database unavailable on %s: %s", request.path,
                     getattr(error, "orig", None) or error)
        return _database_unavailable()

    @app.errorhandler(DBAPIError)
    def dbapi_error(error: DBAPIError):
        if error.connection_invalidated:  # the connection was lost mid-request
            return database_error(error)
        return unexpected(error)

    @app.errorhandler(DatabaseUnavailable)
    def database_refused_write(error: DatabaseUnavailable):
        g.pop("database_unavailable", None)
        return _database_unavailable()

    @app.after_request
    def database_failed_inside_fab(response):
        """FAB's CRUD views catch a failed commit and answer a form: answer 503 instead."""
        if g.pop("database_unavailable", False):
            session.pop("_flashes", None)  # the 503 page says it; no stale message later
            return _database_unavailable()
        return response

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        logger.exception("unhandled error on %s", request.path)
        return _respond(500, _messages()[500])


# a request over MAX_CONTENT_LENGTH is read and thrown away up to DRAIN_FACTOR times the
# limit, so the browser gets the 413 page instead of a connection reset mid-upload


def _drain_body() -> None:
    """Read the rest of a refused upload, when it is not absurdly large."""
    length = request.content_length
    limit = (current_app.config.get("MAX_CONTENT_LENGTH") or 0) * DRAIN_FACTOR
    stream = request.environ.get("wsgi.input")
    if stream is None or length is None or length > limit:
        return
    remaining = length
    while remaining > 0:
        chunk = stream.read(min(remaining, 64 * 1024))
        if not chunk:
            break
        remaining -= len(chunk)


def _database_unavailable():
    """503: a page that needs no database (no menu, no user), or JSON for the API."""
    try:
        db.session.rollback()
    except SQLAlchemyError as error:  # the connection is gone: nothing to roll back
        logger.warning("rollback after a database error failed: %s", error)
    message = _("数据库暂时无法访问或正忙，请稍后再试。")
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        message += _("本次提交的内容没有保存，请稍后重新提交。")
    if request.path.startswith("/api/"):
        response = jsonify(message=message)
    else:
        # not render_template: its context processors load the user from the database
        page = current_app.jinja_env.get_template("errors/unavailable.html")
        response = current_app.make_response(page.render(message=message, retry=request.path))
    response.status_code = 503
    response.headers["Retry-After"] = "10"
    return response


class GuardedInterface(SQLAInterface):
    """FAB's data interface; a commit the database refuses for being unreachable or locked
    marks the request, so it answers 503 rather than FAB's form with the SQL in a message,
    and one the flush guard refuses is kept for the view to answer (403, nothing saved)."""

    def get(self, id, *args, **kwargs):
        """The row of this id; None (a 404) for an id no row can have, before the database
        sees it (SQLite raises OverflowError on 99999999999999999999)."""
        if access.id_or_none(id) is None:
            return None
        return super().get(id, *args, **kwargs)

    def add(self, item, commit: bool = True) -> None:
        with self._answered():
            self._refreshing(item)
            super().add(item, commit)

    def edit(self, item, commit: bool = True) -> None:
        with self._answered():
            self._refreshing(item)
            super().edit(item, commit)

    def delete(self, item, commit: bool = True) -> None:
        tasks, projects = status.affected(item)  # read before the row is gone
        with self._answered():
            super().delete(item, False)
            self.session.flush()
            status.refresh_affected([t for t in tasks if t is not item and t in self.session],
                                    projects)
            if commit:
                self.session.commit()

    def _refreshing(self, item) -> None:
        """The one save path's last steps in FAB's transaction: write, then the statuses the
        change moves, so FAB's commit keeps both or neither (app/domain/save.py)."""
        self.session.add(item)
        self.session.flush()
        status.refresh_affected([item])

    @contextmanager
    def _answered(self) -> Iterator[None]:
        """FAB would flash the flush guard's refusal as "saved" or as a database error: keep
        it for the view to answer; mark an unreachable or locked database for a 503."""
        try:
            yield
        except DomainError as error:
            self.session.rollback()
            g.domain_error, g.refused_commit = error, True
            raise
        except IntegrityError as error:  # a rule the database holds (save.RULES): a 409
            refused = refusal(error)
            if refused is None:
                raise
            self.session.rollback()
            g.domain_error, g.refused_commit = refused, True
            raise refused from error
        except Exception as error:  # FAB raises the SQLAlchemy error or wraps it
            cause = error if isinstance(error, SQLAlchemyError) else error.__cause__
            if isinstance(cause, OperationalError | PoolTimeout):
                g.database_unavailable = True
                raise DatabaseUnavailable(_("数据库暂时无法访问或正忙，请稍后再试。")) from error
            raise


class DatabaseUnavailable(Exception):
    """A write failed because the database could not be reached or was locked."""


@event.listens_for(Engine, "handle_error")
def _mark_database_unavailable(context: ExceptionContext) -> None:
    """A locked or unreachable database during a request: the request answers 503, even
    where FAB catches the error itself (a failed autoflush in pre_update becomes a flash
    message with the SQL in it, and a redirect as if saved)."""
    if retrying(context.original_exception):  # a deadlock's victim, run again (save.py)
        return
    unavailable = isinstance(context.sqlalchemy_exception, OperationalError)
    if (unavailable or context.is_disconnect) and has_request_context():
        g.database_unavailable = True

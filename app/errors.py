"""Error pages in the user's language: never a traceback, JSON for the API."""

from __future__ import annotations

import logging

from flask import Flask, current_app, g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

logger = logging.getLogger(__name__)


def _messages() -> dict[int, str]:
    return {
        400: _("请求无效。"),
        403: _("您没有权限访问此页面。"),
        404: _("页面不存在，或您无权查看这条记录。"),
        405: _("不支持这种请求方式。"),
        413: _("上传的文件太大。"),
        422: _("提交的数据有误。"),
        500: _("系统出现错误，请稍后再试。"),
    }


def _respond(status: int, message: str):  # noqa: ANN202
    if request.path.startswith("/api/"):
        return jsonify(message=message), status
    if "user" not in g:  # refused before FAB's before_request (CSRF): the menu needs it
        g.user = current_user
    page = render_template("errors/error.html", status=status, message=message,
                           appbuilder=current_app.appbuilder)
    return page, status


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):  # noqa: ANN202
        return _respond(400, _("页面已过期或缺少安全令牌，请刷新页面后重试。"))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):  # noqa: ANN202
        if error.code is None or error.code < 400:
            return error
        return _respond(error.code, _messages().get(error.code, error.description))

    @app.errorhandler(Exception)
    def unexpected(error: Exception):  # noqa: ANN202
        logger.exception("unhandled error on %s", request.path)
        return _respond(500, _messages()[500])

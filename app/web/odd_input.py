"""Odd query arguments refused before any view reads them (issue 14.7): 400 in Chinese.

FAB reads its list arguments itself and answers a 500 for some of them: a rison `q` nested
deep enough to exhaust the parser's recursion, a page or page size too large for the
database's OFFSET, an order column the list does not have, a page size that is not a
number. Every request passes here first, whatever view answers it, so a new list or API
is covered without a line of its own.
"""

from __future__ import annotations

import json
import re
from typing import Any

import prison
from flask import Flask, request
from flask_babel import gettext as _

from app.domain.access import ID_LIMIT
from app.domain.validation import DomainError
from app.extensions import appbuilder

INT_LIMIT = 2**63 - 1  # the largest integer SQLite or PostgreSQL (BIGINT) compares
MAX_DEPTH = 16  # rison nesting: FAB's filters need four
MAX_PAGE_SIZE = 1000
LIST_ARG = re.compile(r"^(psize|page|_oc|_od)_(\w+)$")


def bad_request(message: str) -> DomainError:
    return DomainError(message, 400)


def _rison(text: str) -> Any:
    """The `q` argument as FAB reads it: rison, else JSON; refused when neither."""
    depth = deepest = 0
    for char in text:
        depth += char == "("
        depth -= char == ")"
        deepest = max(deepest, depth)
    if deepest > MAX_DEPTH:
        raise bad_request(_("查询参数 q 嵌套过深。"))
    try:
        return prison.loads(text)
    except (prison.decoder.ParserException, RecursionError, ValueError, IndexError,
            TypeError, KeyError):
        pass
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        raise bad_request(_("查询参数 q 不是有效的 Rison 或 JSON。")) from None


def _check_numbers(value: Any) -> None:
    """No integer in `q` past what the database compares (SQLite raises OverflowError)."""
    if isinstance(value, bool):
        return
    if isinstance(value, int) and abs(value) > INT_LIMIT:
        raise bad_request(_("查询参数中的数字超出范围。"))
    if isinstance(value, dict):
        for item in value.values():
            _check_numbers(item)
    elif isinstance(value, list):
        for item in value:
            _check_numbers(item)


def check_query(text: str) -> None:
    """Refuse a `q` that FAB would answer with a 500."""
    value = _rison(text)
    _check_numbers(value)
    if not isinstance(value, dict):
        return
    for key in ("page", "page_size"):
        number = value.get(key)
        if number is not None and (isinstance(number, bool) or not isinstance(number, int)
                                   or not 0 <= number <= ID_LIMIT):
            raise bad_request(_("查询参数 %(key)s 应为不超过 %(n)s 的非负整数。", key=key,
                                n=ID_LIMIT))


def _view_of_blueprint(name: str | None) -> Any:
    for view in appbuilder().baseviews:
        if getattr(view, "endpoint", None) == name:
            return view
    return None


def check_list_arguments() -> None:
    """FAB's list arguments (page_<View>, psize_<View>, _oc_<View>, _od_<View>)."""
    for key, value in request.args.items(multi=True):
        match = LIST_ARG.match(key)
        if not match:
            continue
        kind = match.group(1)
        if kind in ("page", "psize"):
            limit = MAX_PAGE_SIZE if kind == "psize" else ID_LIMIT
            if not (value.isascii() and value.isdigit() and int(value) <= limit):
                raise bad_request(_("分页参数应为不超过 %(n)s 的非负整数。", n=limit))
        elif kind == "_od" and value not in ("asc", "desc"):
            raise bad_request(_("排序方向应为 asc 或 desc。"))
        elif kind == "_oc":
            view = _view_of_blueprint(match.group(2))
            columns = getattr(view, "order_columns", None)
            if view is not None and columns is not None and value not in columns:
                raise bad_request(_("不能按“%(column)s”排序。", column=value[:50]))


def check_arguments() -> None:
    """Refuse odd query arguments before any view reads them."""
    if not request.args:
        return
    text = request.args.get("q")
    if text and request.path.startswith("/api/"):
        check_query(text)
    check_list_arguments()


def init_app(app: Flask) -> None:
    app.before_request(check_arguments)

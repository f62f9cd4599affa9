"""A form whose upload is over the request limit (413) keeps what was typed (issue 18.3).

Werkzeug refuses a request over MAX_CONTENT_LENGTH before reading it, so the form's text
is lost with the file. For a form that registers here, the refused body is read once
more (up to a few times the limit), its files thrown away as they stream past, and its
text fields handed back to the form, which shows them again with the message beside the
file field; CSRF is checked on them as on any post. Any other upload gets the 413 page."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from typing import IO, Any, cast

from flask import current_app, request
from flask_wtf.csrf import validate_csrf
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.formparser import FormDataParser
from werkzeug.wsgi import LimitedStream
from wtforms import ValidationError

logger = logging.getLogger(__name__)

DRAIN_FACTOR = 4  # past this many times the limit, the body is not read at all (errors.py)
TEXT_LIMIT = 1024 * 1024  # one text field of a refused form
KEEPERS: dict[str, Callable[[MultiDict], Any]] = {}


def keeps_text(endpoint: str) -> Callable:
    """Register the answer of a form (by endpoint) to its own refused upload's text."""

    def register(answer: Callable[[MultiDict], Any]) -> Callable[[MultiDict], Any]:
        KEEPERS[endpoint] = answer
        return answer

    return register


class Discarded(io.RawIOBase):
    """Where a refused upload's file goes: nowhere."""

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        return len(data)

    def seek(self, offset: int, whence: int = 0) -> int:
        return 0


def discarded(total_content_length: int | None, content_type: str | None,
              filename: str | None, content_length: int | None = None) -> IO[bytes]:
    """The stream factory of a refused upload's files (werkzeug's signature)."""
    return cast(IO[bytes], Discarded())


def refused_text() -> MultiDict | None:
    """The text fields of the refused request, its files dropped; None if not readable."""
    length = request.content_length
    limit = (current_app.config.get("MAX_CONTENT_LENGTH") or 0) * DRAIN_FACTOR
    stream = request.environ.get("wsgi.input")
    if stream is None or length is None or length > limit:
        return None
    parser = FormDataParser(stream_factory=discarded, max_form_memory_size=TEXT_LIMIT)
    body = cast(IO[bytes], LimitedStream(stream, length))
    try:
        _stream, form, _files = parser.parse(body, request.mimetype, length,
                                             request.mimetype_params)
    except (ValueError, HTTPException):  # cut short, a field too long: the plain 413 page
        logger.info("refused upload on %s: its text could not be read", request.path)
        return None
    return form


def kept_text_answer() -> Any | None:
    """The registered form's answer to a 413, with its text; None for the plain page."""
    answer = KEEPERS.get(request.endpoint or "")
    if answer is None:
        return None
    form = refused_text()
    if form is None:
        return None
    try:
        validate_csrf(form.get("csrf_token"))
    except ValidationError:
        return None
    return answer(form)

"""The benchmark's app factory: the portal as `app:create_app()` builds it, plus an
`X-SQL-Count` response header (the SQL statements the request ran). Bench only:

    gunicorn -w 2 --threads 4 'bench.wsgi:create_app()'

The count is one `before_cursor_execute` listener adding 1 to a per-request counter in
`flask.g` (about a microsecond a statement); production code has no such hook.
"""

from __future__ import annotations

from flask import Flask, Response, g, has_request_context
from sqlalchemy import event

from app import create_app as create_portal
from app.extensions import db

HEADER = "X-SQL-Count"


def _count(conn, cursor, statement, parameters, context, executemany) -> None:
    if has_request_context():
        g.bench_sql_count = g.get("bench_sql_count", 0) + 1


def create_app() -> Flask:
    """The portal with the statement-counting header."""
    app = create_portal()
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", _count)

    @app.after_request
    def count_header(response: Response) -> Response:
        response.headers[HEADER] = str(g.get("bench_sql_count", 0))
        return response

    return app

"""Security headers on every response (issue 7): CSP with a per-request nonce, and friends.

Scripts: only this origin's files and inline blocks carrying the request's nonce. FAB's
templates already write `nonce="{{ baselib.get_nonce() }}"` on each of their inline
blocks (calling `csp_nonce()` when a context function of that name exists, as Flask-Talisman
provides); this module provides it, so no 'unsafe-inline' is needed for scripts.

Styles: FAB's templates and widgets (Bootstrap 3, select2, the date picker) write `style=""`
attributes all over, and attributes cannot carry a nonce: style-src keeps 'unsafe-inline'.
CSS cannot run script, so that leaves script injection closed.

Nothing from another host, ever: the portal runs on intranets without the internet.
"""

from __future__ import annotations

import secrets

from flask import Flask, Response, g, request

POLICY = ("default-src 'self'; script-src 'self' 'nonce-{nonce}'; "
          "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; "
          "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
          "frame-ancestors 'none'")
HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
HSTS = "max-age=31536000"


def csp_nonce() -> str:
    """The nonce of this request's inline scripts (the same for every call)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def secure_headers(response: Response) -> Response:
    """Add the headers a response does not set itself (a download keeps its own CSP)."""
    response.headers.setdefault("Content-Security-Policy", POLICY.format(nonce=csp_nonce()))
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def init_app(app: Flask) -> None:
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.after_request(secure_headers)

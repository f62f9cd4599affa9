"""A test client as a browser uses it: the CSRF token of its session, logging in and out."""

from __future__ import annotations

import re

from tests.support.world import PASSWORD

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|name="csrf-token" content="([^"]+)"')


def csrf_token(client, url: str = "/") -> str:
    """The CSRF token of the client's session, read from a page as a browser would."""
    html = client.get(url).get_data(as_text=True)
    match = CSRF.search(html)
    assert match, f"no CSRF token on {url}"
    return match.group(1) or match.group(2)


class Auth:
    """Log a test client in through the login form, and out."""

    def __init__(self, client) -> None:
        self.client = client

    def login(self, username: str, password: str = PASSWORD):
        token = csrf_token(self.client, "/login/")
        response = self.client.post(
            "/login/", data={"username": username, "password": password, "csrf_token": token}
        )
        assert response.status_code == 302, f"login of {username} failed"
        return response

    def logout(self):
        """The navbar's logout form (POST with the CSRF token; issue 14). Without the form
        (the database away, a 503 page) there is no logout: that page is the answer."""
        page = self.client.get("/")
        match = CSRF.search(page.get_data(as_text=True))
        if match is None:
            return page
        return self.client.post("/logout/", data={"csrf_token": match.group(1) or match.group(2)})

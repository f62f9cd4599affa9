"""One user in the browser: their own context, the checks every page must pass, screenshots.

Every request of the context goes through a route handler that lets only the portal's
own host through; anything else is aborted and fails the journey. Every page is read as
the user sees it: no English word of the UI, no raw choice value, no console error.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import ConsoleMessage, Error, Page, Response, Route, expect

from tests.support.story import USERNAMES

# the README's screenshots, refreshed by every run (E2E_SCREENSHOTS=DIR writes them elsewhere)
SCREENSHOTS = Path(os.environ.get("E2E_SCREENSHOTS")
                   or Path(__file__).resolve().parents[2] / "docs" / "screenshots")
# a shared CI machine can be slow: waits for pages and for what they show, not sleeps
expect.set_options(timeout=15_000)

# ASCII words a Chinese page may show: the product, file formats and sizes
ALLOWED_WORDS = {"KeyLedger", "Excel", "xlsx", "docx", "Word", "PDF", "JPG", "PNG", "KB", "MB"}
# codes and numbers: project codes (QH-2026-001), dates, e-mails, percentages
CODE = re.compile(r"[A-Za-z]+-\d[\w-]*|[\w.+-]+@[\w.-]+|[A-Za-z]*\d[A-Za-z\d]*")
WORD = re.compile(r"[A-Za-z][A-Za-z_']*")


def english_words(text: str) -> list[str]:
    """The ASCII words of a text that are neither allowed nor part of a code or number."""
    words = WORD.findall(CODE.sub(" ", text))
    return sorted({w for w in words if w not in ALLOWED_WORDS})


class Visitor:
    """A logged-in (or about to log in) user with a browser context of their own."""

    def __init__(self, portal, new_context, data: frozenset[str] = USERNAMES) -> None:
        self.portal = portal
        self.data = set(data)  # ASCII words that are data on this user's pages (user names)
        self.context = new_context()
        self.context.route("**/*", self._only_portal)
        self.page: Page = self.context.new_page()
        self.page.set_default_timeout(30_000)
        self.foreign: list[str] = []
        self.errors: list[str] = []
        self.refused: set[str] = set()  # URLs the journey expects to be refused (4xx)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))

    def _only_portal(self, route: Route) -> None:
        url = route.request.url
        if urlsplit(url).netloc != self.portal.host:
            self.foreign.append(url)
            route.abort()
            return
        route.continue_()

    def _console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        url = message.location.get("url", "")
        expected = message.text.startswith("Failed to load resource: the server responded "
                                           "with a status of 4") and url in self.refused
        if not expected:
            self.errors.append(f"console error on {url}: {message.text}")

    def url(self, path: str) -> str:
        return self.portal.origin + path

    def goto(self, path: str) -> Response | None:
        """Open a page of the portal and check it."""
        response = self.page.goto(self.url(path))
        self.check()
        return response

    def expect_refusal(self, path: str) -> None:
        """The next answer from this URL is meant to be a 4xx (a form refused with 422)."""
        self.refused.add(self.url(path))

    def refused_at(self, path: str) -> Response:
        """Open a URL the user must be refused: a 4xx page in Chinese, or the login page."""
        self.refused.add(self.url(path))
        response = self.page.goto(self.url(path))
        assert response is not None
        self.check()
        return response

    def login(self, username: str, password: str) -> None:
        """Log in through the login page, as a person would."""
        self.goto("/login/")
        self.page.locator("input[name=username]").fill(username)
        self.page.locator("input[name=password]").fill(password)
        form = self.page.locator("form:has(input[name=password])")  # not the navbar's forms
        form.locator("input[type=submit], button[type=submit]").first.click()
        self.page.wait_for_load_state()
        expect(self.page.locator("input[name=password]")).to_have_count(0)
        self.check()

    def logout(self) -> None:
        """The navbar's logout: a POST form in the user menu (issue 14)."""
        self.page.locator("li.dropdown a.dropdown-toggle .fa-user").click()
        self.page.locator("form[action='/logout/'] button").click()
        self.page.wait_for_load_state()
        expect(self.page.locator("form[action='/logout/']")).to_have_count(0)
        self.check()

    def check(self) -> None:
        """What every page owes its user: Chinese text, no error, nothing from elsewhere."""
        self.page.wait_for_load_state()
        assert not self.foreign, f"requests to other hosts: {self.foreign}"
        assert not self.errors, "\n".join(self.errors)
        text = self.page.locator("body").inner_text()
        words = set(english_words(text + " " + self.page.title())) - self.data
        assert not words, f"English or raw values on {self.page.url}: {sorted(words)}"

    def shot(self, name: str) -> Path:
        """A full-page screenshot of the current page into docs/screenshots/."""
        self.check()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True, animations="disabled")
        return path

    def close(self) -> None:
        try:
            self.check()
        except Error:  # the page is gone already: the checks of what was recorded remain
            assert not self.foreign, f"requests to other hosts: {self.foreign}"
            assert not self.errors, "\n".join(self.errors)
        self.context.close()


def choose(page: Page, field_id: str, text: str) -> None:
    """Pick an option of a select2 drop-down (FAB's related fields) by typing, as a person does."""
    page.locator(f"#{field_id} + .select2-container").click()
    search = page.locator(".select2-container--open .select2-search__field")
    search.fill(text)
    page.locator(".select2-results__option", has_text=text).first.click()
    expect(page.locator(f"#{field_id} + .select2-container")).to_contain_text(text)


def type_date(page: Page, field_id: str, day: str) -> None:
    """Type a date into FAB's date picker key by key (it re-parses on keyup: a pasted value
    is wiped when the picker closes), then close the picker."""
    field = page.locator(f"#{field_id}")
    field.click()
    field.press_sequentially(day)
    field.press("Escape")
    expect(field).to_have_value(day)

"""The Content-Security-Policy in Chromium (issue 7): the main pages, and the widgets on them
(date picker, select2, ECharts, FAB's list actions), run with no violation and no error."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import ConsoleMessage, Page

from tests.support import story

# every page is opened and, where it has one, its widgets are used
PAGES = {
    "sysadmin": ["/taskview/list/", "/taskview/add", "/projectview/list/", "/projectview/add",
                 "/feedbackview/list/", "/problemview/list/", "/meetingview/list/",
                 "/users/list/", "/roles/list/", "/holidayview/list/", "/jobrunview/list/"],
    "duchashi": ["/dashboard/", "/compliance/", "/office/review/", "/office/extensions/",
                 "/circularview/list/"],
    "zhujianju": ["/my/ledger/", "/my/investment/", "/feedbackview/add", "/dashboard/"],
}
PASSWORDS = {"sysadmin": story.ADMIN[1], "duchashi": story.SUPERVISOR[1],
             "zhujianju": "Zhujian#2026"}
WATCH = """document.addEventListener("securitypolicyviolation", (e) => {
  (window.__csp = window.__csp || []).push(e.violatedDirective + " " + e.blockedURI);
});"""


class Watcher:
    """A browser context that records console errors, page errors and CSP violations."""

    def __init__(self, portal, new_context) -> None:
        self.portal = portal
        self.context = new_context()
        self.context.add_init_script(WATCH)
        self.page: Page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.errors: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"{message.location.get('url')}: {message.text}")

    def open(self, path: str) -> None:
        response = self.page.goto(self.portal.origin + path)
        assert response is not None and response.status == 200, path
        assert "'nonce-" in response.headers["content-security-policy"]
        self.page.wait_for_load_state("load")
        self.page.wait_for_timeout(300)  # scripts that run after load (ECharts draws)
        self.widgets = self.use_widgets()
        violations = self.page.evaluate("window.__csp || []")
        assert not violations, f"CSP violations on {path}: {violations}"
        assert not self.errors, "\n".join(self.errors)

    def use_widgets(self) -> bool:
        """Open a date picker and a select2 drop-down when the page has them; whether it had."""
        page = self.page
        dates = page.locator(".appbuilder_date input")
        select2 = page.locator(".select2-container")
        if dates.count():
            dates.first.click()
            assert page.locator(".datepicker-dropdown").first.is_visible()
            page.keyboard.press("Escape")
        if select2.count():
            select2.first.click()
            assert page.locator(".select2-container--open .select2-results").count()
            page.keyboard.press("Escape")
        if page.locator("canvas").count():  # ECharts drew
            assert page.locator("canvas").first.bounding_box()["width"] > 0
        return bool(dates.count() and select2.count())

    def login(self, username: str) -> None:
        self.open("/login/")
        self.page.locator("input[name=username]").fill(username)
        self.page.locator("input[name=password]").fill(PASSWORDS[username])
        self.page.locator("input[type=submit], button[type=submit]").first.click()
        self.page.wait_for_load_state("load")
        assert not self.errors, "\n".join(self.errors)


@pytest.mark.parametrize("username", list(PAGES))
def test_main_pages_run_under_the_policy(portal, new_context, username) -> None:
    watcher = Watcher(portal, new_context)
    watcher.login(username)
    for path in PAGES[username]:
        watcher.open(path)
    if username == "sysadmin":  # an edit form, and a list's action menu
        watcher.open("/taskview/list/")
        edit = watcher.page.locator("a[href*='/taskview/edit/']").first.get_attribute("href")
        watcher.open(re.sub(r"^https?://[^/]+", "", edit))
        assert watcher.widgets, "the edit form's date pickers and select2 were used"
    watcher.context.close()


def test_an_injected_inline_script_is_blocked(portal, new_context) -> None:
    """The policy is in force: a script without the nonce does not run, and is reported."""
    watcher = Watcher(portal, new_context)
    watcher.open("/login/")
    watcher.page.evaluate("""() => {
        const s = document.createElement("script");
        s.textContent = "window.__ran = true";
        document.body.appendChild(s);
    }""")
    assert watcher.page.evaluate("window.__ran === undefined")
    assert watcher.page.evaluate("(window.__csp || []).length") == 1
    watcher.context.close()

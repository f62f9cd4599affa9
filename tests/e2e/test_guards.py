"""The checks the journeys rely on can fail: another host, an English word, a console error."""

from __future__ import annotations

import pytest
from playwright.sync_api import Error

from tests.support.browser import Visitor, english_words


def test_english_words_skip_codes_numbers_and_allowed_words() -> None:
    text = "重点项目 QH-2026-001 导出 Excel 2026-11 95% zhang@qinghe.gov.cn KeyLedger"
    assert english_words(text) == []
    assert english_words("列表 List Task overdue in_app") == ["List", "Task", "in_app",
                                                               "overdue"]


def test_a_request_to_another_host_is_refused_and_fails_the_check(portal, new_context) -> None:
    visitor = Visitor(portal, new_context)
    visitor.goto("/login/")
    with pytest.raises(Error):  # a navigation: the portal's CSP cannot stop that one
        visitor.page.goto("http://cdn.example.com/logo.png")
    assert visitor.foreign == ["http://cdn.example.com/logo.png"]
    with pytest.raises(AssertionError, match="other hosts"):
        visitor.check()


def test_a_console_error_fails_the_check(portal, new_context) -> None:
    visitor = Visitor(portal, new_context)
    visitor.goto("/login/")
    visitor.page.evaluate("() => console.error('broken')")
    with pytest.raises(AssertionError, match="broken"):
        visitor.check()

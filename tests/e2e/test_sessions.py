"""Logout and the language switch in the browser (issue 14): the navbar's menus are POST
forms; a copy of the session cookie taken before the logout logs nobody in after it."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.support import story
from tests.support.browser import Visitor


def test_the_language_menu_and_logout_are_forms_and_the_cookie_dies(portal, new_context):
    leader = Visitor(portal, new_context)
    leader.login(*story.LEADER)
    leader.goto("/projectview/list/")
    leader.page.locator("li.dropdown a.dropdown-toggle .flag").first.click()
    leader.page.locator("form[action='/lang/en'] button").click()
    leader.page.wait_for_load_state()
    expect(leader.page.locator("body")).to_contain_text("Key projects")
    leader.page.locator("li.dropdown a.dropdown-toggle .flag").first.click()
    leader.page.locator("form[action='/lang/zh'] button").click()
    leader.page.wait_for_load_state()
    expect(leader.page.locator("body")).to_contain_text("重点项目")
    leader.check()
    copied = [c for c in leader.context.cookies() if c["name"] == "session"]
    assert copied, "a session cookie"

    leader.logout()

    thief = Visitor(portal, new_context)
    thief.context.add_cookies(copied)
    thief.refused_at("/projectview/list/")
    expect(thief.page.locator("input[name=password]")).to_have_count(1)  # the login page
    leader.close()
    thief.close()

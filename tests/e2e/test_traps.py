"""Issue 15 "no traps" in a real browser: one stray × must not empty a role's permissions."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.support import story
from tests.support.browser import Visitor


def test_clearing_all_permissions_of_a_role_asks_first(portal, new_context) -> None:
    from app.extensions import appbuilder

    with portal.app.app_context():
        role = appbuilder().sm.find_role("DeptStaff")
        granted = len(role.permissions)
        pk = role.id
    admin = Visitor(portal, new_context)
    admin.login(*story.ADMIN)
    admin.goto(f"/roles/edit/{pk}")
    page = admin.page
    expect(page.locator("#role-label")).to_contain_text("责任单位人员")
    chosen = page.locator("#permissions option:checked")
    assert chosen.count() == granted > 1
    clear = page.locator("#permissions + .select2-container .select2-selection__clear")
    asked: list[str] = []

    def dismiss(dialog) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    clear.click()
    assert asked and f"{granted}" in asked[0] and "移除全部" in asked[0]
    assert chosen.count() == granted  # "取消": every permission kept
    page.once("dialog", lambda dialog: dialog.accept())
    clear.click()
    assert chosen.count() == 0  # "确定": the administrator meant it (the form is not saved)
    admin.close()

"""Live sessions and the 登录日志 in the browser (issue 15): a department user on a phone signs
out the session left open on a laptop; the administrator reads both logins."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.support import story
from tests.support.browser import WORD, Visitor

PHONE = {"width": 390, "height": 844}
STAFF = ("gongxinju", "Gongxin#2026")  # a department login of the demo county


def test_a_phone_signs_out_the_laptop_and_the_admin_reads_the_logins(portal, new_context):
    phone = Visitor(portal, new_context)
    phone.page.set_viewport_size(PHONE)
    laptop = Visitor(portal, new_context)
    agent = phone.page.evaluate("navigator.userAgent")
    phone.data |= set(WORD.findall(agent))  # the browser's name is data on these pages
    laptop.login(*STAFF)
    phone.login(*STAFF)

    phone.goto("/users/userinfo/")
    rows = phone.page.locator("#live-sessions li.kl-session")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="当前会话")).to_have_count(1)
    assert phone.page.evaluate(
        "document.documentElement.scrollWidth <= window.innerWidth"), "wider than the phone"
    phone.shot("e2e-own-sessions-phone")
    other = rows.filter(has_not_text="当前会话")
    other.locator("button", has_text="下线").click()
    phone.page.wait_for_load_state()
    expect(phone.page.locator("body")).to_contain_text("已让该会话下线")
    expect(rows).to_have_count(1)
    phone.check()

    laptop.goto("/my/ledger/")
    expect(laptop.page.locator("input[name=password]")).to_have_count(1)  # log in again

    admin = Visitor(portal, new_context)
    admin.data |= set(WORD.findall(agent))
    admin.login(*story.ADMIN)
    admin.goto(f"/loginlogview/list/?_flt_3_username={STAFF[0]}")
    logins = admin.page.locator("table.table tbody tr", has_text=STAFF[0])
    expect(logins.filter(has_text="成功")).to_have_count(2)
    expect(admin.page.locator("body")).to_contain_text("网页")
    admin.shot("e2e-login-log")
    for visitor in (phone, laptop, admin):
        visitor.close()

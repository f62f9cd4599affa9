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


def test_a_department_in_use_is_not_deleted_and_the_page_says_why(portal, new_context) -> None:
    from sqlalchemy import func, select

    from app import models as m
    from app.extensions import db

    with portal.app.app_context():
        name, tasks = db.session.execute(
            select(m.Department.name, func.count(m.Task.id)).join(m.Task)
            .group_by(m.Department.id).order_by(func.count(m.Task.id).desc())).first()
    admin = Visitor(portal, new_context)
    admin.login(*story.ADMIN)
    admin.goto(f"/departmentview/list/?_flt_0_name={name}")
    page = admin.page
    row = page.locator("table tr", has_text=name).first
    row.locator("a[id^='btn-delete-']").click()
    page.locator("#modal-confirm-ok").click()
    page.wait_for_load_state()
    alert = page.locator(".alert-danger")
    expect(alert).to_contain_text(f"{name} 还有 {tasks} 项任务")
    expect(alert).to_contain_text("不能删除；可以改为停用。")
    expect(page.locator("table tr", has_text=name).first).to_be_visible()  # back on the list
    admin.shot("e2e-refused-delete")
    with portal.app.app_context():  # nothing deleted, nothing half-way
        unit = db.session.scalar(select(m.Department).where(m.Department.name == name))
        assert unit is not None
        assert db.session.scalar(select(func.count(m.Task.id))
                                 .where(m.Task.department_id == unit.id)) == tasks
    admin.close()

"""Issue 15 "What it must show": the administrator builds a 股室 under 县住建局, a role
股室填报员 with 数据范围 仅本人 and a login tied to a person of that 股室; that user then
sees only his own tasks in 我的台账, 任务台账, the REST API and the Excel export."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import load_workbook
from playwright.sync_api import expect
from sqlalchemy import select

from tests.support import story
from tests.support.browser import Visitor, choose

BUREAU = "县住建局"
SECTION = "规划股"
CLERK = "林晓峰"
COLLEAGUE = "周敏"
ROLE = "股室填报员"
LOGIN = story.SECTION_CLERK
HIS = ("城区控制性详细规划修编", "老旧小区改造专项规划编制")
HERS = "历史文化街区保护规划"


def saved(page) -> None:
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator(".has-error")).to_have_count(0)


def row(page, text: str):
    return page.locator("table tr", has_text=text)


def assign(portal) -> None:
    """The office's part, set up through the models (the 交办 screens have their own
    journeys): two tasks of 规划股 with the clerk as 责任人, one with his colleague as
    责任人, all of the latest meeting."""
    from app import models as m
    from app.domain import status
    from app.extensions import db

    with portal.app.app_context():
        today = status.today()
        section = db.session.scalar(select(m.Department).where(m.Department.name == SECTION))
        clerk = db.session.scalar(select(m.Person).where(m.Person.name == CLERK))
        colleague = m.Person(name=COLLEAGUE, title="规划股副股长", department=section)
        meeting = db.session.scalar(select(m.Meeting).order_by(m.Meeting.held_on.desc()))
        assigned = min(meeting.held_on, today - dt.timedelta(days=10))
        tasks = [m.Task(title=title, meeting=meeting, department=section, person=person,
                        assigned_on=assigned, deadline=today + dt.timedelta(days=days),
                        original_deadline=today + dt.timedelta(days=days),
                        expected_outcome="按期完成并报送成果")
                 for title, person, days in ((HIS[0], clerk, 40), (HIS[1], clerk, 60),
                                             (HERS, colleague, 50))]
        db.session.add_all([colleague, *tasks])
        status.refresh_tasks(tasks, today)
        db.session.commit()
        db.session.remove()


def test_a_section_clerk_with_only_his_own_scope_sees_only_his_tasks(portal, new_context):
    admin = Visitor(portal, new_context)
    admin.login(*story.ADMIN)

    # (1) 系统管理 › 责任单位 › 新增: 规划股, 上级单位 县住建局
    admin.goto("/departmentview/add")
    page = admin.page
    page.locator("#name").fill(SECTION)
    choose(page, "parent", BUREAU)
    expect(page.locator("#kind")).to_have_value("department")  # 职能部门 and 启用 by default
    expect(page.locator("#active")).to_be_checked()
    page.locator("button[type=submit]").click()
    saved(page)
    admin.goto("/departmentview/list/")
    section = row(page, SECTION).first
    expect(section).to_contain_text(BUREAU)  # its 上级单位
    names = page.locator("table.table-bordered tbody tr").all_inner_texts()
    at = next(i for i, text in enumerate(names) if SECTION in text)
    assert BUREAU in names[at - 1].split("\t")[1], names[at - 1]  # right under its bureau
    admin.shot("e2e-department-tree")

    # the clerk, a person of 规划股
    admin.goto("/personview/add")
    page.locator("#name").fill(CLERK)
    page.locator("#title").fill("规划股股长")
    choose(page, "department", SECTION)
    page.locator("button[type=submit]").click()
    saved(page)
    assign(portal)

    # (2) 权限管理 › 角色列表: 复制 责任单位人员, then name the copy and give it 仅本人
    admin.goto("/roles/list/")
    row(page, "责任单位人员").first.locator("input.action_check").check()
    page.locator("button.dropdown-toggle", has_text="操作").click()
    page.locator(".copyrole_menu_item").click()
    page.get_by_role("dialog").get_by_role("link", name="确定").click()  # 复制选定的角色？
    page.wait_for_load_state()
    admin.check()
    copy = row(page, "责任单位人员（副本）").first
    expect(copy).to_contain_text("本单位")  # the scope came with the permissions
    copy.locator("a[href*='/roles/edit/']").click()
    admin.check()
    page.locator("#name").fill(ROLE)
    page.locator("#data_scope").select_option(label="仅本人")
    page.locator("button[type=submit]").click()
    saved(page)
    expect(row(page, ROLE).first).to_contain_text("仅本人")
    row(page, ROLE).first.locator("a[href*='/roles/edit/']").click()  # as it was saved
    admin.check()
    expect(page.locator("#role-label")).to_contain_text(ROLE)
    expect(page.locator("#data_scope")).to_have_value("self")
    admin.shot("e2e-role-data-scope")

    # (3) the login, with that role, tied to the clerk on his 责任人 form
    admin.goto("/users/add")
    page.locator("#first_name").fill(CLERK[1:])
    page.locator("#last_name").fill(CLERK[:1])
    page.locator("#username").fill(LOGIN[0])
    page.locator("#email").fill(f"{LOGIN[0]}@qinghe.gov.cn")
    choose(page, "roles", ROLE)
    page.locator("#password").fill(LOGIN[1])
    page.locator("#conf_password").fill(LOGIN[1])
    page.locator("button[type=submit]").click()
    saved(page)
    admin.goto(f"/personview/list/?_flt_0_name={CLERK}")
    row(page, CLERK).first.locator("a[href*='/personview/edit/']").click()
    admin.check()
    choose(page, "user", LOGIN[0])
    page.locator("button[type=submit]").click()
    saved(page)
    admin.close()

    # (4) the clerk: his two tasks, not his colleague's, not the bureau's
    clerk = Visitor(portal, new_context)
    clerk.login(*LOGIN)
    clerk.page.locator(".navbar a.dropdown-toggle", has_text="台账").first.click()
    clerk.page.locator(".navbar .dropdown-menu a", has_text="我的台账").first.click()
    clerk.check()
    ledger = clerk.page.locator("tr.ledger-row")
    expect(ledger).to_have_count(2)
    assert sorted(ledger.locator("td:first-child strong").all_inner_texts()) == sorted(HIS)

    clerk.goto("/taskview/list/")
    tasks = clerk.page.locator("table.table-bordered tbody tr")
    expect(tasks).to_have_count(2)
    listed = " ".join(tasks.all_inner_texts())
    assert all(title in listed for title in HIS) and HERS not in listed, listed

    # the REST API, with a JWT of his own
    api = clerk.context.request
    login = api.post(clerk.url("/api/v1/security/login"),
                     data={"username": LOGIN[0], "password": LOGIN[1], "provider": "db"})
    assert login.status == 200, login.text()
    token = login.json()["access_token"]
    answer = api.get(clerk.url("/api/v1/task/?q=(page_size:100)"),
                     headers={"Authorization": f"Bearer {token}"})
    assert answer.status == 200, answer.text()
    body = answer.json()
    assert body["count"] == 2
    assert sorted(task["title"] for task in body["result"]) == sorted(HIS)

    # the list's 导出 Excel
    with clerk.page.expect_download() as download:
        clerk.page.locator("a.kl-export").click()
    sheet = load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    rows = [r for r in sheet.iter_rows(min_row=2, values_only=True) if any(r)]
    assert sorted(r[0] for r in rows) == sorted(HIS), rows
    clerk.close()

"""The four journeys of issue 8, in Chromium, in Chinese: one month's story, in order.

1. the administrator configures; 2. a department reports; 3. the office reviews and
urges; 4. a leader checks. Each journey starts from what the one before left
(`shared`); each user has a browser context of their own.
"""

from __future__ import annotations

import datetime as dt
import re

from playwright.sync_api import Page, expect

from tests.support import story
from tests.support.browser import Visitor, choose, type_date
from tests.support.days import today

# what would change something: FAB's add/edit/delete links and actions, a form that posts
# (the office's "立即运行", "重新生成", "采纳", "退回", "督促" all post)
WRITES = ("a[href*='/add'], a[href*='/edit/'], a[href*='/delete/'], a[id^='btn-action-'], "
          "form[method=post] button, form[method=POST] button, "
          "form[method=post] input[type=submit]")


def saved(page: Page) -> None:
    """FAB's flash after a save, and no form error."""
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator(".has-error")).to_have_count(0)


def add_from_list(visitor: Visitor, view: str) -> Page:
    """Open a list, then its "+" (FAB goes back to the page it came from after Save)."""
    visitor.goto(f"/{view}/list/")
    visitor.page.locator(f"a[href^='/{view}/add']").first.click()
    visitor.check()
    return visitor.page


def row(page: Page, text: str):
    return page.locator("table tr", has_text=text)


def test_1_admin_configures(portal, new_context, shared) -> None:
    admin = Visitor(portal, new_context)
    admin.login(*story.ADMIN)
    page = add_from_list(admin, "departmentview")
    page.locator("#name").fill(story.DEPARTMENT)
    page.locator("#kind").select_option(label="职能部门")
    page.locator("#active").check()
    page.locator("button[type=submit]").click()
    saved(page)
    admin.check()

    page = add_from_list(admin, "personview")
    page.locator("#name").fill(story.PERSON)
    page.locator("#title").fill(story.TITLE)
    choose(page, "department", story.DEPARTMENT)
    page.locator("#phone").fill("13912345678")
    page.locator("button[type=submit]").click()
    saved(page)

    page = add_from_list(admin, "users")
    page.locator("#first_name").fill(story.PERSON[1:])  # 名
    page.locator("#last_name").fill(story.PERSON[:1])  # 姓
    page.locator("#username").fill(story.STAFF[0])
    page.locator("#email").fill(f"{story.STAFF[0]}@qinghe.gov.cn")
    choose(page, "roles", "责任单位人员")
    page.locator("#password").fill(story.STAFF[1])
    page.locator("#conf_password").fill(story.STAFF[1])
    page.locator("button[type=submit]").click()
    saved(page)

    # the login is tied to the person: 责任人 › 编辑 › 登录账号
    admin.goto(f"/personview/list/?_flt_0_name={story.PERSON}")  # 搜索: 名称 以…开始
    row(admin.page, story.PERSON).locator("a[href*='/personview/edit/']").click()
    admin.check()
    # the drop-down shows the login's real name in 姓名 order and its user name, and is
    # searched by either (issue 15)
    login = f"{story.PERSON}（{story.STAFF[0]}）"
    choose(admin.page, "user", story.STAFF[0])
    expect(admin.page.locator("#user + .select2-container")).to_contain_text(login)
    admin.page.locator("button[type=submit]").click()
    saved(admin.page)
    expect(row(admin.page, story.PERSON)).to_contain_text(login)

    # the office assigned the new department three tasks at the latest meeting
    with portal.app.app_context():
        shared.tasks = story.assign_tasks(story.DEPARTMENT)

    staff = Visitor(portal, new_context)
    staff.login(*story.STAFF)
    staff.goto("/feedbackview/list/")
    delete = staff.page.locator("a[id^='btn-delete-'], a[href*='/feedbackview/delete/']")
    expect(delete).not_to_have_count(0)  # DeptStaff may delete feedback, until ...
    show = staff.page.locator("a[href*='/feedbackview/show/']").first.get_attribute("href")
    feedback_row = int(re.search(r"/show/(\d+)", show).group(1))

    admin.goto("/roles/list/")
    row(admin.page, "责任单位人员").locator("a[href*='/roles/edit/']").click()
    admin.check()
    admin.shot("e2e-admin-roles")
    tag = admin.page.locator(".select2-selection__choice", has_text="进展反馈：删除")
    expect(tag).to_have_count(1)
    tag.locator(".select2-selection__choice__remove").click()
    admin.page.keyboard.press("Escape")
    expect(tag).to_have_count(0)
    admin.page.locator("button[type=submit]").click()
    saved(admin.page)
    expect(row(admin.page, "责任单位人员")).not_to_contain_text("进展反馈：删除")
    expect(row(admin.page, "责任单位人员")).to_contain_text("进展反馈：编辑")

    staff.goto("/feedbackview/list/")
    expect(staff.page.locator("table.table-bordered")).to_contain_text(story.OVERDUE_TASK)
    expect(delete).to_have_count(0)
    shown = f"/feedbackview/show/{feedback_row}"
    staff.page.locator(f"a[href$='{shown}'], a[href*='{shown}?']").first.click()
    staff.check()
    expect(staff.page.locator("a[href*='/feedbackview/delete/']")).to_have_count(0)
    refused = staff.refused_at(f"/feedbackview/delete/{feedback_row}")
    assert refused.status == 403
    expect(staff.page.locator("body")).to_contain_text("您没有权限")
    shared.feedback_row = feedback_row
    staff.close()
    admin.close()


def menu(visitor: Visitor, category: str, entry: str) -> None:
    """Open a page through the navigation bar, as a person does."""
    nav = visitor.page.locator(".navbar")
    nav.locator("a.dropdown-toggle", has_text=category).first.click()
    nav.locator(".dropdown-menu a", has_text=entry).first.click()
    visitor.check()


def test_2_department_reports(portal, new_context, shared) -> None:
    staff = Visitor(portal, new_context)
    staff.login(*story.STAFF)
    menu(staff, "台账", "我的台账")
    rows = staff.page.locator("tr.ledger-row")
    expect(rows).to_have_count(3)  # their department's three, none of the demo county's
    titles = rows.locator("td:first-child strong").all_inner_texts()
    assert set(titles) == set(shared.tasks), titles
    assert titles[0] == story.OVERDUE_TASK
    expect(rows.first).to_have_attribute("data-status", "overdue")
    expect(rows.first).to_contain_text("逾期")
    staff.shot("e2e-my-ledger")

    # this month's progress, through the generated form of 进展反馈
    page = add_from_list(staff, "feedbackview")
    choose(page, "task", story.REPORT_TASK)
    type_date(page, "reported_on", today(portal.app).isoformat())
    page.locator("#progress").fill("完成建设方案初稿，已征求12个部门意见")
    page.locator("#percent_complete").fill("120")
    page.locator("#next_steps").fill("下月上旬提请县政府常务会审议")
    staff.expect_refusal("/feedbackview/add")  # refused with 422, the form shown again
    page.locator("button[type=submit]").click()
    staff.check()
    error = page.locator("#percent_complete").locator("xpath=..")
    expect(error).to_contain_text("完成百分比应在 0 到 100 之间。")
    expect(page.locator(".has-error, .alert-danger").first).to_be_visible()
    staff.shot("e2e-feedback-error")
    page.locator("#percent_complete").fill("60")
    page.locator("button[type=submit]").click()
    saved(page)
    expect(row(page, story.REPORT_TASK).first).to_contain_text("60")

    # an extension for another task, from 我的台账
    menu(staff, "台账", "我的台账")
    extend = staff.page.locator(f"#task-{shared.tasks[story.EXTEND_TASK]} + tr.ledger-forms")
    extend.locator("summary", has_text="申请延期").click()
    later = today(portal.app) + dt.timedelta(days=75)
    extend.locator("input[name=new_deadline]").fill(later.isoformat())
    extend.locator("textarea[name=reason]").fill("需待省级公共数据目录发布后对接")
    extend.locator("button", has_text="提交申请").click()
    staff.check()
    expect(staff.page.locator(".alert-success")).to_contain_text("延期申请已提交")

    reported = staff.page.locator(f"#task-{shared.tasks[story.REPORT_TASK]}")
    expect(reported.locator(".month-feedback")).to_contain_text("本月已反馈")
    expect(reported).to_contain_text("60%")
    staff.close()


def test_3_office_reviews_and_urges(portal, new_context, shared) -> None:
    office = Visitor(portal, new_context)
    office.login(*story.SUPERVISOR)
    menu(office, "督办", "反馈审核")
    queue = office.page.locator("table.kl-queue tbody tr")
    ours = queue.filter(has_text=story.REPORT_TASK)
    expect(ours).to_have_count(1)
    expect(ours).to_contain_text(story.DEPARTMENT)
    office.shot("e2e-review")
    ours.locator("button", has_text="采纳").click()
    office.check()
    expect(office.page.locator(".alert-success")).to_contain_text("已采纳反馈")
    expect(queue.filter(has_text=story.REPORT_TASK)).to_have_count(0)

    other = queue.first  # another department's feedback, the oldest waiting
    returned_task = other.locator("td").first.inner_text()
    other.locator("textarea[name=comment]").fill("进展描述过于笼统，请补充本月完成的具体工作量")
    other.locator("button", has_text="退回").click()
    office.check()
    expect(office.page.locator(".alert-success")).to_contain_text("已退回反馈")
    shared.returned_task = returned_task

    # 督办单 on the overdue task: 任务台账 › 查看 › 督促
    office.goto(f"/taskview/list/?_flt_0_title={story.OVERDUE_TASK}")
    task_row = row(office.page, story.OVERDUE_TASK)
    expect(task_row).to_contain_text("逾期")
    expect(office.page.locator(f"{WRITES} >> visible=true")).not_to_have_count(0)  # can act
    task_row.locator("a[href*='/taskview/show/']").first.click()
    office.check()
    office.page.locator("a[id$='-urge']", has_text="督促").click()
    office.page.wait_for_url("**/office/**")  # the action link posts its form by script
    office.check()
    office.page.locator("#channel").select_option(label="督办单")
    office.page.locator("button", has_text="发出督促").click()
    office.check()
    notice = office.page.locator("body")
    expect(notice).to_contain_text("督办通知单")
    expect(notice).to_contain_text(story.OVERDUE_TASK)
    expect(notice).to_contain_text(story.DEPARTMENT)
    office.shot("e2e-notice")

    # the compliance table of this month, now: 系统管理 › 任务运行记录 › 立即运行
    menu(office, "系统管理", "任务运行记录")
    office.page.locator("#run-build_compliance button", has_text="立即运行").click()
    office.check()
    expect(office.page.locator(".alert-success")).to_contain_text("考核表生成")
    latest = office.page.locator("table.table-bordered tbody tr").first
    expect(latest).to_contain_text("考核表生成")
    expect(latest).to_contain_text(today(portal.app).strftime("%Y-%m"))
    expect(latest).to_contain_text("已完成")
    office.shot("e2e-job-runs")
    office.close()


def read_only(visitor: Visitor) -> None:
    """No button on this page changes anything."""
    writes = visitor.page.locator(f"{WRITES} >> visible=true")
    expect(writes, f"a way to change something on {visitor.page.url}").to_have_count(0)


def test_4_leader_checks(portal, new_context, shared, tmp_path) -> None:
    import openpyxl

    leader = Visitor(portal, new_context)
    leader.login(*story.LEADER)
    menu(leader, "报表", "挂图作战")
    expect(leader.page.locator("canvas").first).to_be_visible()  # ECharts drew
    read_only(leader)
    leader.shot("e2e-dashboard")

    menu(leader, "报表", "月度督查考核表")
    month = today(portal.app).strftime("%Y-%m")
    expect(leader.page.locator("h2")).to_contain_text(month)
    ours = leader.page.locator("table.compliance tbody tr").filter(
        has=leader.page.locator("td.name", has_text=story.DEPARTMENT))
    expect(ours).to_have_count(1)
    read_only(leader)
    leader.shot("e2e-compliance")

    # the department's feedback count, through to the tasks behind it
    fed_back = ours.locator("a[href*='count=tasks_fed_back']").first
    expect(fed_back).to_have_text("1")
    fed_back.click()
    leader.check()
    body = leader.page.locator("body")
    expect(body).to_contain_text(story.REPORT_TASK)
    expect(body).not_to_contain_text(story.EXTEND_TASK)
    read_only(leader)
    leader.page.go_back()
    leader.check()

    with leader.page.expect_download() as download:
        leader.page.locator("a", has_text="导出 Excel").click()
    table = tmp_path / download.value.suggested_filename
    download.value.save_as(table)
    assert table.suffix == ".xlsx" and month in table.name
    sheet = openpyxl.load_workbook(table).active
    cells = {str(cell.value) for line in sheet.iter_rows() for cell in line if cell.value}
    assert story.DEPARTMENT in cells
    assert "全县" in cells

    menu(leader, "报表", "督查通报")
    read_only(leader)
    with leader.page.expect_download() as download:
        leader.page.locator("a", has_text="通报文档").first.click()
    circular = tmp_path / download.value.suggested_filename
    download.value.save_as(circular)
    assert circular.suffix == ".docx"
    import docx

    text = "\n".join(p.text for p in docx.Document(str(circular)).paragraphs)
    assert "督查通报" in text

    # nothing to change anywhere, and an edit URL refused
    for path in ("/taskview/list/", f"/taskview/show/{shared.tasks[story.OVERDUE_TASK]}",
                 "/projectview/list/", "/feedbackview/list/", "/my/ledger/",
                 "/office/review/", "/jobrunview/list/"):
        leader.goto(path)
        read_only(leader)
    task = shared.tasks[story.REPORT_TASK]
    refused = leader.refused_at(f"/taskview/edit/{task}")
    assert refused.status == 403
    expect(leader.page.locator("body")).to_contain_text("您没有权限")
    leader.close()

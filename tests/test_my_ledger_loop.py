"""我的台账 shows the loop (issue 16, item 6, in part): the office's comment on a returned
feedback on the row itself, a pending extension, and the 督办通知单 sent on the task — which
the unit it is addressed to may open and print (it answered 403), and no other unit."""

from __future__ import annotations

import datetime as dt

from app import models as m
from tests.support import days
from tests.test_my_ledger import add_task, every_page, row_html

DAY = dt.timedelta(days=1)


def test_the_row_shows_the_comment_the_pending_extension_and_the_notice(app, client, auth,
                                                                        world):
    from app.extensions import db

    today = days.today(app)
    task = add_task(app, world.dept_a, today + 15 * DAY)
    with app.app_context():
        db.session.add_all([
            m.Feedback(task_id=task, reported_on=today, progress="已完成招标文件编制",
                       percent_complete=40, review_status="returned",
                       review_comment="请补充施工许可办理进度"),
            m.Extension(task_id=task, requested_on=today, new_deadline=today + 45 * DAY,
                        reason="征迁未完成"),
        ])
        notice = m.Supervision(task_id=task, sent_on=today, channel="notice", kind="manual",
                               message="请于三日内书面报告。")
        db.session.add(notice)
        db.session.commit()
        notice_id = notice.id
    auth.login("staff_a")
    row = row_html(every_page(client), task)
    assert "已退回" in row and "审核意见：请补充施工许可办理进度" in row
    assert f"延期申请待审批：{today.isoformat()} 申请延至 {(today + 45 * DAY).isoformat()}" in row
    assert f'href="/office/notice/{notice_id}"' in row
    page = client.get(f"/office/notice/{notice_id}")
    assert page.status_code == 200 and "请于三日内书面报告。" in page.get_data(as_text=True)
    assert client.get(f"/office/urge?task={task}").status_code == 403  # urging stays the office's
    auth.logout()
    auth.login("staff_b")  # another unit: not found
    assert client.get(f"/office/notice/{notice_id}").status_code == 404

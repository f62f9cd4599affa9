"""The monthly 督查通报: its .docx and .xlsx built from build_circular's data, the downloads."""

from __future__ import annotations

import datetime as dt
import io
import re
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Cm
from flask_appbuilder.security.sqla.models import User
from openpyxl import load_workbook
from sqlalchemy import select

from app import models as m
from app.domain import status
from app.extensions import db
from app.files.circular_columns import percent, score_text
from app.files.circular_docx import render_docx
from app.files.circular_xlsx import render_xlsx
from app.jobs import build_circular
from tests.support.web import csrf_token

PERIOD = dt.date(2025, 9, 1)  # a month of its own: the world's rows are of 2026
UNBUILT = dt.date(2025, 8, 1)  # a month whose circular has no files yet
TODAY = dt.date(2025, 10, 1)
D = dt.date
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _september_rows() -> None:
    """An overdue task, a task without feedback, a problem past its deadline: all of 2025-09,
    done or resolved in October, so no later month (nor another test) sees them open."""
    dept = m.Department(name="通报测试局", kind="department")
    person = m.Person(name="孙督办", title="科长", department=dept)
    project = m.Project(code="CIRC-1", name="通报测试项目", category="other", stage="completed",
                        actual_end=D(2025, 10, 1), list_level="county", lead_department=dept)
    meeting = m.Meeting(held_on=D(2025, 9, 10), title="九月调度会", projects=[project])
    late = m.Task(title="完成测试用地报批", project=project, meeting=meeting, department=dept,
                  person=person, assigned_on=D(2025, 9, 1), deadline=D(2025, 9, 15),
                  original_deadline=D(2025, 9, 15), done_on=D(2025, 10, 10))
    silent = m.Task(title="编制测试施工方案", project=project, department=dept, person=person,
                    assigned_on=D(2025, 9, 1), deadline=D(2025, 10, 31),
                    original_deadline=D(2025, 10, 31), done_on=D(2025, 10, 20))
    db.session.add_all([
        dept, person, project, meeting, late, silent,
        m.Feedback(task=late, reported_on=D(2025, 9, 20), progress="正在报批",
                   percent_complete=60, review_status="accepted"),
        m.Supervision(task=late, sent_on=D(2025, 9, 16), channel="in_app", kind="overdue",
                      message="请加快"),
        m.Problem(project=project, description="测试用地指标不足", category="land",
                  raised_on=D(2025, 9, 2), deadline=D(2025, 9, 15), resolved_on=D(2025, 10, 20),
                  department=dept, person=person),
        m.Circular(period=UNBUILT, built_at=dt.datetime(2025, 9, 1), data={}),
    ])
    db.session.commit()


@pytest.fixture(scope="module")
def circular(app):
    """September 2025's circular, built by the job as of 1 October 2025."""
    with app.app_context(), pytest.MonkeyPatch.context() as patch:
        _september_rows()
        patch.setattr(status, "today", lambda: TODAY)
        build_circular.run(PERIOD)
        row = db.session.scalars(select(m.Circular).where(m.Circular.period == PERIOD)).one()
        unbuilt = db.session.scalars(select(m.Circular.id).where(
            m.Circular.period == UNBUILT)).one()
        return SimpleNamespace(id=row.id, data=row.data, docx=row.docx, xlsx=row.xlsx,
                               unbuilt=unbuilt)


def texts(document) -> list[str]:
    return [p.text for p in document.paragraphs]


def table_with(document, first_header: str, last_header: str):
    """The table whose header row starts and ends with the given labels."""
    for table in document.tables:
        header = [cell.text for cell in table.rows[0].cells]
        if header[0] == first_header and header[-1] == last_header:
            return [[cell.text for cell in row.cells] for row in table.rows[1:]]
    raise AssertionError(f"no table {first_header}…{last_header}")


# --- the Word circular ------------------------------------------------------------------


def test_the_job_stores_both_files(circular):
    assert circular.docx[:2] == b"PK" and circular.xlsx[:2] == b"PK"
    assert circular.data["period"] == "2025-09"


def test_docx_masthead_title_addressee_signature_and_colophon(circular):
    document = Document(io.BytesIO(circular.docx))
    lines = [line.replace("\n", "") for line in texts(document) if line]  # title: 2 lines
    number = circular.data["doc_number"]  # the job numbers it: 清督通〔2025〕N号
    assert re.fullmatch(r"清督通〔2025〕\d+号", number)
    assert lines[:4] == ["县委县政府督查室", number,
                         "关于2025年9月全县重点项目推进情况的督查通报", "各责任单位："]
    mark = document.paragraphs[0].runs[0]
    assert str(mark.font.color.rgb) == "FF0000"
    assert any(line.startswith("（一）抓紧整改逾期任务。") for line in lines)
    assert lines[-2:] == ["县委县政府督查室", "2025年10月1日"]  # 落款, 成文日期 (built 1 Oct)
    colophon = [cell.text for row in document.tables[-1].rows for cell in row.cells]
    assert colophon == ["县委县政府督查室\t2025年10月1日印发"]  # CIRCULAR_CC empty: no 抄送


def test_docx_summary_figures_are_the_data_totals(circular):
    t = circular.data["totals"]
    summary = next(p for p in texts(Document(io.BytesIO(circular.docx)))
                   if p.startswith("2025年9月，全县"))
    for piece in (f"纳入考核的重点项目{t['projects_in_scope']}个",
                  f"当月调度{t['projects_dispatched']}个", f"在办任务{t['tasks_open']}项",
                  f"已督促{t['tasks_urged']}项", f"已反馈{t['tasks_fed_back']}项",
                  f"当月到期任务{t['tasks_due']}项", f"按期落实{t['tasks_implemented']}项",
                  f"逾期未完成任务{t['tasks_overdue']}项",
                  f"调度率{percent(t['dispatch_rate'])}", f"督促率{percent(t['supervision_rate'])}",
                  f"反馈率{percent(t['feedback_rate'])}",
                  f"落实率{percent(t['implementation_rate'])}",
                  f"全县综合得分{score_text(t['score'])}分"):
        assert piece in summary, piece
    assert t["tasks_overdue"] >= 1 and t["projects_dispatched"] >= 1


def test_docx_ranking_follows_the_data(circular):
    rows = table_with(Document(io.BytesIO(circular.docx)), "名次", "得分")
    ranking = circular.data["ranking"]
    assert [row[1] for row in rows] == [r["department"] for r in ranking]
    assert [row[0] for row in rows] == [str(r["rank"]) for r in ranking]
    ours = next(row for row in rows if row[1] == "通报测试局")
    mine = next(r for r in ranking if r["department"] == "通报测试局")
    assert ours[2:] == [percent(mine["dispatch_rate"]), percent(mine["supervision_rate"]),
                        percent(mine["implementation_rate"]), percent(mine["feedback_rate"]),
                        str(mine["tasks_overdue"]), score_text(mine["score"])]


def test_docx_lists_overdue_unreported_and_unresolved(circular):
    document = Document(io.BytesIO(circular.docx))
    overdue = table_with(document, "序号", "逾期天数")
    assert ["完成测试用地报批", "通报测试项目", "通报测试局", "孙督办", "2025-09-15",
            "15"] in [row[1:] for row in overdue]  # other tests' rows may come first
    unreported = table_with(document, "序号", "时间节点")
    assert any(row[1] == "编制测试施工方案" and row[4] == "孙督办" for row in unreported)
    assert not any(row[1] == "完成测试用地报批" for row in unreported)  # it was fed back
    problems = table_with(document, "序号", "状态")
    assert any(row[1] == "测试用地指标不足" and row[-1] == "已超期" for row in problems)


@pytest.mark.parametrize(("done_on", "days"), [
    (D(2025, 9, 5), 0),  # done on time in the month: not late at all
    (D(2025, 9, 20), 10),  # done late in the month: late until it was done
    (D(2025, 10, 3), 20), (None, 20)])  # not done by A (30 Sep): late until A
def test_a_listed_tasks_overdue_days_are_as_of_the_day_judged(done_on, days):
    from types import SimpleNamespace

    from app.reports.circular import task_row

    task = SimpleNamespace(id=1, title="列表任务", department="通报列表局", person=None,
                           project=None, deadline=D(2025, 9, 10),
                           original_deadline=D(2025, 9, 10), done_on=done_on)
    assert task_row(task, D(2025, 9, 30))["overdue_days"] == days


def test_docx_is_a4_with_chinese_fonts(circular):
    document = Document(io.BytesIO(circular.docx))
    section = document.sections[0]
    assert abs(section.page_width - Cm(21)) < Cm(0.01)
    assert abs(section.page_height - Cm(29.7)) < Cm(0.01)
    fonts = document.styles["Normal"].element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    title = next(p for p in document.paragraphs if "督查通报" in p.text).runs[0].element.rPr.rFonts
    assert title.get(qn("w:eastAsia")) == "方正小标宋简体"


def test_rendering_is_pure_and_shows_dashes_for_none():
    blank = {"dispatch_rate": None, "supervision_rate": None, "implementation_rate": None,
             "feedback_rate": None, "score": None, "compliant": False}
    counts = dict.fromkeys(("projects_in_scope", "projects_dispatched", "tasks_open",
                            "tasks_urged", "tasks_fed_back", "tasks_due", "tasks_implemented",
                            "tasks_overdue"), 0)
    data = {"period": "2026-11", "as_of": "2026-11-30", "totals": counts | blank,
            "ranking": [{"rank": 1, "department": "甲局"} | counts | blank],
            "overdue_tasks": [], "unreported_tasks": [], "unresolved_problems": []}
    document = Document(io.BytesIO(render_docx(data, "某县督查室")))
    lines = texts(document)
    assert lines[:2] == ["某县督查室", "关于2026年11月全县重点项目\n推进情况的督查通报"]
    assert [line for line in lines if line][-2:] == ["某县督查室", "2026年11月30日"]  # as_of
    assert "调度率—" in next(p for p in lines if p.startswith("2026年11月，全县"))
    assert table_with(document, "名次", "得分") == [["1", "甲局", "—", "—", "—", "—", "0", "—"]]
    empty = {"本月无逾期任务。", "本月在办任务均已反馈。", "问题清单中的问题均已解决。"}
    assert empty <= set(lines)
    book = load_workbook(io.BytesIO(render_xlsx(data)))
    assert book["排名"]["C3"].value == "—"


@pytest.mark.parametrize(("rate", "text"), [(None, "—"), (0, "0.0%"), (1, "100.0%"),
                                            (2 / 3, "66.7%")])
def test_percent(rate, text):
    assert percent(rate) == text


# --- the workbook -----------------------------------------------------------------------


def test_xlsx_sheets_figures_and_formats(circular):
    book = load_workbook(io.BytesIO(circular.xlsx))
    assert book.sheetnames == ["汇总", "排名", "逾期任务", "未反馈任务", "未解决问题"]
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A3"
        assert sheet.page_setup.orientation == "landscape"
        assert int(sheet.page_setup.paperSize) == int(sheet.PAPERSIZE_A4)
        assert sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage
    summary = {row[0].value: row[1] for row in book["汇总"].iter_rows(min_row=3)}
    t = circular.data["totals"]
    assert summary["纳入考核项目"].value == t["projects_in_scope"]
    assert summary["在办任务"].value == t["tasks_open"]
    assert summary["逾期任务"].value == t["tasks_overdue"]
    assert summary["统计截至"].value.date() == D(2025, 9, 30)
    assert summary["统计截至"].number_format == "yyyy-mm-dd"
    for label, key in (("调度率", "dispatch_rate"), ("督促率", "supervision_rate"),
                       ("落实率", "implementation_rate"), ("反馈率", "feedback_rate")):
        cell = summary[label]
        if t[key] is None:
            assert cell.value == "—"
        else:
            assert cell.value == pytest.approx(t[key]) and cell.number_format == "0.0%"


def test_xlsx_ranking_and_lists(circular):
    book = load_workbook(io.BytesIO(circular.xlsx))
    ranking = book["排名"]
    assert [c.value for c in ranking[2][:8]] == ["名次", "责任单位", "调度率", "督促率", "落实率",
                                                 "反馈率", "逾期任务", "得分"]
    names = [row[1].value for row in ranking.iter_rows(min_row=3)]
    assert names == [r["department"] for r in circular.data["ranking"]]
    ours = next(row for row in ranking.iter_rows(min_row=3) if row[1].value == "通报测试局")
    assert ours[2].number_format == "0.0%" and ours[2].value == 1  # dispatched 1 of 1
    overdue = [[c.value for c in row] for row in book["逾期任务"].iter_rows(min_row=3)]
    row = next(r for r in overdue if r[1] == "完成测试用地报批")
    assert row[3:5] == ["通报测试局", "孙督办"] and row[5] == dt.datetime(2025, 9, 15)
    assert row[6] == 15
    problems = [[c.value for c in row] for row in book["未解决问题"].iter_rows(min_row=3)]
    assert any(r[1] == "测试用地指标不足" and r[-1] == "已超期" for r in problems)


# --- downloads and regenerating ---------------------------------------------------------


@pytest.mark.parametrize(("kind", "mimetype"), [("docx", DOCX), ("xlsx", XLSX)])
def test_leader_downloads_the_files(client, auth, circular, kind, mimetype):
    auth.login("leader")
    response = client.get(f"/circularview/download/{circular.id}/{kind}")
    assert response.status_code == 200
    assert response.mimetype == mimetype
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert f"filename*=UTF-8''{quote(f'督查通报-2025-09.{kind}')}" in disposition
    assert f'filename="duchatongbao-2025-09.{kind}"' in disposition  # the ASCII fallback
    body = io.BytesIO(response.get_data())
    opened = Document(body) if kind == "docx" else load_workbook(body)
    assert opened is not None


def test_department_staff_may_not_download(client, auth, circular):
    auth.login("staff_a")
    assert client.get(f"/circularview/download/{circular.id}/docx").status_code == 403
    assert client.get("/circularview/list/").status_code == 403


@pytest.mark.parametrize("url", ["/circularview/download/999999/docx",
                                 "/circularview/download/{id}/pdf",
                                 "/circularview/download/{unbuilt}/xlsx"])
def test_missing_files_answer_404(client, auth, circular, url):
    auth.login("leader")
    response = client.get(url.format(id=circular.id, unbuilt=circular.unbuilt))
    assert response.status_code == 404


def test_the_list_offers_downloads_or_building(client, auth, circular):
    auth.login("leader")
    page = client.get("/circularview/list/").get_data(as_text=True)
    assert f"/circularview/download/{circular.id}/docx" in page
    assert f"/circularview/download/{circular.id}/xlsx" in page
    assert "2025年9月" in page and "2025年8月" in page and "尚未生成" in page
    assert "/circularview/build/" not in page  # leaders change nothing
    assert page.index("2025年9月") < page.index("2025年8月")  # the latest first
    auth.logout()
    auth.login("supervisor")
    page = client.get("/circularview/list/").get_data(as_text=True)
    assert 'value="2025-08"' in page and 'value="2025-09"' in page
    assert "重新生成" in page and ">生成</button>" in page.replace("\n", "").replace(" ", "")


def test_leader_may_not_build(client, auth, circular):
    auth.login("leader")
    token = csrf_token(client, "/circularview/list/")
    response = client.post("/circularview/build/", data={"csrf_token": token,
                                                          "period": "2025-08"})
    assert response.status_code == 403


@pytest.mark.parametrize("period", ["", "2025-13", "abc", "2099-01"])
def test_building_a_bad_or_unended_month_is_a_400(client, auth, period):
    auth.login("supervisor")
    token = csrf_token(client, "/circularview/list/")
    response = client.post("/circularview/build/", data={"csrf_token": token, "period": period})
    assert response.status_code == 400
    assert "月" in response.get_data(as_text=True)


def test_supervisor_builds_a_month(app, client, auth, monkeypatch):
    month = dt.date(2025, 7, 1)
    auth.login("supervisor")
    assert client.post("/circularview/build/", data={"period": "2025-07"}).status_code == 400
    token = csrf_token(client, "/circularview/list/")
    monkeypatch.setattr(status, "today", lambda: TODAY)
    response = client.post("/circularview/build/", data={"csrf_token": token,
                                                          "period": "2025-07"})
    assert response.status_code == 302
    with app.app_context():
        rebuilt = db.session.scalars(select(m.Circular).where(m.Circular.period == month)).one()
        assert rebuilt.docx[:2] == b"PK" and rebuilt.xlsx[:2] == b"PK"
        assert rebuilt.data["period"] == "2025-07"
        assert rebuilt.issued_on == TODAY and rebuilt.issued_by == "赵督查"
        assert rebuilt.doc_number == rebuilt.data["doc_number"]
        assert rebuilt.doc_number.startswith("清督通〔2025〕")
        run = db.session.scalars(select(m.JobRun).order_by(m.JobRun.id.desc())).first()
        supervisor = db.session.scalars(select(User.id).where(
            User.username == "supervisor")).one()
        assert (run.job, run.args, run.status) == ("build_circular", {"period": "2025-07-01"},
                                                   "finished")
        assert run.requested_by_fk == supervisor
    page = client.get("/circularview/list/").get_data(as_text=True)
    assert "已提交生成2025年7月的督查通报，状态：" in page
    assert rebuilt.doc_number in page and "赵督查" in page and "2025-10-01" in page

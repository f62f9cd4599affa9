"""Compliance up the tree (issue 15 item 3): the 考核表, its Excel export, the circular's and
the dashboard's ranking of a three-level tree against totals worked out by hand.

The tree (units of this module only, with a month no other test uses):

    树测甲局                 own: 调度 1/2 督促 2/4 落实 1/2 反馈 2/4 逾期 1  -> 50.0
      树测甲一股             own: 调度 0/0 督促 1/2 落实 1/2 反馈 1/2 逾期 1  -> 50.0
      树测甲二股             own: 调度 1/1 督促 1/2 落实 0/2 反馈 0/2 逾期 2  -> 37.5
        树测甲二村           own: 调度 0/1 督促 2/2 落实 1/1 反馈 2/2 逾期 0  -> 75.0
      树测甲停股 (停用)      own: 调度 0/0 督促 0/1 落实 0/0 反馈 0/1 逾期 0  -> 0.0
    树测乙局                 own: 调度 1/2 督促 1/2 落实 1/2 反馈 1/2 逾期 1  -> 50.0

By hand:
    树测甲二股（含下级） = 甲二股 + 甲二村: 调度 1/2 督促 3/4 落实 1/3 反馈 2/4 逾期 2
        score = (50 + 75 + 33.33 + 50) / 4 = 52.08 -> 52.1
    树测甲局（含下级） = 甲局 + 甲一股 + 甲二股（含下级） (not the 停用 unit: it is listed apart):
        调度 2/4 督促 6/10 落实 3/7 反馈 5/10 逾期 4
        score = (50 + 60 + 42.86 + 50) / 4 = 50.71 -> 50.7
Siblings under 甲局: 甲二股 (52.1 with its 村; 37.5 alone) before 甲一股 (50.0). At the top:
甲局 (50.7) before 乙局 (50.0) -- on their own scores (50.0 each) 乙局 would come first by name.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl
import pytest

from app import models as m

PERIOD = dt.date(2031, 3, 1)
IN = "\u3000" * 2  # one level of indentation (app/domain/tree.py INDENT, twice)
COUNTS = ("projects_in_scope", "projects_dispatched", "tasks_open", "tasks_urged",
          "tasks_fed_back", "tasks_due", "tasks_implemented", "tasks_overdue")
# name: (parent, active, counts in COUNTS order, rates, score)
UNITS = {
    "树测甲局": (None, True, (2, 1, 4, 2, 2, 2, 1, 1), (0.5, 0.5, 0.5, 0.5), 50.0),
    "树测甲一股": ("树测甲局", True, (0, 0, 2, 1, 1, 2, 1, 1), (None, 0.5, 0.5, 0.5), 50.0),
    "树测甲二股": ("树测甲局", True, (1, 1, 2, 1, 0, 2, 0, 2), (1.0, 0.5, 0.0, 0.0), 37.5),
    "树测甲二村": ("树测甲二股", True, (1, 0, 2, 2, 2, 1, 1, 0), (0.0, 1.0, 1.0, 1.0), 75.0),
    "树测甲停股": ("树测甲局", False, (0, 0, 1, 0, 0, 0, 0, 0), (None, 0.0, None, 0.0), 0.0),
    "树测乙局": (None, True, (2, 1, 2, 1, 1, 2, 1, 1), (0.5, 0.5, 0.5, 0.5), 50.0),
}
# the county: every unit's counts added up
COUNTY = ((6, 3, 13, 7, 6, 9, 4, 5), (0.5, 7 / 13, 4 / 9, 6 / 13), 48.6)


@pytest.fixture(scope="module")
def tree(app):
    """The units and their month of compliance rows; removed after the module."""
    from app.extensions import db

    with app.app_context():
        ids: dict[str, int] = {}
        for name, (parent, active, *_rest) in UNITS.items():
            unit = m.Department(name=name, kind="department", active=active,
                                parent_id=ids[parent] if parent else None)
            db.session.add(unit)
            db.session.flush()
            ids[name] = unit.id
        built = dt.datetime(2031, 3, 31, 12)
        for unit, (counts, rates, score) in [(ids[n], UNITS[n][2:]) for n in UNITS] + [
                (None, COUNTY)]:
            row = m.Compliance(period=PERIOD, department_id=unit, built_at=built,
                               score=score, compliant=all(r in (None, 1) for r in rates),
                               **dict(zip(COUNTS, counts, strict=True)))
            (row.dispatch_rate, row.supervision_rate, row.implementation_rate,
             row.feedback_rate) = rates
            db.session.add(row)
        db.session.commit()
    yield ids
    with app.app_context():
        db.session.execute(db.delete(m.Compliance).where(m.Compliance.period == PERIOD))
        for name in reversed(list(UNITS)):  # children before parents
            db.session.execute(db.delete(m.Department).where(m.Department.id == ids[name]))
        db.session.commit()


def cells(html: str) -> list[list[str]]:
    """The table's cells as text; the full-width spaces of the indentation are kept."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    return [[re.sub(r"[ \t\r\n]+", " ", re.sub(r"<[^>]+>", " ", c)).strip(" ")
             for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)] for r in rows]


# (名次, 责任单位, 调度, 督促, 落实, 反馈, 逾期, 得分) as the page shows them
EXPECTED = [
    ("", "全县", "3 / 6 (差 3)", "7 / 13 (差 6)", "4 / 9 (差 5)", "6 / 13 (差 7)", "5", "48.6"),
    ("", "树测甲局", "1 / 2 (差 1)", "2 / 4 (差 2)", "1 / 2 (差 1)", "2 / 4 (差 2)", "1", "50.0"),
    ("1", "树测甲局（含下级）", "2 / 4 (差 2)", "6 / 10 (差 4)", "3 / 7 (差 4)",
     "5 / 10 (差 5)", "4", "50.7"),
    ("", f"{IN}└ 树测甲二股", "1 / 1", "1 / 2 (差 1)", "0 / 2 (差 2)", "0 / 2 (差 2)", "2",
     "37.5"),
    ("1", f"{IN}└ 树测甲二股（含下级）", "1 / 2 (差 1)", "3 / 4 (差 1)", "1 / 3 (差 2)",
     "2 / 4 (差 2)", "2", "52.1"),
    ("1", f"{IN}{IN}└ 树测甲二村", "0 / 1 (差 1)", "2 / 2", "1 / 1", "2 / 2", "0", "75.0"),
    ("2", f"{IN}└ 树测甲一股", "0 / 0", "1 / 2 (差 1)", "1 / 2 (差 1)", "1 / 2 (差 1)", "1",
     "50.0"),
    ("2", "树测乙局", "1 / 2 (差 1)", "1 / 2 (差 1)", "1 / 2 (差 1)", "1 / 2 (差 1)", "1",
     "50.0"),
    ("", "树测甲停股 （不参与排名）", "0 / 0", "0 / 1 (差 1)", "0 / 0", "0 / 1 (差 1)", "0",
     "0.0"),
]


def test_the_table_shows_each_subtree_s_totals_and_ranks_among_siblings(client, auth, tree):
    auth.login("supervisor")
    response = client.get(f"/compliance/?period={PERIOD:%Y-%m}")
    assert response.status_code == 200
    table = cells(response.get_data(as_text=True))
    shown = [(row[0], row[1], row[2], row[4], row[6], row[8], row[10], row[11]) for row in table]
    assert shown == EXPECTED
    # the rates of the totals rows, recomputed from the sums
    totals = {row[1]: row for row in table if row[1].endswith("（含下级）")}
    assert [totals["树测甲局（含下级）"][i] for i in (3, 5, 7, 9)] == [
        "50.0%", "60.0%", "42.9%", "50.0%"]
    assert [totals[f"{IN}└ 树测甲二股（含下级）"][i] for i in (3, 5, 7, 9)] == [
        "50.0%", "75.0%", "33.3%", "50.0%"]


def test_totals_rows_have_no_drill_down(client, auth, tree):
    auth.login("supervisor")
    html = client.get(f"/compliance/?period={PERIOD:%Y-%m}").get_data(as_text=True)
    totals = re.findall(r'<tr class="subtree-totals">(.*?)</tr>', html, re.S)
    assert len(totals) == 2
    assert all("href" not in row for row in totals)
    # every unit's own row still links to its rows
    for name in UNITS:
        assert f"department={tree[name]}&amp;count=tasks_open" in html, name


def test_the_export_carries_the_totals_rows(client, auth, tree):
    auth.login("supervisor")
    response = client.get(f"/compliance/export/?period={PERIOD:%Y-%m}")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=5)]
    by_name = {row[1]: row for row in rows}
    jia = by_name["树测甲局（含下级）"]
    # 名次, 单位, 调度 完成/应完成/比率, 督促 …, 落实 …, 反馈 …, 逾期, 得分, 是否达标
    assert jia[:2] == [1, "树测甲局（含下级）"]
    assert jia[2:4] == [2, 4] and jia[4] == pytest.approx(0.5)
    assert jia[5:7] == [6, 10] and jia[7] == pytest.approx(0.6)
    assert jia[8:10] == [3, 7] and jia[10] == pytest.approx(3 / 7)
    assert jia[11:13] == [5, 10] and jia[13] == pytest.approx(0.5)
    assert jia[14:] == [4, 50.7, "否"]
    er = by_name[f"{IN}└ 树测甲二股（含下级）"]
    assert er[0] == 1 and er[2:4] == [1, 2] and er[5:7] == [3, 4] and er[8:10] == [1, 3]
    assert er[14:] == [2, 52.1, "否"]
    assert [row[1] for row in rows] == [
        "全县", "树测甲局", "树测甲局（含下级）", f"{IN}└ 树测甲二股",
        f"{IN}└ 树测甲二股（含下级）", f"{IN}{IN}└ 树测甲二村", f"{IN}└ 树测甲一股", "树测乙局",
        "树测甲停股"]
    assert [row[0] for row in rows] == [None, None, 1, None, 1, 1, 2, 2, None]  # "" reads None


def test_the_circular_ranks_the_same_way(app, tree):
    from app.domain import rules
    from app.reports import circular

    table = {tree[name]: rules.ComplianceCounts(*UNITS[name][2]) for name in UNITS}
    with app.test_request_context():
        ranking = circular.ranking(table)
    assert [(r["rank"], r["department"], r["score"]) for r in ranking] == [
        (1, "树测甲局（含下级）", 50.7), (1, f"{IN}└ 树测甲二股（含下级）", 52.1),
        (1, f"{IN}{IN}└ 树测甲二村", 75.0), (2, f"{IN}└ 树测甲一股", 50.0),
        (2, "树测乙局", 50.0)]
    jia = ranking[0]
    assert (jia["projects_in_scope"], jia["projects_dispatched"], jia["tasks_open"],
            jia["tasks_urged"], jia["tasks_fed_back"], jia["tasks_due"],
            jia["tasks_implemented"], jia["tasks_overdue"]) == (4, 2, 10, 6, 5, 7, 3, 4)
    assert jia["implementation_rate"] == pytest.approx(3 / 7) and not jia["compliant"]


def test_the_circular_s_documents_show_the_tree_ranking(app, tree):
    """The 督查通报's Word and Excel ranking tables: the totals rows, ranks among siblings."""
    from docx import Document

    from app.domain import rules, tree_ranking
    from app.files.circular_docx import render_docx
    from app.files.circular_xlsx import render_xlsx
    from app.reports import circular
    from tests.test_circular import table_with

    table = {tree[name]: rules.ComplianceCounts(*UNITS[name][2]) for name in UNITS}
    with app.test_request_context():
        ranking = circular.ranking(table)
        data = {"period": "2031-03", "as_of": "2031-03-31",
                "totals": circular.summary(tree_ranking.summed(table.values())), "ranking": ranking,
                "overdue_tasks": [], "unreported_tasks": [], "unresolved_problems": []}
        document = Document(io.BytesIO(render_docx(data, "树测督查室")))
        book = openpyxl.load_workbook(io.BytesIO(render_xlsx(data)))
    rows = table_with(document, "名次", "得分")
    assert [(row[0], row[1], row[-1]) for row in rows] == [
        ("1", "树测甲局（含下级）", "50.7"), ("1", f"{IN}└ 树测甲二股（含下级）", "52.1"),
        ("1", f"{IN}{IN}└ 树测甲二村", "75.0"), ("2", f"{IN}└ 树测甲一股", "50.0"),
        ("2", "树测乙局", "50.0")]
    assert rows[0][2:6] == ["50.0%", "60.0%", "42.9%", "50.0%"]  # 调度 督促 落实 反馈
    names = [row[1].value for row in book["排名"].iter_rows(min_row=3)]
    assert names == [row[1] for row in rows]


def test_the_dashboard_ranks_the_same_way(app, tree, monkeypatch):
    from app.domain import status
    from app.reports import dashboard

    monkeypatch.setattr(status, "today", lambda: dt.date(2031, 3, 20))
    with app.test_request_context():
        ranking = dashboard.ranking()
    assert ranking == [
        {"rank": 1, "department": "树测甲局（含下级）", "score": 50.7},
        {"rank": 1, "department": f"{IN}└ 树测甲二股（含下级）", "score": 52.1},
        {"rank": 1, "department": f"{IN}{IN}└ 树测甲二村", "score": 75.0},
        {"rank": 2, "department": f"{IN}└ 树测甲一股", "score": 50.0},
        {"rank": 2, "department": "树测乙局", "score": 50.0}]


def test_a_flat_tree_ranks_as_before():
    """Every unit at the top: exactly `ranking`, places 1..n, no totals (the flat case the
    other report tests check page by page)."""
    from app.domain import rules, tree_ranking

    counts = {1: rules.ComplianceCounts(2, 1, 4, 4, 4, 2, 2, 0),   # 87.5
              2: rules.ComplianceCounts(0, 0, 0, 0, 0, 0, 0, 0),   # nothing to judge
              3: rules.ComplianceCounts(2, 2, 2, 2, 2, 2, 2, 0),   # 100.0
              4: rules.ComplianceCounts(2, 1, 4, 4, 4, 2, 2, 1)}   # 87.5, after 乙 by name
    units = {1: ("乙", None), 2: ("丙", None), 3: ("丁", None), 4: ("甲", None)}
    places = tree_ranking.tree_ranking(units, counts, {u: c.score for u, c in counts.items()})
    assert [p.unit for p in places] == rules.ranking(
        {u: (units[u][0], counts[u].score) for u in units}) == [3, 1, 4, 2]
    assert [(p.depth, p.place, p.rank, p.totals) for p in places] == [
        (0, 1, 1, None), (0, 2, 2, None), (0, 3, 3, None), (0, 4, None, None)]

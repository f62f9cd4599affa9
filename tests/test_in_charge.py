"""A leader's 分管单位 first (issue 15): a role with 指定单位 names the units a 分管领导 is in
charge of. Held beside a role that sees the whole county, those units' rows come first on the
考核表 and the dashboard — then the whole table, unchanged; held alone, the user sees only
them, and no block repeats them. Role names decide nothing: the role here has a made-up name.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from app import models as m
from tests.support.world import PASSWORD

PERIOD = dt.date(2031, 4, 1)
UNITS = {"分管测甲局": 80.0, "分管测乙局": 60.0, "分管测丙局": 40.0}


@pytest.fixture(scope="module")
def leaders(app):
    """Three units with a month of compliance; a role 城建口(测) with 指定单位 甲 and 丙;
    `charge_leader` holds it and Leader (全部数据), `charge_only` holds it alone."""
    from app.domain.accounts import create_account
    from app.extensions import appbuilder, db

    with app.app_context():
        s = db.session
        ids = {}
        for name, score in UNITS.items():
            unit = m.Department(name=name, kind="department")
            s.add(unit)
            s.flush()
            ids[name] = unit.id
            s.add(m.Compliance(period=PERIOD, department_id=unit.id, score=score,
                               built_at=dt.datetime(2031, 4, 30, 12), tasks_open=2,
                               tasks_urged=1, compliant=False))
        s.add(m.Compliance(period=PERIOD, department_id=None, score=60.0, tasks_open=6,
                           built_at=dt.datetime(2031, 4, 30, 12), compliant=False))
        sm = appbuilder().sm
        role = sm.add_role("城建口(测)")
        role.permissions = list(sm.find_role("Leader").permissions)
        s.add(m.RoleScope(role=role, kind="custom", departments=[
            s.get(m.Department, ids["分管测甲局"]), s.get(m.Department, ids["分管测丙局"])]))
        s.commit()
        leader = create_account("charge_leader", "Leader", PASSWORD, None)
        leader.roles.append(role)
        create_account("charge_only", "城建口(测)", PASSWORD, None)
        s.commit()
    yield ids
    with app.app_context():
        s = db.session
        sm = appbuilder().sm
        for name in ("charge_leader", "charge_only"):
            s.delete(sm.find_user(username=name))
        s.commit()
        s.execute(db.delete(m.Compliance).where(m.Compliance.period == PERIOD))
        role = sm.find_role("城建口(测)")
        s.execute(db.delete(m.RoleScope).where(m.RoleScope.role_id == role.id))
        s.delete(role)
        for unit in ids.values():
            s.execute(db.delete(m.Department).where(m.Department.id == unit))
        s.commit()


def table(html: str) -> list[list[str]]:
    """The 考核表's rows as text: headings (th) and cells (td) alike."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [[re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", c)).strip()
             for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]


def names(rows: list[list[str]]) -> list[str]:
    return [row[1] if len(row) > 1 else f"[{row[0]}]" for row in rows
            if len(row) == 1 or row[1].startswith(("分管测", "全县"))]


def test_a_leader_sees_the_units_in_his_charge_first(client, auth, leaders):
    auth.login("charge_leader")
    rows = table(client.get(f"/compliance/?period={PERIOD:%Y-%m}").get_data(as_text=True))
    assert names(rows) == ["全县", "[分管单位]", "分管测甲局", "分管测丙局", "[全部单位]",
                           "分管测甲局", "分管测乙局", "分管测丙局"]
    # the block repeats the rows as ranked in the whole table: 名次 and 得分 alike
    first = {row[1]: (row[0], row[-1]) for row in rows[2:4]}
    whole = {row[1]: (row[0], row[-1]) for row in rows[5:] if row[1] in first}
    assert first == whole and first["分管测丙局"][1] == "40.0"


def test_a_user_who_sees_only_his_units_gets_no_repeated_block(client, auth, leaders):
    auth.login("charge_only")
    rows = table(client.get(f"/compliance/?period={PERIOD:%Y-%m}").get_data(as_text=True))
    assert names(rows) == ["全县", "分管测甲局", "分管测丙局"]


def test_the_dashboard_shows_the_units_in_charge_above_the_ranking(client, auth, leaders,
                                                                    monkeypatch):
    from app.domain import status

    monkeypatch.setattr(status, "today", lambda: dt.date(2031, 4, 20))
    auth.login("charge_leader")
    html = client.get("/dashboard/").get_data(as_text=True)
    block = html.split('<table class="table table-condensed in-charge">', 1)[1].split(
        "</table>", 1)[0]
    assert re.findall(r"分管测.局", block) == ["分管测甲局", "分管测丙局"]
    assert "分管测乙局" in html.split(block, 1)[1]  # the whole ranking follows
    auth.logout()
    auth.login("supervisor")  # no 指定单位 role: no block
    assert "in-charge" not in client.get("/dashboard/").get_data(as_text=True)

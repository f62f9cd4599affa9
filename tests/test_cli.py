"""The commands: init is idempotent and keeps an admin's role changes; accounts; demo data."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from flask_appbuilder.security.sqla.models import PermissionView, Role

from app import models as m
from app.domain import clock
from tests.support.world import PASSWORD


def grants(app) -> dict[str, set[int]]:
    from app.extensions import db

    with app.app_context():
        return {role.name: {pv.id for pv in role.permissions} for role in db.session.query(Role)}


def test_init_twice_changes_nothing(app):
    before = grants(app)
    result = app.test_cli_runner().invoke(args=["init"])
    assert result.exit_code == 0, result.output
    assert "Supervisor +0, DeptStaff +0, Leader +0" in result.output
    assert grants(app) == before


def test_init_keeps_an_admins_change_and_reset_restores_it(app):
    from app.extensions import db

    with app.app_context():
        role = db.session.query(Role).filter_by(name="Leader").one()
        removed = next(pv for pv in role.permissions if pv.view_menu.name == "Task")
        role.permissions.remove(removed)
        db.session.commit()
        removed_id = removed.id
    runner = app.test_cli_runner()
    assert runner.invoke(args=["init"]).exit_code == 0
    assert removed_id not in grants(app)["Leader"]
    assert runner.invoke(args=["init", "--reset-roles"]).exit_code == 0
    assert removed_id in grants(app)["Leader"]


def test_roles_live_in_the_database(app):
    from app.extensions import db

    with app.app_context():
        names = {r.name for r in db.session.query(Role)}
        assert {"Admin", "Supervisor", "DeptStaff", "Leader"} <= names
        leader = db.session.query(Role).filter_by(name="Leader").one()
        assert leader.permissions
        # reading, and their own account: their page and their password
        own = {"can_userinfo", "resetmypassword", "can_this_form_get", "can_this_form_post"}
        assert all(pv.permission.name in ("can_read", "menu_access", "can_get")
                   or (pv.permission.name in own
                       and pv.view_menu.name in ("UserDBModelView", "ResetMyPasswordView"))
                   for pv in leader.permissions)
        assert db.session.query(PermissionView).count() > 0


def test_create_account_ties_a_login_to_a_person(app, world, client):
    runner = app.test_cli_runner()
    from app.extensions import db

    with app.app_context():
        person = m.Person(name="钱新人", title="科员", department_id=world.dept_a)
        db.session.add(person)
        db.session.commit()
        person_id = person.id
    result = runner.invoke(args=["create-account", "qian", "--role", "DeptStaff",
                                 "--password", PASSWORD, "--person", str(person_id)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        person = db.session.get(m.Person, person_id)
        assert person.user is not None and person.user.username == "qian"
    again = runner.invoke(args=["create-account", "qian", "--role", "DeptStaff",
                                "--password", PASSWORD])
    assert again.exit_code != 0 and "exists already" in again.output
    bad_role = runner.invoke(args=["create-account", "x", "--role", "Boss", "--password", "p"])
    assert bad_role.exit_code != 0


def test_seed_demo_builds_a_county_and_refuses_to_run_twice(tmp_path: Path):
    """The README's first command, minus serving: init, seed-demo, on a fresh SQLite file."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env["KEYLEDGER_INSTANCE"] = str(tmp_path)
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    root = Path(__file__).resolve().parent.parent
    for command in (["init"], ["seed-demo"]):
        done = subprocess.run(flask + command, cwd=root, env=env, capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-3000:]
    assert "demo logins" in done.stdout
    with sqlite3.connect(tmp_path / "keyledger.db") as db:
        count = {t: db.execute(f"select count(*) from {t}").fetchone()[0]
                 for t in ("department", "person", "project", "meeting", "task", "feedback",
                           "supervision", "problem", "investment_report")}
        statuses = dict(db.execute("select status, count(*) from task group by status"))
        colours = dict(db.execute("select status_color, count(*) from project group by 1"))
        numbers = db.execute("select doc_year, count(*), min(doc_seq), max(doc_seq), "
                             "count(doc_seq) from supervision where channel = 'notice' "
                             "group by doc_year").fetchall()
    assert count["department"] >= 10 and count["person"] >= 40
    # fifteen to eighteen tasks a meeting, whatever the day the demo is built on
    assert count["project"] >= 30 and count["meeting"] >= 12
    assert count["task"] >= 15 * count["meeting"]
    # investment is reported monthly for this year up to last month: none yet in January
    reported = count.pop("investment_report")
    assert (reported == 0) == (demo_day(env).month == 1), reported
    assert min(count.values()) > 0
    assert {"overdue", "due_soon", "pending", "done_on_time", "done_late"} <= set(statuses)
    assert set(colours) == {"green", "yellow", "red"}
    # the demo's 督办单: 督办〔YYYY〕1号 … N号 each year, every one numbered (issue 16)
    assert numbers and all(year is not None and (low, high, numbered) == (1, n, n)
                           for year, n, low, high, numbered in numbers), numbers
    again = subprocess.run(flask + ["seed-demo"], cwd=root, env=env, capture_output=True,
                           text=True, timeout=300)
    assert again.returncode == 0 and "演示数据已存在" in again.stdout
    logins = subprocess.run([sys.executable, "-c", LOG_IN_EVERY_DEMO_ACCOUNT], cwd=root, env=env,
                            capture_output=True, text=True, timeout=300)
    assert logins.returncode == 0, logins.stderr[-3000:]
    assert logins.stdout.split() == ["Admin", "Supervisor", "Leader", "DeptStaff", "DeptStaff"]


def demo_day(env: dict[str, str]) -> dt.date:
    """The day the demo was built for: KEYLEDGER_TODAY if set, else today in the portal's zone."""
    if fixed := env.get("KEYLEDGER_TODAY"):
        return dt.date.fromisoformat(fixed)
    return clock.today()


LOG_IN_EVERY_DEMO_ACCOUNT = """
import re
from app import create_app
from app.seed.demo import DEMO_ACCOUNTS
app = create_app()
for username, password, role, _who in DEMO_ACCOUNTS:
    client = app.test_client()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/login/").text)[1]
    answer = client.post("/login/", data={"username": username, "password": password,
                                          "csrf_token": token})
    assert answer.status_code == 302 and answer.location == "/", (username, answer.status_code)
    assert client.get("/taskview/list/").status_code == 200, username
    print(role)
"""

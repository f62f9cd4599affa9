"""The demo county 清河县: departments, persons, projects, a year of meetings, tasks and logins.

The county's names and texts are data (demo_county.toml, read by demo_data.py); the steps
that build it from them are demo_projects.py, demo_ledger.py and demo_reminders.py.
"""

from __future__ import annotations

import datetime as dt
import random

import click
from flask import current_app

from app import models as m
from app.domain import clock, notice_number, rules
from app.domain.accounts import create_account
from app.extensions import appbuilder, db
from app.seed import demo_ledger, demo_projects, demo_reminders
from app.seed.demo_data import COUNTY
from app.seed.demo_state import Seed

# (username, password, role, who)
DEMO_ACCOUNTS: list[tuple[str, str, str, str]] = [
    (a.username, a.password, a.role, a.who) for a in COUNTY.accounts]
TABLES = ("department", "person", "project", "investment_report", "meeting", "task", "extension",
          "feedback", "supervision", "problem", "node_template", "template_node")
# in this order: each step reads the rows of the ones before
STEPS = (demo_projects.departments, demo_projects.templates, demo_projects.projects,
         demo_projects.meetings, demo_ledger.tasks, demo_ledger.extensions, demo_ledger.statuses,
         demo_ledger.feedback, demo_reminders.supervisions, demo_projects.problems,
         demo_projects.investment, demo_projects.colors)


def seed_demo(today: dt.date | None = None, seed: int = 2026) -> dict[str, int]:
    """Load the demo county in one transaction, then the demo logins; counts per table."""
    _check_accounts_free()
    s = Seed(random.Random(seed), today or clock.today(), rules.Calendar(), _settings())
    for step in STEPS:
        step(s)
        for rows in s.rows.values():  # flushed step by step so ids follow the data's order
            db.session.add_all(rows)
        db.session.flush()
    # the 督办单 numbered 督办〔YYYY〕N号 in the order they were sent, as if issued day by day
    sent: list[m.Supervision] = s.rows["supervision"]
    in_order = sorted(sent, key=lambda row: (row.sent_on, row.id))
    notice_number.number(in_order)
    db.session.commit()
    counts = {table: len(s.rows[table]) for table in TABLES}
    counts["meeting_project"] = sum(len(mt.projects) for mt in s.rows["meeting"])
    counts["account"] = _accounts(s)
    return counts


def _settings() -> rules.Settings:
    """The rule settings of the running app's configuration."""
    c = current_app.config
    return rules.Settings(c.get("DUE_SOON_WORKDAYS", 3), c.get("FEEDBACK_DAY", 25),
                          c.get("LAG_YELLOW", 0.10), c.get("LAG_RED", 0.30))


def _check_accounts_free() -> None:
    """Refuse before writing anything when a demo login exists already."""
    sm = appbuilder().sm
    taken = [name for name, *_ in DEMO_ACCOUNTS if sm.find_user(username=name) is not None]
    if taken:
        raise click.ClickException("demo accounts exist already: " + ", ".join(taken))


def _accounts(s: Seed) -> int:
    """The demo logins, each tied to its person (the administrator to none)."""
    people = {p.name: p for group in s.staff.values() for p in group}
    for account in COUNTY.accounts:
        person = people.get(account.person or "")
        create_account(account.username, account.role, account.password,
                       person.id if person else None)
    return len(COUNTY.accounts)

"""The 发文字号 of the 督查通报 (issue 17, item 3): 清督通〔YEAR〕N号, N from 1 (or
CIRCULAR_NUMBER_START) each year in issue order, kept by a rebuild; 签发日期 and 签发人."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from app import models as m
from app.domain import status
from app.extensions import db
from app.jobs import build_circular

D = dt.date


@pytest.fixture
def build(app, monkeypatch):
    """Build a month's circular as of a day; months of 2031–2033 are this module's own."""

    def run(period: dt.date, on: dt.date, user: int | None = None) -> m.Circular:
        monkeypatch.setattr(status, "today", lambda: on)
        build_circular.run(period, requested_by=user)
        return db.session.scalars(select(m.Circular).where(m.Circular.period == period)).one()

    with app.app_context():
        yield run
        db.session.execute(delete(m.Circular).where(m.Circular.period >= D(2030, 12, 1),
                                                    m.Circular.period < D(2034, 1, 1)))
        db.session.commit()


def test_numbers_count_from_one_each_year_and_a_rebuild_keeps_its_number(build):
    december = build(D(2030, 12, 1), D(2031, 1, 2))
    assert december.doc_number == "清督通〔2031〕1号"  # the year it is issued in
    assert december.data["doc_number"] == "清督通〔2031〕1号"  # for the .docx
    january = build(D(2031, 1, 1), D(2031, 2, 1))
    assert (january.doc_year, january.doc_seq) == (2031, 2)
    again = build(D(2030, 12, 1), D(2031, 2, 5))
    assert again.doc_number == "清督通〔2031〕1号"
    assert again.issued_on == D(2031, 2, 5)
    february = build(D(2031, 2, 1), D(2031, 3, 1))
    assert february.doc_number == "清督通〔2031〕3号"
    next_year = build(D(2031, 12, 1), D(2032, 1, 1))
    assert next_year.doc_number == "清督通〔2032〕1号"


def test_prefix_and_start_are_configurable(app, build):
    app.config.update(CIRCULAR_NUMBER_PREFIX="某督通", CIRCULAR_NUMBER_START=11)
    try:
        first = build(D(2032, 12, 1), D(2033, 1, 3))
        second = build(D(2033, 1, 1), D(2033, 2, 1))
    finally:
        app.config.update(CIRCULAR_NUMBER_PREFIX="清督通", CIRCULAR_NUMBER_START=1)
    assert (first.doc_number, second.doc_number) == ("某督通〔2033〕11号", "某督通〔2033〕12号")


def test_issued_by_the_user_who_pressed_or_the_system(app, build):
    from flask_appbuilder.security.sqla.models import User

    supervisor = db.session.scalars(select(User.id).where(User.username == "supervisor")).one()
    assert build(D(2031, 5, 1), D(2031, 6, 1), supervisor).issued_by == "赵督查"
    assert build(D(2031, 5, 1), D(2031, 6, 2)).issued_by is None  # the scheduled job: 系统


def test_two_months_cannot_share_a_number(build):
    build(D(2031, 3, 1), D(2031, 4, 1))
    other = build(D(2031, 4, 1), D(2031, 5, 1))
    other.doc_seq = db.session.scalars(select(m.Circular.doc_seq).where(
        m.Circular.period == D(2031, 3, 1))).one()
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_the_page_shows_number_date_and_issuer(client, auth, build):
    build(D(2031, 6, 1), D(2031, 7, 1))
    auth.login("leader")
    page = client.get("/circularview/list/").get_data(as_text=True)
    row = page[page.index('data-period="2031-06"'):]
    row = row[:row.index("</tr>")]
    assert "清督通〔2031〕" in row and "2031-07-01" in row and "系统" in row
    assert "/circularview/download/" in row

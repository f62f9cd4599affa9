"""Property tests: the set-based SQL of app/domain/rules_sql.py gives, row by row, exactly what the
plain rules of app/domain/rules.py give, on random small ledgers, on SQLite and on PostgreSQL.

Each example writes its ledger into the session database inside a transaction that is
rolled back afterwards, so the shared world (tests/support/world.py) is never changed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from hypothesis import HealthCheck, example, given, settings
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import models as m
from app.domain import compliance_sql, rules, rules_sql, status
from tests.support import ledger as lg

EXAMPLES = settings(max_examples=40, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow, HealthCheck.data_too_large])


@contextmanager
def rolled_back(app) -> Iterator[Session]:
    """The session, in an app context, its transaction rolled back at the end."""
    from app.extensions import db

    with app.app_context():
        try:
            yield db.session
        finally:
            db.session.rollback()
            db.session.remove()


@EXAMPLES
@given(case=lg.refresh_cases())
@example(case=lg.EDGE_CASE)
def test_refresh_status_agrees_with_the_rules(app, case) -> None:
    ledger, as_of, conf = case
    with rolled_back(app) as session:
        lg.write(session, ledger)
        cal = status.calendar()
        rules_sql.refresh_task_status(session, as_of, cal, conf)
        rules_sql.refresh_project_colour(session, as_of, conf)
        tasks = {i: (s, d) for i, s, d in session.execute(
            select(m.Task.id, m.Task.status, m.Task.overdue_days))}
        colours = {i: c for i, c in session.execute(select(m.Project.id, m.Project.status_color))}
        assert tasks == lg.expected_statuses(session, as_of, cal, conf)
        assert colours == lg.expected_colours(session, as_of, cal, conf)


@EXAMPLES
@given(case=lg.compliance_cases())
@example(case=lg.WORKED_EXAMPLE)
def test_compliance_counts_agree_with_the_rules(app, case) -> None:
    ledger, checks = case
    with rolled_back(app) as session:
        lg.write(session, ledger)
        projects, tasks = lg.project_facts(session), lg.task_facts(session)
        departments = list(session.scalars(select(m.Department.id)))
        for period, today in checks:
            counts = compliance_sql.compliance_counts(session, period, today)
            table = {None: compliance_sql.county(counts), **counts}
            assert table == rules.compliance_table(period, today, projects, tasks, departments)


def _ids(session: Session, model: type, condition) -> set[int]:
    return set(session.scalars(select(model.id).where(condition)))


OPEN = ("overdue", "due_soon", "pending")


@EXAMPLES
@given(case=lg.refresh_cases())
@example(case=lg.EDGE_CASE)
def test_the_rules_as_of_a_day_agree_with_the_rules(app, case) -> None:
    """Open, overdue and due soon as of D (rules.task_status), problems unresolved and past
    their deadline, this year's investment: row by row."""
    ledger, as_of, conf = case
    with rolled_back(app) as session:
        lg.write(session, ledger)
        cal = status.calendar()
        statuses = {i: s for i, (s, _days) in
                    lg.expected_statuses(session, as_of, cal, conf).items()}
        t, pr = m.Task, m.Problem
        assert _ids(session, t, rules_sql.task_open_on(as_of)) == {
            i for i, s in statuses.items() if s in OPEN}
        assert _ids(session, t, rules_sql.task_overdue_on(as_of)) == {
            i for i, s in statuses.items() if s == "overdue"}
        assert _ids(session, t, rules_sql.task_due_soon_on(as_of, cal, conf)) == {
            i for i, s in statuses.items() if s == "due_soon"}
        problems = session.execute(select(pr.id, pr.raised_on, pr.deadline, pr.resolved_on)).all()
        assert _ids(session, pr, rules_sql.problem_overdue_on(as_of)) == {
            i for i, _raised, deadline, resolved in problems
            if rules.problem_overdue(deadline, resolved, as_of)}
        assert _ids(session, pr, rules_sql.problem_unresolved_on(as_of)) == {
            i for i, raised, _deadline, resolved in problems
            if rules.problem_unresolved(raised, resolved, as_of)}
        ir = m.InvestmentReport
        reports = session.execute(select(ir.project_id, ir.period, ir.amount)).all()
        completed = dict(session.execute(select(
            m.Project.id, rules_sql.ytd_investment(as_of).scalar_subquery())).all())
        assert completed == {
            i: rules.ytd_investment([(p, a) for j, p, a in reports if j == i], as_of)
            for i in completed}


MONTH_RULES = {
    "open": (rules_sql.task_open_in, rules.task_open),
    "overdue": (rules_sql.task_overdue_in, rules.task_overdue_in),
    "due": (rules_sql.task_due_in, rules.task_due_in),
    "urged": (rules_sql.urged_in, rules.urged_in),
    "fed back": (rules_sql.fed_back_in, rules.fed_back_in),
}


@EXAMPLES
@given(case=lg.compliance_cases())
@example(case=lg.WORKED_EXAMPLE)
def test_the_rules_of_a_period_agree_with_the_rules(app, case) -> None:
    """Open, overdue, due, urged and fed back in period M up to A: task by task."""
    ledger, checks = case
    with rolled_back(app) as session:
        lg.write(session, ledger)
        facts = lg.task_facts_by_id(session)
        for period, today in checks:
            as_of = rules.compliance_as_of(period, today)
            for name, (in_sql, plain) in MONTH_RULES.items():
                expected = {i for i, task in facts.items() if plain(task, period, as_of)}
                assert _ids(session, m.Task, in_sql(period, as_of)) == expected, name


def test_the_generated_ledgers_reach_every_outcome(app) -> None:
    """The strategies are not vacuous: across examples every status and colour occurs."""
    seen: set[str] = set()

    @settings(max_examples=40, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(case=lg.refresh_cases())
    def collect(case: tuple[lg.Ledger, dt.date, rules.Settings]) -> None:
        ledger, as_of, _ = case
        with rolled_back(app) as session:
            written = lg.write(session, ledger)
            conf, cal = rules.Settings(), status.calendar()
            statuses = lg.expected_statuses(session, as_of, cal, conf)
            colours = lg.expected_colours(session, as_of, cal, conf)
            seen.update(statuses[i][0] for i in written.tasks)
            seen.update(colours[i] for i in written.projects)

    collect()
    outcomes = {"pending", "due_soon", "overdue", "done_on_time", "done_late", "cancelled",
                "green", "yellow", "red"}
    assert outcomes - seen == set()

"""The rules of DESIGN.md, straight from its text."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from app.domain import rules
from app.domain.rules import Calendar, ProjectFacts, Settings, TaskFacts

D = dt.date
CAL = Calendar()


# --- working days -------------------------------------------------------------------

@pytest.mark.parametrize("day, workday", [
    (D(2026, 10, 1), False), (D(2026, 10, 4), False), (D(2026, 10, 7), False),  # 国庆
    (D(2026, 10, 8), True), (D(2026, 10, 10), True),  # Sat 10 Oct: 调休上班
    (D(2026, 9, 20), True),  # Sun 20 Sep: 调休上班
    (D(2026, 10, 11), False),  # an ordinary Sunday
    (D(2026, 4, 4), False), (D(2026, 4, 6), False),  # 清明
    (D(2026, 11, 25), True),
])
def test_chinese_statutory_calendar(day, workday):
    assert CAL.is_workday(day) is workday


@pytest.mark.parametrize("start, n, expected", [
    (D(2026, 9, 30), 1, D(2026, 10, 8)),
    (D(2026, 9, 30), 2, D(2026, 10, 9)),
    # DESIGN: counted after the date; 8, 9 and Sat 10 Oct are the three working days.
    (D(2026, 9, 30), 3, D(2026, 10, 10)),
    (D(2026, 9, 30), 4, D(2026, 10, 12)),
    (D(2026, 11, 27), 1, D(2026, 11, 30)),  # Friday + 1 = Monday
    (D(2026, 11, 25), 0, D(2026, 11, 25)),
])
def test_n_working_days_after(start, n, expected):
    assert CAL.add_workdays(start, n) == expected


def test_working_days_between():
    assert CAL.workdays_between(D(2026, 9, 30), D(2026, 10, 8)) == 1
    assert CAL.workdays_between(D(2026, 9, 30), D(2026, 10, 10)) == 3
    assert CAL.workdays_between(D(2026, 10, 10), D(2026, 9, 30)) == -3
    assert CAL.workdays_between(D(2026, 11, 25), D(2026, 11, 25)) == 0


def test_a_year_the_calendar_does_not_know_is_weekends_only():
    assert CAL.is_workday(D(2027, 1, 1)) is True  # a Friday: no data, so a working day
    assert CAL.is_workday(D(2027, 1, 2)) is False  # Saturday
    assert CAL.add_workdays(D(2026, 12, 31), 1) == D(2027, 1, 1)


def test_holiday_rows_override_the_calendar():
    cal = Calendar(overrides={D(2027, 1, 1): False, D(2026, 10, 11): True})
    assert cal.is_workday(D(2027, 1, 1)) is False
    assert cal.add_workdays(D(2026, 12, 31), 1) == D(2027, 1, 4)
    assert cal.is_workday(D(2026, 10, 11)) is True


# --- task status ----------------------------------------------------------------------

@pytest.mark.parametrize("deadline, done_on, cancelled, as_of, expected", [
    (D(2026, 5, 15), None, True, D(2026, 6, 1), ("cancelled", 0)),
    (D(2026, 5, 15), D(2026, 5, 14), True, D(2026, 6, 1), ("cancelled", 0)),
    (D(2026, 5, 15), D(2026, 5, 15), False, D(2026, 6, 1), ("done_on_time", 0)),
    (D(2026, 5, 15), D(2026, 5, 18), False, D(2026, 6, 1), ("done_late", 3)),
    (D(2026, 5, 15), None, False, D(2026, 5, 16), ("overdue", 1)),
    (D(2026, 5, 15), None, False, D(2026, 6, 1), ("overdue", 17)),
    (D(2026, 5, 15), None, False, D(2026, 5, 15), ("due_soon", 0)),  # the day itself
    (D(2026, 10, 8), None, False, D(2026, 9, 30), ("due_soon", 0)),  # 1 working day
    (D(2026, 10, 10), None, False, D(2026, 9, 30), ("due_soon", 0)),  # 3 working days
    (D(2026, 10, 12), None, False, D(2026, 9, 30), ("pending", 0)),  # 4 working days
    (D(2026, 12, 31), None, False, D(2026, 11, 25), ("pending", 0)),
])
def test_task_status(deadline, done_on, cancelled, as_of, expected):
    assert rules.task_status(deadline, done_on, cancelled, as_of, CAL) == expected


def test_due_soon_window_is_configurable():
    args = (D(2026, 10, 12), None, False, D(2026, 9, 30), CAL)
    assert rules.task_status(*args, Settings(due_soon_workdays=4))[0] == "due_soon"
    assert rules.task_status(*args, Settings(due_soon_workdays=0))[0] == "pending"


# --- project colour ---------------------------------------------------------------------

def test_time_progress():
    assert rules.time_progress(D(2026, 1, 1)) == pytest.approx(1 / 365)
    assert rules.time_progress(D(2026, 12, 31)) == 1
    assert rules.time_progress(D(2028, 12, 31)) == 1  # a leap year


def test_investment_lag():
    as_of = D(2026, 7, 1)  # 182 / 365 of the year
    assert rules.investment_lag(None, 0, as_of) is None
    assert rules.investment_lag(0, 0, as_of) is None
    assert rules.investment_lag(1000, 500, as_of) == pytest.approx(182 / 365 - 0.5)


@pytest.mark.parametrize("statuses, problem, lag, colour", [
    (["pending", "done_on_time"], False, None, "green"),
    (["pending", "overdue"], False, None, "red"),
    (["pending"], True, None, "red"),
    (["pending"], False, 0.31, "red"),
    (["pending"], False, 0.30, "yellow"),
    (["due_soon"], False, None, "yellow"),
    (["pending"], False, 0.11, "yellow"),
    (["pending"], False, 0.10, "green"),
    ([], False, -0.5, "green"),
])
def test_project_colour(statuses, problem, lag, colour):
    assert rules.project_color(statuses, problem, lag) == colour


@pytest.mark.parametrize("deadline, resolved_on, overdue", [
    (D(2026, 5, 1), None, True),
    (D(2026, 5, 1), D(2026, 5, 3), False),
    (D(2026, 5, 10), None, False),  # not past the deadline as of 10 May
    (None, None, False),
])
def test_problem_past_its_deadline(deadline, resolved_on, overdue):
    assert rules.problem_overdue(deadline, resolved_on, D(2026, 5, 10)) is overdue


@pytest.mark.parametrize("raised_on, resolved_on, unresolved", [
    (D(2026, 5, 1), None, True),
    (D(2026, 5, 10), None, True),  # raised that very day
    (D(2026, 5, 11), None, False),  # not raised yet
    (D(2026, 5, 1), D(2026, 5, 10), False),  # resolved that very day
    (D(2026, 5, 1), D(2026, 5, 11), True),  # resolved later: still open as of 10 May
])
def test_problem_unresolved_as_of_a_day(raised_on, resolved_on, unresolved):
    assert rules.problem_unresolved(raised_on, resolved_on, D(2026, 5, 10)) is unresolved


# --- this year's investment ------------------------------------------------------------

def test_year_to_date_is_this_year_up_to_the_month_of_the_day():
    assert rules.ytd_months(D(2026, 7, 15)) == (D(2026, 1, 1), D(2026, 7, 1))
    assert rules.ytd_months(D(2026, 1, 1)) == (D(2026, 1, 1), D(2026, 1, 1))
    reports = [(D(2025, 12, 1), 99), (D(2026, 1, 1), 10), (D(2026, 7, 1), 5),
               (D(2026, 8, 1), 70), (D(2027, 1, 1), 50)]
    assert rules.ytd_investment(reports, D(2026, 7, 15)) == Decimal(15)  # no later month
    assert rules.ytd_investment(reports, D(2026, 12, 31)) == Decimal(85)
    assert rules.ytd_investment([], D(2026, 7, 15)) == Decimal(0)


# --- compliance -------------------------------------------------------------------------

def worked_example() -> tuple[list[ProjectFacts], list[TaskFacts]]:
    """DESIGN.md's worked example: period 2026-05, one department X."""
    projects = [
        ProjectFacts(1, "construction", meeting_dates=(D(2026, 5, 12),)),  # P1
        ProjectFacts(1, "reserve"),  # P2
    ]
    tasks = [
        TaskFacts(1, D(2026, 4, 10), D(2026, 5, 15), D(2026, 5, 14),
                  supervision_dates=(D(2026, 5, 2),), feedback=((D(2026, 5, 14), "accepted"),)),
        TaskFacts(1, D(2026, 5, 3), D(2026, 6, 30), feedback=((D(2026, 5, 20), "returned"),)),
        TaskFacts(1, D(2026, 3, 1), D(2026, 4, 30), D(2026, 5, 6),
                  supervision_dates=(D(2026, 4, 28),), feedback=((D(2026, 5, 6), "submitted"),)),
        TaskFacts(1, D(2026, 4, 1), D(2026, 5, 31), cancelled=True),
    ]
    return projects, tasks


def test_the_worked_example_of_design():
    projects, tasks = worked_example()
    row = rules.compliance(D(2026, 5, 1), D(2026, 11, 25), projects, tasks)
    assert (row.tasks_open, row.tasks_urged, row.tasks_fed_back) == (3, 1, 2)
    assert (row.tasks_due, row.tasks_implemented, row.tasks_overdue) == (1, 1, 0)
    assert (row.projects_in_scope, row.projects_dispatched) == (1, 1)
    assert row.supervision_rate == pytest.approx(1 / 3)
    assert row.feedback_rate == pytest.approx(2 / 3)
    assert row.score == 75.0
    assert row.compliant is False


def test_each_rule_of_a_period_on_its_own():
    _projects, (a, b, c, d) = worked_example()
    period, as_of = D(2026, 5, 1), D(2026, 5, 31)
    assert [rules.task_open(t, period, as_of) for t in (a, b, c, d)] == [True, True, True, False]
    assert [rules.urged_in(t, period, as_of) for t in (a, b, c)] == [True, False, False]
    assert [rules.fed_back_in(t, period, as_of) for t in (a, b, c)] == [True, False, True]
    assert [rules.task_due_in(t, period, as_of) for t in (a, b, c, d)] == [
        True, False, False, False]
    assert not any(rules.task_overdue_in(t, period, as_of) for t in (a, b, c, d))
    # judged on 5 May, c (done on 6 May) was not done yet: overdue
    assert rules.task_overdue_in(c, period, D(2026, 5, 5))
    assert not rules.fed_back_in(a, period, D(2026, 5, 13))  # fed back on the 14th


@pytest.mark.parametrize("deadline, until, days", [
    (D(2026, 5, 15), D(2026, 5, 18), 3), (D(2026, 5, 15), D(2026, 5, 15), 0),
    (D(2026, 5, 15), D(2026, 5, 1), 0)])
def test_days_late(deadline, until, days):
    assert rules.days_late(deadline, until) == days
    assert rules.done_by(until, D(2026, 5, 15)) is (until <= D(2026, 5, 15))
    assert rules.done_by(None, D(2026, 5, 15)) is False


@pytest.mark.parametrize("done_on, days", [
    (D(2026, 5, 5), 0), (D(2026, 5, 20), 10), (D(2026, 6, 3), 20), (None, 20)])
def test_overdue_days_as_of_a_day_count_a_later_done_day_as_not_done(done_on, days):
    assert rules.overdue_days_on(D(2026, 5, 10), done_on, D(2026, 5, 30)) == days


def test_a_task_done_before_the_month_began_is_not_open_in_it():
    task = TaskFacts(1, D(2026, 3, 1), D(2026, 4, 30), D(2026, 4, 29))
    assert rules.compliance(D(2026, 5, 1), D(2026, 6, 1), [], [task]).tasks_open == 0


def test_a_returned_feedback_does_not_count():
    task = TaskFacts(1, D(2026, 5, 1), D(2026, 6, 30), feedback=((D(2026, 5, 9), "returned"),))
    assert rules.compliance(D(2026, 5, 1), D(2026, 6, 1), [], [task]).tasks_fed_back == 0


def test_zero_denominators_give_null_not_zero_or_full():
    row = rules.compliance(D(2026, 5, 1), D(2026, 6, 1), [], [])
    assert row.rates == (None, None, None, None)
    assert row.score is None
    assert row.compliant is False


def test_compliant_when_every_known_rate_is_one():
    task = TaskFacts(1, D(2026, 5, 1), D(2026, 6, 30), supervision_dates=(D(2026, 5, 3),),
                     feedback=((D(2026, 5, 4), "submitted"),))
    row = rules.compliance(D(2026, 5, 1), D(2026, 6, 1), [], [task])
    assert row.rates == (None, 1, None, 1)
    assert row.compliant is True and row.score == 100.0


def test_the_month_is_judged_up_to_today_while_it_runs():
    """A = min(today, end of month): a deadline later in the month is not yet due."""
    task = TaskFacts(1, D(2026, 5, 1), D(2026, 5, 20))
    assert rules.compliance(D(2026, 5, 1), D(2026, 5, 10), [], [task]).tasks_due == 0
    assert rules.compliance(D(2026, 5, 1), D(2026, 5, 25), [], [task]).tasks_due == 1
    assert rules.compliance(D(2026, 5, 1), D(2026, 5, 25), [], [task]).tasks_overdue == 1


def test_late_task_done_by_the_day_judged_is_not_overdue():
    task = TaskFacts(1, D(2026, 4, 1), D(2026, 5, 10), D(2026, 5, 20))
    row = rules.compliance(D(2026, 5, 1), D(2026, 5, 31), [], [task])
    assert row.tasks_overdue == 0 and row.tasks_implemented == 0 and row.tasks_due == 1


@pytest.mark.parametrize("stage, actual_end, in_scope", [
    ("preparation", None, True), ("construction", None, True),
    ("completed", D(2026, 5, 3), True), ("operating", D(2026, 6, 1), True),
    ("completed", D(2026, 4, 30), False), ("completed", None, False),
    ("planning", None, False), ("reserve", None, False), ("terminated", None, False),
])
def test_projects_in_scope(stage, actual_end, in_scope):
    project = ProjectFacts(1, stage, actual_end)
    assert rules.project_in_scope(project, D(2026, 5, 1)) is in_scope


def test_the_county_row_and_ranking():
    projects, tasks = worked_example()
    other = [TaskFacts(2, D(2026, 5, 1), D(2026, 6, 30), supervision_dates=(D(2026, 5, 3),),
                       feedback=((D(2026, 5, 4), "accepted"),))]
    table = rules.compliance_table(D(2026, 5, 1), D(2026, 6, 1), projects, tasks + other, [1, 2])
    assert table[None].tasks_open == table[1].tasks_open + table[2].tasks_open
    assert table[2].score == 100.0
    order = rules.ranking({1: ("住建局", table[1].score), 2: ("工信局", table[2].score),
                           3: ("发改局", None), 4: ("财政局", 100.0)})
    assert order == [2, 4, 1, 3]  # 100 (工信局 before 财政局 by name), 75, then none


@pytest.mark.parametrize("as_of", [D(2026, 9, 25), D(2026, 9, 30), D(2026, 10, 2),
                                   D(2026, 12, 31), D(2027, 1, 1)])
def test_due_soon_boundary_is_counted_in_working_days(as_of):
    """The shortcut task_status takes equals counting the working days one by one."""
    for offset in range(0, 20):
        deadline = as_of + dt.timedelta(days=offset)
        expected = CAL.workdays_between(as_of, deadline) <= 3
        status = rules.task_status(deadline, None, False, as_of, CAL)[0]
        assert (status == "due_soon") is expected, deadline

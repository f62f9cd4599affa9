"""倒排工期: backward scheduling in working days, with exact dates."""

from __future__ import annotations

import datetime as dt

import pytest

from app.rules import Calendar
from app.scheduling import Node, ScheduleError, backwards, forwards, plan

D = dt.date
CAL = Calendar()


def test_a_chain_across_national_day():
    """Sat 10 Oct 2026 is a working day; 1-7 Oct are not."""
    nodes = [Node("a", 3), Node("b", 2, ("a",))]
    slots = backwards(nodes, D(2026, 10, 12), CAL)
    assert slots["b"].deadline == D(2026, 10, 12)  # Monday
    assert slots["b"].start == D(2026, 10, 10)  # Sat 10 Oct, adjusted working day
    assert slots["a"].deadline == D(2026, 10, 9)
    assert slots["a"].start == D(2026, 9, 30)  # 30 Sep, 8 Oct, 9 Oct


def test_a_target_on_a_holiday_moves_back_to_a_working_day():
    slots = backwards([Node("a", 1)], D(2026, 10, 4), CAL)
    assert slots["a"].deadline == D(2026, 9, 30)


def test_parallel_nodes_and_the_node_after_them():
    """备案 → (节能审查 ∥ 环评) → 规划许可: the node after waits for the later one."""
    nodes = [Node("filing", 5), Node("energy", 10, ("filing",)), Node("env", 20, ("filing",)),
             Node("planning", 5, ("energy", "env"))]
    slots = backwards(nodes, D(2026, 12, 31), CAL)
    assert slots["planning"] == slots["planning"].__class__(D(2026, 12, 25), D(2026, 12, 31))
    assert slots["energy"].deadline == slots["env"].deadline == D(2026, 12, 24)
    assert slots["env"].start == D(2026, 11, 27)  # 20 working days back
    assert slots["energy"].start == D(2026, 12, 11)
    assert slots["filing"].deadline == D(2026, 11, 26)  # before the earlier start (env)
    forward = forwards(nodes, slots["filing"].start, CAL)
    assert forward["planning"].deadline == D(2026, 12, 31)  # the same chain, forwards


def test_a_holiday_row_changes_the_result():
    nodes = [Node("a", 2)]
    assert backwards(nodes, D(2026, 12, 31), CAL)["a"].start == D(2026, 12, 30)
    cal = Calendar(overrides={D(2026, 12, 30): False})
    assert backwards(nodes, D(2026, 12, 31), cal)["a"].start == D(2026, 12, 29)


def test_a_target_in_2027_counts_weekends_and_the_holiday_table():
    nodes = [Node("a", 3)]
    assert backwards(nodes, D(2027, 1, 5), CAL)["a"].start == D(2027, 1, 1)  # Fri, Mon, Tue
    cal = Calendar(overrides={D(2027, 1, 1): False})
    assert backwards(nodes, D(2027, 1, 5), cal)["a"].start == D(2026, 12, 31)


def test_an_infeasible_target_says_by_how_much_and_what_fits():
    nodes = [Node("a", 5), Node("b", 5, ("a",))]
    result = plan(nodes, D(2026, 12, 4), D(2026, 11, 30), CAL)
    # b: 30 Nov-4 Dec; a: 23-27 Nov -> starts 5 working days before Mon 30 Nov
    assert result.first_start == D(2026, 11, 23)
    assert result.shortfall == 5
    assert result.earliest_target == D(2026, 12, 11)  # a 30 Nov-4 Dec, b 7-11 Dec
    fits = plan(nodes, result.earliest_target, D(2026, 11, 30), CAL)
    assert fits.shortfall == 0 and fits.first_start == D(2026, 11, 30)


def test_bad_chains_are_refused():
    with pytest.raises(ScheduleError):
        backwards([Node("a", 0)], D(2026, 12, 1), CAL)
    with pytest.raises(ScheduleError):
        backwards([Node("a", 1, ("b",)), Node("b", 1, ("a",))], D(2026, 12, 1), CAL)
    with pytest.raises(ScheduleError):
        backwards([Node("a", 1, ("x",))], D(2026, 12, 1), CAL)

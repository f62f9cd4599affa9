"""倒排工期: backward scheduling in working days, with exact dates."""

from __future__ import annotations

import datetime as dt

import pytest

from app.domain.backward_plan import (
    Node,
    ScheduleError,
    Squeeze,
    after,
    backwards,
    forwards,
    plan,
    shift,
    squeeze,
)
from app.domain.rules import Calendar

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


def test_bad_chains_say_what_is_wrong():
    with pytest.raises(ScheduleError) as zero:
        backwards([Node("a", 1), Node("b", -2, ("a",))], D(2026, 12, 1), CAL)
    assert (zero.value.kind, zero.value.key) == ("duration", "b")
    with pytest.raises(ScheduleError) as cycle:
        backwards([Node("a", 1, ("b",)), Node("b", 1, ("a",))], D(2026, 12, 1), CAL)
    assert cycle.value.kind == "cycle"


INDUSTRIAL = [Node("sign", 10), Node("land", 30, ("sign",)), Node("filing", 5, ("land",)),
              Node("energy", 15, ("filing",)), Node("env", 20, ("filing",)),
              Node("planning", 10, ("energy", "env")), Node("permit", 7, ("planning",)),
              Node("start", 5, ("permit",))]


def test_the_industrial_chain_across_national_day():
    """The seeded 前期手续 chain to a start on Fri 30 Oct 2026: 1-7 Oct and Mid-Autumn
    (25-27 Sep) skipped, Sat 10 Oct and Sun 20 Sep worked (adjusted working days)."""
    slots = backwards(INDUSTRIAL, D(2026, 10, 30), CAL)
    assert slots["start"] == slots["start"].__class__(D(2026, 10, 26), D(2026, 10, 30))
    assert (slots["permit"].start, slots["permit"].deadline) == (D(2026, 10, 15),
                                                                 D(2026, 10, 23))
    # planning: 10 working days ending 14 Oct: 14, 13, 12, 10 (Sat), 9, 8, 30 Sep, 29, 28, 24
    assert (slots["planning"].start, slots["planning"].deadline) == (D(2026, 9, 24),
                                                                     D(2026, 10, 14))
    assert slots["energy"].deadline == slots["env"].deadline == D(2026, 9, 23)
    assert slots["env"].start == D(2026, 8, 28)  # 20 working days, Sun 20 Sep counted
    assert slots["energy"].start == D(2026, 9, 4)  # 15 working days
    assert slots["filing"].deadline == D(2026, 8, 27)  # before the earlier (env) starts
    assert slots["filing"].start == D(2026, 8, 21)
    assert slots["land"].start == D(2026, 7, 10)  # 30 working days ending Thu 20 Aug
    assert slots["sign"] == slots["sign"].__class__(D(2026, 6, 26), D(2026, 7, 9))


def test_after_lists_what_waits_directly_or_not():
    assert [n.key for n in after(INDUSTRIAL, "energy")] == ["planning", "permit", "start"]
    assert [n.key for n in after(INDUSTRIAL, "start")] == []


CHAIN = [Node("a", 3), Node("b", 2, ("a",)), Node("c", 2, ("b",))]
DEADLINES = {"a": D(2026, 12, 14), "b": D(2026, 12, 16), "c": D(2026, 12, 18)}


def test_the_chain_behind_the_replanning_examples():
    slots = backwards(CHAIN, D(2026, 12, 18), CAL)
    assert {k: s.deadline for k, s in slots.items()} == DEADLINES
    assert slots["a"].start == D(2026, 12, 10)


def test_shift_moves_the_later_nodes_and_implies_a_new_target():
    moved = shift(CHAIN, DEADLINES, "a", D(2026, 12, 16), CAL)
    assert moved == {"a": D(2026, 12, 16), "b": D(2026, 12, 18), "c": D(2026, 12, 22)}


def test_shift_never_moves_a_node_earlier():
    loose = {**DEADLINES, "c": D(2026, 12, 31)}
    moved = shift(CHAIN, loose, "a", D(2026, 12, 15), CAL)
    assert moved["b"] == D(2026, 12, 17) and moved["c"] == D(2026, 12, 31)


def test_shift_of_a_parallel_node_into_2027_uses_the_holiday_table():
    """节能审查 slips to Mon 28 Dec 2026; 规划许可 (5 days) waits for it, not for 环评."""
    nodes = [Node("filing", 5), Node("energy", 10, ("filing",)), Node("env", 20, ("filing",)),
             Node("planning", 5, ("energy", "env"))]
    deadlines = {"filing": D(2026, 11, 26), "energy": D(2026, 12, 24), "env": D(2026, 12, 24),
                 "planning": D(2026, 12, 31)}
    moved = shift(nodes, deadlines, "energy", D(2026, 12, 28), CAL)
    assert moved["env"] == D(2026, 12, 24)  # a parallel node does not move
    assert moved["planning"] == D(2027, 1, 4)  # 29, 30, 31 Dec, Fri 1 Jan, Mon 4 Jan
    new_year = Calendar(overrides={D(2027, 1, 1): False})
    assert shift(nodes, deadlines, "energy", D(2026, 12, 28), new_year)["planning"] == D(
        2027, 1, 5)


def test_squeeze_keeps_the_target_and_says_who_must_shorten():
    cuts = squeeze(CHAIN, DEADLINES, "a", D(2026, 12, 15), CAL)
    assert cuts == {"b": Squeeze(D(2026, 12, 16), D(2026, 12, 16), 1, 1),
                    "c": Squeeze(D(2026, 12, 17), D(2026, 12, 18), 2, 0)}


def test_squeeze_says_when_the_target_cannot_hold():
    cuts = squeeze(CHAIN, DEADLINES, "a", D(2026, 12, 16), CAL)
    assert cuts["b"].available == 0 and cuts["b"].shortened_by == 2
    assert cuts["c"] == Squeeze(D(2026, 12, 18), D(2026, 12, 18), 1, 1)

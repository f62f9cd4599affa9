"""Compliance up the department tree (issue 15): a subtree's counts summed, its rates and
score recomputed from the sums (rules.ComplianceCounts), siblings ranked by the subtree score
(rules.ranking). build_compliance keeps one row per unit; the reports roll them up here."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from app.domain.rules import ComplianceCounts, ranking

COMPLIANCE_COUNT_NAMES = ("projects_in_scope", "projects_dispatched", "tasks_open",
                          "tasks_urged", "tasks_fed_back", "tasks_due", "tasks_implemented",
                          "tasks_overdue")


def counts_of(row: object) -> ComplianceCounts:
    """The counts of anything holding them by name (a compliance row, a ComplianceCounts)."""
    return ComplianceCounts(*(getattr(row, name) for name in COMPLIANCE_COUNT_NAMES))


def summed(rows: Iterable[ComplianceCounts]) -> ComplianceCounts:
    """Counts added up; the rates, verdict and score follow from the sums."""
    rows = list(rows)
    return ComplianceCounts(*(sum(getattr(r, name) for r in rows)
                              for name in COMPLIANCE_COUNT_NAMES))


@dataclass(frozen=True)
class TreePlace:
    """A ranked unit in the tree: its depth, its place among its siblings (None when its
    subtree has nothing to judge) and, for a unit with units under it, its subtree's totals."""

    unit: int
    depth: int
    place: int  # among its siblings, by `ranking`
    score: float | None  # the subtree's (a leaf's own)
    totals: ComplianceCounts | None  # None for a leaf

    @property
    def rank(self) -> int | None:
        """The place, when there is something to judge."""
        return self.place if self.score is not None else None


def tree_ranking(units: dict[int, tuple[str, int | None]],
                 counts: dict[int, ComplianceCounts],
                 own_scores: dict[int, float | None]) -> list[TreePlace]:
    """Ranked units (id -> (name, parent id)) in tree order, parents before children,
    siblings (same parent) by rank: `ranking` of their subtree scores. A unit whose parent
    is not among `units` stands at the top. Counts of different units are disjoint (a task
    or project has one unit), so a subtree's counts are the sums of its units'; a leaf keeps
    its own score. A flat tree gives exactly `ranking`."""
    children: dict[int | None, list[int]] = {}
    for unit, (_name, parent) in units.items():
        children.setdefault(parent if parent in units and parent != unit else None,
                            []).append(unit)
    totals: dict[int, ComplianceCounts] = {}
    scores: dict[int, float | None] = {}

    def add_up(unit: int, seen: set[int]) -> ComplianceCounts:
        seen.add(unit)
        below = [add_up(c, seen) for c in children.get(unit, []) if c not in seen]
        if below:
            totals[unit] = summed([counts[unit], *below])
            scores[unit] = totals[unit].score
        else:
            scores[unit] = own_scores.get(unit, counts[unit].score)
        return totals.get(unit, counts[unit])

    seen: set[int] = set()
    roots = list(children.get(None, []))
    for root in roots:
        add_up(root, seen)
    for unit in units:  # a cycle (refused on save) still shows, at the top
        if unit not in seen:
            roots.append(unit)
            add_up(unit, seen)

    out: list[TreePlace] = []
    placed: set[int] = set()

    def place(group: list[int], depth: int) -> None:
        group = [u for u in group if u not in placed]
        order = ranking({u: (units[u][0], scores[u]) for u in group})
        for number, unit in enumerate(order, start=1):
            placed.add(unit)
            out.append(TreePlace(unit, depth, number, scores[unit], totals.get(unit)))
            place(children.get(unit, []), depth + 1)

    place(roots, 0)
    return out

"""The same ledger flat and as a department tree (issue 15): build_compliance and the 考核表's
rows (app/reports/compliance.py table_rows, the roll-up up the tree) timed in interleaved
rounds, so their ratio is measured under the same load.

The tree: `parents` units (the first ranked ones by id) with every other ranked unit under one
of them, round robin — at province size 300 units under 20 parents. The run leaves the
database flat as it found it. The 考核表 is built as a supervisor (全部数据) sees it.
"""

from __future__ import annotations

import datetime as dt
import statistics

from sqlalchemy import select, update

from app import models as m
from app.extensions import db
from bench.timings import timed


def ranked_units() -> list[int]:
    """The units the 考核表 ranks (not 县领导, not 停用), by id."""
    d = m.Department
    return list(db.session.scalars(select(d.id).where(d.kind != "leadership",
                                                      d.active.is_(True)).order_by(d.id)))


def make_tree(units: list[int], parents: int) -> dict[int, int]:
    """parent_id of every unit that is not a parent: the parents round robin."""
    tops, rest = units[:parents], units[parents:]
    return {unit: tops[i % len(tops)] for i, unit in enumerate(rest)}


def set_parents(tree: dict[int, int] | None, units: list[int]) -> None:
    """The tree given, or (None) every unit back at the top level."""
    d = m.Department
    db.session.execute(update(d).where(d.id.in_(units)).values(parent_id=None))
    for parent in set((tree or {}).values()):
        children = [u for u, p in tree.items() if p == parent]
        db.session.execute(update(d).where(d.id.in_(children)).values(parent_id=parent))
    db.session.commit()
    db.session.remove()


def table(period: dt.date, supervisor: str) -> list:
    """The 考核表's rows as `supervisor` sees them (in a request of the app)."""
    from flask import current_app
    from flask_login import login_user

    from app.extensions import appbuilder
    from app.reports.compliance import table_rows

    user = appbuilder().sm.find_user(username=supervisor)
    with current_app.test_request_context("/compliance/"):
        login_user(user)
        from flask import g

        g.user = user
        return table_rows(period)


def compare(period: dt.date, supervisor: str, repeat: int, parents: int = 20) -> dict:
    """Flat and tree, `repeat` interleaved rounds of build_compliance then the 考核表 each;
    the two shapes' county rows checked equal (a tree changes the roll-up, not the counts)."""
    from app.jobs import build_compliance

    units = ranked_units()
    tree = make_tree(units, parents)
    runs: dict[str, dict[str, list[float]]] = {
        shape: {"build_compliance": [], "table": []} for shape in ("flat", "tree")}
    rows: dict[str, int] = {}
    county: dict[str, tuple] = {}
    try:
        for _ in range(repeat):
            for shape in ("flat", "tree"):
                set_parents(tree if shape == "tree" else None, units)
                ms, _result = timed(lambda: build_compliance.run(period))
                runs[shape]["build_compliance"].append(ms)
                ms, result = timed(lambda: table(period, supervisor))
                runs[shape]["table"].append(ms)
                rows[shape] = len(result)
                county[shape] = tuple(
                    getattr(result[0].compliance, name) for name in
                    ("tasks_open", "tasks_due", "tasks_implemented", "tasks_overdue"))
    finally:
        set_parents(None, units)
    assert county["flat"] == county["tree"], f"county rows differ: {county}"
    out: dict = {"units": len(units), "parents": min(parents, len(units)),
                 "rows": rows, "repeat": repeat}
    for part in ("build_compliance", "table"):
        flat = statistics.median(runs["flat"][part])
        shaped = statistics.median(runs["tree"][part])
        out[part] = {"flat_ms": flat, "tree_ms": shaped, "ratio": shaped / flat,
                     "runs": {shape: runs[shape][part] for shape in runs}}
    return out

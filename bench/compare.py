"""Interleaved runs of two trees side by side: the median over runs of each measure, new/old.

    python bench/compare.py bench/results/county-sqlite-issue13-{old,new}-*.json

A file's name says its side (`-old-` or `-new-`); each run gives one figure per measure (its
median of --repeat or of the page's requests), and the table gives the median of those and
each run's figure (in the order of the files' names).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from statistics import median


def figures(run: dict) -> dict[str, float]:
    """measure -> milliseconds (pages: also p95 and statements per request; the job/floor
    ratio of the run: the floor is the same SQL in both trees, so it cancels the load)."""
    c, jobs = run["compliance"], run["jobs"]
    out = {"build_compliance": c["build_compliance"]["median_ms"],
           "floor: bench/floor.sql": c["floor"]["median_ms"],
           "build_compliance / floor, ratio": c["ratio"],
           "refresh_status": jobs["refresh_status"]["median_ms"],
           "send_reminders, first run": jobs["send_reminders"]["ms"],
           "send_reminders, rerun": jobs["send_reminders_rerun"]["ms"]}
    if "build_circular" in jobs:
        out["build_circular"] = jobs["build_circular"]["ms"]
    for page in run.get("pages", []):
        name = re.sub(r" \d{4}-\d{2}", "", page["name"])
        out[f"page: {name}"] = page["median_ms"]
        out[f"page: {name}, p95"] = page["p95_ms"]
        out[f"page: {name}, SQL per request"] = max(page["statements"])
    for worker in run.get("workers", []):
        out[f"12 x build_compliance, {worker['workers']} rq worker(s)"] = \
            worker["wall_s"] * 1000 if worker["wall_s"] else None
    return out


def _show(measure: str, value: float) -> str:
    if measure.endswith("SQL per request"):
        return f"{value:g}"
    if measure.endswith("ratio"):
        return f"{value:.2f}x"
    return f"{value / 1000:.2f} s" if value >= 10000 else f"{value:.1f} ms"


def table(runs: dict[str, list[dict]]) -> str:
    sides = {side: [figures(run) for run in runs[side]] for side in ("old", "new")}
    names = [n for n in sides["old"][0] if all(n in f for s in sides.values() for f in s)]
    lines = ["| measure | old median | new median | new/old | old runs | new runs |",
             "|---|---:|---:|---:|---|---|"]
    for name in names:
        values = {s: [v for f in sides[s] if (v := f[name]) is not None] for s in sides}
        old, new = median(values["old"]), median(values["new"])
        each = " | ".join(", ".join(_show(name, v).removesuffix(" ms") for v in values[s])
                          for s in ("old", "new"))
        lines.append(f"| {name} | {_show(name, old)} | {_show(name, new)} | "
                     f"{new / old:.2f} | {each} |")
    for side in ("old", "new"):
        loads = ", ".join(f"{r['started'][11:16]} {r['load_at_start'][0]:.1f}"
                          for r in runs[side])
        lines.append(f"\n{side}: {len(runs[side])} runs; UTC start and 1-min load: {loads}")
    return "\n".join(lines)


if __name__ == "__main__":
    loaded: dict[str, list[dict]] = {"old": [], "new": []}
    for name in sorted(sys.argv[1:]):
        side = "old" if "-old-" in Path(name).name else "new"
        loaded[side].append(json.loads(Path(name).read_text()))
    print(table(loaded))

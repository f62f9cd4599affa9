"""The benchmark's table: one run as text, or several runs side by side in Markdown.

    python bench/table.py bench/results/county-sqlite.json bench/results/county-postgresql.json
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

Row = tuple[str, str, str, str, str]  # measure, median, p95, statements, note


def _ms(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value / 1000:.2f} s" if value >= 10000 else f"{value:.1f} ms"


def _time(measured: dict, key: str = "median_ms") -> str:
    """The duration, or how long it ran before the statement limit stopped it."""
    if measured.get(key) is None and "timed_out_ms" in measured:
        return f"> {measured['timed_out_ms'] / 1000:.0f} s"
    return _ms(measured.get(key))


def _job_rows(result: dict) -> list[Row]:
    c, jobs, period = result["compliance"], result["jobs"], result["period"][:7]
    job, floor = c["build_compliance"], c["floor"]
    ratio = f"ratio {c['ratio']:.2f}x; same rows (asserted)" if c["ratio"] else \
        "no ratio: " + ("build_compliance" if job["median_ms"] is None else "floor") + \
        " stopped at the statement limit"
    reminders, again = jobs["send_reminders"], jobs["send_reminders_rerun"]
    out: list[Row] = [
        (f"build_compliance {period}", _time(job), "", "",
         f"median of {len(job['runs'])}; {c['rows']} rows" if c["rows"] else "stopped"),
        ("floor: bench/floor.sql", _time(floor), "", "1", ratio),
        (f"refresh_status {result['today']}", _time(jobs["refresh_status"]), "", "",
         f"median of {len(jobs['refresh_status']['runs'])}; {result['rows']['task']} tasks"),
        ("send_reminders, first run", _time(reminders, "ms"), "", "",
         f"{(reminders.get('result') or {}).get('new', '?')} new supervisions"),
        ("send_reminders, rerun", _time(again, "ms"), "", "",
         f"{(again.get('result') or {}).get('new', '?')} new"),
    ]
    tree = result.get("tree")
    if tree:
        shape = f"{tree['units']} units under {tree['parents']} parents"
        for part, label in (("build_compliance", "build_compliance"), ("table", "考核表 rows")):
            t = tree[part]
            out.append((f"{label}, flat", _ms(t["flat_ms"]), "", "",
                        f"median of {tree['repeat']}, interleaved with the tree"))
            out.append((f"{label}, tree", _ms(t["tree_ms"]), "", "",
                        f"{shape}; ratio {t['ratio']:.2f}x to flat"))
    if "build_circular" in jobs:
        out.append((f"build_circular {period}", _time(jobs["build_circular"], "ms"), "", "",
                    "once"))
    return out


def rows(result: dict) -> list[Row]:
    """The lines of the table of one run."""
    out = _job_rows(result)
    for page in result.get("pages", []):
        statements = page["statements"]
        out.append((f"page: {page['name']}", _ms(page["median_ms"]), _ms(page["p95_ms"]),
                    "/".join(map(str, statements)),
                    f"{page['requests']} requests; HTTP {'/'.join(map(str, page['statuses']))}"
                    f"; {page['bytes'] // 1024} KiB"))
    for worker in result.get("workers", []):
        wall, speedup = worker["wall_s"], worker["speedup"]
        out.append((f"12 x build_compliance, {worker['workers']} rq worker(s)",
                    f"{wall:.2f} s" if wall else "stopped", "", "",
                    f"speed-up {speedup:.2f}x" if speedup else worker.get("error", "")))
    if result.get("workers_skipped"):
        out.append(("12 x build_compliance on rq workers", "", "", "",
                    result["workers_skipped"]))
    concurrent = result.get("concurrency", {})
    for run in concurrent.get("runs", []):
        for page in run["pages"]:
            out.append((f"{concurrent['connections']} connections, {run['workers']} gunicorn "
                        f"worker(s): {page['name']}", _ms(page["p50_ms"]), _ms(page["p95_ms"]),
                        "", f"{page['req_per_s']:.1f} req/s; p99 {page['p99_ms']:.0f} ms; "
                        f"not 200: {page['not_200'] + page['errors']}"))
        rss = [kib for kib in run["web_worker_rss_kib"] if kib]
        out.append((f"web worker RSS after the run, {run['workers']} worker(s)",
                    " / ".join(f"{kib // 1024} MiB" for kib in rss), "", "", ""))
    horse = result.get("horse")
    if horse:
        for name in ("forking", "simple"):
            out.append((f"{horse['job']} on one {name} rq worker", _ms(horse[f"{name}_ms"]),
                        "", "", f"overhead {horse[f'{name}_overhead_ms']:.1f} ms over "
                        f"in-process ({horse['in-process_ms']:.1f} ms); RSS "
                        f"{(horse['worker_rss_kib'].get(name) or 0) // 1024} MiB"))
    return out


def heading(result: dict) -> str:
    r = result["rows"]
    return (f"{result['size']} on {result['database']}, started {result['started']} UTC, "
            f"load {result['load_at_start'][0]:.2f}; {r['department']} departments, "
            f"{r['project']} projects, {r['task']} tasks, {r['feedback']} feedback, "
            f"{r['supervision']} supervisions ({result['generator']})")


def render(result: dict) -> str:
    """One run as a plain text table."""
    lines = [heading(result), f"{'measure':<44} {'median':>10} {'p95':>10} {'SQL':>6}  note"]
    for measure, median, p95, statements, note in rows(result):
        lines.append(f"{measure:<44} {median:>10} {p95:>10} {statements:>6}  {note}")
    return "\n".join(lines)


def _key(measure: str) -> str:
    """A measure's name without its dates, to line runs up."""
    return re.sub(r" \d{4}-\d{2}(-\d{2})?", "", measure.replace("page: ", ""))


def _cell(median: str, p95: str, statements: str, note: str) -> str:
    cell = median + (f" (p95 {p95})" if p95 else "")
    cell += f" [{statements} SQL]" if statements and p95 else ""
    return cell + (f", {note.split(';')[0]}" if "ratio" in note or "speed-up" in note else "")


def markdown(results: list[dict]) -> str:
    """Several runs side by side: median (p95) [statements per request]."""
    tables = [{_key(row[0]): _cell(*row[1:]) for row in rows(r)} for r in results]
    names = list(dict.fromkeys(name for table in tables for name in table))
    lines = ["| measure | " + " | ".join(f"{r['size']} {r['database']}" for r in results)
             + " |", "|---|" + "---:|" * len(results)]
    for name in names:
        lines.append(f"| {name} | " + " | ".join(t.get(name, "—") for t in tables) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    loaded = [json.loads(Path(name).read_text()) for name in sys.argv[1:]]
    print("\n\n".join(heading(r) for r in loaded) + "\n\n" + markdown(loaded))

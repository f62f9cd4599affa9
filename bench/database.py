"""The benchmark's database: a fresh copy of a generated one, generated once per size and seed.

Generated (`flask init`, `flask seed-scale`, ANALYZE) into a template — a PostgreSQL
database `keyledger_bench_<size>_seed<N>` or a SQLite file — stamped with size, seed, day
and the migrations' hashes; a later run reuses it (see restamp_to). Each run works on a
copy (`keyledger_bench_<size>`, made with CREATE DATABASE … TEMPLATE, or a
file copy), migrated by `flask init` and given the benchmark's two logins.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import psycopg

ROOT = Path(__file__).resolve().parents[1]
SERVER = "postgresql://postgres@127.0.0.1:5432/"
PASSWORD = "Bench#2026"
SUPERVISOR, STAFF = "bench_supervisor", "bench_staff"


MIGRATIONS = ROOT / "migrations" / "versions"
STUB = re.compile(r"def upgrade\(\):\s+pass\s", re.M)


def _hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def stamp(size: str, seed: int) -> dict:
    """What a generated template depends on: size, seed, the portal's today (the data is
    placed around it) and the migrations it was built with (their hashes; which were empty
    stubs). The generator's own code is recorded, not compared: `--regenerate` after
    changing it."""
    code = sorted((ROOT / "app" / "seed").glob("*.py"))
    return {"generator": f"{size}:{seed}:{portal_today()}",
            "code": {p.name: _hash(p.read_bytes()) for p in code if p.exists()},
            "migrations": {p.name: _hash(p.read_bytes()) for p in sorted(MIGRATIONS.glob("*.py"))},
            "stubs": [p.name for p in sorted(MIGRATIONS.glob("*.py"))
                      if STUB.search(p.read_text())]}


def restamp_to(old: dict, new: dict) -> str | None | bool:
    """How a copy of a template stamped `old` becomes current: None (as it is: `init`
    applies new migrations), a revision to stamp it back to before `init` (a migration that
    was an empty stub when the template was built has been filled in since), or False
    (regenerate: the generator changed, or a migration that did something changed)."""
    if old.get("generator") != new["generator"]:
        return False
    changed = sorted(name for name, digest in old.get("migrations", {}).items()
                     if new["migrations"].get(name) != digest)
    if not changed:
        return None
    if not set(changed) <= set(old.get("stubs", [])):
        return False
    text = (MIGRATIONS / changed[0]).read_text()
    found = re.search(r"^down_revision = ['\"]([^'\"]+)['\"]", text, re.M)
    return found.group(1) if found else False


def portal_today() -> dt.date:
    """The portal's today (TIMEZONE), which the generated deadlines are placed around."""
    return dt.datetime.now(ZoneInfo(os.environ.get("TIMEZONE", "Asia/Shanghai"))).date()


def flask(env: dict[str, str], *args: str) -> float:
    """Run `flask --app app ARGS` on the env's database; its duration (s)."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=ROOT,
                          env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return time.perf_counter() - started


def _generate(env: dict[str, str], size: str, seed: int) -> float:
    """init + seed-scale; seconds."""
    seconds = flask(env, "init")
    return seconds + flask(env, "seed-scale", "--size", size, "--seed", str(seed))


def libpq(url: str) -> str:
    return re.sub(r"^postgresql\+\w+://", "postgresql://", url)


def _admin(server: str, *statements: str) -> list[tuple]:
    with psycopg.connect(libpq(server), autocommit=True) as connection:
        rows: list[tuple] = []
        for statement in statements:
            cursor = connection.execute(statement)
            rows = cursor.fetchall() if cursor.description else []
        return rows


def _on(server: str, name: str) -> str:
    return urlunsplit(urlsplit(server)._replace(path=f"/{name}"))


def _comment(server: str, template: str) -> dict | None:
    found = _admin(server, "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                           f"WHERE datname = '{template}'")
    return _json(found[0][0]) if found and found[0][0] else None


def _json(text: str) -> dict | None:
    """A stamp, or None for anything else (an older benchmark's)."""
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def postgresql(server: str, template: str, run: str, made: dict | None,
               env: dict[str, str], generate: Callable[[str], None]) -> str:
    """(Re)generate the template database if `made` says so, copy it to `run`; its URL."""
    if made is not None:
        _admin(server, f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)',
               f'CREATE DATABASE "{template}"')
        generate(_on(server, template))
        with psycopg.connect(libpq(_on(server, template)), autocommit=True) as connection:
            connection.execute("VACUUM ANALYZE")
        comment = json.dumps(made).replace("'", "''")
        _admin(server, f"COMMENT ON DATABASE \"{template}\" IS '{comment}'")
    _admin(server, f'DROP DATABASE IF EXISTS "{run}" WITH (FORCE)',
           f'CREATE DATABASE "{run}" TEMPLATE "{template}"')
    return _on(server, run)


def sqlite(template: Path, run: Path, made: dict | None,
           generate: Callable[[str], None]) -> str:
    """(Re)generate the template file if `made` says so, copy it to `run`; its URL."""
    stamp_file = template.with_suffix(".stamp")
    if made is not None:
        for old in (template, Path(f"{template}-wal"), Path(f"{template}-shm"), stamp_file):
            old.unlink(missing_ok=True)
        generate(f"sqlite:///{template}")
        with sqlite3.connect(template) as connection:
            connection.execute("ANALYZE")
        stamp_file.write_text(json.dumps(made))
    with sqlite3.connect(template) as connection:  # everything in the file, not in a WAL
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for stale in (Path(f"{run}-wal"), Path(f"{run}-shm")):  # a WAL of an earlier copy
        stale.unlink(missing_ok=True)
    shutil.copyfile(template, run)
    return f"sqlite:///{run}"


def prepare(database: str, size: str, seed: int, workdir: Path, env: dict[str, str],
            regenerate: bool = False, copy: str = "") -> tuple[str, dict]:
    """The run's database URL — a fresh copy of the template, migrated — and how it was made."""
    current = stamp(size, seed)
    info: dict = {"stamp": current, "generated": False}

    def generate(url: str) -> None:
        info["generate_s"] = _generate(dict(env, DATABASE_URL=url), size, seed)
        info["generated"] = True

    if database == "sqlite":
        template = workdir / f"{size}-seed{seed}.db"
        stamp_file = template.with_suffix(".stamp")
        old = _json(stamp_file.read_text()) if stamp_file.exists() else None
    else:
        server = SERVER if database == "postgresql" else database
        template = f"keyledger_bench_{size}_seed{seed}"
        old = _comment(server, template)
    back = False if regenerate else restamp_to(old or {}, current)
    made = current if back is False else None
    started = time.perf_counter()
    if database == "sqlite":
        url = sqlite(template, workdir / f"{size}-run{copy}.db", made, generate)
    else:
        url = postgresql(server, template, f"keyledger_bench_{size}{copy}", made, env,
                         generate)
    info |= {"template": str(template), "prepare_s": time.perf_counter() - started}
    run_env = dict(env, DATABASE_URL=url)
    if isinstance(back, str):  # a stub filled in since: run it again on the copy
        flask(run_env, "db", "stamp", back)
        info["restamped_to"] = back
    flask(run_env, "init")
    return url, info


def create_logins(env: dict[str, str], staff_person: int) -> None:
    """A Supervisor login and a DeptStaff login for the given person (`create-account`)."""
    flask(env, "create-account", SUPERVISOR, "--role", "Supervisor", "--password", PASSWORD)
    flask(env, "create-account", STAFF, "--role", "DeptStaff", "--password", PASSWORD,
          "--person", str(staff_person))


def base_env(workdir: Path) -> dict[str, str]:
    """The environment of every process of the benchmark (flask, gunicorn, workers)."""
    env = dict(os.environ, KEYLEDGER_INSTANCE=str(workdir / "instance"),
               SECRET_KEY="keyledger-bench-secret", FAB_UPDATE_PERMS="0", SCHEDULER="0",
               PYTHONPATH=str(ROOT))
    for name in ("REDIS_URL", "MAIL_SERVER", "WEBHOOK_URL", "DATABASE_URL"):
        env.pop(name, None)
    return env

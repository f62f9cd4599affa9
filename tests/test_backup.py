"""`flask --app app backup OUT` / `restore IN`: an online copy of the SQLite database while
it is written to, a restore that checks what it restores, PostgreSQL's way when on it."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from app.files.backup import POSTGRES_WAY
from tests.support.processes import python_path

ROOT = Path(__file__).resolve().parents[1]


def sqlite_file(app) -> Path:
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("sqlite:///"):
        pytest.skip("the SQLite default")
    return Path(url.removeprefix("sqlite:///"))


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def flask(database: Path, instance: Path, *args: str) -> subprocess.CompletedProcess:
    """`flask --app app …` in a process of its own, on another database file."""
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{database}", KEYLEDGER_INSTANCE=str(instance),
               PYTHONPATH=python_path())
    env.pop("REDIS_URL", None)
    return subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=300)


def test_backup_while_the_database_is_written_is_a_consistent_copy(app, tmp_path) -> None:
    """A writer commits two rows per transaction all along; the copy holds whole ones."""
    live = sqlite_file(app)
    writer = sqlite3.connect(live, timeout=30, isolation_level=None, check_same_thread=False)
    writer.execute("CREATE TABLE kl_backup_probe (n INTEGER)")
    stop, written = threading.Event(), []

    def write() -> None:
        n = 0
        while not stop.is_set():
            writer.execute("BEGIN IMMEDIATE")
            writer.execute("INSERT INTO kl_backup_probe VALUES (?), (?)", (n, n))
            writer.execute("COMMIT")
            n += 1
            written.append(n)

    thread = threading.Thread(target=write)
    thread.start()
    try:
        out = tmp_path / "keyledger-backup.db"
        result = app.test_cli_runner().invoke(args=["backup", str(out)])
    finally:
        stop.set()
        thread.join(timeout=60)
        writer.execute("DROP TABLE kl_backup_probe")
        writer.close()
    assert result.exit_code == 0, result.output
    assert "backup written" in result.output and written, "written to while copied"
    copy = sqlite3.connect(out)
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        rows = copy.execute("SELECT n, count(*) FROM kl_backup_probe GROUP BY n").fetchall()
        assert all(count == 2 for _n, count in rows), "no transaction copied by halves"
        assert copy.execute("SELECT count(*) FROM ab_user").fetchone()[0] >= 6
    finally:
        copy.close()
    again = app.test_cli_runner().invoke(args=["backup", str(out)])
    assert again.exit_code != 0 and "exists already" in again.output


def test_restore_refuses_what_is_not_a_keyledger_database_it_knows(app, tmp_path) -> None:
    live = sqlite_file(app)
    backup = tmp_path / "backup.db"
    assert app.test_cli_runner().invoke(args=["backup", str(backup)]).exit_code == 0
    sqlite3.connect(tmp_path / "foreign.db").execute("CREATE TABLE t (x)").connection.close()
    (tmp_path / "not-a-database.db").write_bytes(b"just text")
    (tmp_path / "unknown-revision.db").write_bytes(backup.read_bytes())
    connection = sqlite3.connect(tmp_path / "unknown-revision.db")
    connection.execute("UPDATE alembic_version SET version_num = 'f00d'")
    connection.commit()
    connection.close()
    reasons = {"not-a-database.db": "is not an SQLite database",
               "foreign.db": "is not a KeyLedger database",
               "unknown-revision.db": "which these migrations do not know",
               "missing.db": "no such file"}
    before = digest(live)
    for name, reason in reasons.items():
        result = app.test_cli_runner().invoke(args=["restore", "--yes", str(tmp_path / name)])
        assert result.exit_code != 0 and reason in result.output, (name, result.output)
        assert digest(live) == before, f"{name}: the database was left alone"


def test_restore_brings_the_data_back_and_keeps_what_it_replaced(app, tmp_path) -> None:
    """On a copy of the session's database, by `flask restore` in a process of its own."""
    live = sqlite_file(app)
    instance = tmp_path / "instance"
    instance.mkdir()
    database, backup = tmp_path / "portal.db", tmp_path / "backup.db"
    for out in (database, backup):
        assert app.test_cli_runner().invoke(args=["backup", str(out)]).exit_code == 0
    connection = sqlite3.connect(database)
    connection.execute("DELETE FROM supervision")
    connection.commit()
    connection.close()

    restored = flask(database, instance, "restore", "--yes", str(backup))
    assert restored.returncode == 0, restored.stderr
    assert "restored" in restored.stdout and "before-restore" in restored.stdout
    counts = []
    kept = list(tmp_path.glob("portal.db.before-restore-*"))
    assert len(kept) == 1
    for path in (database, live, kept[0]):
        connection = sqlite3.connect(path)
        counts.append(connection.execute("SELECT count(*) FROM supervision").fetchone()[0])
        connection.close()
    restored_count, expected, replaced = counts
    assert restored_count == expected > 0 and replaced == 0


def test_on_postgresql_both_commands_refuse_and_say_how(app, tmp_path) -> None:
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("PostgreSQL only (DATABASE_URL=postgresql://…)")
    runner = app.test_cli_runner()
    for args in (["backup", str(tmp_path / "x.db")], ["restore", "--yes", str(tmp_path / "x")]):
        result = runner.invoke(args=args)
        assert result.exit_code != 0
        assert "pg_dump -Fc" in result.output and "pg_restore" in result.output
    assert not (tmp_path / "x.db").exists()
    assert "pg_dump -Fc" in (ROOT / "README.md").read_text() and "pg_restore" in POSTGRES_WAY

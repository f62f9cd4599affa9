"""`flask --app app backup OUT` and `restore IN` for the SQLite default.

The copy is SQLite's online backup (sqlite3's Connection.backup): consistent while the portal
runs and writes. A restore first checks the file is a KeyLedger database at a revision the
migrations know, keeps a copy of the database it replaces, and copies the file in the same
way, so open connections see the restored data. PostgreSQL has its own tools (pg_dump -Fc /
pg_restore): the commands refuse and say how.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import click
from alembic.script import ScriptDirectory
from flask import Flask, current_app
from flask.cli import with_appcontext

from app.extensions import db

SQLITE_HEADER = b"SQLite format 3\x00"
KEYLEDGER_TABLES = {"alembic_version", "ab_user", "department", "project", "task", "feedback"}
POSTGRES_WAY = """PostgreSQL: use its own tools (the portal may keep running for a dump):
  backup:   pg_dump -Fc --no-owner -f keyledger.dump "$DATABASE_URL"
  restore:  stop the portal and workers, then
            pg_restore --clean --if-exists --no-owner -d "$DATABASE_URL" keyledger.dump
            flask --app app init   # migrates an older dump to the current revision"""


def init_app(app: Flask) -> None:
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)


def database_file() -> Path:
    """The SQLite file of the portal; a ClickException (saying how) for any other database."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite":
        raise click.ClickException(
            f"backup and restore work on the SQLite default only.\n{POSTGRES_WAY}")
    if not url.database or url.database == ":memory:":
        raise click.ClickException("the database is in memory: there is no file to copy")
    return Path(url.database)


def known_revisions() -> dict[str, bool]:
    """Every revision of the migrations, and whether it is the latest (head)."""
    scripts = ScriptDirectory(current_app.extensions["migrate"].directory)
    heads = set(scripts.get_heads())
    return {script.revision: script.revision in heads for script in scripts.walk_revisions()}


def check_database(path: Path) -> str:
    """The alembic revision of a KeyLedger database file; a ClickException if it is not one."""
    if not path.is_file():
        raise click.ClickException(f"{path}: no such file")
    with path.open("rb") as file:
        if file.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise click.ClickException(f"{path} is not an SQLite database")
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        status = connection.execute("PRAGMA integrity_check").fetchone()[0]
        tables = {row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        missing = KEYLEDGER_TABLES - tables
        if status != "ok":
            raise click.ClickException(f"{path} is damaged: {status}")
        if missing:
            raise click.ClickException(f"{path} is not a KeyLedger database "
                                       f"(no {', '.join(sorted(missing))} table)")
        revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as error:
        raise click.ClickException(f"{path} cannot be read as a database: {error}") from error
    finally:
        connection.close()
    if revision is None or revision[0] not in known_revisions():
        raise click.ClickException(f"{path} is at revision {revision and revision[0]!r}, "
                                   "which these migrations do not know")
    return revision[0]


def copy_database(source: Path, target: Path) -> None:
    """SQLite's online backup of `source` into `target`: a consistent copy, whole."""
    reader = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    writer = sqlite3.connect(target, timeout=30)
    try:
        reader.backup(writer)
    finally:
        writer.close()
        reader.close()


@click.command("backup")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace OUT if it exists.")
@with_appcontext
def backup_command(out: Path, force: bool) -> None:
    """Copy the SQLite database to OUT while the portal runs (PostgreSQL: pg_dump)."""
    source = database_file()
    if out.exists() and not force:
        raise click.ClickException(f"{out} exists already (--force replaces it)")
    partial = out.with_name(f".{out.name}.partial")
    partial.unlink(missing_ok=True)
    copy_database(source, partial)
    try:
        revision = check_database(partial)
    except click.ClickException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(out)
    click.echo(f"backup written: {out} ({out.stat().st_size} bytes, revision {revision})")
    click.echo(f"attachments are files: copy {current_app.config['ATTACHMENT_DIR']} as well")


@click.command("restore")
@click.argument("source", metavar="IN", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(source: Path, yes: bool) -> None:
    """Replace the SQLite database by a backup IN, once checked (PostgreSQL: pg_restore)."""
    target = database_file()
    revision = check_database(source)
    if not yes:
        click.confirm(f"replace {target} by {source} (revision {revision})?", abort=True)
    db.session.remove()
    db.engine.dispose()
    kept = None
    if target.exists():
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        kept = target.with_name(f"{target.name}.before-restore-{stamp}")
        copy_database(target, kept)
    copy_database(source, target)
    click.echo(f"restored {target} from {source} (revision {revision})"
               + (f"; the replaced database is kept as {kept}" if kept else ""))
    if not known_revisions()[revision]:
        click.echo("the backup is older than this version: run `flask --app app init` "
                   "to migrate it")

"""Bulk writing for the scale generator: PostgreSQL COPY, SQLite executemany.

Rows go to the driver directly, past the ORM: no ORM events fire (no audit log, no
`after_change` refresh) — right for generated data, whose statuses the generator
refreshes in set-based SQL afterwards. Values are given as text (ISO dates, decimal
strings), which COPY's text format and SQLite's column affinities both read.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice
from typing import Any, cast

from sqlalchemy import Connection, Table, inspect
from sqlalchemy.sql.schema import ColumnDefault

from app import models as m

BATCH = 20_000


def table(name: str) -> Table:
    return m.Model.metadata.tables[name]


def _filler(name: str, given: Sequence[str], present: set[str]) -> tuple[list[str], tuple]:
    """The table's other columns with a constant default (added by later migrations)."""
    names, values = [], []
    for column in table(name).columns:
        if column.name in given or column.name not in present:
            continue
        default = column.default
        if isinstance(default, ColumnDefault) and default.is_scalar:
            names.append(column.name)
            values.append(default.arg)
    return names, tuple(values)


class Writer:
    """Writes rows of one table at a time into one open transaction."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.dialect = connection.dialect.name
        self.counts: dict[str, int] = {}
        self.seconds: dict[str, float] = {}  # writing only, generation not included

    def write(self, name: str, columns: Sequence[str], rows: Iterable[tuple]) -> int:
        """Write rows (tuples in the order of `columns`); returns how many."""
        present = {c["name"] for c in inspect(self.connection).get_columns(name)}
        extra_names, extra = _filler(name, columns, present)
        names = [*columns, *extra_names]
        rows = (row + extra for row in rows) if extra else rows
        raw = self.connection.connection.driver_connection
        started = time.monotonic()
        if self.dialect == "postgresql":
            count = _copy(raw, name, names, rows)
        else:
            count = _executemany(raw, name, names, rows)
        self.counts[name] = self.counts.get(name, 0) + count
        self.seconds[name] = self.seconds.get(name, 0.0) + time.monotonic() - started
        return count

    def max_id(self, name: str) -> int:
        query = f"SELECT COALESCE(MAX(id), 0) FROM {name}"
        return cast(int, self.connection.exec_driver_sql(query).scalar())

    def fix_sequences(self) -> None:
        """PostgreSQL: move each id sequence past the ids written explicitly."""
        if self.dialect != "postgresql":
            return
        for name in self.counts:
            if "id" not in table(name).columns:
                continue
            self.connection.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {name}), false)")


INDEXES_SQL = {
    # secondary indexes only: those backing a primary key or UNIQUE constraint stay
    "postgresql": "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = "
                  "current_schema() AND tablename = '{table}' AND indexname NOT IN "
                  "(SELECT conname FROM pg_constraint)",
    "sqlite": "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = "
              "'{table}' AND sql IS NOT NULL",
}


FOREIGN_KEYS_SQL = ("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE contype = 'f' AND conrelid = '{table}'::regclass")


@contextmanager
def indexes_dropped(connection: Connection, tables: Iterable[str]) -> Iterator[int]:
    """Drop the tables' secondary indexes (and on PostgreSQL their foreign keys), and
    build them again once the rows are in: one sorted index build and one join checking
    every reference are much cheaper than millions of single insertions and lookups."""
    dialect = connection.dialect.name
    query = INDEXES_SQL[dialect]
    tables = list(tables)
    indexes = [row for name in tables
               for row in connection.exec_driver_sql(query.format(table=name)).all()]
    keys = [(name, *row) for name in tables if dialect == "postgresql"
            for row in connection.exec_driver_sql(FOREIGN_KEYS_SQL.format(table=name)).all()]
    for table_name, key, _ddl in keys:
        connection.exec_driver_sql(f"ALTER TABLE {table_name} DROP CONSTRAINT {key}")
    for name, _ddl in indexes:
        connection.exec_driver_sql(f"DROP INDEX {name}")
    yield len(indexes)
    for _name, ddl in indexes:
        connection.exec_driver_sql(ddl)
    for table_name, key, ddl in keys:
        connection.exec_driver_sql(f"ALTER TABLE {table_name} ADD CONSTRAINT {key} {ddl}")


def _copy(raw: Any, name: str, names: list[str], rows: Iterable[tuple]) -> int:
    count = 0
    with raw.cursor() as cursor, cursor.copy(
            f"COPY {name} ({', '.join(names)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def _batches(rows: Iterable[tuple]) -> Iterator[list[tuple]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, BATCH)):
        yield batch


def _executemany(raw: Any, name: str, names: list[str], rows: Iterable[tuple]) -> int:
    statement = (f"INSERT INTO {name} ({', '.join(names)}) "
                 f"VALUES ({', '.join('?' for _ in names)})")
    count = 0
    cursor = raw.cursor()
    try:
        for batch in _batches(rows):
            cursor.executemany(statement, batch)
            count += len(batch)
    finally:
        cursor.close()
    return count


def sqlite_pragmas(connection: Connection, fast: bool) -> dict[str, object]:
    """SQLite: no fsync and a write-ahead log while loading; returns the settings before."""
    if connection.dialect.name != "sqlite":
        return {}
    before = {name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
              for name in ("synchronous", "journal_mode", "foreign_keys")}
    if fast:  # references are checked once, after the load (check_foreign_keys)
        connection.exec_driver_sql("PRAGMA synchronous=OFF")
        connection.exec_driver_sql("PRAGMA journal_mode=WAL")
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    return before


def check_foreign_keys(connection: Connection, tables: Iterable[str]) -> None:
    """SQLite, loaded with foreign keys off: every reference must still hold."""
    if connection.dialect.name != "sqlite":
        return
    for name in tables:
        broken = connection.exec_driver_sql(f"PRAGMA foreign_key_check({name})").first()
        if broken is not None:
            raise ValueError(f"generated row breaks a foreign key: {tuple(broken)}")


def analyze(connection: Connection, tables: Iterable[str]) -> None:
    """PostgreSQL: fresh planner statistics for the loaded tables (autovacuum comes later)."""
    if connection.dialect.name != "postgresql":
        return
    for name in tables:
        connection.exec_driver_sql(f"ANALYZE {name}")
    connection.commit()

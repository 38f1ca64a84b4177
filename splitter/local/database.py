"""SQLite databases for verification: one starting point, a fresh copy per run, row diffs."""

from __future__ import annotations

import shutil
import sqlite3
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Rows = Mapping[str, Counter[tuple[Any, ...]]]


@dataclass(frozen=True)
class TableDiff:
    """Rows of one table that only one side holds at the end."""

    table: str
    only_monolith: tuple[tuple[Any, ...], ...]
    only_generated: tuple[tuple[Any, ...], ...]
    columns: tuple[str, ...]

    def __str__(self) -> str:
        return (
            f"{self.table}: {len(self.only_monolith)} row(s) only in the monolith, "
            f"{len(self.only_generated)} only in the generated application"
        )

    def to_json(self, limit: int = 5) -> dict[str, Any]:
        return {
            "table": self.table,
            "columns": list(self.columns),
            "only_monolith": [list(row) for row in self.only_monolith[:limit]],
            "only_generated": [list(row) for row in self.only_generated[:limit]],
        }


def fresh_copy(start: Path, target: Path) -> Path:
    """A copy of the starting database at `target`, replacing whatever was there.

    The old file and its journals are unlinked first: a connection still open on them keeps
    its own (now nameless) files and never sees the new copy.
    """
    for suffix in ("", "-wal", "-shm", "-journal"):
        target.with_name(target.name + suffix).unlink(missing_ok=True)
    shutil.copyfile(start, target)
    return target


def snapshot(path: Path, target: Path) -> Path:
    """A consistent copy of the database at `path`, committed write-ahead log included."""
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()
    return target


def table_rows(
    path: Path,
) -> tuple[dict[str, Counter[tuple[Any, ...]]], dict[str, tuple[str, ...]]]:
    """Every table's rows (as a multiset: row order is not behaviour) and its columns."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [
            str(name)
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
                " AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        rows: dict[str, Counter[tuple[Any, ...]]] = {}
        columns: dict[str, tuple[str, ...]] = {}
        for table in tables:
            cursor = connection.execute(f'SELECT * FROM "{table}"')
            columns[table] = tuple(str(d[0]) for d in cursor.description)
            rows[table] = Counter(tuple(row) for row in cursor.fetchall())
        return rows, columns
    finally:
        connection.close()


def diff_databases(monolith: Path, generated: Path) -> tuple[TableDiff, ...]:
    """The tables whose final rows differ between the two runs."""
    left, columns = table_rows(monolith)
    right, right_columns = table_rows(generated)
    diffs = []
    for table in sorted(set(left) | set(right)):
        mine, theirs = left.get(table, Counter()), right.get(table, Counter())
        if mine == theirs:
            continue
        diffs.append(
            TableDiff(
                table,
                tuple(sorted((mine - theirs).elements(), key=repr)),
                tuple(sorted((theirs - mine).elements(), key=repr)),
                columns.get(table) or right_columns.get(table, ()),
            )
        )
    return tuple(diffs)

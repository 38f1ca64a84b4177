"""The data ownership matrix: services by tables, who reads and writes what, conflicts marked."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from splitter.analyzer.model import Analysis
from splitter.planner.assignment import SHARED
from splitter.planner.plan import Plan


@dataclass(frozen=True)
class Cell:
    """What one service does with one table: `R`, `W`, `RW` or nothing; `owner` when the
    plan gives it the table, `conflict` when it writes a table another service owns."""

    mode: str = ""
    owner: bool = False
    conflict: bool = False


@dataclass(frozen=True)
class TableRow:
    """One table across the services (the shared library last)."""

    table: str
    owner: str
    cells: tuple[Cell, ...]

    @property
    def conflict(self) -> bool:
        return any(cell.conflict for cell in self.cells)

    @property
    def shared(self) -> bool:
        """True when more than one service touches the table."""
        return sum(1 for cell in self.cells if cell.mode) > 1


@dataclass(frozen=True)
class OwnershipMatrix:
    """Columns are the services then the shared library; one row per table."""

    services: tuple[str, ...]
    rows: tuple[TableRow, ...]

    def __str__(self) -> str:
        conflicts = sum(1 for row in self.rows if row.conflict)
        return f"{len(self.rows)} tables x {len(self.services)} services, {conflicts} conflicts"


def ownership_matrix(
    plan: Plan, analysis: Analysis, assignment: Mapping[str, str]
) -> OwnershipMatrix:
    """Read and write access of every placed function, gathered per service and table.

    A table's owner is the service (or the shared library) the plan lists it under; a cell
    is a conflict when its service writes the table and does not own it.
    """
    services = (*sorted(s.name for s in plan.services), SHARED)
    owner = {table: s.name for s in plan.services for table in s.tables}
    owner |= {table: SHARED for table in plan.shared.tables}
    modes: dict[tuple[str, str], set[str]] = defaultdict(set)
    for use in analysis.tables:
        service = assignment.get(use.function)
        if service is None or use.mode == "define":
            continue
        modes[(use.table, service)].add("W" if use.mode == "write" else "R")
    tables = sorted({table for table, _ in modes} | set(owner))
    rows = tuple(
        TableRow(
            table,
            owner.get(table, ""),
            tuple(_cell(modes.get((table, s), set()), s, owner.get(table, "")) for s in services),
        )
        for table in tables
    )
    return OwnershipMatrix(services, rows)


def _cell(modes: set[str], service: str, owner: str) -> Cell:
    mode = "".join(m for m in "RW" if m in modes)
    writes_foreign = "W" in modes and owner != service and service != SHARED
    return Cell(mode, owner == service, writes_foreign)

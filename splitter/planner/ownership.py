"""Which service owns each table, and the tables more than one service writes."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from splitter.planner.evidence import DataUse
from splitter.planner.plan import OwnershipConflict


@dataclass(frozen=True)
class Ownership:
    """Tables by owning service, tables only the shared library touches, and conflicts."""

    owned: tuple[tuple[str, tuple[str, ...]], ...]
    shared_tables: tuple[str, ...]
    conflicts: tuple[OwnershipConflict, ...]

    def tables_of(self, service: str) -> tuple[str, ...]:
        return dict(self.owned).get(service, ())


def assign_tables(
    uses: Iterable[DataUse],
    partition: Mapping[str, str],
    kept: Mapping[str, str] | None = None,
) -> Ownership:
    """Give every table one owner: the service whose functions write it most, then the one
    that reads it most, then the first by name. A table only the shared library (or nobody
    placed) touches is listed apart. Tables written by more than one service are conflicts.

    Args:
        uses: table reads and writes by unit.
        partition: unit -> service, shared units left out.
        kept: table -> service from an edited plan; kept when that service still exists.
    """
    writers: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    readers: dict[str, Counter[str]] = defaultdict(Counter)
    tables: set[str] = set()
    for use in uses:
        tables.add(use.resource)
        service = partition.get(use.unit)
        if service is None:
            continue
        if use.mode == "write":
            writers[use.resource][service].add(use.unit)
        else:
            readers[use.resource][service] += 1
    services = set(partition.values())
    owner_of: dict[str, str] = {}
    for table in sorted(tables):
        by_writes = {service: len(units) for service, units in writers[table].items()}
        chosen = (kept or {}).get(table)
        if chosen not in services:
            chosen = _owner(by_writes, readers[table])
        if chosen:
            owner_of[table] = chosen
    owned: dict[str, list[str]] = defaultdict(list)
    for table, service in sorted(owner_of.items()):
        owned[service].append(table)
    return Ownership(
        owned=tuple((service, tuple(found)) for service, found in sorted(owned.items())),
        shared_tables=tuple(sorted(tables - set(owner_of))),
        conflicts=tuple(_conflicts(writers, owner_of)),
    )


def _owner(writes: Mapping[str, int], reads: Counter[str]) -> str:
    candidates = set(writes) | set(reads)
    if not candidates:
        return ""
    return min(candidates, key=lambda s: (-writes.get(s, 0), -reads[s], s))


def _conflicts(
    writers: Mapping[str, Mapping[str, set[str]]], owner_of: Mapping[str, str]
) -> list[OwnershipConflict]:
    found = []
    for table in sorted(writers):
        owner = owner_of.get(table, "")
        others = tuple(
            (service, unit)
            for service in sorted(writers[table])
            if service != owner
            for unit in sorted(writers[table][service])
        )
        if others:
            found.append(OwnershipConflict(table, owner, others))
    return found

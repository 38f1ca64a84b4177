"""From units placed in clusters to the plan: names, tables, members, workflows, reasons."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import networkx as nx

from splitter.planner.assignment import SHARED
from splitter.planner.evidence import Evidence, Unit, table_modes
from splitter.planner.explain import explain
from splitter.planner.graph import Tie
from splitter.planner.members import compress
from splitter.planner.metrics import QualityFigures, measure
from splitter.planner.naming import ClusterFacts, name_services
from splitter.planner.ownership import assign_tables
from splitter.planner.placement import FRESH
from splitter.planner.plan import Plan, Reason, Service, SharedLibrary
from splitter.planner.shared import SharedCode
from splitter.planner.workflows import contexts, cross_calls, service_cycles, workflows


@dataclass(frozen=True)
class Placed:
    """Units in clusters, and what else the plan is built from."""

    evidence: Evidence
    partition: Mapping[str, str]
    shared: SharedCode
    unit_ties: Sequence[Tie]
    every_unit: Sequence[Unit]
    previous: Plan | None = None
    pinned: frozenset[str] = frozenset()


def build_plan(placed: Placed, graph: nx.DiGraph) -> tuple[Plan, QualityFigures]:
    """Name the clusters, give out the tables, and gather the plan and its figures.

    Args:
        placed: the placement; cluster keys are service names, or `#...` for new clusters.
        graph: the call graph of the units, for the figures.
    """
    evidence = placed.evidence
    kept_tables = _kept_tables(placed.previous)
    ownership = assign_tables(evidence.tables, placed.partition, kept_tables)
    names = _names(placed, dict(ownership.owned))
    partition = {unit: names.get(key, key) for unit, key in placed.partition.items()}
    ownership = assign_tables(evidence.tables, partition, kept_tables)
    assignment = dict(partition) | dict.fromkeys(placed.shared.members, SHARED)
    members = compress(assignment, placed.every_unit)
    owner = {table: service for service, tables in ownership.owned for table in tables}
    calls = cross_calls(evidence, assignment)
    plan = Plan(
        root=evidence.root,
        services=_services(placed, partition, members, dict(ownership.owned)),
        shared=SharedLibrary(
            members=members.get(SHARED, ()),
            reasons=_shared_reasons(members.get(SHARED, ()), placed.shared),
            tables=ownership.shared_tables,
        ),
        workflows=workflows(evidence, assignment),
        cross_calls=calls,
        conflicts=ownership.conflicts,
        cycles=service_cycles(calls),
        reasons=explain(placed.unit_ties, partition, owner, dict(placed.shared.reasons)),
    )
    access = {u: a for u, a in table_modes(evidence.tables).items() if u in partition}
    figures = measure(graph, partition, contexts(evidence, assignment), access)
    return plan, figures


def _names(placed: Placed, owned: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    """New cluster key -> service name; clusters already named keep their name."""
    index = placed.evidence.unit_index()
    groups: dict[str, list[str]] = defaultdict(list)
    for unit, key in sorted(placed.partition.items()):
        groups[key].append(unit)
    spread: dict[str, set[str]] = defaultdict(set)
    for unit, key in placed.partition.items():
        spread[index[unit].module].add(key)
    routes: dict[str, list[str]] = defaultdict(list)
    for entry in placed.evidence.entries:
        if entry.unit in placed.partition:
            routes[placed.partition[entry.unit]].append(entry.detail or entry.name)
    facts = [
        ClusterFacts(
            key,
            tuple(units),
            tuple(index[unit].module for unit in units),
            owned.get(key, ()),
            tuple(sorted(routes[key])),
        )
        for key, units in groups.items()
        if key.startswith(FRESH)
    ]
    taken = {key for key in groups if not key.startswith(FRESH)}
    return name_services(facts, {m: len(keys) for m, keys in spread.items()}, taken)


def _services(
    placed: Placed,
    partition: Mapping[str, str],
    members: Mapping[str, tuple[str, ...]],
    owned: Mapping[str, tuple[str, ...]],
) -> tuple[Service, ...]:
    entries: dict[str, list[str]] = defaultdict(list)
    for entry in placed.evidence.entries:
        if entry.unit in partition:
            entries[partition[entry.unit]].append(entry.name)
    pinned: dict[str, list[str]] = defaultdict(list)
    for unit in sorted(placed.pinned):
        if unit in partition:
            pinned[partition[unit]].append(unit)
    before = {s.name: s.description for s in placed.previous.services} if placed.previous else {}
    return tuple(
        Service(
            name=name,
            members=members.get(name, ()),
            tables=owned.get(name, ()),
            entry_points=tuple(sorted(entries[name])),
            pinned=tuple(pinned[name]),
            description=before.get(name, ""),
        )
        for name in sorted(set(partition.values()))
    )


def _shared_reasons(members: tuple[str, ...], shared: SharedCode) -> tuple[Reason, ...]:
    """One reason per member of the shared library (a glob takes its first unit's)."""
    why = dict(shared.reasons)
    found = []
    for member in members:
        prefix = member.removesuffix("*")
        match = next((u for u in sorted(why) if u == member or u.startswith(prefix)), "")
        found.append(Reason(member, (why.get(match, "placed in the shared library by hand"),)))
    return tuple(found)


def _kept_tables(previous: Plan | None) -> dict[str, str]:
    if previous is None:
        return {}
    return {table: service.name for service in previous.services for table in service.tables}

"""Finding infrastructure: code every service carries as a shared library, not a service."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import cached_property

import networkx as nx

from splitter.planner.evidence import Evidence
from splitter.planner.weights import SharedRules

_LISTED = 4


@dataclass(frozen=True)
class SharedCode:
    """Units proposed for the shared library, each with why, and the infrastructure modules."""

    reasons: tuple[tuple[str, str], ...] = ()
    modules: tuple[str, ...] = ()

    @cached_property
    def members(self) -> frozenset[str]:
        return frozenset(unit for unit, _ in self.reasons)

    def adding(self, found: Mapping[str, str]) -> SharedCode:
        merged = dict(self.reasons) | {u: r for u, r in found.items() if u not in self.members}
        return SharedCode(tuple(sorted(merged.items())), self.modules)

    def without(self, units: Collection[str]) -> SharedCode:
        kept = tuple((unit, why) for unit, why in self.reasons if unit not in units)
        return SharedCode(kept, self.modules)


def infrastructure(evidence: Evidence, rules: SharedRules) -> SharedCode:
    """The units of infrastructure modules, and what only they call.

    A module is infrastructure when enough other modules use it (see `SharedRules`) and
    none of its units they call reaches a table write.
    """
    if not rules.enabled:
        return SharedCode()
    users, interface = _module_use(evidence)
    writers = _reaching(evidence, writes_only=True)
    threshold = rules.module_threshold(len(evidence.modules()))
    modules = tuple(
        module
        for module in evidence.modules()
        if len(users[module]) >= threshold and not interface[module] & writers
    )
    entries = {entry.unit for entry in evidence.entries}
    found = {
        unit.name: _module_reason(unit.module, users[unit.module])
        for unit in evidence.units
        if unit.module in modules and unit.name not in entries
    }
    return close_over_callees(evidence, SharedCode(tuple(sorted(found.items())), modules))


def helpers(
    evidence: Evidence, rules: SharedRules, shared: SharedCode, partition: Mapping[str, str]
) -> SharedCode:
    """Add helpers called from many services and code tied to nothing but the shared library.

    Args:
        evidence: what the planner weighs.
        rules: the thresholds.
        shared: what is shared so far.
        partition: unit -> service of a first clustering without these helpers.
    """
    if not rules.enabled:
        return shared
    callers = _callers(evidence)
    found: dict[str, str] = {}
    for unit in helper_candidates(evidence, shared):
        services = sorted({partition[c] for c in callers.get(unit, ()) if c in partition})
        if len(services) >= rules.helper_services:
            found[unit] = f"helper called from {len(services)} services that touches no table"
    entries = {entry.unit for entry in evidence.entries}
    orphans = _orphans(evidence, shared.members | set(found), set(partition), entries)
    return close_over_callees(evidence, shared.adding(found | orphans))


def helper_candidates(evidence: Evidence, shared: SharedCode) -> list[str]:
    """Units that may be shared helpers: no entry, reaching no table, called by two or more
    units. They are left out of the first clustering, so that they do not pull their
    callers together, and kept apart afterwards if their callers span enough services."""
    data = _reaching(evidence, writes_only=False)
    entries = {entry.unit for entry in evidence.entries}
    callers = _callers(evidence)
    members = shared.members
    return [
        unit.name
        for unit in evidence.units
        if unit.name not in members
        and unit.name not in entries
        and unit.name not in data
        and len([c for c in callers.get(unit.name, ()) if c not in members]) >= 2
    ]


def close_over_callees(evidence: Evidence, shared: SharedCode) -> SharedCode:
    """Add units that touch no table and that only shared code calls, until none is left."""
    callers = _callers(evidence)
    touching = {use.unit for use in evidence.tables}
    entries = {entry.unit for entry in evidence.entries}
    infra_modules = set(shared.modules)
    members = set(shared.members)
    found: dict[str, str] = {}
    changed = True
    while changed:
        changed = False
        for unit in evidence.units:
            name = unit.name
            if name in members or name in touching or name in entries or not callers.get(name):
                continue
            if all(c in members or c in infra_modules for c in callers[name]):
                members.add(name)
                found[name] = "called only by shared code: " + _names(callers[name])
                changed = True
    return shared.adding(found)


def _module_use(evidence: Evidence) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """For each module: the other modules that use it, and its units they call."""
    index = evidence.unit_index()
    modules = set(evidence.modules())
    users: dict[str, set[str]] = defaultdict(set)
    interface: dict[str, set[str]] = defaultdict(set)
    for link in evidence.links:
        caller = index[link.caller].module if link.caller in index else link.caller
        callee = index[link.callee].module
        if caller != callee:
            users[callee].add(caller)
            interface[callee].add(link.callee)
    for use in evidence.state:
        owner = use.resource.rpartition(".")[0]
        if owner in modules and owner != index[use.unit].module:
            users[owner].add(index[use.unit].module)
    return users, interface


def _reaching(evidence: Evidence, *, writes_only: bool) -> set[str]:
    """Units that use a table (or write one) themselves or through what they call."""
    using = {u.unit for u in evidence.tables if u.mode == "write" or not writes_only}
    callers: dict[str, set[str]] = defaultdict(set)
    for link in evidence.links:
        callers[link.callee].add(link.caller)
    found = set(using)
    frontier = sorted(using)
    while frontier:
        unit = frontier.pop()
        for caller in callers.get(unit, ()):
            if caller not in found:
                found.add(caller)
                frontier.append(caller)
    return found


def _callers(evidence: Evidence) -> dict[str, list[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for link in evidence.links:
        found[link.callee].add(link.caller)
    return {callee: sorted(callers) for callee, callers in found.items()}


def _orphans(
    evidence: Evidence, shared: Collection[str], units: set[str], entries: set[str]
) -> dict[str, str]:
    """Groups of units tied only to each other and to the shared library: no table, no entry,
    nothing else calling them (an error handler a framework calls, say)."""
    groups = nx.Graph()
    groups.add_nodes_from(sorted(units - set(shared)))
    calls_shared: set[str] = set()
    for link in evidence.links:
        if link.caller in groups and link.callee in groups:
            groups.add_edge(link.caller, link.callee)
        elif link.callee in shared and link.caller in groups:
            calls_shared.add(link.caller)
        elif link.caller not in shared and link.callee in groups:
            groups.add_edge(link.caller, link.callee)
    for use in evidence.state:
        if use.unit in groups:
            groups.add_edge(use.unit, f"state:{use.resource}")
    with_tables = {use.unit for use in evidence.tables}
    found: dict[str, str] = {}
    for component in nx.connected_components(groups):
        members = sorted(node for node in component if node in units)
        strangers = [n for n in component if n not in units and not n.startswith("state:")]
        if strangers or (entries | with_tables) & component or not calls_shared & component:
            continue
        found |= dict.fromkeys(members, "uses only the shared library, and nothing else calls it")
    return found


def _module_reason(module: str, users: set[str]) -> str:
    return f"module {module} is infrastructure: used by {len(users)} modules ({_names(users)})"


def _names(names: Collection[str]) -> str:
    listed = sorted(names)
    more = f" and {len(listed) - _LISTED} more" if len(listed) > _LISTED else ""
    return ", ".join(listed[:_LISTED]) + more

"""Workflows from entry points, the calls that cross services, and cycles between services."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from itertools import islice

import networkx as nx

from splitter.planner.assignment import SHARED
from splitter.planner.evidence import Entry, Evidence, Link
from splitter.planner.graph import reachable, successors
from splitter.planner.plan import CrossCall, Workflow, WorkflowStep

MAX_CYCLES = 50
"""Cycles listed at most; the shortest come first."""

_CYCLE_LENGTH = 4


def cross_calls(evidence: Evidence, partition: Mapping[str, str]) -> tuple[CrossCall, ...]:
    """Every call site from one service's code into another's, in site order.

    Calls into or out of the shared library are not listed: the library is in every service.
    """
    found = []
    for link in evidence.links:
        source, target = partition.get(link.caller), partition.get(link.callee)
        if source and target and source != target and SHARED not in (source, target):
            found += [
                CrossCall(link.caller, link.callee, source, target, path, line)
                for path, line in link.sites or (("", 0),)
            ]
    return tuple(sorted(found, key=lambda c: (c.path, c.line, c.caller, c.callee)))


def service_cycles(calls: tuple[CrossCall, ...]) -> tuple[tuple[str, ...], ...]:
    """Cycles of services calling each other (up to four services long), shortest first,
    each starting from its first service by name."""
    graph = nx.DiGraph()
    graph.add_edges_from(sorted({(c.caller_service, c.callee_service) for c in calls}))
    cycles = {
        _rotated(tuple(cycle))
        for cycle in islice(nx.simple_cycles(graph, length_bound=_CYCLE_LENGTH), 10 * MAX_CYCLES)
    }
    return tuple(sorted(cycles, key=lambda cycle: (len(cycle), cycle))[:MAX_CYCLES])


def workflow_names(entries: tuple[Entry, ...]) -> dict[str, str]:
    """Entry name -> workflow name, unique: the function's own name, with as many enclosing
    names as it takes to tell entries apart (`api_get_order`, `publish_Command_handle`)."""
    qualnames = sorted({entry.name for entry in entries})
    names: dict[str, str] = {}
    for depth in range(1, max((q.count(".") for q in qualnames), default=0) + 2):
        candidates = {q: "_".join(q.split(".")[-depth:]) for q in qualnames if q not in names}
        counts = Counter(candidates.values())
        taken = set(names.values())
        for qualname, name in candidates.items():
            if counts[name] == 1 and name not in taken:
                names[qualname] = name
    for qualname in qualnames:  # `a_b.c` and `a.b_c` alike: numbered
        if qualname not in names:
            base, number = qualname.replace(".", "_"), 2
            while f"{base}_{number}" in names.values():
                number += 1
            names[qualname] = f"{base}_{number}"
    return names


def workflows(evidence: Evidence, partition: Mapping[str, str]) -> tuple[Workflow, ...]:
    """One workflow per entry point that starts in a service: the entry itself first, then
    each call into another service on the way, in call order (each function once).

    Entries that stay in the shared library (a database seeding script, say) start no
    workflow.
    """
    names = workflow_names(evidence.entries)
    ordered = _ordered_links(evidence)
    found = []
    for entry in evidence.entries:
        service = partition.get(entry.unit, "")
        if not service or service == SHARED:
            continue
        steps = [WorkflowStep(service, entry.unit, entry.line)]
        steps += _steps(entry.unit, ordered, partition)
        found.append(
            Workflow(names[entry.name], entry.name, service, tuple(steps), entry.kind, entry.detail)
        )
    return tuple(sorted(found, key=lambda workflow: workflow.name))


def contexts(evidence: Evidence, partition: Mapping[str, str]) -> dict[str, frozenset[str]]:
    """Business contexts for BCP: each workflow's name -> the placed units its entry reaches
    without going through the shared library (given contexts win when the evidence has
    them)."""
    if evidence.contexts:
        return {name: frozenset(members) for name, members in evidence.contexts}
    names = workflow_names(evidence.entries)
    shared = {unit for unit, service in partition.items() if service == SHARED}
    callees = successors(evidence)
    return {
        names[entry.name]: frozenset(
            unit for unit in reachable(entry.origin, callees, stop=shared) if unit in partition
        )
        for entry in evidence.entries
        if entry.origin and entry.unit not in shared
    }


def _steps(
    start: str, ordered: Mapping[str, list[Link]], partition: Mapping[str, str]
) -> list[WorkflowStep]:
    """Depth first from the entry, in call order: each call into another service's function
    (reached for the first time) is a step; the shared library is not followed."""
    steps: list[WorkflowStep] = []
    visited = {start}
    stack = [(partition[start], iter(ordered.get(start, [])))]
    while stack:
        service, links = stack[-1]
        link = next(links, None)
        if link is None:
            stack.pop()
            continue
        target = partition.get(link.callee, SHARED)
        if target == SHARED or link.callee in visited:
            continue
        visited.add(link.callee)
        if target != service:
            steps.append(WorkflowStep(target, link.callee, link.first_line))
        stack.append((target, iter(ordered.get(link.callee, []))))
    return steps


def _ordered_links(evidence: Evidence) -> dict[str, list[Link]]:
    found: dict[str, list[Link]] = defaultdict(list)
    for link in evidence.links:
        found[link.caller].append(link)
    return {
        caller: sorted(links, key=lambda link: (link.first_line, link.callee))
        for caller, links in found.items()
    }


def _rotated(cycle: tuple[str, ...]) -> tuple[str, ...]:
    start = cycle.index(min(cycle))
    return cycle[start:] + cycle[:start]


def _short(name: str) -> str:
    return name.rpartition(".")[2]

"""The service map: services sized by their code, cross-service calls as weighted edges,
data-ownership conflicts and cycles marked."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from itertools import pairwise

from splitter.analyzer.model import Analysis
from splitter.planner.assignment import SHARED, assign_functions
from splitter.planner.plan import Plan
from splitter.report.graph import SHARED_COLOUR, Diagram, Edge, Node

MOVABLE = ("function", "method")
"""Kinds of code a plan places; a module's top-level code and lambdas go with their owner."""

EDGES_PER_SERVICE = 3
"""A map with more edges than this many per service (and at least 40) keeps the strongest,
those on a cycle first, so that it stays readable."""


def service_colours(names: Iterable[str]) -> dict[str, int]:
    """Service -> colour index, by name order, so a service keeps its colour in every
    picture of the report."""
    colours = {name: index for index, name in enumerate(sorted(set(names)))}
    colours[SHARED] = SHARED_COLOUR
    return colours


def placement(plan: Plan, analysis: Analysis) -> dict[str, str]:
    """Function or method -> its service (or `SHARED`) under the plan."""
    names = [f.qualname for f in analysis.functions if f.kind in MOVABLE]
    return assign_functions(plan, names)


def service_lines(analysis: Analysis, assignment: Mapping[str, str]) -> dict[str, int]:
    """Service -> lines of code of the functions placed in it."""
    lines: dict[str, int] = defaultdict(int)
    for function in analysis.functions:
        service = assignment.get(function.qualname)
        if service is not None:
            lines[service] += function.size
    return dict(lines)


def cycle_pairs(plan: Plan) -> frozenset[tuple[str, str]]:
    """(caller service, callee service) of every call edge that lies on a cycle."""
    return frozenset(
        pair for cycle in plan.cycles for pair in pairwise((*cycle, cycle[0])) if len(cycle) > 1
    )


def conflicted_services(plan: Plan) -> frozenset[str]:
    """Services that own a table another service writes, or write one they do not own."""
    found = {conflict.owner for conflict in plan.conflicts}
    found |= {service for conflict in plan.conflicts for service, _ in conflict.writers}
    return frozenset(found)


def service_diagram(plan: Plan, analysis: Analysis, assignment: Mapping[str, str]) -> Diagram:
    """The services around a ring, sized by lines of code, joined by their call sites.

    An edge's weight is the number of call sites from one service into the other; edges on
    a cycle are marked `cycle`, services in an ownership conflict `conflict`.
    """
    lines = service_lines(analysis, assignment)
    counts = Counter(service for service in assignment.values())
    colours = service_colours(s.name for s in plan.services)
    conflicted = conflicted_services(plan)
    nodes = tuple(
        Node(
            id=service.name,
            label=service.name,
            kind="service",
            detail=f"{counts[service.name]} functions",
            size=float(lines.get(service.name, 0)),
            colour=colours[service.name],
            tooltip=f"{service.name}: {counts[service.name]} functions, "
            f"{lines.get(service.name, 0)} lines, tables: {', '.join(service.tables) or '-'}",
            marks=("conflict",) if service.name in conflicted else (),
        )
        for service in sorted(plan.services, key=lambda s: s.name)
    )
    edges = _call_edges(plan)
    limit = max(40, EDGES_PER_SERVICE * len(nodes))
    if len(edges) <= limit:
        return Diagram("services", "Service map", nodes, tuple(edges), style="ring")
    kept = sorted(edges, key=lambda e: ("cycle" not in e.marks, -e.weight, e.source, e.target))
    shown = tuple(sorted(kept[:limit], key=lambda e: (e.source, e.target)))
    note = f"the {limit} strongest of {len(edges)} service-to-service edges are drawn"
    return Diagram("services", "Service map", nodes, shown, style="ring", note=note)


def _call_edges(plan: Plan) -> list[Edge]:
    sites = Counter((call.caller_service, call.callee_service) for call in plan.cross_calls)
    on_cycle = cycle_pairs(plan)
    return [
        Edge(
            source,
            target,
            label=str(count),
            weight=float(count),
            kind="call",
            marks=("cycle",) if (source, target) in on_cycle else (),
        )
        for (source, target), count in sorted(sites.items())
    ]

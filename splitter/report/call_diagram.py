"""The call graph as a diagram coloured by service; a large one collapses to its modules."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping

from splitter.analyzer.model import Analysis
from splitter.report.graph import SHARED_COLOUR, Diagram, Edge, Node
from splitter.report.service_map import MOVABLE

DEFAULT_MAX_NODES = 150
"""Functions drawn at most before the diagram shows modules instead."""


def call_diagram(
    analysis: Analysis,
    assignment: Mapping[str, str],
    colours: Mapping[str, int],
    max_nodes: int = DEFAULT_MAX_NODES,
) -> Diagram:
    """Functions and their internal calls, grouped by module and coloured by service.

    With more than `max_nodes` functions, modules replace them (sized by their functions,
    coloured by the service holding most of them, edges weighted by call sites); with more
    than `max_nodes` modules too, the most connected are kept and `note` says so.
    """
    names = {f.qualname: f.module for f in analysis.functions if f.kind in MOVABLE}
    sites = _sites(analysis, names)
    if len(names) <= max_nodes:
        return _functions(names, sites, assignment, colours)
    return _modules(names, sites, assignment, colours, max_nodes)


def _sites(analysis: Analysis, names: Mapping[str, str]) -> Counter[tuple[str, str]]:
    return Counter(
        (call.caller, call.callee)
        for call in analysis.calls
        if call.target == "internal"
        and call.caller != call.callee
        and call.caller in names
        and call.callee in names
    )


def _functions(
    names: Mapping[str, str],
    sites: Counter[tuple[str, str]],
    assignment: Mapping[str, str],
    colours: Mapping[str, int],
) -> Diagram:
    nodes = tuple(
        Node(
            id=name,
            label=name.removeprefix(module + "."),
            kind="function",
            detail=assignment.get(name, ""),
            group=module,
            colour=colours.get(assignment.get(name, ""), SHARED_COLOUR),
            tooltip=f"{name} ({assignment.get(name, 'not placed')})",
        )
        for name, module in sorted(names.items())
    )
    edges = tuple(_edge(pair, count) for pair, count in sorted(sites.items()))
    return Diagram("calls", "Call graph", nodes, edges)


def _modules(
    names: Mapping[str, str],
    sites: Counter[tuple[str, str]],
    assignment: Mapping[str, str],
    colours: Mapping[str, int],
    max_nodes: int,
) -> Diagram:
    members: dict[str, Counter[str]] = defaultdict(Counter)
    for name, module in names.items():
        members[module][assignment.get(name, "")] += 1
    links: Counter[tuple[str, str]] = Counter()
    for (caller, callee), count in sites.items():
        if names[caller] != names[callee]:
            links[(names[caller], names[callee])] += count
    kept = _most_connected(list(members), links, max_nodes)
    nodes = tuple(_module_node(module, members[module], colours) for module in kept)
    shown = set(kept)
    edges = tuple(_edge(pair, count) for pair, count in sorted(links.items()) if set(pair) <= shown)
    note = f"{len(names)} functions in {len(members)} modules: drawn as modules"
    if len(kept) < len(members):
        note += f", the {len(kept)} with the most calls"
    return Diagram("calls", "Call graph by module", nodes, edges, note=note)


def _module_node(module: str, services: Counter[str], colours: Mapping[str, int]) -> Node:
    service = min(services, key=lambda s: (-services[s], s))
    total = sum(services.values())
    return Node(
        id=module,
        label=module,
        kind="module",
        detail=f"{total} functions",
        size=float(total),
        colour=colours.get(service, SHARED_COLOUR),
        tooltip=f"{module}: {total} functions, mostly {service or 'not placed'}",
    )


def _most_connected(modules: list[str], links: Counter[tuple[str, str]], limit: int) -> list[str]:
    if len(modules) <= limit:
        return sorted(modules)
    degree: Counter[str] = Counter()
    for (caller, callee), count in links.items():
        degree[caller] += count
        degree[callee] += count
    return sorted(sorted(modules, key=lambda m: (-degree[m], m))[:limit])


def _edge(pair: tuple[str, str], count: int) -> Edge:
    label = str(count) if count > 1 else ""
    return Edge(pair[0], pair[1], label=label, weight=float(count), kind="call")

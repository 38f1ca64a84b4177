"""The weighted graphs the planner works on: the call graph and the affinity graph of units."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

import networkx as nx

from splitter.planner.evidence import Evidence, Link
from splitter.planner.vocabulary import nouns
from splitter.planner.weights import Weights

TieKind = Literal["call", "table", "transaction", "state", "module", "names"]

TABLE = "table:"
STATE = "state:"
MODULE = "module:"


@dataclass(frozen=True)
class Tie:
    """One piece of evidence tying a unit to another unit or to a table, variable or module.

    For calls `source` is the caller; for the others `target` is the resource node
    (`table:orders`, `state:pkg.mod.CACHE`, `module:pkg.mod`) and `detail` the access mode.
    """

    source: str
    target: str
    weight: float
    kind: TieKind
    detail: str = ""


def call_strength(link: Link, weights: Weights) -> float:
    """Static call sites plus damped runtime counts: the weight of a call-graph edge."""
    return link.weight + weights.runtime * math.log1p(link.runtime)


def call_graph(evidence: Evidence, weights: Weights) -> nx.DiGraph:
    """Units as nodes, `a -> b` when unit `a` calls unit `b`, weighted by `call_strength`."""
    units = {unit.name for unit in evidence.units}
    graph = nx.DiGraph()
    graph.add_nodes_from(sorted(units))
    for link in evidence.links:
        if link.caller in units and link.callee in units:
            graph.add_edge(link.caller, link.callee, weight=call_strength(link, weights))
    return graph


def ties(evidence: Evidence, weights: Weights, shared: Collection[str]) -> list[Tie]:
    """Every tie between units that are not shared, and between them and their resources.

    Variables of modules with no unit left outside the shared library are left out: they
    are the shared library's (reading the configuration ties nobody together).
    """
    units = {unit.name for unit in evidence.units} - set(shared)
    found = [
        Tie(link.caller, link.callee, weights.call * _damped(call_strength(link, weights)), "call")
        for link in evidence.links
        if link.caller in units and link.callee in units
    ]
    for use in evidence.tables:
        if use.unit in units:
            weight = weights.table_write if use.mode == "write" else weights.table_read
            found.append(Tie(use.unit, TABLE + use.resource, weight, "table", use.mode))
    found += _transaction_ties(evidence, weights, units)
    found += _state_ties(evidence, weights, units, shared)
    found += [
        Tie(unit.name, MODULE + unit.module, weights.module, "module")
        for unit in evidence.units
        if unit.name in units
    ]
    found += _name_ties(evidence, weights, units)
    return [tie for tie in found if tie.weight > 0]


def affinity_graph(
    unit_ties: Iterable[Tie], blocks: Mapping[str, str], nodes: Iterable[str]
) -> nx.Graph:
    """The undirected graph clustered into services: blocks of units, tables, variables and
    modules as nodes, the ties between them summed. `blocks` maps a unit to the block it is
    clustered in (a class, a keep-together group, a pinned service); others stand alone.
    """
    weights: dict[tuple[str, str], float] = defaultdict(float)
    for tie in unit_ties:
        first, second = blocks.get(tie.source, tie.source), blocks.get(tie.target, tie.target)
        if first != second:
            weights[(min(first, second), max(first, second))] += tie.weight
    graph = nx.Graph()
    graph.add_nodes_from(sorted({blocks.get(node, node) for node in nodes}))
    for (first, second), weight in sorted(weights.items()):
        graph.add_edge(first, second, weight=weight)
    return graph


def reachable(
    start: str, edges: Mapping[str, Collection[str]], stop: Collection[str] = ()
) -> set[str]:
    """Nodes reachable from `start` along `edges`, not going through `stop` (start included)."""
    seen = {start}
    frontier = [start]
    while frontier:
        node = frontier.pop()
        for successor in sorted(edges.get(node, ())):
            if successor not in seen and successor not in stop:
                seen.add(successor)
                frontier.append(successor)
    return seen


def successors(evidence: Evidence) -> dict[str, list[str]]:
    """Callees of each unit (and module code), in name order."""
    found: dict[str, set[str]] = defaultdict(set)
    for link in evidence.links:
        found[link.caller].add(link.callee)
    return {caller: sorted(callees) for caller, callees in sorted(found.items())}


def _damped(strength: float) -> float:
    return 1 + math.log(strength) if strength >= 1 else strength


def _transaction_ties(evidence: Evidence, weights: Weights, units: set[str]) -> list[Tie]:
    """A unit that opens a transaction is tied to each table written inside it."""
    writes: dict[str, set[str]] = defaultdict(set)
    for use in evidence.tables:
        if use.mode == "write":
            writes[use.unit].add(use.resource)
    callees = successors(evidence)
    found = []
    for opener in evidence.transactions:
        if opener not in units:
            continue
        inside = reachable(opener, callees)
        tables = sorted(set().union(*(writes[unit] for unit in inside)))
        found += [Tie(opener, TABLE + t, weights.transaction, "transaction") for t in tables]
    return found


def _name_ties(evidence: Evidence, weights: Weights, units: set[str]) -> list[Tie]:
    """A unit is tied to the tables its own or its class's name shares a noun with."""
    tables = {name: set(nouns(name)) for name in sorted({use.resource for use in evidence.tables})}
    found = []
    for unit in evidence.units:
        if unit.name not in units:
            continue
        words = set(nouns(_short(unit.name))) | set(nouns(_short(unit.class_name)))
        matched = [table for table, table_words in tables.items() if words & table_words]
        found += [
            Tie(unit.name, TABLE + table, weights.names / len(matched), "names")
            for table in matched
        ]
    return found


def _short(name: str) -> str:
    return name.rpartition(".")[2]


def _state_ties(
    evidence: Evidence, weights: Weights, units: set[str], shared: Collection[str]
) -> list[Tie]:
    kept = {unit.module for unit in evidence.units if unit.name not in shared}
    found = []
    for use in evidence.state:
        if use.unit not in units or _module_of(use.resource) not in kept:
            continue
        weight = weights.state_write if use.mode == "write" else weights.state_read
        found.append(Tie(use.unit, STATE + use.resource, weight, "state", use.mode))
    return found


def _module_of(variable: str) -> str:
    return variable.rpartition(".")[0]

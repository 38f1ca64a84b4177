"""Placing units in services: blocks that move together, clustering at each resolution,
anchors (pins and kept plan members), and the constraints that keep code apart."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

import networkx as nx

from splitter.planner.cluster import best_communities, class_blocks, strongest_service
from splitter.planner.graph import Tie, affinity_graph

FRESH = "#"
"""Prefix of the key of a cluster no anchor names yet: `#` + its smallest unit."""

_ANCHOR = "@"


@dataclass(frozen=True)
class Layout:
    """What to place and what is already decided.

    `fixed` maps units to the service a person (or a pin) put them in; `together` lists
    groups of units that move as one; `apart` lists groups of unit sets that must end up in
    different services.
    """

    units: tuple[str, ...]
    classes: Mapping[str, str] = field(default_factory=dict)
    fixed: Mapping[str, str] = field(default_factory=dict)
    together: tuple[tuple[str, ...], ...] = ()
    apart: tuple[tuple[tuple[str, ...], ...], ...] = ()

    def blocks(self) -> dict[str, str]:
        """Unit -> the node it is clustered as: its anchor, its group, or its class."""
        union = _Union()
        free = [unit for unit in self.units if unit not in self.fixed]
        for unit, owner in class_blocks({u: self.classes.get(u, "") for u in free}).items():
            union.join(unit, "class:" + owner)
        for group in self.together:
            for first, second in pairwise(group):
                if first not in self.fixed and second not in self.fixed:
                    union.join(first, second)
        for unit, service in self.fixed.items():
            union.join(unit, _ANCHOR + service)
        return {unit: union.label(unit) for unit in self.units}


def clusters(
    layout: Layout, unit_ties: Sequence[Tie], *, resolution: float, seed: int, trials: int
) -> dict[str, str]:
    """Cluster the units at one resolution, keeping the best of `trials` seeded runs.

    Returns:
        Unit -> cluster key: the service of the anchor it joined, or `#` + the smallest unit
        of a cluster no anchor is in.
    """
    graph = layout_graph(layout, unit_ties)
    return clusters_in(graph, layout, unit_ties, resolution=resolution, seed=seed, trials=trials)


def layout_graph(layout: Layout, unit_ties: Sequence[Tie]) -> nx.Graph:
    """The affinity graph of the layout's units (as blocks) and the resources they use."""
    units = set(layout.units)
    kept = [t for t in unit_ties if t.source in units and (t.kind != "call" or t.target in units)]
    nodes = units | {t.target for t in kept if t.target not in units}
    return affinity_graph(kept, layout.blocks(), nodes)


def clusters_in(
    graph: nx.Graph,
    layout: Layout,
    unit_ties: Sequence[Tie],
    *,
    resolution: float,
    seed: int,
    trials: int,
) -> dict[str, str]:
    """`clusters` on an affinity graph built by `layout_graph` (build it once, scan many)."""
    best = best_communities(graph, resolution=resolution, seed=seed, trials=trials)
    blocks = layout.blocks()
    community = {node: index for index, nodes in enumerate(best) for node in nodes}
    partition = _keys({u: community[blocks[u]] for u in layout.units}, layout.fixed, unit_ties)
    return keep_apart(partition, layout.apart, unit_ties)


def attach(
    units: Iterable[str], placed: Mapping[str, str], unit_ties: Sequence[Tie]
) -> dict[str, str]:
    """Give each new unit the service it is most tied to, directly or through a table or
    variable; units tied to nothing placed are left out of the result."""
    assignment = dict(placed)
    waiting = sorted(set(units) - set(placed))
    changed = True
    while waiting and changed:
        changed = False
        pull = _pull(unit_ties, assignment)
        for unit in list(waiting):
            service = strongest_service(pull.get(unit, {}))
            if service:
                assignment[unit] = service
                waiting.remove(unit)
                changed = True
    return {unit: assignment[unit] for unit in assignment if unit not in placed}


def keep_apart(
    partition: Mapping[str, str],
    apart: Iterable[tuple[tuple[str, ...], ...]],
    unit_ties: Sequence[Tie],
) -> dict[str, str]:
    """Move code out of clusters that hold two sides of a keep-apart group: the side with the
    most units in the cluster stays; the others go to the cluster they are next most tied to,
    or to a cluster of their own."""
    result = dict(partition)
    for sides in apart:
        for cluster in sorted({result[u] for side in sides for u in side if u in result}):
            present = [[u for u in side if result.get(u) == cluster] for side in sides]
            present = [side for side in present if side]
            if len(present) < 2:
                continue
            present.sort(key=lambda side: (-len(side), side))
            for side in present[1:]:
                pull = _pull(unit_ties, {u: s for u, s in result.items() if s != cluster})
                weights: dict[str, float] = defaultdict(float)
                for unit in side:
                    for service, weight in pull.get(unit, {}).items():
                        weights[service] += weight
                target = strongest_service(weights, FRESH + min(side))
                result.update(dict.fromkeys(side, target))
    return result


def _keys(
    community: Mapping[str, int], fixed: Mapping[str, str], unit_ties: Sequence[Tie]
) -> dict[str, str]:
    """Name each community by its anchor; split communities holding several anchors."""
    members: dict[int, list[str]] = defaultdict(list)
    for unit in sorted(community):
        members[community[unit]].append(unit)
    partition: dict[str, str] = {}
    for group in members.values():
        anchors = sorted({fixed[u] for u in group if u in fixed})
        if not anchors:
            partition.update(dict.fromkeys(group, FRESH + group[0]))
            continue
        partition.update({u: fixed[u] for u in group if u in fixed})
        free = [u for u in group if u not in fixed]
        partition.update(attach(free, {u: fixed[u] for u in group if u in fixed}, unit_ties))
        partition.update({u: anchors[0] for u in free if u not in partition})
    return partition


def _pull(unit_ties: Sequence[Tie], placed: Mapping[str, str]) -> dict[str, dict[str, float]]:
    """Unit -> service -> tie weight to that service's units and resources."""
    resource_service: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for tie in unit_ties:
        if tie.source in placed and tie.target not in placed and tie.kind != "call":
            resource_service[tie.target][placed[tie.source]] += tie.weight
    owner = {r: strongest_service(weights) for r, weights in resource_service.items()}
    pull: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for tie in unit_ties:
        for unit, other in ((tie.source, tie.target), (tie.target, tie.source)):
            if unit in placed:
                continue
            service = placed.get(other) or owner.get(other)
            if service:
                pull[unit][service] += tie.weight
    return {unit: dict(weights) for unit, weights in pull.items()}


class _Union:
    """Union-find over names; a set's label is its anchor, else its smallest name."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, name: str) -> str:
        self.parent.setdefault(name, name)
        while self.parent[name] != name:
            self.parent[name] = self.parent[self.parent[name]]
            name = self.parent[name]
        return name

    def join(self, first: str, second: str) -> None:
        a, b = self.find(first), self.find(second)
        if a != b:
            low, high = sorted((a, b), key=lambda n: (not n.startswith(_ANCHOR), n))
            self.parent[high] = low

    def label(self, name: str) -> str:
        return self.find(name)

"""Community detection over the affinity graph: seeded Louvain, the best of a few runs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import networkx as nx


def best_communities(
    graph: nx.Graph, *, resolution: float, seed: int, trials: int
) -> list[set[str]]:
    """Louvain communities of the graph, the most modular of `trials` runs.

    Args:
        graph: the affinity graph, nodes and edges added in sorted order.
        resolution: Louvain's resolution; higher gives more, smaller communities.
        seed: the seed of the first run; run i uses `seed + i`, so the same graph always
            gives the same communities.
        trials: how many runs to choose from (at least one).

    Returns:
        The communities, as sets of nodes.
    """
    best: list[set[str]] = []
    best_quality = -2.0
    for attempt in range(max(trials, 1)):
        found = nx.community.louvain_communities(
            graph, weight="weight", resolution=resolution, seed=seed + attempt
        )
        quality = modularity_at(graph, found, resolution)
        if quality > best_quality + 1e-12:
            best, best_quality = [set(c) for c in found], quality
    return best


def modularity_at(graph: nx.Graph, communities: Sequence[set[str]], resolution: float) -> float:
    """Newman's modularity at a resolution, as Louvain optimises it (weighted, undirected)."""
    total = graph.size(weight="weight")
    if total <= 0:
        return 0.0
    community = {node: index for index, nodes in enumerate(communities) for node in nodes}
    inside = [0.0] * len(communities)
    degree = [0.0] * len(communities)
    for first, second, weight in graph.edges(data="weight", default=1.0):
        degree[community[first]] += weight
        degree[community[second]] += weight
        if community[first] == community[second]:
            inside[community[first]] += weight
    return float(
        sum(
            inside[c] / total - resolution * (degree[c] / (2 * total)) ** 2
            for c in range(len(communities))
        )
    )


def class_blocks(units: Mapping[str, str]) -> dict[str, str]:
    """Methods of one class stay together: unit -> its class, for units given with a class."""
    return {unit: owner for unit, owner in sorted(units.items()) if owner}


def strongest_service(weights: Mapping[str, float], fallback: str = "") -> str:
    """The service with the most weight, ties to the first name; `fallback` when none."""
    if not weights:
        return fallback
    return min(weights, key=lambda service: (-weights[service], service))

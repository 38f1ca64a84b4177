"""How many services: scan Louvain resolutions, score each clustering, pick by a stated rule."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import networkx as nx

from splitter.planner.cluster import strongest_service
from splitter.planner.graph import Tie
from splitter.planner.metrics import (
    inter_call_percentage,
    modularity,
    non_extreme_distribution,
    structural_modularity,
)
from splitter.planner.placement import Layout, clusters_in, layout_graph
from splitter.planner.weights import Settings

NED_GUARD = 0.9
"""Clusterings with more of the code than this in too small or too large services are
considered only when nothing else is left."""

ICP_GUARD = 0.5
"""Nor those where more than this share of the call weight would cross services."""

TOLERANCE = 0.01
"""Modularity within this of the best counts as a tie, settled by the inter-call
percentage."""

_MAX_RESOLUTION = 20.0


@dataclass(frozen=True)
class Candidate:
    """One clustering that was considered, with the figures the choice looks at."""

    resolution: float
    count: int
    modularity: float
    structural_modularity: float
    inter_call_percentage: float
    non_extreme_distribution: float
    partition: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        return (
            f"{self.count} services (resolution {self.resolution:g}): "
            f"Q {self.modularity:.3f}, SM {self.structural_modularity:.3f}, "
            f"ICP {self.inter_call_percentage:.1%}, NED {self.non_extreme_distribution:.2f}"
        )


@dataclass(frozen=True)
class Choice:
    """The clustering kept, the others considered, and why, in words.

    `unchanged` is true when a plan file's placement was kept and no new code was placed.
    """

    requested: int | None
    chosen: Candidate
    candidates: tuple[Candidate, ...]
    reason: str
    unchanged: bool = False


def scan(
    layout: Layout, unit_ties: Sequence[Tie], graph: nx.DiGraph, settings: Settings
) -> list[Candidate]:
    """Cluster at each resolution of the settings (and higher ones when more services are
    asked for than the scan gives), each distinct clustering once."""
    found: dict[tuple[tuple[str, str], ...], Candidate] = {}
    resolutions = list(settings.resolutions)
    affinity = layout_graph(layout, unit_ties)
    while resolutions:
        resolution = resolutions.pop(0)
        partition = clusters_in(
            affinity,
            layout,
            unit_ties,
            resolution=resolution,
            seed=settings.seed,
            trials=settings.trials,
        )
        key = tuple(sorted(partition.items()))
        if key not in found:
            found[key] = score(graph, partition, resolution)
        wanted = settings.services or 0
        if (
            not resolutions
            and _most(found.values()) < wanted
            and resolution * 1.5 <= _MAX_RESOLUTION
        ):
            resolutions.append(round(resolution * 1.5, 3))
    return sorted(found.values(), key=lambda c: (c.count, c.resolution))


def score(graph: nx.DiGraph, partition: Mapping[str, str], resolution: float) -> Candidate:
    return Candidate(
        resolution=resolution,
        count=len(set(partition.values())),
        modularity=modularity(graph, partition),
        structural_modularity=structural_modularity(graph, partition),
        inter_call_percentage=inter_call_percentage(graph, partition),
        non_extreme_distribution=non_extreme_distribution(partition),
        partition=tuple(sorted(partition.items())),
    )


def choose(candidates: Sequence[Candidate], requested: int | None) -> Choice:
    """Pick the clustering: the one closest to `requested` services (then the most modular),
    or else, among those within the NED and ICP guards and within `TOLERANCE` of the best
    modularity (Q), the one with the fewest calls crossing services (ICP)."""
    if requested is not None:
        chosen = min(candidates, key=lambda c: (abs(c.count - requested), -c.modularity))
        reason = f"{requested} services were asked for; the closest clustering has {chosen.count}"
        return Choice(requested, chosen, tuple(candidates), reason)
    several = [c for c in candidates if c.count > 1] or list(candidates)
    guarded = [
        c
        for c in several
        if c.non_extreme_distribution <= NED_GUARD and c.inter_call_percentage <= ICP_GUARD
    ] or several
    best = max(c.modularity for c in guarded)
    near = [c for c in guarded if c.modularity >= best - TOLERANCE]
    chosen = min(near, key=lambda c: (c.inter_call_percentage, c.count, c.resolution))
    reason = (
        f"{chosen.count} services: among the {len(guarded)} of {len(candidates)} clusterings "
        f"within the guards (NED <= {NED_GUARD}, ICP <= {ICP_GUARD:.0%}), {len(near)} "
        f"{'comes' if len(near) == 1 else 'come'} within {TOLERANCE} of the best modularity "
        f"(Q {best:.3f}); this one (Q "
        f"{chosen.modularity:.3f}) keeps the most calls inside services (ICP "
        f"{chosen.inter_call_percentage:.1%})"
    )
    return Choice(None, chosen, tuple(candidates), reason)


def merge_down(
    partition: Mapping[str, str], count: int, unit_ties: Sequence[Tie]
) -> dict[str, str]:
    """Merge the smallest cluster into the one it is most tied to until `count` are left."""
    result = dict(partition)
    while len(set(result.values())) > max(count, 1):
        sizes: dict[str, int] = defaultdict(int)
        for cluster in result.values():
            sizes[cluster] += 1
        smallest = min(sizes, key=lambda c: (sizes[c], c))
        weights: dict[str, float] = defaultdict(float)
        for tie in unit_ties:
            first, second = result.get(tie.source, ""), result.get(tie.target, "")
            if first and second and first != second and smallest in (first, second):
                weights[second if first == smallest else first] += tie.weight
        fallback = min((c for c in sizes if c != smallest), key=lambda c: (sizes[c], c))
        target = strongest_service(weights, fallback)
        result = {unit: target if c == smallest else c for unit, c in result.items()}
    return result


def _most(found: Iterable[Candidate]) -> int:
    return max((candidate.count for candidate in found), default=0)

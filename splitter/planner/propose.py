"""The planner's use case: from evidence (and an edited plan) to proposed services."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import networkx as nx

from splitter.analyzer.model import Analysis
from splitter.planner.assemble import Placed, build_plan
from splitter.planner.assignment import SHARED, assign_functions
from splitter.planner.choice import Candidate, Choice, choose, merge_down, scan, score
from splitter.planner.constraints import (
    SHARED_TARGET,
    Constraints,
    matches,
    matching,
    without_excluded,
)
from splitter.planner.evidence import Evidence
from splitter.planner.gather import evidence_from_analysis
from splitter.planner.graph import Tie, call_graph, ties
from splitter.planner.metrics import QualityFigures
from splitter.planner.placement import Layout, attach, clusters
from splitter.planner.plan import Plan
from splitter.planner.shared import SharedCode, helper_candidates, helpers, infrastructure
from splitter.planner.transactions import transaction_groups
from splitter.planner.weights import Settings

FIRST_RESOLUTION = 1.0
"""The resolution of the first clustering, which only serves to find shared helpers."""


@dataclass(frozen=True)
class Proposal:
    """The proposed plan with its quality figures, how the number of services was chosen,
    and what a kept plan file said that no longer holds.

    `assignment` maps each unit to its service (or `SHARED`), `modules` each unit to its
    module.
    """

    plan: Plan
    figures: QualityFigures
    choice: Choice
    settings: Settings
    assignment: tuple[tuple[str, str], ...]
    missing: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    modules: tuple[tuple[str, str], ...] = ()

    def service_of(self, unit: str) -> str | None:
        """The service (or `SHARED`) a unit is placed in, None if it is not placed."""
        return dict(self.assignment).get(unit)


def propose_from_analysis(
    analysis: Analysis,
    settings: Settings | None = None,
    constraints: Constraints | None = None,
    previous: Plan | None = None,
    runtime: Mapping[tuple[str, str], float] | None = None,
) -> Proposal:
    """`propose` on an analysis, with runtime call counts (from a profile) merged in."""
    evidence = evidence_from_analysis(analysis)
    if runtime:
        evidence = evidence.with_runtime(runtime)
    return propose(evidence, settings, constraints, previous)


def propose(
    evidence: Evidence,
    settings: Settings | None = None,
    constraints: Constraints | None = None,
    previous: Plan | None = None,
) -> Proposal:
    """Propose services for the evidence.

    Args:
        evidence: units, calls, data uses and entries (`evidence_from_analysis`, or
            `splitter.planner.external_graph.read_graph`).
        settings: services wanted, seed, weights; defaults when None.
        constraints: keep-together, keep-apart, pins and exclusions.
        previous: a plan read from the plan file: what it places stays where it is, new
            code is placed by its ties, members that match nothing are reported.

    Returns:
        The proposal; the same input always gives the same proposal.
    """
    settings = settings or Settings()
    constraints = constraints or Constraints()
    every_unit = evidence.units
    evidence = without_excluded(evidence, constraints.exclude)
    names = [unit.name for unit in evidence.units]
    kept = assign_functions(previous, names) if previous else {}
    pins = {u: SHARED if s == SHARED_TARGET else s for u, s in constraints.pinned(names).items()}
    graph = call_graph(evidence, settings.weights)
    layout, shared, unit_ties = _prepare(evidence, settings, constraints, kept | pins)
    if previous is None:
        partition, choice = _fresh(layout, unit_ties, graph, settings)
        moved: frozenset[str] = frozenset(pins)
    else:
        partition, choice = _extended(layout, unit_ties, graph, settings)
        fresh = propose(evidence, settings, constraints)
        moved = frozenset(pins) | _moved(dict(fresh.assignment), kept) | _pinned(previous)
    placed = Placed(evidence, partition, shared, unit_ties, every_unit, previous, moved)
    plan, figures = build_plan(placed, graph)
    assignment = assign_functions(plan, names)
    missing = _missing(previous, names) if previous else ()
    return Proposal(
        plan,
        figures,
        choice,
        settings,
        tuple(sorted(assignment.items())),
        missing,
        _notes(plan, evidence) + _broken(constraints, assignment),
        tuple((unit.name, unit.module) for unit in evidence.units),
    )


def _prepare(
    evidence: Evidence, settings: Settings, constraints: Constraints, fixed: Mapping[str, str]
) -> tuple[Layout, SharedCode, list[Tie]]:
    """Find the shared library, then the ties and the layout of everything else."""
    to_services = {unit: s for unit, s in fixed.items() if s != SHARED}
    by_hand = {u: "placed in the shared library by hand" for u, s in fixed.items() if s == SHARED}
    base = infrastructure(evidence, settings.shared).without(to_services).adding(by_hand)
    first = _first_partition(evidence, settings, base, to_services, constraints)
    shared = helpers(evidence, settings.shared, base, first).without(to_services)
    unit_ties = ties(evidence, settings.weights, shared.members)
    units = tuple(unit.name for unit in evidence.units if unit.name not in shared.members)
    placed = set(units)
    transactions = tuple(
        tuple(unit for unit in group if unit in placed)
        for group in transaction_groups(evidence, shared.members)
    )
    layout = Layout(
        units=units,
        classes={unit.name: unit.class_name for unit in evidence.units},
        fixed=to_services,
        together=(
            *(_units_of(group, units) for group in constraints.keep_together),
            *transactions,
        ),
        apart=tuple(
            tuple(_units_of((pattern,), units) for pattern in group)
            for group in constraints.keep_apart
        ),
    )
    return layout, shared, unit_ties


def _first_partition(
    evidence: Evidence,
    settings: Settings,
    base: SharedCode,
    fixed: Mapping[str, str],
    constraints: Constraints,
) -> dict[str, str]:
    """A clustering without the shared code and the helper candidates, to see which services
    each candidate's callers fall in."""
    left_out = base.members | set(helper_candidates(evidence, base))
    units = tuple(unit.name for unit in evidence.units if unit.name not in left_out)
    layout = Layout(
        units=units,
        classes={unit.name: unit.class_name for unit in evidence.units},
        fixed={unit: service for unit, service in fixed.items() if unit in units},
        together=tuple(_units_of(group, units) for group in constraints.keep_together),
    )
    unit_ties = ties(evidence, settings.weights, left_out)
    return clusters(
        layout, unit_ties, resolution=FIRST_RESOLUTION, seed=settings.seed, trials=settings.trials
    )


def _fresh(
    layout: Layout, unit_ties: Sequence[Tie], graph: nx.DiGraph, settings: Settings
) -> tuple[dict[str, str], Choice]:
    candidates = scan(layout, unit_ties, graph, settings)
    choice = choose(candidates, settings.services)
    partition = dict(choice.chosen.partition)
    if settings.services is not None and choice.chosen.count > settings.services:
        partition = merge_down(partition, settings.services, unit_ties)
        merged = score(graph, partition, choice.chosen.resolution)
        reason = f"{choice.reason}, merged down to {merged.count} by their ties"
        choice = Choice(choice.requested, merged, choice.candidates, reason)
    return partition, choice


def _extended(
    layout: Layout, unit_ties: Sequence[Tie], graph: nx.DiGraph, settings: Settings
) -> tuple[dict[str, str], Choice]:
    """Keep the plan's placement; attach new code by its ties, cluster what has none."""
    partition = dict(layout.fixed)
    new = [unit for unit in layout.units if unit not in partition]
    partition |= attach(new, partition, unit_ties)
    leftover = tuple(unit for unit in new if unit not in partition)
    if leftover:
        alone = Layout(units=leftover, classes=layout.classes)
        partition |= clusters(
            alone, unit_ties, resolution=FIRST_RESOLUTION, seed=settings.seed, trials=1
        )
    chosen: Candidate = score(graph, partition, 0.0)
    reason = (
        f"{chosen.count} services as the plan file has them; {len(new)} new functions "
        f"placed by their ties ({len(leftover)} in new services)"
    )
    return partition, Choice(None, chosen, (chosen,), reason, unchanged=not new)


def _moved(fresh: Mapping[str, str], kept: Mapping[str, str]) -> frozenset[str]:
    """Units the plan file puts elsewhere than a fresh proposal would, each fresh service
    matched to the kept service it shares most units with."""
    overlap: Counter[tuple[str, str]] = Counter(
        (fresh[unit], kept[unit]) for unit in kept if unit in fresh
    )
    match: dict[str, str] = {}
    for (proposed, placed), _ in sorted(overlap.items(), key=lambda i: (-i[1], i[0])):
        match.setdefault(proposed, placed)
    return frozenset(
        unit
        for unit, service in kept.items()
        if service != SHARED and unit in fresh and match.get(fresh[unit]) != service
    )


def _pinned(previous: Plan) -> frozenset[str]:
    return frozenset(member for service in previous.services for member in service.pinned)


def _missing(previous: Plan, names: Sequence[str]) -> tuple[str, ...]:
    """Members of the plan that no function matches any more."""
    members = [*previous.shared.members, *(m for s in previous.services for m in s.members)]
    known = set(names)
    prefixes = {n.rsplit(".", depth)[0] for n in names for depth in range(1, n.count(".") + 1)}
    found = []
    for member in members:
        if any(char in member for char in "*?["):
            prefix = member.removesuffix(".*")
            alive = (
                prefix in prefixes
                if member.endswith(".*") and "*" not in prefix
                else any(matches(member, unit) for unit in names)
            )
        else:
            alive = member in known or member in prefixes
        if not alive:
            found.append(member)
    return tuple(sorted(found))


def _notes(plan: Plan, evidence: Evidence) -> tuple[str, ...]:
    placed = {entry for service in plan.services for entry in service.entry_points}
    found = []
    for entry in evidence.entries:
        if entry.name in placed:
            continue
        if entry.unit:
            found.append(f"entry point {entry.name} ({entry.kind}) stays with the shared library")
        else:
            found.append(
                f"entry point {entry.name} ({entry.kind}) is a module's top-level code, which "
                "no service owns: it starts no workflow"
            )
    return tuple(found)


def _broken(constraints: Constraints, assignment: Mapping[str, str]) -> tuple[str, ...]:
    """Constraints the plan does not meet (a plan file's placement wins over them)."""
    found = []
    for group in constraints.keep_together:
        services = {assignment[u] for u in _units_of(group, list(assignment))}
        if len(services) > 1:
            found.append(f"keep-together {list(group)} spans {', '.join(sorted(services))}")
    for group in constraints.keep_apart:
        sides = [{assignment[u] for u in _units_of((p,), list(assignment))} for p in group]
        shared = set.intersection(*sides) - {SHARED} if sides else set()
        if shared:
            found.append(f"keep-apart {list(group)} meet in {', '.join(sorted(shared))}")
    return tuple(found)


def _units_of(patterns: Sequence[str], units: Sequence[str]) -> tuple[str, ...]:
    return tuple(sorted({unit for pattern in patterns for unit in matching(pattern, units)}))

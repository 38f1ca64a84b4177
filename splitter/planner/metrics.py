"""Quality figures of a proposed decomposition: pure functions of a call graph and a partition."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import networkx as nx

from splitter.errors import InputError

Partition = Mapping[str, str]
"""Function qualified name -> service name.

Every figure ignores functions missing from the partition (a shared library, say), the edges
that touch them, and self-loops. Formulas and sources: `docs/metrics.md`.
"""

Contexts = Mapping[str, frozenset[str]]
"""Business context (an entry point or workflow) -> the functions it reaches."""

TableAccess = Mapping[str, Mapping[str, str]]
"""Function -> {table: "read" | "write"}."""

Call = tuple[str, str, float]
"""A call between two distinct partitioned functions: caller, callee, weight."""

DEFAULT_MIN_SIZE = 5
"""Smallest service size NED calls non-extreme, as in Mono2Micro."""

DEFAULT_MAX_SIZE = 20
"""Largest service size NED calls non-extreme, as in Mono2Micro."""


@dataclass(frozen=True)
class ServiceFigures:
    """How one service holds together (cohesion) and what ties it to the others (coupling)."""

    name: str
    size: int
    internal_weight: float
    boundary_weight: float
    coupled_services: tuple[str, ...]
    interface: tuple[str, ...]

    @property
    def cohesion(self) -> float:
        """Internal call weight over internal plus boundary weight; 0.0 with no calls at all."""
        whole = self.internal_weight + self.boundary_weight
        return self.internal_weight / whole if whole > 0 else 0.0

    @property
    def coupling(self) -> int:
        """Number of other services this one calls or is called by."""
        return len(self.coupled_services)

    def to_dict(self) -> dict[str, Any]:
        """Plain data with sorted keys and floats rounded to 4 decimals."""
        return _plain_dict(
            {
                "name": self.name,
                "size": self.size,
                "cohesion": self.cohesion,
                "coupling": self.coupling,
                "internal_weight": self.internal_weight,
                "boundary_weight": self.boundary_weight,
                "coupled_services": self.coupled_services,
                "interface": self.interface,
            }
        )

    def __str__(self) -> str:
        return (
            f"{self.name}: {self.size} functions, cohesion {self.cohesion:.4f}, "
            f"coupled to {self.coupling} ({self.boundary_weight:g} boundary weight), "
            f"interface {len(self.interface)}"
        )


@dataclass(frozen=True)
class TableUse:
    """The services that touch one table, and those among them that write it."""

    table: str
    services: tuple[str, ...]
    writers: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """Plain data with sorted keys."""
        return _plain_dict(
            {"table": self.table, "services": self.services, "writers": self.writers}
        )


@dataclass(frozen=True)
class TableSharing:
    """Database transactional purity after CARGO: how many services share each table."""

    tables: tuple[TableUse, ...]

    @property
    def mean_services_per_table(self) -> float:
        """Mean number of services touching a table; 1.0 is pure, 0.0 when there are no tables."""
        if not self.tables:
            return 0.0
        return sum(len(use.services) for use in self.tables) / len(self.tables)

    @property
    def shared_tables(self) -> tuple[str, ...]:
        """Tables touched by more than one service (candidates for distributed transactions)."""
        return tuple(use.table for use in self.tables if len(use.services) > 1)

    @property
    def shared_written_tables(self) -> tuple[str, ...]:
        """Tables written by more than one service (no single owner)."""
        return tuple(use.table for use in self.tables if len(use.writers) > 1)

    def to_dict(self) -> dict[str, Any]:
        """Plain data with sorted keys and floats rounded to 4 decimals."""
        return _plain_dict(
            {
                "mean_services_per_table": self.mean_services_per_table,
                "shared_tables": self.shared_tables,
                "shared_written_tables": self.shared_written_tables,
                "tables": [use.to_dict() for use in self.tables],
            }
        )


@dataclass(frozen=True)
class QualityFigures:
    """Every quality figure of one decomposition, computed by `measure`."""

    service_count: int
    function_count: int
    structural_modularity: float
    inter_call_percentage: float
    interface_number: float
    non_extreme_distribution: float
    business_context_purity: float
    modularity: float
    services: tuple[ServiceFigures, ...]
    tables: TableSharing

    @property
    def mean_cohesion(self) -> float:
        """Mean of the services' cohesion; 0.0 with no services."""
        if not self.services:
            return 0.0
        return sum(service.cohesion for service in self.services) / len(self.services)

    def to_dict(self) -> dict[str, Any]:
        """Plain data with sorted keys and floats rounded to 4 decimals, ready for JSON."""
        return _plain_dict(
            {
                "service_count": self.service_count,
                "function_count": self.function_count,
                "structural_modularity": self.structural_modularity,
                "inter_call_percentage": self.inter_call_percentage,
                "interface_number": self.interface_number,
                "non_extreme_distribution": self.non_extreme_distribution,
                "business_context_purity": self.business_context_purity,
                "modularity": self.modularity,
                "mean_cohesion": self.mean_cohesion,
                "services": [service.to_dict() for service in self.services],
                "tables": self.tables.to_dict(),
            }
        )

    def __str__(self) -> str:
        higher, lower = "higher is better", "lower is better"
        shared = ", ".join(self.tables.shared_tables) or "none"
        rows = [
            ("structural modularity SM", f"{self.structural_modularity:.4f}", higher),
            ("inter-call percentage ICP", f"{self.inter_call_percentage:.2%}", lower),
            ("interface number IFN", f"{self.interface_number:.4f}", lower),
            ("non-extreme distribution NED", f"{self.non_extreme_distribution:.4f}", lower),
            (
                "business context purity BCP",
                f"{self.business_context_purity:.4f}",
                f"nats, {lower}",
            ),
            ("modularity Q", f"{self.modularity:.4f}", higher),
            ("mean cohesion", f"{self.mean_cohesion:.4f}", higher),
            ("services per table", f"{self.tables.mean_services_per_table:.4f}", lower),
        ]
        lines = [f"{self.service_count} services over {self.function_count} functions"]
        lines += [f"  {label:<30}{value:>9}  ({note})" for label, value, note in rows]
        lines.append(f"  shared tables: {shared}")
        return "\n".join(lines + [f"  - {service}" for service in self.services])


def structural_modularity(graph: nx.DiGraph, partition: Partition) -> float:
    """Structural Modularity (SM) of Jin et al. (IEEE TSE 2019), as Mono2Micro reports it.

    SM = (1/K) sum_i scoh_i - (1/(K(K-1)/2)) sum_{i != j} scop_ij, with
    scoh_i = mu_i / N_i**2 and scop_ij = sigma_ij / (2 N_i N_j). K is the number of services,
    N_i the members of service i, mu_i the pairs of its members joined by a call (either
    direction, counted once), sigma_ij the pairs joined across services i and j. The coupling
    sum runs over ordered pairs, so each pair of services counts twice, which the 2 in scop
    offsets. With K = 1 the coupling term is 0. Call weights are not used: SM counts links.

    Args:
        graph: the call graph over function names.
        partition: function -> service.

    Returns:
        SM in [-1, 0.5); higher is better. 0.0 for an empty partition.
    """
    members = _members(partition)
    if not members:
        return 0.0
    inside, across = _linked_pair_counts(graph, partition)
    k = len(members)
    cohesion = sum(inside[name] / len(functions) ** 2 for name, functions in members.items()) / k
    if k == 1:
        return cohesion
    coupling = 0.0
    for (first, second), sigma in across.items():
        scop = sigma / (2 * len(members[first]) * len(members[second]))
        coupling += 2 * scop  # scop_ij and scop_ji
    return cohesion - coupling / (k * (k - 1) / 2)


def inter_call_percentage(graph: nx.DiGraph, partition: Partition) -> float:
    """Inter-Call Percentage (ICP) of Kalia et al. (Mono2Micro, ESEC/FSE 2021).

    ICP = (weight of calls whose caller and callee sit in different services)
    / (weight of all calls between partitioned functions).

    Args:
        graph: the call graph; edge attribute `weight` is the call strength (default 1.0).
        partition: function -> service.

    Returns:
        A fraction in [0, 1] (multiply by 100 for a percentage); lower is better.
        0.0 when there is no call weight.
    """
    calls = _calls(graph, partition)
    total = sum(weight for _, _, weight in calls)
    if total <= 0:
        return 0.0
    across = sum(
        weight for caller, callee, weight in calls if partition[caller] != partition[callee]
    )
    return across / total


def interface_number(graph: nx.DiGraph, partition: Partition) -> float:
    """Interface Number (IFN) of Jin et al. (IEEE TSE 2019), used by Mono2Micro.

    The interface of a service is the set of its members called from another service;
    IFN = (1/K) sum_i |interface_i|.

    Args:
        graph: the call graph over function names.
        partition: function -> service.

    Returns:
        IFN in [0, max service size]; lower is better. 0.0 for an empty partition.
    """
    interfaces = _interfaces(graph, partition)
    if not interfaces:
        return 0.0
    return sum(len(members) for members in interfaces.values()) / len(interfaces)


def non_extreme_distribution(
    partition: Partition,
    *,
    min_size: int = DEFAULT_MIN_SIZE,
    max_size: int = DEFAULT_MAX_SIZE,
) -> float:
    """Non-Extreme Distribution (NED) of Kalia et al. (Mono2Micro, ESEC/FSE 2021).

    NED = 1 - (functions in services whose size s has min_size <= s <= max_size)
    / (all partitioned functions). Both bounds are inclusive.

    Args:
        partition: function -> service.
        min_size: the smallest non-extreme service size (default 5).
        max_size: the largest non-extreme service size (default 20).

    Returns:
        NED in [0, 1]; lower is better. 0.0 for an empty partition.

    Raises:
        InputError: when min_size is above max_size.
    """
    if min_size > max_size:
        raise InputError(
            f"NED bounds are reversed: min_size {min_size} > max_size {max_size}",
            hint="pass min_size <= max_size (Mono2Micro uses 5 and 20)",
        )
    sizes = [len(members) for members in _members(partition).values()]
    total = sum(sizes)
    if total == 0:
        return 0.0
    return 1.0 - sum(size for size in sizes if min_size <= size <= max_size) / total


def business_context_purity(partition: Partition, contexts: Contexts) -> float:
    """Business Context Purity (BCP) of Kalia et al. (Mono2Micro, ESEC/FSE 2021).

    For each service, count every (member, context) pair where the context reaches the member,
    and take the Shannon entropy of those counts per context, in nats (natural logarithm).
    BCP is the mean over the services that at least one context reaches; members reached by
    no context are left out, and services with no reached member too.

    Args:
        partition: function -> service.
        contexts: business context -> the functions it reaches.

    Returns:
        BCP in [0, ln C] for C contexts; 0.0 when every service serves one context; lower is
        better. 0.0 when no partitioned function is reached by any context.
    """
    per_service: dict[str, Counter[str]] = defaultdict(Counter)
    for context, reached in contexts.items():
        for function in reached:
            if function in partition:
                per_service[partition[function]][context] += 1
    if not per_service:
        return 0.0
    return sum(_entropy(counts.values()) for counts in per_service.values()) / len(per_service)


def modularity(graph: nx.DiGraph, partition: Partition) -> float:
    """Newman's modularity Q of the services, on the undirected weighted projection.

    The weights of a->b and b->a are summed into one undirected edge; Q is computed by
    `networkx.community.modularity` with resolution 1.

    Args:
        graph: the call graph; edge attribute `weight` is the call strength (default 1.0).
        partition: function -> service.

    Returns:
        Q in [-0.5, 1); higher is better. 0.0 when there is no call weight.
    """
    projection = _undirected_projection(graph, partition)
    if projection.size(weight="weight") <= 0:
        return 0.0
    communities = list(_members(partition).values())
    return float(nx.community.modularity(projection, communities, weight="weight"))


def service_figures(graph: nx.DiGraph, partition: Partition) -> tuple[ServiceFigures, ...]:
    """Per-service cohesion and coupling, services in name order.

    Internal weight is the weight of calls inside the service; boundary weight that of calls
    with exactly one end in it (either direction). Cohesion = internal / (internal + boundary).
    Coupling is the number of other services it calls or is called by.

    Args:
        graph: the call graph; edge attribute `weight` is the call strength (default 1.0).
        partition: function -> service.

    Returns:
        One `ServiceFigures` per service; empty for an empty partition.
    """
    internal: dict[str, float] = defaultdict(float)
    boundary: dict[str, float] = defaultdict(float)
    neighbours: dict[str, set[str]] = defaultdict(set)
    for caller, callee, weight in _calls(graph, partition):
        source, target = partition[caller], partition[callee]
        if source == target:
            internal[source] += weight
            continue
        for own, other in ((source, target), (target, source)):
            boundary[own] += weight
            neighbours[own].add(other)
    interfaces = _interfaces(graph, partition)
    return tuple(
        ServiceFigures(
            name=name,
            size=len(members),
            internal_weight=internal[name],
            boundary_weight=boundary[name],
            coupled_services=tuple(sorted(neighbours[name])),
            interface=tuple(sorted(interfaces[name])),
        )
        for name, members in _members(partition).items()
    )


def table_sharing(partition: Partition, table_access: TableAccess) -> TableSharing:
    """Database transactional purity after CARGO (Nitin et al., ASE 2022).

    For each table, the services whose functions touch it, and those that write it (mode
    "write"; any other mode counts as a read). Tables touched by no partitioned function are
    left out.

    Args:
        partition: function -> service.
        table_access: function -> {table: "read" | "write"}.

    Returns:
        The tables in name order with their services and writers.
    """
    touching: dict[str, set[str]] = defaultdict(set)
    writing: dict[str, set[str]] = defaultdict(set)
    for function, access in table_access.items():
        if function not in partition:
            continue
        for table, mode in access.items():
            touching[table].add(partition[function])
            if mode == "write":
                writing[table].add(partition[function])
    return TableSharing(
        tuple(
            TableUse(table, tuple(sorted(touching[table])), tuple(sorted(writing[table])))
            for table in sorted(touching)
        )
    )


def measure(
    graph: nx.DiGraph,
    partition: Partition,
    contexts: Contexts | None = None,
    table_access: TableAccess | None = None,
    *,
    min_size: int = DEFAULT_MIN_SIZE,
    max_size: int = DEFAULT_MAX_SIZE,
) -> QualityFigures:
    """Compute every quality figure of one decomposition.

    Args:
        graph: the call graph; edge attribute `weight` is the call strength (default 1.0).
        partition: function -> service.
        contexts: business context -> the functions it reaches (none: BCP is 0.0).
        table_access: function -> {table: "read" | "write"} (none: no tables).
        min_size: the smallest non-extreme service size for NED.
        max_size: the largest non-extreme service size for NED.

    Returns:
        The figures, gathered in a `QualityFigures`.

    Raises:
        InputError: when min_size is above max_size.
    """
    return QualityFigures(
        service_count=len(set(partition.values())),
        function_count=len(partition),
        structural_modularity=structural_modularity(graph, partition),
        inter_call_percentage=inter_call_percentage(graph, partition),
        interface_number=interface_number(graph, partition),
        non_extreme_distribution=non_extreme_distribution(
            partition, min_size=min_size, max_size=max_size
        ),
        business_context_purity=business_context_purity(partition, contexts or {}),
        modularity=modularity(graph, partition),
        services=service_figures(graph, partition),
        tables=table_sharing(partition, table_access or {}),
    )


def _members(partition: Partition) -> dict[str, frozenset[str]]:
    """The partitioned functions grouped by service, services in name order."""
    groups: dict[str, set[str]] = defaultdict(set)
    for function, service in partition.items():
        groups[service].add(function)
    return {service: frozenset(groups[service]) for service in sorted(groups)}


def _calls(graph: nx.DiGraph, partition: Partition) -> list[Call]:
    """The calls between two distinct partitioned functions, with their weight."""
    return [
        (caller, callee, float(data.get("weight", 1.0)))
        for caller, callee, data in graph.edges(data=True)
        if caller != callee and caller in partition and callee in partition
    ]


def _linked_pair_counts(
    graph: nx.DiGraph, partition: Partition
) -> tuple[Counter[str], Counter[tuple[str, str]]]:
    """Pairs of functions joined by a call, counted once, inside each service and across two."""
    inside: Counter[str] = Counter()
    across: Counter[tuple[str, str]] = Counter()
    pairs = {frozenset((caller, callee)) for caller, callee, _ in _calls(graph, partition)}
    for pair in pairs:
        first, second = sorted(partition[function] for function in pair)
        if first == second:
            inside[first] += 1
        else:
            across[(first, second)] += 1
    return inside, across


def _interfaces(graph: nx.DiGraph, partition: Partition) -> dict[str, frozenset[str]]:
    """For each service, its members called from another service."""
    called: dict[str, set[str]] = {service: set() for service in _members(partition)}
    for caller, callee, _ in _calls(graph, partition):
        if partition[caller] != partition[callee]:
            called[partition[callee]].add(callee)
    return {service: frozenset(members) for service, members in called.items()}


def _undirected_projection(graph: nx.DiGraph, partition: Partition) -> nx.Graph:
    """The partitioned functions as an undirected graph, weights of a->b and b->a summed."""
    projection = nx.Graph()
    projection.add_nodes_from(sorted(partition))
    for caller, callee, weight in _calls(graph, partition):
        if projection.has_edge(caller, callee):
            projection[caller][callee]["weight"] += weight
        else:
            projection.add_edge(caller, callee, weight=weight)
    return projection


def _entropy(counts: Iterable[int]) -> float:
    """Shannon entropy, in nats, of the distribution the counts describe."""
    values = [count for count in counts if count > 0]
    total = sum(values)
    return sum(count / total * math.log(total / count) for count in values)


def _plain_dict(mapping: Mapping[str, Any]) -> dict[str, Any]:
    """A dict for JSON: keys sorted, values made plain by `_plain`."""
    return {key: _plain(mapping[key]) for key in sorted(mapping)}


def _plain(value: Any) -> Any:
    """Plain data for JSON: dict keys sorted, tuples as lists, floats rounded to 4 decimals."""
    if isinstance(value, Mapping):
        return _plain_dict(value)
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, float):
        return round(value, 4)
    return value

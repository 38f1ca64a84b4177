"""Quality figures against small decompositions worked out by hand, edge cases and properties."""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Callable

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from splitter.errors import InputError
from splitter.planner.metrics import (
    QualityFigures,
    business_context_purity,
    inter_call_percentage,
    interface_number,
    measure,
    modularity,
    non_extreme_distribution,
    service_figures,
    structural_modularity,
    table_sharing,
)

Edge = tuple[str, str] | tuple[str, str, float]
Figure = Callable[[nx.DiGraph, dict[str, str]], float]


def graph(*edges: Edge) -> nx.DiGraph:
    """A call graph from (caller, callee) or (caller, callee, weight) tuples."""
    built = nx.DiGraph()
    for edge in edges:
        weight = edge[2] if len(edge) == 3 else 1.0
        built.add_edge(edge[0], edge[1], weight=weight)
    return built


def split(**services: str) -> dict[str, str]:
    """A partition from service=\"member member ...\" keywords."""
    return {member: name for name, members in services.items() for member in members.split()}


def sized(*sizes: int) -> dict[str, str]:
    """A partition with services of the given sizes (members need no calls for NED)."""
    return {f"s{i}.f{j}": f"s{i}" for i, size in enumerate(sizes) for j in range(size)}


TRIANGLES = [("a1", "a2"), ("a2", "a3"), ("a1", "a3"), ("b1", "b2"), ("b2", "b3"), ("b1", "b3")]

# Two triangles joined by one call a3 -> b1, every weight 1.
BRIDGED = (graph(*TRIANGLES, ("a3", "b1")), split(a="a1 a2 a3", b="b1 b2 b3"))

# The same shape with a1 -> a2 of weight 2 and the bridge of weight 3.
WEIGHTED = (
    graph(("a1", "a2", 2.0), *TRIANGLES[1:], ("a3", "b1", 3.0)),
    split(a="a1 a2 a3", b="b1 b2 b3"),
)

# Three services in a chain x - y - z; x1 and x2 call each other; y has a single member.
CHAIN = (
    graph(("x1", "x2"), ("x2", "x1"), ("x1", "y1"), ("y1", "z1"), ("z1", "z2")),
    split(x="x1 x2", y="y1", z="z1 z2"),
)

# BRIDGED plus an unpartitioned shared library, called from both sides, and a recursion.
WITH_LIBRARY = (
    graph(*TRIANGLES, ("a3", "b1"), ("a1", "lib.log", 5.0), ("lib.log", "b2"), ("a1", "a1")),
    split(a="a1 a2 a3", b="b1 b2 b3"),
)

# One service; a -> c and c -> a join the same pair.
ONE_SERVICE = (graph(("a", "b"), ("b", "c"), ("c", "a"), ("a", "c")), split(s="a b c"))

# BRIDGED with a member a4 that no call reaches.
WITH_IDLE_MEMBER = (BRIDGED[0], split(a="a1 a2 a3 a4", b="b1 b2 b3"))

# t calls into s three times (s1 twice), and s calls t1 once.
HUB = (
    graph(("t1", "s1"), ("t2", "s1"), ("t3", "s2"), ("s1", "t1")),
    split(s="s1 s2", t="t1 t2 t3"),
)


@pytest.mark.parametrize(
    ("example", "expected"),
    [
        # scoh_a = scoh_b = 3/9; scop_ab = scop_ba = 1/(2*3*3) = 1/18;
        # SM = 1/3 - (1/18 + 1/18) / (2*1/2) = 1/3 - 1/9 = 2/9
        (BRIDGED, 2 / 9),
        # SM counts links, not weight: same as BRIDGED = 2/9
        (WEIGHTED, 2 / 9),
        # scoh = 1/4 (x: one pair), 0 (y), 1/4 (z); mean 1/6; scop_xy = 1/(2*2*1) = 1/4,
        # scop_yz = 1/4, scop_xz = 0; ordered sum 2*(1/4 + 1/4) = 1 over K(K-1)/2 = 3;
        # SM = 1/6 - 1/3 = -1/6
        (CHAIN, -1 / 6),
        # library edges and the recursion are ignored: 2/9
        (WITH_LIBRARY, 2 / 9),
        # K = 1: pairs {a,b}, {b,c}, {a,c} -> 3/9, no coupling term
        (ONE_SERVICE, 1 / 3),
        # scoh_a = 3/16, scoh_b = 3/9; scop = 1/(2*4*3) = 1/24, ordered sum 1/12;
        # SM = (3/16 + 1/3)/2 - 1/12 = 25/96 - 8/96 = 17/96
        (WITH_IDLE_MEMBER, 17 / 96),
    ],
    ids=["bridged", "weighted", "chain", "library", "one-service", "idle-member"],
)
def test_structural_modularity_by_hand(
    example: tuple[nx.DiGraph, dict[str, str]], expected: float
) -> None:
    assert structural_modularity(*example) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("example", "expected"),
    [
        (BRIDGED, 1 / 7),  # one of seven unit calls crosses
        (WEIGHTED, 3 / 10),  # bridge 3 over 2+1+1+1+1+1+3 = 10
        (CHAIN, 2 / 5),  # x1->y1 and y1->z1 of five calls
        (WITH_LIBRARY, 1 / 7),  # library calls and recursion left out: as BRIDGED
        (ONE_SERVICE, 0.0),  # nothing crosses
        (HUB, 1.0),  # every call crosses
    ],
    ids=["bridged", "weighted", "chain", "library", "one-service", "hub"],
)
def test_inter_call_percentage_by_hand(
    example: tuple[nx.DiGraph, dict[str, str]], expected: float
) -> None:
    assert inter_call_percentage(*example) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("example", "expected"),
    [
        (BRIDGED, 0.5),  # a: none called from b; b: b1 -> (0 + 1)/2
        (CHAIN, 2 / 3),  # x: none; y: y1; z: z1 -> (0 + 1 + 1)/3
        (HUB, 1.5),  # s: s1 (twice, counted once), s2; t: t1 -> (2 + 1)/2
        (WITH_LIBRARY, 0.5),  # lib.log -> b2 does not put b2 in b's interface
        (ONE_SERVICE, 0.0),  # no other service calls in
    ],
    ids=["bridged", "chain", "hub", "library", "one-service"],
)
def test_interface_number_by_hand(
    example: tuple[nx.DiGraph, dict[str, str]], expected: float
) -> None:
    assert interface_number(*example) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("sizes", "bounds", "expected"),
    [
        ((3, 5, 12), (5, 20), 1 - 17 / 20),  # 5 + 12 of 20 in bounds -> 0.15
        ((1, 1, 25), (5, 20), 1.0),  # nothing in bounds
        ((20, 21), (5, 20), 1 - 20 / 41),  # 20 is in (inclusive), 21 is out
        ((1, 2, 3, 4), (2, 3), 1 - 5 / 10),  # custom bounds: 2 + 3 of 10
        ((6, 6), (5, 20), 0.0),  # all in bounds
    ],
    ids=["mixed", "all-extreme", "inclusive-max", "custom-bounds", "all-in"],
)
def test_non_extreme_distribution_by_hand(
    sizes: tuple[int, ...], bounds: tuple[int, int], expected: float
) -> None:
    low, high = bounds
    figure = non_extreme_distribution(sized(*sizes), min_size=low, max_size=high)
    assert figure == pytest.approx(expected)


def test_non_extreme_distribution_defaults_are_mono2micro_bounds() -> None:
    # sizes 4 and 5 with the default [5, 20]: 1 - 5/9
    assert non_extreme_distribution(sized(4, 5)) == pytest.approx(4 / 9)


def test_non_extreme_distribution_rejects_reversed_bounds() -> None:
    with pytest.raises(InputError, match="reversed"):
        non_extreme_distribution(sized(3), min_size=10, max_size=2)


H_TWO_TO_ONE = math.log(3) - 2 / 3 * math.log(2)  # -(2/3 ln 2/3 + 1/3 ln 1/3) = 0.636514


@pytest.mark.parametrize(
    ("partition", "contexts", "expected"),
    [
        # s1: checkout x2, refund x1 -> H(2/3, 1/3) = 0.636514; s2: checkout x2 -> 0;
        # mean 0.318257
        (
            split(s1="f1 f2 f3", s2="g1 g2"),
            {"checkout": frozenset({"f1", "f2", "g1", "g2"}), "refund": frozenset({"f3"})},
            H_TWO_TO_ONE / 2,
        ),
        # f1 counts once for each of A and B: A x2, B x1 -> 0.636514
        (split(s="f1 f2"), {"A": frozenset({"f1", "f2"}), "B": frozenset({"f1"})}, H_TWO_TO_ONE),
        # f3 reached by nothing is left out (ln 2); s2 reached by nothing is left out of the mean
        (
            split(s1="f1 f2 f3", s2="g1"),
            {"A": frozenset({"f1"}), "B": frozenset({"f2"})},
            math.log(2),
        ),
        # four contexts, one member each: ln 4 = 1.386294
        (
            split(s="f1 f2 f3 f4"),
            {c: frozenset({f"f{i}"}) for i, c in enumerate("ABCD", start=1)},
            math.log(4),
        ),
        # a context reaching only the unpartitioned library adds nothing: 0
        (split(s="f1 f2"), {"A": frozenset({"f1", "f2"}), "B": frozenset({"lib.log"})}, 0.0),
    ],
    ids=["two-services", "member-in-two-contexts", "unreached-left-out", "uniform", "library"],
)
def test_business_context_purity_by_hand(
    partition: dict[str, str], contexts: dict[str, frozenset[str]], expected: float
) -> None:
    assert business_context_purity(partition, contexts) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("example", "expected"),
    [
        # m = 7; a: L = 3, degrees 2+2+3 = 7; b the same;
        # Q = 2 * (3/7 - (7/14)**2) = 6/7 - 1/2 = 5/14
        (BRIDGED, 5 / 14),
        # m = 10; a: L = 4, d = 3+3+5 = 11; b: L = 3, d = 5+2+2 = 9;
        # Q = (0.4 - 0.55**2) + (0.3 - 0.45**2) = 0.0975 + 0.0975 = 0.195
        (WEIGHTED, 0.195),
        # x1-x2 merged to weight 2, m = 5; degrees x1 3, x2 2, y1 2, z1 2, z2 1;
        # x: 2/5 - (5/10)**2 = 0.15; y: 0 - (2/10)**2 = -0.04; z: 1/5 - (3/10)**2 = 0.11;
        # Q = 0.22
        (CHAIN, 0.22),
        # one community holding every edge: L/m - 1 = 0
        (ONE_SERVICE, 0.0),
        # an idle member is an isolated node: Q as BRIDGED
        (WITH_IDLE_MEMBER, 5 / 14),
    ],
    ids=["bridged", "weighted", "chain", "one-service", "idle-member"],
)
def test_modularity_by_hand(example: tuple[nx.DiGraph, dict[str, str]], expected: float) -> None:
    assert modularity(*example) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("example", "expected"),
    [
        # name, internal, boundary, cohesion, coupled services, interface
        (
            BRIDGED,
            [("a", 3.0, 1.0, 3 / 4, ("b",), ()), ("b", 3.0, 1.0, 3 / 4, ("a",), ("b1",))],
        ),
        (
            WEIGHTED,  # a: 4/(4+3); b: 3/(3+3)
            [("a", 4.0, 3.0, 4 / 7, ("b",), ()), ("b", 3.0, 3.0, 1 / 2, ("a",), ("b1",))],
        ),
        (
            CHAIN,  # x: 2/(2+1); y: 0/(0+2); z: 1/(1+1)
            [
                ("x", 2.0, 1.0, 2 / 3, ("y",), ()),
                ("y", 0.0, 2.0, 0.0, ("x", "z"), ("y1",)),
                ("z", 1.0, 1.0, 1 / 2, ("y",), ("z1",)),
            ],
        ),
    ],
    ids=["bridged", "weighted", "chain"],
)
def test_service_figures_by_hand(
    example: tuple[nx.DiGraph, dict[str, str]],
    expected: list[tuple[str, float, float, float, tuple[str, ...], tuple[str, ...]]],
) -> None:
    services = service_figures(*example)
    weights = [(s.internal_weight, s.boundary_weight, s.cohesion) for s in services]
    assert weights == [pytest.approx(e[1:4]) for e in expected]
    ties = [(s.name, s.coupled_services, s.interface, s.coupling) for s in services]
    assert ties == [(e[0], e[4], e[5], len(e[4])) for e in expected]


@pytest.mark.parametrize(
    ("access", "expected"),
    [
        # orders: a, b (a writes); users: a, b (b writes); audit only from the library: out;
        # mean (2 + 2)/2 = 2
        (
            {
                "a1": {"orders": "write"},
                "a2": {"users": "read"},
                "b1": {"orders": "read", "users": "write"},
                "lib.x": {"audit": "write"},
            },
            (2.0, ("orders", "users"), ()),
        ),
        # orders: a, b both write; items: a only; mean (2 + 1)/2 = 1.5
        (
            {"a1": {"orders": "write"}, "b1": {"orders": "write"}, "a2": {"items": "read"}},
            (1.5, ("orders",), ("orders",)),
        ),
        # every table owned by one service: mean 1
        ({"a1": {"orders": "write"}, "b1": {"users": "read"}}, (1.0, (), ())),
    ],
    ids=["shared-read-write", "shared-writes", "pure"],
)
def test_table_sharing_by_hand(
    access: dict[str, dict[str, str]], expected: tuple[float, tuple[str, ...], tuple[str, ...]]
) -> None:
    sharing = table_sharing(split(a="a1 a2", b="b1"), access)
    mean, shared, shared_written = expected
    assert sharing.mean_services_per_table == pytest.approx(mean)
    assert (sharing.shared_tables, sharing.shared_written_tables) == (shared, shared_written)


def test_table_sharing_lists_services_and_writers_per_table() -> None:
    sharing = table_sharing(
        split(a="a1 a2", b="b1"), {"b1": {"orders": "read"}, "a2": {"orders": "write"}}
    )
    [orders] = sharing.tables
    assert (orders.table, orders.services, orders.writers) == ("orders", ("a", "b"), ("a",))


GRAPH_FIGURES: list[Figure] = [
    structural_modularity,
    inter_call_percentage,
    interface_number,
    modularity,
]


@pytest.mark.parametrize("figure", GRAPH_FIGURES, ids=lambda f: f.__name__)
def test_empty_partition_gives_zero(figure: Figure) -> None:
    assert figure(BRIDGED[0], {}) == 0.0


@pytest.mark.parametrize("figure", GRAPH_FIGURES, ids=lambda f: f.__name__)
def test_no_edges_gives_zero(figure: Figure) -> None:
    assert figure(nx.DiGraph(), split(a="a1", b="b1 b2")) == 0.0


@pytest.mark.parametrize("figure", GRAPH_FIGURES, ids=lambda f: f.__name__)
def test_single_member_service_without_calls_gives_zero(figure: Figure) -> None:
    assert figure(graph(("lib.a", "lib.b")), split(s="f")) == 0.0


def test_empty_inputs_elsewhere_give_zero() -> None:
    assert non_extreme_distribution({}) == 0.0
    assert business_context_purity({}, {}) == 0.0
    assert business_context_purity(split(a="a1"), {}) == 0.0
    assert service_figures(BRIDGED[0], {}) == ()
    assert table_sharing({}, {"a1": {"t": "write"}}).mean_services_per_table == 0.0


def test_service_without_calls_has_cohesion_zero() -> None:
    [service] = service_figures(nx.DiGraph(), split(s="f"))
    assert (service.size, service.cohesion, service.coupling) == (1, 0.0, 0)


def test_measure_survives_an_empty_decomposition() -> None:
    figures = measure(nx.DiGraph(), {})
    assert (figures.service_count, figures.function_count, figures.mean_cohesion) == (0, 0, 0.0)
    assert figures.to_dict()["services"] == []
    assert "0 services over 0 functions" in str(figures)


# Two 4-cliques (each pair called once), an optional bridge d -> e.
CLIQUE_EDGES = [
    (x, y) for group in ("abcd", "efgh") for i, x in enumerate(group) for y in group[i + 1 :]
]
CLEAN = split(left="a b c d", right="e f g h")


def test_perfect_split_of_disconnected_cliques() -> None:
    calls = graph(*CLIQUE_EDGES)
    assert inter_call_percentage(calls, CLEAN) == 0.0
    assert interface_number(calls, CLEAN) == 0.0
    assert [s.cohesion for s in service_figures(calls, CLEAN)] == [1.0, 1.0]
    # scoh = 6/16 per clique, no coupling
    assert structural_modularity(calls, CLEAN) == pytest.approx(6 / 16)
    # m = 12; Q = 2 * (6/12 - (12/24)**2) = 0.5
    assert modularity(calls, CLEAN) == pytest.approx(0.5)


def test_one_service_holding_everything_has_no_inter_calls() -> None:
    calls = graph(*CLIQUE_EDGES, ("d", "e"))
    merged = dict.fromkeys(CLEAN, "all")
    assert inter_call_percentage(calls, merged) == 0.0
    assert modularity(calls, merged) == pytest.approx(0.0)
    assert [s.coupling for s in service_figures(calls, merged)] == [0]


def test_moving_one_function_across_a_clean_split_lowers_sm_and_modularity() -> None:
    calls = graph(*CLIQUE_EDGES, ("d", "e"))
    moved = {**CLEAN, "d": "right"}
    assert structural_modularity(calls, moved) < structural_modularity(calls, CLEAN)
    assert modularity(calls, moved) < modularity(calls, CLEAN)
    assert inter_call_percentage(calls, moved) > inter_call_percentage(calls, CLEAN)


def test_renaming_services_changes_no_figure() -> None:
    calls, partition = CHAIN
    renamed = {function: service.upper() for function, service in partition.items()}
    before, after = measure(calls, partition).to_dict(), measure(calls, renamed).to_dict()
    for key in ("structural_modularity", "inter_call_percentage", "interface_number", "modularity"):
        assert before[key] == after[key]


def test_scaling_every_weight_changes_no_weighted_figure() -> None:
    calls, partition = WEIGHTED
    scaled = graph(*((a, b, 10 * w) for a, b, w in calls.edges(data="weight")))
    for figure in (inter_call_percentage, modularity):
        assert figure(scaled, partition) == pytest.approx(figure(calls, partition))


PROJECT = (
    BRIDGED[0],
    BRIDGED[1],
    {"buy": frozenset({"a1", "a2", "b1"}), "sell": frozenset({"b2"})},
    {"a1": {"orders": "write"}, "b2": {"orders": "read"}},
)


def test_measure_gathers_every_figure() -> None:
    figures = measure(*PROJECT)
    assert figures.service_count == 2
    assert figures.function_count == 6
    assert figures.structural_modularity == pytest.approx(2 / 9)
    assert figures.inter_call_percentage == pytest.approx(1 / 7)
    assert figures.interface_number == pytest.approx(0.5)
    assert figures.non_extreme_distribution == pytest.approx(1.0)  # sizes 3, 3 < 5
    # a: buy x2 -> 0; b: buy x1, sell x1 -> ln 2; mean ln(2)/2
    assert figures.business_context_purity == pytest.approx(math.log(2) / 2)
    assert figures.modularity == pytest.approx(5 / 14)
    assert figures.mean_cohesion == pytest.approx(0.75)
    assert figures.tables.shared_tables == ("orders",)


def test_measure_passes_ned_bounds_through() -> None:
    # sizes 3 and 3 within [3, 3]: 0
    assert measure(*PROJECT, min_size=3, max_size=3).non_extreme_distribution == 0.0


def test_to_dict_sorts_keys_rounds_floats_and_is_json() -> None:
    plain = measure(*PROJECT).to_dict()
    assert list(plain) == sorted(plain)
    assert all(list(s) == sorted(s) for s in plain["services"])
    assert list(plain["tables"]) == sorted(plain["tables"])
    assert plain["inter_call_percentage"] == 0.1429  # 1/7 = 0.142857...
    assert plain["structural_modularity"] == 0.2222  # 2/9
    assert plain["tables"]["shared_tables"] == ["orders"]
    assert json.loads(json.dumps(plain)) == plain


def test_str_reads_as_a_report() -> None:
    text = str(measure(*PROJECT))
    assert text.splitlines()[0] == "2 services over 6 functions"
    assert "inter-call percentage ICP" in text
    assert "14.29%" in text
    assert "shared tables: orders" in text
    assert "- b: 3 functions, cohesion 0.7500" in text


def test_figures_are_frozen() -> None:
    figures = measure(*PROJECT)
    assert isinstance(figures, QualityFigures)
    with pytest.raises(dataclasses.FrozenInstanceError):
        figures.modularity = 1.0  # type: ignore[misc]


NAMES = [f"f{i}" for i in range(7)]


@st.composite
def decompositions(draw: st.DrawFn) -> tuple[nx.DiGraph, dict[str, str]]:
    """A small random call graph and a partition that may leave functions out."""
    services = draw(st.lists(st.sampled_from(["s0", "s1", "s2", None]), min_size=7, max_size=7))
    partition = {name: s for name, s in zip(NAMES, services, strict=True) if s is not None}
    pairs = st.tuples(st.sampled_from(NAMES), st.sampled_from(NAMES), st.floats(0.1, 10.0))
    return graph(*draw(st.lists(pairs, max_size=20))), partition


@settings(max_examples=60, deadline=None)
@given(decompositions())
def test_figures_stay_in_their_documented_ranges(
    example: tuple[nx.DiGraph, dict[str, str]],
) -> None:
    calls, partition = example
    figures = measure(calls, partition)
    largest = max((s.size for s in figures.services), default=0)
    assert -1.0 <= figures.structural_modularity < 0.5
    assert 0.0 <= figures.inter_call_percentage <= 1.0
    assert 0.0 <= figures.interface_number <= largest
    assert 0.0 <= figures.non_extreme_distribution <= 1.0
    assert -0.5 - 1e-9 <= figures.modularity < 1.0  # the bound, up to rounding
    assert all(0.0 <= s.cohesion <= 1.0 for s in figures.services)

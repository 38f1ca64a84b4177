"""The layout: deterministic, ranks follow the edges, nodes of a rank never overlap, compound
nodes hold their contents, a ring keeps every node."""

from __future__ import annotations

from itertools import pairwise

from splitter.report.graph import Diagram, Edge, Node
from splitter.report.layout import Drawing, Shape, lay_out, shorten, stroke_width


def chain_with_branches() -> Diagram:
    nodes = tuple(Node(name, name) for name in ["a", "b", "c", "d", "e", "f"])
    edges = (
        Edge("a", "b"),
        Edge("b", "c"),
        Edge("b", "d"),
        Edge("c", "e"),
        Edge("d", "e"),
        Edge("a", "e"),
        Edge("e", "f"),
    )
    return Diagram("g", "g", nodes, edges)


def shapes(drawing: Drawing) -> dict[str, Shape]:
    return {shape.node.id: shape for shape in drawing.shapes}


def test_the_same_diagram_is_laid_out_the_same_way() -> None:
    assert lay_out(chain_with_branches()) == lay_out(chain_with_branches())


def test_edges_point_down_and_long_ones_bend_through_dummy_points() -> None:
    drawing = lay_out(chain_with_branches())
    placed = shapes(drawing)
    for line in drawing.lines:
        assert placed[line.edge.source].y < placed[line.edge.target].y
    long = next(line for line in drawing.lines if line.edge == Edge("a", "e"))
    assert len(long.points) == 4


def test_nodes_of_one_rank_do_not_overlap() -> None:
    drawing = lay_out(chain_with_branches())
    ranks: dict[float, list[Shape]] = {}
    for shape in drawing.shapes:
        ranks.setdefault(shape.y, []).append(shape)
    for row in ranks.values():
        row.sort(key=lambda shape: shape.x)
        for left, right in pairwise(row):
            assert left.x + left.width / 2 <= right.x - right.width / 2


def test_everything_fits_in_the_drawing() -> None:
    drawing = lay_out(chain_with_branches())
    for shape in drawing.shapes:
        assert shape.x - shape.width / 2 >= 0
        assert shape.x + shape.width / 2 <= drawing.width
        assert shape.y + shape.height / 2 <= drawing.height


def test_cycles_are_laid_out() -> None:
    nodes = (Node("a", "a"), Node("b", "b"), Node("c", "c"))
    edges = (Edge("a", "b"), Edge("b", "c"), Edge("c", "a"), Edge("a", "a"))
    drawing = lay_out(Diagram("g", "g", nodes, edges))
    assert {line.edge for line in drawing.lines} == set(edges[:3])


def test_a_compound_node_contains_its_children() -> None:
    nodes = (
        Node("start", "start"),
        Node("map", "map"),
        Node("inner1", "inner1", parent="map"),
        Node("inner2", "inner2", parent="map"),
        Node("end", "end"),
    )
    edges = (Edge("start", "map"), Edge("map", "end"), Edge("inner1", "inner2"))
    drawing = lay_out(Diagram("g", "g", nodes, edges))
    placed = shapes(drawing)
    outer = placed["map"]
    assert outer.compound
    assert drawing.shapes[0].node.id == "map"
    for child in ("inner1", "inner2"):
        inner = placed[child]
        assert outer.x - outer.width / 2 < inner.x - inner.width / 2
        assert inner.y + inner.height / 2 < outer.y + outer.height / 2


def test_a_ring_places_every_node_on_one_circle() -> None:
    nodes = tuple(Node(f"s{i}", f"s{i}", kind="service", size=10.0 * (i + 1)) for i in range(6))
    edges = (Edge("s0", "s1"), Edge("s1", "s0"), Edge("s2", "s5", weight=9))
    drawing = lay_out(Diagram("m", "m", nodes, edges, style="ring"))
    placed = shapes(drawing)
    centre = drawing.width / 2
    distances = {
        round(((s.x - centre) ** 2 + (s.y - centre) ** 2) ** 0.5, 3) for s in placed.values()
    }
    assert len(distances) == 1
    assert placed["s5"].width > placed["s0"].width
    there, back = drawing.lines[0], drawing.lines[1]
    assert there.points[1] != back.points[1]
    assert drawing.lines[2].width > drawing.lines[0].width


def test_labels_are_shortened_and_weights_thicken() -> None:
    assert shorten("x" * 50) == "x" * 33 + "…"
    assert shorten("short") == "short"
    assert stroke_width(1) < stroke_width(4) < stroke_width(10_000) == 7.0

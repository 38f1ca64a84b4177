"""Placing a diagram's nodes and routing its edges ahead of time, so the SVG needs no script.

Two deterministic layouts: `layered` ranks the nodes top to bottom (longest path from the
sources after reversing back edges, long edges through dummy points, four barycentre sweeps
to order each rank, compound nodes laid out inside first), and `ring` puts them around a
circle in the order given, edges bowed so both directions of a pair stay visible.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import Literal

from splitter.report.graph import Diagram, Edge, Node

Point = tuple[float, float]
SizeOf = Callable[[str], Point]

MARGIN = 24.0
NODE_GAP = 28.0
RANK_GAP = 46.0
PADDING = 14.0
HEADER = 26.0
CHAR_WIDTH = 7.0
MAX_LABEL = 34
_SWEEPS = 4


@dataclass(frozen=True)
class Shape:
    """A placed node: its centre, width and height; `label` is the text drawn (it may be
    shortened, the node keeps the full one)."""

    node: Node
    x: float
    y: float
    width: float
    height: float
    label: str
    compound: bool = False


@dataclass(frozen=True)
class Line:
    """A routed edge through `points`; `shape` says how to join them: a smooth vertical
    spline or one quadratic arc through a control point."""

    edge: Edge
    points: tuple[Point, ...]
    label_at: Point
    width: float
    shape: Literal["spline", "arc"] = "spline"


@dataclass(frozen=True)
class Drawing:
    """A diagram laid out: compound shapes first so their contents draw over them."""

    diagram: Diagram
    width: float
    height: float
    shapes: tuple[Shape, ...]
    lines: tuple[Line, ...]


def lay_out(diagram: Diagram) -> Drawing:
    """Place every node and route every edge of `diagram`, the same way every time."""
    if diagram.style == "ring":
        return _ring(diagram)
    block = _block(diagram, "")
    shapes = tuple(_moved(shape, MARGIN, MARGIN) for shape in block.shapes)
    lines = tuple(_moved_line(line, MARGIN, MARGIN) for line in block.lines)
    ordered = tuple(sorted(shapes, key=lambda shape: not shape.compound))
    return Drawing(diagram, block.width + 2 * MARGIN, block.height + 2 * MARGIN, ordered, lines)


def stroke_width(weight: float) -> float:
    """An edge's stroke width from its weight: 1.2 for one call, up to 7."""
    return round(min(1.2 + 1.4 * math.log2(max(weight, 1.0)), 7.0), 2)


def shorten(text: str, limit: int = MAX_LABEL) -> str:
    """`text` cut to `limit` characters with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --------------------------------------------------------------------------- layered


@dataclass(frozen=True)
class _Block:
    """A laid-out level of the diagram, coordinates from its own top-left corner."""

    width: float
    height: float
    shapes: tuple[Shape, ...]
    lines: tuple[Line, ...]


@dataclass
class _Ranked:
    """The nodes of one level in ranks, with dummy points along the long edges."""

    layers: list[list[str]]
    rank: dict[str, int]
    chains: list[tuple[Edge, list[str], bool]]
    above: dict[str, list[str]]
    below: dict[str, list[str]]


def _block(diagram: Diagram, parent: str) -> _Block:
    nodes = diagram.children(parent)
    inner = {n.id: _block(diagram, n.id) for n in nodes if diagram.children(n.id)}
    sizes = {n.id: _node_size(n, inner.get(n.id)) for n in nodes}
    members = {n.id for n in nodes}
    edges = [
        e
        for e in diagram.edges
        if e.source in members and e.target in members and e.source != e.target
    ]
    ranked = _rank([n.id for n in nodes], edges)
    _order(ranked)
    xs, ys, width, height = _coordinates(ranked, sizes)
    shapes: list[Shape] = []
    lines = [_route(edge, chain, back, xs, ys, sizes) for edge, chain, back in ranked.chains]
    for node in nodes:
        w, h = sizes[node.id]
        shapes.append(Shape(node, xs[node.id], ys[node.id], w, h, shorten(node.label), False))
        if node.id in inner:
            shapes[-1] = replace(shapes[-1], compound=True)
            left, top = xs[node.id] - w / 2 + PADDING, ys[node.id] - h / 2 + HEADER
            shapes += [_moved(shape, left, top) for shape in inner[node.id].shapes]
            lines += [_moved_line(line, left, top) for line in inner[node.id].lines]
    return _Block(width, height, tuple(shapes), tuple(lines))


def _node_size(node: Node, inner: _Block | None) -> Point:
    if inner is not None:
        width = max(inner.width + 2 * PADDING, len(shorten(node.label)) * CHAR_WIDTH + 40)
        return width, inner.height + HEADER + PADDING
    if node.kind == "terminal":
        return 64.0, 28.0
    text = max(len(shorten(node.label)), len(shorten(node.detail)))
    return max(72.0, text * CHAR_WIDTH + 28), 44.0 if node.detail else 34.0


def _rank(ids: Sequence[str], edges: Sequence[Edge]) -> _Ranked:
    """Ranks by longest path after reversing the edges DFS finds going back."""
    forward = _acyclic(ids, edges)
    rank = _longest_path(ids, [(s, t) for s, t, _, _ in forward])
    layers: list[list[str]] = [[] for _ in range(max(rank.values(), default=0) + 1)]
    for node in ids:
        layers[rank[node]].append(node)
    chains: list[tuple[Edge, list[str], bool]] = []
    above: dict[str, list[str]] = defaultdict(list)
    below: dict[str, list[str]] = defaultdict(list)
    for index, (source, target, edge, reverse) in enumerate(forward):
        chain = [source]
        for step in range(rank[source] + 1, rank[target]):
            dummy = f"\0{index}:{step}"
            layers[step].append(dummy)
            rank[dummy] = step
            chain.append(dummy)
        chain.append(target)
        for upper, lower in pairwise(chain):
            below[upper].append(lower)
            above[lower].append(upper)
        chains.append((edge, chain, reverse))
    return _Ranked(layers, rank, chains, above, below)


def _acyclic(ids: Sequence[str], edges: Sequence[Edge]) -> list[tuple[str, str, Edge, bool]]:
    """Every edge as (upper, lower, edge, reversed), back edges of a DFS turned round."""
    out: dict[str, list[Edge]] = defaultdict(list)
    for edge in edges:
        out[edge.source].append(edge)
    has_in = {edge.target for edge in edges}
    state: dict[str, int] = {}
    back: set[int] = set()
    for root in [n for n in ids if n not in has_in] + list(ids):
        stack: list[tuple[str, int]] = [(root, 0)] if root not in state else []
        if stack:
            state[root] = 1
        while stack:
            node, index = stack.pop()
            if index < len(out[node]):
                stack.append((node, index + 1))
                edge = out[node][index]
                seen = state.get(edge.target)
                if seen == 1:
                    back.add(id(edge))
                elif seen is None:
                    state[edge.target] = 1
                    stack.append((edge.target, 0))
            else:
                state[node] = 2
    return [
        (e.target, e.source, e, True) if id(e) in back else (e.source, e.target, e, False)
        for e in edges
    ]


def _longest_path(ids: Sequence[str], pairs: Sequence[tuple[str, str]]) -> dict[str, int]:
    incoming: dict[str, int] = {node: 0 for node in ids}
    out: dict[str, list[str]] = defaultdict(list)
    for source, target in pairs:
        out[source].append(target)
        incoming[target] += 1
    rank = {node: 0 for node in ids}
    ready = [node for node in ids if incoming[node] == 0]
    while ready:
        node = ready.pop(0)
        for target in out[node]:
            rank[target] = max(rank[target], rank[node] + 1)
            incoming[target] -= 1
            if incoming[target] == 0:
                ready.append(target)
    return rank


def _order(ranked: _Ranked) -> None:
    """Barycentre sweeps, down then up: each node moves towards its neighbours."""
    for sweep in range(_SWEEPS):
        downward = sweep % 2 == 0
        count = len(ranked.layers)
        indices = range(1, count) if downward else range(count - 2, -1, -1)
        for index in indices:
            neighbours = ranked.above if downward else ranked.below
            reference = ranked.layers[index - 1 if downward else index + 1]
            ranked.layers[index] = _by_barycentre(ranked.layers[index], neighbours, reference)


def _by_barycentre(
    layer: list[str], neighbours: Mapping[str, list[str]], reference: Sequence[str]
) -> list[str]:
    position = {node: index for index, node in enumerate(reference)}

    def key(item: tuple[int, str]) -> tuple[float, int]:
        index, node = item
        placed = [position[n] for n in neighbours.get(node, ()) if n in position]
        return (sum(placed) / len(placed) if placed else float(index), index)

    return [node for _, node in sorted(enumerate(layer), key=key)]


def _coordinates(
    ranked: _Ranked, sizes: Mapping[str, Point]
) -> tuple[dict[str, float], dict[str, float], float, float]:
    def size(node: str) -> Point:
        return sizes.get(node, (8.0, 8.0))

    ys: dict[str, float] = {}
    top = 0.0
    for layer in ranked.layers:
        tallest = max((size(node)[1] for node in layer), default=0.0)
        for node in layer:
            ys[node] = top + tallest / 2
        top += tallest + RANK_GAP
    xs = _packed(ranked.layers, size)
    for sweep in range(3 * 2 + 1):
        downward = sweep % 2 == 0
        for layer in ranked.layers if downward else reversed(ranked.layers):
            neighbours = ranked.above if downward else ranked.below
            _align(layer, neighbours, xs, size)
    left = min((xs[n] - size(n)[0] / 2 for layer in ranked.layers for n in layer), default=0.0)
    for node in xs:
        xs[node] -= left
    right = max((xs[n] + size(n)[0] / 2 for layer in ranked.layers for n in layer), default=0.0)
    return xs, ys, right, max(top - RANK_GAP, 0.0)


def _packed(layers: Sequence[Sequence[str]], size: SizeOf) -> dict[str, float]:
    xs: dict[str, float] = {}
    for layer in layers:
        cursor = 0.0
        for node in layer:
            width = size(node)[0]
            xs[node] = cursor + width / 2
            cursor += width + NODE_GAP
    return xs


def _align(
    layer: Sequence[str], neighbours: Mapping[str, list[str]], xs: dict[str, float], size: SizeOf
) -> None:
    """Move each node of `layer` to the mean x of its neighbours, keep the order and the
    gaps, then shift the layer so that on average it sits where its nodes want to be."""
    wanted = []
    for node in layer:
        placed = [xs[n] for n in neighbours.get(node, ())]
        wanted.append(sum(placed) / len(placed) if placed else xs[node])
    placed_x: list[float] = []
    for index, node in enumerate(layer):
        x = wanted[index]
        if index:
            previous = layer[index - 1]
            x = max(x, placed_x[-1] + (size(previous)[0] + size(node)[0]) / 2 + NODE_GAP)
        placed_x.append(x)
    shift = sum(w - p for w, p in zip(wanted, placed_x, strict=True)) / max(len(layer), 1)
    for node, x in zip(layer, placed_x, strict=True):
        xs[node] = x + shift


def _route(
    edge: Edge,
    chain: Sequence[str],
    reverse: bool,
    xs: Mapping[str, float],
    ys: Mapping[str, float],
    sizes: Mapping[str, Point],
) -> Line:
    first, last = chain[0], chain[-1]
    points = [(xs[first], ys[first] + sizes[first][1] / 2)]
    points += [(xs[node], ys[node]) for node in chain[1:-1]]
    points.append((xs[last], ys[last] - sizes[last][1] / 2))
    if reverse:
        points.reverse()
    (x1, y1), (x2, y2) = points[0], points[1]
    label_at = (x1 + (x2 - x1) * 0.7, y1 + (y2 - y1) * 0.7)
    return Line(edge, tuple(points), label_at, stroke_width(edge.weight))


def _moved(shape: Shape, dx: float, dy: float) -> Shape:
    return replace(shape, x=shape.x + dx, y=shape.y + dy)


def _moved_line(line: Line, dx: float, dy: float) -> Line:
    points = tuple((x + dx, y + dy) for x, y in line.points)
    return replace(line, points=points, label_at=(line.label_at[0] + dx, line.label_at[1] + dy))


# --------------------------------------------------------------------------- ring


def _ring(diagram: Diagram) -> Drawing:
    nodes = diagram.children("")
    largest = max((node.size for node in nodes), default=1.0) or 1.0
    radii = {node.id: 14 + 26 * math.sqrt(max(node.size, 0.0) / largest) for node in nodes}
    spacing = sum(2 * r + 40 for r in radii.values())
    radius = max(150.0, spacing / (2 * math.pi)) if len(nodes) > 1 else 0.0
    reach = radius + max(radii.values(), default=0.0) + 90
    centres: dict[str, Point] = {}
    for index, node in enumerate(nodes):
        angle = -math.pi / 2 + 2 * math.pi * index / max(len(nodes), 1)
        centres[node.id] = (reach + radius * math.cos(angle), reach + radius * math.sin(angle))
    shapes = tuple(
        Shape(n, *centres[n.id], 2 * radii[n.id], 2 * radii[n.id], shorten(n.label)) for n in nodes
    )
    lines = tuple(
        _arc(edge, centres, radii)
        for edge in diagram.edges
        if edge.source in centres and edge.target in centres and edge.source != edge.target
    )
    return Drawing(diagram, 2 * reach, 2 * reach, shapes, lines)


def _arc(edge: Edge, centres: Mapping[str, Point], radii: Mapping[str, float]) -> Line:
    """A quadratic arc bowed to the right of its direction, trimmed to the two circles."""
    (x1, y1), (x2, y2) = centres[edge.source], centres[edge.target]
    length = math.hypot(x2 - x1, y2 - y1) or 1.0
    bow = 0.16 * length
    control = ((x1 + x2) / 2 - (y2 - y1) / length * bow, (y1 + y2) / 2 + (x2 - x1) / length * bow)
    start = _towards((x1, y1), control, radii[edge.source])
    end = _towards((x2, y2), control, radii[edge.target] + 3)
    label_at = (
        0.25 * start[0] + 0.5 * control[0] + 0.25 * end[0],
        0.25 * start[1] + 0.5 * control[1] + 0.25 * end[1],
    )
    return Line(edge, (start, control, end), label_at, stroke_width(edge.weight), "arc")


def _towards(centre: Point, target: Point, distance: float) -> Point:
    dx, dy = target[0] - centre[0], target[1] - centre[1]
    length = math.hypot(dx, dy) or 1.0
    return centre[0] + dx / length * distance, centre[1] + dy / length * distance

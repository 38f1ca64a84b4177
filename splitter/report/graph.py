"""A drawable graph, the one shape every diagram takes before Mermaid, DOT or SVG renders it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Style = Literal["layered", "ring"]
"""How the SVG layout places nodes: in ranks top to bottom, or around a circle."""

SHARED_COLOUR = -1
"""The colour index of the shared library and of nodes no service owns."""


@dataclass(frozen=True)
class Node:
    """A node: a service, a function, a module or a state.

    `kind` names its look (`service`, `Task`, `Choice`, `start`...), `detail` is a second,
    smaller line (the service a Task calls); `parent` is the compound
    node that holds it (a Map state's inner states), whose edges stay inside it; `group` only
    clusters it in Mermaid and DOT (a module). `size` scales a ring node (lines of code);
    `colour` indexes the service palette; `marks` flag what to highlight (`conflict`).
    """

    id: str
    label: str
    kind: str = ""
    detail: str = ""
    parent: str = ""
    group: str = ""
    size: float = 1.0
    colour: int = SHARED_COLOUR
    tooltip: str = ""
    marks: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"{self.kind or 'node'} {self.label}"


@dataclass(frozen=True)
class Edge:
    """A directed edge with an optional label; `weight` thickens it, `kind` styles it
    (`catch`, `default`, `item`), `marks` flag it (`cycle`)."""

    source: str
    target: str
    label: str = ""
    weight: float = 1.0
    kind: str = ""
    marks: tuple[str, ...] = ()

    def __str__(self) -> str:
        label = f" [{self.label}]" if self.label else ""
        return f"{self.source} -> {self.target}{label}"


@dataclass(frozen=True)
class Diagram:
    """Nodes and edges with a title; `style` picks the SVG layout."""

    name: str
    title: str
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    style: Style = "layered"
    note: str = ""

    def children(self, parent: str) -> tuple[Node, ...]:
        """The nodes directly inside `parent` ("" for the top level)."""
        return tuple(node for node in self.nodes if node.parent == parent)

    def __str__(self) -> str:
        return f"{self.title}: {len(self.nodes)} nodes, {len(self.edges)} edges"

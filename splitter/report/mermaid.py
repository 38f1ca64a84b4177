"""A diagram as a Mermaid flowchart, which GitHub and GitLab draw in reviews.

Node ids are generated (`n0`, `n1`...); every name from the code goes into a quoted label
with Mermaid's entity codes for the characters that would end or change it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from splitter.report.graph import SHARED_COLOUR, Diagram, Edge, Node
from splitter.report.svg import PALETTE, SHARED_FILL

_ENTITIES = {
    "#": "#35;",
    '"': "#quot;",
    "<": "#lt;",
    ">": "#gt;",
    "&": "#amp;",
    "`": "#96;",
    "|": "#124;",
    "\\": "#92;",
}


def mermaid_text(text: str) -> str:
    """`text` safe inside a quoted Mermaid label, on one line."""
    flat = " ".join(text.split())
    return "".join(_ENTITIES.get(char, char) for char in flat)


def to_mermaid(diagram: Diagram) -> str:
    """The diagram as a Mermaid flowchart: top to bottom when layered, left to right for a
    ring; a compound node is a node plus a subgraph of its contents, a `group` a subgraph."""
    ids = {node.id: f"n{index}" for index, node in enumerate(diagram.nodes)}
    direction = "LR" if diagram.style == "ring" else "TB"
    lines = [f"flowchart {direction}"]
    if diagram.note:
        note = " ".join(diagram.note.split()).replace("{", "(").replace("}", ")")
        lines.append(f"  %% {note}")
    lines += _nodes(diagram, ids)
    styles: list[str] = []
    for index, edge in enumerate(e for e in diagram.edges if e.source in ids and e.target in ids):
        lines.append(f"  {ids[edge.source]} {_arrow(edge)} {ids[edge.target]}")
        if "cycle" in edge.marks or edge.kind in ("catch", "fail"):
            styles.append(f"  linkStyle {index} stroke:#d64545,stroke-width:2px")
    lines += styles
    lines += _class_definitions(diagram)
    return "\n".join(lines) + "\n"


def _nodes(diagram: Diagram, ids: Mapping[str, str]) -> list[str]:
    by_group: dict[str, list[Node]] = defaultdict(list)
    for node in diagram.nodes:
        if not node.parent:
            by_group[node.group].append(node)
    lines: list[str] = []
    for index, group in enumerate(sorted(by_group)):
        if group:
            lines.append(f'  subgraph g{index}["{mermaid_text(group)}"]')
        lines += _level(diagram, by_group[group], ids, "    " if group else "  ")
        if group:
            lines.append("  end")
    return lines


def _level(diagram: Diagram, nodes: list[Node], ids: Mapping[str, str], indent: str) -> list[str]:
    lines = []
    for node in nodes:
        lines.append(f"{indent}{ids[node.id]}{_shape(node)}:::{_class(node)}")
        inner = diagram.children(node.id)
        if inner:
            lines.append(f'{indent}subgraph {ids[node.id]}_inner["{mermaid_text(node.label)}"]')
            lines += _level(diagram, list(inner), ids, indent + "  ")
            lines.append(f"{indent}end")
    return lines


def _shape(node: Node) -> str:
    label = mermaid_text(node.label)
    if node.detail:
        label += f"<br/><small>{mermaid_text(node.detail)}</small>"
    if node.kind == "service":
        return f'(("{label}"))'
    if node.kind == "terminal":
        return f'(["{label}"])'
    if node.kind == "Choice":
        return f'{{"{label}"}}'
    return f'["{label}"]'


def _arrow(edge: Edge) -> str:
    link = "-.->" if edge.kind in ("catch", "default", "item") else "-->"
    if "cycle" in edge.marks:
        link = "==>"
    return f'{link}|"{mermaid_text(edge.label)}"|' if edge.label else link


def _class(node: Node) -> str:
    if "conflict" in node.marks:
        return "conflict"
    if node.kind in ("terminal", "Choice", "Pass", "Fail", "glue", "Map"):
        return node.kind.lower()
    return "shared" if node.colour == SHARED_COLOUR else f"c{node.colour % len(PALETTE)}"


def _class_definitions(diagram: Diagram) -> list[str]:
    used = sorted({_class(node) for node in diagram.nodes})
    fixed = {
        "conflict": "fill:#fde8e8,stroke:#c81e1e,stroke-width:3px,stroke-dasharray:5 3",
        "terminal": "fill:#e4e7eb,stroke:#7b8794",
        "choice": "fill:#fff7e0,stroke:#b7791f",
        "pass": "fill:#f5f7fa,stroke:#9aa5b1",
        "fail": "fill:#fde8e8,stroke:#c81e1e",
        "glue": "fill:#f0f4f8,stroke:#616e7c,stroke-dasharray:4 3",
        "map": "fill:#f8fafc,stroke:#7b8794,stroke-dasharray:6 4",
        "shared": f"fill:#eef1f4,stroke:{SHARED_FILL}",
    }
    lines = []
    for name in used:
        style = fixed.get(name) or f"fill:#ffffff,stroke:{PALETTE[int(name[1:])]},stroke-width:2px"
        lines.append(f"  classDef {name} {style}")
    return lines

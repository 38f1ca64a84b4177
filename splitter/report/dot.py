"""A diagram as Graphviz DOT, for `dot -Tsvg` and other Graphviz tools."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from splitter.report.graph import Diagram, Edge, Node
from splitter.report.svg import colour_value


def dot_string(text: str) -> str:
    """`text` as a quoted DOT string, on one line, with its backslashes and quotes escaped."""
    flat = " ".join(text.split())
    return '"' + flat.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dot(diagram: Diagram) -> str:
    """The diagram as a DOT digraph: `group`s and compound nodes become clusters."""
    direction = "LR" if diagram.style == "ring" else "TB"
    lines = [
        f"digraph {dot_string(diagram.name)} {{",
        f"  label={dot_string(diagram.title)};",
        "  labelloc=t;",
        f"  rankdir={direction};",
        '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=11];',
        '  edge [fontname="Helvetica", fontsize=9, color="#7b8794"];',
    ]
    if diagram.note:
        lines.append(f"  // {' '.join(diagram.note.split())}")
    lines += _clusters(diagram)
    lines += [f"  {_edge(edge)}" for edge in diagram.edges]
    return "\n".join([*lines, "}"]) + "\n"


def _clusters(diagram: Diagram) -> list[str]:
    by_group: dict[str, list[Node]] = defaultdict(list)
    for node in diagram.nodes:
        if not node.parent:
            by_group[node.group].append(node)
    lines: list[str] = []
    for index, group in enumerate(sorted(by_group)):
        indent = "    " if group else "  "
        if group:
            lines += [f"  subgraph cluster_g{index} {{", f"    label={dot_string(group)};"]
        for node in by_group[group]:
            lines += list(_node_lines(diagram, node, indent))
        if group:
            lines.append("  }")
    return lines


def _node_lines(diagram: Diagram, node: Node, indent: str) -> Iterator[str]:
    yield f"{indent}{dot_string(node.id)} [{_attributes(node)}];"
    inner = diagram.children(node.id)
    if not inner:
        return
    yield f"{indent}subgraph {dot_string('cluster_' + node.id)} {{"
    yield f"{indent}  label={dot_string(node.label)};"
    yield f'{indent}  style="dashed,rounded";'
    for child in inner:
        yield from _node_lines(diagram, child, indent + "  ")
    yield f"{indent}}}"


def _attributes(node: Node) -> str:
    label = dot_string(node.label)
    if node.detail:
        label = label[:-1] + "\\n" + dot_string(node.detail)[1:]
    parts = [f"label={label}", f"tooltip={dot_string(node.tooltip or node.label)}"]
    return ", ".join(parts + _look(node))


def _look(node: Node) -> list[str]:
    colour = colour_value(node.colour)
    if node.kind == "service":
        look = ["shape=circle", f'fillcolor="{colour}"', 'fontcolor="#111827"']
    elif node.kind == "terminal":
        look = ["shape=box", 'style="rounded,filled"', 'fillcolor="#e4e7eb"']
    elif node.kind == "Choice":
        look = ["shape=diamond", 'fillcolor="#fff7e0"', 'color="#b7791f"']
    elif node.kind == "Fail":
        look = ['fillcolor="#fde8e8"', 'color="#c81e1e"']
    elif node.kind == "glue":
        look = ['style="rounded,dashed,filled"', 'fillcolor="#f0f4f8"']
    else:
        look = ['fillcolor="#ffffff"', f'color="{colour}"', "penwidth=1.6"]
    if "conflict" in node.marks:
        look += ['color="#c81e1e"', "penwidth=3", 'style="filled,dashed"']
    return look


def _edge(edge: Edge) -> str:
    attributes = []
    if edge.label:
        attributes.append(f"label={dot_string(edge.label)}")
    if edge.weight > 1:
        attributes.append(f"penwidth={min(1 + edge.weight / 2, 6):g}")
    if edge.kind in ("catch", "default", "item"):
        attributes.append("style=dashed")
    if "cycle" in edge.marks or edge.kind in ("catch", "fail"):
        attributes.append('color="#d64545"')
    suffix = f" [{', '.join(attributes)}]" if attributes else ""
    return f"{dot_string(edge.source)} -> {dot_string(edge.target)}{suffix};"

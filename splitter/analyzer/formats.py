"""The call graph in other tools' formats: PyCG's JSON, Graphviz DOT and Mermaid."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from splitter.analyzer.model import Analysis


def to_pycg(analysis: Analysis) -> dict[str, list[str]]:
    """The call graph in PyCG's format: every node a key, its callees sorted and listed once.

    Module-level code is keyed by the module's name, builtins are `<builtin>.name`, lambdas
    `<lambdaN>`, externals keep their dotted name, as in PyCG.
    """
    graph: dict[str, set[str]] = defaultdict(set)
    for function in analysis.functions:
        graph[function.qualname]
    for call in analysis.calls:
        graph[call.caller].add(call.callee)
    return {caller: sorted(callees) for caller, callees in sorted(graph.items())}


@dataclass(frozen=True)
class RenderedGraph:
    """A drawn call graph and, when it had to be cut to the size cap, what was left out."""

    text: str
    shown: int
    total: int

    @property
    def cut_message(self) -> str:
        if self.shown == self.total:
            return ""
        return (
            f"the graph has {self.total} functions; drawn are the {self.shown} with the most "
            "calls (raise --max-nodes to draw more, or use --format json for all of it)"
        )


def _internal_edges(analysis: Analysis) -> dict[tuple[str, str], int]:
    edges: dict[tuple[str, str], int] = defaultdict(int)
    for call in analysis.calls:
        if call.target == "internal" and call.caller != call.callee:
            edges[(call.caller, call.callee)] += 1
    return edges


def _kept_nodes(analysis: Analysis, edges: dict[tuple[str, str], int], cap: int) -> list[str]:
    degree: dict[str, int] = defaultdict(int)
    for (caller, callee), count in edges.items():
        degree[caller] += count
        degree[callee] += count
    nodes = sorted({f.qualname for f in analysis.functions} | set(degree))
    if len(nodes) <= cap:
        return nodes
    ranked = sorted(nodes, key=lambda n: (-degree[n], n))[:cap]
    return sorted(ranked)


def _by_module(analysis: Analysis, nodes: list[str]) -> dict[str, list[str]]:
    module_of = {f.qualname: f.module for f in analysis.functions}
    groups: dict[str, list[str]] = defaultdict(list)
    for node in nodes:
        groups[module_of.get(node, node.rpartition(".")[0])].append(node)
    return dict(sorted(groups.items()))


def to_dot(analysis: Analysis, *, max_nodes: int = 400) -> RenderedGraph:
    """The internal call graph as Graphviz DOT, one cluster per module."""
    edges = _internal_edges(analysis)
    nodes = _kept_nodes(analysis, edges, max_nodes)
    kept = set(nodes)
    lines = ["digraph callgraph {", "  rankdir=LR;", "  node [shape=box, fontsize=10];"]
    for index, (module, members) in enumerate(_by_module(analysis, nodes).items()):
        lines.append(f"  subgraph cluster_{index} {{")
        lines.append(f"    label={_dot_quote(module)};")
        for member in members:
            label = member[len(module) + 1 :] or member
            lines.append(f"    {_dot_quote(member)} [label={_dot_quote(label)}];")
        lines.append("  }")
    for (caller, callee), count in sorted(edges.items()):
        if caller in kept and callee in kept:
            weight = f" [penwidth={min(1 + count / 2, 5):g}]" if count > 1 else ""
            lines.append(f"  {_dot_quote(caller)} -> {_dot_quote(callee)}{weight};")
    lines.append("}")
    return RenderedGraph("\n".join(lines) + "\n", len(nodes), len(_all_nodes(analysis, edges)))


def to_mermaid(analysis: Analysis, *, max_nodes: int = 150) -> RenderedGraph:
    """The internal call graph as a Mermaid flowchart, one subgraph per module."""
    edges = _internal_edges(analysis)
    nodes = _kept_nodes(analysis, edges, max_nodes)
    ids = {node: f"n{index}" for index, node in enumerate(nodes)}
    lines = ["flowchart LR"]
    for index, (module, members) in enumerate(_by_module(analysis, nodes).items()):
        lines.append(f"  subgraph m{index}[{_mermaid_text(module)}]")
        for member in members:
            label = member[len(module) + 1 :] or member
            lines.append(f"    {ids[member]}[{_mermaid_text(label)}]")
        lines.append("  end")
    for (caller, callee), _count in sorted(edges.items()):
        if caller in ids and callee in ids:
            lines.append(f"  {ids[caller]} --> {ids[callee]}")
    return RenderedGraph("\n".join(lines) + "\n", len(nodes), len(_all_nodes(analysis, edges)))


def _all_nodes(analysis: Analysis, edges: dict[tuple[str, str], int]) -> set[str]:
    return {f.qualname for f in analysis.functions} | {n for edge in edges for n in edge}


def _dot_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _mermaid_text(text: str) -> str:
    escaped = text.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")
    return f'"{escaped}"'

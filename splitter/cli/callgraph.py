"""`splitter callgraph PATH`: the call graph as JSON, PyCG JSON, DOT or Mermaid."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path

import typer

from splitter.analyzer.formats import to_dot, to_mermaid, to_pycg
from splitter.analyzer.project import analyze_path
from splitter.analyzer.serialize import analysis_to_json
from splitter.atomic import write_text_atomic
from splitter.cli.console import stderr


class GraphFormat(StrEnum):
    """The formats `splitter callgraph` writes."""

    json = "json"
    pycg = "pycg"
    dot = "dot"
    mermaid = "mermaid"


def callgraph(
    path: Path = typer.Argument(..., help="The code base's folder."),
    format: GraphFormat = typer.Option(GraphFormat.json, "--format", "-f", help="Output format."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write to this file, not stdout."),
    max_nodes: int = typer.Option(
        0, min=0, help="Cap on functions drawn in dot/mermaid (0: 400 for dot, 150 for mermaid)."
    ),
    exclude: list[str] = typer.Option([], "--exclude", "-x", help="Glob to leave out."),
    include_tests: bool = typer.Option(False, help="Also analyze test code."),
) -> None:
    """Write the call graph; `pycg` is PyCG's JSON so the graph compares with its benchmarks."""
    analysis = analyze_path(path, exclude=exclude, include_tests=include_tests)
    if format is GraphFormat.json:
        text = analysis_to_json(analysis)
    elif format is GraphFormat.pycg:
        text = json.dumps(to_pycg(analysis), indent=1, sort_keys=True) + "\n"
    else:
        render = to_dot if format is GraphFormat.dot else to_mermaid
        rendered = render(analysis, max_nodes=max_nodes) if max_nodes else render(analysis)
        text = rendered.text
        if rendered.cut_message:
            stderr.print(f"[yellow]note:[/] {rendered.cut_message}")
    if out is None:
        typer.echo(text, nl=False)
    else:
        write_text_atomic(out, text)
        stderr.print(f"call graph written to {out}")

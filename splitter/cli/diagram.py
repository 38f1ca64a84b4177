"""`splitter diagram PATH`: the service map, the call graph or a workflow as Mermaid, DOT or SVG."""

from __future__ import annotations

import shutil
import subprocess
from enum import StrEnum
from pathlib import Path

import typer

from splitter.atomic import write_text_atomic
from splitter.cli.console import stderr
from splitter.cli.report import Review, load_review
from splitter.errors import InputError
from splitter.report.call_diagram import DEFAULT_MAX_NODES
from splitter.report.diagrams import (
    calls_picture,
    render_diagram,
    services_picture,
    workflow_picture,
)
from splitter.report.dot import to_dot
from splitter.report.graph import Diagram


class DiagramKind(StrEnum):
    """What to draw."""

    services = "services"
    calls = "calls"
    workflow = "workflow"


class DiagramFormat(StrEnum):
    """How to write it."""

    mermaid = "mermaid"
    dot = "dot"
    svg = "svg"


class LayoutEngine(StrEnum):
    """Who lays out an SVG: splitter itself, or Graphviz's `dot`."""

    builtin = "builtin"
    graphviz = "graphviz"


def diagram(
    path: Path = typer.Argument(..., help="The code base's folder."),
    kind: DiagramKind = typer.Option(DiagramKind.services, "--kind", "-k", help="What to draw."),
    format: DiagramFormat = typer.Option(DiagramFormat.mermaid, "--format", "-f"),
    workflow: str | None = typer.Option(None, "--workflow", "-w", help="The workflow to draw."),
    layout: LayoutEngine = typer.Option(
        LayoutEngine.builtin, "--layout", help="Lay out an SVG here, or with Graphviz's dot."
    ),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write to this file, not stdout."),
    plan: Path | None = typer.Option(None, "--plan", help="The plan file (as for report)."),
    max_nodes: int = typer.Option(
        DEFAULT_MAX_NODES, min=2, help="Functions drawn before the call graph shows modules."
    ),
    exclude: list[str] = typer.Option([], "--exclude", "-x", help="Glob to leave out."),
    include_tests: bool = typer.Option(False, help="Also analyze test code."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Do not use .splitter-cache."),
) -> None:
    """Draw the services, the call graph or a workflow's state machine: Mermaid renders in
    GitHub and GitLab reviews, DOT is for Graphviz, SVG needs nothing else."""
    review = load_review(path, plan, exclude, include_tests, no_cache)
    picture = _picture(review, kind, workflow, max_nodes)
    if format is DiagramFormat.svg and layout is LayoutEngine.graphviz:
        text = graphviz_svg(to_dot(picture))
    else:
        text = render_diagram(picture, format.value)
    if picture.note:
        stderr.print(f"[yellow]note:[/] {picture.note}")
    if out is None:
        typer.echo(text, nl=False)
        return
    write_text_atomic(out, text)
    stderr.print(f"{kind.value} diagram written to {out}")


def _picture(review: Review, kind: DiagramKind, workflow: str | None, max_nodes: int) -> Diagram:
    plan = review.proposal.plan
    if kind is DiagramKind.services:
        return services_picture(review.analysis, plan)
    if kind is DiagramKind.calls:
        return calls_picture(review.analysis, plan, max_nodes)
    return workflow_picture(review.workflows(), workflow)


def graphviz_svg(dot_text: str) -> str:
    """`dot -Tsvg` on the DOT text.

    Raises:
        InputError: Graphviz is not installed, or `dot` failed.
    """
    program = shutil.which("dot")
    if program is None:
        raise InputError(
            "--layout graphviz needs Graphviz's `dot` program, which is not installed",
            hint="install Graphviz (apt-get install graphviz, brew install graphviz), or drop "
            "--layout graphviz: splitter lays out the SVG itself",
        )
    done = subprocess.run(
        [program, "-Tsvg"], input=dot_text, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise InputError(
            f"dot failed: {done.stderr.strip()}",
            hint="write --format dot to a file and run dot on it to see the problem",
        )
    return done.stdout

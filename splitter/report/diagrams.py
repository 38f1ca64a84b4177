"""The diagrams as files: the service map, the call graph and each workflow, in Mermaid, DOT
or SVG, for a review, for Graphviz users, or next to the generated application."""

from __future__ import annotations

from collections.abc import Sequence

from splitter.analyzer.model import Analysis
from splitter.errors import InputError
from splitter.planner.plan import Plan
from splitter.report.call_diagram import DEFAULT_MAX_NODES, call_diagram
from splitter.report.dot import to_dot
from splitter.report.graph import Diagram
from splitter.report.mermaid import to_mermaid
from splitter.report.service_map import placement, service_colours, service_diagram
from splitter.report.svg import diagram_svg
from splitter.report.workflows import WorkflowDrawing

EXTENSIONS = (("mermaid", "mmd"), ("dot", "dot"), ("svg", "svg"))
"""Each format with the file extension `diagram_files` gives it."""


def render_diagram(diagram: Diagram, format: str) -> str:
    """The diagram's text: `mermaid`, `dot`, or `svg` laid out here (no Graphviz needed).

    Raises:
        InputError: `format` is none of the three.
    """
    if format == "mermaid":
        return to_mermaid(diagram)
    if format == "dot":
        return to_dot(diagram)
    if format == "svg":
        return diagram_svg(diagram) + "\n"
    raise InputError(f"no diagram format {format!r}", hint="use mermaid, dot or svg")


def services_picture(analysis: Analysis, plan: Plan) -> Diagram:
    """The service map of the plan."""
    return service_diagram(plan, analysis, placement(plan, analysis))


def calls_picture(analysis: Analysis, plan: Plan, max_nodes: int = DEFAULT_MAX_NODES) -> Diagram:
    """The call graph coloured by the plan's services, modules when it is large."""
    colours = service_colours(s.name for s in plan.services)
    return call_diagram(analysis, placement(plan, analysis), colours, max_nodes)


def workflow_picture(drawings: Sequence[WorkflowDrawing], name: str | None) -> Diagram:
    """The state machine of workflow `name`, or of the only one there is.

    Raises:
        InputError: no workflow has a state machine, `name` has none, or `name` is None
            and there are several to choose from.
    """
    drawn = {d.name: d.diagram for d in drawings if d.diagram is not None}
    drawn |= {d.orchestration.machine_name: d.diagram for d in drawings if d.diagram is not None}
    listed = ", ".join(sorted(drawn)) or "none"
    if name is None and len(drawn) == 1:
        return next(iter(drawn.values()))
    if name is not None and name in drawn:
        return drawn[name]
    if not drawn:
        raise InputError(
            "no workflow of the plan calls another service: there is no state machine to draw",
            hint="run `splitter analyze PATH` to see the workflows and the services they reach",
        )
    what = f"workflow {name!r} has no state machine" if name else "pick one workflow"
    raise InputError(f"{what}; workflows with one: {listed}", hint="pass --workflow NAME")


def diagram_files(
    analysis: Analysis, plan: Plan, drawings: Sequence[WorkflowDrawing]
) -> dict[str, str]:
    """Every diagram in Mermaid, DOT and SVG, by relative path (`diagrams/services.mmd`,
    `diagrams/workflows/<name>.svg`...), to write next to the generated application."""
    pictures = {"services": services_picture(analysis, plan)}
    pictures["calls"] = calls_picture(analysis, plan)
    for drawing in drawings:
        if drawing.diagram is not None:
            pictures[f"workflows/{drawing.orchestration.machine_name}"] = drawing.diagram
    return {
        f"diagrams/{stem}.{extension}": render_diagram(picture, format)
        for stem, picture in sorted(pictures.items())
        for format, extension in EXTENSIONS
    }

"""Building the review report from an analysis, a plan and its drawn workflows."""

from __future__ import annotations

from collections import Counter

from splitter.planner.assignment import SHARED
from splitter.report.cost import CostAssumptions, estimate_cost
from splitter.report.explorer import explorer_data
from splitter.report.matrix import ownership_matrix
from splitter.report.model import Report, ReportInput, Summary, WorkflowView
from splitter.report.overview import figure_rows, figure_values, service_rows
from splitter.report.service_map import (
    conflicted_services,
    placement,
    service_colours,
    service_diagram,
    service_lines,
)
from splitter.report.svg import SvgOptions, colour_class, diagram_svg
from splitter.report.workflows import WorkflowDrawing


def build_report(given: ReportInput, assumptions: CostAssumptions | None = None) -> Report:
    """The report's data; the same input always gives the same report.

    Args:
        given: analysis, plan, figures, previous figures, workflows and volume.
        assumptions: what the cost estimate assumes (defaults when None).
    """
    analysis, plan = given.analysis, given.plan
    assumptions = assumptions or CostAssumptions()
    assignment = placement(plan, analysis)
    colours = service_colours(s.name for s in plan.services)
    lines = service_lines(analysis, assignment)
    conflicted = conflicted_services(plan)
    service_map = service_diagram(plan, analysis, assignment)
    classes = {name: colour_class(index) for name, index in colours.items()}
    previous = dict(given.previous)
    return Report(
        summary=_summary(given),
        figures=figure_rows(figure_values(given.figures), previous),
        compared=bool(previous),
        services=service_rows(plan, given.figures, assignment, lines, classes, conflicted),
        shared_functions=Counter(assignment.values())[SHARED],
        shared_lines=lines.get(SHARED, 0),
        service_map=diagram_svg(service_map, SvgOptions(standalone=False, prefix="map")),
        map_note=service_map.note,
        conflicts=tuple(str(conflict) for conflict in plan.conflicts),
        cycles=tuple(" → ".join([*cycle, cycle[0]]) for cycle in plan.cycles),
        matrix=ownership_matrix(plan, analysis, assignment),
        workflows=tuple(_workflow(w, given.volume, assumptions) for w in given.workflows),
        volume=given.volume,
        cost_assumptions=str(assumptions),
        unresolved=tuple(sorted(analysis.unresolved, key=lambda u: (u.path, u.line, u.caller))),
        problems=tuple(sorted(analysis.problems, key=lambda p: (p.path, p.line, p.kind))),
        explorer=explorer_data(analysis, plan, assignment, colours),
        notes=given.notes,
    )


def _summary(given: ReportInput) -> Summary:
    analysis = given.analysis
    return Summary(
        root=given.plan.root or analysis.root,
        modules=len(analysis.modules),
        functions=sum(1 for f in analysis.functions if f.kind != "module"),
        lines=analysis.lines,
        calls=len(analysis.calls),
        resolved_share=f"{analysis.resolved_share:.1%}",
    )


def _workflow(drawing: WorkflowDrawing, volume: int, assumptions: CostAssumptions) -> WorkflowView:
    workflow, orchestration = drawing.workflow, drawing.orchestration
    definition = drawing.definition
    svg = ""
    if drawing.diagram is not None:
        svg = diagram_svg(drawing.diagram, SvgOptions(False, f"wf-{orchestration.machine_name}"))
    return WorkflowView(
        name=workflow.name,
        machine=orchestration.machine_name,
        trigger=f"{workflow.kind} {workflow.detail}".strip(),
        entry=workflow.entry,
        function=orchestration.function,
        owner=orchestration.owner,
        services=orchestration.services_called,
        svg=svg,
        states=len(definition.get("States", {})) if definition else 0,
        service_calls=drawing.service_calls,
        glue_steps=drawing.glue_steps,
        cost=estimate_cost(definition, volume, assumptions) if definition else None,
        notes=drawing.notes,
    )

"""The plan's workflows as state machines to draw: each orchestrating function translated to
Amazon States Language by the generator's translator, then made a diagram."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from splitter.analyzer.model import Analysis
from splitter.errors import GenerationError
from splitter.generator.orchestration import Orchestration, find_orchestration, internal_callees
from splitter.generator.workflow_translation import WorkflowTranslation, translate_workflow
from splitter.planner.assignment import SHARED, assign_functions
from splitter.planner.plan import Plan, Workflow
from splitter.report.graph import Diagram
from splitter.report.workflow_diagram import StateRoles, workflow_diagram

SourceReader = Callable[[str], str | None]
"""A module's source text from its path relative to the analyzed root, None when unreadable."""


@dataclass(frozen=True)
class WorkflowDrawing:
    """A workflow, the function its state machine is made of, and the machine when there is
    one (`definition`, `diagram`); `notes` say what was left out and why."""

    workflow: Workflow
    orchestration: Orchestration
    definition: Mapping[str, Any] | None = None
    diagram: Diagram | None = None
    service_calls: int = 0
    glue_steps: int = 0
    notes: tuple[str, ...] = field(default=())

    @property
    def name(self) -> str:
        return self.workflow.name

    def __str__(self) -> str:
        states = len(self.definition.get("States", {})) if self.definition else 0
        return f"{self.name}: {self.orchestration}, {states} states"


def draw_workflows(
    analysis: Analysis,
    plan: Plan,
    read_source: SourceReader,
    colours: Mapping[str, int],
    translated: Mapping[str, WorkflowTranslation] | None = None,
) -> tuple[WorkflowDrawing, ...]:
    """Every workflow of the plan in name order, translated as `splitter generate` does: a
    state machine named after its orchestrating function when that function calls another
    service, once per function; the others keep a note saying why they have none.

    `translated` holds translations already made (by orchestrating function), so a caller
    that has them (the generator) does not translate twice."""
    service_of = assign_functions(plan, [f.qualname for f in analysis.functions])
    callees = internal_callees(analysis)
    drawings = []
    first: dict[str, str] = {}
    for workflow in sorted(plan.workflows, key=lambda w: w.name):
        found = find_orchestration(workflow.entry, analysis, service_of, callees)
        note = _untranslated(found, first.get(found.function))
        first.setdefault(found.function, workflow.name)
        if note:
            drawings.append(WorkflowDrawing(workflow, found, notes=(note,)))
        elif translated and found.function in translated:
            drawings.append(_drawn(workflow, found, translated[found.function], colours))
        else:
            drawn = _translated(workflow, found, analysis, service_of, read_source, colours)
            drawings.append(drawn)
    return tuple(drawings)


def _untranslated(found: Orchestration, earlier: str | None) -> str:
    """Why a workflow gets no state machine of its own, or "" when it gets one."""
    if earlier is not None:
        return f"the same orchestrating function as workflow {earlier}: drawn there"
    if found.owner == SHARED:
        return f"{found.function} is in the shared library, not a service"
    if not found.crosses_services:
        return f"calls no other service: it runs inside {found.owner}"
    return ""


def _translated(
    workflow: Workflow,
    orchestration: Orchestration,
    analysis: Analysis,
    service_of: Mapping[str, str],
    read_source: SourceReader,
    colours: Mapping[str, int],
) -> WorkflowDrawing:
    function = next((f for f in analysis.functions if f.qualname == orchestration.function), None)
    if function is None:
        note = f"{orchestration.function} is not a function of the analyzed code"
        return WorkflowDrawing(workflow, orchestration, notes=(note,))
    source = read_source(function.path)
    if source is None:
        note = f"the source of {function.path} cannot be read: nothing to translate"
        return WorkflowDrawing(workflow, orchestration, notes=(note,))
    try:
        translation = translate_workflow(
            orchestration.machine_name,
            function.qualname,
            source,
            analysis,
            service_of,
            orchestration.owner,
        )
    except GenerationError as error:
        return WorkflowDrawing(workflow, orchestration, notes=(f"not translated: {error.message}",))
    return _drawn(workflow, orchestration, translation, colours)


def _drawn(
    workflow: Workflow,
    orchestration: Orchestration,
    translation: WorkflowTranslation,
    colours: Mapping[str, int],
) -> WorkflowDrawing:
    roles = StateRoles(
        task_services={task.state: task.service for task in translation.tasks},
        glue_states=frozenset(glue.state for glue in translation.glue),
        colours=colours,
    )
    return WorkflowDrawing(
        workflow,
        orchestration,
        definition=translation.definition,
        diagram=workflow_diagram(orchestration.machine_name, translation.definition, roles),
        service_calls=len(translation.tasks),
        glue_steps=len(translation.glue),
        notes=translation.notes,
    )

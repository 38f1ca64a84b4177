"""The review report as plain data: everything the HTML page shows, built before rendering."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from splitter.analyzer.facts import FileProblem
from splitter.analyzer.model import Analysis, UnresolvedCall
from splitter.planner.metrics import QualityFigures
from splitter.planner.plan import Plan
from splitter.report.cost import DEFAULT_VOLUME, CostEstimate
from splitter.report.matrix import OwnershipMatrix
from splitter.report.overview import FigureRow, ServiceRow
from splitter.report.workflows import WorkflowDrawing


@dataclass(frozen=True)
class ReportInput:
    """What a report is made of: the analysis, the plan with its figures, the figures of a
    previous plan (empty when there is none), the drawn workflows and the monthly volume
    the workflows are priced at."""

    analysis: Analysis
    plan: Plan
    figures: QualityFigures
    previous: tuple[tuple[str, float], ...] = ()
    workflows: tuple[WorkflowDrawing, ...] = ()
    volume: int = DEFAULT_VOLUME
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Summary:
    """The size of the analyzed code base."""

    root: str
    modules: int
    functions: int
    lines: int
    calls: int
    resolved_share: str


@dataclass(frozen=True)
class WorkflowView:
    """One workflow as the report shows it: its picture (SVG, empty when it has no state
    machine), its size and its cost at the report's volume."""

    name: str
    machine: str
    trigger: str
    entry: str
    function: str
    owner: str
    services: tuple[str, ...]
    svg: str
    states: int
    service_calls: int
    glue_steps: int
    cost: CostEstimate | None
    notes: tuple[str, ...]


@dataclass(frozen=True)
class Report:
    """The whole review, ready for the template; `explorer` is the data of the page's
    script."""

    summary: Summary
    figures: tuple[FigureRow, ...]
    compared: bool
    services: tuple[ServiceRow, ...]
    shared_functions: int
    shared_lines: int
    service_map: str
    map_note: str
    conflicts: tuple[str, ...]
    cycles: tuple[str, ...]
    matrix: OwnershipMatrix
    workflows: tuple[WorkflowView, ...]
    volume: int
    cost_assumptions: str
    unresolved: tuple[UnresolvedCall, ...]
    problems: tuple[FileProblem, ...]
    explorer: dict[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def __str__(self) -> str:
        return (
            f"review of {self.summary.root}: {len(self.services)} services, "
            f"{len(self.workflows)} workflows, {len(self.unresolved)} unresolved calls"
        )

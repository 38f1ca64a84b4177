"""The sample monolith analyzed and split once per test run, for the report's tests."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from splitter.analyzer.model import Analysis
from splitter.analyzer.project import analyze_path
from splitter.planner.propose import Proposal, propose_from_analysis
from splitter.report.model import ReportInput
from splitter.report.service_map import service_colours
from splitter.report.workflows import WorkflowDrawing, draw_workflows

SAMPLE_ROOT = Path(__file__).resolve().parents[2] / "sample_monolith"


@cache
def sample_analysis() -> Analysis:
    return analyze_path(SAMPLE_ROOT, cache_dir=None)


@cache
def sample_proposal() -> Proposal:
    return propose_from_analysis(sample_analysis())


@cache
def sample_workflows() -> tuple[WorkflowDrawing, ...]:
    plan = sample_proposal().plan
    colours = service_colours(s.name for s in plan.services)

    def read(relative: str) -> str | None:
        return (SAMPLE_ROOT / relative).read_text(encoding="utf-8")

    return draw_workflows(sample_analysis(), plan, read, colours)


def sample_input(previous: tuple[tuple[str, float], ...] = ()) -> ReportInput:
    proposal = sample_proposal()
    return ReportInput(
        analysis=sample_analysis(),
        plan=proposal.plan,
        figures=proposal.figures,
        previous=previous,
        workflows=sample_workflows(),
    )

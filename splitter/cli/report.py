"""`splitter report PATH`: one self-contained HTML file to review, share and keep a split."""

from __future__ import annotations

import functools
import webbrowser
from dataclasses import dataclass
from pathlib import Path

import typer

from splitter.analyzer.model import Analysis
from splitter.analyzer.project import analyze_path
from splitter.analyzer.sources import read_module_source
from splitter.atomic import write_text_atomic
from splitter.cli.console import stderr
from splitter.errors import PlanError
from splitter.planner.constraints import read_constraints
from splitter.planner.gather import evidence_from_analysis
from splitter.planner.planfile import PLAN_FILE, PlanFile
from splitter.planner.planread import read_plan_file
from splitter.planner.propose import Proposal, propose
from splitter.planner.weights import merged_settings
from splitter.report.build import build_report
from splitter.report.cost import DEFAULT_VOLUME
from splitter.report.html import render_report
from splitter.report.model import ReportInput
from splitter.report.service_map import service_colours
from splitter.report.workflows import SourceReader, WorkflowDrawing, draw_workflows


@dataclass(frozen=True)
class Review:
    """What the report and the diagrams are drawn from: the analysis, the proposal (the plan
    file's plan kept, new code placed), the plan file when one was read, and notes."""

    root: Path
    analysis: Analysis
    proposal: Proposal
    stored: PlanFile | None
    notes: tuple[str, ...] = ()

    def workflows(self) -> tuple[WorkflowDrawing, ...]:
        """The plan's workflows, translated and drawn from the sources under `root`."""
        plan = self.proposal.plan
        colours = service_colours(s.name for s in plan.services)
        return draw_workflows(self.analysis, plan, source_reader(self.root), colours)


def report(
    path: Path = typer.Argument(..., help="The code base's folder."),
    plan: Path | None = typer.Option(
        None, "--plan", help=f"The plan file (default: {PLAN_FILE} here when there is one)."
    ),
    previous: Path | None = typer.Option(
        None,
        "--previous",
        help="A plan file to compare the figures with (default: the plan file's own [figures]).",
    ),
    out: Path = typer.Option(Path("report.html"), "--out", "-o", help="The HTML file to write."),
    volume: int = typer.Option(
        DEFAULT_VOLUME, "--volume", min=1, help="Executions a month, to price each workflow."
    ),
    open_report: bool = typer.Option(False, "--open", help="Open the report in the browser."),
    exclude: list[str] = typer.Option([], "--exclude", "-x", help="Glob to leave out."),
    include_tests: bool = typer.Option(False, help="Also analyze test code."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Do not use .splitter-cache."),
) -> None:
    """Write the review report: figures, service map, call-graph explorer, data ownership,
    workflows with their cost, and what could not be resolved. It works offline."""
    review = load_review(path, plan, exclude, include_tests, no_cache)
    compared = read_plan_file(previous).figures if previous else _stored_figures(review)
    given = ReportInput(
        analysis=review.analysis,
        plan=review.proposal.plan,
        figures=review.proposal.figures,
        previous=compared,
        workflows=review.workflows(),
        volume=volume,
        notes=review.notes,
    )
    write_text_atomic(out, render_report(build_report(given)))
    for note in review.notes:
        stderr.print(f"[yellow]note:[/] {note}")
    stderr.print(f"report written to {out}")
    if open_report:
        webbrowser.open(out.resolve().as_uri())


def load_review(
    path: Path,
    plan: Path | None,
    exclude: list[str],
    include_tests: bool,
    no_cache: bool,
) -> Review:
    """Analyze `path` and propose services, keeping the plan file's placement when there is
    one; nothing is written.

    Raises:
        PlanError: the plan file given with --plan is malformed or belongs to another root.
    """
    stored, notes = _plan_file(path, plan)
    analysis = analyze_path(
        path,
        exclude=exclude,
        include_tests=include_tests,
        cache_dir=None if no_cache else "default",
    )
    constraints = read_constraints(path)
    settings = merged_settings(stored.settings if stored else None, weights=constraints.weights)
    evidence = evidence_from_analysis(analysis)
    proposal = propose(evidence, settings, constraints, stored.plan if stored else None)
    return Review(path, analysis, proposal, stored, notes)


def source_reader(root: Path) -> SourceReader:
    """Reads a module's text by its path relative to `root`; None when it cannot."""

    return functools.partial(read_module_source, root)


def _plan_file(path: Path, plan: Path | None) -> tuple[PlanFile | None, tuple[str, ...]]:
    """The plan file to follow: the one given, else `splitter-plan.toml` here when it is
    the plan of `path`; None for a fresh proposal."""
    candidate = plan or Path(PLAN_FILE)
    if plan is None and not candidate.is_file():
        return None, ("no plan file: the report shows a fresh proposal (not written)",)
    stored = read_plan_file(candidate)
    recorded = (candidate.parent / stored.plan.root).resolve() if stored.plan.root else None
    if recorded is None or recorded == path.resolve():
        return stored, ()
    if plan is not None:
        raise PlanError(
            f"{plan} is the plan of {stored.plan.root}, not of {path}",
            hint=f"pass the plan file of {path} with --plan, or leave --plan out",
        )
    return None, (f"{candidate} is the plan of another code base: a fresh proposal is shown",)


def _stored_figures(review: Review) -> tuple[tuple[str, float], ...]:
    return review.stored.figures if review.stored else ()

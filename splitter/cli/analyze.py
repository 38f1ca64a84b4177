"""`splitter analyze PATH`: read a code base, report its call graph and data map, and propose
services, written to the plan file for review."""

from __future__ import annotations

import os
from dataclasses import asdict
from pathlib import Path
from typing import Any

import typer

from splitter.analyzer.model import Analysis
from splitter.analyzer.project import analyze_path
from splitter.analyzer.serialize import analysis_to_json
from splitter.analyzer.summary import summarize
from splitter.atomic import write_text_atomic
from splitter.cli.analysis_view import render_summary
from splitter.cli.console import OutputFormat, emit_json, progress_reporter, stdout
from splitter.cli.plan_view import PlanReport, render_plan
from splitter.errors import InputError, PlanError
from splitter.planner.constraints import Constraints, read_constraints
from splitter.planner.evidence import Evidence
from splitter.planner.export import plan_document, proposal_to_dict
from splitter.planner.external_graph import read_graph
from splitter.planner.gather import evidence_from_analysis
from splitter.planner.planfile import PLAN_FILE, PlanFile, render_plan_file
from splitter.planner.planread import read_plan_file
from splitter.planner.profile import read_profile, runtime_counts
from splitter.planner.propose import propose
from splitter.planner.weights import merged_settings


def analyze(
    path: Path | None = typer.Argument(
        None, help="The code base's folder: a package or an import root."
    ),
    exclude: list[str] = typer.Option(
        [], "--exclude", "-x", help="Glob of files or folders to leave out (repeatable)."
    ),
    include_tests: bool = typer.Option(False, help="Also analyze test code."),
    workers: int = typer.Option(2, min=1, help="Processes that parse files."),
    no_cache: bool = typer.Option(
        False, "--no-cache", help="Do not read or write .splitter-cache."
    ),
    json_file: Path | None = typer.Option(
        None, "--json", help="Write the whole analysis as versioned JSON to this file."
    ),
    output: OutputFormat = typer.Option(OutputFormat.text, help="Report for people or machines."),
    services: int | None = typer.Option(
        None, "--services", min=1, help="Ask for about this many services (default: chosen)."
    ),
    plan: Path = typer.Option(
        Path(PLAN_FILE), "--plan", help="The plan file to read and write.", show_default=True
    ),
    no_plan: bool = typer.Option(
        False, "--no-plan", help="Neither read nor write a plan file; only print."
    ),
    profile: Path | None = typer.Option(
        None, "--profile", help="A cProfile/pstats file whose call counts weigh the calls."
    ),
    graph: Path | None = typer.Option(
        None, "--graph", help="Plan from this weighted call graph (JSON) instead of PATH."
    ),
    seed: int | None = typer.Option(None, "--seed", help="Seed of the clustering (default 42)."),
) -> None:
    """Parse the code (never import or run it) into a call graph plus data dependencies, and
    propose services: `splitter-plan.toml` is written for review, edits are kept on rerun."""
    source = _source(path, graph)
    stored = None if no_plan or not plan.exists() else read_plan_file(plan)
    if stored is not None:
        _check_root(stored, source, plan)
    analysis, evidence, constraints = _evidence(
        source, graph is not None, exclude, include_tests, workers, no_cache, output
    )
    if json_file is not None and analysis is not None:
        write_text_atomic(json_file, analysis_to_json(analysis))
    evidence, profiled = _with_profile(evidence, profile)
    settings = merged_settings(
        stored.settings if stored else None,
        services=services,
        seed=seed,
        weights=constraints.weights,
    )
    proposal = propose(evidence, settings, constraints, stored.plan if stored else None)
    if not no_plan:
        reason = stored.reason if stored else ""
        document = plan_document(proposal, _relative(source, plan), reason)
        write_text_atomic(plan, render_plan_file(document))
    ignored = services is not None and stored is not None
    report = PlanReport(proposal, stored, None if no_plan else plan, profiled, ignored)
    if output is OutputFormat.json:
        emit_json(_json(analysis, report))
        return
    if analysis is not None:
        render_summary(summarize(analysis), analysis)
        if json_file is not None:
            stdout.print(f"\nanalysis written to {json_file}")
    render_plan(report)


def _source(path: Path | None, graph: Path | None) -> Path:
    if path is not None and graph is None:
        return path
    if graph is not None and path is None:
        return graph
    raise InputError(
        "give the code base's folder, or --graph FILE, but not both",
        hint="run `splitter analyze PATH`, or `splitter analyze --graph FILE`",
    )


def _evidence(
    source: Path,
    from_graph: bool,
    exclude: list[str],
    include_tests: bool,
    workers: int,
    no_cache: bool,
    output: OutputFormat,
) -> tuple[Analysis | None, Evidence, Constraints]:
    if from_graph:
        return None, read_graph(source), Constraints()
    constraints = read_constraints(source)
    with progress_reporter(enabled=output is OutputFormat.text) as progress:
        analysis = analyze_path(
            source,
            exclude=exclude,
            include_tests=include_tests,
            workers=workers,
            cache_dir=None if no_cache else "default",
            progress=progress,
            declared_entry_points=constraints.entry_points,
        )
    return analysis, evidence_from_analysis(analysis), constraints


def _with_profile(evidence: Evidence, profile: Path | None) -> tuple[Evidence, int]:
    """The evidence with the profile's call counts, and how many functions they cover."""
    if profile is None:
        return evidence, 0
    counts = runtime_counts(read_profile(profile), evidence)
    return evidence.with_runtime(counts.as_dict()), counts.matched


def _check_root(stored: PlanFile, source: Path, plan: Path) -> None:
    """A plan file is for one code base: refuse to apply it to another."""
    recorded = (plan.parent / stored.plan.root).resolve() if stored.plan.root else None
    if recorded is not None and recorded != source.resolve():
        raise PlanError(
            f"{plan} is the plan of {stored.plan.root}, not of {source}",
            hint=f"pass --plan with another file name, or run `splitter analyze "
            f"{stored.plan.root}` where the plan file is",
        )


def _relative(source: Path, plan: Path) -> str:
    """The analyzed root as the plan file records it: relative to the file's folder."""
    try:
        relative = os.path.relpath(source.resolve(), plan.parent.resolve())
    except ValueError:
        return source.resolve().as_posix()
    return Path(relative).as_posix()


def _json(analysis: Analysis | None, report: PlanReport) -> dict[str, Any]:
    data = proposal_to_dict(report.proposal)
    data["format"] = "splitter-proposal"
    data["summary"] = asdict(summarize(analysis)) if analysis is not None else None
    data["figures_before"] = dict(report.stored.figures) if report.stored else None
    data["plan_file"] = str(report.written) if report.written else None
    return data

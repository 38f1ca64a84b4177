"""`splitter generate`: build the serverless application the reviewed plan describes."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer

from splitter.analyzer.model import Analysis
from splitter.analyzer.project import analyze_path
from splitter.analyzer.sources import read_module_source
from splitter.cli.console import OutputFormat, emit_json, stdout
from splitter.cli.lint_baseline import monolith_findings
from splitter.errors import InputError
from splitter.generator.build import GeneratedApp, GenerateOptions, generate_app
from splitter.generator.deployment import WorkflowType
from splitter.generator.writer import WriteReport, write_tree
from splitter.planner.constraints import read_constraints
from splitter.planner.plan import Plan
from splitter.planner.planfile import PLAN_FILE
from splitter.planner.planread import read_plan_file
from splitter.planner.propose import propose_from_analysis


class MachineType(StrEnum):
    """`--type`: Standard workflows (long, exactly once) or Express (short, at least once)."""

    standard = "standard"
    express = "express"


def generate(
    path: Path | None = typer.Argument(
        None, help="The monolith's folder; by default the root the plan names."
    ),
    plan_file: Path = typer.Option(Path(PLAN_FILE), "--plan", help="The plan to build."),
    out: Path = typer.Option(Path("splitter-out"), "--out", help="Where to write the application."),
    only: str | None = typer.Option(
        None, help="Extract only this service; keep the rest as one `monolith` function."
    ),
    granularity: str = typer.Option(
        "service", help="One Lambda function per `service`, or per `operation`."
    ),
    workflow_type: MachineType = typer.Option(
        MachineType.standard, "--type", help="Step Functions workflow type."
    ),
    force: bool = typer.Option(False, help="Overwrite files you edited since the last run."),
    output: OutputFormat = typer.Option(OutputFormat.text, help="Report for people or machines."),
) -> None:
    """Scaffold one service per boundary, one state machine per workflow, and a SAM template."""
    plan, analysis = _plan_and_analysis(path, plan_file)
    sources = _sources(Path(analysis.root), analysis)
    baseline = monolith_findings(Path(analysis.root), sources)
    options = GenerateOptions(
        granularity,
        WorkflowType(workflow_type.value.upper()),
        only,
        lint_baseline=baseline or {},
    )
    app = generate_app(plan, analysis, sources, options)
    report = write_tree(out, app.files, force=force)
    if output is OutputFormat.json:
        emit_json({"out": str(out), "written": report.written, "kept": report.kept_edits,
                   "stale": report.stale, "removed": report.removed,
                   "monolith_findings_set_apart": baseline is not None,
                   "report": dict(app.report)})  # fmt: skip
        return
    _render(out, app, report)
    if baseline is None:
        stdout.print(
            "[yellow]ruff could not run[/]: ruff.toml does not set apart the monolith's own "
            "findings in the code carried from it"
        )


def _plan_and_analysis(path: Path | None, plan_file: Path) -> tuple[Plan, Analysis]:
    if plan_file.exists():
        plan = read_plan_file(plan_file).plan
        root = path or (plan_file.parent / plan.root)
        return plan, analyze_path(root)
    if path is None:
        raise InputError(
            f"no plan at {plan_file}",
            hint="run `splitter analyze PATH` first, or `splitter generate PATH` to propose one",
        )
    analysis = analyze_path(path)
    proposal = propose_from_analysis(analysis, constraints=read_constraints(path))
    return proposal.plan, analysis


def _sources(root: Path, analysis: Analysis) -> dict[str, str]:
    texts = {m.path: read_module_source(root, m.path) for m in analysis.modules}
    return {path: text for path, text in texts.items() if text is not None}


def _render(out: Path, app: GeneratedApp, report: WriteReport) -> None:
    stdout.print(f"[bold]Generated[/] {out}: {len(app.files)} files")
    for translation in app.translations:
        flag = " [red](translation failed)[/]" if translation.failed else ""
        stdout.print(f"  workflow {translation}{flag}")
    if app.operations_only:
        stdout.print(f"  {len(app.operations_only)} entry points stay operations of one service")
    stdout.print(
        f"written {len(report.written)}, unchanged {len(report.unchanged)}, "
        f"kept (edited by you) {len(report.kept_edits)}"
    )
    for path in report.kept_edits:
        stdout.print(f"  [yellow]kept[/] {path} (use --force to overwrite)")
    for path in report.stale:
        stdout.print(f"  [yellow]kept[/] {path}: no longer generated, edited by you")
    if report.removed:
        stdout.print(f"removed {len(report.removed)} files no longer generated")
    stdout.print(f"what could not be translated: {out / 'splitter-report.json'}")

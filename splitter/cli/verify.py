"""`splitter verify PATH`: prove the generated workflows behave like the monolith."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import typer

from splitter.cli.console import EXIT_FINDINGS, OutputFormat, emit_json, stderr, stdout
from splitter.cli.run import DEFAULT_GENERATED, parse_parameters
from splitter.local.app import load_app
from splitter.local.cases import VerifySettings, read_settings
from splitter.local.verify import DEFAULT_EXAMPLES, CaseResult, Verification, Verifier

DEFAULT_CASES = Path("splitter-verify.toml")


def verify(
    path: Path = typer.Argument(..., help="The monolith's folder (the one that was analyzed)."),
    generated: Path = typer.Option(
        DEFAULT_GENERATED, "--generated", "-g", help="The generated application's folder."
    ),
    cases: Path | None = typer.Option(
        None,
        "--cases",
        help="Settings and hand-written cases (TOML or JSON); default splitter-verify.toml here.",
    ),
    examples: int = typer.Option(
        DEFAULT_EXAMPLES, "--examples", "-n", help="Inputs to derive per workflow."
    ),
    seed: int = typer.Option(0, "--seed", help="Seed of the derived inputs."),
    workflow: list[str] = typer.Option(
        [], "--workflow", "-w", help="Verify only this workflow (repeatable)."
    ),
    parameter: list[str] = typer.Option(
        [], "--parameter", "-p", help="A template parameter, NAME=VALUE (as for run)."
    ),
    output: OutputFormat = typer.Option(OutputFormat.text, "--output", help="text or json."),
) -> None:
    """Run the same inputs through the monolith and through the generated workflows, and compare.

    Each input runs on its own fresh copy of the same starting database on each side; the
    return value is compared with the execution output, an exception with a failed execution
    (same error name), and every table's final rows. This runs the monolith's code, which
    `splitter analyze` never does. Exits 1 when any workflow differs.
    """
    settings = _settings(cases)
    app = load_app(generated, parameters=parse_parameters(parameter))
    with Verifier(app, path, settings, examples=examples, seed=seed) as verifier:
        result = verifier.verify(only=workflow, progress=_progress(output))
    if output is OutputFormat.json:
        emit_json(result.to_json())
    else:
        print_verification(result)
    if not result.equivalent:
        raise typer.Exit(EXIT_FINDINGS)


def _settings(cases: Path | None) -> VerifySettings:
    if cases is not None:
        return read_settings(cases)
    if DEFAULT_CASES.exists():
        return read_settings(DEFAULT_CASES)
    return VerifySettings()


def _progress(output: OutputFormat) -> Callable[[str, int, int], None] | None:
    if output is OutputFormat.json or not stderr.is_terminal:
        return None

    def report(workflow: str, done: int, total: int) -> None:
        stderr.print(f"verifying {workflow}: {done + 1}/{total}", end="\r")

    return report


def print_verification(result: Verification) -> None:
    """Per workflow a verdict; for each difference the input, both outcomes and the diff."""
    for workflow in result.workflows:
        colour = "green" if workflow.equivalent else "red"
        verdict = "equivalent" if workflow.equivalent else f"{len(workflow.differing)} differ"
        outside = f", {len(workflow.outside)} outside its signature" if workflow.outside else ""
        outside += ", one function" if workflow.kind == "one function" else ""
        stdout.print(
            f"[{colour}]{workflow.workflow:<24}[/] {len(workflow.cases):>4} inputs "
            f"({workflow.error_paths} error paths{outside})  [{colour}]{verdict}[/]"
        )
        for case in workflow.differing[:3]:
            _print_case(case)
        if len(workflow.differing) > 3:
            stdout.print(f"    ... and {len(workflow.differing) - 3} more (--output json)")
    colour = "green" if result.equivalent else "red"
    stdout.print(f"[bold {colour}]{result}[/]")


def _print_case(case: CaseResult) -> None:
    stdout.print(f"  - {case.case.name} ({case.case.origin})", markup=False)
    stdout.print(f"      input    : {json.dumps(dict(case.case.input))[:200]}", markup=False)
    stdout.print(f"      monolith : {case.monolith}", markup=False)
    stdout.print(f"      workflow : {case.generated}", markup=False)
    for difference in case.differences:
        stdout.print(f"      diff     : {difference}", markup=False)
    for table in case.tables:
        stdout.print(f"      rows     : {table}; columns {', '.join(table.columns)}", markup=False)
        for row in table.only_monolith[:2]:
            stdout.print(f"        monolith only: {_row(row)}", markup=False)
        for row in table.only_generated[:2]:
            stdout.print(f"        workflow only: {_row(row)}", markup=False)


def _row(row: tuple[object, ...]) -> str:
    text = json.dumps(list(row), default=str)
    return text if len(text) <= 160 else text[:157] + "..."

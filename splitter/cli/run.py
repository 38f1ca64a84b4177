"""`splitter run WORKFLOW`: execute a generated workflow on this machine, tasks in-process."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from splitter.cli.console import EXIT_FINDINGS, OutputFormat, emit_json, stdout
from splitter.errors import InputError
from splitter.local.app import load_app
from splitter.local.stepfunctions import Execution, LocalStepFunctions

DEFAULT_GENERATED = Path("splitter-out")


def run(
    workflow: str = typer.Argument(
        ...,
        help="The workflow to execute (its state machine's name), or an entry point that one "
        "function serves.",
    ),
    input: str = typer.Option(
        "{}", "--input", "-i", help="The execution input: JSON, or @FILE to read it from a file."
    ),
    generated: Path = typer.Option(
        DEFAULT_GENERATED, "--generated", "-g", help="The generated application's folder."
    ),
    parameter: list[str] = typer.Option(
        [],
        "--parameter",
        "-p",
        help="A template parameter, NAME=VALUE; by default the environment variable it names.",
    ),
    output: OutputFormat = typer.Option(OutputFormat.text, "--output", help="text or json."),
) -> None:
    """Execute a generated workflow locally: moto's Step Functions interpreter, handlers in-process.

    Every task runs the generated handler of its service, loaded with only that service's
    folder and the shared layer on its path. Retry intervals and Wait states do not wait.
    Exits 1 when the execution fails.
    """
    app = load_app(generated, parameters=parse_parameters(parameter))
    given = read_input(input)
    with LocalStepFunctions(app) as service:
        execution = service.run(workflow, given)
    if output is OutputFormat.json:
        emit_json(execution.to_json())
    else:
        print_execution(execution)
    if not execution.succeeded:
        raise typer.Exit(EXIT_FINDINGS)


def parse_parameters(pairs: list[str]) -> dict[str, str]:
    """`NAME=VALUE` pairs as a dict; a pair without `=` is a usage error."""
    values = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise InputError(f"--parameter {pair!r} is not NAME=VALUE")
        values[name] = value
    return values


def read_input(text: str) -> Any:
    """The execution input given inline or as `@file`, parsed as JSON."""
    source = "--input"
    if text.startswith("@"):
        path = Path(text[1:])
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise InputError(f"cannot read the input file {path}: {error.strerror}") from None
        source = str(path)
    try:
        value = json.loads(text)
    except ValueError as error:
        raise InputError(
            f"{source} is not JSON: {error}", hint="e.g. --input '{\"order_id\": 7}'"
        ) from None
    if isinstance(value, dict) and set(value) == {"comment", "input"}:
        return value["input"]  # an example event written by `splitter generate`
    return value


def print_execution(execution: Execution) -> None:
    """The path through the states, then the output or the error."""
    for step in execution.steps:
        error = f"  [red]{step.error}[/]" if step.error else ""
        stdout.print(f"  {step.state:<32} {step.kind:<8} {step.duration_ms:8.1f} ms{error}")
        stdout.print(f"      in : {_short(step.input)}", markup=False)
        if step.output is not None:
            stdout.print(f"      out: {_short(step.output)}", markup=False)
    colour = "green" if execution.succeeded else "red"
    stdout.print(f"[{colour}]{execution}[/]")
    if execution.succeeded:
        stdout.print(json.dumps(execution.output, indent=2, sort_keys=True), markup=False)
    else:
        stdout.print(f"error: {execution.error}", markup=False)
        stdout.print(f"cause: {execution.cause}", markup=False)
    stdout.print("(Retry intervals and Wait states are skipped locally.)", style="dim")


def _short(value: Any, limit: int = 160) -> str:
    text = json.dumps(value, sort_keys=True)
    return text if len(text) <= limit else text[: limit - 3] + "..."

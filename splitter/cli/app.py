"""The `splitter` typer application: joins one module per command."""

from __future__ import annotations

import sys

import typer

from splitter import __version__
from splitter.cli.analyze import analyze
from splitter.cli.callgraph import callgraph
from splitter.cli.console import exits_on_error, print_error
from splitter.cli.diagram import diagram
from splitter.cli.generate import generate
from splitter.cli.report import report
from splitter.cli.run import run
from splitter.cli.verify import verify
from splitter.errors import SplitterError

app = typer.Typer(
    name="splitter",
    help="Take a Python monolith apart into AWS Lambda services and Step Functions workflows.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"splitter {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: bool = typer.Option(
        False,
        "--version",
        callback=_version_callback,
        is_eager=True,
        help="Print the version and exit.",
    ),
) -> None:
    """Take a Python monolith apart into AWS Lambda services and Step Functions workflows."""


app.command()(exits_on_error(analyze))
app.command()(exits_on_error(callgraph))
app.command()(exits_on_error(generate))
app.command()(exits_on_error(report))
app.command()(exits_on_error(diagram))
app.command()(exits_on_error(run))
app.command()(exits_on_error(verify))


def main() -> None:
    """Entry point of the console script: runs the app and maps errors to exit codes."""
    try:
        app()
    except SplitterError as error:
        print_error(error)
        sys.exit(error.exit_code)

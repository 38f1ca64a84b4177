"""`splitter analyze PATH`: read a code base and report its call graph and data map."""

from __future__ import annotations

from pathlib import Path

import typer

from splitter.analyzer.project import analyze_path
from splitter.analyzer.serialize import analysis_to_dict, analysis_to_json
from splitter.analyzer.summary import summarize
from splitter.cli.analysis_view import render_summary
from splitter.cli.console import OutputFormat, emit_json, progress_reporter, stdout
from splitter.cli.files import write_text_atomic


def analyze(
    path: Path = typer.Argument(..., help="The code base's folder: a package or an import root."),
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
) -> None:
    """Parse the code (never import or run it) into a call graph plus data dependencies."""
    with progress_reporter(enabled=output is OutputFormat.text) as progress:
        analysis = analyze_path(
            path,
            exclude=exclude,
            include_tests=include_tests,
            workers=workers,
            cache_dir=None if no_cache else "default",
            progress=progress,
        )
    if json_file is not None:
        write_text_atomic(json_file, analysis_to_json(analysis))
    if output is OutputFormat.json:
        emit_json(analysis_to_dict(analysis))
        return
    render_summary(summarize(analysis), analysis)
    if json_file is not None:
        stdout.print(f"\nanalysis written to {json_file}")

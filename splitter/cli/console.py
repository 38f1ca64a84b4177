"""The console shared by the commands: rich output on stdout, errors on stderr."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import ParamSpec

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from splitter.errors import SplitterError

P = ParamSpec("P")

stdout = Console(highlight=False, soft_wrap=True)
stderr = Console(stderr=True, highlight=False, soft_wrap=True)

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2


class OutputFormat(StrEnum):
    """How a command reports: for people or for machines."""

    text = "text"
    json = "json"


def print_error(error: SplitterError) -> None:
    """Print a user-facing error in red on stderr, with its hint."""
    stderr.print(f"[bold red]error:[/] {error.message}")
    if error.hint:
        stderr.print(f"[yellow]hint:[/] {error.hint}")


def emit_json(data: object) -> None:
    """Print machine output: JSON with sorted keys, nothing else on stdout."""
    print(json.dumps(data, indent=1, sort_keys=True))


@contextmanager
def progress_reporter(*, enabled: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on stderr for long runs, or None when output is for machines."""
    if not enabled or not stderr.is_terminal:
        yield None
        return
    with Progress(
        TextColumn("analyzing"), BarColumn(), MofNCompleteColumn(), console=stderr, transient=True
    ) as bar:
        task = bar.add_task("files", total=None)

        def report(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield report


def exits_on_error(command: Callable[P, None]) -> Callable[P, None]:
    """Wrap a command so a `SplitterError` is printed with its hint and exits with its code."""

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            command(*args, **kwargs)
        except SplitterError as error:
            print_error(error)
            raise typer.Exit(error.exit_code) from error

    return run

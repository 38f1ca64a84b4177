"""The console shared by the commands: rich output on stdout, errors on stderr."""

from __future__ import annotations

from enum import Enum

from rich.console import Console

from splitter.errors import SplitterError

stdout = Console(highlight=False, soft_wrap=True)
stderr = Console(stderr=True, highlight=False, soft_wrap=True)

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2


class OutputFormat(str, Enum):
    """How a command reports: for people or for machines."""

    text = "text"
    json = "json"


def print_error(error: SplitterError) -> None:
    """Print a user-facing error in red on stderr, with its hint."""
    stderr.print(f"[bold red]error:[/] {error.message}")
    if error.hint:
        stderr.print(f"[yellow]hint:[/] {error.hint}")

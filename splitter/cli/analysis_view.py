"""How `splitter analyze` shows an analysis to a person."""

from __future__ import annotations

from rich.table import Table

from splitter.analyzer.model import Analysis
from splitter.analyzer.summary import AnalysisSummary
from splitter.cli.console import stdout

_MAX_LISTED = 12


def render_summary(summary: AnalysisSummary, analysis: Analysis) -> None:
    """Print the analysis summary: counts, entry points, modules, tables, gaps."""
    stdout.print(f"[bold]Analysis of {analysis.root}[/]")
    stdout.print(
        f"{summary.files} files, {summary.lines:,} lines, {summary.functions} functions, "
        f"{summary.classes} classes"
    )
    stdout.print(
        f"{summary.call_sites} call sites: {summary.resolved_sites} resolved "
        f"({summary.internal_edges} internal edges, {summary.external_calls} external calls, "
        f"{summary.builtin_calls} builtin calls), "
        f"{summary.unresolved_share:.1%} unresolved"
    )
    _entry_points(summary)
    _modules(summary)
    _tables(summary)
    _gaps(summary, analysis)


def _entry_points(summary: AnalysisSummary) -> None:
    stdout.print(f"\n[bold]Entry points[/] ({len(summary.entry_points)})")
    for entry in summary.entry_points[:_MAX_LISTED]:
        stdout.print(f"  {entry.kind:<10} {entry.function}  [dim]{entry.detail}[/]")
    _more(len(summary.entry_points))


def _modules(summary: AnalysisSummary) -> None:
    if not summary.connected_modules:
        return
    table = Table(title="Most connected modules", title_justify="left", box=None)
    table.add_column("module")
    table.add_column("calls out", justify="right")
    table.add_column("calls in", justify="right")
    for module, outgoing, incoming in summary.connected_modules:
        table.add_row(module, str(outgoing), str(incoming))
    stdout.print()
    stdout.print(table)


def _tables(summary: AnalysisSummary) -> None:
    if not summary.tables:
        return
    table = Table(title="Tables and who touches them", title_justify="left", box=None)
    table.add_column("table")
    table.add_column("written by")
    table.add_column("read by")
    for use in summary.tables:
        table.add_row(use.table, _names(use.writers), _names(use.readers))
    stdout.print()
    stdout.print(table)


def _names(functions: tuple[str, ...], limit: int = 3) -> str:
    short = [f.rpartition(".")[2] if f.count(".") > 1 else f for f in functions[:limit]]
    extra = f" +{len(functions) - limit}" if len(functions) > limit else ""
    return ", ".join(short) + extra


def _gaps(summary: AnalysisSummary, analysis: Analysis) -> None:
    if summary.unresolved_reasons:
        stdout.print("\n[bold]Top reasons for unresolved calls[/]")
        for reason, count in summary.unresolved_reasons:
            stdout.print(f"  {count:>5}  {reason}")
    if analysis.problems:
        stdout.print(f"\n[bold yellow]Files that could not be analyzed[/] ({summary.problems})")
        for problem in analysis.problems[:_MAX_LISTED]:
            stdout.print(f"  {problem}")
        _more(len(analysis.problems))


def _more(count: int) -> None:
    if count > _MAX_LISTED:
        stdout.print(f"  [dim]... and {count - _MAX_LISTED} more (--output json lists all)[/]")

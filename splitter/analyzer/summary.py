"""The figures a person reads first about an analysis: counts, hot spots, tables, gaps."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from splitter.analyzer.model import Analysis, EntryPoint

_QUOTED = re.compile(r"'[^']*'")


@dataclass(frozen=True)
class TableSummary:
    """Who reads and who writes one table."""

    table: str
    readers: tuple[str, ...]
    writers: tuple[str, ...]


@dataclass(frozen=True)
class AnalysisSummary:
    """Counts and rankings derived from an `Analysis`."""

    files: int
    lines: int
    functions: int
    classes: int
    call_sites: int
    resolved_sites: int
    internal_edges: int
    external_calls: int
    builtin_calls: int
    entry_points: tuple[EntryPoint, ...]
    connected_modules: tuple[tuple[str, int, int], ...]
    tables: tuple[TableSummary, ...]
    unresolved_reasons: tuple[tuple[str, int], ...]
    problems: int

    @property
    def unresolved_share(self) -> float:
        return 1 - self.resolved_sites / self.call_sites if self.call_sites else 0.0


def summarize(analysis: Analysis, *, top: int = 10) -> AnalysisSummary:
    """Summarize an analysis for the `analyze` report.

    Args:
        analysis: the analysis to summarize.
        top: how many modules and reasons to rank.
    """
    resolved_sites = {(c.path, c.line, c.caller) for c in analysis.calls}
    unresolved_sites = {(u.path, u.line, u.caller) for u in analysis.unresolved} - resolved_sites
    targets = Counter(call.target for call in analysis.calls)
    return AnalysisSummary(
        files=len(analysis.modules),
        lines=analysis.lines,
        functions=sum(1 for f in analysis.functions if f.kind != "module"),
        classes=len(analysis.classes),
        call_sites=len(resolved_sites) + len(unresolved_sites),
        resolved_sites=len(resolved_sites),
        internal_edges=len(
            {(c.caller, c.callee) for c in analysis.calls if c.target == "internal"}
        ),
        external_calls=targets["external"],
        builtin_calls=targets["builtin"],
        entry_points=analysis.entry_points,
        connected_modules=_connected_modules(analysis)[:top],
        tables=_tables(analysis),
        unresolved_reasons=tuple(_reasons(analysis).most_common(top)),
        problems=len(analysis.problems),
    )


def _connected_modules(analysis: Analysis) -> tuple[tuple[str, int, int], ...]:
    """Modules by calls crossing their border: (module, calls out, calls in)."""
    module_of = {f.qualname: f.module for f in analysis.functions}
    outgoing: Counter[str] = Counter()
    incoming: Counter[str] = Counter()
    for call in analysis.calls:
        source, target = module_of.get(call.caller), module_of.get(call.callee)
        if call.target == "internal" and source and target and source != target:
            outgoing[source] += 1
            incoming[target] += 1
    modules = set(outgoing) | set(incoming)
    ranked = sorted(modules, key=lambda m: (-(outgoing[m] + incoming[m]), m))
    return tuple((m, outgoing[m], incoming[m]) for m in ranked)


def _tables(analysis: Analysis) -> tuple[TableSummary, ...]:
    readers: dict[str, set[str]] = defaultdict(set)
    writers: dict[str, set[str]] = defaultdict(set)
    for use in analysis.tables:
        if use.mode == "write":
            writers[use.table].add(use.function)
        elif use.mode == "read":
            readers[use.table].add(use.function)
    names = sorted(set(readers) | set(writers))
    return tuple(
        TableSummary(t, tuple(sorted(readers[t])), tuple(sorted(writers[t]))) for t in names
    )


def _reasons(analysis: Analysis) -> Counter[str]:
    """Unresolved calls grouped by reason, with the names taken out so alike reasons meet."""
    return Counter(_QUOTED.sub("'…'", u.reason) for u in analysis.unresolved)

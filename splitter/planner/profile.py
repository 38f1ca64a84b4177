"""Runtime call counts from a `cProfile` / `pstats` file, mapped onto the planner's units."""

from __future__ import annotations

import pstats
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from splitter.errors import InputError
from splitter.planner.evidence import Evidence, Unit

Site = tuple[str, int, str]
"""How pstats names a function: (file name, first line, function name)."""


@dataclass(frozen=True)
class RuntimeCounts:
    """Calls counted between units, and how much of the profile could be placed."""

    counts: tuple[tuple[tuple[str, str], float], ...]
    matched: int
    unmatched: int

    def as_dict(self) -> dict[tuple[str, str], float]:
        return dict(self.counts)


def read_profile(path: Path) -> dict[Site, tuple[Any, ...]]:
    """The raw statistics of a profile written by `cProfile` (`-o FILE`) or `pstats.dump_stats`.

    Raises:
        InputError: the file is missing or is not a profile.
    """
    try:
        stats = pstats.Stats(str(path))
    except (OSError, TypeError, ValueError, EOFError) as error:
        raise InputError(
            f"cannot read the profile {path}: {error}",
            hint="record one with `python -m cProfile -o FILE ...` (for example while the "
            "monolith's tests run) and pass that FILE to --profile",
        ) from error
    raw: dict[Site, tuple[Any, ...]] = stats.stats  # type: ignore[attr-defined]
    return raw


def runtime_counts(raw: Mapping[Site, tuple[Any, ...]], evidence: Evidence) -> RuntimeCounts:
    """Calls between units: for each profiled function, the calls each caller made to it.

    A function is found by its file (its path relative to the analyzed root ends the
    profile's file name) and its first line; a nested function counts for the unit that
    encloses it. A call through a decorator's wrapper counts for the decorated function;
    profile lines of the Python standard library and other code outside the analyzed root
    are not matched.
    """
    by_file = _units_by_file(evidence.units)
    counts: dict[tuple[str, str], float] = defaultdict(float)
    matched: set[Site] = set()
    unmatched: set[Site] = set()
    for callee_site, row in raw.items():
        callee = _unit_at(callee_site, by_file)
        (matched if callee else unmatched).add(callee_site)
        callers: Mapping[Site, tuple[Any, ...]] = row[4] if len(row) > 4 else {}
        for caller_site, calls in callers.items():
            caller = _unit_at(caller_site, by_file)
            if callee and caller and caller != callee:
                counts[(caller, callee)] += float(calls[1])
    counts = _through_wrappers(counts, evidence)
    return RuntimeCounts(tuple(sorted(counts.items())), len(matched), len(unmatched))


def _through_wrappers(
    counts: Mapping[tuple[str, str], float], evidence: Evidence
) -> dict[tuple[str, str], float]:
    """A call into a decorator's wrapper goes to the decorated function the caller calls in
    the code (shared out evenly when it calls several); the wrapper's own calls of the
    functions it decorates are dropped."""
    decorated: dict[str, set[str]] = defaultdict(set)
    for link in evidence.callbacks:
        decorated[link.caller].add(link.callee)
    static = {(link.caller, link.callee) for link in evidence.links}
    result: dict[tuple[str, str], float] = defaultdict(float)
    for (caller, callee), count in sorted(counts.items()):
        if callee in decorated.get(caller, ()):
            continue
        targets = sorted(f for f in decorated.get(callee, ()) if (caller, f) in static)
        for target in targets or [callee]:
            result[(caller, target)] += count / max(len(targets), 1)
    return dict(result)


def _units_by_file(units: Iterable[Unit]) -> dict[str, list[Unit]]:
    found: dict[str, list[Unit]] = defaultdict(list)
    for unit in units:
        if unit.path:
            found[unit.path.replace("\\", "/")].append(unit)
    return {path: sorted(group, key=lambda u: u.line) for path, group in found.items()}


def _unit_at(site: Site, by_file: Mapping[str, list[Unit]]) -> str:
    """The unit a profiled function belongs to, "" when it is not analyzed code."""
    filename, line, name = site
    normal = filename.replace("\\", "/")
    for path, units in by_file.items():
        if normal == path or normal.endswith("/" + path):
            return _in_file(units, line, name)
    return ""


def _in_file(units: list[Unit], line: int, name: str) -> str:
    """Decorators put a function's first line above its `def`: take the first unit of that
    name at or below the line; else the unit whose lines enclose it (a nested function)."""
    named = [u for u in units if u.name.rpartition(".")[2] == name and u.line >= line]
    if named and not any(
        line <= other.line < named[0].line for other in units if other != named[0]
    ):
        return named[0].name
    enclosing = [u for u in units if u.line <= line <= u.end_line]
    return max(enclosing, key=lambda u: u.line).name if enclosing else ""

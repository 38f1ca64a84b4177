"""Where facts sit in their file, apart from what they say.

Resolution copies a fact's line into the records it makes (a call site's line, a function's
first and last line) and reads it for nothing else. An edit that only moves code, as a comment
or a blank line inserted above it does, changes the lines of the facts below it and nothing
more. So the facts' digest (`splitter.analyzer.cache.facts_digest`) hashes them without their
lines (`without_positions`), such an edit keeps the resolution key, and the earlier analysis is
this run's once the lines of the edited file's records are moved along (`moved`).

Moving is exact when every line the old facts held went to one new line, in the same order
(`line_map`); an edit that joins two lines or splits one is not moved, and resolves again.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterator, Mapping
from operator import itemgetter
from typing import Any

from splitter.analyzer import facts, model
from splitter.analyzer.facts import FileFacts
from splitter.analyzer.model import Analysis

LineMap = dict[int, int]
"""Each line of a file's earlier facts, with the line it holds in the file's facts now."""

_SHAPES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "definitions": (facts.Definition._fields, ("line", "end_line")),
    "imports": (facts.Import._fields, ("line",)),
    "calls": (facts.CallSite._fields, ("line",)),
    "bindings": (facts.Binding._fields, ("line",)),
    "returns": (facts.Binding._fields, ("line",)),
    "loops": (facts.Binding._fields, ("line",)),
    "withs": (facts.Binding._fields, ("line",)),
    "attribute_loads": (facts.CallSite._fields, ("line",)),
    "tables": (facts.TableAccess._fields, ("line",)),
    "state": (facts.StateAccess._fields, ("line",)),
    "environment": (("scope", "variable", "line"), ("line",)),
}
"""The fields of `FileFacts` whose records carry lines: the fields of a record, and its lines."""
_POSITIONS = {
    name: tuple(fields.index(line) for line in lines) for name, (fields, lines) in _SHAPES.items()
}
"""Where the lines sit in a record, by field of `FileFacts`."""
_FIELDS = tuple(f.name for f in dataclasses.fields(FileFacts))
_STRIPPERS = {
    _FIELDS.index(name): itemgetter(*(i for i in range(len(fields)) if i not in _POSITIONS[name]))
    for name, (fields, _) in _SHAPES.items()
}
"""By index among the plain fields: what keeps all of a record but its lines."""


def without_positions(fields: tuple[Any, ...]) -> tuple[Any, ...]:
    """The plain fields of some facts (`splitter.analyzer.cache.plain_fields`), with the lines
    taken out of every record."""
    return tuple(
        tuple(map(_STRIPPERS[index], value)) if index in _STRIPPERS else value
        for index, value in enumerate(fields)
    )


def line_map(earlier: FileFacts, now: FileFacts) -> LineMap | None:
    """Where each line of `earlier` facts went in `now`, two sets of facts that are alike but
    for their lines; None when they are not alike, or when the lines did not move in one piece:
    two lines that became one, one that became two, or lines that changed their order."""
    pairs: LineMap = {}
    old_lines = list(_positions(earlier))
    new_lines = list(_positions(now))
    if len(old_lines) != len(new_lines):
        return None
    for old, new in zip(old_lines, new_lines, strict=True):
        if pairs.setdefault(old, new) != new:
            return None
    ordered = [pairs[old] for old in sorted(pairs)]
    if any(a >= b for a, b in itertools.pairwise(ordered)):
        return None
    return pairs


def _positions(file: FileFacts) -> Iterator[int]:
    """Every line in `file`'s records, in their order; not the first line of the module's own
    definition, which is 1 whatever the file holds."""
    for name, indexes in _POSITIONS.items():
        records: tuple[Any, ...] = getattr(file, name)
        for record in records:
            if name == "definitions" and record.kind == "module":
                yield record.end_line
                continue
            for index in indexes:
                yield record[index]


def moved(analysis: Analysis, maps: Mapping[str, LineMap]) -> Analysis | None:
    """`analysis` with the lines of the records of each file in `maps` moved along its map;
    None when a record has a line the map does not know, which resolving again settles."""
    if not maps:
        return analysis
    changes: dict[str, Any] = {}
    for name in _RECORDS:
        records: tuple[Any, ...] = getattr(analysis, name)
        changed = []
        for record in records:
            lines = maps.get(record.path)
            if lines is not None:
                record = _moved_record(record, lines)
                if record is None:
                    return None
            changed.append(record)
        changes[name] = tuple(changed)
    return dataclasses.replace(analysis, **changes)


_RECORDS = (
    "functions",
    "classes",
    "calls",
    "unresolved",
    "tables",
    "state",
    "entry_points",
    "environment",
)
"""The fields of `Analysis` whose records carry a path and a line."""


def _moved_record(record: Any, lines: LineMap) -> Any | None:
    if isinstance(record, model.Function | model.ClassInfo):
        first: int | None = record.line
        if not (isinstance(record, model.Function) and record.kind == "module"):
            first = lines.get(record.line)
        last = lines.get(record.end_line)
        if first is None or last is None:
            return None
        return dataclasses.replace(record, line=first, end_line=last)
    if isinstance(record, model.EntryPoint) and record.kind == "main":
        return record  # always at the module's first line
    line = lines.get(record.line)
    return None if line is None else dataclasses.replace(record, line=line)

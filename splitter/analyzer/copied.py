"""What facts carry that resolution only copies into its records: lines and docstrings.

Resolution copies a fact's line into the records it makes (a call site's line, a function's
first and last line), and a definition's docstring into its function's or class's record, and
reads them for nothing else. An edit that only moves code, as a comment or a blank line
inserted above it does, changes the lines of the facts below it and nothing more; rewording the
first line of a docstring changes that docstring alone. So the facts' digest
(`splitter.analyzer.cache.facts_digest`) hashes them without either (`without_copied`), such an
edit keeps the resolution key, and the earlier analysis is this run's once the edited file's
records are given their new lines and docstrings (`copied_along`).

That is exact when every line the earlier facts held went to one new line, in the same order
(`file_edit`); an edit that joins two lines or splits one is not followed, and the program is
resolved again.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterator, Mapping
from operator import itemgetter
from typing import Any, NamedTuple

from splitter.analyzer import facts, model
from splitter.analyzer.facts import FileFacts
from splitter.analyzer.model import Analysis

LineMap = dict[int, int]
"""Each line of a file's earlier facts, with the line it holds in the file's facts now."""


class FileEdit(NamedTuple):
    """How one file's records change between two sets of its facts that are alike but for what
    resolution only copies."""

    lines: LineMap
    """Each earlier line, with its line now."""
    docstrings: dict[tuple[str, int], str]
    """The docstrings that changed, by the qualified name and the line (now) of their
    definition."""

    def changes_nothing(self) -> bool:
        """Whether every line stayed where it was and no docstring changed."""
        return not self.docstrings and all(old == new for old, new in self.lines.items())


_LINES = ("line", "end_line")
_SHAPES: dict[str, tuple[str, ...]] = {
    **{name: cls._fields for name, cls in facts.RECORD_CLASSES.items()},  # type: ignore[attr-defined]
    "environment": ("scope", "variable", "line"),
}
"""The fields of `FileFacts` that hold records, with the fields of a record: every record carries
its line, and a definition its last line too."""
_POSITIONS = {
    name: tuple(index for index, field in enumerate(fields) if field in _LINES)
    for name, fields in _SHAPES.items()
}
"""Where the lines sit in a record, by field of `FileFacts`."""
_FIELDS = tuple(f.name for f in dataclasses.fields(FileFacts))
_DOCSTRING = facts.Definition._fields.index("docstring")
_STRIPPERS = {
    _FIELDS.index(name): itemgetter(
        *(
            index
            for index in range(len(fields))
            if index not in _POSITIONS[name] and (name, index) != ("definitions", _DOCSTRING)
        )
    )
    for name, fields in _SHAPES.items()
}
"""By index among the plain fields: what keeps all of a record but what is only copied."""


def without_copied(fields: tuple[Any, ...]) -> tuple[Any, ...]:
    """The plain fields of some facts (`splitter.analyzer.cache.plain_fields`), with the lines
    taken out of every record and the docstrings out of every definition."""
    return tuple(
        tuple(map(_STRIPPERS[index], value)) if index in _STRIPPERS else value
        for index, value in enumerate(fields)
    )


def file_edit(earlier: FileFacts, now: FileFacts) -> FileEdit | None:
    """How the records of a file whose facts were `earlier` change now that they are `now`,
    two sets of facts with the same digest; None when they differ in more than what is copied,
    or when the lines did not move in one piece: two lines that became one, one that became
    two, or lines that changed their order."""
    lines = _line_map(earlier, now)
    if lines is None or len(earlier.definitions) != len(now.definitions):
        return None
    docstrings: dict[tuple[str, int], str] = {}
    for before, after in zip(earlier.definitions, now.definitions, strict=True):
        if before.qualname != after.qualname:
            return None
        if before.docstring != after.docstring:
            docstrings[(after.qualname, after.line)] = after.docstring
    return FileEdit(lines, docstrings)


def _line_map(earlier: FileFacts, now: FileFacts) -> LineMap | None:
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


def copied_along(analysis: Analysis, edits: Mapping[str, FileEdit]) -> Analysis | None:
    """`analysis` with the records of each file in `edits` given their new lines and docstrings;
    None when a record has a line the edit does not know, which resolving again settles."""
    if not edits:
        return analysis
    changes: dict[str, Any] = {}
    documented: set[tuple[str, str, int]] = set()
    for name in model.RECORD_FIELDS:
        records: tuple[Any, ...] = getattr(analysis, name)
        changed = []
        for record in records:
            edit = edits.get(record.path)
            if edit is not None:
                record = _edited(record, edit)
                if record is None:
                    return None
                if edit.docstrings and isinstance(record, model.Function | model.ClassInfo):
                    documented.add((record.path, record.qualname, record.line))
            changed.append(record)
        changes[name] = tuple(changed)
    wanted = {(path, *key) for path, edit in edits.items() for key in edit.docstrings}
    if not wanted <= documented:
        return None  # a definition with no record of its own: not expected, but not guessed
    return dataclasses.replace(analysis, **changes)


def _edited(record: Any, edit: FileEdit) -> Any | None:
    lines = edit.lines
    if isinstance(record, model.Function | model.ClassInfo):
        first: int | None = record.line
        if not (isinstance(record, model.Function) and record.kind == "module"):
            first = lines.get(record.line)
        last = lines.get(record.end_line)
        if first is None or last is None:
            return None
        docstring = edit.docstrings.get((record.qualname, first), record.docstring)
        return dataclasses.replace(record, line=first, end_line=last, docstring=docstring)
    if isinstance(record, model.EntryPoint) and record.kind == "main":
        return record  # always at the module's first line
    line = lines.get(record.line)
    return None if line is None else dataclasses.replace(record, line=line)

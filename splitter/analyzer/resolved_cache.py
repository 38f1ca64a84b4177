"""The on-disk cache of resolved analyses, keyed by a fingerprint of every file's facts.

Resolution reads nothing of a file but its facts, and of those neither the content hash nor
the line count, and their lines and docstrings only to copy them into its records
(`FileFacts.digest` hashes the rest). A run whose files have the facts of an earlier run but
for those, as after a comment or a blank line is added to a file, takes that run's analysis
from here, with the edited files' records given their new lines and docstrings (`copied.py`),
instead of resolving the whole program again. The fingerprint also covers the declared entry
points, the Python version and the analyzer's own source, so an upgrade, an edited analyzer or
another option is a miss.

Entries sit in a `resolved` folder of the facts cache. Like facts entries they are written
atomically, hold the analysis' records as plain tuples of their fields (which pickle twice as
fast as the records, and load faster), are loaded by an unpickler that builds no class at all,
and anything wrong with one makes it a miss. Only the newest few are kept, since each is the
size of a whole analysis.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import os
import pickle
import re
import sys
from collections.abc import Iterator, Mapping, Sequence
from operator import attrgetter
from pathlib import Path
from typing import Any

from splitter import __version__
from splitter.analyzer import model
from splitter.analyzer.cache import facts_digest, is_stale_temporary, load_plain, write_entry
from splitter.analyzer.facts import FACTS_VERSION, FileFacts
from splitter.analyzer.gc_pause import gc_paused
from splitter.analyzer.model import Analysis

RESOLVED_DIR_NAME = "resolved"
"""The folder of resolved analyses inside the facts cache's folder."""

_KEPT_ENTRIES = 3
"""Enough for a few option sets used in turn (`analyze`, then `generate` with declared entry
points) without one evicting the other at every run."""
_KEY = re.compile(r"[0-9a-f]{64}")
RESOLVED_FORMAT = 3
"""Bumped whenever the layout of an entry changes; it is part of every key."""
_RECORDS = model.RECORD_FIELDS
"""The fields of `Analysis` an entry keeps, with the class of their records."""
_RECORD_FIELDS = {
    name: attrgetter(*(field.name for field in dataclasses.fields(cls)))
    for name, cls in _RECORDS.items()
}
"""For each of them, what turns one record into the tuple of its fields."""


def resolution_key(facts: Sequence[FileFacts], declared_entry_points: Sequence[str]) -> str:
    """The fingerprint of a resolution: it changes when anything that shapes the analysis does.

    Args:
        facts: every file's facts, in the order `resolve_project` would be given them.
        declared_entry_points: the qualified names declared as entry points.
    """
    files = [(f.module, f.path, f.is_package, facts_digest(f)) for f in facts]
    return resolution_key_of(files, declared_entry_points)


def resolution_key_of(
    files: Sequence[tuple[str, str, bool, str]], declared_entry_points: Sequence[str]
) -> str:
    """`resolution_key` of facts known by their module, path, package flag and digest alone,
    in the same order: all of the facts that the key reads."""
    digest = hashlib.sha256()
    for field in _key_fields(files, declared_entry_points):
        digest.update(field.encode())
        digest.update(b"\0")
    return digest.hexdigest()


def _key_fields(
    files: Sequence[tuple[str, str, bool, str]], declared: Sequence[str]
) -> Iterator[str]:
    yield from (_analyzer_fingerprint(), __version__, str(FACTS_VERSION), sys.version)
    yield str(RESOLVED_FORMAT)
    yield str(len(declared))
    yield from declared
    yield str(len(files))
    for module, path, is_package, digest in sorted(files, key=lambda f: f[0]):
        # a stable sort, as resolution's
        yield from (module, path, str(is_package), digest)


@functools.cache
def _analyzer_fingerprint() -> str:
    """A hash of the analyzer's source: a changed analyzer must not reuse an old analysis,
    even when the package version has not moved (an editable install)."""
    digest = hashlib.sha256()
    for source in sorted(Path(__file__).parent.glob("*.py")):
        with contextlib.suppress(OSError):
            digest.update(source.name.encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()


@dataclasses.dataclass(frozen=True)
class Resolved:
    """An analysis from the cache, and the facts it was resolved from: each file's facts key
    (`splitter.analyzer.cache.cache_key`) by path, to give its records their new lines and
    docstrings when a file's changed since (`copied.py`)."""

    analysis: Analysis
    sources: dict[str, str]


class ResolvedCache:
    """A folder of resolved analyses, one file per fingerprint."""

    def __init__(self, cache_root: Path) -> None:
        self.cache_root = cache_root
        self.root = cache_root / RESOLVED_DIR_NAME

    def __repr__(self) -> str:
        return f"ResolvedCache({str(self.cache_root)!r})"

    def get(self, key: str) -> Resolved | None:
        """The analysis stored under `key`, without the parts `with_files` restores, and the
        facts keys it was made from; None when it is missing, damaged or foreign."""
        path = self.root / key
        try:
            entry = path.read_bytes()
        except OSError:
            return None
        resolved = _decode(entry, key)
        if resolved is not None:
            with contextlib.suppress(OSError):
                os.utime(path)  # recently used: the last to be trimmed
        return resolved

    def put(self, key: str, analysis: Analysis, sources: Mapping[str, str]) -> None:
        """Store `analysis` under `key`, but for the parts `with_files` restores (the root, the
        modules, the problems), with the facts keys of its files by path (`sources`), then drop
        all but the newest entries."""
        with gc_paused():  # the tuples of fields are many, acyclic and short-lived
            entry = pickle.dumps(
                (key, *_plain(analysis), sorted(sources.items())),
                protocol=pickle.HIGHEST_PROTOCOL,
            )
        write_entry(self.cache_root, self.root / key, entry)
        self._trim()

    def _trim(self) -> None:
        entries: list[tuple[float, Path]] = []
        with contextlib.suppress(OSError):
            for path in self.root.iterdir():
                if _KEY.fullmatch(path.name):
                    with contextlib.suppress(OSError):
                        entries.append((path.stat().st_mtime, path))
                elif is_stale_temporary(path):
                    with contextlib.suppress(OSError):
                        path.unlink()
        entries.sort(reverse=True)
        for _, path in entries[_KEPT_ENTRIES:]:
            # Another run may be reading it: it keeps its open file, or finds a miss.
            with contextlib.suppress(OSError):
                path.unlink()


def _plain(analysis: Analysis) -> tuple[Any, ...]:
    """The records of `analysis` as tuples of their fields, then its other fields."""
    records = tuple(
        tuple(map(fields, getattr(analysis, name))) for name, fields in _RECORD_FIELDS.items()
    )
    return records, analysis.transactional, analysis.schema_version


def _decode(entry: bytes, key: str) -> Resolved | None:
    # hundreds of thousands of acyclic records: scanning them frees nothing
    with gc_paused():
        try:
            stored_key, records, transactional, schema_version, sources = load_plain(entry)
            if stored_key != key:
                return None
            analysis = Analysis(
                root="",
                **{
                    name: tuple(cls(*fields) for fields in rows)
                    for (name, cls), rows in zip(_RECORDS.items(), records, strict=True)
                },
                transactional=tuple(transactional),
                schema_version=schema_version,
            )
            return Resolved(analysis, {str(path): str(facts) for path, facts in sources})
        except Exception:
            # Truncated, corrupt or foreign data can raise nearly anything; all is a miss.
            return None

"""The on-disk cache of resolved analyses, keyed by a fingerprint of every file's facts.

Resolution reads nothing of a file but its facts, and of those neither the content hash nor
the line count (`FileFacts.digest` hashes the rest). A run whose files have the facts of an
earlier run, as after a comment is appended to a file, takes that run's analysis from here
instead of resolving the whole program again. The fingerprint also covers the declared entry
points, the Python version and the analyzer's own source, so an upgrade, an edited analyzer or
another option is a miss.

Entries sit in a `resolved` folder of the facts cache. Like facts entries they are written
atomically and loaded by an unpickler that builds nothing but the analysis' own classes, and
anything wrong with one makes it a miss. Only the newest few are kept, since each is the size
of a whole analysis.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import os
import pickle
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path

from splitter import __version__
from splitter.analyzer import model
from splitter.analyzer.cache import facts_digest, is_stale_temporary, write_entry
from splitter.analyzer.facts import FACTS_VERSION, FileFacts
from splitter.analyzer.gc_pause import gc_paused
from splitter.analyzer.model import Analysis

RESOLVED_DIR_NAME = "resolved"
"""The folder of resolved analyses inside the facts cache's folder."""

_KEPT_ENTRIES = 3
"""Enough for a few option sets used in turn (`analyze`, then `generate` with declared entry
points) without one evicting the other at every run."""
_KEY = re.compile(r"[0-9a-f]{64}")


def resolution_key(facts: Sequence[FileFacts], declared_entry_points: Sequence[str]) -> str:
    """The fingerprint of a resolution: it changes when anything that shapes the analysis does.

    Args:
        facts: every file's facts, in the order `resolve_project` would be given them.
        declared_entry_points: the qualified names declared as entry points.
    """
    digest = hashlib.sha256()
    for field in _key_fields(facts, declared_entry_points):
        digest.update(field.encode())
        digest.update(b"\0")
    return digest.hexdigest()


def _key_fields(facts: Sequence[FileFacts], declared: Sequence[str]) -> Iterator[str]:
    yield from (_analyzer_fingerprint(), __version__, str(FACTS_VERSION), sys.version)
    yield str(len(declared))
    yield from declared
    yield str(len(facts))
    for file in sorted(facts, key=lambda f: f.module):  # a stable sort, as resolution's
        yield from (file.module, file.path, str(file.is_package), facts_digest(file))


@functools.cache
def _analyzer_fingerprint() -> str:
    """A hash of the analyzer's source: a changed analyzer must not reuse an old analysis,
    even when the package version has not moved (an editable install)."""
    digest = hashlib.sha256()
    for source in sorted(Path(__file__).parent.glob("*.py")):
        with contextlib.suppress(OSError):
            digest.update(source.name.encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()


class ResolvedCache:
    """A folder of resolved analyses, one file per fingerprint."""

    def __init__(self, cache_root: Path) -> None:
        self.cache_root = cache_root
        self.root = cache_root / RESOLVED_DIR_NAME

    def __repr__(self) -> str:
        return f"ResolvedCache({str(self.cache_root)!r})"

    def get(self, key: str) -> Analysis | None:
        """The analysis stored under `key`, without the parts `with_files` restores, or None
        when it is missing, damaged or foreign."""
        path = self.root / key
        try:
            entry = path.read_bytes()
        except OSError:
            return None
        analysis = _decode(entry, key)
        if analysis is not None:
            with contextlib.suppress(OSError):
                os.utime(path)  # recently used: the last to be trimmed
        return analysis

    def put(self, key: str, analysis: Analysis) -> None:
        """Store `analysis` under `key`, then drop all but the newest entries."""
        kept = replace(analysis, root="", modules=(), problems=())
        entry = pickle.dumps((key, kept), protocol=pickle.HIGHEST_PROTOCOL)
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


class _AnalysisUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> type:
        found = getattr(model, name, None) if module == model.__name__ else None
        if isinstance(found, type) and found.__module__ == model.__name__:
            return found
        raise pickle.UnpicklingError(f"{module}.{name} is not an analysis class")


def _decode(entry: bytes, key: str) -> Analysis | None:
    # hundreds of thousands of acyclic records: scanning them frees nothing
    with gc_paused():
        try:
            stored_key, analysis = _AnalysisUnpickler(io.BytesIO(entry)).load()
        except Exception:
            # Truncated, corrupt or foreign data can raise nearly anything; all is a miss.
            return None
    if stored_key != key or not isinstance(analysis, Analysis):
        return None
    return analysis

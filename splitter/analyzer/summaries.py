"""The facts cache's summaries: each cached file's facts digest and line count, by its key.

A run whose files all have the facts of an earlier run, but for their lines and docstrings,
takes that run's analysis from the resolved cache (`resolved_cache.py`). For that it needs, of
each file, only what the resolution key and `with_modules` read: its module, path and package
flag, which discovery gives, and its facts' digest and line count, kept here. Such a run then
unpickles the facts of no unchanged file, which was most of its time (only an edited file's
earlier facts, to give its records their new lines and docstrings). The summaries are rewritten
at the end of every run with that run's files, atomically; anything wrong with them makes every
file a miss.
"""

from __future__ import annotations

import pickle
from collections.abc import Mapping
from pathlib import Path

from splitter.analyzer.cache import load_plain, write_entry
from splitter.analyzer.resolved_cache import RESOLVED_DIR_NAME

SUMMARIES_NAME = "summaries"
"""The file of summaries, beside the resolved analyses (whose trimming leaves it alone)."""
_FORMAT = 1
"""Bumped whenever the layout changes; a file of another format is read as empty."""

Summary = tuple[str, int]
"""A file's facts digest (`FileFacts.digest`) and its line count."""


def load_summaries(cache_root: Path) -> dict[str, Summary]:
    """The summaries stored in the cache at `cache_root`, by facts key; empty when there are
    none, or when they are damaged or foreign."""
    try:
        entry = _path(cache_root).read_bytes()
        version, summaries = load_plain(entry)
    except Exception:
        # Missing, truncated, corrupt or foreign data can raise nearly anything: no summaries.
        return {}
    if version != _FORMAT or not isinstance(summaries, dict):
        return {}
    if not all(_is_summary(key, value) for key, value in summaries.items()):
        return {}
    return summaries


def store_summaries(cache_root: Path, summaries: Mapping[str, Summary]) -> None:
    """Store `summaries` in the cache at `cache_root`, in place of what it held; a failure
    only costs the next run some time."""
    entry = pickle.dumps((_FORMAT, dict(summaries)), protocol=pickle.HIGHEST_PROTOCOL)
    write_entry(cache_root, _path(cache_root), entry)


def _path(cache_root: Path) -> Path:
    return cache_root / RESOLVED_DIR_NAME / SUMMARIES_NAME


def _is_summary(key: object, value: object) -> bool:
    return (
        type(key) is str
        and type(value) is tuple
        and len(value) == 2
        and type(value[0]) is str
        and type(value[1]) is int
    )

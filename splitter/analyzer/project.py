"""Analyzing a code base on disk: find its files, collect their facts, resolve them as a whole."""

from __future__ import annotations

import gc
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Literal

from splitter.analyzer.cache import CACHE_DIR_NAME, FactsCache, cache_key, facts_digest
from splitter.analyzer.collect import (
    Extractor,
    Progress,
    collect_facts,
    extractor_name,
    facts_keys,
)
from splitter.analyzer.compiled import check_compiled
from splitter.analyzer.copied import FileEdit, copied_along, file_edit
from splitter.analyzer.discovery import Discovery, SourceFile, discover
from splitter.analyzer.facts import FileFacts, FileProblem
from splitter.analyzer.gc_pause import gc_paused
from splitter.analyzer.model import Analysis, ModuleInfo
from splitter.analyzer.resolve import resolve_project
from splitter.analyzer.resolved_cache import ResolvedCache, resolution_key, resolution_key_of
from splitter.analyzer.results import with_files, with_modules
from splitter.analyzer.summaries import Summary, load_summaries, store_summaries
from splitter.errors import InputError


def analyze_path(
    root: Path,
    *,
    exclude: Sequence[str] = (),
    include_tests: bool = False,
    workers: int = 2,
    cache_dir: Path | Literal["default"] | None = "default",
    progress: Progress | None = None,
    extract: Extractor | None = None,
    declared_entry_points: Sequence[str] = (),
) -> Analysis:
    """Analyze the Python code under `root`, which is read but never imported or run.

    Args:
        root: the code base's folder (a package, an import root or a `src/` layout).
        exclude: glob patterns of files and folders to leave out, relative to `root`.
        include_tests: also analyze test code.
        workers: processes that parse files the cache does not know.
        cache_dir: where facts and the resolved analysis are cached between runs; "default"
            is `.splitter-cache` in `root`, None turns the cache off.
        progress: told (files done, files in all) as files are finished.
        extract: a stand-in for the real extractor, for tests.
        declared_entry_points: qualified names to treat as entry points.

    Returns:
        The analysis; files that could not be analyzed are in its `problems`.

    Raises:
        InputError: `root` is not a directory or holds no Python file to analyze.
        AnalysisError: a compiled module of the analyzer is older than its source.
    """
    check_compiled()
    _check_root(root)
    found = discover(root, exclude=exclude, include_tests=include_tests)
    if not found.files:
        raise InputError(
            f"no Python file to analyze under {root}",
            hint="pass the folder that holds the code; test code is skipped unless "
            "--include-tests is given, and check the --exclude patterns",
        )
    cache = _open_cache(root, cache_dir)
    if cache is not None:
        reused = _reuse(found, workers, cache, extract, progress, str(root), declared_entry_points)
        if reused is not None:
            return reused
    # A worker stores the new facts in the cache while this process resolves them.
    facts, problems = _collect_and_freeze(
        found.files, workers, cache, extract, progress, store_later=True
    )
    every_problem = [*found.problems, *problems]  # sorted with the analysis' other records
    name = extractor_name(extract)
    sources = {f.path: _facts_key(f, name) for f in facts} if cache is not None else {}
    try:
        analysis = _resolve(facts, every_problem, str(root), declared_entry_points, cache, sources)
    finally:
        gc.unfreeze()
        if cache is not None:
            cache.wait_for_stores()
    if cache is not None:
        store_summaries(cache.root, {sources[f.path]: _summary(f) for f in facts})
    return analysis


_FEW_CHANGED = 16
"""`_reuse` is tried when at most this many files, or one in 20, have facts the summaries do
not know: past that an earlier analysis rarely fits, and their facts would be loaded twice."""


def _reuse(
    found: Discovery,
    workers: int,
    cache: FactsCache,
    extract: Extractor | None,
    progress: Progress | None,
    root: str,
    declared_entry_points: Sequence[str],
) -> Analysis | None:
    """The analysis of an earlier run whose files had this run's facts, found through the
    cache's summaries (`summaries.py`) so that only the changed files' facts are collected; or
    None, and then everything is collected, which costs reading the files again."""
    summaries = load_summaries(cache.root)
    if not summaries:
        return None
    files = found.files
    keys = facts_keys(files, extract=extract)
    changed = [
        file
        for file, key in zip(files, keys, strict=True)
        if isinstance(key, str) and key not in summaries
    ]
    if len(changed) > max(_FEW_CHANGED, len(files) // 20):
        return None
    unchanged = len(files) - len(changed)

    def report(done: int, _: int) -> None:
        if progress is not None:
            progress(unchanged + done, len(files))

    facts, problems = _collect_and_freeze(changed, workers, cache, extract, report)
    gc.unfreeze()
    collected = {f.path: f for f in facts}
    kept: dict[str, Summary] = {}
    fingerprints: list[tuple[str, str, bool, str]] = []
    modules: list[ModuleInfo] = []
    sources: dict[str, str] = {}
    for file, key in zip(files, keys, strict=True):
        if isinstance(key, FileProblem):
            problems.append(key)
            continue
        summary = summaries.get(key)
        if summary is None:
            if file.relpath not in collected:
                continue  # it could not be analyzed: it is among `problems`
            summary = _summary(collected[file.relpath])
        kept[key] = summary
        sources[file.relpath] = key
        fingerprints.append((file.module, file.relpath, file.is_package, summary[0]))
        modules.append(ModuleInfo(file.module, file.relpath, summary[1], file.is_package))
    resolved = ResolvedCache(cache.root)
    key = resolution_key_of(fingerprints, declared_entry_points)
    cached = _copied_along(resolved, key, sources, collected, cache)
    if cached is None:
        return None
    if kept != summaries:
        store_summaries(cache.root, kept)
    return with_modules(cached, modules, [*found.problems, *problems], root)


def _copied_along(
    resolved: ResolvedCache,
    key: str,
    sources: dict[str, str],
    known: Mapping[str, FileFacts],
    cache: FactsCache,
) -> Analysis | None:
    """The analysis stored under `key`, with the lines and docstrings of its records as they
    are in this run's files (`copied.py`), which have the facts keys `sources`; or None, when
    there is none, a file's lines did not move in one piece or its earlier facts are gone.

    A file whose facts key differs from the one the analysis was made from has this run's
    facts in `known`, or in `cache`, as its earlier facts are; the two give the edit.
    """
    cached = resolved.get(key)
    if cached is None:
        return None
    edits: dict[str, FileEdit] = {}
    for path, now in sources.items():
        earlier = cached.sources.get(path)
        if earlier == now:
            continue
        before = cache.get(earlier) if earlier is not None else None
        after = known.get(path) or cache.get(now)
        if not isinstance(before, FileFacts) or not isinstance(after, FileFacts):
            return None
        edit = file_edit(before, after)
        if edit is None:
            return None
        if not edit.changes_nothing():
            edits[path] = edit
    analysis = copied_along(cached.analysis, edits)
    if analysis is not None and edits:
        # Stored again with this run's lines, docstrings and facts keys, so the next run
        # changes nothing (0.16 s on the standard library; a file whose records all stayed is
        # left to be looked at again, which costs far less).
        resolved.put(key, analysis, sources)
    return analysis


def _facts_key(facts: FileFacts, extractor: str) -> str:
    return cache_key(
        facts.sha256,
        path=facts.path,
        module=facts.module,
        is_package=facts.is_package,
        extractor=extractor,
    )


def _summary(facts: FileFacts) -> Summary:
    return (facts_digest(facts), facts.lines)


def _resolve(
    facts: list[FileFacts],
    problems: list[FileProblem],
    root: str,
    declared_entry_points: Sequence[str],
    cache: FactsCache | None,
    sources: dict[str, str],
) -> Analysis:
    """Resolve the facts, or take the analysis of the same facts from an earlier run; `sources`
    are their facts keys by path."""
    if cache is None:
        return resolve_project(facts, problems, root, declared_entry_points)
    resolved = ResolvedCache(cache.root)
    key = resolution_key(facts, declared_entry_points)
    cached = _copied_along(resolved, key, sources, {f.path: f for f in facts}, cache)
    if cached is not None:
        return with_files(cached, facts, problems, root)
    analysis = resolve_project(facts, problems, root, declared_entry_points)
    resolved.put(key, analysis, sources)
    return analysis


def _collect_and_freeze(
    files: Sequence[SourceFile],
    workers: int,
    cache: FactsCache | None,
    extract: Extractor | None,
    progress: Progress | None,
    *,
    store_later: bool = False,
) -> tuple[list[FileFacts], list[FileProblem]]:
    """Collect the facts (`collect_facts`, `store_later` passed on), then take them out of the
    cycle collector's sight (`gc.freeze`).

    They are millions of small acyclic objects that live until the analysis is built: left in
    sight, the collector would scan them all once when it is turned back on, and again and again
    while resolution allocates. `analyze_path` hands them back with `gc.unfreeze`.
    """
    with gc_paused():
        collected = collect_facts(
            files,
            workers=workers,
            cache=cache,
            extract=extract,
            progress=progress,
            store_later=store_later,
        )
        gc.freeze()
        return collected


def _check_root(root: Path) -> None:
    if not root.exists():
        raise InputError(
            f"{root} does not exist",
            hint="check the path, then run `splitter analyze PATH` with the code base's folder",
        )
    if not root.is_dir():
        raise InputError(
            f"{root} is not a directory",
            hint=f"pass the folder that holds it: `splitter analyze {root.parent}`",
        )


def _open_cache(root: Path, cache_dir: Path | Literal["default"] | None) -> FactsCache | None:
    if cache_dir is None:
        return None
    return FactsCache(root / CACHE_DIR_NAME if cache_dir == "default" else cache_dir)

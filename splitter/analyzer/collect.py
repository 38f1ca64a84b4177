"""Turning source files into facts, through the facts cache and parallel worker processes.

The parent reads every file and looks it up in the cache, which is cheap; the misses go, in
chunks, to `spawn`ed workers (safe with threads in the parent, and alike on every platform)
unless there is too little to parse to pay for starting them. Workers send back facts, never
syntax trees, in the encoding of cache entries. Once every chunk is back, one worker is handed
the entries to store: creating hundreds of files can take the kernel up to a second of CPU,
which would otherwise hold up extraction, and the analysis that follows runs on one core,
leaving the other free for it (`store_later`). A file whose extraction raises becomes a
`FileProblem`; so does one that kills its worker, found by re-running the failed chunks one
file at a time.
"""

from __future__ import annotations

import contextlib
import hashlib
import multiprocessing
import os
import warnings
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from splitter.analyzer.cache import (
    CachedResult,
    FactsCache,
    cache_key,
    decode_entry,
    encode_with_digest,
    with_digest,
)
from splitter.analyzer.discovery import SourceFile
from splitter.analyzer.facts import FileFacts, FileProblem, ProblemKind
from splitter.analyzer.gc_pause import gc_paused
from splitter.analyzer.sources import DEFAULT_MAX_BYTES, decode_source, too_large
from splitter.errors import AnalysisError

Progress = Callable[[int, int], None]
"""Called with (files done, files in all) as the work advances."""

_MIN_BYTES_FOR_POOL = 1024 * 1024
"""Below this much source to parse, starting workers costs more than it saves: a spawned worker
takes about half a second to start and import the extractor, and parsing goes at 2-3 MB/s."""

_CHUNKS_PER_WORKER = 8
"""Enough chunks that a slow one does not leave the other workers idle at the end."""

# No kind in the facts model names a failure of the analyzer itself; "syntax" is the one that
# sends the user to the file, and the reason says it is the analyzer's fault.
_FAILURE_KIND: ProblemKind = "syntax"


class Extractor(Protocol):
    """The shape of `splitter.analyzer.extract.extract_facts`: one decoded file to its facts."""

    def __call__(
        self, text: str, *, path: str, module: str, is_package: bool, sha256: str
    ) -> FileFacts | FileProblem: ...


@dataclass(frozen=True)
class _Job:
    index: int
    data: bytes
    path: str
    module: str
    is_package: bool
    sha256: str
    key: str


_Outcome = list[tuple[bytes, bool]] | BaseException
"""What a worker task gives: its files' results as encoded cache entries, each with whether it
may be stored (see `_extract`), or what stopped it."""


def collect_facts(
    files: Sequence[SourceFile],
    *,
    workers: int = 2,
    cache: FactsCache | None,
    extract: Extractor | None = None,
    progress: Progress | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    store_later: bool = False,
) -> tuple[list[FileFacts], list[FileProblem]]:
    """Extract the facts of every file, from the cache where the file has not changed.

    Args:
        files: the files to analyze, as `discover` found them.
        workers: processes that parse cache misses; 1 or less parses in this process.
        cache: where facts are kept between runs, or None.
        extract: the extractor; the real one when None. A stand-in must be a module-level
            function so worker processes can import it.
        progress: told (done, total) as files are finished.
        max_bytes: files above this size are reported as "too-large" without being read.
        store_later: return while a worker may still be storing the new entries in `cache`,
            for the caller to go on meanwhile and then call `cache.wait_for_stores()`; by
            default they are stored when this returns.

    Returns:
        The facts and the problems, each in the order of `files`.
    """
    extractor = extract or _real_extractor()
    with gc_paused():
        results = _collect(files, cache, extractor, max_bytes, workers, progress)
    if cache is not None and not store_later:
        cache.wait_for_stores()
    facts = [result for result in results if isinstance(result, FileFacts)]
    return facts, [result for result in results if isinstance(result, FileProblem)]


def facts_keys(
    files: Sequence[SourceFile],
    *,
    extract: Extractor | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> list[str | FileProblem]:
    """Each file's key in the facts cache (`cache_key`), or the problem that kept it from being
    read, in the order of `files`: what `collect_facts` looks each file up by, without the look-up.
    """
    name = extractor_name(extract)
    keys: list[str | FileProblem] = []
    for index, file in enumerate(files):
        read = _read(file, max_bytes)
        keys.append(read if isinstance(read, FileProblem) else _job(index, file, read, name).key)
    return keys


def extractor_name(extract: Extractor | None = None) -> str:
    """The name facts are cached under (`cache_key`) when `extract` makes them; None is the
    real extractor."""
    extractor = extract or _real_extractor()
    return f"{getattr(extractor, '__module__', '')}.{getattr(extractor, '__qualname__', '')}"


def _collect(
    files: Sequence[SourceFile],
    cache: FactsCache | None,
    extractor: Extractor,
    max_bytes: int,
    workers: int,
    progress: Progress | None,
) -> list[CachedResult | None]:
    name = extractor_name(extractor)
    results: list[CachedResult | None] = [None] * len(files)
    jobs: list[_Job] = []
    for index, file in enumerate(files):
        read = _read(file, max_bytes)
        if isinstance(read, FileProblem):
            results[index] = read
            continue
        job = _job(index, file, read, name)
        results[index] = cache.get(job.key) if cache else None
        if results[index] is None:
            jobs.append(job)
    counter = _Counter(progress, total=len(files), done=len(files) - len(jobs))
    for index, result in _run(jobs, workers, cache, extractor, counter):
        results[index] = result
    return results


def _real_extractor() -> Extractor:
    from splitter.analyzer.extract import extract_facts

    return extract_facts


def _read(file: SourceFile, max_bytes: int) -> bytes | FileProblem:
    try:
        size = os.stat(file.path).st_size
        data = file.path.read_bytes() if size <= max_bytes else b""
    except OSError as error:
        reason = f"cannot read: {error.strerror or error}"
        return FileProblem(file.relpath, 1, "unreadable", reason)
    # The file may have grown between the two calls.
    size = max(size, len(data))
    return too_large(file.relpath, size, max_bytes) if size > max_bytes else data


def _job(index: int, file: SourceFile, data: bytes, extractor: str) -> _Job:
    sha256 = hashlib.sha256(data).hexdigest()
    key = cache_key(
        sha256,
        path=file.relpath,
        module=file.module,
        is_package=file.is_package,
        extractor=extractor,
    )
    return _Job(index, data, file.relpath, file.module, file.is_package, sha256, key)


class _Counter:
    def __init__(self, progress: Progress | None, *, total: int, done: int) -> None:
        self.progress, self.total, self.done = progress, total, done
        self.add(0)

    def add(self, count: int) -> None:
        self.done += count
        if self.progress is not None:
            self.progress(self.done, self.total)


def _run(
    jobs: list[_Job],
    workers: int,
    cache: FactsCache | None,
    extract: Extractor,
    counter: _Counter,
) -> Iterator[tuple[int, CachedResult]]:
    if workers <= 1 or len(jobs) < 2 or sum(len(job.data) for job in jobs) < _MIN_BYTES_FOR_POOL:
        for job in jobs:
            yield job.index, _extract_here(job, cache, extract)
            counter.add(1)
        return
    failed: list[_Job] = []
    for chunk, outcome in _run_in_pool(_chunks(jobs, workers), workers, cache, extract):
        if isinstance(outcome, BaseException):
            failed.extend(chunk)
            continue
        for job, (entry, _) in zip(chunk, outcome, strict=True):
            yield job.index, _decoded(job, entry)
        counter.add(len(chunk))
    cache_root = str(cache.root) if cache else None
    for job, result in _isolate(failed, cache_root, extract):
        yield job.index, result
        counter.add(1)


def _chunks(jobs: list[_Job], workers: int) -> list[list[_Job]]:
    # Largest files first, dealt round-robin, so the chunks weigh about the same.
    count = min(len(jobs), workers * _CHUNKS_PER_WORKER)
    by_size = sorted(jobs, key=lambda job: len(job.data), reverse=True)
    return [by_size[start::count] for start in range(count)]


def _run_in_pool(
    chunks: list[list[_Job]], workers: int, cache: FactsCache | None, extract: Extractor
) -> Iterator[tuple[list[_Job], _Outcome]]:
    """Extract the chunks in worker processes; then hand one of them the entries to store, and
    leave the pool to shut down once it has (see `_store_later`)."""
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(min(workers, len(chunks)), mp_context=context)
    spool = _Spool(cache) if cache is not None else None
    storing = False
    try:
        try:
            futures = {pool.submit(_extract_chunk, chunk, None, extract): chunk for chunk in chunks}
        except OSError as error:
            # Starting a process failed here, in this process (too many processes, no memory).
            raise _cannot_start(error) from error
        for future in as_completed(futures):
            chunk, outcome = futures[future], _outcome(future)
            if spool is not None and not isinstance(outcome, BaseException):
                for job, (entry, storable) in zip(chunk, outcome, strict=True):
                    if storable:
                        spool.add(job.key, entry)
            yield chunk, outcome
        if spool is not None:
            storing = spool.store_later(pool)
    finally:
        if spool is not None and not storing:
            spool.discard()
        pool.shutdown(wait=not storing)


class _Spool:
    """Cache entries to store once extraction is over, appended to a temporary file of the
    cache as chunks come back. Kept in this process instead, as hundreds of buffers or as one,
    they changed how its heap grew: 17 to 42 MB more at the peak on the standard library."""

    def __init__(self, cache: FactsCache) -> None:
        self.cache = cache
        self.keys: list[str] = []
        self.spans: list[tuple[int, int]] = []
        self.path: str | None = None
        self.stream: BinaryIO | None = None

    def add(self, key: str, entry: bytes) -> None:
        """Spool `entry`; store it now if the temporary file cannot be written."""
        try:
            if self.stream is None:
                descriptor, self.path = self.cache.temporary_file(key)
                self.stream = os.fdopen(descriptor, "wb")
            start = self.stream.tell()
            self.stream.write(entry)
        except OSError:
            self.cache.put_encoded(key, entry)
            return
        self.keys.append(key)
        self.spans.append((start, start + len(entry)))

    def discard(self) -> None:
        """Delete the temporary file, if it is still there: extraction was interrupted."""
        if self.stream is not None:
            self.stream.close()
        if self.path is not None:
            with contextlib.suppress(OSError):
                os.unlink(self.path)

    def store_later(self, pool: ProcessPoolExecutor) -> bool:
        """Have a worker of `pool` store the spooled entries, noted in the cache for
        `wait_for_stores`, or store them here when the pool can take no more work (a worker
        died, or a process could not start). Whether a worker took them."""
        if self.stream is None or self.path is None:
            return False
        self.stream.close()
        task = (str(self.cache.root), self.path, self.keys, self.spans)
        try:
            stored = pool.submit(_store_spooled, *task)
        except (RuntimeError, OSError):  # BrokenProcessPool, or no process could start
            _store_spooled(*task)
            return False
        self.cache.storing_elsewhere(stored)
        return True


def _store_spooled(
    cache_root: str, path: str, keys: list[str], spans: list[tuple[int, int]]
) -> None:
    """Store the entries `_Spool` wrote to `path`, at `spans`, then delete it: the task run by a
    worker once extraction is over."""
    cache = FactsCache(Path(cache_root))
    try:
        with open(path, "rb") as stream:
            for key, (start, end) in zip(keys, spans, strict=True):
                stream.seek(start)
                cache.put_encoded(key, stream.read(end - start))
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)


def _outcome(future: Future[list[tuple[bytes, bool]]]) -> _Outcome:
    try:
        return future.result()
    except Exception as error:
        # A dead worker (BrokenProcessPool) or an argument that did not pickle.
        return error


def _decoded(job: _Job, entry: bytes) -> CachedResult:
    result = decode_entry(entry, job.key)
    return result if result is not None else _failure(job, ValueError("unreadable result"))


def _isolate(
    jobs: list[_Job], cache_root: str | None, extract: Extractor
) -> Iterator[tuple[_Job, CachedResult]]:
    """Re-run the jobs of failed chunks one by one, so the file that kills a worker is named."""
    remaining = jobs
    while remaining:
        finished = list(_run_until_failure(remaining, cache_root, extract))
        yield from finished
        remaining = remaining[len(finished) :]


def _run_until_failure(
    jobs: list[_Job], cache_root: str | None, extract: Extractor
) -> Iterator[tuple[_Job, CachedResult]]:
    # One worker takes the jobs in order, so the first job to break it is the one that did.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=context) as pool:
        _check_workers_start(pool)
        futures = [pool.submit(_extract_chunk, [job], cache_root, extract) for job in jobs]
        for job, future in zip(jobs, futures, strict=True):
            outcome = _outcome(future)
            if isinstance(outcome, BaseException):
                yield job, _failure(job, outcome)
                if isinstance(outcome, BrokenProcessPool):
                    return
            else:
                yield job, _decoded(job, outcome[0][0])


def _check_workers_start(pool: ProcessPoolExecutor) -> None:
    try:
        pool.submit(int).result()  # a task that does nothing
    except Exception as error:
        raise _cannot_start(error) from error


def _cannot_start(error: BaseException) -> AnalysisError:
    return AnalysisError(
        f"worker processes cannot start ({type(error).__name__}: {error})",
        hint="run again with --workers 1; a script that calls splitter must guard its "
        "entry point with `if __name__ == '__main__':`",
    )


def _extract_chunk(
    jobs: list[_Job], cache_root: str | None, extract: Extractor
) -> list[tuple[bytes, bool]]:
    """The task run by a worker: extract each file, and store what it found in the cache at
    `cache_root` if one is given.

    The results travel back in the encoding of cache entries, so each is pickled only once,
    each with whether it may be stored.
    """
    cache = FactsCache(Path(cache_root)) if cache_root else None
    with gc_paused():
        return [_extract_encoded(job, cache, extract) for job in jobs]


def _extract_encoded(job: _Job, cache: FactsCache | None, extract: Extractor) -> tuple[bytes, bool]:
    result, cacheable = _extract(job, extract)
    entry = encode_with_digest(job.key, result)
    if cache is not None and cacheable:
        cache.put_encoded(job.key, entry)
    return entry, cacheable


def _extract_here(job: _Job, cache: FactsCache | None, extract: Extractor) -> CachedResult:
    extracted, cacheable = _extract(job, extract)
    result = with_digest(extracted)
    if cache is not None and cacheable:
        cache.put(job.key, result)
    return result


def _extract(job: _Job, extract: Extractor) -> tuple[CachedResult, bool]:
    """The file's result, and whether it may be cached: a failure of the analyzer may not, so
    the next run (perhaps with a fixed analyzer) tries again. Its digest is not filled in yet:
    `encode_with_digest` does so, or `with_digest`."""
    # The size was checked when the file was read.
    text = decode_source(job.data, job.path, max_bytes=len(job.data))
    if isinstance(text, FileProblem):
        return text, True
    try:
        return _call(extract, text, job), True
    except Exception as error:
        return _failure(job, error), False


def _call(extract: Extractor, text: str, job: _Job) -> CachedResult:
    with warnings.catch_warnings():
        # The parser warns about the analyzed code (`"\d"`, `1()`); that is not this run's
        # business, and every worker would print it.
        warnings.simplefilter("ignore", SyntaxWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        return extract(
            text, path=job.path, module=job.module, is_package=job.is_package, sha256=job.sha256
        )


def _failure(job: _Job, error: BaseException) -> FileProblem:
    if isinstance(error, RecursionError):
        return FileProblem(job.path, 1, "too-deep", "nesting too deep to analyze")
    what = (
        "the worker process analyzing this file died (a crash, or out of memory)"
        if isinstance(error, BrokenProcessPool)
        else f"{type(error).__name__}: {error}"
    )
    reason = f"the analyzer failed on this file, please report it: {what}"
    return FileProblem(job.path, 1, _FAILURE_KIND, reason)

"""Tests for collecting facts through the cache and worker processes, with stand-in extractors.

The stand-ins are module-level functions so that worker processes can import them.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from splitter.analyzer.cache import FactsCache
from splitter.analyzer.collect import collect_facts
from splitter.analyzer.discovery import SourceFile, discover
from splitter.analyzer.facts import FileFacts, FileProblem
from splitter.analyzer.project import analyze_path

CALL_LOG = "SPLITTER_TEST_CALL_LOG"
CACHE_SEEN = "SPLITTER_TEST_CACHE_SEEN"
POOL_SIZED = 30
"""Enough files, of `PADDING`, that workers are started instead of parsing in the test process."""
PADDING = ("# " + "-" * 76 + "\n") * 600


def fake_extract(
    text: str, *, path: str, module: str, is_package: bool, sha256: str
) -> FileFacts | FileProblem:
    """Count lines; "syntax error" in the text is a problem, "boom" raises."""
    log = os.environ.get(CALL_LOG)
    if log:
        with open(log, "a", encoding="utf-8") as stream:
            stream.write(f"{path} {os.getpid()}\n")
    if "boom" in text:
        raise ValueError("boom")
    if "syntax error" in text:
        return FileProblem(path, 2, "syntax", "invalid syntax")
    lines = text.count("\n") + 1
    return FileFacts(path=path, module=module, is_package=is_package, sha256=sha256, lines=lines)


def other_extract(
    text: str, *, path: str, module: str, is_package: bool, sha256: str
) -> FileFacts | FileProblem:
    """Another stand-in, so its results must not be taken from `fake_extract`'s entries."""
    return FileFacts(path=path, module=module, is_package=is_package, sha256=sha256, lines=-1)


def cache_seeing_extract(
    text: str, *, path: str, module: str, is_package: bool, sha256: str
) -> FileFacts | FileProblem:
    """Log, for each file, how many entries the cache named by `CACHE_SEEN` holds."""
    root = Path(os.environ[CACHE_SEEN])
    entries = sum(1 for entry in root.glob("[0-9a-f][0-9a-f]/*") if len(entry.name) == 64)
    with open(os.environ[CALL_LOG], "a", encoding="utf-8") as stream:
        stream.write(f"{path} {entries}\n")
    return FileFacts(path=path, module=module, is_package=is_package, sha256=sha256, lines=0)


def dying_extract(
    text: str, *, path: str, module: str, is_package: bool, sha256: str
) -> FileFacts | FileProblem:
    """Kill the worker process on a file that says "die", as a crash in native code would."""
    if "die" in text:
        os._exit(3)
    return fake_extract(text, path=path, module=module, is_package=is_package, sha256=sha256)


def write_project(root: Path, files: dict[str, str]) -> tuple[SourceFile, ...]:
    """Write `files` (relative path -> text) under `root` and return them as discovered."""
    for relpath, text in files.items():
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return discover(root).files


def many_files(count: int) -> dict[str, str]:
    return {f"pkg/mod{number:03d}.py": f"x = {number}\n{PADDING}" for number in range(count)}


@pytest.fixture
def calls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A file the stand-in extractor appends each path it is called for to."""
    log = tmp_path / "calls.log"
    monkeypatch.setenv(CALL_LOG, str(log))
    return log


def called(log: Path) -> list[str]:
    """The paths the extractor was called for since the last look, sorted."""
    return sorted(path for path, _ in read_and_clear(log))


def called_in(log: Path) -> set[int]:
    """The processes the extractor ran in since the last look."""
    return {int(pid) for _, pid in read_and_clear(log)}


def read_and_clear(log: Path) -> list[list[str]]:
    records = [line.split() for line in log.read_text().splitlines()] if log.exists() else []
    log.unlink(missing_ok=True)
    return records


def test_facts_and_problems_come_back_in_file_order(tmp_path: Path) -> None:
    files = write_project(
        tmp_path / "code", {"b.py": "x = 1\n", "a.py": "syntax error\n", "c.py": "y = 2\nz = 3\n"}
    )

    facts, problems = collect_facts(files, workers=1, cache=None, extract=fake_extract)

    assert [(f.path, f.module, f.lines) for f in facts] == [("b.py", "b", 2), ("c.py", "c", 3)]
    assert problems == [FileProblem("a.py", 2, "syntax", "invalid syntax")]
    assert facts[0].sha256 == hashlib.sha256(b"x = 1\n").hexdigest()


@pytest.mark.parametrize("workers", [1, 2])
def test_a_warm_cache_skips_the_extractor(tmp_path: Path, calls: Path, workers: int) -> None:
    files = write_project(tmp_path / "code", many_files(POOL_SIZED))
    cache = FactsCache(tmp_path / "cache")

    cold = collect_facts(files, workers=workers, cache=cache, extract=fake_extract)
    processes = called_in(calls)
    assert len(processes) == 1 if workers == 1 else os.getpid() not in processes
    warm = collect_facts(files, workers=workers, cache=cache, extract=fake_extract)

    assert called(calls) == []
    assert warm == cold


def test_editing_one_file_re_extracts_exactly_that_file(tmp_path: Path, calls: Path) -> None:
    files = write_project(tmp_path / "code", many_files(POOL_SIZED))
    cache = FactsCache(tmp_path / "cache")
    collect_facts(files, workers=2, cache=cache, extract=fake_extract)
    called(calls)

    (tmp_path / "code" / "pkg" / "mod005.py").write_text("x = 1\n# edited\n")
    facts, _ = collect_facts(files, workers=2, cache=cache, extract=fake_extract)

    assert called(calls) == ["pkg/mod005.py"]
    assert facts[5].lines == 3


def test_entries_of_another_extractor_are_not_used(tmp_path: Path) -> None:
    files = write_project(tmp_path / "code", {"a.py": "x = 1\n"})
    cache = FactsCache(tmp_path / "cache")
    collect_facts(files, workers=1, cache=cache, extract=fake_extract)

    facts, _ = collect_facts(files, workers=1, cache=cache, extract=other_extract)

    assert facts[0].lines == -1


def test_a_corrupt_entry_is_extracted_again_and_rewritten(tmp_path: Path, calls: Path) -> None:
    files = write_project(tmp_path / "code", {"a.py": "x = 1\n", "b.py": "y = 2\n"})
    cache = FactsCache(tmp_path / "cache")
    cold = collect_facts(files, workers=1, cache=cache, extract=fake_extract)
    called(calls)
    entries = sorted(path for path in cache.root.rglob("*") if len(path.name) == 64)
    entries[0].write_bytes(entries[0].read_bytes()[:10])

    assert collect_facts(files, workers=1, cache=cache, extract=fake_extract) == cold
    assert len(called(calls)) == 1
    assert collect_facts(files, workers=1, cache=cache, extract=fake_extract) == cold
    assert called(calls) == []


def stored_keys(cache: FactsCache) -> set[str]:
    return {path.name for path in cache.root.glob("[0-9a-f][0-9a-f]/*") if len(path.name) == 64}


def test_no_entry_is_stored_before_every_file_is_extracted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, calls: Path
) -> None:
    files = write_project(tmp_path / "code", many_files(POOL_SIZED))
    cache = FactsCache(tmp_path / "cache")
    monkeypatch.setenv(CACHE_SEEN, str(cache.root))

    cold = collect_facts(files, workers=2, cache=cache, extract=cache_seeing_extract)
    seen = read_and_clear(calls)

    # Storing waits for extraction to end, so it does not take a worker's time from it.
    assert len(seen) == POOL_SIZED
    assert {entries for _, entries in seen} == {"0"}
    assert len(stored_keys(cache)) == POOL_SIZED
    assert collect_facts(files, workers=2, cache=cache, extract=cache_seeing_extract) == cold
    assert read_and_clear(calls) == []


def temporary_files(cache: FactsCache) -> list[Path]:
    return sorted(cache.root.glob("*/.*.tmp"))


def test_entries_pass_through_a_temporary_file_of_the_cache_that_is_deleted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = write_project(tmp_path / "code", many_files(POOL_SIZED))
    cache = FactsCache(tmp_path / "cache")
    made: list[str] = []
    temporary_file = FactsCache.temporary_file

    def noting(self: FactsCache, key: str) -> tuple[int, str]:
        found = temporary_file(self, key)
        made.append(found[1])
        return found

    monkeypatch.setattr(FactsCache, "temporary_file", noting)

    collect_facts(files, workers=2, cache=cache, extract=fake_extract)

    assert len(made) == 1
    assert Path(made[0]).parent.parent == cache.root
    assert temporary_files(cache) == []
    assert len(stored_keys(cache)) == POOL_SIZED


def test_without_a_temporary_file_the_entries_are_stored_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = write_project(tmp_path / "code", many_files(POOL_SIZED))
    cache = FactsCache(tmp_path / "cache")

    def refusing(self: FactsCache, key: str) -> tuple[int, str]:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(FactsCache, "temporary_file", refusing)

    collect_facts(files, workers=2, cache=cache, extract=fake_extract)

    assert len(stored_keys(cache)) == POOL_SIZED


def test_an_interrupted_collection_leaves_no_temporary_file(tmp_path: Path) -> None:
    files = write_project(tmp_path / "code", many_files(POOL_SIZED))
    cache = FactsCache(tmp_path / "cache")

    def interrupt(done: int, total: int) -> None:
        if 0 < done < total:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        collect_facts(files, workers=2, cache=cache, extract=fake_extract, progress=interrupt)

    assert cache.root.exists()
    assert temporary_files(cache) == []


def test_when_a_worker_dies_the_other_files_are_stored_all_the_same(
    tmp_path: Path, calls: Path
) -> None:
    files = write_project(tmp_path / "code", {**many_files(POOL_SIZED), "pkg/mod007.py": "die\n"})
    cache = FactsCache(tmp_path / "cache")
    facts, _ = collect_facts(files, workers=2, cache=cache, extract=dying_extract)
    called(calls)

    (tmp_path / "code" / "pkg" / "mod007.py").write_text("x = 7\n")
    again, problems = collect_facts(files, workers=2, cache=cache, extract=dying_extract)

    assert called(calls) == ["pkg/mod007.py"]
    assert [f for f in again if f.path != "pkg/mod007.py"] == facts
    assert problems == []


def test_an_analysis_returns_once_every_file_is_stored(tmp_path: Path, calls: Path) -> None:
    write_project(tmp_path / "code", many_files(POOL_SIZED))
    cache = tmp_path / "cache"

    analyze_path(tmp_path / "code", workers=2, cache_dir=cache, extract=fake_extract)

    assert len(stored_keys(FactsCache(cache))) == POOL_SIZED
    assert len(called(calls)) == POOL_SIZED


def test_entries_that_cannot_be_stored_cost_nothing_but_time(tmp_path: Path) -> None:
    files = write_project(tmp_path / "code", many_files(POOL_SIZED))
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache's folder should be\n")
    cache = FactsCache(blocked)

    facts, problems = collect_facts(
        files, workers=2, cache=cache, extract=fake_extract, store_later=True
    )
    cache.wait_for_stores()

    assert len(facts) == POOL_SIZED
    assert problems == []
    assert blocked.read_text() == "a file where the cache's folder should be\n"


def test_two_workers_give_what_one_gives_in_the_same_order(tmp_path: Path) -> None:
    files = write_project(tmp_path / "code", {**many_files(60), "pkg/bad.py": "syntax error\n"})

    one = collect_facts(files, workers=1, cache=None, extract=fake_extract)
    two = collect_facts(files, workers=2, cache=None, extract=fake_extract)

    assert two == one
    assert [facts.path for facts in two[0]] == [
        f.relpath for f in files if f.relpath != "pkg/bad.py"
    ]


@pytest.mark.parametrize("workers", [1, 2])
def test_an_extractor_exception_is_a_problem_for_that_file(
    tmp_path: Path, calls: Path, workers: int
) -> None:
    files = write_project(tmp_path / "code", {**many_files(POOL_SIZED), "pkg/mod003.py": "boom\n"})
    cache = FactsCache(tmp_path / "cache")

    facts, problems = collect_facts(files, workers=workers, cache=cache, extract=fake_extract)

    assert len(facts) == POOL_SIZED - 1
    assert [(p.path, p.line) for p in problems] == [("pkg/mod003.py", 1)]
    assert "ValueError: boom" in problems[0].reason
    called(calls)
    # A failure is not cached, so a fixed extractor gets another go at the file.
    assert collect_facts(files, workers=workers, cache=cache, extract=fake_extract)[1] == problems
    assert called(calls) == ["pkg/mod003.py"]


def test_a_worker_that_dies_costs_only_its_file(tmp_path: Path) -> None:
    files = write_project(tmp_path / "code", {**many_files(POOL_SIZED), "pkg/mod007.py": "die\n"})

    facts, problems = collect_facts(files, workers=2, cache=None, extract=dying_extract)

    assert len(facts) == POOL_SIZED - 1
    assert [(p.path, p.line) for p in problems] == [("pkg/mod007.py", 1)]
    assert "worker process" in problems[0].reason


def test_files_that_cannot_be_read_are_unreadable(tmp_path: Path) -> None:
    files = write_project(tmp_path / "code", {"a.py": "x = 1\n", "gone.py": "", "dir.py/x.txt": ""})
    (tmp_path / "code" / "gone.py").unlink()
    folder = SourceFile(tmp_path / "code" / "dir.py", "dir.py", "dir", False)

    facts, problems = collect_facts([*files, folder], workers=1, cache=None, extract=fake_extract)

    assert [f.path for f in facts] == ["a.py"]
    assert [(p.path, p.kind) for p in problems] == [
        ("gone.py", "unreadable"),
        ("dir.py", "unreadable"),
    ]


def test_large_files_are_reported_without_being_parsed(tmp_path: Path, calls: Path) -> None:
    files = write_project(tmp_path / "code", {"small.py": "x = 1\n", "big.py": "x = 1\n" * 100})
    generated = tmp_path / "code" / "generated.py"
    generated.write_bytes(b"DATA = [\n" + b"    'a generated row of data',\n" * 350_000 + b"]\n")
    files = discover(tmp_path / "code").files

    _, problems = collect_facts(files, workers=1, cache=None, extract=fake_extract)
    assert [(p.path, p.kind) for p in problems] == [("generated.py", "too-large")]
    assert called(calls) == ["big.py", "small.py"]

    _, problems = collect_facts(files, workers=1, cache=None, extract=fake_extract, max_bytes=100)
    assert [(p.path, p.kind) for p in problems] == [
        ("big.py", "too-large"),
        ("generated.py", "too-large"),
    ]


def test_progress_counts_every_file_up_to_the_total(tmp_path: Path) -> None:
    files = write_project(tmp_path / "code", many_files(POOL_SIZED))
    cache = FactsCache(tmp_path / "cache")
    collect_facts(files[:5], workers=1, cache=cache, extract=fake_extract)
    reports: list[tuple[int, int]] = []

    collect_facts(
        files, workers=2, cache=cache, extract=fake_extract, progress=lambda *r: reports.append(r)
    )

    assert reports[0] == (5, POOL_SIZED)
    assert reports[-1] == (POOL_SIZED, POOL_SIZED)
    assert [done for done, _ in reports] == sorted(done for done, _ in reports)

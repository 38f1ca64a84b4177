"""Tests for the on-disk facts cache."""

from __future__ import annotations

import multiprocessing
import os
import pickle
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from splitter.analyzer.cache import CACHE_DIR_NAME, FactsCache, cache_key
from splitter.analyzer.facts import CallSite, Definition, FileFacts, FileProblem

FACTS = FileFacts(
    path="shop/orders.py",
    module="shop.orders",
    is_package=False,
    sha256="0" * 64,
    lines=3,
    definitions=(Definition("shop.orders.place", "function", "shop.orders", 1, 3),),
    calls=(CallSite("shop.orders.place", ("call", ("name", "", "print"), (), ()), 2),),
)
PROBLEM = FileProblem("shop/bad.py", 4, "syntax", "invalid syntax")


def sha(number: int) -> str:
    return f"{number:064x}"


def key(
    sha256: str = "0" * 64,
    *,
    path: str = "shop/orders.py",
    module: str = "shop.orders",
    is_package: bool = False,
    extractor: str = "splitter.analyzer.extract.extract_facts",
) -> str:
    return cache_key(sha256, path=path, module=module, is_package=is_package, extractor=extractor)


def test_the_key_depends_on_everything_that_shapes_the_facts() -> None:
    keys = {
        key(),
        key(sha(1)),
        key(path="src/shop/orders.py"),
        key(module="orders"),
        key(is_package=True),
        key(extractor="tests.fake"),
    }

    assert len(keys) == 6
    assert key() == key()


@pytest.mark.parametrize("result", [FACTS, PROBLEM], ids=["facts", "problem"])
def test_a_stored_result_comes_back(tmp_path: Path, result: FileFacts | FileProblem) -> None:
    cache = FactsCache(tmp_path / CACHE_DIR_NAME)

    assert cache.get(key()) is None
    cache.put(key(), result)

    assert cache.get(key()) == result
    assert FactsCache(tmp_path / CACHE_DIR_NAME).get(key()) == result


def test_entries_fan_out_and_the_folder_is_marked_as_a_cache(tmp_path: Path) -> None:
    cache = FactsCache(tmp_path / CACHE_DIR_NAME)
    cache.put(key(), FACTS)

    entry = cache.entry_path(key())
    assert entry.relative_to(cache.root).parts == (key()[:2], key())
    assert entry.is_file()
    assert (
        (cache.root / "CACHEDIR.TAG")
        .read_text()
        .startswith("Signature: 8a477f597d28d172789f06886806bc55")
    )
    assert (cache.root / ".gitignore").read_text() == "*\n"
    assert [path.name for path in entry.parent.iterdir()] == [key()]


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda blob: b"", id="empty"),
        pytest.param(lambda blob: blob[: len(blob) // 2], id="truncated"),
        pytest.param(lambda blob: b"not a pickle at all" + blob, id="garbage"),
        pytest.param(lambda blob: bytes(len(blob)), id="zeroed"),
        pytest.param(lambda blob: pickle.dumps(("other key", FACTS)), id="other-key"),
        pytest.param(lambda blob: pickle.dumps((key(), "a string")), id="not-facts"),
        pytest.param(lambda blob: pickle.dumps(FACTS), id="no-key"),
    ],
)
def test_a_damaged_entry_is_a_miss(tmp_path: Path, damage: Callable[[bytes], bytes]) -> None:
    cache = FactsCache(tmp_path)
    cache.put(key(), FACTS)
    entry = cache.entry_path(key())
    entry.write_bytes(damage(entry.read_bytes()))

    assert cache.get(key()) is None

    cache.put(key(), FACTS)
    assert cache.get(key()) == FACTS


class Planted:
    """A pickle that would run a shell command when loaded by a plain unpickler."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch {self.marker}",))


def test_a_planted_entry_cannot_run_code(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    cache = FactsCache(tmp_path / "cache")
    cache.put(key(), FACTS)
    cache.entry_path(key()).write_bytes(pickle.dumps((key(), Planted(marker))))

    assert cache.get(key()) is None
    assert not marker.exists()


def test_deleting_the_cache_while_in_use_is_safe(tmp_path: Path) -> None:
    cache = FactsCache(tmp_path / CACHE_DIR_NAME)
    cache.put(key(), FACTS)
    for path in sorted(cache.root.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        path.rmdir() if path.is_dir() else path.unlink()
    cache.root.rmdir()

    assert cache.get(key()) is None
    cache.put(key(), FACTS)
    assert cache.get(key()) == FACTS
    assert (cache.root / "CACHEDIR.TAG").is_file()


def test_a_cache_that_cannot_be_written_is_a_no_op(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    cache = FactsCache(blocker / CACHE_DIR_NAME)

    cache.put(key(), FACTS)

    assert cache.get(key()) is None


def write_many(root: str, rounds: int) -> int:
    """Write the same keys over and over; run in two processes at once."""
    cache = FactsCache(Path(root))
    for number in range(rounds):
        cache.put(key(), FACTS)
        cache.put(key(sha(number % 5 + 1)), PROBLEM)
        if cache.get(key()) != FACTS:
            return 1
    return 0


def test_concurrent_writers_leave_whole_entries(tmp_path: Path) -> None:
    root = str(tmp_path / CACHE_DIR_NAME)
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        failures = pool.starmap(write_many, [(root, 300), (root, 300)])

    assert failures == [0, 0]
    cache = FactsCache(Path(root))
    assert cache.get(key()) == FACTS
    assert all(cache.get(key(sha(number))) == PROBLEM for number in range(1, 6))
    assert not [path for path in cache.root.rglob(".*") if path.name != ".gitignore"]


def test_prune_keeps_what_this_run_used(tmp_path: Path) -> None:
    old_run = FactsCache(tmp_path)
    for number in (1, 2, 3):
        old_run.put(key(sha(number)), PROBLEM)
    stale_temp = old_run.entry_path(key(sha(1))).with_name(".abandoned.tmp")
    stale_temp.write_bytes(b"")
    os.utime(stale_temp, (time.time() - 7200, time.time() - 7200))
    fresh_temp = stale_temp.with_name(".being-written.tmp")
    fresh_temp.write_bytes(b"")
    not_ours = stale_temp.with_name("notes.txt")
    not_ours.write_bytes(b"")

    this_run = FactsCache(tmp_path)
    assert this_run.get(key(sha(4))) is None
    this_run.put(key(sha(4)), PROBLEM)
    assert this_run.get(key(sha(1))) == PROBLEM

    assert this_run.prune() == 3
    assert this_run.get(key(sha(1))) == PROBLEM
    assert this_run.get(key(sha(4))) == PROBLEM
    assert this_run.get(key(sha(2))) is None
    assert this_run.get(key(sha(3))) is None
    assert fresh_temp.exists()
    assert not_ours.exists()
    assert not stale_temp.exists()

"""Tests for the cache of resolved analyses: reused only when no from-scratch run could differ."""

from __future__ import annotations

import os
import pickle
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import pytest

from splitter.analyzer import cache as cache_module
from splitter.analyzer import resolved_cache
from splitter.analyzer.cache import CACHE_DIR_NAME, FactsCache, facts_digest, with_digest
from splitter.analyzer.collect import collect_facts
from splitter.analyzer.discovery import discover
from splitter.analyzer.facts import CallSite, Definition, FileFacts, FileProblem, Param
from splitter.analyzer.model import Analysis
from splitter.analyzer.project import analyze_path
from splitter.analyzer.resolve import resolve_project
from splitter.analyzer.resolved_cache import (
    RESOLVED_DIR_NAME,
    ResolvedCache,
    resolution_key,
)
from splitter.analyzer.summaries import SUMMARIES_NAME, load_summaries, store_summaries
from tests.analyzer.conftest import CountingResolver
from tests.analyzer.test_cache import Planted
from tests.analyzer.test_discovery import write_project

Damage = Callable[[bytes, str], bytes]
"""Spoils a resolved entry, given its bytes and its key."""

SHOP = {
    "shop/__init__.py": "",
    "shop/orders.py": (
        "from shop.pricing import total\n\n\ndef place(items):\n    return total(items)\n"
    ),
    "shop/pricing.py": (
        "def total(items):\n"
        "    return sum(price(item) for item in items)\n"
        "\n"
        "\n"
        "def price(item):\n"
        "    return item.price\n"
    ),
    "shop/api.py": (
        "from shop import orders\n"
        "\n"
        "\n"
        "def handle(request):\n"
        "    return orders.place(request.items)\n"
    ),
}
FACTS = FileFacts(
    path="shop/orders.py",
    module="shop.orders",
    is_package=False,
    sha256="0" * 64,
    lines=3,
    calls=(CallSite("shop.orders", ("call", ("name", "shop.orders", "print"), (), ()), 2),),
)


def append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as stream:
        stream.write(text)


def analyze(root: Path, *, declared: Sequence[str] = (), cached: bool = True) -> Analysis:
    return analyze_path(
        root, workers=1, cache_dir="default" if cached else None, declared_entry_points=declared
    )


def test_a_comment_appended_to_a_file_skips_resolution(
    tmp_path: Path, resolver: CountingResolver
) -> None:
    root = write_project(tmp_path / "app", SHOP)
    first = analyze(root)
    assert resolver.calls == 1

    append(root / "shop" / "pricing.py", "\n# prices are in cents\n")
    again = analyze(root)

    assert resolver.calls == 1
    assert again == analyze(root, cached=False)
    assert again.modules != first.modules  # the line count is this run's
    assert again.calls == first.calls


def test_a_run_with_known_facts_loads_only_the_edited_files_earlier_facts(
    tmp_path: Path, resolver: CountingResolver, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_project(tmp_path / "app", SHOP)
    analyze(root)
    append(root / "shop" / "pricing.py", "\n# prices are in cents\n")
    loaded: list[str] = []
    real = cache_module.facts_from_plain

    def loading(fields: tuple[object, ...]) -> FileFacts:
        facts = real(fields)
        loaded.append(facts.path)
        return facts

    monkeypatch.setattr(cache_module, "facts_from_plain", loading)

    again = analyze(root)

    # The summaries gave every digest; only the edited file was parsed, and its earlier facts
    # loaded to see that none of its lines moved.
    assert loaded == ["shop/pricing.py"]
    assert resolver.calls == 1
    monkeypatch.undo()
    assert again == analyze(root, cached=False)


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda blob: b"", id="empty"),
        pytest.param(lambda blob: blob[: len(blob) // 2], id="truncated"),
        pytest.param(lambda blob: pickle.dumps((1, {"a" * 64: ("digest", "lines")})), id="shape"),
    ],
)
def test_damaged_summaries_are_ignored(
    tmp_path: Path, resolver: CountingResolver, damage: Callable[[bytes], bytes]
) -> None:
    root = write_project(tmp_path / "app", SHOP)
    first = analyze(root)
    summaries = root / CACHE_DIR_NAME / RESOLVED_DIR_NAME / SUMMARIES_NAME
    summaries.write_bytes(damage(summaries.read_bytes()))

    assert analyze(root) == first
    assert resolver.calls == 1  # found from the facts instead
    assert load_summaries(root / CACHE_DIR_NAME)  # and written again


def test_planted_summaries_cannot_run_code(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    cache_root = tmp_path / "cache"
    store_summaries(cache_root, {"a" * 64: ("digest", 1)})
    summaries = cache_root / RESOLVED_DIR_NAME / SUMMARIES_NAME
    summaries.write_bytes(pickle.dumps((1, {"a" * 64: Planted(marker)})))

    assert load_summaries(cache_root) == {}
    assert not marker.exists()


def test_an_untouched_code_base_skips_resolution(
    tmp_path: Path, resolver: CountingResolver
) -> None:
    root = write_project(tmp_path / "app", SHOP)
    first = analyze(root)
    again = analyze(root)

    assert resolver.calls == 1
    assert again == first


@pytest.mark.parametrize(
    ("path", "text"),
    [
        pytest.param(
            "shop/pricing.py",
            "\n\ndef discount(item):\n    return price(item)\n",
            id="a-new-function-calling-another",
        ),
        pytest.param(
            "shop/api.py",
            "\n\ndef refund(request):\n    return orders.place(request.items)\n",
            id="a-new-caller-in-another-module",
        ),
        pytest.param("shop/pricing.py", "\nprice = len\n", id="a-rebinding"),
        pytest.param("shop/__init__.py", "from shop.orders import *\n", id="a-star-import"),
        pytest.param(
            "shop/extra.py", "from shop.api import handle\nhandle(None)\n", id="a-new-file"
        ),
    ],
)
def test_a_code_edit_resolves_again_as_a_run_without_cache_would(
    tmp_path: Path, resolver: CountingResolver, path: str, text: str
) -> None:
    root = write_project(tmp_path / "app", SHOP)
    before = analyze(root)

    append(root / path, text)
    after = analyze(root)

    assert resolver.calls == 2
    assert after == analyze(root, cached=False)
    assert after != before


def test_a_deleted_file_resolves_again(tmp_path: Path, resolver: CountingResolver) -> None:
    root = write_project(tmp_path / "app", SHOP)
    analyze(root)

    (root / "shop" / "api.py").unlink()
    after = analyze(root)

    assert resolver.calls == 2
    assert after == analyze(root, cached=False)


def test_going_back_to_earlier_code_reuses_its_analysis(
    tmp_path: Path, resolver: CountingResolver
) -> None:
    root = write_project(tmp_path / "app", SHOP)
    original = analyze(root)
    pricing = root / "shop" / "pricing.py"
    append(pricing, "\n\ndef discount(item):\n    return price(item)\n")
    analyze(root)

    pricing.write_text(SHOP["shop/pricing.py"], encoding="utf-8")
    back = analyze(root)

    assert resolver.calls == 2
    assert back == original


def test_other_declared_entry_points_resolve_again(
    tmp_path: Path, resolver: CountingResolver
) -> None:
    root = write_project(tmp_path / "app", SHOP)
    plain = analyze(root)
    declared = analyze(root, declared=["shop.pricing.price"])

    assert resolver.calls == 2
    assert analyze(root) == plain
    assert resolver.calls == 2
    assert declared.entry_points != plain.entry_points
    assert declared == analyze(root, declared=["shop.pricing.price"], cached=False)


def test_excluding_a_file_resolves_again(tmp_path: Path, resolver: CountingResolver) -> None:
    root = write_project(tmp_path / "app", SHOP)
    analyze(root)

    excluded = analyze_path(root, workers=1, exclude=["shop/api.py"])

    assert resolver.calls == 2
    assert excluded == analyze_path(root, workers=1, exclude=["shop/api.py"], cache_dir=None)


def test_the_problems_are_this_runs(tmp_path: Path, resolver: CountingResolver) -> None:
    root = write_project(tmp_path / "app", {**SHOP, "shop/broken.py": "def (:\n"})
    analyze(root)
    (root / "shop" / "broken.py").write_text("\n\ndef (:\n", encoding="utf-8")

    again = analyze(root)

    assert resolver.calls == 1
    assert again == analyze(root, cached=False)
    assert [problem.line for problem in again.problems] == [3]


def test_deleting_the_cache_is_safe(tmp_path: Path, resolver: CountingResolver) -> None:
    root = write_project(tmp_path / "app", SHOP)
    first = analyze(root)
    for path in sorted((root / CACHE_DIR_NAME).rglob("*"), reverse=True):
        path.rmdir() if path.is_dir() else path.unlink()

    assert analyze(root) == first
    assert resolver.calls == 2


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda blob, key: b"", id="empty"),
        pytest.param(lambda blob, key: blob[: len(blob) // 2], id="truncated"),
        pytest.param(lambda blob, key: pickle.dumps(("0" * 64, Analysis(root=""))), id="other-key"),
        pytest.param(lambda blob, key: pickle.dumps((key, "an analysis")), id="not-an-analysis"),
        pytest.param(
            lambda blob, key: pickle.dumps((key, FileProblem("a.py", 1, "syntax", "x"))),
            id="facts-class",
        ),
    ],
)
def test_a_damaged_entry_is_a_miss(
    tmp_path: Path, resolver: CountingResolver, damage: Damage
) -> None:
    root = write_project(tmp_path / "app", SHOP)
    first = analyze(root)
    folder = root / CACHE_DIR_NAME / RESOLVED_DIR_NAME
    (entry,) = [path for path in folder.iterdir() if path.name != SUMMARIES_NAME]
    entry.write_bytes(damage(entry.read_bytes(), entry.name))

    assert analyze(root) == first
    assert resolver.calls == 2
    assert analyze(root) == first
    assert resolver.calls == 2


def test_a_planted_entry_cannot_run_code(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    cache = ResolvedCache(tmp_path / "cache")
    key = "a" * 64
    cache.put(key, Analysis(root="app"), {})
    (cache.root / key).write_bytes(pickle.dumps((key, Planted(marker))))

    assert cache.get(key) is None
    assert not marker.exists()


def test_only_the_newest_entries_are_kept(tmp_path: Path) -> None:
    cache = ResolvedCache(tmp_path / "cache")
    oldest, older, newer, newest = (letter * 64 for letter in "abcd")
    for age, key in enumerate([oldest, older, newer]):
        cache.put(key, Analysis(root="app"), {})
        stamp = time.time() - 100 * (3 - age)
        os.utime(cache.root / key, (stamp, stamp))
    assert cache.get(oldest) is not None  # used again, so no longer the oldest

    cache.put(newest, Analysis(root="app"), {})

    assert sorted(path.name for path in cache.root.iterdir()) == [oldest, newer, newest]


def test_an_entry_keeps_only_what_resolution_shaped(tmp_path: Path) -> None:
    cache = ResolvedCache(tmp_path / "cache")
    analysis = resolve_project([with_digest(FACTS)], [], "app")  # type: ignore[list-item]
    cache.put("b" * 64, analysis, {FACTS.path: "c" * 64})

    stored = cache.get("b" * 64)

    assert stored is not None
    assert stored.analysis == replace(analysis, root="", modules=(), problems=())
    assert stored.sources == {FACTS.path: "c" * 64}


def test_the_digest_ignores_the_content_hash_and_the_line_count_only() -> None:
    same = {
        facts_digest(FACTS),
        facts_digest(replace(FACTS, sha256="1" * 64)),
        facts_digest(replace(FACTS, lines=99)),
    }
    others = {
        facts_digest(replace(FACTS, path="src/shop/orders.py")),
        facts_digest(replace(FACTS, module="orders")),
        facts_digest(replace(FACTS, is_package=True)),
        facts_digest(replace(FACTS, calls=())),
        facts_digest(replace(FACTS, has_main_block=True)),
    }

    assert len(same) == 1
    assert len(others | same) == 6


def test_the_digest_depends_on_values_only() -> None:
    scope = "".join(["shop.", "orders"])  # equal to the module's name, but another object
    shared = replace(FACTS, calls=(CallSite(FACTS.module, FACTS.calls[0].call, 2),))
    separate = replace(FACTS, calls=(CallSite(scope, FACTS.calls[0].call, 2),))
    unpickled = pickle.loads(pickle.dumps(shared))
    with_parameter = replace(
        FACTS, definitions=(Definition("shop.orders.f", "function", "", 1, 2),)
    )
    renamed = replace(
        with_parameter,
        definitions=(with_parameter.definitions[0]._replace(params=(Param("x", "positional"),)),),
    )

    assert shared.module is shared.calls[0].scope
    assert separate.module is not separate.calls[0].scope
    assert facts_digest(shared) == facts_digest(separate) == facts_digest(unpickled)
    assert facts_digest(with_parameter) != facts_digest(renamed)


def test_collected_facts_carry_their_digest(tmp_path: Path) -> None:
    root = write_project(tmp_path / "app", SHOP)
    files = discover(root).files

    for cache in (None, FactsCache(tmp_path / "cache"), FactsCache(tmp_path / "cache")):
        facts, _ = collect_facts(files, workers=1, cache=cache)
        assert [f.digest for f in facts] == [facts_digest(replace(f, digest="")) for f in facts]


def test_the_key_depends_on_everything_that_shapes_the_analysis(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    other = replace(FACTS, path="shop/other.py", module="shop.other")
    keys = {
        resolution_key([FACTS], []),
        resolution_key([FACTS, other], []),
        resolution_key([replace(FACTS, calls=())], []),
        resolution_key([FACTS], ["shop.orders.place"]),
        resolution_key([FACTS], ["shop.orders"]),
    }
    assert len(keys) == 5
    assert resolution_key([FACTS, other], []) == resolution_key([other, FACTS], [])
    assert resolution_key([FACTS], []) == resolution_key([replace(FACTS, lines=7)], [])

    monkeypatch.setattr(resolved_cache, "_analyzer_fingerprint", lambda: "an edited analyzer")
    assert resolution_key([FACTS], []) not in keys

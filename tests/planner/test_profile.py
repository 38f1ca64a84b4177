"""Runtime call counts from a real cProfile file, recorded here from a tiny program."""

from __future__ import annotations

import cProfile
import importlib.util
import math
import sys
import textwrap
from pathlib import Path

import pytest

from splitter.analyzer.project import analyze_path
from splitter.errors import InputError
from splitter.planner.gather import evidence_from_analysis
from splitter.planner.graph import call_graph
from splitter.planner.profile import read_profile, runtime_counts
from splitter.planner.weights import Weights

PROGRAM = """
import functools

def traced(func):
    @functools.wraps(func)
    def wrapper(*args):
        return func(*args)
    return wrapper

def price(qty):
    def rounded(value):
        return round(value, 2)
    return rounded(qty * 1.5)

@traced
def total(items):
    return sum(price(qty) for qty in items)

def checkout(items):
    return total(items)
"""


@pytest.fixture
def recorded(tmp_path: Path) -> tuple[Path, Path]:
    """The program written to `tmp_path/app/cart.py`, run 3 times under cProfile."""
    root = tmp_path / "app"
    root.mkdir()
    (root / "cart.py").write_text(textwrap.dedent(PROGRAM))
    spec = importlib.util.spec_from_file_location("cart", root / "cart.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["cart"] = module
    try:
        spec.loader.exec_module(module)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(3):
            module.checkout([1, 2, 3, 4])
        profiler.disable()
    finally:
        del sys.modules["cart"]
    stats = tmp_path / "cart.prof"
    profiler.dump_stats(stats)
    return root, stats


def test_profiled_calls_are_counted_between_units(recorded: tuple[Path, Path]) -> None:
    root, stats = recorded
    evidence = evidence_from_analysis(analyze_path(root, cache_dir=None))
    counts = runtime_counts(read_profile(stats), evidence)
    found = counts.as_dict()
    # checkout calls total through the decorator's wrapper: the call counts for total.
    assert found[("cart.checkout", "cart.total")] == 3
    assert ("cart.checkout", "cart.traced") not in found
    # price is called from a generator expression inside total: it counts for total.
    assert found[("cart.total", "cart.price")] == 12
    assert ("cart.traced", "cart.total") not in found
    assert counts.matched >= 3


def test_runtime_counts_weigh_the_call_graph(recorded: tuple[Path, Path]) -> None:
    root, stats = recorded
    evidence = evidence_from_analysis(analyze_path(root, cache_dir=None))
    weighed = evidence.with_runtime(runtime_counts(read_profile(stats), evidence).as_dict())
    static = call_graph(evidence, Weights())["cart.total"]["cart.price"]["weight"]
    dynamic = call_graph(weighed, Weights())["cart.total"]["cart.price"]["weight"]
    assert static == 1.0
    assert dynamic == pytest.approx(1.0 + math.log1p(12))


def test_a_file_that_is_not_a_profile_is_an_input_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.prof"
    bad.write_text("not a profile")
    with pytest.raises(InputError, match="cannot read the profile") as error:
        read_profile(bad)
    assert "cProfile" in error.value.hint

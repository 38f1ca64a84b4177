"""The same code gives the same analysis in every process, whatever the order of its sets."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from splitter.analyzer.project import analyze_path

ROOT = Path(__file__).resolve().parents[2]
ANALYZE = """
import json, sys
from pathlib import Path
from splitter.analyzer.project import analyze_path
from splitter.analyzer.serialize import analysis_to_dict
analysis = analyze_path(Path(sys.argv[1]), workers=1, cache_dir=None)
print(json.dumps(analysis_to_dict(analysis), sort_keys=True))
"""
HASH_SEEDS = ("0", "1", "2", "3", "4", "5")
"""String hashes, and so the order of sets of values, change with the seed; with the old order
of resolution two of these seeds gave another call graph than the others."""


def crowded_parameter(pairs: int = 40) -> str:
    """A parameter fed more values than a variable may hold, each call site giving two at once.

    `put` is both the plain function and the bound method, so `put(a, b)` feeds `a` to `first`
    through one and `b` through the other. An odd number of values come first (from `warm`),
    so the variable reaches the limit in the middle of one call site, and what flowed on from
    it before then must not depend on the order of a set.
    """
    lines = [
        "class Box:",
        "    def put(self, first, second=None):",
        "        first()",
        "",
        "def c():",
        "    pass",
        "",
        "def warm():",
        "    Box().put(c)",
        "",
    ]
    for number in range(pairs):
        lines += [f"def a{number}():", "    pass", "", f"def b{number}():", "    pass", ""]
    for number in range(pairs):
        lines += [
            f"def use{number}():",
            "    box = Box()",
            "    for put in (Box.put, box.put):",
            f"        put(a{number}, b{number})",
            "",
        ]
    return "\n".join(lines)


def analysis_with_hash_seed(root: Path, seed: str) -> object:
    environment = {**os.environ, "PYTHONHASHSEED": seed}
    finished = subprocess.run(
        [sys.executable, "-c", ANALYZE, str(root)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(finished.stdout)


@pytest.mark.slow
def test_a_crowded_parameter_gives_the_same_analysis_in_every_process(tmp_path: Path) -> None:
    root = tmp_path / "app"
    root.mkdir()
    (root / "stress.py").write_text(crowded_parameter(), encoding="utf-8")

    analyses = [analysis_with_hash_seed(root, seed) for seed in HASH_SEEDS]

    assert all(analysis == analyses[0] for analysis in analyses[1:])


USE = """
from app.{models} import Line


def use(line: Line):
    info = line.info
    info.price()
"""
MODELS = """
from django.db import models


class Info:
    def price(self):
        return 1


class Line(models.Model):
    def __init__(self):
        self.info = Info()
"""


def calls_of_use(tmp_path: Path, use: str, models: str) -> set[tuple[str, str]]:
    root = tmp_path / use
    (root / "app").mkdir(parents=True)
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / f"{use}.py").write_text(USE.format(models=models))
    (root / "app" / f"{models}.py").write_text(MODELS)
    analysis = analyze_path(root, workers=1, cache_dir=None)
    return {(c.callee, c.target) for c in analysis.calls if c.caller == f"app.{use}.use"}


def test_an_attribute_is_the_same_whichever_module_is_resolved_first(tmp_path: Path) -> None:
    # Facts are replayed in the order of the modules' names: `a_use` reads `line.info` before
    # `__init__` is seen to set it, `z_use` after. Were the attribute taken from Line's external
    # base while Line had no value for it yet, `a_use` would also call `Model.info.price`.
    first = calls_of_use(tmp_path, "a_use", "b_models")
    last = calls_of_use(tmp_path, "z_use", "b_models")
    assert first == last == {("app.b_models.Info.price", "internal")}

"""The analyzer's speed benchmark runs end to end; its figures are for benchmarks/, not tests."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
BENCHMARK = ROOT / "benchmarks" / "analyze_speed.py"


def test_the_speed_benchmark_runs_every_phase_and_reports_how_it_was_built() -> None:
    # The fake extractor parses nothing and skips resolution, so this takes seconds.
    command = [sys.executable, str(BENCHMARK)]
    command += ["--root", str(ROOT / "sample_monolith"), "--repeat", "1", "--extractor", "fake"]
    finished = subprocess.run([*command, "--json"], capture_output=True, text=True, check=False)
    assert finished.returncode == 0, finished.stderr
    report = json.loads(finished.stdout)
    assert set(report["medians"]) == {"baseline", "cold", "warm", "warm-code"}
    assert report["files"] > 10 and not report["resolve"]
    assert isinstance(report["compiled"], list)
    assert set(report["ratios"]) >= {"cold/baseline", "cold/warm", "cold/warm-code"}
    text = benchmark_module().render(report)
    assert "extractor fake without resolution" in text and "cold/baseline" in text


def benchmark_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("analyze_speed", BENCHMARK)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module

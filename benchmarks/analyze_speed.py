"""How fast `splitter analyze` reads a large code base, cold and warm, against bare `ast.parse`.

    python benchmarks/analyze_speed.py [--root DIR] [--workers 2] [--repeat 3] [--json]

The code base (default: this Python's standard library) is copied once into a temporary
folder, so the cache and the one-file edit never touch the original. Each phase runs in a
fresh process, so its peak memory is its own. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import json
import resource
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path
from typing import Any

from splitter.analyzer.cache import CACHE_DIR_NAME, FactsCache
from splitter.analyzer.collect import Extractor, collect_facts
from splitter.analyzer.discovery import discover
from splitter.analyzer.facts import FileFacts, FileProblem
from splitter.analyzer.sources import decode_source

PHASES = ("baseline", "cold", "warm")
GOALS = {"cold/baseline": ("<=", 3.0), "cold/warm": (">=", 10.0)}
MIN_LINES = 200_000
_SKIPPED_WHEN_COPYING = shutil.ignore_patterns("site-packages", "__pycache__", "*.pyc", ".git")


def fake_extract(
    text: str, *, path: str, module: str, is_package: bool, sha256: str
) -> FileFacts | FileProblem:
    """A stand-in extractor that parses nothing, so the figures show the plumbing alone."""
    lines = text.count("\n") + 1
    return FileFacts(path=path, module=module, is_package=is_package, sha256=sha256, lines=lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path(sysconfig.get_paths()["stdlib"]))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--extractor", choices=("real", "fake"), default="real")
    parser.add_argument(
        "--skip-resolve", action="store_true", help="time discover and collect only"
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--phase", choices=PHASES, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.phase:
        print(json.dumps(run_phase(args)))
        return 0
    with tempfile.TemporaryDirectory(prefix="splitter-bench-") as scratch:
        copy = Path(scratch) / args.root.resolve().name
        shutil.copytree(args.root, copy, symlinks=True, ignore=_SKIPPED_WHEN_COPYING)
        report = measure(copy, args)
    report["root"] = str(args.root)
    print(json.dumps(report, indent=2) if args.json else render(report))
    return 0


def measure(copy: Path, args: argparse.Namespace) -> dict[str, Any]:
    files = discover(copy).files
    lines = sum(file.path.read_bytes().count(b"\n") for file in files)
    runs: dict[str, list[dict[str, Any]]] = {phase: [] for phase in PHASES}
    for attempt in range(args.repeat):
        shutil.rmtree(copy / CACHE_DIR_NAME, ignore_errors=True)
        runs["baseline"].append(spawn_phase("baseline", copy, args))
        runs["cold"].append(spawn_phase("cold", copy, args))
        with files[0].path.open("a", encoding="utf-8") as edited:
            edited.write(f"\n# edited by the speed benchmark, run {attempt + 1}\n")
        runs["warm"].append(spawn_phase("warm", copy, args))
    medians = {phase: median_of(results) for phase, results in runs.items()}
    return {
        "files": len(files),
        "lines": lines,
        "edited_file": files[0].relpath,
        "extractor": args.extractor,
        "resolve": not (args.skip_resolve or args.extractor == "fake"),
        "workers": args.workers,
        "repeat": args.repeat,
        "medians": medians,
        "ratios": ratios(medians),
        "runs": runs,
    }


def spawn_phase(phase: str, copy: Path, args: argparse.Namespace) -> dict[str, Any]:
    command = [sys.executable, __file__, "--phase", phase, "--root", str(copy)]
    command += ["--workers", str(args.workers), "--extractor", args.extractor]
    command += ["--skip-resolve"] if args.skip_resolve else []
    finished = subprocess.run(command, capture_output=True, text=True, check=False)
    if finished.returncode != 0:
        sys.exit(f"the {phase} phase failed:\n{finished.stderr}")
    result: dict[str, Any] = json.loads(finished.stdout.splitlines()[-1])
    return result


def run_phase(args: argparse.Namespace) -> dict[str, Any]:
    """Run one phase in this (fresh) process and return its timings and peak memory."""
    if args.phase == "baseline":
        stages = parse_only(args.root)
    else:
        fake = args.extractor == "fake"
        resolve = not (fake or args.skip_resolve)
        stages = analyze(args.root, args.workers, fake_extract if fake else None, resolve=resolve)
    return {"seconds": sum(stages.values()), "stages": stages, **peak_rss_mb()}


def parse_only(root: Path) -> dict[str, float]:
    """Single process: read, decode and `ast.parse` each file, keeping nothing."""
    files = discover(root).files
    started = time.perf_counter()
    for file in files:
        text = decode_source(file.path.read_bytes(), file.relpath)
        if isinstance(text, str):
            with contextlib.suppress(SyntaxError, ValueError, RecursionError, MemoryError):
                ast.parse(text)
    return {"parse": time.perf_counter() - started}


def analyze(
    root: Path, workers: int, extract: Extractor | None, *, resolve: bool
) -> dict[str, float]:
    """The stages of `analyze_path`, timed one by one; the cache is the default one."""
    stages: dict[str, float] = {}
    started = time.perf_counter()
    found = discover(root)
    stages["discover"] = lap(started)
    cache = FactsCache(root / CACHE_DIR_NAME)
    facts, problems = collect_facts(found.files, workers=workers, cache=cache, extract=extract)
    stages["collect"] = lap(started, stages)
    if resolve:
        from splitter.analyzer.resolve import resolve_project

        resolve_project(facts, [*found.problems, *problems], str(root))
    stages["resolve"] = lap(started, stages)
    return stages


def lap(started: float, earlier: dict[str, float] | None = None) -> float:
    return time.perf_counter() - started - sum((earlier or {}).values())


def peak_rss_mb() -> dict[str, float]:
    """Peak resident memory of this process and of its largest child (its workers)."""
    unit = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, kilobytes elsewhere
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * unit
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * unit
    return {"rss_self_mb": own / 2**20, "rss_children_mb": children / 2**20}


def median_of(results: list[dict[str, Any]]) -> dict[str, Any]:
    stages = {
        name: statistics.median(r["stages"][name] for r in results) for name in results[0]["stages"]
    }
    figures = ("seconds", "rss_self_mb", "rss_children_mb")
    return {
        "stages": stages,
        **{key: statistics.median(r[key] for r in results) for key in figures},
    }


def ratios(medians: dict[str, dict[str, Any]]) -> dict[str, float]:
    seconds = {phase: medians[phase]["seconds"] for phase in PHASES}
    return {
        "cold/baseline": seconds["cold"] / seconds["baseline"],
        "cold/warm": seconds["cold"] / seconds["warm"],
        "warm_seconds": seconds["warm"],
    }


def render(report: dict[str, Any]) -> str:
    medians = report["medians"]
    lines = [
        f"code base   {report['root']} (analyzed in a temporary copy)",
        f"size        {report['files']:,} files, {report['lines']:,} lines"
        + ("" if report["lines"] >= MIN_LINES else f"  (under {MIN_LINES:,}: figures are noisy)"),
        f"setup       extractor {report['extractor']}"
        + ("" if report["resolve"] else " without resolution")
        + f", {report['workers']} workers, "
        f"medians of {report['repeat']} runs, warm run after editing {report['edited_file']}",
        "",
        f"{'phase':<10}{'seconds':>9}   {'stages':<44}{'peak RSS MB: self + largest child':>34}",
    ]
    for phase in PHASES:
        figures = medians[phase]
        stages = "  ".join(f"{name} {value:.2f}" for name, value in figures["stages"].items())
        memory = f"{figures['rss_self_mb']:.0f} + {figures['rss_children_mb']:.0f}"
        lines.append(f"{phase:<10}{figures['seconds']:>9.2f}   {stages:<44}{memory:>34}")
    lines.append("")
    for name, (direction, goal) in GOALS.items():
        value = report["ratios"][name]
        met = value <= goal if direction == "<=" else value >= goal
        lines.append(
            f"{name:<14}{value:>7.2f}   goal {direction} {goal:<5} {'met' if met else 'MISSED'}"
        )
    lines.append(f"{'warm':<14}{report['ratios']['warm_seconds']:>7.2f} s")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())

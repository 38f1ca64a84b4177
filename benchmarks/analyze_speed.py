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
import multiprocessing
import resource
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from splitter.analyzer import project
from splitter.analyzer.cache import CACHE_DIR_NAME, FactsCache
from splitter.analyzer.collect import Extractor
from splitter.analyzer.compiled import COMPILED_MODULES, compiled_modules
from splitter.analyzer.discovery import discover
from splitter.analyzer.facts import FileFacts, FileProblem
from splitter.analyzer.model import Analysis
from splitter.analyzer.project import analyze_path
from splitter.analyzer.sources import decode_source

PHASES = ("baseline", "cold", "warm", "warm-code")
GOALS = {
    "cold/baseline": ("<=", 3.0),
    "cold/warm": (">=", 10.0),
    "cold/warm-code": (">=", 10.0),
}
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
    if not args.root.is_dir():
        sys.exit(f"{args.root} is not a directory; pass a code base's folder with --root")
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
        insert_comment(files[0].path, f"# edited by the speed benchmark, run {attempt + 1}\n")
        runs["warm"].append(spawn_phase("warm", copy, args))
        append(files[0].path, code_edit(attempt + 1))
        runs["warm-code"].append(spawn_phase("warm-code", copy, args))
    medians = {phase: median_of(results) for phase, results in runs.items()}
    return {
        "files": len(files),
        "lines": lines,
        "edited_file": files[0].relpath,
        "extractor": args.extractor,
        "resolve": not (args.skip_resolve or args.extractor == "fake"),
        "workers": args.workers,
        "compiled": compiled_modules(),
        "repeat": args.repeat,
        "medians": medians,
        "ratios": ratios(medians),
        "runs": runs,
    }


def insert_comment(path: Path, comment: str) -> None:
    """Put `comment` on a line of its own above the file's first statement, so every line of
    code in the file moves; at its end when it holds no statement."""
    source = path.read_bytes()
    body = ast.parse(source).body
    if not body:
        append(path, comment)
        return
    first = min([body[0].lineno, *(d.lineno for d in getattr(body[0], "decorator_list", ()))])
    lines = source.splitlines(keepends=True)
    lines.insert(first - 1, comment.encode())
    path.write_bytes(b"".join(lines))


def append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as edited:
        edited.write(text)


def code_edit(run: int) -> str:
    """Two new functions, one calling the other: new facts, so the whole program is resolved."""
    return (
        f"\n\ndef _speed_benchmark_helper_{run}(value):\n    return value\n"
        f"\n\ndef _speed_benchmark_edit_{run}(value):\n"
        f"    return _speed_benchmark_helper_{run}(value)\n"
    )


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
    cpu_before = cpu_seconds()
    if args.phase == "baseline":
        stages = parse_only(args.root)
    else:
        fake = args.extractor == "fake"
        resolve = not (fake or args.skip_resolve)
        stages = analyze(args.root, args.workers, fake_extract if fake else None, resolve=resolve)
        wait_for_workers()
    cpu = cpu_seconds() - cpu_before
    return {"seconds": sum(stages.values()), "cpu_seconds": cpu, "stages": stages, **peak_rss_mb()}


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
    """`analyze_path` with the default cache, its stages told apart by its progress reports.

    "read" is discovery, reading, hashing and cache look-ups (the first report comes after
    them), "extract" runs until every file is done, "resolve" is the rest.
    """
    if not resolve:
        project._resolve = skip_resolution
    reports: list[float] = []
    started = time.perf_counter()
    analyze_path(
        root,
        workers=workers,
        extract=extract,
        progress=lambda *_: reports.append(time.perf_counter()),
    )
    ended = time.perf_counter()
    return {
        "read": reports[0] - started,
        "extract": reports[-1] - reports[0],
        "resolve": ended - reports[-1],
    }


def skip_resolution(
    facts: Sequence[FileFacts],
    problems: Sequence[FileProblem],
    root: str,
    declared_entry_points: Sequence[str],
    cache: FactsCache | None,
    sources: dict[str, str],
) -> Analysis:
    """Stands in for resolution, and its cache, with `--skip-resolve` and the fake extractor."""
    return Analysis(root=root)


def wait_for_workers() -> None:
    """Wait until the worker processes have ended: only ended children count in
    `RUSAGE_CHILDREN`, and the pool stops its workers just after `analyze_path` returns when one
    of them stored the cache entries (`collect.py`)."""
    while multiprocessing.active_children():
        time.sleep(0.01)


def cpu_seconds() -> float:
    """CPU time of this process and its finished children; steadier than wall time on a busy
    machine."""
    own, children = (
        resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


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
    figures = ("seconds", "cpu_seconds", "rss_self_mb", "rss_children_mb")
    return {
        "stages": stages,
        **{key: statistics.median(r[key] for r in results) for key in figures},
    }


def ratios(medians: dict[str, dict[str, Any]]) -> dict[str, float]:
    seconds = {phase: medians[phase]["seconds"] for phase in PHASES}
    return {
        "cold/baseline": seconds["cold"] / seconds["baseline"],
        "cold/warm": seconds["cold"] / seconds["warm"],
        "cold/warm-code": seconds["cold"] / seconds["warm-code"],
        "warm_seconds": seconds["warm"],
        "warm_code_seconds": seconds["warm-code"],
    }


def render(report: dict[str, Any]) -> str:
    size = f"{report['files']:,} files, {report['lines']:,} lines"
    if report["lines"] < MIN_LINES:
        size += f" (under {MIN_LINES:,}: the figures are noisy)"
    resolution = "" if report["resolve"] else " without resolution"
    compiled = report["compiled"]
    build = (
        "resolution compiled (SPLITTER_COMPILE=1)"
        if compiled == list(COMPILED_MODULES)
        else f"compiled: {', '.join(compiled)}"
        if compiled
        else "from source"
    )
    lines = [
        f"code base  {report['root']} (analyzed in a temporary copy)",
        f"size       {size}",
        f"setup      extractor {report['extractor']}{resolution}, {report['workers']} workers, "
        f"{build}, medians of {report['repeat']} rounds",
        f"warm run   after inserting a comment above the first statement of "
        f"{report['edited_file']}, which moves all its lines",
        "warm-code  after then appending two functions, one calling the other, to it",
        "",
        f"{'phase':<10}{'wall s':>8}{'cpu s':>8}   {'stages (wall s)':<42}{'peak RSS MB':>12}",
        *(phase_row(phase, report["medians"][phase]) for phase in PHASES),
        "",
    ]
    for name, (direction, goal) in GOALS.items():
        value = report["ratios"][name]
        verdict = "met" if (value <= goal if direction == "<=" else value >= goal) else "MISSED"
        lines.append(f"{name:<14}{value:>7.2f}   goal {direction} {goal:<5} {verdict}")
    lines.append(f"{'warm':<14}{report['ratios']['warm_seconds']:>7.2f} s")
    lines.append(f"{'warm-code':<14}{report['ratios']['warm_code_seconds']:>7.2f} s")
    return "\n".join(lines)


def phase_row(phase: str, figures: dict[str, Any]) -> str:
    stages = "  ".join(f"{name} {value:.2f}" for name, value in figures["stages"].items())
    memory = f"{figures['rss_self_mb']:.0f} + {figures['rss_children_mb']:.0f}"
    return (
        f"{phase:<10}{figures['seconds']:>8.2f}{figures['cpu_seconds']:>8.2f}   "
        f"{stages:<42}{memory:>12}"
    )


if __name__ == "__main__":
    sys.exit(main())

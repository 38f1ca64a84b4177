"""Score call graphs against the hand-written accuracy cases, per category and overall.

Run from the repository root:

    python benchmarks/callgraph_accuracy.py            # a table, then wrong and missed edges
    python benchmarks/callgraph_accuracy.py --json     # the same, as JSON
    python benchmarks/callgraph_accuracy.py --pycg "/path/to/python -m pycg"

`--pycg` also runs PyCG on the same cases and scores it side by side. Its value is the command
that starts PyCG: the path of a `pycg` executable, or an interpreter with `-m pycg` (the
PyPI release 0.0.7 installs no executable; 0.0.8 does not import).
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from tests.analyzer.callgraph_cases import (  # noqa: E402  (needs the repository on sys.path)
    CASES,
    CATEGORIES,
    CallGraphCase,
    Edge,
    Score,
    edges_of,
    expected_edges,
    score,
    write_case,
)

GraphOf = Callable[[CallGraphCase, Path], dict[str, list[str]]]
"""Analyze a case written under a root folder into a PyCG-format graph."""

PYCG_TIMEOUT_SECONDS = 120
EXIT_NO_ANALYZER = 2


@dataclass(frozen=True)
class CaseResult:
    """One analyzer's result on one case."""

    case: str
    category: str
    score: Score
    wrong: tuple[Edge, ...]
    missed: tuple[Edge, ...]
    error: str = ""

    def __str__(self) -> str:
        return f"{self.case}: {self.score}" + (f" (error: {self.error})" if self.error else "")


@dataclass(frozen=True)
class Report:
    """One analyzer's results on every case."""

    analyzer: str
    results: tuple[CaseResult, ...]

    def overall(self) -> Score:
        """The score over all cases, edges pooled."""
        return sum((result.score for result in self.results), Score(0, 0, 0))

    def by_category(self) -> dict[str, Score]:
        """The pooled score of each category that has cases, in `CATEGORIES` order."""
        totals: dict[str, Score] = {}
        for category in CATEGORIES:
            scores = [result.score for result in self.results if result.category == category]
            if scores:
                totals[category] = sum(scores, Score(0, 0, 0))
        return totals

    def __str__(self) -> str:
        return f"{self.analyzer}: {self.overall()}"


def splitter_graph_of() -> GraphOf:
    """Return splitter's analyzer as a `GraphOf`.

    Raises:
        ImportError: the analyzer is not there (yet).
    """
    from splitter.analyzer.formats import to_pycg
    from splitter.analyzer.project import analyze_path

    def graph_of(case: CallGraphCase, root: Path) -> dict[str, list[str]]:
        write_case(case, root)
        return to_pycg(analyze_path(root))

    return graph_of


def pycg_graph_of(command: str) -> GraphOf:
    """Return a `GraphOf` that runs PyCG through `command` on every file of a case."""
    argv = shlex.split(command)

    def graph_of(case: CallGraphCase, root: Path) -> dict[str, list[str]]:
        files = write_case(case, root)
        output = root.parent / "pycg.json"
        completed = subprocess.run(
            [*argv, "--package", str(root), *map(str, files), "-o", str(output)],
            capture_output=True,
            text=True,
            timeout=PYCG_TIMEOUT_SECONDS,
            check=False,
        )
        if completed.returncode != 0:
            lines = completed.stderr.strip().splitlines() or [f"exit {completed.returncode}"]
            raise RuntimeError(lines[-1])
        graph: dict[str, list[str]] = json.loads(output.read_text(encoding="utf-8"))
        return graph

    return graph_of


def run_case(case: CallGraphCase, graph_of: GraphOf, workdir: Path) -> CaseResult:
    """Analyze one case in its own folder under `workdir`; a crash is a result, not an end."""
    root = workdir / case.name / "src"
    root.mkdir(parents=True)
    expected = expected_edges(case)
    try:
        found = edges_of(graph_of(case, root))
    except Exception as error:  # one failing case must not end the benchmark
        found, problem = frozenset(), f"{type(error).__name__}: {error}"
    else:
        problem = ""
    return CaseResult(
        case=case.name,
        category=case.category,
        score=score(expected, found),
        wrong=tuple(sorted(found - expected)),
        missed=tuple(sorted(expected - found)),
        error=problem,
    )


def run(analyzer: str, graph_of: GraphOf, cases: Sequence[CallGraphCase]) -> Report:
    """Score one analyzer on `cases`."""
    with tempfile.TemporaryDirectory(prefix=f"callgraph-{analyzer}-") as workdir:
        results = tuple(run_case(case, graph_of, Path(workdir)) for case in cases)
    return Report(analyzer, results)


def _score_json(total: Score, cases: int) -> dict[str, Any]:
    return {
        "cases": cases,
        "expected": total.expected,
        "found": total.found,
        "true_positives": total.true_positives,
        "precision": round(total.precision, 4),
        "recall": round(total.recall, 4),
    }


def report_json(reports: Sequence[Report]) -> dict[str, Any]:
    """Render reports as plain data, for `--json`."""
    rendered: dict[str, Any] = {}
    for report in reports:
        counts = {name: 0 for name in CATEGORIES}
        for result in report.results:
            counts[result.category] += 1
        rendered[report.analyzer] = {
            "overall": _score_json(report.overall(), len(report.results)),
            "categories": {
                name: _score_json(total, counts[name])
                for name, total in report.by_category().items()
            },
            "wrong": [
                {"case": result.case, "caller": caller, "callee": callee}
                for result in report.results
                for caller, callee in result.wrong
            ],
            "missed": [
                {"case": result.case, "caller": caller, "callee": callee}
                for result in report.results
                for caller, callee in result.missed
            ],
            "errors": [
                {"case": result.case, "error": result.error}
                for result in report.results
                if result.error
            ],
        }
    return {"cases": len(CASES), "analyzers": rendered}


def report_text(reports: Sequence[Report]) -> str:
    """Render reports as a table per category and overall, then the edges that differ."""
    head = f"{'category':<16} {'cases':>5} {'expected':>8}"
    for report in reports:
        head += f" | {report.analyzer + ' found':>14} {'tp':>4} {'precision':>9} {'recall':>6}"
    lines = [head, "-" * len(head)]
    rows = [(name, [report.by_category().get(name) for report in reports]) for name in CATEGORIES]
    rows.append(("overall", [report.overall() for report in reports]))
    for name, totals in rows:
        present = [total for total in totals if total is not None]
        if not present:
            continue
        cases = sum(1 for result in reports[0].results if name in ("overall", result.category))
        line = f"{name:<16} {cases:>5} {present[0].expected:>8}"
        for total in present:
            line += (
                f" | {total.found:>14} {total.true_positives:>4}"
                f" {total.precision:>9.3f} {total.recall:>6.3f}"
            )
        if name == "overall":
            lines.append("-" * len(head))
        lines.append(line)
    for report in reports:
        lines += _differences(report)
    return "\n".join(lines)


def _differences(report: Report) -> list[str]:
    lines: list[str] = []
    for title, attribute in (("wrong edges", "wrong"), ("missed edges", "missed")):
        edges = [
            f"  {result.case}: {caller} -> {callee}"
            for result in report.results
            for caller, callee in getattr(result, attribute)
        ]
        if edges:
            lines += ["", f"{report.analyzer} {title} ({len(edges)}):", *edges]
    errors = [f"  {result.case}: {result.error}" for result in report.results if result.error]
    if errors:
        lines += ["", f"{report.analyzer} errors ({len(errors)}):", *errors]
    return lines


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument(
        "--pycg",
        metavar="COMMAND",
        help='also score PyCG, started by COMMAND (e.g. "/venv/bin/python -m pycg")',
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Score the analyzers asked for and print the report; return the exit code."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    analyzers: list[tuple[str, GraphOf]] = []
    try:
        analyzers.append(("splitter", splitter_graph_of()))
    except ImportError as error:
        print(f"splitter's analyzer cannot be imported: {error}", file=sys.stderr)
    if args.pycg:
        analyzers.append(("pycg", pycg_graph_of(args.pycg)))
    if not analyzers:
        print(
            "nothing to score: install splitter (pip install -e .) or pass --pycg", file=sys.stderr
        )
        return EXIT_NO_ANALYZER
    reports = [run(name, graph_of, CASES) for name, graph_of in analyzers]
    if args.json:
        print(json.dumps(report_json(reports), indent=2, sort_keys=True))
    else:
        print(report_text(reports))
    return 0


if __name__ == "__main__":
    sys.exit(main())

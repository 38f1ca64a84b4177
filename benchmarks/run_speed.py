"""How fast `splitter run` executes a generated workflow of the sample, after warm-up.

    python benchmarks/run_speed.py [--workflow get_order_summary] [--runs 30] [--warmup 5]

The sample monolith is analyzed and generated into a temporary folder, and a database is
seeded with its demo data. Then, in one process, each round copies that database and runs
the workflow once in-process through moto's interpreter (`LocalStepFunctions.run`, the
call behind `splitter run`), after `--warmup` rounds that load moto, the handlers and the
definition. The baseline, measured in the same run on the same input and fresh copies, is a
direct call of the monolith's own entry function: the ratio is what the state machine, the
JSON boundaries and the isolation cost over the in-process original. The goal is a median
under 150 ms. Nothing comes from the network.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


from splitter.local.app import load_app
from splitter.local.database import fresh_copy
from splitter.local.isolation import Runtime
from splitter.local.monolith import call_entry, find_entry, import_root
from splitter.local.stepfunctions import LocalStepFunctions
from tests.conftest import analyze_and_generate

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_monolith" / "shop"
GOAL_MS = 150.0
INPUTS: dict[str, dict[str, Any]] = {
    "request_back_order": {"customer_id": 3, "sku": "LIT-001", "qty": 1},
    "get_order_summary": {"order_id": 9},
    "restock": {"sku_quantities": {"GAR-003": 2, "LIT-001": 3}},
    "place_order": {
        "customer_id": 2,
        "items": [{"sku": "KIT-003", "qty": 2}, {"sku": "FOD-001", "qty": 3}],
        "card_number": "4111 1111 1111 1111",
    },
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workflow", default="get_order_summary", choices=sorted(INPUTS))
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=5)
    args = parser.parse_args()
    given = INPUTS[args.workflow]
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        generated = _generate(work)
        seeded = _seed(work)
        app_ = load_app(generated)
        entry = _entry(generated, args.workflow)
        monolith = Runtime("the monolith", [import_root(SAMPLE)])
        function = find_entry(monolith, entry)

        def direct(path: Path) -> str:
            monolith.environment["SHOP_DB_PATH"] = str(path)
            outcome = call_entry(monolith, function, given)
            return "raised " + str(outcome.error) if outcome.failed else "returned"

        with LocalStepFunctions(app_) as service:

            def workflow(path: Path) -> str:
                service.dispatcher.override({"SHOP_DB_PATH": str(path)})
                return service.run(args.workflow, given).status

            baseline, base_outcome = _measure(
                direct, seeded, work / "direct", args.warmup, args.runs
            )
            runs, run_outcome = _measure(workflow, seeded, work / "local", args.warmup, args.runs)
    median, base = statistics.median(runs), statistics.median(baseline)
    print(f"workflow {args.workflow} on {json.dumps(given)}")
    print(f"monolith entry call: median {base:.1f} ms ({base_outcome}), the baseline")
    print(
        f"local workflow run:  median {median:.1f} ms ({run_outcome}); "
        f"min {min(runs):.1f}, max {max(runs):.1f} over {len(runs)} runs"
    )
    print(f"ratio run/baseline: {median / base:.1f}x")
    verdict = "met" if median < GOAL_MS else "MISSED"
    print(f"goal: median under {GOAL_MS:.0f} ms after warm-up: {verdict}")
    return 0 if median < GOAL_MS else 1


def _generate(work: Path) -> Path:
    try:
        analyze_and_generate(work, SAMPLE, "--out", "generated")
    except AssertionError as error:
        raise SystemExit(str(error)) from None
    return work / "generated"


def _seed(work: Path) -> Path:
    runtime = Runtime("seeding", [import_root(SAMPLE)])
    path = work / "seed.db"
    runtime.call("shop.db:seed", str(path))
    return path


def _entry(generated: Path, workflow: str) -> str:
    report = json.loads((generated / "splitter-report.json").read_text(encoding="utf-8"))
    return next(str(w["entry"]) for w in report["workflows"] if w["name"] == workflow)


def _measure(
    run: Callable[[Path], str], seeded: Path, work: Path, warmup: int, runs: int
) -> tuple[list[float], str]:
    times, outcome = [], ""
    work.mkdir()
    for index in range(warmup + runs):
        copy = fresh_copy(seeded, work / f"run-{index}.db")
        started = time.perf_counter()
        outcome = run(copy)
        elapsed = (time.perf_counter() - started) * 1000
        if index >= warmup:
            times.append(elapsed)
    return times, outcome


if __name__ == "__main__":
    raise SystemExit(main())

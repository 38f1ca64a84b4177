"""How fast the review report of a 20,000-function code base loads in headless Chromium.

    python benchmarks/report_load.py [--functions 20000] [--repeat 3] [--keep FILE]

A synthetic analysis and plan are built in memory (no file is analyzed), the report is
rendered once, then opened `--repeat` times in a fresh headless Chromium each time. The load
time is from navigation start to the page setting `window.__reportReady` (its script has
parsed the data, built its indexes and wired the map); the median is compared with the
5 s goal. Needs /usr/bin/chromium and nothing from the network.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from splitter.report.build import build_report
from splitter.report.html import render_report
from tests.report.chromium import CHROMIUM, chromium_page
from tests.report.synthetic import synthetic_input

GOAL_SECONDS = 5.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--functions", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="Also write the report to this file.")
    args = parser.parse_args()
    if not CHROMIUM.exists():
        print(f"{CHROMIUM} is missing: install Chromium (apt-get install chromium)")
        return 2
    started = time.perf_counter()
    given = synthetic_input(args.functions)
    built = time.perf_counter()
    html = render_report(build_report(given))
    rendered = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "report.html"
        path.write_text(html, encoding="utf-8")
        if args.keep:
            args.keep.write_text(html, encoding="utf-8")
        loads = [_load(path) for _ in range(args.repeat)]
    median = statistics.median(loads)
    print(f"synthetic input: {args.functions:,} functions in {built - started:.2f} s")
    print(f"report built and rendered in {rendered - built:.2f} s")
    print(f"HTML size: {len(html.encode('utf-8')) / 1_000_000:.2f} MB")
    print("load to ready: " + ", ".join(f"{seconds:.2f} s" for seconds in loads))
    verdict = "met" if median < GOAL_SECONDS else "MISSED"
    print(f"median load {median:.2f} s; goal under {GOAL_SECONDS:.0f} s: {verdict}")
    return 0 if median < GOAL_SECONDS else 1


def _load(path: Path) -> float:
    """Seconds from navigation start to `window.__reportReady`, in a fresh browser."""
    with chromium_page() as page:
        page.open(path.as_uri())
        errors = page.errors()
        if errors:
            raise SystemExit(f"the page reported errors: {errors[:3]}")
        return float(page.evaluate("window.__reportReadyAt")) / 1000


if __name__ == "__main__":
    sys.exit(main())

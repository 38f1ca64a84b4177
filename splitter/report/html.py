"""Rendering the review report as one self-contained HTML file: styles, script and pictures
inline, no network, the same bytes for the same report."""

from __future__ import annotations

import json
from typing import Any

from splitter import __version__
from splitter.generator.rendering import render_template
from splitter.report.model import Report
from splitter.report.svg import PALETTE, SHARED_FILL

_SCRIPT_ESCAPES = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


def render_report(report: Report) -> str:
    """The page: overview, service map, call-graph explorer, data ownership, workflows and
    what the analysis could not resolve or parse."""
    return render_template(
        "report/report.html",
        report=report,
        data=script_json(report.explorer),
        palette=PALETTE,
        shared_colour=SHARED_FILL,
        version=__version__,
    )


def script_json(data: Any) -> str:
    """`data` as compact JSON that cannot end the `<script>` element holding it."""
    text = json.dumps(data, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    return text.translate(_SCRIPT_ESCAPES)

"""Which function's body a workflow's state machine is made from."""

from __future__ import annotations

from collections.abc import Mapping

from splitter.analyzer.model import Analysis
from splitter.planner.assignment import SHARED

_MAX_DEPTH = 5


def orchestrating_function(entry: str, analysis: Analysis, assignment: Mapping[str, str]) -> str:
    """The function that orchestrates the workflow started at `entry`.

    An entry point is often a thin adapter (an HTTP route reading the request, calling one
    function, shaping the response). While the function makes exactly one internal call to
    code outside the shared library, that callee is the one doing the work: descend to it.
    """
    current = entry
    for _ in range(_MAX_DEPTH):
        callees = {
            call.callee
            for call in analysis.calls
            if call.caller == current
            and call.target == "internal"
            and assignment.get(call.callee, SHARED) != SHARED
            and call.callee != current
        }
        if len(callees) != 1:
            return current
        current = callees.pop()
    return current

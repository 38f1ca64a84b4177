"""Which function a workflow's state machine is made of, and whether it gets one."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from splitter.analyzer.model import Analysis
from splitter.planner.assignment import SHARED

_MAX_DEPTH = 5


def orchestrating_function(entry: str, analysis: Analysis, assignment: Mapping[str, str]) -> str:
    """The function that orchestrates the workflow started at `entry`.

    An entry point is often a thin adapter (an HTTP route reading the request, calling one
    function, shaping the response). While the function makes exactly one internal call to
    code outside the shared library, and does no work of its own on data (it reads or writes
    no table, writes no module state, opens no transaction), that callee is the one doing the
    work: descend to it. A function that works on data is the workflow itself, even when it
    calls one other function: descending would leave its own work out of the workflow.
    """
    working = _working_on_data(analysis)
    current = entry
    for _ in range(_MAX_DEPTH):
        if current in working:
            return current
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


def _working_on_data(analysis: Analysis) -> set[str]:
    """Functions that read or write a table, write module state, or open a transaction."""
    found = {use.function for use in analysis.tables if use.mode in ("read", "write")}
    found |= {use.function for use in analysis.state if use.mode == "write"}
    return found | set(analysis.transactional)


@dataclass(frozen=True)
class Orchestration:
    """The function a workflow's state machine is made of, its service, and the services
    (other than the shared library) its direct calls reach."""

    entry: str
    function: str
    owner: str
    services_called: tuple[str, ...]

    @property
    def crosses_services(self) -> bool:
        """True when it calls a service other than its own: it becomes a state machine."""
        return self.owner != SHARED and any(s != self.owner for s in self.services_called)

    @property
    def machine_name(self) -> str:
        """The state machine's name, as the generator gives it: the function's own name."""
        return self.function.rpartition(".")[2]

    def __str__(self) -> str:
        via = f" via {self.entry}" if self.entry != self.function else ""
        return f"{self.function} ({self.owner}){via} -> {', '.join(self.services_called) or '-'}"


def internal_callees(analysis: Analysis) -> dict[str, tuple[str, ...]]:
    """Function -> the code it may call directly inside the code base, sorted, each once."""
    found: dict[str, set[str]] = defaultdict(set)
    for call in analysis.calls:
        if call.target == "internal" and call.callee != call.caller:
            found[call.caller].add(call.callee)
    return {caller: tuple(sorted(callees)) for caller, callees in found.items()}


def find_orchestration(
    entry: str,
    analysis: Analysis,
    service_of: Mapping[str, str],
    callees: Mapping[str, tuple[str, ...]],
) -> Orchestration:
    """The orchestrating function of the workflow started at `entry`, its owner and the
    services its calls reach.

    Args:
        entry: the workflow's entry function.
        analysis: the analysis of the code base.
        service_of: function -> service or `SHARED` (`assign_functions`).
        callees: `internal_callees` of the analysis.
    """
    function = orchestrating_function(entry, analysis, service_of)
    reached = {service_of.get(callee, SHARED) for callee in callees.get(function, ())}
    services = tuple(sorted(reached - {SHARED}))
    return Orchestration(entry, function, service_of.get(function, SHARED), services)

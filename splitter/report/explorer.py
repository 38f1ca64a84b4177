"""The data behind the page's script: every function, call and placement reason, compact.

Functions are rows `[name within its module, module index, service index, line, lines]`,
calls a flat list of caller and callee indexes, so a 20,000-function code base stays a few
megabytes and the page builds its indexes once on load.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from typing import Any

from splitter.analyzer.model import Analysis
from splitter.planner.assignment import SHARED
from splitter.planner.plan import Plan
from splitter.report.svg import colour_class

SHARED_LABEL = "shared library"
NOT_PLACED = -1


def explorer_data(
    analysis: Analysis,
    plan: Plan,
    assignment: Mapping[str, str],
    colours: Mapping[str, int],
) -> dict[str, Any]:
    """Plain data for JSON: services, modules, functions, calls, reasons and, per service,
    its tables, entry points and the call sites into and out of it."""
    services = sorted(s.name for s in plan.services)
    service_index = {name: index for index, name in enumerate(services)}
    service_index[SHARED] = len(services)
    functions = sorted(analysis.functions, key=lambda f: f.qualname)
    modules = sorted({f.module for f in functions})
    module_index = {name: index for index, name in enumerate(modules)}
    function_index = {f.qualname: index for index, f in enumerate(functions)}
    rows = [
        [
            f.qualname.removeprefix(f.module + ".") if f.qualname != f.module else "",
            module_index[f.module],
            service_index.get(assignment.get(f.qualname, ""), NOT_PLACED),
            f.line,
            f.size,
        ]
        for f in functions
    ]
    return {
        "services": [*services, SHARED_LABEL],
        "colours": [colour_class(colours.get(name, -1)) for name in services] + ["shared"],
        "modules": modules,
        "paths": _module_paths(analysis, modules),
        "functions": rows,
        "calls": _calls(analysis, function_index),
        "reasons": _reasons(plan, function_index),
        "details": _details(plan, services),
    }


def _module_paths(analysis: Analysis, modules: list[str]) -> list[str]:
    paths = {module.name: module.path for module in analysis.modules}
    found = {f.module: f.path for f in analysis.functions}
    return [paths.get(module, found.get(module, "")) for module in modules]


def _calls(analysis: Analysis, index: Mapping[str, int]) -> list[int]:
    pairs = sorted(
        {
            (index[call.caller], index[call.callee])
            for call in analysis.calls
            if call.target == "internal"
            and call.caller != call.callee
            and call.caller in index
            and call.callee in index
        }
    )
    return [number for pair in pairs for number in pair]


def _reasons(plan: Plan, index: Mapping[str, int]) -> dict[str, str]:
    """Function index (as a JSON key) -> why it sits where it does."""
    found: dict[str, str] = {}
    for reason in (*plan.shared.reasons, *plan.reasons):
        if reason.function in index:
            found[str(index[reason.function])] = "; ".join(reason.ties)
    return dict(sorted(found.items(), key=lambda item: int(item[0])))


def _details(plan: Plan, services: list[str]) -> list[dict[str, Any]]:
    out: dict[str, Counter[str]] = defaultdict(Counter)
    into: dict[str, Counter[str]] = defaultdict(Counter)
    for call in plan.cross_calls:
        out[call.caller_service][call.callee_service] += 1
        into[call.callee_service][call.caller_service] += 1
    found = []
    for name in services:
        service = plan.service_named(name)
        found.append(
            {
                "description": service.description if service else "",
                "tables": list(service.tables) if service else [],
                "entries": list(service.entry_points) if service else [],
                "calls_out": dict(sorted(out[name].items())),
                "calls_in": dict(sorted(into[name].items())),
            }
        )
    shared = plan.shared
    found.append(
        {
            "description": "code every service carries",
            "tables": list(shared.tables),
            "entries": [],
            "calls_out": {},
            "calls_in": {},
        }
    )
    return found

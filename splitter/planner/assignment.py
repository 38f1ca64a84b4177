"""Which service each function belongs to under a plan, globs and nesting resolved."""

from __future__ import annotations

from collections.abc import Iterable

from splitter.planner.plan import Plan

SHARED = "<shared>"
"""The pseudo-service of the shared library."""


def assign_functions(plan: Plan, functions: Iterable[str]) -> dict[str, str]:
    """Map each function to its service name (or `SHARED`); functions the plan does not
    cover are left out.

    The most specific member wins: an exact name over `module.Class.*` over `module.*`. A
    nested function or lambda goes with the function that encloses it.
    """
    exact: dict[str, str] = {}
    prefixes: list[tuple[str, str]] = []
    for name, members in _sections(plan):
        for member in members:
            if member.endswith(".*"):
                prefixes.append((member[:-1], name))
            else:
                exact[member] = name
    prefixes.sort(key=lambda item: -len(item[0]))
    assignment: dict[str, str] = {}
    for function in functions:
        service = _match(function, exact, prefixes)
        if service is not None:
            assignment[function] = service
    return assignment


def _sections(plan: Plan) -> Iterable[tuple[str, tuple[str, ...]]]:
    yield SHARED, plan.shared.members
    for service in plan.services:
        yield service.name, service.members


def _match(function: str, exact: dict[str, str], prefixes: list[tuple[str, str]]) -> str | None:
    candidate = function
    while candidate:
        if candidate in exact:
            return exact[candidate]
        candidate = candidate.rpartition(".")[0]
    for prefix, service in prefixes:
        if function.startswith(prefix):
            return service
    return None

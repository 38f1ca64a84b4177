"""Comparing two decompositions: the adjusted Rand index, and reading a reference split."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from math import comb
from typing import Any

from splitter.errors import PlanError
from splitter.planner.assignment import assign_functions
from splitter.planner.plan import Plan, Service, SharedLibrary


def adjusted_rand_index(first: Mapping[str, str], second: Mapping[str, str]) -> float:
    """Adjusted Rand index (Hubert and Arabie, 1985) of two labellings, over the names both
    label: 1.0 for the same partition, about 0.0 for a random one.

    Args:
        first: name -> label.
        second: name -> label.

    Returns:
        The index; 1.0 when both put everything in one group (or each name alone) alike, and
        when fewer than two names are labelled by both.
    """
    names = sorted(set(first) & set(second))
    if len(names) < 2:
        return 1.0
    pairs = Counter((first[name], second[name]) for name in names)
    rows = Counter(first[name] for name in names)
    columns = Counter(second[name] for name in names)
    index = sum(comb(count, 2) for count in pairs.values())
    row_sum = sum(comb(count, 2) for count in rows.values())
    column_sum = sum(comb(count, 2) for count in columns.values())
    expected = row_sum * column_sum / comb(len(names), 2)
    maximum = (row_sum + column_sum) / 2
    if maximum == expected:
        return 1.0
    return (index - expected) / (maximum - expected)


def reference_plan(data: Mapping[str, Any], root: str = "") -> Plan:
    """A plan from a reference decomposition: `[domains.<name>]` tables with `functions`
    (qualified names or `x.*` globs) and `tables`, and a `[shared]` table with `functions`.

    Raises:
        PlanError: a section is not shaped like that.
    """
    domains = data.get("domains", {})
    if not isinstance(domains, dict):
        raise PlanError("[domains] must be a table of domains", hint="see docs/plan-file.md")
    services = tuple(
        Service(name, _names(section, "functions", name), _names(section, "tables", name))
        for name, section in sorted(domains.items())
    )
    shared = _names(data.get("shared", {}), "functions", "shared")
    return Plan(root=root, services=services, shared=SharedLibrary(members=shared))


def labels(plan: Plan, functions: Iterable[str]) -> dict[str, str]:
    """Function -> service name (or the shared library) under a plan, for the functions it
    covers."""
    return assign_functions(plan, functions)


def _names(section: object, key: str, where: str) -> tuple[str, ...]:
    values = section.get(key, []) if isinstance(section, dict) else None
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise PlanError(
            f"{key} of {where} must be a list of names",
            hint='write it as functions = ["pkg.mod.func", "pkg.other.*"]',
        )
    return tuple(values)

"""Writing a service's members short: `module.*` or `module.Class.*` when it has all of them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from splitter.planner.evidence import Unit

MIN_GLOB = 2
"""A glob stands for at least this many functions; a lone function is listed by name."""


def compress(assignment: Mapping[str, str], units: Iterable[Unit]) -> dict[str, tuple[str, ...]]:
    """Service -> its members, sorted: a glob for each package, module or class whose units
    all belong to the service (the outermost such), and the other units by name.

    Args:
        assignment: unit -> service (the shared library included, under its own name).
        units: every unit of the code base, placed or not, so that no glob takes in code
            that is left out of the plan.
    """
    under = _units_under(units)
    members: dict[str, list[str]] = defaultdict(list)
    covered: set[str] = set()
    for prefix in sorted(under, key=lambda p: (p.count("."), p)):
        inside = under[prefix]
        owners = {assignment.get(unit, "") for unit in inside}
        if len(inside) < MIN_GLOB or len(owners) != 1 or "" in owners or inside & covered:
            continue
        members[owners.pop()].append(prefix + ".*")
        covered |= inside
    for unit, service in assignment.items():
        if unit not in covered:
            members[service].append(unit)
    return {service: tuple(sorted(found)) for service, found in sorted(members.items())}


def _units_under(units: Iterable[Unit]) -> dict[str, frozenset[str]]:
    """Every package, module and class -> the units under it."""
    found: dict[str, set[str]] = defaultdict(set)
    for unit in units:
        for prefix in _prefixes(unit):
            found[prefix].add(unit.name)
    return {prefix: frozenset(names) for prefix, names in found.items()}


def _prefixes(unit: Unit) -> list[str]:
    parts = unit.module.split(".")
    prefixes = [".".join(parts[:end]) for end in range(1, len(parts) + 1)]
    if unit.class_name:
        extra = unit.class_name.removeprefix(unit.module + ".").split(".")
        prefixes += [unit.module + "." + ".".join(extra[:end]) for end in range(1, len(extra) + 1)]
    return prefixes

"""Constraints a team sets in `[tool.splitter]` of the analyzed project's pyproject.toml."""

from __future__ import annotations

import fnmatch
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from splitter.errors import InputError
from splitter.planner.evidence import Evidence
from splitter.planner.weights import Weights

SHARED_TARGET = "shared"
"""The name a pin uses for the shared library."""


@dataclass(frozen=True)
class Constraints:
    """What the proposal must respect, by qualified name or glob (`pkg.mod.*`).

    `keep_together`: each group ends up in one service. `keep_apart`: the patterns of each
    group end up in different services. `pins`: (pattern, service) places matching code in
    that service (`shared` for the shared library). `exclude`: code left out of the plan.
    `entry_points`: functions the analysis takes as entry points besides those it finds
    (a function a scheduler or another system calls, which no route or command shows).
    """

    keep_together: tuple[tuple[str, ...], ...] = ()
    keep_apart: tuple[tuple[str, ...], ...] = ()
    pins: tuple[tuple[str, str], ...] = ()
    exclude: tuple[str, ...] = ()
    weights: Weights | None = None
    entry_points: tuple[str, ...] = ()
    source: str = ""

    def pinned(self, units: Iterable[str]) -> dict[str, str]:
        """Unit -> service for the units a pin matches (the most specific pin wins)."""
        ranked = sorted(self.pins, key=lambda pin: (-_specificity(pin[0]), pin))
        found = {}
        for unit in units:
            for pattern, service in ranked:
                if matches(pattern, unit):
                    found[unit] = service
                    break
        return found


def matches(pattern: str, name: str) -> bool:
    """A qualified name matches itself and what it encloses; a glob matches as in fnmatch
    (`pkg.mod.*` takes everything under `pkg.mod`)."""
    if any(char in pattern for char in "*?["):
        return fnmatch.fnmatchcase(name, pattern)
    return name == pattern or name.startswith(pattern + ".")


def matching(pattern: str, units: Iterable[str]) -> list[str]:
    return [unit for unit in units if matches(pattern, unit)]


def without_excluded(evidence: Evidence, exclude: Iterable[str]) -> Evidence:
    """The evidence with the excluded units (and their calls, data uses, entries) taken out."""
    patterns = tuple(exclude)
    if not patterns:
        return evidence
    gone = {u.name for u in evidence.units if any(matches(p, u.name) for p in patterns)}
    return replace(
        evidence,
        units=tuple(u for u in evidence.units if u.name not in gone),
        links=tuple(link for link in evidence.links if not {link.caller, link.callee} & gone),
        tables=tuple(use for use in evidence.tables if use.unit not in gone),
        state=tuple(use for use in evidence.state if use.unit not in gone),
        transactions=tuple(unit for unit in evidence.transactions if unit not in gone),
        entries=tuple(entry for entry in evidence.entries if entry.unit not in gone),
    )


def read_constraints(root: Path) -> Constraints:
    """The constraints in `[tool.splitter]` of `root/pyproject.toml`; none when absent.

    Raises:
        InputError: the file is not valid TOML or the table is malformed.
    """
    path = root / "pyproject.toml"
    if not path.is_file():
        return Constraints()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise InputError(
            f"{path}: {error}", hint="fix the TOML syntax of the project's pyproject.toml"
        ) from error
    table = data.get("tool", {}).get("splitter", {})
    return constraints_from_table(table, str(path))


def constraints_from_table(table: Mapping[str, Any], source: str) -> Constraints:
    """Constraints from a `[tool.splitter]` table (see docs/plan-file.md).

    Raises:
        InputError: an unknown key or a value of the wrong shape.
    """
    known = {"keep-together", "keep-apart", "pin", "exclude", "weights", "entry-points"}
    unknown = sorted(set(table) - known)
    if unknown:
        raise InputError(
            f"{source}: unknown key {', '.join(unknown)} in [tool.splitter]",
            hint=f"the keys are {', '.join(sorted(known))} (see docs/plan-file.md)",
        )
    pins = table.get("pin", {})
    if not isinstance(pins, dict) or not all(isinstance(v, str) for v in pins.values()):
        raise InputError(
            f"{source}: [tool.splitter] pin must map names to service names",
            hint='write it as pin = { "pkg.mod.func" = "orders" }',
        )
    weights = table.get("weights")
    return Constraints(
        keep_together=_groups(table.get("keep-together", []), "keep-together", source),
        keep_apart=_groups(table.get("keep-apart", []), "keep-apart", source),
        pins=tuple(sorted(pins.items())),
        exclude=_strings(table.get("exclude", []), "exclude", source),
        weights=Weights.from_mapping(weights) if isinstance(weights, dict) else None,
        entry_points=_strings(table.get("entry-points", []), "entry-points", source),
        source=source,
    )


def _groups(value: object, key: str, source: str) -> tuple[tuple[str, ...], ...]:
    if not isinstance(value, list):
        raise InputError(
            f"{source}: {key} must be a list of lists of names",
            hint=f'write it as {key} = [["pkg.a.*", "pkg.b.func"]]',
        )
    return tuple(_strings(group, key, source) for group in value)


def _strings(value: object, key: str, source: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise InputError(
            f"{source}: {key} must list qualified names or globs",
            hint=f'write it as {key} = ["pkg.mod.func", "pkg.other.*"]',
        )
    return tuple(value)


def _specificity(pattern: str) -> int:
    return len(pattern) + (1000 if not any(char in pattern for char in "*?[") else 0)

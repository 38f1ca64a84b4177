"""What the planner weighs: deployable units, the calls between them, their data and entries.

A unit is what becomes Lambda code: a top-level function or a method. Nested functions and
lambdas go with the unit that encloses them; a module's top-level code is no unit (it runs
wherever the module is imported). `Evidence` comes from an analysis
(`splitter.planner.gather`) or from an external weighted graph
(`splitter.planner.external_graph`), and everything after it is the same.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Literal

Mode = Literal["read", "write"]


@dataclass(frozen=True)
class Unit:
    """A top-level function or method; `class_name` is the qualified name of its class."""

    name: str
    module: str
    path: str = ""
    line: int = 0
    end_line: int = 0
    class_name: str = ""

    @property
    def size(self) -> int:
        """Lines of code, 1 when the source is unknown."""
        return max(self.end_line - self.line + 1, 1)


@dataclass(frozen=True)
class Link:
    """Calls from `caller` (a unit or a module's top-level code) to the unit `callee`.

    `sites` are the (path, line) of each call site, in source order; `weight` is the static
    call strength (the number of sites, or the weight an external graph gives) and `runtime`
    the number of calls a profile counted.
    """

    caller: str
    callee: str
    sites: tuple[tuple[str, int], ...] = ()
    weight: float = 1.0
    runtime: float = 0.0

    @property
    def first_line(self) -> int:
        return self.sites[0][1] if self.sites else 0


@dataclass(frozen=True)
class DataUse:
    """A unit reads or writes a table or a module-level variable."""

    unit: str
    resource: str
    mode: Mode


@dataclass(frozen=True)
class Entry:
    """A way in from outside; `unit` is empty when the entry is a module's top-level code."""

    name: str
    unit: str
    kind: str
    detail: str
    path: str = ""
    line: int = 0
    caller: str = ""

    @property
    def origin(self) -> str:
        """The node the entry starts from: its unit, or the module code that runs it."""
        return self.unit or self.caller


@dataclass(frozen=True)
class Evidence:
    """Everything the planner weighs, in qualified names, sorted.

    `contexts` are business contexts given with an external graph (else each entry point's
    reach is one); `callbacks` are calls from a decorator's wrapper into the functions it
    decorates, kept apart because they tie nothing.
    """

    root: str
    units: tuple[Unit, ...]
    links: tuple[Link, ...] = ()
    tables: tuple[DataUse, ...] = ()
    state: tuple[DataUse, ...] = ()
    transactions: tuple[str, ...] = ()
    entries: tuple[Entry, ...] = ()
    contexts: tuple[tuple[str, tuple[str, ...]], ...] = ()
    callbacks: tuple[Link, ...] = ()

    def unit_index(self) -> dict[str, Unit]:
        return {unit.name: unit for unit in self.units}

    def modules(self) -> tuple[str, ...]:
        """Modules that hold at least one unit, sorted."""
        return tuple(sorted({unit.module for unit in self.units}))

    def with_runtime(self, counts: Mapping[tuple[str, str], float]) -> Evidence:
        """The same evidence with runtime call counts added to the links (new links too)."""
        links = {(link.caller, link.callee): link for link in self.links}
        for (caller, callee), count in counts.items():
            known = links.get((caller, callee))
            if known is None:
                links[(caller, callee)] = Link(caller, callee, weight=0.0, runtime=count)
            else:
                links[(caller, callee)] = replace(known, runtime=known.runtime + count)
        return replace(self, links=tuple(links[key] for key in sorted(links)))


def table_modes(uses: Iterable[DataUse]) -> dict[str, dict[str, Mode]]:
    """Unit -> {resource: "write" if any use writes it, else "read"}."""
    modes: dict[str, dict[str, Mode]] = defaultdict(dict)
    for use in uses:
        if modes[use.unit].get(use.resource) != "write":
            modes[use.unit][use.resource] = use.mode
    return {unit: dict(sorted(access.items())) for unit, access in sorted(modes.items())}

"""Turning an analysis into planner evidence: units, links between them, data uses, entries."""

from __future__ import annotations

from collections import defaultdict

from splitter.analyzer.model import Analysis, Call, Function
from splitter.planner.evidence import DataUse, Entry, Evidence, Link, Unit

_CALLABLE = ("function", "method", "lambda")


def evidence_from_analysis(analysis: Analysis) -> Evidence:
    """Collect what the planner weighs from an analysis.

    Calls are lifted to units (a nested function's calls are its enclosing unit's calls); a
    lambda at module or class level is see-through (calling it calls what it calls). A
    decorator's wrapper calling the functions it decorates is how decorators work, not a
    dependency, so those calls are kept apart as `callbacks`.
    """
    index = {function.qualname: function for function in analysis.functions}
    owner = {name: _unit_of(name, index) for name in index}
    units = tuple(
        _unit(index[name]) for name in sorted(index) if owner[name] == name and name in index
    )
    links, callbacks = _links(analysis.calls, index, owner)
    tables = [(use.function, use.table, use.mode) for use in analysis.tables]
    return Evidence(
        root=analysis.root,
        units=units,
        links=links,
        tables=_uses([t for t in tables if t[2] != "define"], owner),
        state=_uses([(use.function, use.variable, use.mode) for use in analysis.state], owner),
        transactions=_transactions(analysis, owner),
        entries=_entries(analysis, index, owner),
        callbacks=callbacks,
    )


def _unit_of(name: str, index: dict[str, Function]) -> str:
    """The unit a function belongs to; "" for module code and see-through lambdas."""
    function = index[name]
    if function.kind == "module":
        return ""
    parts = name.split(".")
    start = len(function.module.split("."))
    for end in range(start + 1, len(parts) + 1):
        candidate = index.get(".".join(parts[:end]))
        if candidate is not None and candidate.kind in _CALLABLE:
            return "" if candidate.kind == "lambda" else candidate.qualname
    return ""


def _unit(function: Function) -> Unit:
    return Unit(
        name=function.qualname,
        module=function.module,
        path=function.path,
        line=function.line,
        end_line=function.end_line,
        class_name=function.class_name,
    )


def _links(
    calls: tuple[Call, ...], index: dict[str, Function], owner: dict[str, str]
) -> tuple[tuple[Link, ...], tuple[Link, ...]]:
    """Internal calls between units, see-through lambdas resolved, callbacks apart."""
    internal = [c for c in calls if c.target == "internal" and {c.caller, c.callee} <= set(index)]
    see_through = _lambda_targets(internal, index, owner)
    sites: dict[tuple[str, str], set[tuple[str, int]]] = defaultdict(set)
    callbacks: dict[tuple[str, str], set[tuple[str, int]]] = defaultdict(set)
    for call in internal:
        if call.caller in see_through:
            continue
        caller = owner[call.caller] or index[call.caller].module
        targets = [owner[call.callee]] if owner[call.callee] else see_through.get(call.callee, [])
        for target in targets:
            if target != caller:
                bucket = callbacks if _is_callback(caller, index[call.callee]) else sites
                bucket[(caller, target)].add((call.path, call.line))
    return _as_links(sites), _as_links(callbacks)


def _lambda_targets(
    calls: list[Call], index: dict[str, Function], owner: dict[str, str]
) -> dict[str, list[str]]:
    """For each see-through lambda (module or class level), the units it calls."""
    targets: dict[str, set[str]] = {
        name: set()
        for name, function in index.items()
        if function.kind == "lambda" and not owner[name]
    }
    for call in calls:
        if call.caller in targets and owner[call.callee]:
            targets[call.caller].add(owner[call.callee])
    return {name: sorted(found) for name, found in targets.items()}


def _is_callback(caller: str, callee: Function) -> bool:
    """A call from a decorator into a function it decorates (`@transactional` on `f`)."""
    short = caller.rpartition(".")[2]
    return any(
        decorator.partition("(")[0].rpartition(".")[2] == short for decorator in callee.decorators
    )


def _as_links(sites: dict[tuple[str, str], set[tuple[str, int]]]) -> tuple[Link, ...]:
    return tuple(
        Link(caller, callee, tuple(sorted(found)), float(len(found)))
        for (caller, callee), found in sorted(sites.items())
    )


def _transactions(analysis: Analysis, owner: dict[str, str]) -> tuple[str, ...]:
    opened = {owner.get(name, "") for name in analysis.transactional}
    opened |= {owner.get(use.function, "") for use in analysis.tables if use.in_transaction}
    return tuple(sorted(opened - {""}))


def _entries(
    analysis: Analysis, index: dict[str, Function], owner: dict[str, str]
) -> tuple[Entry, ...]:
    entries: dict[str, Entry] = {}
    for entry in sorted(analysis.entry_points, key=lambda e: (e.function, e.kind, e.detail)):
        if entry.function in entries:
            # one function behind several routes is one way in; its first route names it
            continue
        unit = owner.get(entry.function, "")
        caller = "" if unit else index[entry.function].module if entry.function in index else ""
        entries[entry.function] = Entry(
            entry.function, unit, entry.kind, entry.detail, entry.path, entry.line, caller
        )
    return tuple(sorted(entries.values(), key=lambda e: (e.name, e.kind, e.detail)))


def _uses(uses: list[tuple[str, str, str]], owner: dict[str, str]) -> tuple[DataUse, ...]:
    """Reads and writes lifted to units, each once, sorted; module code's left out."""
    found = {
        DataUse(owner[function], resource, "write" if mode == "write" else "read")
        for function, resource, mode in uses
        if owner.get(function)
    }
    return tuple(sorted(found, key=lambda use: (use.unit, use.resource, use.mode)))

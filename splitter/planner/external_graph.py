"""An external weighted call graph (traces, another analyzer) as planner evidence.

The JSON format is documented in docs/planner.md:

    {"nodes": [{"id": "pkg.mod.func", "module": "pkg.mod", "lines": 12, "class": "..."}],
     "edges": [{"source": "pkg.mod.func", "target": "pkg.other.g", "weight": 3}],
     "contexts": {"checkout": ["pkg.mod.func", ...]},
     "tables": {"pkg.mod.func": {"orders": "write"}},
     "entries": ["pkg.mod.func", {"id": "pkg.api.route", "kind": "http", "detail": "GET /"}]}

Only `nodes` and `edges` are required.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from splitter.errors import InputError
from splitter.planner.evidence import DataUse, Entry, Evidence, Link, Unit

_HINT = "see the --graph format in docs/planner.md"


def read_graph(path: Path) -> Evidence:
    """Read an external graph file.

    Raises:
        InputError: the file cannot be read, is not JSON or does not follow the format.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"cannot read {path}: {error}", hint=_HINT) from error
    except json.JSONDecodeError as error:
        raise InputError(f"{path}:{error.lineno}: not JSON: {error.msg}", hint=_HINT) from error
    return graph_evidence(data, str(path))


def graph_evidence(data: Any, source: str) -> Evidence:
    """Evidence from a parsed external graph; `source` names it in errors and as the root."""
    if not isinstance(data, dict):
        raise InputError(f"{source}: the graph must be a JSON object", hint=_HINT)
    units = _nodes(data.get("nodes"), source)
    known = {unit.name for unit in units}
    return Evidence(
        root=source,
        units=tuple(sorted(units, key=lambda unit: unit.name)),
        links=_edges(data.get("edges"), known, source),
        tables=_tables(data.get("tables", {}), known, source),
        entries=_entries(data.get("entries", []), known, source),
        contexts=_contexts(data.get("contexts", {}), known, source),
    )


def _nodes(value: object, source: str) -> list[Unit]:
    if not isinstance(value, list) or not value:
        raise InputError(f"{source}: nodes must be a non-empty list", hint=_HINT)
    units: dict[str, Unit] = {}
    for index, node in enumerate(value):
        where = f"{source}: nodes[{index}]"
        if not isinstance(node, dict) or not isinstance(node.get("id"), str) or not node["id"]:
            raise InputError(f"{where} needs a string id", hint=_HINT)
        name = node["id"]
        if name in units:
            raise InputError(f"{where}: id {name!r} appears twice", hint=_HINT)
        module = node.get("module", name.rpartition(".")[0] or name)
        lines = node.get("lines", 1)
        owner = node.get("class", "")
        if not isinstance(module, str) or not isinstance(owner, str):
            raise InputError(f"{where}: module and class must be strings", hint=_HINT)
        if not isinstance(lines, int) or isinstance(lines, bool) or lines < 1:
            raise InputError(f"{where}: lines must be a whole number >= 1", hint=_HINT)
        units[name] = Unit(name, module, line=1, end_line=lines, class_name=owner)
    return list(units.values())


def _edges(value: object, known: set[str], source: str) -> tuple[Link, ...]:
    if not isinstance(value, list):
        raise InputError(f"{source}: edges must be a list", hint=_HINT)
    weights: dict[tuple[str, str], float] = {}
    for index, edge in enumerate(value):
        where = f"{source}: edges[{index}]"
        if not isinstance(edge, dict):
            raise InputError(f"{where} must be an object", hint=_HINT)
        ends = (edge.get("source"), edge.get("target"))
        for end in ends:
            if end not in known:
                raise InputError(f"{where} names {end!r}, which is not a node", hint=_HINT)
        weight = edge.get("weight", 1.0)
        if not isinstance(weight, int | float) or isinstance(weight, bool) or weight <= 0:
            raise InputError(f"{where}: weight must be a number > 0", hint=_HINT)
        caller, callee = str(ends[0]), str(ends[1])
        if caller != callee:
            weights[(caller, callee)] = weights.get((caller, callee), 0.0) + float(weight)
    return tuple(Link(a, b, weight=w) for (a, b), w in sorted(weights.items()))


def _tables(value: object, known: set[str], source: str) -> tuple[DataUse, ...]:
    if not isinstance(value, dict):
        raise InputError(f"{source}: tables must map node ids to {{table: mode}}", hint=_HINT)
    uses = []
    for name, access in sorted(value.items()):
        if name not in known or not isinstance(access, dict):
            raise InputError(f"{source}: tables.{name} must be a node with a table", hint=_HINT)
        for table, mode in sorted(access.items()):
            if mode not in ("read", "write"):
                raise InputError(
                    f'{source}: tables.{name}.{table} must be "read" or "write"', hint=_HINT
                )
            uses.append(DataUse(name, table, mode))
    return tuple(uses)


def _entries(value: object, known: set[str], source: str) -> tuple[Entry, ...]:
    if not isinstance(value, list):
        raise InputError(f"{source}: entries must be a list", hint=_HINT)
    found = []
    for index, item in enumerate(value):
        entry: Mapping[str, Any] = item if isinstance(item, dict) else {"id": item}
        name = entry.get("id")
        if name not in known:
            raise InputError(f"{source}: entries[{index}] is not a node", hint=_HINT)
        kind, detail = str(entry.get("kind", "declared")), str(entry.get("detail", ""))
        found.append(Entry(str(name), str(name), kind, detail))
    return tuple(sorted(found, key=lambda e: e.name))


def _contexts(
    value: object, known: set[str], source: str
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not isinstance(value, dict):
        raise InputError(f"{source}: contexts must map names to lists of node ids", hint=_HINT)
    found = []
    for name, members in sorted(value.items()):
        if (
            not isinstance(members, list)
            or not all(m in known for m in members if isinstance(m, str))
            or not all(isinstance(m, str) for m in members)
        ):
            raise InputError(f"{source}: contexts.{name} must list node ids", hint=_HINT)
        found.append((name, tuple(sorted(members))))
    return tuple(found)

"""The analysis as versioned JSON, and back (schema: docs/analysis-schema.md)."""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from typing import Any

from splitter.analyzer.facts import FileProblem
from splitter.analyzer.model import ANALYSIS_SCHEMA_VERSION, RECORD_FIELDS, Analysis, ModuleInfo
from splitter.errors import InputError

_ITEM_TYPES: dict[str, type] = {"modules": ModuleInfo, **RECORD_FIELDS, "problems": FileProblem}


def analysis_to_dict(analysis: Analysis) -> dict[str, Any]:
    """A JSON-ready dict of the analysis; lists stay in the analysis' (sorted) order."""
    data = asdict(analysis)
    data["format"] = "splitter-analysis"
    return data


def analysis_to_json(analysis: Analysis) -> str:
    """The analysis as JSON text with sorted keys: equal analyses give equal bytes."""
    return json.dumps(analysis_to_dict(analysis), indent=1, sort_keys=True) + "\n"


def analysis_from_dict(data: dict[str, Any]) -> Analysis:
    """Rebuild an analysis from `analysis_to_dict` output.

    Raises:
        InputError: the data is not a splitter analysis of a version this release reads.
    """
    if data.get("format") != "splitter-analysis":
        raise InputError(
            "this JSON is not a splitter analysis",
            hint="write one with `splitter analyze PATH --json analysis.json`",
        )
    version = data.get("schema_version")
    if version != ANALYSIS_SCHEMA_VERSION:
        raise InputError(
            f"analysis schema version {version} is not {ANALYSIS_SCHEMA_VERSION}",
            hint="re-run `splitter analyze` with this release of splitter",
        )
    values: dict[str, Any] = {"root": data["root"], "schema_version": version}
    for name, item_type in _ITEM_TYPES.items():
        values[name] = tuple(_build(item_type, item) for item in data.get(name, ()))
    values["transactional"] = tuple(data.get("transactional", ()))
    return Analysis(**values)


def _build(item_type: type, item: dict[str, Any]) -> Any:
    names = {f.name for f in fields(item_type)}
    arguments = {k: tuple(v) if isinstance(v, list) else v for k, v in item.items() if k in names}
    return item_type(**arguments)

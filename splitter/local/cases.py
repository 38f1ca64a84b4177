"""The verification settings and hand-written cases: `splitter-verify.toml`.

```toml
[database]                      # each run gets its own copy of one starting database
variable = "SHOP_DB_PATH"       # the environment variable the code reads the SQLite path from
seed = "shop.db:seed"           # called in the monolith as seed(path) to build it ...
# file = "fixtures/start.db"    # ... or a file to copy (relative to this file)

[[setup]]                       # called before every run, in the monolith and in every function
call = "shop.utils:clock.set_now"
args = ["2024-06-03T10:00:00"]

[[case]]
workflow = "place_order"
name = "declined payment"
input = { customer_id = 3, items = [{ sku = "KIT-001", qty = 1 }], card_number = "4000..." }
```

A setup call runs wherever its module exists (the monolith, and each generated function whose
folders carry that module); `around` names a context manager the monolith's entry point runs in
(a web framework's application context, say). The file may be JSON with the same structure.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from splitter.errors import InputError


@dataclass(frozen=True)
class Call:
    """A callable of the code under test, by `module:attribute.path`, with its arguments."""

    target: str
    args: tuple[Any, ...] = ()

    @property
    def module(self) -> str:
        return self.target.partition(":")[0]

    def __str__(self) -> str:
        return f"{self.target}({', '.join(map(repr, self.args))})"


@dataclass(frozen=True)
class Case:
    """One input of one workflow, with where it came from."""

    workflow: str
    input: Mapping[str, Any]
    name: str
    origin: str

    def __str__(self) -> str:
        return f"{self.workflow}: {self.name} ({self.origin})"


@dataclass(frozen=True)
class Database:
    """How each run gets its own copy of the starting database."""

    variable: str
    seed: Call | None = None
    file: Path | None = None


@dataclass(frozen=True)
class VerifySettings:
    """Everything `splitter verify` is told besides the monolith and the generated tree."""

    database: Database | None = None
    setup: tuple[Call, ...] = ()
    around: Mapping[str, Call] = field(default_factory=dict)
    cases: tuple[Case, ...] = ()
    source: Path | None = None


def read_settings(path: Path) -> VerifySettings:
    """Parse a verification file (TOML, or JSON when it ends in `.json`)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise InputError(f"cannot read the cases file {path}: {error.strerror}") from None
    try:
        data = json.loads(text) if path.suffix == ".json" else tomllib.loads(text)
    except ValueError as error:
        raise InputError(f"{path} cannot be parsed: {error}") from None
    return settings_from(data, path)


def settings_from(data: Mapping[str, Any], path: Path) -> VerifySettings:
    """The settings a parsed verification file holds; mistakes are named with the file."""
    unknown = sorted(set(data) - {"database", "setup", "around", "case"})
    if unknown:
        raise InputError(
            f"{path}: unknown section {', '.join(unknown)}",
            hint="the sections are: database, setup, around, case",
        )
    return VerifySettings(
        database=_database(data.get("database"), path),
        setup=tuple(_call(item, path, "setup") for item in _list(data, "setup", path)),
        around={
            str(workflow): _call({"call": target}, path, "around")
            for workflow, target in _table(data, "around", path).items()
        },
        cases=tuple(
            _case(item, index, path) for index, item in enumerate(_list(data, "case", path))
        ),
        source=path,
    )


def _list(data: Mapping[str, Any], key: str, path: Path) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise InputError(f"{path}: `{key}` must be a list of tables ([[{key}]])")
    return value


def _table(data: Mapping[str, Any], key: str, path: Path) -> Mapping[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise InputError(f"{path}: `{key}` must be a table")
    return value


def _call(item: Any, path: Path, where: str) -> Call:
    if not isinstance(item, dict) or not isinstance(item.get("call"), str):
        raise InputError(f'{path}: each {where} entry needs `call = "module:function"`')
    target = str(item["call"])
    if ":" not in target:
        raise InputError(f"{path}: {where} call {target!r} must be written module:function")
    args = item.get("args", [])
    if not isinstance(args, list):
        raise InputError(f"{path}: the args of {target} must be a list")
    return Call(target, tuple(args))


def _database(item: Any, path: Path) -> Database | None:
    if item is None:
        return None
    if not isinstance(item, dict) or not isinstance(item.get("variable"), str):
        raise InputError(f"{path}: [database] needs `variable`, the path's environment variable")
    seed = _call({"call": item["seed"]}, path, "database seed") if "seed" in item else None
    file = (path.parent / str(item["file"])).resolve() if "file" in item else None
    if (seed is None) == (file is None):
        raise InputError(f"{path}: [database] needs exactly one of `seed` or `file`")
    return Database(str(item["variable"]), seed, file)


def _case(item: Any, index: int, path: Path) -> Case:
    if not isinstance(item, dict) or not isinstance(item.get("workflow"), str):
        raise InputError(f"{path}: case {index + 1} needs `workflow`")
    given = item.get("input", {})
    if not isinstance(given, dict):
        raise InputError(f"{path}: the input of case {index + 1} must be a table of arguments")
    name = str(item.get("name", f"case {index + 1}"))
    return Case(str(item["workflow"]), given, name, f"{path.name}")

"""The analysis of a whole code base: call graph, data access and entry points, as plain data."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from splitter.analyzer.facts import FileProblem

ANALYSIS_SCHEMA_VERSION = 1

NodeKind = Literal["module", "function", "method", "lambda"]
Target = Literal["internal", "external", "builtin"]
EntryKind = Literal["http", "cli", "task", "django-url", "main", "declared"]


@dataclass(frozen=True, slots=True)
class ModuleInfo:
    """One analyzed module."""

    name: str
    path: str
    lines: int
    is_package: bool


@dataclass(frozen=True, slots=True)
class Function:
    """A node of the call graph: a module's top-level code, a function, a method or a lambda."""

    qualname: str
    kind: NodeKind
    module: str
    path: str
    line: int
    end_line: int
    class_name: str = ""
    decorators: tuple[str, ...] = ()
    params: tuple[str, ...] = ()
    is_async: bool = False
    docstring: str = ""

    @property
    def size(self) -> int:
        """Lines of code, the unit the planner sizes services in."""
        return self.end_line - self.line + 1

    def __str__(self) -> str:
        return f"{self.qualname} ({self.path}:{self.line})"


@dataclass(frozen=True, slots=True)
class ClassInfo:
    """A class with its resolved bases (external bases keep their dotted name) and MRO."""

    qualname: str
    module: str
    path: str
    line: int
    end_line: int
    bases: tuple[str, ...]
    mro: tuple[str, ...]
    decorators: tuple[str, ...] = ()
    docstring: str = ""


@dataclass(frozen=True, slots=True)
class Call:
    """A resolved call site: `caller` may call `callee` at `path:line`."""

    caller: str
    callee: str
    path: str
    line: int
    target: Target = "internal"

    def __str__(self) -> str:
        return f"{self.caller} -> {self.callee} ({self.path}:{self.line})"


@dataclass(frozen=True, slots=True)
class UnresolvedCall:
    """A call site that could not be resolved, kept so nothing is silently dropped."""

    caller: str
    expression: str
    path: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.expression} in {self.caller}: {self.reason}"


@dataclass(frozen=True, slots=True)
class TableUse:
    """A function reads, writes or defines a database table."""

    function: str
    table: str
    mode: Literal["read", "write", "define"]
    path: str
    line: int
    via: str
    in_transaction: bool = False


@dataclass(frozen=True, slots=True)
class StateUse:
    """A function reads or writes module-level state (`module.NAME`)."""

    function: str
    variable: str
    mode: Literal["read", "write"]
    path: str
    line: int


@dataclass(frozen=True, slots=True)
class EnvironmentRead:
    """A function reads an environment variable by name: configuration a deployment must set."""

    function: str
    variable: str
    path: str
    line: int


@dataclass(frozen=True, slots=True)
class EntryPoint:
    """A way into the code from outside: an HTTP route, a command, a `__main__` block."""

    function: str
    kind: EntryKind
    detail: str
    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.kind} {self.detail} -> {self.function}"


@dataclass(frozen=True, slots=True)
class Analysis:
    """Everything `splitter analyze` found, the input of the planner."""

    root: str
    modules: tuple[ModuleInfo, ...] = ()
    functions: tuple[Function, ...] = ()
    classes: tuple[ClassInfo, ...] = ()
    calls: tuple[Call, ...] = ()
    unresolved: tuple[UnresolvedCall, ...] = ()
    tables: tuple[TableUse, ...] = ()
    state: tuple[StateUse, ...] = ()
    entry_points: tuple[EntryPoint, ...] = ()
    environment: tuple[EnvironmentRead, ...] = ()
    transactional: tuple[str, ...] = ()
    problems: tuple[FileProblem, ...] = ()
    schema_version: int = field(default=ANALYSIS_SCHEMA_VERSION)

    @property
    def lines(self) -> int:
        return sum(module.lines for module in self.modules)

    @property
    def resolved_share(self) -> float:
        """Share of call sites resolved, internal, external and builtin alike."""
        total = len(self.calls) + len(self.unresolved)
        return len(self.calls) / total if total else 1.0


RECORD_FIELDS: dict[str, type[Any]] = {
    "functions": Function,
    "classes": ClassInfo,
    "calls": Call,
    "unresolved": UnresolvedCall,
    "tables": TableUse,
    "state": StateUse,
    "entry_points": EntryPoint,
    "environment": EnvironmentRead,
}
"""The fields of `Analysis` that hold what was found in the code, with the class of their
records: each record carries the path and the line it was found at."""

"""Per-file facts: what one source file says, reduced to plain data before any cross-file work.

A file is parsed once, in a worker process, into a `FileFacts`; only these facts travel back,
get cached by content hash and feed the whole-program resolution. No syntax tree survives.

The records a file holds (definitions, call sites, bindings...) are named tuples: a large code
base has millions of them, and tuples take half the memory of dataclass instances and are
built, pickled and unpickled several times faster. They compare by value, as tuples.

Expressions whose value matters for resolution are kept as *references*: small tuples that
say how a value is obtained, without knowing yet what it is.

    ("name", scope, name)         a name read in `scope` ("" scope: look up globals, then builtins)
    ("attr", base, name)          `base.name`
    ("call", func, args, kwargs)  the result of calling `func`; args a tuple of refs,
                                  kwargs a tuple of (keyword, ref); a fifth item "operator"
                                  marks `a + b` read as `a.__add__(b)`
    ("item", base)                an element of `base` (subscript, iteration, `.get()`)
    ("container", elements, site) a list, tuple, set or dict literal (or comprehension); elements
                                  a tuple of refs, site "scope:number" tells literals apart
    ("def", qualname)             the function, class or lambda defined there
    ("const", typename)           a literal of a builtin type (`str`, `int`, ...)
    ("super", class_qualname, function_qualname)   `super()` inside that method
    ("either", refs)              one of several values (`a or b`, `x if c else y`)
    ("annotation", ref)           an instance of the class `ref` names, or of a subclass
    ("self", class_qualname, kind) the implicit first parameter of a method: kind "instance"
                                  for `self`, "class" for a classmethod's `cls`
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

Ref = tuple[Any, ...]
"""A reference, as described in the module docstring."""

FACTS_VERSION = 9
"""Bumped whenever the shape of the facts, or what their `digest` covers, changes, so stale
cache entries (which keep the digest) are ignored."""

DefKind = Literal["module", "class", "function", "lambda"]
ProblemKind = Literal[
    "syntax",
    "encoding",
    "binary",
    "too-large",
    "too-deep",
    "unreadable",
    "symlink-loop",
    "duplicate-module",
]


@dataclass(frozen=True)
class FileProblem:
    """A file that could not be analyzed, with where and why; the run goes on without it."""

    path: str
    line: int
    kind: ProblemKind
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.kind}: {self.reason}"


class Param(NamedTuple):
    """One parameter of a function: its name, kind and annotation reference."""

    name: str
    kind: Literal["positional", "vararg", "keyword", "varkw"]
    annotation: Ref | None = None
    has_default: bool = False


class Definition(NamedTuple):
    """A module, class, function, method or lambda, named by its qualified name."""

    qualname: str
    kind: DefKind
    parent: str
    line: int
    end_line: int
    decorators: tuple[str, ...] = ()
    decorator_names: tuple[str, ...] = ()
    params: tuple[Param, ...] = ()
    returns: Ref | None = None
    bases: tuple[Ref, ...] = ()
    is_async: bool = False
    docstring: str = ""

    @property
    def name(self) -> str:
        return self.qualname.rpartition(".")[2]


class Import(NamedTuple):
    """A name bound by an import statement in `scope`.

    `kind` "module": `name` is bound to module `target` (`import a.b as c`, `import a` binds `a`).
    `kind` "from": `name` is bound to `target` = "module.attr", an attribute or a submodule.
    `kind` "star": every public name of module `target` is bound in `scope`.
    """

    scope: str
    name: str
    target: str
    kind: Literal["module", "from", "star"]
    line: int


class CallSite(NamedTuple):
    """A call made by the code of `scope` at `line`."""

    scope: str
    call: Ref
    line: int


class Binding(NamedTuple):
    """`target = value` in `scope`: target is a name, attribute or item reference."""

    scope: str
    target: Ref
    value: Ref
    line: int


class TableAccess(NamedTuple):
    """A database table read or written by the code of `scope`, found in SQL or ORM use."""

    scope: str
    table: str
    mode: Literal["read", "write", "define"]
    line: int
    via: str
    in_transaction: bool = False


class StateAccess(NamedTuple):
    """A name or attribute read or written by `scope` that may be module-level state."""

    scope: str
    ref: Ref
    mode: Literal["read", "write"]
    line: int


@dataclass(frozen=True)
class FileFacts:
    """Everything the analyzer keeps of one source file."""

    path: str
    module: str
    is_package: bool
    sha256: str
    lines: int
    definitions: tuple[Definition, ...] = ()
    imports: tuple[Import, ...] = ()
    calls: tuple[CallSite, ...] = ()
    bindings: tuple[Binding, ...] = ()
    returns: tuple[Binding, ...] = ()
    loops: tuple[Binding, ...] = ()
    withs: tuple[Binding, ...] = ()
    attribute_loads: tuple[CallSite, ...] = ()
    tables: tuple[TableAccess, ...] = ()
    state: tuple[StateAccess, ...] = ()
    declared_globals: tuple[tuple[str, str], ...] = ()
    declared_nonlocals: tuple[tuple[str, str], ...] = ()
    model_tables: tuple[tuple[str, str], ...] = ()
    transactional_scopes: tuple[str, ...] = ()
    environment: tuple[tuple[str, str, int], ...] = ()
    """Environment variables read by name: (scope, variable, line)."""
    dunder_all: tuple[str, ...] | None = None
    has_main_block: bool = False
    notes: tuple[str, ...] = field(default=())
    digest: str = ""
    """A hash of every other field but `sha256` and `lines`, without the lines of the records
    and the docstrings of the definitions: what resolution reads of the file. Collecting the
    facts fills it in (`splitter.analyzer.cache.with_digest`); two files with the same digest
    resolve alike, whatever their comments, but for the lines and docstrings copied into the
    records (`copied.py`)."""


RECORD_CLASSES: dict[str, type[tuple[Any, ...]]] = {
    "definitions": Definition,
    "imports": Import,
    "calls": CallSite,
    "bindings": Binding,
    "returns": Binding,
    "loops": Binding,
    "withs": Binding,
    "attribute_loads": CallSite,
    "tables": TableAccess,
    "state": StateAccess,
}
"""The fields of `FileFacts` that hold records rather than plain values, with their class."""

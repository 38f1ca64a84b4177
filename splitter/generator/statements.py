"""What each top-level statement of a monolith module binds, uses and imports, read with libcst."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Literal

import libcst as cst
from libcst.metadata import (
    Access,
    Assignment,
    BuiltinAssignment,
    FunctionScope,
    GlobalScope,
    ImportAssignment,
    MetadataWrapper,
    Scope,
    ScopeProvider,
)

StatementKind = Literal["docstring", "future", "import", "function", "class", "other"]

MODULE_DUNDERS = frozenset(
    {"__file__", "__builtins__", "__spec__", "__loader__", "__package__", "__path__", "__cached__"}
)
"""Names every module has that libcst does not count among the builtins."""


@dataclass(frozen=True)
class Statement:
    """One top-level statement: what it binds at module level and the module names it uses."""

    index: int
    kind: StatementKind
    name: str
    line: int
    binds: frozenset[str]
    uses: frozenset[str]
    star: bool = False
    import_uses: frozenset[str] = frozenset()
    """The names of `uses` read by code that runs when the module is imported (module-level
    code, class bodies, decorators, default values), not only inside functions."""


@dataclass(frozen=True)
class ImportedName:
    """A name a top-level import binds, with the module it comes from (absolute, maybe not
    the monolith's); `name` is None when the module itself is bound."""

    statement: int
    bound: str
    module: str
    name: str | None


@dataclass(frozen=True)
class Reference:
    """A use of a monolith module or of a name in it, made by a statement.

    It counts when `statement` is kept and, for a use through a top-level import, when the
    import's `alias` is kept too.
    """

    statement: int
    module: str
    name: str | None
    alias: str = ""


@dataclass(frozen=True)
class ModuleFacts:
    """The facts of one module the generator carries statements of."""

    module: str
    path: str
    is_package: bool
    tree: cst.Module
    statements: tuple[Statement, ...]
    imports: tuple[ImportedName, ...]
    references: tuple[Reference, ...]
    external: tuple[Reference, ...]
    unresolved: frozenset[int]
    used: frozenset[str] = frozenset()
    """Module-level names some top-level statement uses."""

    def bindings(self, name: str) -> tuple[Statement, ...]:
        """The top-level statements that bind `name`, in source order."""
        return tuple(s for s in self.statements if name in s.binds)

    def imported(self, statement: int, bound: str) -> ImportedName | None:
        return next(
            (i for i in self.imports if i.statement == statement and i.bound == bound), None
        )


def read_module(
    text: str, *, module: str, path: str, is_package: bool, known: frozenset[str]
) -> ModuleFacts:
    """Read a module's statements, their bindings, uses and imports.

    Args:
        text: the module's source.
        module: its dotted name; path: its path relative to the analyzed root.
        is_package: whether it is a package's `__init__`.
        known: every module name of the monolith (packages included), to tell a submodule
            from a name defined in a package.

    Raises:
        libcst.ParserSyntaxError: the text is not Python libcst can parse.
    """
    tree = cst.parse_module(text)
    reader = _Reader(tree, module, is_package, known)
    statements = reader.statements()
    return ModuleFacts(
        module=module,
        path=path,
        is_package=is_package,
        tree=tree,
        statements=statements,
        imports=tuple(reader.imports),
        references=tuple(reader.references),
        external=tuple(reader.external),
        unresolved=frozenset(reader.unresolved),
        used=frozenset().union(*(s.uses for s in statements)),
    )


def exported_names(facts: ModuleFacts) -> frozenset[str]:
    """The names of its own that `from module import *` takes: those a literal `__all__`
    lists, else every top-level name not starting with an underscore."""
    bound = {name for statement in facts.statements for name in statement.binds}
    listed = listed_all(facts.tree)
    if listed is not None:
        return frozenset(name for name in listed if name in bound)
    return frozenset(name for name in bound if not name.startswith("_"))


def listed_all(tree: cst.Module) -> list[str] | None:
    """The string literals of the first list or tuple assigned to `__all__`; None without."""
    for statement in tree.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if not isinstance(small, cst.Assign) or not isinstance(
                small.value, cst.List | cst.Tuple
            ):
                continue
            if any(dotted(t.target) == "__all__" for t in small.targets):
                return strings_of(small.value)
    return None


def strings_of(node: cst.List | cst.Tuple) -> list[str]:
    """The elements of a list or tuple display that are string literals, in order."""
    return [text for e in node.elements if (text := string_value(e.value)) is not None]


def string_value(node: cst.BaseExpression) -> str | None:
    """The value of a plain string literal (not an f-string, not bytes); None for others."""
    if not isinstance(node, cst.SimpleString):
        return None
    value = node.evaluated_value
    return value if isinstance(value, str) else None


def absolute_module(module: str, is_package: bool, relative: int, target: str) -> str | None:
    """The absolute name of `from <dots><target> import ...` in `module`; None past the top."""
    if not relative:
        return target
    parts = module.split(".") if is_package else module.split(".")[:-1]
    base = parts[: len(parts) - (relative - 1)]
    if not base:
        return None
    return ".".join([*base, target] if target else base)


def resolve_chain(module: str, chain: tuple[str, ...], known: frozenset[str]) -> Reference:
    """Follow attributes from a module through its submodules to the name they reach."""
    current = module
    for attribute in chain:
        if f"{current}.{attribute}" in known:
            current = f"{current}.{attribute}"
            continue
        return Reference(-1, current, attribute)
    return Reference(-1, current, None)


def dotted(node: cst.BaseExpression) -> str:
    """The dotted text of a name or attribute chain (`a.b.c`); "" for anything else."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        head = dotted(node.value)
        return f"{head}.{node.attr.value}" if head else ""
    return ""


class _Reader:
    """Walks one parsed module once with scope and parent metadata."""

    def __init__(self, tree: cst.Module, module: str, is_package: bool, known: frozenset[str]):
        self.module = module
        self.is_package = is_package
        self.known = known
        # scopes are the one libcst metadata needed: statements and lines come from one plain
        # walk of the tree and from its code, several times faster than their providers
        self.scopes = MetadataWrapper(tree, unsafe_skip_copy=True).resolve(ScopeProvider)
        self.body = tree.body
        self.lines = statement_lines(tree)
        self.index_of, self.attribute_of, self.augmented = _index_nodes(tree.body)
        self.global_scope = next(s for s in self.scopes.values() if isinstance(s, GlobalScope))
        self.binds: dict[int, set[str]] = {i: set() for i in range(len(tree.body))}
        self.uses: dict[int, set[str]] = {i: set() for i in range(len(tree.body))}
        self.import_uses: dict[int, set[str]] = {i: set() for i in range(len(tree.body))}
        self.unresolved: set[int] = set()
        self.imports: list[ImportedName] = []
        self.references: list[Reference] = []
        self.external: list[Reference] = []
        self.roots = frozenset(name.split(".")[0] for name in known)
        self._read()

    def statement_of(self, node: cst.CSTNode) -> int:
        return self.index_of[id(node)]

    def _all_scopes(self) -> Iterator[Scope]:
        seen: dict[int, Scope] = {}
        for scope in self.scopes.values():
            if scope is not None and id(scope) not in seen:
                seen[id(scope)] = scope
                yield scope

    def _read(self) -> None:
        for scope in self._all_scopes():
            for assignment in scope.assignments:
                if isinstance(assignment, ImportAssignment):
                    self._read_import(assignment, scope)
                elif isinstance(assignment, Assignment):
                    self._read_assignment(assignment)
            for access in scope.accesses:
                self._read_access(access)
        for index, node in enumerate(self.body):
            self._read_star(index, node)

    def _read_assignment(self, assignment: Assignment) -> None:
        if self._binds_globally(assignment):
            self.binds[self.statement_of(assignment.node)].add(assignment.name)
        if assignment.scope is self.global_scope and id(assignment.node) in self.augmented:
            # `x += 1` reads the module's `x` too, which libcst does not count as an access
            self.uses[self.statement_of(assignment.node)].add(assignment.name)

    def _binds_globally(self, assignment: Assignment) -> bool:
        """Bound by module-level code, not by a function declaring the name `global`."""
        in_scope = assignment.scope is self.global_scope
        return in_scope and self.scopes.get(assignment.node) is self.global_scope

    def _read_access(self, access: Access) -> None:
        index = self.statement_of(access.node)
        referents = access.referents
        if not referents and dotted(access.node).split(".")[0] not in MODULE_DUNDERS:
            self.unresolved.add(index)
        for referent in referents:
            if isinstance(referent, BuiltinAssignment) or referent.scope is not self.global_scope:
                continue
            if isinstance(referent, ImportAssignment) or (
                isinstance(referent, Assignment) and self._binds_globally(referent)
            ):
                self.uses[index].add(referent.name.split(".")[0])
                if _runs_at_import(access.scope):
                    self.import_uses[index].add(referent.name.split(".")[0])

    def _read_import(self, assignment: ImportAssignment, scope: Scope) -> None:
        node = assignment.node
        assert isinstance(node, cst.Import | cst.ImportFrom)
        index = self.statement_of(node)
        top_level = scope is self.global_scope
        bound = assignment.name.split(".")[0]
        if top_level:
            self.binds[index].add(bound)
        target = self._import_target(node, assignment.name)
        if target is None:
            return
        module, name = target
        alias = bound if top_level else ""
        if top_level and "." not in assignment.name:
            self.imports.append(ImportedName(index, bound, module, name))
        if module.split(".")[0] not in self.roots:
            self.external.append(Reference(index, module.split(".")[0], None, alias))
            return
        self.references.append(Reference(index, module, name, alias))
        if name is None:
            for access in assignment.references:
                self._read_module_use(access, module, alias)

    def _import_target(
        self, node: cst.Import | cst.ImportFrom, name: str
    ) -> tuple[str, str | None] | None:
        if isinstance(node, cst.Import):
            for alias in node.names:
                asname = alias.asname
                full = dotted(alias.name)
                if asname is not None and _as_text(asname) == name:
                    return full, None
                if asname is None and (full == name or full.startswith(f"{name}.")):
                    return name, None
            return None
        return self._from_target(node, name)

    def _from_target(self, node: cst.ImportFrom, name: str) -> tuple[str, str | None] | None:
        base = dotted(node.module) if node.module is not None else ""
        module = absolute_module(self.module, self.is_package, len(node.relative), base)
        if module is None or isinstance(node.names, cst.ImportStar):
            return None
        for alias in node.names:
            asname = alias.asname
            bound = _as_text(asname) if asname is not None else dotted(alias.name)
            if bound != name:
                continue
            imported = dotted(alias.name)
            if f"{module}.{imported}" in self.known:
                return f"{module}.{imported}", None
            return module, imported
        return None

    def _read_module_use(self, access: Access, module: str, alias: str) -> None:
        node: cst.CSTNode = access.node
        chain: list[str] = []
        parent = self.attribute_of.get(id(node))
        while parent is not None:
            chain.append(parent.attr.value)
            node = parent
            parent = self.attribute_of.get(id(node))
        start = module
        if isinstance(access.node, cst.Attribute):
            start = dotted(access.node) if dotted(access.node) in self.known else module
        found = resolve_chain(start, tuple(chain), self.known)
        index = self.statement_of(access.node)
        self.references.append(Reference(index, found.module, found.name, alias))

    def _read_star(self, index: int, node: cst.CSTNode) -> None:
        if not isinstance(node, cst.SimpleStatementLine):
            return
        for small in node.body:
            if isinstance(small, cst.ImportFrom) and isinstance(small.names, cst.ImportStar):
                base = dotted(small.module) if small.module is not None else ""
                target = absolute_module(self.module, self.is_package, len(small.relative), base)
                if target is not None:
                    self.references.append(Reference(index, target, None))

    def statements(self) -> tuple[Statement, ...]:
        found = []
        for index, node in enumerate(self.body):
            kind, name = _kind_of(index, node)
            found.append(
                Statement(
                    index=index,
                    kind=kind,
                    name=name,
                    line=self.lines[index],
                    binds=frozenset(self.binds[index]),
                    uses=frozenset(self.uses[index]),
                    star=_is_star(node),
                    import_uses=frozenset(self.import_uses[index]),
                )
            )
        return tuple(found)


def statement_lines(tree: cst.Module) -> list[int]:
    """The line each top-level statement starts on, as libcst's `PositionProvider` gives it
    (a decorated definition starts at `def` or `class`)."""
    line = 1 + sum(tree.code_for_node(empty).count("\n") for empty in tree.header)
    found = []
    for node in tree.body:
        start = line + len(node.leading_lines)
        if isinstance(node, cst.FunctionDef | cst.ClassDef):
            start += sum(tree.code_for_node(d).count("\n") for d in node.decorators)
            start += len(node.lines_after_decorators)
        found.append(start)
        line += tree.code_for_node(node).count("\n")
    return found


_FIELDS: dict[type, tuple[str, ...]] = {}


def _index_nodes(
    body: Sequence[cst.BaseStatement],
) -> tuple[dict[int, int], dict[int, cst.Attribute], set[int]]:
    """By node id: the index of the top-level statement of every node under one; the
    attribute of every node that is an attribute's object (`a` -> `a.b`); the targets of
    augmented assignments (`x` of `x += 1`)."""
    index_of: dict[int, int] = {}
    attribute_of: dict[int, cst.Attribute] = {}
    augmented: set[int] = set()
    for index, statement in enumerate(body):
        stack: list[cst.CSTNode] = [statement]
        while stack:
            node = stack.pop()
            index_of[id(node)] = index
            if isinstance(node, cst.Attribute):
                attribute_of[id(node.value)] = node
            elif isinstance(node, cst.AugAssign):
                augmented.add(id(node.target))
            stack.extend(children(node))
    return index_of, attribute_of, augmented


def children(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """The nodes directly under `node`, read from its fields (cheaper than `node.children`)."""
    names = _FIELDS.get(type(node))
    if names is None:
        names = _FIELDS[type(node)] = tuple(f.name for f in fields(node))
    for name in names:
        value = getattr(node, name)
        if isinstance(value, cst.CSTNode):
            yield value
        elif isinstance(value, Sequence) and not isinstance(value, str):
            yield from (item for item in value if isinstance(item, cst.CSTNode))


def _as_text(asname: cst.AsName) -> str:
    return asname.name.value if isinstance(asname.name, cst.Name) else ""


def _kind_of(index: int, node: cst.CSTNode) -> tuple[StatementKind, str]:
    if isinstance(node, cst.FunctionDef):
        return "function", node.name.value
    if isinstance(node, cst.ClassDef):
        return "class", node.name.value
    if not isinstance(node, cst.SimpleStatementLine):
        return "other", ""
    small = node.body
    first = small[0]
    strings = cst.SimpleString | cst.ConcatenatedString
    if index == 0 and len(small) == 1 and isinstance(first, cst.Expr):
        return ("docstring", "") if isinstance(first.value, strings) else ("other", "")
    if all(isinstance(s, cst.Import | cst.ImportFrom) for s in small):
        future = all(
            isinstance(s, cst.ImportFrom) and dotted(s.module or cst.Name("x")) == "__future__"
            for s in small
        )
        return ("future" if future else "import"), ""
    return "other", ""


def _runs_at_import(scope: Scope) -> bool:
    """Whether code in `scope` runs when its module is imported: the module's own, or a class
    body or comprehension no function encloses."""
    current: Scope | None = scope
    while current is not None and not isinstance(current, GlobalScope):
        if isinstance(current, FunctionScope):
            return False
        current = current.parent
    return True


def _is_star(node: cst.CSTNode) -> bool:
    return isinstance(node, cst.SimpleStatementLine) and any(
        isinstance(s, cst.ImportFrom) and isinstance(s.names, cst.ImportStar) for s in node.body
    )


def definitions(facts: Mapping[str, ModuleFacts]) -> dict[tuple[str, str], Statement]:
    """Each (module, name) bound by a function or class statement, to that statement."""
    found: dict[tuple[str, str], Statement] = {}
    for module, fact in facts.items():
        for statement in fact.statements:
            if statement.kind in ("function", "class"):
                found.setdefault((module, statement.name), statement)
    return found


def resolve_definition(
    facts: Mapping[str, ModuleFacts], module: str, name: str
) -> tuple[str, str] | None:
    """Where a dotted name used in `module` is defined: (qualified name, statement kind).

    Imports are followed through the monolith's modules; a name defined outside the monolith
    gives its dotted origin and kind "external"; None when the name is bound nowhere.
    """
    parts = name.split(".")
    current, head, rest = module, parts[0], parts[1:]
    for _ in range(50):
        found = facts.get(current)
        if found is None:
            return ".".join([current, head, *rest]), "external"
        bound = found.bindings(head)
        if not bound:
            if f"{current}.{head}" in facts and rest:
                current, head, rest = f"{current}.{head}", rest[0], rest[1:]
                continue
            return None
        statement = bound[0]
        qualname = ".".join([current, head, *rest])
        if statement.kind in ("function", "class"):
            return qualname, statement.kind if not rest else "attribute"
        imported = found.imported(statement.index, head)
        if imported is None:
            return qualname, statement.kind
        if imported.name is None:
            if not rest:
                return imported.module, "module"
            current, head, rest = imported.module, rest[0], rest[1:]
        else:
            current, head = imported.module, imported.name
    return None

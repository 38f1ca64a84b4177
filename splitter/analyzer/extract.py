"""Reduce one source file to its facts: definitions, imports, calls, bindings and data access.

The standard library's `ast` does the parsing because it is an order of magnitude faster than
a concrete syntax tree; code that Python 3.11's `ast` rejects but newer Pythons accept is first
rewritten by `splitter.analyzer.modernize` (libcst), so valid code is never skipped.
"""

from __future__ import annotations

import ast
import builtins
import warnings
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from splitter.analyzer.facts import (
    Binding,
    CallSite,
    Definition,
    FileFacts,
    FileProblem,
    Import,
    Param,
    Ref,
    StateAccess,
    TableAccess,
)
from splitter.analyzer.sql import looks_like_sql, tables_in_sql

BUILTIN_NAMES = frozenset(dir(builtins))
DECLARATION_DECORATORS = frozenset({"property", "staticmethod", "classmethod"})
_ACCESSOR_DECORATORS = frozenset({"setter", "getter", "deleter"})
_EXECUTE_NAMES = frozenset(
    {"execute", "executemany", "executescript", "text", "raw", "read_sql", "read_sql_query"}
)
_PARSER_LIMITS = ("too many nested", "too many levels of indentation", "too many statically")
_ENVIRONMENT_READERS = ("environ.get", "getenv", "environ.setdefault", "environ.pop")
_ENVIRONMENT_LAST_NAMES = frozenset({"get", "setdefault", "pop"})
"""The last names of `_ENVIRONMENT_READERS` but "getenv": a call whose dotted name ends in
none of them, or in "getenv", is no reader, found without spelling the whole name."""
_TRANSACTION_WORDS = ("transaction", "atomic", "transactional")
_TRANSACTION_CONTEXTS = ("conn", "connection", "db", "atomic", "begin", "transaction", "session")
_CONTAINER_ANNOTATIONS = frozenset(
    {
        "list", "List", "Sequence", "MutableSequence", "Iterable", "Iterator", "Collection",
        "set", "Set", "frozenset", "FrozenSet", "AbstractSet", "MutableSet", "tuple", "Tuple",
        "deque", "Deque", "Generator",
    }
)  # fmt: skip
_MAPPING_ANNOTATIONS = frozenset(
    {"dict", "Dict", "Mapping", "MutableMapping", "DefaultDict", "defaultdict", "OrderedDict"}
)
_WRAPPING_ANNOTATIONS = frozenset({"Optional", "Annotated", "ClassVar", "Final", "Required"})


def extract_facts(
    text: str, *, path: str, module: str, is_package: bool, sha256: str
) -> FileFacts | FileProblem:
    """Parse one decoded source file and return its facts, or the problem that stops it.

    Args:
        text: the decoded source.
        path: the file's path as it is reported (relative to the analyzed root).
        module: the module name Python would import the file under.
        is_package: whether the file is a package's `__init__.py`.
        sha256: the content hash, kept with the facts for the cache.

    Returns:
        The file's facts, or a `FileProblem` (kind "syntax" or "too-deep") that names the line.
        It never raises for bad source.
    """
    tree = _parse(text, path)
    if isinstance(tree, FileProblem):
        return tree
    collector = _Collector(module=module, is_package=is_package)
    try:
        collector.visit_module(tree)
    except RecursionError:
        return FileProblem(path, 1, "too-deep", "nesting too deep to analyze")
    return collector.facts(path=path, sha256=sha256, lines=text.count("\n") + 1)


def _parse(text: str, path: str) -> ast.Module | FileProblem:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escapes and the like: the code's business
            return ast.parse(text, filename=path)
    except SyntaxError as error:
        if any(limit in error.msg for limit in _PARSER_LIMITS):
            return _syntax_problem(path, error)  # newer Pythons have the same limits
        from splitter.analyzer import modernize  # libcst: imported only when it is needed

        rewritten = modernize.rewrite_newer_syntax(text)
        if rewritten is not None:
            try:
                return ast.parse(rewritten, filename=path)
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                pass
        return _syntax_problem(path, error)
    except ValueError as error:  # null bytes and the like
        return FileProblem(path, 1, "syntax", str(error) or "invalid source")
    except (RecursionError, MemoryError) as error:
        return FileProblem(path, 1, "too-deep", str(error) or type(error).__name__)


def _syntax_problem(path: str, error: SyntaxError) -> FileProblem:
    reason = error.msg
    if "Missing parentheses in call to" in reason or "print" in (error.text or "")[:6]:
        reason += " (Python 2 code?)"
    line = error.lineno or 1
    if "too many nested" in reason:
        return FileProblem(path, line, "too-deep", reason)
    return FileProblem(path, line, "syntax", reason)


@dataclass
class _Scope:
    qualname: str
    kind: str
    class_name: str = ""
    lambdas: int = 0
    loaded: dict[str, int] = field(default_factory=dict)
    globals: set[str] = field(default_factory=set)
    node: ast.FunctionDef | ast.AsyncFunctionDef | None = None
    depth: int = 0
    versions: dict[str, int] = field(default_factory=dict)
    name_use: _NameUse | None = None

    def only_straight_line(self, name: str) -> bool:
        """Whether this function assigns `name` only by plain statements of its body, and no
        nested function reads it (it would see whatever value it has when called)."""
        if self.name_use is None:
            assert self.node is not None
            self.name_use = _name_use(self.node)
        return self.name_use.only_straight_line(name)


class _Collector:
    """Walks a module once, keeping only facts; one instance per file."""

    def __init__(self, *, module: str, is_package: bool) -> None:
        self.module = module
        self.is_package = is_package
        self.scopes: list[_Scope] = []
        self.scope = _Scope(module, "module")
        """The innermost scope, `scopes[-1]` once the module is entered; kept as an attribute
        because it is read for nearly every node."""
        self.definitions: list[Definition] = []
        self.imports: list[Import] = []
        self.calls: list[CallSite] = []
        self.bindings: list[Binding] = []
        self.returns: list[Binding] = []
        self.loops: list[Binding] = []
        self.withs: list[Binding] = []
        self.attribute_loads: list[CallSite] = []
        self.tables: list[TableAccess] = []
        self.state: list[StateAccess] = []
        self.declared_globals: list[tuple[str, str]] = []
        self.declared_nonlocals: list[tuple[str, str]] = []
        self.renames: dict[str, str] = {}
        self.model_tables: list[tuple[str, str]] = []
        self.transactional_scopes: list[str] = []
        self.environment: list[tuple[str, str, int]] = []
        self.dunder_all: tuple[str, ...] | None = None
        self.has_main_block = False
        self.lambda_names: dict[int, str] = {}
        self.site_numbers: dict[int, int] = {}
        self.ref_cache: dict[int, Ref | None] = {}
        self.transaction_depth = 0
        self.docstrings: set[int] = set()
        self.sql_args: set[int] = set()

    # ----------------------------------------------------------------- results

    def facts(self, *, path: str, sha256: str, lines: int) -> FileFacts:
        return FileFacts(
            path=path,
            module=self.module,
            is_package=self.is_package,
            sha256=sha256,
            lines=lines,
            definitions=tuple(self.definitions),
            imports=tuple(self.imports),
            calls=tuple(self.calls),
            bindings=tuple(self.bindings),
            returns=tuple(self.returns),
            loops=tuple(self.loops),
            withs=tuple(self.withs),
            attribute_loads=tuple(self.attribute_loads),
            tables=tuple(self.tables),
            state=tuple(self.state),
            declared_globals=tuple(self.declared_globals),
            declared_nonlocals=tuple(self.declared_nonlocals),
            model_tables=tuple(self.model_tables),
            transactional_scopes=tuple(self.transactional_scopes),
            environment=tuple(self.environment),
            dunder_all=self.dunder_all,
            has_main_block=self.has_main_block,
        )

    # ------------------------------------------------------------------ scopes

    def _enter(self, qualname: str, kind: str, class_name: str = "") -> _Scope:
        scope = _Scope(qualname, kind, class_name)
        self.scopes.append(scope)
        self.scope = scope
        return scope

    def _leave(self) -> None:
        scope = self.scopes.pop()
        if self.scopes:
            self.scope = self.scopes[-1]
        for name, line in scope.loaded.items():
            self.state.append(
                StateAccess(scope.qualname, ("name", scope.qualname, name), "read", line)
            )

    def _child_name(self, name: str) -> str:
        return f"{self.scope.qualname}.{name}"

    def visit_module(self, tree: ast.Module) -> None:
        self._enter(self.module, "module")
        end = _end_line(tree)
        self.definitions.append(
            Definition(self.module, "module", "", 1, end, docstring=_docstring(tree))
        )
        self._body(tree.body)
        self._leave()

    # -------------------------------------------------------------- statements

    def _body(self, statements: Iterable[ast.stmt]) -> None:
        for statement in statements:
            kind = type(statement)
            handler = _STATEMENT_HANDLERS.get(kind, _Collector._generic)
            if kind in _BLOCKS:
                scope = self.scope
                scope.depth += 1
                handler(self, statement)
                scope.depth -= 1
            else:
                handler(self, statement)

    def _statement(self, node: ast.stmt) -> None:
        self._body((node,))

    def _generic(self, node: ast.AST) -> None:
        for child in _child_nodes(node):
            if isinstance(child, ast.stmt):
                self._statement(child)
            elif isinstance(child, ast.expr):
                self._expr(child)
            else:
                self._generic(child)

    def _stmt_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        qualname = self._child_name(node.name)
        parent = self.scope
        decorator_list = node.decorator_list
        for decorator in decorator_list:
            self._expr(decorator)
        self._arguments_in_parent(node.args)
        if node.returns is not None:
            self._annotation_calls(node.returns)
        decorators: tuple[str, ...] = ()
        decorator_names: tuple[str, ...] = ()
        if decorator_list:
            decorators = tuple([_source(d) for d in decorator_list])
            decorator_names = tuple([_dotted(d) for d in decorator_list])
            self._apply_decorators(decorator_list, qualname, node.lineno)
        params = self._params(node.args)
        self.definitions.append(
            Definition(
                qualname,
                "function",
                parent.qualname,
                node.lineno,
                _end_line(node),
                decorators=decorators,
                decorator_names=decorator_names,
                params=params,
                returns=annotation_ref(node.returns, parent.qualname),
                is_async=isinstance(node, ast.AsyncFunctionDef),
                docstring=_docstring(node),
            )
        )
        if decorator_names and any(
            word in name.lower() for name in decorator_names for word in _TRANSACTION_WORDS
        ):
            self.transactional_scopes.append(qualname)
        defaults = self._default_refs(node.args)
        self._enter(qualname, "function").node = node
        self._bind_self(parent, qualname, params, decorator_names)
        for name, value, line in defaults:
            self._bind_name(name, value, line)
        saved_depth, self.transaction_depth = self.transaction_depth, 0
        saved_renames, self.renames = self.renames, {}
        self._body(node.body)
        self.transaction_depth = saved_depth
        self.renames = saved_renames
        self._leave()

    _stmt_AsyncFunctionDef = _stmt_FunctionDef

    def _stmt_ClassDef(self, node: ast.ClassDef) -> None:
        qualname = self._child_name(node.name)
        parent = self.scope
        for expression in [*node.decorator_list, *node.bases, *(k.value for k in node.keywords)]:
            self._expr(expression)
        self._apply_decorators(node.decorator_list, qualname, node.lineno)
        bases = tuple(ref for ref in (self.ref(b) for b in node.bases) if ref is not None)
        self.definitions.append(
            Definition(
                qualname,
                "class",
                parent.qualname,
                node.lineno,
                _end_line(node),
                decorator_names=tuple(_dotted(d) for d in node.decorator_list),
                bases=bases,
                docstring=_docstring(node),
            )
        )
        self._enter(qualname, "class", class_name=qualname)
        self._body(node.body)
        self._collect_table_name(qualname, node)
        self._leave()

    def _stmt_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.asname:
                self._import(alias.asname, alias.name, "module", node.lineno)
            else:
                top = alias.name.partition(".")[0]
                self._import(top, top, "module", node.lineno)
                if top != alias.name:
                    self._import("", alias.name, "module", node.lineno)

    def _stmt_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = self._absolute_module(node.module or "", node.level)
        if base is None:
            return
        for alias in node.names:
            if alias.name == "*":
                self._import("*", base, "star", node.lineno)
            else:
                target = f"{base}.{alias.name}" if base else alias.name
                self._import(alias.asname or alias.name, target, "from", node.lineno)

    def _import(self, name: str, target: str, kind: str, line: int) -> None:
        self.imports.append(Import(self.scope.qualname, name, target, kind, line))  # type: ignore[arg-type]

    def _absolute_module(self, module: str, level: int) -> str | None:
        if level == 0:
            return module
        parts = self.module.split(".")
        if not self.is_package:
            parts = parts[:-1]
        if level - 1 > len(parts):
            return None
        parts = parts[: len(parts) - (level - 1)]
        if module:
            parts.append(module)
        return ".".join(parts)

    def _stmt_Assign(self, node: ast.Assign) -> None:
        self._expr(node.value)
        value = self.ref(node.value)
        for target in node.targets:
            self._assign(target, value, node.value, node.lineno)
        if (
            self.scope.kind == "module"
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id == "__all__"
        ):
            self.dunder_all = _string_list(node.value)

    def _stmt_AnnAssign(self, node: ast.AnnAssign) -> None:
        self._annotation_calls(node.annotation)
        annotation = annotation_ref(node.annotation, self.scope.qualname)
        if node.value is not None:
            self._expr(node.value)
            self._assign(node.target, self.ref(node.value), node.value, node.lineno)
        if annotation is not None:
            self._assign(node.target, annotation, None, node.lineno)
        elif node.value is None:
            self._target_expressions(node.target)

    def _stmt_AugAssign(self, node: ast.AugAssign) -> None:
        self._expr(node.value)
        self._assign(node.target, self.ref(node.value), node.value, node.lineno)

    def _stmt_Return(self, node: ast.Return) -> None:
        if node.value is None:
            return
        self._expr(node.value)
        value = self.ref(node.value)
        if value is not None:
            scope = self.scope.qualname
            self.returns.append(Binding(scope, ("def", scope), value, node.lineno))

    def _stmt_For(self, node: ast.For | ast.AsyncFor) -> None:
        self._expr(node.iter)
        iterable = self.ref(node.iter)
        if iterable is not None:
            target = self._target_ref(node.target)
            self.loops.append(
                Binding(self.scope.qualname, target or ("none",), iterable, node.lineno)
            )
        self._assign(node.target, ("item", iterable) if iterable else None, None, node.lineno)
        self._body(node.body)
        self._body(node.orelse)

    _stmt_AsyncFor = _stmt_For

    def _stmt_With(self, node: ast.With | ast.AsyncWith) -> None:
        transactional = False
        for item in node.items:
            self._expr(item.context_expr)
            context = self.ref(item.context_expr)
            if _is_transaction_context(item.context_expr):
                transactional = True
            if context is None:
                continue
            target = self._target_ref(item.optional_vars) if item.optional_vars else None
            self.withs.append(
                Binding(self.scope.qualname, target or ("none",), context, node.lineno)
            )
            if item.optional_vars is not None:
                self._assign(item.optional_vars, None, None, node.lineno)
        self.transaction_depth += transactional
        self._body(node.body)
        self.transaction_depth -= transactional

    _stmt_AsyncWith = _stmt_With

    def _stmt_Global(self, node: ast.Global | ast.Nonlocal) -> None:
        if isinstance(node, ast.Global):
            self.declared_globals.extend((self.scope.qualname, name) for name in node.names)
            self.scope.globals.update(node.names)
        else:
            self.declared_nonlocals.extend((self.scope.qualname, name) for name in node.names)

    _stmt_Nonlocal = _stmt_Global

    def _stmt_If(self, node: ast.If) -> None:
        if self.scope.kind == "module" and _is_main_guard(node.test):
            self.has_main_block = True
        self._expr(node.test)
        self._body(node.body)
        self._body(node.orelse)

    def _stmt_While(self, node: ast.While) -> None:
        self._expr(node.test)
        self._body(node.body)
        self._body(node.orelse)

    def _stmt_Raise(self, node: ast.Raise) -> None:
        if node.exc is not None:
            self._expr(node.exc)
        if node.cause is not None:
            self._expr(node.cause)

    def _stmt_Pass(self, node: ast.Pass | ast.Break | ast.Continue) -> None:
        """Nothing to record."""

    _stmt_Break = _stmt_Continue = _stmt_Pass

    def _stmt_Try(self, node: ast.Try) -> None:
        self._body(node.body)
        for handler in node.handlers:
            if handler.type is not None:
                self._expr(handler.type)
                if handler.name:
                    exception = self.ref(handler.type)
                    if exception is not None:
                        self._bind_name(handler.name, ("annotation", exception), handler.lineno)
            self._body(handler.body)
        self._body(node.orelse)
        self._body(node.finalbody)

    _stmt_TryStar = _stmt_Try

    def _stmt_Expr(self, node: ast.Expr) -> None:
        if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            return  # a docstring or a bare string: prose, not SQL
        self._expr(node.value)

    # ------------------------------------------------------------- assignment

    def _assign(
        self, target: ast.expr, value: Ref | None, node: ast.expr | None, line: int
    ) -> None:
        if isinstance(target, ast.Starred):
            target = target.value
        if type(target) is ast.Name:
            # the commonest target: what the general case below does for a name, directly
            name = target.id
            self._new_version(name)
            scope = self.scope
            bound = ("name", scope.qualname, self.renames.get(name, name))
            self.bindings.append(Binding(scope.qualname, bound, value or ("none",), line))
            if name in scope.globals:
                self.state.append(StateAccess(scope.qualname, bound, "write", line))
            return
        if isinstance(target, ast.Tuple | ast.List):
            elements = node.elts if isinstance(node, ast.Tuple | ast.List) else None
            for index, element in enumerate(target.elts):
                if elements is not None and len(elements) == len(target.elts):
                    self._assign(element, self.ref(elements[index]), elements[index], line)
                else:
                    self._assign(element, ("item", value) if value else None, None, line)
            return
        self._target_expressions(target)
        if isinstance(target, ast.Name):
            self._new_version(target.id)
        target_ref = self._target_ref(target)
        if target_ref is not None and (value is not None or isinstance(target, ast.Name)):
            # a name bound to an unknown value is still bound here: it shadows outer names
            self.bindings.append(Binding(self.scope.qualname, target_ref, value or ("none",), line))
        if isinstance(target, ast.Attribute | ast.Subscript) and target_ref is not None:
            self.state.append(StateAccess(self.scope.qualname, target_ref, "write", line))
        elif isinstance(target, ast.Name) and target.id in self.scope.globals:
            self.state.append(StateAccess(self.scope.qualname, target_ref or (), "write", line))

    def _new_version(self, name: str) -> None:
        """A straight-line reassignment in a function starts a new variable, so a later call
        sees only the last value (`f = a; f = b; f()` calls only `b`)."""
        scope = self.scope
        if scope.node is None or scope.depth != 0 or "<" in self.renames.get(name, ""):
            return
        version = scope.versions.get(name)
        if version is None:
            scope.versions[name] = 1
        elif version == 1 and not scope.only_straight_line(name):
            scope.versions[name] = 0
        elif version:
            scope.versions[name] = version + 1
            self.renames[name] = f"{name}#{version + 1}"

    def _bind_name(self, name: str, value: Ref, line: int) -> None:
        scope = self.scope.qualname
        self.bindings.append(Binding(scope, ("name", scope, name), value, line))

    def _target_ref(self, target: ast.expr) -> Ref | None:
        if isinstance(target, ast.Name):
            return ("name", self.scope.qualname, self.renames.get(target.id, target.id))
        if isinstance(target, ast.Attribute):
            base = self.ref(target.value)
            return ("attr", base, target.attr) if base is not None else None
        if isinstance(target, ast.Subscript):
            base = self.ref(target.value)
            return ("item", base) if base is not None else None
        return None

    def _target_expressions(self, target: ast.expr) -> None:
        """Visit the expressions inside a target (`a[f()] = x` calls `f`)."""
        if isinstance(target, ast.Attribute):
            self._expr(target.value)
        elif isinstance(target, ast.Subscript):
            self._expr(target.value)
            self._expr(target.slice)

    # ------------------------------------------------------------- functions

    def _arguments_in_parent(self, args: ast.arguments) -> None:
        for default in args.defaults:
            self._expr(default)
        for keyword_default in args.kw_defaults:
            if keyword_default is not None:
                self._expr(keyword_default)
        for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]:
            if arg is not None and arg.annotation is not None:
                self._annotation_calls(arg.annotation)

    def _params(self, args: ast.arguments) -> tuple[Param, ...]:
        scope = self.scope.qualname
        positional = [*args.posonlyargs, *args.args]
        first_default = len(positional) - len(args.defaults)
        params = [
            Param(
                a.arg,
                "positional",
                None if a.annotation is None else annotation_ref(a.annotation, scope),
                i >= first_default,
            )
            for i, a in enumerate(positional)
        ]
        if args.vararg is not None:
            params.append(Param(args.vararg.arg, "vararg"))
        params.extend(
            Param(a.arg, "keyword", annotation_ref(a.annotation, scope), d is not None)
            for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True)
        )
        if args.kwarg is not None:
            params.append(Param(args.kwarg.arg, "varkw"))
        return tuple(params)

    def _bind_self(
        self, parent: _Scope, qualname: str, params: tuple[Param, ...], decorators: tuple[str, ...]
    ) -> None:
        if parent.kind != "class" or not params or params[0].kind != "positional":
            return
        if "staticmethod" in decorators:
            return
        kind = "class" if "classmethod" in decorators or params[0].name == "cls" else "instance"
        self._bind_name(params[0].name, ("self", parent.class_name, kind), 0)

    def _default_refs(self, args: ast.arguments) -> list[tuple[str, Ref, int]]:
        """Default values that may be functions or objects, read in the defining scope."""
        if not args.defaults and not args.kw_defaults:
            return []
        positional = [*args.posonlyargs, *args.args]
        pairs = list(
            zip(positional[len(positional) - len(args.defaults) :], args.defaults, strict=True)
        )
        pairs += [
            (a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is not None
        ]
        refs = ((arg.arg, self.ref(default), default.lineno) for arg, default in pairs)
        return [(name, ref, line) for name, ref, line in refs if ref and ref[0] != "const"]

    def _apply_decorators(self, decorators: list[ast.expr], qualname: str, line: int) -> None:
        for decorator in reversed(decorators):
            name = _dotted(decorator)
            last = name.rpartition(".")[2]
            if name in DECLARATION_DECORATORS or last in _ACCESSOR_DECORATORS:
                continue
            function = self.ref(decorator)
            if function is not None:
                call = ("call", function, (("def", qualname),), ())
                self.calls.append(CallSite(self.scope.qualname, call, decorator.lineno))

    def _annotation_calls(self, annotation: ast.expr) -> None:
        stack: list[ast.AST] = [annotation]
        while stack:
            node = stack.pop()
            if type(node) is ast.Call:
                self._expr(annotation)
                return
            stack.extend(_child_nodes(node))

    # ----------------------------------------------------------- expressions

    def _expr(self, node: ast.expr) -> None:
        """Record what evaluating `node` in the current scope does: calls, loads, SQL.

        This loop meets nearly every expression node of the code base, so the commonest kinds
        come first and are handled in place. Children go on the stack last first, so they are
        visited in their order in the source.
        """
        stack: list[Any] = [node]
        pop, push, extend = stack.pop, stack.append, stack.extend
        while stack:
            current = pop()
            kind = type(current)
            if kind is ast.Name:
                if type(current.ctx) is ast.Load and current.id not in self.renames:
                    self.scope.loaded.setdefault(current.id, current.lineno)
            elif kind is ast.Constant:
                if isinstance(current.value, str):
                    self._string(current, current.value)
            elif kind is ast.Attribute:
                if type(current.ctx) is ast.Load:
                    ref = self.ref(current)
                    if ref is not None:
                        load = CallSite(self.scope.qualname, ref, current.lineno)
                        self.attribute_loads.append(load)
                push(current.value)
            elif kind is ast.Call:
                self._call(current)
                # a called attribute is not also an attribute load: only its object is visited
                extend([keyword.value for keyword in reversed(current.keywords)])
                extend(reversed(current.args))
                func = current.func
                push(func.value if type(func) is ast.Attribute else func)
            elif kind is ast.BinOp:
                if _is_string_sum(current):
                    self._string(current, _string_value(current))
                    extend(_string_operands(current))
                else:
                    self._operator(current)
                    push(current.right)
                    push(current.left)
            elif kind is ast.Compare:
                extend(reversed(current.comparators))
                push(current.left)
            elif kind is ast.Subscript:
                if _last_name(current.value).endswith("environ"):
                    self._environment(current.slice)
                push(current.slice)
                push(current.value)
            elif kind is ast.Tuple or kind is ast.List:
                extend(reversed(current.elts))
            elif kind is ast.JoinedStr:
                self._string(current, _string_value(current))
                extend(_string_operands(current))
            elif kind is ast.Lambda:
                self._lambda(current)
            elif kind in _COMPREHENSIONS:
                self._comprehension(current)
            elif kind is ast.NamedExpr:
                self._assign(current.target, self.ref(current.value), current.value, current.lineno)
                push(current.value)
            else:
                children = _CHILDREN.get(kind)
                extend(
                    reversed(children(current) if children is not None else _child_nodes(current))
                )

    def _call(self, node: ast.Call) -> None:
        call = self.ref(node)
        if call is not None:
            self.calls.append(CallSite(self.scope.qualname, call, node.lineno))
        args = node.args
        if not args:
            return
        func = node.func
        if type(func) is ast.Attribute:
            last = func.attr
            if last in _EXECUTE_NAMES:
                self.sql_args.add(id(args[0]))
        else:
            last = _last_name(func)
        if (last in _ENVIRONMENT_LAST_NAMES or last.endswith("getenv")) and _dotted(func).endswith(
            _ENVIRONMENT_READERS
        ):
            self._environment(args[0])

    def _environment(self, name: ast.expr) -> None:
        if isinstance(name, ast.Constant) and isinstance(name.value, str):
            self.environment.append((self.scope.qualname, name.value, name.lineno))

    def _operator(self, node: ast.BinOp) -> None:
        """`a + b` may call `a.__add__(b)`; recorded as such, silent when `a` is no object."""
        call = self.ref(node)
        if call is not None and not isinstance(node.left, ast.Constant):
            self.calls.append(CallSite(self.scope.qualname, call, node.lineno))

    def _lambda(self, node: ast.Lambda) -> None:
        qualname = self._lambda_name(node, self.scope)
        for default in [*node.args.defaults, *(d for d in node.args.kw_defaults if d)]:
            self._expr(default)
        params = self._params(node.args)
        self.definitions.append(
            Definition(
                qualname, "lambda", self.scope.qualname, node.lineno, _end_line(node), params=params
            )
        )
        self._enter(qualname, "lambda")
        self._expr(node.body)
        body = self.ref(node.body)
        if body is not None:
            self.returns.append(Binding(qualname, ("def", qualname), body, node.lineno))
        self._leave()

    def _lambda_name(self, node: ast.Lambda, scope: _Scope) -> str:
        name = self.lambda_names.get(id(node))
        if name is None:
            scope.lambdas += 1
            name = f"{scope.qualname}.<lambda{scope.lambdas}>"
            self.lambda_names[id(node)] = name
        return name

    def _comprehension(
        self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp
    ) -> None:
        """A comprehension's variables are its own: renamed so they shadow nothing outside."""
        saved = dict(self.renames)
        for generator in node.generators:
            self._expr(generator.iter)
            iterable = self.ref(generator.iter)
            self.renames.update(_comprehension_names(node, self._site_number(node), generator))
            if iterable is not None:
                target = self._target_ref(generator.target) or ("none",)
                self.loops.append(Binding(self.scope.qualname, target, iterable, node.lineno))
            self._assign(generator.target, ("item", iterable) if iterable else None, None, 0)
            for condition in generator.ifs:
                self._expr(condition)
        parts = [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
        for part in parts:
            self._expr(part)
        self.renames = saved

    def _string(self, node: ast.expr, text: str | None) -> None:
        """Record the tables named by `text`, the value of `node` (`_string_value`)."""
        if text is None or not looks_like_sql(text, any_case=id(node) in self.sql_args):
            return
        scope = self.scope.qualname
        in_transaction = self.transaction_depth > 0
        for table, mode in tables_in_sql(text):
            self.tables.append(TableAccess(scope, table, mode, node.lineno, "sql", in_transaction))

    def _collect_table_name(self, qualname: str, node: ast.ClassDef) -> None:
        for statement in node.body:
            if isinstance(statement, ast.Assign | ast.AnnAssign):
                targets = (
                    statement.targets if isinstance(statement, ast.Assign) else [statement.target]
                )
                names = [t.id for t in targets if isinstance(t, ast.Name)]
                value = statement.value
                if "__tablename__" in names and isinstance(value, ast.Constant):
                    self.model_tables.append((qualname, str(value.value)))
            elif isinstance(statement, ast.ClassDef) and statement.name == "Meta":
                for item in statement.body:
                    if not isinstance(item, ast.Assign) or not isinstance(item.value, ast.Constant):
                        continue
                    settings = {t.id for t in item.targets if isinstance(t, ast.Name)}
                    if "db_table" in settings:
                        self.model_tables.append((qualname, str(item.value.value)))
                    elif "abstract" in settings and item.value.value is True:
                        self.model_tables.append((qualname, ""))  # abstract: no table

    # ------------------------------------------------------------- references

    def ref(self, node: ast.expr | None) -> Ref | None:
        """Describe how the value of `node` is obtained, or None when nothing can be said."""
        if node is None:
            return None
        kind = type(node)
        if kind is ast.Name:
            name = node.id  # type: ignore[attr-defined]
            return ("name", self.scope.qualname, self.renames.get(name, name))
        if kind in _CACHED_REFS:
            key = id(node)
            ref = self.ref_cache.get(key, _NOT_CACHED)
            if ref is _NOT_CACHED:
                ref = self.ref_cache[key] = self._ref(node, kind)
            return ref
        return self._ref(node, kind)

    def _ref(self, node: ast.expr, kind: type) -> Ref | None:
        if kind is ast.Attribute:
            base = self.ref(node.value)  # type: ignore[attr-defined]
            return ("attr", base, node.attr) if base is not None else None  # type: ignore[attr-defined]
        if kind is ast.Call:
            return self._call_ref(node)  # type: ignore[arg-type]
        if kind is ast.Constant:
            value = node.value  # type: ignore[attr-defined]
            return None if value is None or value is ... else ("const", type(value).__name__)
        if kind in _LITERALS:
            return ("const", _LITERALS[kind])
        if kind is ast.Subscript:
            base = self.ref(node.value)  # type: ignore[attr-defined]
            return ("item", base) if base is not None else None
        if kind in (ast.List, ast.Tuple, ast.Set):
            elements = (self.ref(e) for e in node.elts)  # type: ignore[attr-defined]
            return self._container(node, elements)
        if kind is ast.Dict:
            values = (self.ref(v) for v in node.values)  # type: ignore[attr-defined]
            return self._container(node, values)
        if kind is ast.Lambda:
            return ("def", self._lambda_name(node, self.scope))  # type: ignore[arg-type]
        if kind is ast.BinOp:
            return self._operator_ref(node)  # type: ignore[arg-type]
        return self._compound_ref(node)

    def _compound_ref(self, node: ast.expr) -> Ref | None:
        if isinstance(node, ast.IfExp):
            parts = [node.body, node.orelse]
        elif isinstance(node, ast.BoolOp):
            parts = list(node.values)
        elif isinstance(node, ast.NamedExpr | ast.Await | ast.Starred):
            return self.ref(node.value)
        elif isinstance(node, ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp):
            # the element is read with the comprehension's own names, as when it is visited
            saved = dict(self.renames)
            self.renames.update(_comprehension_names(node, self._site_number(node)))
            element = node.value if isinstance(node, ast.DictComp) else node.elt
            container = self._container(node, [self.ref(element)])
            self.renames = saved
            return container
        else:
            return None
        refs = tuple(r for r in (self.ref(p) for p in parts) if r)
        return ("either", refs) if refs else None

    def _operator_ref(self, node: ast.BinOp) -> Ref | None:
        left = self.ref(node.left)
        dunder = _OPERATOR_METHODS.get(type(node.op))
        if left is None or dunder is None or left[0] == "const":
            return None
        right = self.ref(node.right) or ("none",)
        return ("call", ("attr", left, dunder), (right,), (), "operator")

    def _container(self, node: ast.expr, elements: Iterable[Ref | None]) -> Ref:
        """A literal container; the site makes it distinct from every other literal."""
        site = f"{self.scope.qualname}:{self._site_number(node)}"
        return ("container", tuple(e for e in elements if e is not None), site)

    def _site_number(self, node: ast.expr) -> int:
        """The number of a container or comprehension, counted in the order they are met.

        It names them where their line and column would do, so that facts carry no position
        but in their `line` fields: an edit that only moves code (a comment or a blank line
        above it) leaves the facts' digest, and so the resolved analysis, as they were.
        """
        number = self.site_numbers.get(id(node))
        if number is None:
            number = self.site_numbers[id(node)] = len(self.site_numbers) + 1
        return number

    def _call_ref(self, node: ast.Call) -> Ref | None:
        func = node.func
        if isinstance(func, ast.Name) and func.id == "super" and len(node.args) in (0, 2):
            return self._super_ref()
        function = self.ref(func)
        if function is None:
            return None
        args = tuple([self.ref(a) or ("none",) for a in node.args])
        kwargs = tuple([(k.arg or "**", self.ref(k.value) or ("none",)) for k in node.keywords])
        return ("call", function, args, kwargs)

    def _super_ref(self) -> Ref | None:
        for scope in reversed(self.scopes[:-1]):
            if scope.kind == "class":
                return ("super", scope.class_name, self.scope.qualname)
        return None


_STATEMENT_HANDLERS: dict[type, Callable[[_Collector, Any], None]] = {
    getattr(ast, name.removeprefix("_stmt_")): getattr(_Collector, name)
    for name in dir(_Collector)
    if name.startswith("_stmt_") and hasattr(ast, name.removeprefix("_stmt_"))
}
"""The `_stmt_<Node>` method for each kind of statement that has one."""
_OPERATOR_METHODS: dict[type, str] = {
    ast.Add: "__add__", ast.Sub: "__sub__", ast.Mult: "__mul__", ast.MatMult: "__matmul__",
    ast.Div: "__truediv__", ast.FloorDiv: "__floordiv__", ast.Mod: "__mod__",
    ast.Pow: "__pow__", ast.LShift: "__lshift__", ast.RShift: "__rshift__",
    ast.BitOr: "__or__", ast.BitXor: "__xor__", ast.BitAnd: "__and__",
}  # fmt: skip
_CACHED_REFS = frozenset({ast.Call, ast.Attribute, ast.Subscript})
_NOT_CACHED: Ref = ("not cached",)
"""Told apart by identity from any reference in `_Collector.ref_cache`, where None is one."""
_CHILDREN: dict[type, Callable[[Any], list[Any]]] = {
    ast.UnaryOp: lambda n: [n.operand],
    ast.BoolOp: lambda n: n.values,
    ast.Set: lambda n: n.elts,
    ast.Dict: lambda n: [k for k in n.keys if k is not None] + n.values,
    ast.Starred: lambda n: [n.value],
    ast.IfExp: lambda n: [n.test, n.body, n.orelse],
    ast.Await: lambda n: [n.value],
    ast.Slice: lambda n: [p for p in (n.lower, n.upper, n.step) if p is not None],
    ast.FormattedValue: lambda n: [n.value],
}
"""The sub-expressions of common nodes that `_Collector._expr` does not handle in place, found
faster than by `_child_nodes`."""
_BLOCKS = frozenset(
    {ast.If, ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith, ast.Try, ast.TryStar,
     ast.Match}
)  # fmt: skip


@dataclass(frozen=True)
class _NameUse:
    """How a function's body uses its names, found in one walk that answers for every name."""

    top_level: Counter[str]
    """Assignments to each name by plain `name = ...` statements of the body itself."""
    stores: Counter[str]
    """Every binding of each name in the body, nested scopes left out."""
    fixed: frozenset[str]
    """Names a nested scope mentions, or a `global` or `nonlocal` declares."""

    def only_straight_line(self, name: str) -> bool:
        return name not in self.fixed and self.stores[name] == self.top_level[name]


def _name_use(function: ast.FunctionDef | ast.AsyncFunctionDef) -> _NameUse:
    top_level = Counter(
        target.id
        for statement in function.body
        if isinstance(statement, ast.Assign)
        for target in statement.targets
        if isinstance(target, ast.Name)
    )
    stores: Counter[str] = Counter()
    fixed: set[str] = set()
    stack: list[ast.AST] = list(function.body)
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind is ast.Name:
            if type(node.ctx) is not ast.Load:  # type: ignore[attr-defined]
                stores[node.id] += 1  # type: ignore[attr-defined]
        elif kind in _NESTED_SCOPES:
            fixed.update(_names_in(node))
        elif kind is ast.Global or kind is ast.Nonlocal:
            fixed.update(node.names)  # type: ignore[attr-defined]
        else:
            stack.extend(_child_nodes(node))
    return _NameUse(top_level, stores, frozenset(fixed))


_NESTED_SCOPES = frozenset({ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef})


def _names_in(node: ast.AST) -> list[str]:
    """The identifiers of the `Name` nodes in `node`, in no particular order."""
    names: list[str] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if type(current) is ast.Name:
            names.append(current.id)
        else:
            stack.extend(_child_nodes(current))
    return names


def _child_nodes(node: ast.AST) -> list[ast.AST]:
    """The children of `node` in the order of `ast.iter_child_nodes`, several times faster.

    Expression contexts and operators are left out: they are leaves that no visit reads.
    """
    kind = type(node)
    fields = _NODE_FIELDS.get(kind)
    if fields is None:
        fields = _NODE_FIELDS[kind] = _node_fields(kind)
    children: list[ast.AST] = []
    for name in fields:
        value = getattr(node, name, None)
        if type(value) is list:
            children.extend([item for item in value if isinstance(item, ast.AST)])
        elif isinstance(value, ast.AST):
            children.append(value)
    return children


_LEAF_FIELDS = frozenset(
    {"ctx", "op", "ops", "id", "attr", "arg", "name", "asname", "module", "level", "kind",
     "conversion", "is_async", "type_comment", "rest", "kwd_attrs"}
)  # fmt: skip
"""Fields that hold no node, or only an expression context or an operator."""


def _node_fields(kind: type) -> tuple[str, ...]:
    """The fields of a node class that may hold child nodes worth visiting."""
    fields: tuple[str, ...] = getattr(kind, "_fields", ())
    leaves = _LEAF_FIELDS | {"value"} if issubclass(kind, ast.Constant) else _LEAF_FIELDS
    return tuple(name for name in fields if name not in leaves)


_NODE_FIELDS: dict[type, tuple[str, ...]] = {}
"""`_node_fields` of each node class met so far."""


def _comprehension_names(
    node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp,
    number: int,
    generator: ast.comprehension | None = None,
) -> dict[str, str]:
    """The names a comprehension binds (of one generator, or all), renamed after its site's
    number (`_site_number`)."""
    generators = node.generators if generator is None else [generator]
    return {name: f"{name}<{number}>" for each in generators for name in _target_names(each.target)}


def _target_names(target: ast.expr) -> list[str]:
    return _names_in(target)


def _string_operands(node: ast.expr) -> list[ast.expr]:
    """The non-literal operands of a string sum or f-string, whose own calls still count."""
    if isinstance(node, ast.JoinedStr):
        return [v.value for v in node.values if isinstance(v, ast.FormattedValue)]
    if isinstance(node, ast.BinOp):
        return [*_string_operands(node.left), *_string_operands(node.right)]
    return [] if isinstance(node, ast.Constant) else [node]


_COMPREHENSIONS = frozenset({ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp})
_LITERALS: dict[type, str] = {ast.JoinedStr: "str", ast.Compare: "bool"}


def annotation_ref(node: ast.expr | None, scope: str) -> Ref | None:
    """Turn a type annotation into a reference to the instances it admits, when it names classes.

    `Optional[C]`, `C | None`, `Union[A, B]`, string annotations and homogeneous containers
    (`list[C]`, `dict[str, C]`) are understood; anything else gives None.
    """
    if node is None:
        return None
    if isinstance(node, ast.Constant):
        if not isinstance(node.value, str):
            return None
        try:
            parsed = ast.parse(node.value.strip(), mode="eval").body
        except (SyntaxError, ValueError, RecursionError):
            return None
        return annotation_ref(parsed, scope)
    if isinstance(node, ast.Name | ast.Attribute):
        base = _name_ref(node, scope)
        return ("annotation", base) if base is not None else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _either(annotation_ref(p, scope) for p in (node.left, node.right))
    if isinstance(node, ast.Subscript):
        return _generic_annotation_ref(node, scope)
    return None


def _generic_annotation_ref(node: ast.Subscript, scope: str) -> Ref | None:
    name = _dotted(node.value).rpartition(".")[2]
    arguments = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
    if name in _WRAPPING_ANNOTATIONS:
        return annotation_ref(arguments[0], scope)
    if name == "Union":
        return _either(annotation_ref(a, scope) for a in arguments)
    if name in _CONTAINER_ANNOTATIONS:
        element = annotation_ref(arguments[0], scope)
        return ("container", (element,), "") if element is not None else None
    if name in _MAPPING_ANNOTATIONS and len(arguments) == 2:
        element = annotation_ref(arguments[1], scope)
        return ("container", (element,), "") if element is not None else None
    if name in ("type", "Type"):
        return _name_ref(arguments[0], scope)
    return None


def _either(refs: Iterable[Ref | None]) -> Ref | None:
    kept = tuple(r for r in refs if r is not None)
    if not kept:
        return None
    return kept[0] if len(kept) == 1 else ("either", kept)


def _name_ref(node: ast.expr, scope: str) -> Ref | None:
    if isinstance(node, ast.Name):
        return None if node.id == "None" else ("name", scope, node.id)
    if isinstance(node, ast.Attribute):
        base = _name_ref(node.value, scope)
        return ("attr", base, node.attr) if base is not None else None
    return None


def _dotted(node: ast.expr) -> str:
    """The dotted text of a decorator or annotation: `app.route` for `@app.route("/")`."""
    parts: list[str] = []
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Name):
            parts.append(node.id)
            break
        else:
            parts.append("?")
            break
    return ".".join(reversed(parts))


def _last_name(node: ast.expr) -> str:
    """The last part of `_dotted(node)`, found without building the rest."""
    while type(node) is ast.Call:
        node = node.func
    if type(node) is ast.Attribute:
        return node.attr
    return node.id if type(node) is ast.Name else "?"


def _source(node: ast.expr) -> str:
    try:
        return ast.unparse(node)[:300]
    except (ValueError, RecursionError):
        return _dotted(node)


def _docstring(node: ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    """The first line of the docstring, stripped, as `ast.get_docstring(node, clean=True)` gives
    it. Cleaning (`inspect.cleandoc`) expands tabs, then removes indentation and blank lines at
    either end: the stripping removes those anyway, so only the tab expansion is done."""
    body = node.body
    if not body or not isinstance(body[0], ast.Expr):
        return ""
    value = body[0].value
    if not isinstance(value, ast.Constant) or not isinstance(value.value, str):
        return ""
    return value.value.expandtabs().strip().partition("\n")[0][:200]


def _end_line(node: ast.AST) -> int:
    end = getattr(node, "end_lineno", None)
    if end is not None:
        return int(end)
    body = getattr(node, "body", None)
    return _end_line(body[-1]) if body else int(getattr(node, "lineno", 1))


def _string_value(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant):
        return node.value if isinstance(node.value, str) else None
    if isinstance(node, ast.JoinedStr):
        return "".join(_string_value(v) or " ? " for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _string_value(node.left), _string_value(node.right)
        return None if left is None and right is None else (left or " ? ") + (right or " ? ")
    return None


def _is_string_sum(node: ast.AST) -> bool:
    while isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        node = node.left
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _string_list(node: ast.expr) -> tuple[str, ...] | None:
    if not isinstance(node, ast.List | ast.Tuple):
        return None
    names = [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
    return tuple(names) if len(names) == len(node.elts) else None


def _is_main_guard(test: ast.expr) -> bool:
    if not isinstance(test, ast.Compare) or len(test.comparators) != 1:
        return False
    sides = [test.left, test.comparators[0]]
    names = {s.id for s in sides if isinstance(s, ast.Name)}
    strings = {s.value for s in sides if isinstance(s, ast.Constant)}
    return names == {"__name__"} and strings == {"__main__"}


def _is_transaction_context(node: ast.expr) -> bool:
    name = _dotted(node).rpartition(".")[2].lower()
    return any(word in name for word in _TRANSACTION_CONTEXTS)

"""Which names a workflow's entry function reads, binds and mutates, comprehension scopes kept."""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

MUTATING_METHODS = frozenset(
    {
        "append",
        "extend",
        "insert",
        "pop",
        "remove",
        "clear",
        "update",
        "add",
        "discard",
        "setdefault",
        "sort",
        "reverse",
        "popitem",
    }
)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda, *_COMPREHENSIONS)


def reads(node: ast.AST | Sequence[ast.AST]) -> tuple[str, ...]:
    """Names read by `node`, in order, once each; names bound inside a comprehension or
    lambda of `node` are that scope's own and left out."""
    nodes = node if isinstance(node, Sequence) else [node]
    return tuple(dict.fromkeys(name for item in nodes for name in _reads(item)))


def _reads(node: ast.AST) -> Iterator[str]:
    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
        yield node.id
    elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
        yield node.target.id
        yield from _reads(node.value)
    elif isinstance(node, _COMPREHENSIONS):
        yield from _comprehension_reads(node)
    elif isinstance(node, ast.Lambda):
        own = {arg.arg for arg in _all_args(node.args)}
        yield from (name for name in _reads(node.body) if name not in own)
        for default in [*node.args.defaults, *node.args.kw_defaults]:
            if default is not None:
                yield from _reads(default)
    elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return
    else:
        for child in ast.iter_child_nodes(node):
            yield from _reads(child)


def _comprehension_reads(
    node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp,
) -> Iterator[str]:
    bound: set[str] = set()
    for index, generator in enumerate(node.generators):
        iterated = _reads(generator.iter)
        yield from iterated if index == 0 else (n for n in iterated if n not in bound)
        bound.update(target_names(generator.target))
        for condition in generator.ifs:
            yield from (n for n in _reads(condition) if n not in bound)
    results = [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
    for result in results:
        yield from (n for n in _reads(result) if n not in bound)


def _all_args(args: ast.arguments) -> list[ast.arg]:
    extra = [arg for arg in (args.vararg, args.kwarg) if arg is not None]
    return [*args.posonlyargs, *args.args, *args.kwonlyargs, *extra]


def load_counts(nodes: Sequence[ast.AST]) -> Counter[str]:
    """How many times each name is read under `nodes` (every scope, `x += 1` included)."""
    counts: Counter[str] = Counter()
    for node in nodes:
        for child in ast.walk(node):
            if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Load):
                counts[child.id] += 1
            elif isinstance(child, ast.AugAssign) and isinstance(child.target, ast.Name):
                counts[child.target.id] += 1
    return counts


def target_names(target: ast.AST) -> tuple[str, ...]:
    """Plain names an assignment target binds (`a`, `a, (b, *c)`)."""
    if isinstance(target, ast.Name):
        return (target.id,)
    if isinstance(target, ast.Tuple | ast.List):
        return tuple(name for element in target.elts for name in target_names(element))
    if isinstance(target, ast.Starred):
        return target_names(target.value)
    return ()


def binds(node: ast.AST | Sequence[ast.AST]) -> tuple[str, ...]:
    """Names `node` binds in the function's own scope, in order, once each."""
    nodes = node if isinstance(node, Sequence) else [node]
    return tuple(dict.fromkeys(name for item in nodes for name in _binds(item)))


def _binds(node: ast.AST) -> Iterator[str]:
    for child in _walk_scope(node):
        if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Store | ast.Del):
            yield child.id
        elif isinstance(child, ast.ExceptHandler) and child.name:
            yield child.name
        elif isinstance(child, ast.Import | ast.ImportFrom):
            yield from (alias.asname or alias.name.partition(".")[0] for alias in child.names)
        elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            yield child.name


def mutates(node: ast.AST | Sequence[ast.AST]) -> tuple[str, ...]:
    """Names whose value `node` changes in place: `x[k] = v`, `x.a = v`, `x.append(v)`."""
    nodes = node if isinstance(node, Sequence) else [node]
    found: list[str] = []
    for item in nodes:
        for child in _walk_scope(item):
            base = _mutated_base(child)
            if base is not None:
                found.append(base)
    return tuple(dict.fromkeys(found))


def _mutated_base(node: ast.AST) -> str | None:
    if isinstance(node, ast.Subscript | ast.Attribute) and isinstance(
        node.ctx, ast.Store | ast.Del
    ):
        return _base_name(node.value)
    method = node.func if isinstance(node, ast.Call) else None
    if isinstance(method, ast.Attribute) and method.attr in MUTATING_METHODS:
        return _base_name(method.value)
    return None


def _base_name(node: ast.expr) -> str | None:
    while isinstance(node, ast.Subscript | ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _walk_scope(node: ast.AST) -> Iterator[ast.AST]:
    """`node` and its descendants, not entering nested scopes (whose names are their own)."""
    yield node
    if isinstance(node, _SCOPES):
        return
    for child in ast.iter_child_nodes(node):
        yield from _walk_scope(child)


def walk_statements(statements: Iterable[ast.stmt]) -> Iterator[ast.AST]:
    """Every node under `statements`, nested scopes left out."""
    for statement in statements:
        yield from _walk_scope(statement)


@dataclass(frozen=True)
class FunctionNames:
    """The names of the entry function: parameters, locals and what the workflow makes of them.

    `reassigned` parameters are rebound or changed in place somewhere in the body, so the
    workflow keeps them among its variables rather than reading the execution input.
    `booleans` are locals only ever assigned `True`, `False` or a comparison.
    """

    params: tuple[str, ...]
    locals: frozenset[str]
    reassigned: frozenset[str]
    booleans: frozenset[str]

    @property
    def all(self) -> frozenset[str]:
        return self.locals | frozenset(self.params)


def function_names(function: ast.FunctionDef | ast.AsyncFunctionDef) -> FunctionNames:
    params = tuple(arg.arg for arg in _all_args(function.args))
    bound = set(binds(function.body)) | set(mutates(function.body))
    return FunctionNames(
        params=params,
        locals=frozenset(bound - set(params)),
        reassigned=frozenset(bound & set(params)),
        booleans=_boolean_names(function.body, bound - set(params)),
    )


def _boolean_names(body: list[ast.stmt], candidates: set[str]) -> frozenset[str]:
    good: dict[int, str] = {}
    for node in walk_statements(body):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name) and _is_boolean(node.value):
                good[id(target)] = target.id
    bad: set[str] = set()
    for node in walk_statements(body):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
            if id(node) not in good:
                bad.add(node.id)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bad.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            bad.update(alias.asname or alias.name.partition(".")[0] for alias in node.names)
    return frozenset(set(good.values()) & candidates - bad)


def _is_boolean(value: ast.expr) -> bool:
    if isinstance(value, ast.Constant):
        return isinstance(value.value, bool)
    if isinstance(value, ast.UnaryOp) and isinstance(value.op, ast.Not):
        return True
    return isinstance(value, ast.Compare)

"""Whether a `for` loop of a workflow can become a Map state, and what its iterations yield.

An iteration of a Map sees a copy of the state document and hands back only its output, so
a loop qualifies when nothing it changes outlives the iteration, except lists it appends to:
a list set to `[]` just before the loop and only appended to (at most once per pass through
the body) becomes the Map's result, each iteration yielding the item it appended.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass

from splitter.generator.function_scope import binds, mutates, reads, walk_statements

_TOO_MANY = 2


@dataclass(frozen=True)
class MapPlan:
    """A loop that becomes a Map: its variable, the lists it fills and what else it reads."""

    variable: str
    collected: tuple[str, ...]
    outer_variables: tuple[str, ...]


def empty_list_targets(statement: ast.stmt) -> tuple[str, ...]:
    """The names a statement sets to `[]` (`a = []`, `a, b = [], []`), or () for others."""
    if not isinstance(statement, ast.Assign) or len(statement.targets) != 1:
        return ()
    target, value = statement.targets[0], statement.value
    if isinstance(target, ast.Name) and _is_empty_list(value):
        return (target.id,)
    if isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple | ast.List):
        names = [element.id for element in target.elts if isinstance(element, ast.Name)]
        empty = all(_is_empty_list(element) for element in value.elts)
        if empty and len(names) == len(target.elts) == len(value.elts):
            return tuple(names)
    return ()


def _is_empty_list(node: ast.expr) -> bool:
    return isinstance(node, ast.List) and not node.elts


def plan_map(
    loop: ast.For,
    function_body: Sequence[ast.stmt],
    fresh_lists: Sequence[str],
    variables: frozenset[str],
    caught: frozenset[str],
) -> MapPlan | str:
    """The Map plan of `loop`, or why its effects cannot be kept by a Map."""
    structural = _structural_problem(loop)
    if structural:
        return structural
    assert isinstance(loop.target, ast.Name)
    variable = loop.target.id
    outside = outside_names(function_body, loop)
    if variable in outside:
        return f"its variable `{variable}` is used outside the loop"
    appended = appended_lists(loop.body)
    collected = tuple(name for name in dict.fromkeys(fresh_lists) if name in appended)
    changed = (set(binds(loop.body)) | set(mutates(loop.body))) - set(collected) - {variable}
    leaking = sorted(changed & outside)
    if leaking:
        return f"it changes {', '.join(leaking)}, which outlive an iteration"
    for name in collected:
        problem = _collection_problem(loop.body, name)
        if problem:
            return problem
    if caught & set(reads(loop.body)):
        return "it reads a caught exception"
    inner = set(binds(loop.body))
    outer = tuple(
        name
        for name in reads(loop.body)
        if name in variables and name != variable and name not in collected and name not in inner
    )
    return MapPlan(variable, collected, outer)


def _structural_problem(loop: ast.For) -> str:
    if not isinstance(loop.target, ast.Name):
        return "it unpacks its items"
    if loop.orelse:
        return "it has an `else` clause"
    for node in walk_statements(loop.body):
        if isinstance(node, ast.Return):
            return f"it returns from inside (line {node.lineno})"
        if isinstance(node, ast.Yield | ast.YieldFrom | ast.Await):
            return "it yields or awaits"
    if _breaks(loop.body):
        return "it leaves with `break`"
    return ""


def _breaks(statements: Sequence[ast.stmt]) -> bool:
    """A `break` of this loop (not of a loop nested in it)."""
    for statement in statements:
        if isinstance(statement, ast.Break):
            return True
        if isinstance(statement, ast.For | ast.While | ast.AsyncFor):
            continue
        for child in _child_blocks(statement):
            if _breaks(child):
                return True
    return False


def _child_blocks(statement: ast.stmt) -> list[list[ast.stmt]]:
    blocks: list[list[ast.stmt]] = []
    for field in ("body", "orelse", "finalbody"):
        value = getattr(statement, field, None)
        if isinstance(value, list) and value and isinstance(value[0], ast.stmt):
            blocks.append(value)
    for handler in getattr(statement, "handlers", []):
        blocks.append(handler.body)
    for case in getattr(statement, "cases", []):
        blocks.append(case.body)
    return blocks


def appended_lists(statements: Sequence[ast.stmt]) -> tuple[str, ...]:
    """Names `L` of `L.append(x)` statements anywhere in `statements`."""
    found = [
        name
        for node in walk_statements(statements)
        if isinstance(node, ast.Expr) and (name := append_target(node)) is not None
    ]
    return tuple(dict.fromkeys(found))


def append_target(statement: ast.stmt) -> str | None:
    """`L` when `statement` is `L.append(x)` with one positional argument."""
    if not isinstance(statement, ast.Expr) or not isinstance(statement.value, ast.Call):
        return None
    call = statement.value
    func = call.func
    simple = len(call.args) == 1 and not call.keywords and not isinstance(call.args[0], ast.Starred)
    if simple and isinstance(func, ast.Attribute) and func.attr == "append":
        return func.value.id if isinstance(func.value, ast.Name) else None
    return None


def _collection_problem(body: Sequence[ast.stmt], name: str) -> str:
    nodes = list(walk_statements(body))
    every = [node for statement in body for node in ast.walk(statement)]
    uses = sum(1 for node in every if isinstance(node, ast.Name) and node.id == name)
    appends = sum(1 for node in nodes if isinstance(node, ast.Expr) and append_target(node) == name)
    if uses != appends:
        return f"it uses `{name}` other than by appending to it"
    if _most_appends(body, name) >= _TOO_MANY:
        return f"it may append to `{name}` more than once in one pass"
    return ""


def _most_appends(statements: Sequence[ast.stmt], name: str) -> int:
    total = 0
    for statement in statements:
        if append_target(statement) == name:
            total += 1
        elif isinstance(statement, ast.If):
            total += max(_most_appends(statement.body, name), _most_appends(statement.orelse, name))
        elif isinstance(statement, ast.Try):
            handled = [_most_appends(handler.body, name) for handler in statement.handlers]
            tail = max([*handled, _most_appends(statement.orelse, name)])
            total += _most_appends(statement.body, name) + tail
            total += _most_appends(statement.finalbody, name)
        elif isinstance(statement, ast.With):
            total += _most_appends(statement.body, name)
        elif name in appended_lists([statement]):
            total += _TOO_MANY
    return total


def outside_names(statements: Sequence[ast.stmt], loop: ast.For) -> set[str]:
    """Names read, bound or changed anywhere in `statements` except in `loop`'s body and
    target (its iterable counts: it is evaluated outside the iterations)."""
    found: set[str] = set()
    for statement in statements:
        if statement is loop:
            found.update(reads(loop.iter))
        elif not any(node is loop for node in ast.walk(statement)):
            found.update(reads(statement), binds(statement), mutates(statement))
        else:
            found.update(_compound_outside(statement, loop))
    return found


def _compound_outside(statement: ast.stmt, loop: ast.For) -> set[str]:
    found: set[str] = set()
    for _field, value in ast.iter_fields(statement):
        if isinstance(value, list) and value and isinstance(value[0], ast.stmt):
            found.update(outside_names(value, loop))
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, ast.ExceptHandler):
                    found.update({item.name} if item.name else set())
                    found.update(reads(item.type) if item.type else ())
                    found.update(outside_names(item.body, loop))
                elif isinstance(item, ast.AST):
                    found.update(reads(item), binds(item))
        elif isinstance(value, ast.AST):
            found.update(reads(value), binds(value))
    return found

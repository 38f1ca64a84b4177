"""The shapes of simple statements: what they call, assign or append, and if glue can run them."""

from __future__ import annotations

import ast

from splitter.generator.function_scope import reads


class Unsupported(Exception):
    """The entry function uses something a workflow cannot be built around."""

    def __init__(self, reason: str, line: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line


def identifier(name: str) -> str:
    cleaned = "".join(char if char.isalnum() or char == "_" else "_" for char in name)
    return cleaned if cleaned.isidentifier() else f"_{cleaned}"


def single_target(statement: ast.stmt) -> str | None:
    if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
        target: ast.expr = statement.targets[0]
    elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
        target = statement.target
    else:
        return None
    return target.id if isinstance(target, ast.Name) else None


def assigned_values(statement: ast.stmt) -> list[tuple[str, ast.expr]]:
    single = single_target(statement)
    value = getattr(statement, "value", None)
    if single is not None and isinstance(value, ast.expr):
        return [(single, value)]
    if not isinstance(statement, ast.Assign) or len(statement.targets) != 1:
        return []
    target = statement.targets[0]
    if not isinstance(target, ast.Tuple) or not isinstance(value, ast.Tuple | ast.List):
        return []
    names = [element.id for element in target.elts if isinstance(element, ast.Name)]
    if len(names) != len(target.elts) or len(names) != len(value.elts):
        return []
    if set(names) & set(reads(value)):
        return []
    return list(zip(names, value.elts, strict=True))


def appended_list(statement: ast.stmt, collected: frozenset[str]) -> str | None:
    """`L` when `statement` is `L.append(x)` and `L` is one of the `collected` lists."""
    if not isinstance(statement, ast.Expr):
        return None
    call = statement.value
    if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Attribute):
        return None
    owner = call.func.value
    if call.func.attr != "append" or not isinstance(owner, ast.Name) or len(call.args) != 1:
        return None
    return owner.id if owner.id in collected else None


def bind_arguments(call: ast.Call, params: tuple[str, ...]) -> list[tuple[str, ast.expr]] | None:
    """The call's arguments by parameter name, or None when they cannot be named."""
    if any(isinstance(arg, ast.Starred) for arg in call.args) or len(call.args) > len(params):
        return None
    bound = list(zip(params, call.args, strict=False))
    for keyword_argument in call.keywords:
        if keyword_argument.arg is None or keyword_argument.arg not in params:
            return None
        bound.append((keyword_argument.arg, keyword_argument.value))
    return bound if len({name for name, _ in bound}) == len(bound) else None


def unconditional_calls(node: ast.AST) -> list[ast.Call]:
    """Calls evaluated every time `node` runs, innermost first (the order Python runs them)."""
    found: list[ast.Call] = []
    if isinstance(node, ast.IfExp):
        return unconditional_calls(node.test)
    if isinstance(node, ast.BoolOp):
        return unconditional_calls(node.values[0])
    if isinstance(node, ast.Lambda | ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp):
        return found
    for child in ast.iter_child_nodes(node):
        found.extend(unconditional_calls(child))
    if isinstance(node, ast.Call):
        found.append(node)
    return found


def check_escapes(statement: ast.stmt) -> None:
    """Glue runs a statement whole: a `return` or a jump out of it cannot go with it."""
    for node in ast.walk(statement):
        if isinstance(node, ast.Return) and node is not statement:
            raise Unsupported("a `return` inside a block that has to run in glue", node.lineno)
    if isinstance(statement, ast.Continue | ast.Break):
        raise Unsupported("`continue`/`break` outside a loop the workflow keeps", statement.lineno)
    is_loop = isinstance(statement, ast.For | ast.While | ast.AsyncFor)
    blocks = getattr(statement, "body", []) + getattr(statement, "orelse", [])
    if not is_loop and _jumps_out(blocks):
        raise Unsupported(
            "`continue`/`break` leaving a block that has to run in glue", statement.lineno
        )


def _jumps_out(statements: list[ast.stmt]) -> bool:
    for statement in statements:
        if isinstance(statement, ast.Continue | ast.Break):
            return True
        if isinstance(statement, ast.For | ast.While | ast.AsyncFor):
            continue
        inner = getattr(statement, "body", []) + getattr(statement, "orelse", [])
        inner += [s for h in getattr(statement, "handlers", []) for s in h.body]
        if isinstance(inner, list) and _jumps_out([s for s in inner if isinstance(s, ast.stmt)]):
            return True
    return False

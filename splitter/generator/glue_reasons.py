"""Why a piece of a workflow runs as glue, said the way the report says it."""

from __future__ import annotations

import ast
import builtins
from collections.abc import Iterator

from splitter.generator.call_sites import CallSites
from splitter.generator.expressions import Names
from splitter.planner.assignment import SHARED

_MAX_REASONS = 3
_NODE_REASONS: dict[type[ast.AST], str] = {
    ast.BinOp: "arithmetic",
    ast.JoinedStr: "formats a string",
    ast.IfExp: "a conditional expression",
    ast.BoolOp: "`and`/`or` on values",
    ast.Compare: "a comparison used as a value",
    ast.ListComp: "a comprehension",
    ast.SetComp: "a comprehension",
    ast.DictComp: "a comprehension",
    ast.GeneratorExp: "a comprehension",
    ast.Lambda: "a lambda",
    ast.AugAssign: "an augmented assignment",
    ast.For: "a loop",
    ast.While: "a `while` loop",
    ast.With: "a `with` block",
    ast.Assert: "an `assert`",
    ast.Delete: "a `del`",
    ast.Raise: "raises a computed exception",
    ast.Match: "a `match` statement",
    ast.Starred: "unpacking",
}


class GlueReasons:
    """Describes code by the first few things in it the States Language cannot do."""

    def __init__(self, sites: CallSites, owner: str, workflow_names: frozenset[str]) -> None:
        self.sites = sites
        self.owner = owner
        self.workflow_names = workflow_names

    def describe(self, node: ast.AST, names: Names) -> str:
        inner = _scoped_names(node)
        known = Names(names.params, names.variables | inner, names.caught, names.booleans)
        found = list(dict.fromkeys(self._reasons(node, known)))
        return "; ".join(found[:_MAX_REASONS]) or "not expressible in the States Language"

    def _reasons(self, node: ast.AST, names: Names) -> Iterator[str]:
        reason = self._reason(node, names)
        if reason:
            yield reason
        if isinstance(node, ast.Call):
            children: list[ast.AST] = [*node.args, *node.keywords]
        elif reason.startswith("reads `"):
            children = []
        else:
            children = list(ast.iter_child_nodes(node))
        for child in children:
            yield from self._reasons(child, names)

    def _reason(self, node: ast.AST, names: Names) -> str:
        if isinstance(node, ast.Call):
            return self._call(node)
        if isinstance(node, ast.Name) and node.id in names.caught:
            return f"reads the caught exception `{node.id}`"
        if isinstance(node, ast.Name | ast.Attribute):
            return self._module_level(node, names)
        if isinstance(node, ast.UnaryOp):
            return "" if isinstance(node.op, ast.Not) else "arithmetic"
        if isinstance(node, ast.Constant):
            return "a text containing `${`" if "${" in str(node.value) else ""
        return _NODE_REASONS.get(type(node), "")

    def _call(self, call: ast.Call) -> str:
        function = self.sites.callee(call)
        label = ast.unparse(call.func)
        if function is None:
            builtin = self.sites.builtin(call)
            return f"calls the builtin `{builtin}`" if builtin else f"calls `{label}`"
        service = self.sites.service_of.get(function.qualname)
        if service == SHARED:
            return f"calls `{label}` of the shared library"
        if service is None:
            return f"calls `{function.qualname}`, which the plan places in no service"
        if service == self.owner:
            return f"calls `{label}` of its own service inside an expression"
        return f"calls `{label}` of the {service} service inside an expression"

    def _module_level(self, node: ast.Name | ast.Attribute, names: Names) -> str:
        base: ast.expr = node
        while isinstance(base, ast.Attribute | ast.Subscript):
            base = base.value
        if not isinstance(base, ast.Name) or base.id in self.workflow_names:
            return ""
        if base.id in names.variables:
            return ""
        if isinstance(node, ast.Name) and (node.id in vars(builtins) or node.id in names.caught):
            return ""
        return f"reads `{ast.unparse(node)}` of the module"


def _scoped_names(node: ast.AST) -> frozenset[str]:
    """Names bound by the comprehensions and lambdas inside `node` (never module names)."""
    found: set[str] = set()
    for child in ast.walk(node):
        if isinstance(child, ast.comprehension):
            found.update(n.id for n in ast.walk(child.target) if isinstance(n, ast.Name))
        elif isinstance(child, ast.Lambda):
            args = child.args
            every = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
            found.update(arg.arg for arg in every if arg is not None)
    return frozenset(found)


def test_words(test: ast.expr) -> list[str]:
    """The words a Choice state is named by: what its first test looks at."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return ["Not", *test_words(test.operand)]
    if isinstance(test, ast.BoolOp):
        return test_words(test.values[0])
    words = _words(test.left if isinstance(test, ast.Compare) else test)
    if isinstance(test, ast.Compare) and len(test.comparators) == 1:
        right = test.comparators[0]
        if isinstance(right, ast.Constant) and isinstance(right.value, str):
            words.append(right.value)
    return words[:3]


def _words(node: ast.expr) -> list[str]:
    if isinstance(node, ast.Name):
        return [node.id]
    if isinstance(node, ast.Attribute):
        return [*_words(node.value), node.attr]
    if isinstance(node, ast.Subscript):
        key = node.slice
        tail = [key.value] if isinstance(key, ast.Constant) and isinstance(key.value, str) else []
        return [*_words(node.value), *tail]
    if isinstance(node, ast.Call):
        return _words(node.func)
    return []

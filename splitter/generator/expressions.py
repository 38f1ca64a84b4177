"""Python expressions of a workflow as JSONPath, intrinsic functions and Choice rules.

Each function answers None when the States Language cannot express the expression exactly;
the translator then computes it in a glue step. Only what keeps Python's meaning is taken:
names, constant subscripts and attributes of workflow values, JSON constants, dict literals,
lists of plain values, `[x["k"] for x in items]`, and comparisons against constants.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from splitter.generator.asl import (
    AllOf,
    AnyOf,
    Comparison,
    Constant,
    Intrinsic,
    Not,
    ObjectTemplate,
    Path,
    Rule,
    Template,
    intrinsic_argument,
    intrinsic_string,
)

_NO_CONSTANT = object()
_COMPARISONS: dict[type[ast.cmpop], str] = {
    ast.Eq: "Equals",
    ast.Lt: "LessThan",
    ast.LtE: "LessThanEquals",
    ast.Gt: "GreaterThan",
    ast.GtE: "GreaterThanEquals",
}
_FLIPPED: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Eq: ast.Eq,
    ast.NotEq: ast.NotEq,
    ast.Lt: ast.Gt,
    ast.LtE: ast.GtE,
    ast.Gt: ast.Lt,
    ast.GtE: ast.LtE,
    ast.Is: ast.Is,
    ast.IsNot: ast.IsNot,
}


@dataclass(frozen=True)
class Names:
    """Where the workflow keeps each name: `$.input` for parameters it never rebinds,
    `$.vars.<name>.value` for its variables; `caught` names hold an exception, which JSON
    cannot carry, and `booleans` are variables only ever holding True or False."""

    params: frozenset[str]
    variables: frozenset[str]
    caught: frozenset[str] = frozenset()
    booleans: frozenset[str] = frozenset()

    def path_of(self, name: str) -> Path | None:
        if name in self.caught:
            return None
        if name in self.variables:
            return variable_path(name)
        if name in self.params:
            return Path("$.input").key(name)
        return None

    def catching(self, name: str | None) -> Names:
        if name is None:
            return self
        return Names(self.params, self.variables, self.caught | {name}, self.booleans)


def variable_path(name: str) -> Path:
    """`$.vars.<name>.value`: where a workflow variable's value lives."""
    return Path("$.vars").key(name).key("value")


def variable_at(path: str | None) -> str:
    """The variable whose `{"value": ...}` a result path `$.vars.<name>` writes; "" for any
    other path (a list's appended item, the discarded result)."""
    prefix = "$.vars"
    if path is None or not path.startswith(prefix):
        return ""
    key = path[len(prefix) :]
    if key.startswith("."):
        name = key[1:]
    elif key.startswith("['") and key.endswith("']"):
        name = key[2:-2].replace("\\'", "'").replace("\\\\", "\\")
    else:
        return ""
    return name if Path(prefix).key(name).path == path else ""


def constant(node: ast.expr) -> Any:
    """The JSON value of a literal (`_NO_CONSTANT` when `node` is not one)."""
    if isinstance(node, ast.Constant):
        return _scalar(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        inner = constant(node.operand)
        if isinstance(inner, int | float) and not isinstance(inner, bool):
            return -inner if isinstance(node.op, ast.USub) else inner
        return _NO_CONSTANT
    if isinstance(node, ast.List | ast.Tuple):
        values = [constant(element) for element in node.elts]
        return _NO_CONSTANT if _NO_CONSTANT in values else values
    if isinstance(node, ast.Dict):
        return _constant_dict(node)
    return _NO_CONSTANT


def _scalar(value: object) -> Any:
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else _NO_CONSTANT
    if isinstance(value, str):
        return value if "${" not in value else _NO_CONSTANT
    return _NO_CONSTANT


def _constant_dict(node: ast.Dict) -> Any:
    keys = [_field_key(key) for key in node.keys]
    values = [constant(value) for value in node.values]
    if None in keys or _NO_CONSTANT in values:
        return _NO_CONSTANT
    return {key: value for key, value in zip(keys, values, strict=True) if key is not None}


def _field_key(key: ast.expr | None) -> str | None:
    """A dict key usable as a payload field name (not one the States Language reads as a path)."""
    if not isinstance(key, ast.Constant) or not isinstance(key.value, str):
        return None
    return key.value if not key.value.endswith(".$") and "${" not in key.value else None


def is_constant(node: ast.expr) -> bool:
    return constant(node) is not _NO_CONSTANT


def to_path(node: ast.expr, names: Names) -> Path | None:
    """The JSONPath of a workflow value: a name, then constant keys, indexes or attributes."""
    if isinstance(node, ast.Name):
        return names.path_of(node.id)
    if isinstance(node, ast.Attribute):
        base = to_path(node.value, names)
        return base.key(node.attr) if base is not None else None
    if isinstance(node, ast.Subscript):
        base = to_path(node.value, names)
        key = constant(node.slice)
        if base is None:
            return None
        if isinstance(key, str):
            return base.key(key)
        if isinstance(key, int) and not isinstance(key, bool) and key >= 0:
            return base.index(key)
        return None
    if isinstance(node, ast.ListComp):
        return _projection(node, names)
    return None


def _projection(node: ast.ListComp, names: Names) -> Path | None:
    """`[x["k"] for x in items]` -> `items[*].k`, the only comprehension JSONPath keeps exact."""
    if len(node.generators) != 1:
        return None
    generator = node.generators[0]
    if generator.ifs or generator.is_async or not isinstance(generator.target, ast.Name):
        return None
    items = to_path(generator.iter, names)
    if items is None or not items.definite:
        return None
    loop_names = Names(frozenset(), frozenset({generator.target.id}))
    element = to_path(node.elt, loop_names)
    if element is None:
        return None
    tail = element.path.removeprefix(variable_path(generator.target.id).path)
    return Path(f"{items.path}[*]{tail}", definite=False)


def to_template(node: ast.expr, names: Names) -> Template | None:
    """The payload template computing `node`, or None."""
    value = constant(node)
    if value is not _NO_CONSTANT:
        return Constant(value)
    path = to_path(node, names)
    if path is not None:
        return path
    if isinstance(node, ast.Dict):
        return _object(node, lambda value, _key: to_template(value, names))
    if isinstance(node, ast.List | ast.Tuple):
        return _array(node, names)
    return None


def hoisting_template(
    node: ast.expr, names: Names, hoist: Callable[[ast.expr, str], Path], hint: str
) -> Template:
    """Like `to_template`, but what cannot be expressed is handed to `hoist` (which computes
    it elsewhere and answers where it is kept); dict literals keep their shape."""
    template = to_template(node, names)
    if template is not None:
        return template
    if isinstance(node, ast.Dict) and all(_field_key(key) is not None for key in node.keys):
        built = _object(node, lambda value, key: hoisting_template(value, names, hoist, key))
        if built is not None:
            return built
    return hoist(node, hint)


def _object(
    node: ast.Dict, convert: Callable[[ast.expr, str], Template | None]
) -> ObjectTemplate | None:
    fields: list[tuple[str, Template]] = []
    for key_node, value_node in zip(node.keys, node.values, strict=True):
        key = _field_key(key_node)
        if key is None:
            return None
        value = convert(value_node, key)
        if value is None:
            return None
        fields.append((key, value))
    if len({key for key, _ in fields}) != len(fields):
        return None
    return ObjectTemplate(tuple(fields))


def _array(node: ast.List | ast.Tuple, names: Names) -> Intrinsic | None:
    arguments: list[str] = []
    for element in node.elts:
        template = to_template(element, names)
        if not isinstance(template, Path | Constant):
            return None
        argument = intrinsic_argument(template)
        if argument is None:
            return None
        arguments.append(argument)
    return Intrinsic(f"States.Array({', '.join(arguments)})") if arguments else None


def format_intrinsic(node: ast.JoinedStr, names: Names) -> Intrinsic | None:
    """An f-string as `States.Format`, when every placeholder is a plain workflow value."""
    pieces: list[str] = []
    arguments: list[str] = []
    for part in node.values:
        if isinstance(part, ast.Constant) and isinstance(part.value, str):
            pieces.append(intrinsic_string(part.value)[1:-1])
            continue
        if not isinstance(part, ast.FormattedValue) or part.format_spec or part.conversion != -1:
            return None
        path = to_path(part.value, names)
        if path is None or not path.definite:
            return None
        pieces.append("{}")
        arguments.append(path.path)
    text = "'" + "".join(pieces) + "'"
    return Intrinsic(f"States.Format({', '.join([text, *arguments])})")


def to_rule(test: ast.expr, names: Names) -> Rule | None:
    """The Choice rule true exactly when Python finds `test` true, or None."""
    if isinstance(test, ast.BoolOp):
        rules = [to_rule(value, names) for value in test.values]
        if any(rule is None for rule in rules):
            return None
        kept = tuple(rule for rule in rules if rule is not None)
        return AllOf(kept) if isinstance(test.op, ast.And) else AnyOf(kept)
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = to_rule(test.operand, names)
        return Not(inner) if inner is not None else None
    if isinstance(test, ast.Compare):
        return _compare_chain(test, names)
    if isinstance(test, ast.Name) and test.id in names.booleans:
        path = names.path_of(test.id)
        return Comparison(path.path, "BooleanEquals", True) if path is not None else None
    return None


def _compare_chain(test: ast.Compare, names: Names) -> Rule | None:
    operands = [test.left, *test.comparators]
    rules: list[Rule] = []
    for index, operator in enumerate(test.ops):
        rule = _compare(operands[index], operator, operands[index + 1], names)
        if rule is None:
            return None
        rules.append(rule)
    return rules[0] if len(rules) == 1 else AllOf(tuple(rules))


def _compare(left: ast.expr, operator: ast.cmpop, right: ast.expr, names: Names) -> Rule | None:
    if isinstance(operator, ast.In | ast.NotIn):
        return _membership(left, operator, right, names)
    path = to_path(left, names)
    value = constant(right)
    if path is None or value is _NO_CONSTANT:
        path, value = to_path(right, names), constant(left)
        flipped = _FLIPPED.get(type(operator))
        if path is None or value is _NO_CONSTANT or flipped is None:
            return None
        operator = flipped()
    if not path.definite:
        return None
    return _against_constant(path.path, operator, value)


def _membership(left: ast.expr, operator: ast.cmpop, right: ast.expr, names: Names) -> Rule | None:
    path = to_path(left, names)
    if path is None or not path.definite or not isinstance(right, ast.Tuple | ast.List | ast.Set):
        return None
    rules = [_against_constant(path.path, ast.Eq(), constant(item)) for item in right.elts]
    if not rules or any(rule is None for rule in rules):
        return None
    either = AnyOf(tuple(rule for rule in rules if rule is not None))
    return Not(either) if isinstance(operator, ast.NotIn) else either


def _against_constant(variable: str, operator: ast.cmpop, value: Any) -> Rule | None:
    if value is _NO_CONSTANT:
        return None
    negate = isinstance(operator, ast.NotEq | ast.IsNot)
    equality = isinstance(operator, ast.Eq | ast.NotEq | ast.Is | ast.IsNot)
    if value is None and equality:
        return Comparison(variable, "IsNull", not negate)
    if isinstance(operator, ast.Is | ast.IsNot) and not isinstance(value, bool):
        return None
    if isinstance(value, bool):
        rule: Rule = Comparison(variable, "BooleanEquals", value)
        return (Not(rule) if negate else rule) if equality else None
    kind = "String" if isinstance(value, str) else "Numeric"
    if not isinstance(value, str | int | float):
        return None
    suffix = "Equals" if equality else _COMPARISONS[type(operator)]
    rule = Comparison(variable, kind + suffix, value)
    return Not(rule) if negate else rule

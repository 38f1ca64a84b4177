"""The operations of each service: which functions something outside it calls, and their names."""

from __future__ import annotations

import ast
import builtins
import keyword
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

import libcst as cst

from splitter.analyzer.model import Analysis, Function
from splitter.generator.call_sites import operation_name
from splitter.generator.statements import ModuleFacts, dotted, resolve_definition
from splitter.generator.trees import Ownership
from splitter.planner.assignment import SHARED
from splitter.planner.plan import Plan

ParameterKind = Literal[
    "positional_only", "positional_or_keyword", "var_positional", "keyword_only", "var_keyword"
]
CallKind = Literal["function", "method", "static", "opaque"]
WEB_ROUTES = frozenset({"http", "django-url"})
"""Entry points that read a web framework's request: the web layer, not Lambda operations."""


@dataclass(frozen=True)
class Parameter:
    """A parameter of an operation: its annotation and default as written in the monolith."""

    name: str
    annotation: str = ""
    default: str | None = None
    kind: ParameterKind = "positional_or_keyword"

    @property
    def required(self) -> bool:
        return self.default is None and self.kind not in ("var_positional", "var_keyword")

    def __str__(self) -> str:
        text = f"{self.name}: {self.annotation}" if self.annotation else self.name
        return f"{text} = {self.default}" if self.default is not None else text


@dataclass(frozen=True)
class Operation:
    """A function of a service exposed through its handler.

    `call` says how the handler reaches it: a module `function`, a `method` of an instance
    built without arguments, a `static` or class method, or `opaque` when its signature is not
    known (arguments are passed through by keyword). `returns` is the return annotation, or
    the one inferred from the return statements (`Customer | None`); "" when unknown.
    """

    name: str
    function: str
    service: str
    module: str
    path: str
    line: int
    parameters: tuple[Parameter, ...] = ()
    returns: str = ""
    call: CallKind = "function"
    attribute: str = ""

    @property
    def handler(self) -> str:
        """The handler's `module.function` name, as the template's `Handler` property takes it."""
        return f"handlers.handle_{self.name}"

    def __str__(self) -> str:
        return f"{self.service}.{self.name} -> {self.function} ({self.path}:{self.line})"


@dataclass(frozen=True)
class Wanted:
    """A function a service must expose, and why."""

    service: str
    function: str
    reason: str


def wanted_operations(
    plan: Plan,
    analysis: Analysis,
    ownership: Ownership,
    remote: Iterable[tuple[str, str]],
    extra: Mapping[str, Sequence[str]],
) -> tuple[Wanted, ...]:
    """Every (service, function) pair that needs an operation, sorted, each once.

    Args:
        remote: (service, function) pairs other services' code calls through a client.
        extra: service -> functions to expose as well (workflow tasks and glue).
    """
    pairs = [
        *((s, f, "called by another service") for s, f in remote),
        *((s, f, "called by another service") for s, f in _called_across(analysis, ownership)),
        *_entry_points(plan, analysis, ownership),
        *((w.service, w.entry, f"entry of workflow {w.name}") for w in plan.workflows),
        *((s, f, "asked for by the workflows") for s, fs in extra.items() for f in fs),
    ]
    found: dict[tuple[str, str], str] = {}
    for service, function, reason in pairs:
        found.setdefault((service, function), reason)
    return tuple(Wanted(s, f, why) for (s, f), why in sorted(found.items()))


def _entry_points(
    plan: Plan, analysis: Analysis, ownership: Ownership
) -> Iterable[tuple[str, str, str]]:
    """Entry points of the analysis and of the plan, web routes left out."""
    routes = {e.function for e in analysis.entry_points if e.kind in WEB_ROUTES}
    for entry in analysis.entry_points:
        owner = ownership.functions.get(entry.function)
        if entry.kind not in WEB_ROUTES and owner and owner != SHARED:
            yield owner, entry.function, f"{entry.kind} entry point"
    for service in plan.services:
        for function in service.entry_points:
            if function not in routes:
                yield service.name, function, "entry point of the plan"


def _called_across(analysis: Analysis, ownership: Ownership) -> Iterable[tuple[str, str]]:
    functions = {f.qualname: f for f in analysis.functions}
    for call in analysis.calls:
        caller = ownership.functions.get(call.caller)
        callee = ownership.functions.get(call.callee)
        function = functions.get(call.callee)
        if call.target != "internal" or not caller or not callee or function is None:
            continue
        if caller not in (callee, SHARED) and callee != SHARED and _is_top_level(function):
            yield callee, call.callee


def _is_top_level(function: Function) -> bool:
    return function.kind == "function" and "." not in function.qualname[len(function.module) + 1 :]


def build_operations(
    wanted: Sequence[Wanted],
    analysis: Analysis,
    ownership: Ownership,
    facts: Mapping[str, ModuleFacts],
) -> tuple[dict[str, tuple[Operation, ...]], tuple[str, ...]]:
    """Read each wanted function's signature and name the operations of every service.

    Returns:
        The operations by service (sorted by name) and notes on functions that cannot be
        exposed (nested functions, lambdas, methods of classes that need arguments to build,
        functions another service owns).
    """
    functions = {f.qualname: f for f in analysis.functions}
    by_service: dict[str, list[Operation]] = {}
    notes: list[str] = []
    for want in wanted:
        owner = ownership.functions.get(want.function)
        if want.function in functions and owner != want.service:
            notes.append(
                f"{want.function} cannot be an operation of {want.service} "
                f"({want.reason}): it belongs to {owner or 'no service'}"
            )
            continue
        operation = _operation(want, functions.get(want.function), facts)
        if isinstance(operation, str):
            notes.append(operation)
        else:
            by_service.setdefault(want.service, []).append(operation)
    named = {
        service: _name_all(ops, analysis.functions, ownership.functions)
        for service, ops in sorted(by_service.items())
    }
    return named, tuple(notes)


def _operation(
    want: Wanted, function: Function | None, facts: Mapping[str, ModuleFacts]
) -> Operation | str:
    if function is None:
        module, _, name = want.function.rpartition(".")
        return Operation(name, want.function, want.service, module, "", 0, call="opaque")
    module_facts = facts.get(function.module)
    inner = function.qualname[len(function.module) + 1 :].split(".")
    found = _find_definition(module_facts.tree, inner) if module_facts else None
    if module_facts is None or found is None or function.kind not in ("function", "method"):
        return f"{function.qualname} ({want.reason}) is nested or not found: not exposed"
    node, class_node = found
    call = _call_kind(node, class_node)
    if call is None:
        return (
            f"{function.qualname} ({want.reason}) is a property or a method of a class that "
            "needs arguments to build: not exposed"
        )
    static = "staticmethod" in {dotted(d.decorator) for d in node.decorators}
    return Operation(
        name=inner[-1],
        function=function.qualname,
        service=want.service,
        module=function.module,
        path=function.path,
        line=function.line,
        parameters=read_parameters(
            module_facts.tree, node, skip_first=call != "function" and not static
        ),
        returns=_returns(facts, module_facts, node),
        call=call,
        attribute=".".join(inner),
    )


def _find_definition(
    tree: cst.Module, path: Sequence[str]
) -> tuple[cst.FunctionDef, cst.ClassDef | None] | None:
    body: Sequence[cst.CSTNode] = tree.body
    owner: cst.ClassDef | None = None
    for depth, name in enumerate(path):
        match = next(
            (
                n
                for n in body
                if isinstance(n, cst.FunctionDef | cst.ClassDef) and n.name.value == name
            ),
            None,
        )
        if match is None:
            return None
        if depth == len(path) - 1:
            return (match, owner) if isinstance(match, cst.FunctionDef) else None
        if not isinstance(match, cst.ClassDef) or not isinstance(match.body, cst.IndentedBlock):
            return None
        owner, body = match, match.body.body
    return None


def _call_kind(node: cst.FunctionDef, owner: cst.ClassDef | None) -> CallKind | None:
    if owner is None:
        return "function"
    decorators = {dotted(d.decorator) for d in node.decorators}
    if decorators & {"staticmethod", "classmethod"}:
        return "static"
    if decorators & {"property", "cached_property", "functools.cached_property"}:
        return None
    init = _find_definition(cst.Module(body=[owner]), [owner.name.value, "__init__"])
    needs = init is not None and any(
        p.required for p in read_parameters(cst.Module([]), init[0], skip_first=True)
    )
    return None if needs else "method"


def read_parameters(
    tree: cst.Module, node: cst.FunctionDef, *, skip_first: bool
) -> tuple[Parameter, ...]:
    """The parameters of a function definition, in order, `self`/`cls` left out on request."""
    params = node.params
    groups: list[tuple[ParameterKind, Sequence[cst.Param]]] = [
        ("positional_only", params.posonly_params),
        ("positional_or_keyword", params.params),
        ("var_positional", [params.star_arg] if isinstance(params.star_arg, cst.Param) else []),
        ("keyword_only", params.kwonly_params),
        ("var_keyword", [params.star_kwarg] if params.star_kwarg is not None else []),
    ]
    found = [
        Parameter(
            name=param.name.value,
            annotation=_text(tree, param.annotation.annotation) if param.annotation else "",
            default=_text(tree, param.default) if param.default is not None else None,
            kind=kind,
        )
        for kind, group in groups
        for param in group
    ]
    return tuple(found[1:] if skip_first and found else found)


def _text(tree: cst.Module, node: cst.CSTNode) -> str:
    """Source text of an expression on one line, comments dropped."""
    text = tree.code_for_node(node).strip()
    if "\n" in text or "#" in text:
        try:
            return ast.unparse(ast.parse(text, mode="eval"))
        except SyntaxError:
            return " ".join(text.split())
    return text


def _returns(facts: Mapping[str, ModuleFacts], module: ModuleFacts, node: cst.FunctionDef) -> str:
    if node.returns is not None:
        return _text(module.tree, node.returns.annotation)
    return infer_returns(facts, module, node)


def infer_returns(
    facts: Mapping[str, ModuleFacts], module: ModuleFacts, node: cst.FunctionDef
) -> str:
    """The return type of an unannotated function when every `return` builds a class.

    Recognized: `return None`, `return C(...)`, `return C.factory(...)` (`C | None`), and
    list or dict comprehensions of those (`list[C]`, `dict[str, C]`) where `C` is a class of
    the monolith. Anything else gives "" (not known).
    """
    finder = _ReturnFinder()
    node.body.visit(finder)
    parts: list[str] = []
    for value in finder.values:
        part = _return_part(_Classes(facts, module.module), value)
        if part is None:
            return ""
        parts.extend(p for p in part.split(" | ") if p not in parts)
    if not parts or parts == ["None"]:
        return ""
    return " | ".join([p for p in parts if p != "None"] + (["None"] if "None" in parts else []))


@dataclass(frozen=True)
class _Classes:
    """Tells which names used in a module are classes of the monolith."""

    facts: Mapping[str, ModuleFacts]
    module: str

    def __contains__(self, name: object) -> bool:
        found = resolve_definition(self.facts, self.module, str(name))
        return found is not None and found[1] == "class"


def _return_part(classes: _Classes, value: cst.BaseExpression | None) -> str | None:
    if value is None or (isinstance(value, cst.Name) and value.value == "None"):
        return "None"
    if isinstance(value, cst.ListComp):
        element = _built_class(classes, value.elt)
        return f"list[{element[0]}]" if element else None
    if isinstance(value, cst.DictComp):
        element = _built_class(classes, value.value)
        return f"dict[str, {element[0]}]" if element else None
    built = _built_class(classes, value)
    if built is None:
        return None
    name, factory = built
    return f"{name} | None" if factory else name


def _built_class(classes: _Classes, value: cst.BaseExpression) -> tuple[str, bool] | None:
    """(class name, through a factory method) when `value` calls a class or a method of one."""
    if not isinstance(value, cst.Call):
        return None
    func = value.func
    if isinstance(func, cst.Name) and func.value in classes:
        return func.value, False
    owner = func.value if isinstance(func, cst.Attribute) else None
    if isinstance(owner, cst.Name) and owner.value in classes:
        return owner.value, True
    return None


class _ReturnFinder(cst.CSTVisitor):
    """The values of a function's own `return` statements (nested scopes left out)."""

    def __init__(self) -> None:
        self.values: list[cst.BaseExpression | None] = []

    def visit_Return(self, node: cst.Return) -> None:
        self.values.append(node.value)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False


def _name_all(
    operations: Sequence[Operation], functions: Sequence[Function], owners: Mapping[str, str]
) -> tuple[Operation, ...]:
    """Give each operation its name as the workflows call it (`call_sites.operation_name`):
    the function's name, prefixed by its class or module when another callable of the
    service has that name too; made a valid identifier and unique in the service."""
    known = {f.qualname: f for f in functions}
    taken: set[str] = set()
    named: list[Operation] = []
    for operation in sorted(operations, key=lambda o: o.function):
        function = known.get(operation.function)
        name = operation_name(function, functions, owners) if function else operation.name
        named.append(replace(operation, name=unique(identifier(name), taken)))
    return tuple(sorted(named, key=lambda o: o.name))


def identifier(text: str) -> str:
    """`text` made a valid Python identifier that is not a keyword."""
    cleaned = "".join(c if f"a{c}".isidentifier() else "_" for c in text) or "_"
    if not cleaned.isidentifier():
        cleaned = f"_{cleaned}"
    return (
        f"{cleaned}_" if keyword.iskeyword(cleaned) or keyword.issoftkeyword(cleaned) else cleaned
    )


def unique(name: str, taken: set[str]) -> str:
    """`name`, or `name_2`, `name_3`... whichever is not taken yet; marks it taken."""
    chosen, count = name, 1
    while chosen in taken:
        count += 1
        chosen = f"{name}_{count}"
    taken.add(chosen)
    return chosen


def annotation_names(text: str) -> frozenset[str]:
    """The top-level names an annotation uses, string (forward) references included."""
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError:
        return frozenset()
    return frozenset(_names_in(tree.body))


def _names_in(node: ast.AST) -> set[str]:
    """Names under `node`; strings are forward references, except the values of `Literal`."""
    if isinstance(node, ast.Name):
        return {node.id}
    if isinstance(node, ast.Constant):
        return set(annotation_names(node.value)) if isinstance(node.value, str) else set()
    if isinstance(node, ast.Subscript) and _is_literal(node.value):
        return _names_in(node.value)
    return set().union(*(_names_in(child) for child in ast.iter_child_nodes(node)))


def _is_literal(node: ast.expr) -> bool:
    name = node.id if isinstance(node, ast.Name) else getattr(node, "attr", "")
    return name == "Literal"


def is_builtin(name: str) -> bool:
    return name in dir(builtins)

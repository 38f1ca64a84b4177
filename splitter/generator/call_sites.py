"""What the entry function's calls and exception names refer to, from the analysis.

A call site is matched to the analysis by its line and the name it calls (through the module's
imports, so `from .x import f as g` still finds `x.f`); exception classes are found the same
way, with every subclass the analysis knows, because Step Functions matches error names
exactly where Python matches a class and its subclasses.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from splitter.analyzer.model import Analysis, Call, ClassInfo, Function
from splitter.generator.asl import ALL_ERRORS
from splitter.planner.assignment import SHARED

_ANY_EXCEPTION = frozenset({"Exception", "BaseException", "builtins.Exception"})


@dataclass(frozen=True)
class Callee:
    """A call the workflow can make as a Task: the function, its service and operation."""

    function: Function
    service: str
    operation: str
    params: tuple[str, ...]


@dataclass(frozen=True)
class CallSites:
    """The analysis seen from one entry function and the module that defines it."""

    entry: Function
    imports: Mapping[str, str]
    calls: Mapping[int, tuple[Call, ...]]
    functions: Mapping[str, Function]
    classes: Mapping[str, ClassInfo]
    subclasses: Mapping[str, tuple[str, ...]]
    service_of: Mapping[str, str]
    operations: Mapping[str, str]

    def callee(self, call: ast.Call) -> Function | None:
        """The internal function `call` reaches, when the analysis names exactly one."""
        wanted = self._called_names(call.func)
        found = {
            site.callee
            for site in self.calls.get(call.lineno, ())
            if site.target == "internal" and site.callee.rpartition(".")[2] in wanted
        }
        if len(found) != 1:
            return None
        return self.functions.get(found.pop())

    def builtin(self, call: ast.Call) -> str | None:
        """The builtin `call` reaches, per the analysis."""
        wanted = self._called_names(call.func)
        for site in self.calls.get(call.lineno, ()):
            name = site.callee.rpartition(".")[2]
            if site.target == "builtin" and name in wanted:
                return name
        return None

    def external(self, call: ast.Call) -> str | None:
        """The library function (`flask.jsonify`) `call` reaches, per the analysis."""
        wanted = self._called_names(call.func)
        for site in self.calls.get(call.lineno, ()):
            if site.target == "external" and site.callee.rpartition(".")[2] in wanted:
                return site.callee
        return None

    def _called_names(self, func: ast.expr) -> set[str]:
        if isinstance(func, ast.Attribute):
            return {func.attr}
        if isinstance(func, ast.Name):
            imported = self.imports.get(func.id, "")
            return {func.id, imported.rpartition(".")[2]} - {""}
        return set()

    def service_call(self, call: ast.Call) -> Callee | None:
        """The Task-able callee of `call`: a function (not an instance method) of a service."""
        function = self.callee(call)
        if function is None:
            return None
        service = self.service_of.get(function.qualname)
        if service is None or service == SHARED:
            return None
        params = _callable_params(function, call)
        if params is None:
            return None
        operation = self.operations.get(function.qualname) or operation_name(
            function, self.functions.values(), self.service_of
        )
        return Callee(function, service, operation, params)

    def service_of_call(self, call: ast.Call) -> str | None:
        function = self.callee(call)
        return self.service_of.get(function.qualname) if function is not None else None

    def class_qualname(self, node: ast.expr) -> str | None:
        """The qualified name of the class `node` names (internal or not)."""
        dotted = _dotted(node)
        if dotted is None:
            return None
        head, _, rest = dotted.partition(".")
        if head in self.imports:
            qualname = self.imports[head] + (f".{rest}" if rest else "")
        elif f"{self.entry.module}.{dotted}" in self.classes:
            qualname = f"{self.entry.module}.{dotted}"
        else:
            qualname = dotted
        if qualname in self.classes:
            return qualname
        same_name = [name for name in self.classes if name.rpartition(".")[2] == dotted]
        return same_name[0] if len(same_name) == 1 else qualname

    def error_names(self, node: ast.expr | None) -> tuple[str, ...]:
        """The error names an `except` clause catches: each class and all its subclasses."""
        if node is None:
            return (ALL_ERRORS,)
        nodes = node.elts if isinstance(node, ast.Tuple) else [node]
        names: list[str] = []
        for item in nodes:
            qualname = self.class_qualname(item)
            if qualname is None or qualname in _ANY_EXCEPTION:
                return (ALL_ERRORS,)
            found = sorted(self.subclasses.get(qualname, ()), key=lambda q: q.rpartition(".")[2])
            names.extend(name.rpartition(".")[2] for name in [qualname, *found])
        return tuple(dict.fromkeys(names))

    def error_classes(self, node: ast.expr | None) -> tuple[str, ...]:
        """The qualified names of the classes an `except` clause catches, subclasses included."""
        if node is None:
            return ()
        nodes = node.elts if isinstance(node, ast.Tuple) else [node]
        found: list[str] = []
        for item in nodes:
            qualname = self.class_qualname(item)
            if qualname is not None:
                found.extend([qualname, *sorted(self.subclasses.get(qualname, ()))])
        return tuple(dict.fromkeys(found))


def call_sites(
    entry: Function,
    module: ast.Module,
    analysis: Analysis,
    service_of: Mapping[str, str],
    operations: Mapping[str, str],
) -> CallSites:
    """Index the analysis for the calls and exception names of `entry`."""
    package = _package(analysis, entry.module)
    calls: defaultdict[int, list[Call]] = defaultdict(list)
    for call in analysis.calls:
        if call.caller == entry.qualname:
            calls[call.line].append(call)
    return CallSites(
        entry=entry,
        imports=module_imports(module, package),
        calls={line: tuple(found) for line, found in calls.items()},
        functions={function.qualname: function for function in analysis.functions},
        classes={info.qualname: info for info in analysis.classes},
        subclasses=_subclasses(analysis.classes),
        service_of=service_of,
        operations=operations,
    )


def _package(analysis: Analysis, module: str) -> str:
    info = next((m for m in analysis.modules if m.name == module), None)
    return module if info is not None and info.is_package else module.rpartition(".")[0]


def module_imports(module: ast.Module, package: str) -> dict[str, str]:
    """Local name -> qualified name, for the module's top-level imports."""
    found: dict[str, str] = {}
    for statement in module.body:
        if isinstance(statement, ast.Import):
            for alias in statement.names:
                if alias.asname:
                    found[alias.asname] = alias.name
                else:
                    head = alias.name.partition(".")[0]
                    found[head] = head
        elif isinstance(statement, ast.ImportFrom):
            base = _absolute(statement, package)
            for alias in statement.names:
                found[alias.asname or alias.name] = f"{base}.{alias.name}" if base else alias.name
    return found


def _absolute(statement: ast.ImportFrom, package: str) -> str:
    if not statement.level:
        return statement.module or ""
    parts = package.split(".") if package else []
    anchor = parts[: len(parts) - (statement.level - 1)] if statement.level > 1 else parts
    return ".".join([*anchor, *([statement.module] if statement.module else [])])


def _subclasses(classes: tuple[ClassInfo, ...]) -> dict[str, tuple[str, ...]]:
    children: defaultdict[str, set[str]] = defaultdict(set)
    for info in classes:
        for base in info.bases:
            children[base].add(info.qualname)
    closure: dict[str, tuple[str, ...]] = {}
    for root in sorted(children):
        seen: set[str] = set()
        pending = list(children[root])
        while pending:
            current = pending.pop()
            if current not in seen:
                seen.add(current)
                pending.extend(children.get(current, ()))
        closure[root] = tuple(sorted(seen))
    return closure


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base is not None else None
    return None


def _callable_params(function: Function, call: ast.Call) -> tuple[str, ...] | None:
    if function.kind == "function" and not function.class_name:
        return function.params
    if function.kind != "method" or not isinstance(call.func, ast.Attribute):
        return None
    if "staticmethod" in function.decorators:
        return function.params
    if "classmethod" in function.decorators:
        return function.params[1:]
    return None


def operation_name(
    function: Function, functions: Iterable[Function], service_of: Mapping[str, str]
) -> str:
    """The operation a function is called by: its name, prefixed with its class or module
    name when another callable of the same service has that name too."""
    name = function.qualname.rpartition(".")[2]
    service = service_of.get(function.qualname)
    rivals = [
        other
        for other in functions
        if other.qualname != function.qualname
        and other.qualname.rpartition(".")[2] == name
        and service_of.get(other.qualname) == service
        and _is_operation_shaped(other)
    ]
    if not rivals:
        return name
    owner = function.class_name or function.module
    return f"{owner.rpartition('.')[2]}_{name}"


def _is_operation_shaped(function: Function) -> bool:
    if function.kind == "function":
        return function.qualname.rpartition(".")[0] == function.module
    return function.kind == "method" and bool(
        {"staticmethod", "classmethod"} & set(function.decorators)
    )

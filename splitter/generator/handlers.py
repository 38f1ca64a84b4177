"""Rendering a service's Lambda handlers, its clients of other services and its requirements."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from splitter.generator.django_setup import DJANGO_IMPORT
from splitter.generator.layer import is_data_class
from splitter.generator.operations import (
    Operation,
    Parameter,
    annotation_names,
    identifier,
    is_builtin,
    unique,
)
from splitter.generator.rendering import comment_text, python_string, render_template
from splitter.generator.statements import ModuleFacts, resolve_definition
from splitter.generator.trees import TreePlan

POWERTOOLS = "aws-lambda-powertools>=3,<4"
PYDANTIC = "pydantic>=2.7,<3"

_TEMPLATE_NAMES = {
    "Any": "typing",
    "Callable": "collections.abc",
    "Logger": "aws_lambda_powertools",
    "ConfigDict": "pydantic",
    "TypeAdapter": "pydantic",
    "to_jsonable_python": "pydantic_core",
    "NotRequired": "typing_extensions",
    "TypedDict": "typing_extensions",
}
"""Names the handlers template imports itself, with their modules."""

_HANDLER_NAMES = frozenset(
    {*_TEMPLATE_NAMES, "annotations", "logger", "UnknownOperation", "arguments_of", "HANDLERS"}
    | {"arguments_adapter"}
    | {"handle", "event", "context", "arguments", "positional", "keywords", "named", "operation"}
    | {"handler", "dict", "str", "list", "isinstance", "TypeError", "ValueError"}
)
"""Names the handlers module binds or its functions use, which imports must not shadow."""


@dataclass(frozen=True)
class ServiceCode:
    """What one service's handlers and clients are rendered from."""

    service: str
    operations: tuple[Operation, ...]
    tree: TreePlan
    layer: TreePlan
    facts: Mapping[str, ModuleFacts]
    internal: frozenset[str]
    glue: bool = False
    django: bool = False
    """Whether the handlers set Django up (`splitter_django`) before importing the code."""


class _Imports:
    """`from module import name as alias` lines, each alias unique in the module."""

    def __init__(self, reserved: Iterable[str]) -> None:
        self.taken = set(reserved)
        self.bound: dict[tuple[str, str], str] = {}

    def reserve(self, preferred: str) -> str:
        """A free name for something the module defines itself."""
        return unique(identifier(preferred), self.taken)

    def bind(self, module: str, name: str, preferred: str) -> str:
        key = (module, name)
        if key not in self.bound:
            self.bound[key] = unique(identifier(preferred), self.taken)
        return self.bound[key]

    def free(self, module: str, name: str, alias: str | None = None) -> bool:
        """Whether `name` of `module` can be imported as `alias` (default: its own name)."""
        wanted = alias or name
        return self.bound.get((module, name)) == wanted or wanted not in self.taken

    def lines(self) -> list[str]:
        grouped: dict[str, list[str]] = {}
        for (module, name), alias in sorted(self.bound.items()):
            grouped.setdefault(module, []).append(name if name == alias else f"{name} as {alias}")
        return [_from_line(module, names) for module, names in grouped.items()]


def _from_line(module: str, names: Sequence[str]) -> str:
    line = f"from {module} import {', '.join(names)}"
    if len(line) <= 99:
        return line
    inner = "".join(f"    {name},\n" for name in names)
    return f"from {module} import (\n{inner})"


def render_handlers(code: ServiceCode) -> tuple[str, tuple[str, ...]]:
    """The service's `handlers.py`, and notes on annotations it had to read as `Any`."""
    imports = _Imports(_HANDLER_NAMES | {f"handle_{op.name}" for op in code.operations})
    notes: list[str] = []
    views = [_HandlerView.build(op, code, imports, notes) for op in code.operations]
    text = render_template(
        "handlers.py",
        service=code.service,
        operations=views,
        imports=imports.lines(),
        typed=any(view.typed for view in views),
        web=any(view.web for view in views),
        optional=any("NotRequired[" in field for view in views for field in view.fields),
        glue=code.glue,
        django=code.django,
        django_import=DJANGO_IMPORT,
    )
    return text, tuple(notes)


@dataclass(frozen=True)
class _HandlerView:
    """One operation as the handlers template needs it."""

    name: str
    function: str
    handler: str
    docstring: str
    typed: bool
    arguments_class: str
    adapter: str
    fields: tuple[str, ...]
    prelude: tuple[str, ...]
    call: str
    web: bool = False
    """A web view answering with `jsonify`: run in an application, answer with its body."""

    @classmethod
    def build(
        cls, op: Operation, code: ServiceCode, imports: _Imports, notes: list[str]
    ) -> _HandlerView:
        target = _target(op, imports)
        typed = op.call != "opaque"
        fields = tuple(_field(p, op, code, imports, notes) for p in op.parameters)
        prelude, call = _call(op, target)
        return cls(
            name=op.name,
            function=op.function,
            handler=f"handle_{op.name}",
            docstring=_handler_docstring(op),
            typed=typed,
            arguments_class=imports.reserve(_pascal(op.name) + "Arguments"),
            adapter=imports.reserve(f"{op.name.upper()}_ARGUMENTS"),
            fields=fields,
            prelude=prelude,
            call=call,
            web=_web_view(op, code),
        )


_WEB_RESPONSES = frozenset({"jsonify", "make_response"})
"""Flask functions that need an application to build a response."""


def _web_view(op: Operation, code: ServiceCode) -> bool:
    """Whether the operation's function builds a Flask response (`jsonify`, ...)."""
    facts = code.facts.get(op.module)
    if facts is None or op.call != "function":
        return False
    name = op.function.rpartition(".")[2]
    uses = {
        used for s in facts.statements if s.kind == "function" and s.name == name for used in s.uses
    }
    return any(
        imported.bound in uses and imported.module == "flask" and imported.name in _WEB_RESPONSES
        for imported in facts.imports
    )


_DOCSTRING_ROOM = 110
"""Characters a handler's one-line docstring may hold: the line stays within 120."""


def _handler_docstring(op: Operation) -> str:
    """Where the served function comes from; the module is left out when the path names it
    and the full line would be too long."""
    if not op.path:
        return f"Serve {op.function} (generated)."
    full = f"Serve {op.function} ({op.path}:{op.line})."
    if len(full) <= _DOCSTRING_ROOM:
        return full
    return f"Serve {op.function.removeprefix(op.module + '.')} ({op.path}:{op.line})."


def _pascal(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.split("_") if part) or "Operation"


def _target(op: Operation, imports: _Imports) -> str:
    if op.call == "opaque" or op.call == "function":
        top = op.attribute.split(".")[0] if op.attribute else op.function.rpartition(".")[2]
        return imports.bind(op.module, top, op.name)
    head, *rest = op.attribute.split(".")
    alias = imports.bind(op.module, head, head)
    owner = ".".join([alias, *rest[:-1]])
    return f"{owner}().{rest[-1]}" if op.call == "method" else f"{owner}.{rest[-1]}"


def _field(
    parameter: Parameter, op: Operation, code: ServiceCode, imports: _Imports, notes: list[str]
) -> str:
    annotation = parameter.annotation or "Any"
    if parameter.annotation and not _import_annotation(parameter.annotation, op, code, imports):
        notes.append(
            f"{op.function}: the annotation of {parameter.name} ({parameter.annotation}) "
            "names something the handler cannot import; its argument is not converted"
        )
        annotation = "Any"
    if parameter.kind == "var_positional":
        annotation = f"list[{annotation}]"
    elif parameter.kind == "var_keyword":
        annotation = f"dict[str, {annotation}]"
    if not parameter.required:
        annotation = f"NotRequired[{annotation}]"
    return f"{parameter.name}: {annotation}"


def _import_annotation(text: str, op: Operation, code: ServiceCode, imports: _Imports) -> bool:
    """Import the names an annotation uses into the handlers module; False (and nothing
    imported) if one of them cannot be imported under its own name."""
    wanted: list[tuple[str, str, str]] = []
    for name in sorted(n for n in annotation_names(text) if not is_builtin(n)):
        source = _annotation_source(code, op.module, name)
        if source is None:
            return False
        if _from_template(name, source[0]):
            continue
        if not imports.free(source[0], source[1], name):
            return False
        wanted.append((source[0], source[1], name))
    for module, imported, name in wanted:
        imports.bind(module, imported, name)
    return True


def _from_template(name: str, module: str) -> bool:
    """Whether the template already imports `name` from `module` (or its typing twin)."""
    return _TEMPLATE_NAMES.get(name) in (module, _TYPING_TWINS.get(module, module))


_TYPING_TWINS = {"typing": "typing_extensions", "typing_extensions": "typing"}


def _annotation_source(code: ServiceCode, module: str, name: str) -> tuple[str, str] | None:
    """(module, name) the handlers module imports an annotation's name from: where it is
    defined when the service can import it from there, else the operation's module."""
    facts = code.facts[module]
    bound = facts.bindings(name)
    if not bound:
        return None
    imported = facts.imported(bound[0].index, name)
    if imported is not None and imported.module.split(".")[0] not in code.internal:
        return (imported.module, imported.name) if imported.name else None
    found = resolve_definition(code.facts, module, name)
    if found is not None and found[1] in ("class", "function", "other"):
        origin, _, short = found[0].rpartition(".")
        if _importable(code, origin, short):
            return origin, short
    return (module, name) if _importable(code, module, name) else None


def _importable(code: ServiceCode, module: str, name: str) -> bool:
    """Whether the service's folder, or else the layer, has `module` binding `name`."""
    kept = code.tree.modules.get(module) or code.layer.modules.get(module)
    return kept is not None and name in kept.names


def _call(op: Operation, target: str) -> tuple[tuple[str, ...], str]:
    """(statements before the call, the call) passing each parameter the way it is declared."""
    kinds = {p.kind: p.name for p in op.parameters}
    only = [python_string(p.name) for p in op.parameters if p.kind == "positional_only"]
    prelude: list[str] = []
    if only:
        names = f"({', '.join(only)}{',' if len(only) == 1 else ''})"
        prelude.append(
            f"positional = [arguments.pop(name) for name in {names} if name in arguments]"
        )
    if "var_positional" in kinds:
        extend = "+=" if only else "="
        key = python_string(kinds["var_positional"])
        prelude.append(f"positional {extend} list(arguments.pop({key}, []))")
    if "var_keyword" in kinds:
        prelude.append(f"keywords = arguments.pop({python_string(kinds['var_keyword'])}, {{}})")
    args = ["*positional"] if prelude and (only or "var_positional" in kinds) else []
    args.append("**arguments")
    if "var_keyword" in kinds:
        args.append("**keywords")
    return tuple(prelude), f"{target}({', '.join(args)})"


def client_names(calls: Iterable[Operation]) -> dict[str, str]:
    """The client function of each remote operation: `<service>_<operation>`, unique and
    clear of the names `splitter_remote` defines itself."""
    taken = set(_REMOTE_NAMES)
    return {
        op.function: unique(identifier(f"{op.service}_{op.name}"), taken)
        for op in sorted(calls, key=lambda o: (o.service, o.name))
    }


def render_requirements(service: str, packages: Sequence[str]) -> str:
    """`requirements.txt` of a service: the handlers' libraries and what the code imports."""
    lines = [
        _comment_line(f"What the {service} service's functions install; boto3 comes with Lambda."),
        POWERTOOLS,
        PYDANTIC,
        *(
            f"{name}  # imported by the carried code: pin the monolith's version"
            for name in packages
        ),
    ]
    return "\n".join(lines) + "\n"


def render_layer_requirements(packages: Sequence[str]) -> str:
    """`requirements.txt` of the shared layer: the libraries its code imports."""
    lines = [
        "# What the shared layer's code imports: pin the versions the monolith runs with.",
        *packages,
    ]
    return "\n".join(lines) + "\n"


def _comment_line(text: str) -> str:
    """`text` as one comment line."""
    return f"# {comment_text(text)}"


def decodable(
    op: Operation, facts: Mapping[str, ModuleFacts], layer: TreePlan
) -> dict[str, str] | None:
    """The imports (name -> module) that decoding `op`'s result needs, None if it cannot be.

    Results are decoded when the return annotation only names builtins, the standard
    library or data classes and enums the shared layer holds.
    """
    if not op.returns or '"' in op.returns or "'" in op.returns:
        return None
    needed: dict[str, str] = {}
    for name in sorted(annotation_names(op.returns)):
        if is_builtin(name):
            continue
        found = resolve_definition(facts, op.module, name)
        if found is None:
            return None
        module, _, short = found[0].rpartition(".")
        if short != name:
            return None
        if found[1] == "external" and module.split(".")[0] in sys.stdlib_module_names:
            needed[name] = module
            continue
        kept = layer.modules.get(module)
        if found[1] != "class" or kept is None or short not in kept.names:
            return None
        if not is_data_class(facts, module, short):
            return None
        needed[name] = module
    return needed


def decodable_results(
    operations: Mapping[str, Sequence[Operation]],
    facts: Mapping[str, ModuleFacts],
    layer: TreePlan,
) -> dict[str, dict[str, str]]:
    """Function -> the imports `decodable` finds, for every operation whose result can be."""
    found = {}
    for service in sorted(operations):
        for op in operations[service]:
            needed = decodable(op, facts, layer)
            if needed is not None:
                found[op.function] = needed
    return found


_REMOTE_NAMES = frozenset(
    {"annotations", "importlib", "json", "os", "re", "Callable", "Mapping", "cache", "Any"}
    | {"NoReturn", "ConfigDict", "TypeAdapter", "to_jsonable_python", "Invoker", "UNSET"}
    | {"SHARED_ERRORS", "RemoteError", "raise_remote_error", "function_variable", "invoke"}
    | {"lambda_client", "invoke_lambda", "set_invoker", "result_adapter", "decoded"}
)
"""Names `splitter_remote` binds itself."""


@dataclass(frozen=True)
class RemoteCode:
    """What one service's `splitter_remote.py` is rendered from."""

    service: str
    calls: tuple[Operation, ...]
    clients: Mapping[str, str]
    errors: Mapping[str, str]
    granularity: str
    facts: Mapping[str, ModuleFacts]
    layer: TreePlan


@dataclass(frozen=True)
class _StubView:
    name: str
    service: str
    operation: str
    signature: str
    arguments: str
    docstring: str
    adapter: str
    returns: str


def render_remote(code: RemoteCode) -> str:
    """The service's `splitter_remote.py`: one client function per operation it calls."""
    taken = set(_REMOTE_NAMES) | set(code.clients.values())
    taken |= {p.name for op in code.calls for p in op.parameters}
    helper = unique("call", taken)
    imports = _Imports(taken)
    stubs = [_stub(op, code, helper, imports, taken) for op in _sorted(code.calls)]
    return render_template(
        "splitter_remote.py",
        service=code.service,
        granularity=code.granularity,
        errors=sorted(code.errors.items()),
        imports=imports.lines(),
        decoding=any(stub.adapter for stub in stubs),
        call=helper,
        stubs=stubs,
    )


def _sorted(calls: Iterable[Operation]) -> list[Operation]:
    return sorted(calls, key=lambda op: (op.service, op.name))


def _stub(
    op: Operation, code: RemoteCode, helper: str, imports: _Imports, taken: set[str]
) -> _StubView:
    name = code.clients[op.function]
    needed = decodable(op, code.facts, code.layer)
    adapter = ""
    if needed is not None and all(imports.free(m, n) for n, m in needed.items()):
        for short, module in needed.items():
            imports.bind(module, short, short)
        adapter = unique(f"{name.upper()}_RESULT", taken)
    params, items = _signature(op.parameters)
    arguments = _wrap_arguments(items)
    if op.call == "opaque":
        params, arguments = ["**arguments: Any"], "dict(arguments)"
    where = f"{op.path}:{op.line}" if op.path else op.function
    return _StubView(
        name=name,
        service=op.service,
        operation=op.name,
        signature=_wrap_signature(name, params),
        arguments=arguments,
        docstring=f"Call {op.name} of the {op.service} service ({where}).",
        adapter=adapter,
        returns=op.returns,
    )


def _signature(parameters: Sequence[Parameter]) -> tuple[list[str], list[str]]:
    """(the client's parameters, the items of its arguments dict)."""
    params: list[str] = []
    items: list[str] = []
    kinds = [p.kind for p in parameters]
    for index, parameter in enumerate(parameters):
        bare_star = "var_positional" not in kinds and kinds.index(parameter.kind) == index
        if parameter.kind == "keyword_only" and bare_star:
            params.append("*")
        default = "" if parameter.required else " = UNSET"
        if parameter.kind == "var_positional":
            params.append(f"*{parameter.name}: Any")
            items.append(f"{python_string(parameter.name)}: list({parameter.name})")
        elif parameter.kind == "var_keyword":
            params.append(f"**{parameter.name}: Any")
            items.append(f"{python_string(parameter.name)}: {parameter.name}")
        else:
            params.append(f"{parameter.name}: Any{default}")
            items.append(f"{python_string(parameter.name)}: {parameter.name}")
        if parameter.kind == "positional_only" and kinds[index + 1 : index + 2] != [
            "positional_only"
        ]:
            params.append("/")
    return params, items


def _wrap_signature(name: str, params: list[str]) -> str:
    line = f"def {name}({', '.join(params)}) -> Any:"
    if len(line) <= 99:
        return ", ".join(params)
    return "\n" + "".join(f"    {param},\n" for param in params)


def _wrap_arguments(items: list[str]) -> str:
    arguments = "{" + ", ".join(items) + "}"
    if len(f"    arguments = {arguments}") <= 99:
        return arguments
    return "{\n" + "".join(f"        {item},\n" for item in items) + "    }"

"""The `splitter_glue.py` of a service: the glue steps of the workflows it owns, as operations."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from splitter.generator.django_setup import DJANGO_IMPORT
from splitter.generator.workflow_model import GlueStep, WorkflowTranslation

GLUE_MODULE = "splitter_glue"

_HEADER = '''"""Glue steps of the workflows the {service} service owns.

Each function runs statements of a workflow's entry point that the States Language cannot
express (its docstring says which lines and why); the state machine calls it as an operation
of this service with the workflow's variables and stores what it returns.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import ConfigDict, TypeAdapter
from pydantic_core import ValidationError as _Invalid
from pydantic_core import to_jsonable_python
'''

_HELPERS = '''

def _caught(error: Any, classes: dict[str, type[BaseException]]) -> Any:
    """The exception a state machine caught (`{"Error": name, "Cause": message}`) as an object."""
    if not isinstance(error, dict):
        return error
    cls = classes.get(str(error.get("Error")))
    if cls is None:
        return error
    cause = error.get("Cause") or ""
    try:
        return cls(cause)
    except TypeError:  # a constructor with other arguments: keep the message, skip __init__
        instance = cls.__new__(cls)
        instance.args = (cause,)
        return instance


def _adapter(annotation: Any) -> TypeAdapter[Any] | None:
    """Rebuilds values of the type `annotation` from JSON; None if pydantic cannot."""
    # a data class carries its own config and takes none; other types may hold arbitrary ones
    for config in (ConfigDict(arbitrary_types_allowed=True), None):
        try:
            return TypeAdapter(annotation, config=config)
        except Exception:  # a type pydantic has no schema for
            continue
    return None


def _rebuilt(adapter: TypeAdapter[Any] | None, value: Any) -> Any:
    """`value` as the type it had in the monolith; as it came if that cannot be done."""
    if adapter is None or value is None:
        return value
    try:
        return adapter.validate_python(value)
    except _Invalid:
        return value


def _handler(
    function: Callable[[dict[str, Any]], dict[str, Any]],
    caught: dict[str, dict[str, type[BaseException]]],
    types: dict[str, Any],
) -> Callable[[dict[str, Any], Any], Any]:
    adapters = {name: _adapter(annotation) for name, annotation in types.items()}

    def handle(event: dict[str, Any], context: Any) -> Any:
        variables = dict((event.get("arguments") or {}).get("variables") or {})
        for name, classes in caught.items():
            if name in variables:
                variables[name] = _caught(variables[name], classes)
        for name, adapter in adapters.items():
            if name in variables:
                variables[name] = _rebuilt(adapter, variables[name])
        return to_jsonable_python(function(variables))

    handle.__doc__ = function.__doc__
    return handle
'''


@dataclass(frozen=True)
class ResultType:
    """The return annotation of an operation, and the (name, module) imports it needs."""

    annotation: str
    imports: tuple[tuple[str, str], ...]


def typed_glue(
    translation: WorkflowTranslation, results: Mapping[str, ResultType]
) -> WorkflowTranslation:
    """The translation with each glue parameter that holds an operation's result typed.

    A Task's result crosses the state machine as JSON; the glue function gets it back as the
    type the operation returns (its `results` entry), so `order.id` works as it did in the
    monolith. A variable some glue step sets too, or that Tasks of different types set, is
    left as JSON.
    """
    set_by_glue = {name for step in translation.glue for name in step.assigns}
    found: dict[str, set[ResultType | None]] = defaultdict(set)
    for task in translation.tasks:
        if task.result and task.result not in set_by_glue:
            found[task.result].add(results.get(task.function))
    known = {
        name: next(iter(types))
        for name, types in found.items()
        if len(types) == 1 and None not in types
    }
    glue = tuple(_typed(step, known) for step in translation.glue)
    return replace(translation, glue=glue)


def _typed(step: GlueStep, known: Mapping[str, ResultType | None]) -> GlueStep:
    caught = {name for name, _ in step.caught}
    typed = {
        name: result
        for name in step.parameters
        if name not in caught and (result := known.get(name)) is not None
    }
    if not typed:
        return step
    imports = sorted({pair for result in typed.values() for pair in result.imports})
    types = tuple((name, result.annotation) for name, result in typed.items())
    return replace(step, types=types, type_imports=tuple(imports))


def render_glue_module(service: str, steps: Sequence[GlueStep], *, django: bool = False) -> str:
    """The glue module of `service`: each step's function and `GLUE_HANDLERS` by operation;
    with `django`, it sets Django up first (its handlers can be a function's entry)."""
    lines = [_HEADER.format(service=service)]
    if django:
        lines.append(DJANGO_IMPORT)
    lines += _imports(steps)
    lines.append(_HELPERS)
    for step in sorted(steps, key=lambda s: s.function):
        lines.append("\n" + step.source())
    lines.append("\nGLUE_HANDLERS: dict[str, Callable[[dict[str, Any], Any], Any]] = {")
    for step in sorted(steps, key=lambda s: s.function):
        handler = f"_handler({step.function}, {_caught_map(step)}, {_types_map(step)})"
        lines.append(f"    {step.function!r}: {handler},")
    lines.append("}")
    lines.append("")
    lines.append("# one handler per glue step, for one Lambda function per operation")
    for step in sorted(steps, key=lambda s: s.function):
        lines.append(f"{glue_handler(step.function)} = GLUE_HANDLERS[{step.function!r}]")
    return "\n".join(lines) + "\n"


def glue_handler(function: str) -> str:
    """The name of a glue step's own handler in the glue module."""
    return f"handle_{function}"


def _imports(steps: Sequence[GlueStep]) -> list[str]:
    names: dict[str, set[str]] = defaultdict(set)
    for step in steps:
        names[step.module].update(step.module_names)
        for _, classes in step.caught:
            for qualname in classes:
                module, _, name = qualname.rpartition(".")
                names[module].add(name)
        for name, module in step.type_imports:
            names[module].add(name)
    lines = [""]
    taken: set[str] = set()
    for module in sorted(names):
        fresh = sorted(names[module] - taken)
        taken.update(fresh)
        if fresh:
            lines.append(f"from {module} import {', '.join(fresh)}")
    return lines


def _caught_map(step: GlueStep) -> str:
    entries = []
    for name, classes in step.caught:
        inner = ", ".join(f"{q.rpartition('.')[2]!r}: {q.rpartition('.')[2]}" for q in classes)
        entries.append(f"{name!r}: {{{inner}}}")
    return "{" + ", ".join(entries) + "}"


def _types_map(step: GlueStep) -> str:
    return "{" + ", ".join(f"{name!r}: {annotation}" for name, annotation in step.types) + "}"

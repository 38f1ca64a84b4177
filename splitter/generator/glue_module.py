"""The `splitter_glue.py` of a service: the glue steps of the workflows it owns, as operations."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from splitter.generator.workflow_model import GlueStep

GLUE_MODULE = "splitter_glue"

_HEADER = '''"""Glue steps of the workflows the {service} service owns.

Each function runs statements of a workflow's entry point that the States Language cannot
express (its docstring says which lines and why); the state machine calls it as an operation
of this service with the workflow's variables and stores what it returns.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
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


def _handler(
    function: Callable[[dict[str, Any]], dict[str, Any]],
    caught: dict[str, dict[str, type[BaseException]]],
) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    def handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
        variables = dict((event.get("arguments") or {}).get("variables") or {})
        for name, classes in caught.items():
            if name in variables:
                variables[name] = _caught(variables[name], classes)
        return function(variables)

    handle.__doc__ = function.__doc__
    return handle
'''


def render_glue_module(service: str, steps: Sequence[GlueStep]) -> str:
    """The glue module of `service`: each step's function and `GLUE_HANDLERS` by operation."""
    lines = [_HEADER.format(service=service)]
    lines += _imports(steps)
    lines.append(_HELPERS)
    for step in sorted(steps, key=lambda s: s.function):
        lines.append("\n" + step.source())
    lines.append("\nGLUE_HANDLERS: dict[str, Callable[[dict[str, Any], Any], dict[str, Any]]] = {")
    for step in sorted(steps, key=lambda s: s.function):
        lines.append(f"    {step.function!r}: _handler({step.function}, {_caught_map(step)}),")
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

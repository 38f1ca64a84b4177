"""The monolith's side of verification: its entry points called in-process, outcomes as JSON.

Running the monolith's code happens here and only here, because the user asked
`splitter verify` to compare it with the generated application; `splitter analyze` never
imports or runs it.
"""

from __future__ import annotations

import functools
import inspect
import io
import json
import typing
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from splitter.errors import InputError
from splitter.local.isolation import Runtime

EXIT_ERROR = "Runtime.ExitError"
"""The error name Lambda gives an invocation whose code exits (`sys.exit`)."""


@dataclass(frozen=True)
class Outcome:
    """What one run ended with: a JSON value, or an error by its class name."""

    value: Any = None
    error: str | None = None
    message: str = ""

    @property
    def failed(self) -> bool:
        return self.error is not None

    def __str__(self) -> str:
        if self.failed:
            return f"raised {self.error}: {self.message}"
        return f"returned {json.dumps(self.value, sort_keys=True)[:200]}"

    def to_json(self) -> dict[str, Any]:
        if self.failed:
            return {"error": self.error, "message": self.message}
        return {"value": self.value}


def import_root(path: Path) -> Path:
    """The folder to put on `sys.path`: a package's parent, or the folder itself."""
    path = path.resolve()
    while (path / "__init__.py").exists():
        path = path.parent
    return path


def find_entry(runtime: Runtime, qualname: str) -> Callable[..., Any]:
    """The function `pkg.mod.Class.method` names, importing the longest module prefix."""
    parts = qualname.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        module_name = ".".join(parts[:cut])
        if not runtime.has_module(module_name):
            continue
        try:
            value: Any = runtime.module(module_name)
        except ModuleNotFoundError:
            continue
        try:
            for part in parts[cut:]:
                value = getattr(value, part)
        except AttributeError:
            break
        if callable(value):
            return typing.cast(Callable[..., Any], value)
    raise InputError(
        f"cannot find the entry point {qualname} in the monolith at {runtime.search_path[0]}",
        hint="give the folder that was analyzed: splitter verify PATH (as in the plan's root)",
    )


def parameters_of(function: Callable[..., Any]) -> list[inspect.Parameter]:
    """The parameters a caller passes by name (not *args/**kwargs)."""
    kinds = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    return [p for p in inspect.signature(function).parameters.values() if p.kind in kinds]


def type_hints(function: Callable[..., Any]) -> dict[str, Any]:
    """The function's annotations evaluated; none when they cannot be (a missing import)."""
    try:
        return typing.get_type_hints(function)
    except Exception:  # an annotation naming something that is not importable here
        return {}


def adapter_for(hint: Any) -> Any:
    """A pydantic `TypeAdapter` for an annotation, built once per annotation; None for no
    annotation, `Any`, or a type pydantic has no schema for (the handlers pass those on)."""
    if hint is None or hint is Any:
        return None
    try:
        return _cached_adapter(hint)
    except TypeError:  # an annotation that cannot be a cache key
        return _adapter(hint)


def _adapter(hint: Any) -> Any:
    from pydantic import TypeAdapter

    try:
        return TypeAdapter(hint)
    except Exception:  # pydantic has no schema for it
        return None


_cached_adapter = functools.lru_cache(maxsize=512)(_adapter)


def decode_arguments(function: Callable[..., Any], given: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON input decoded to the annotated types, as the generated handlers decode it."""
    hints = type_hints(function)
    decoded = {}
    for name, value in given.items():
        adapter = adapter_for(hints.get(name))
        try:
            decoded[name] = value if adapter is None else adapter.validate_python(value)
        except Exception:  # an input the annotation refuses reaches the code as it is
            decoded[name] = value
    return decoded


def contract_violation(function: Callable[..., Any], given: Mapping[str, Any]) -> str | None:
    """Why an input falls outside the entry point's signature and annotations, if it does.

    The generated handlers decode their arguments by the annotations and refuse what does
    not fit, where the monolith would let it in and fail later, or not at all; such inputs
    say nothing about the split, so verification reports them apart.
    """
    parameters = parameters_of(function)
    names = {parameter.name for parameter in parameters}
    unknown = sorted(set(given) - names)
    if unknown:
        return f"no parameter {', '.join(unknown)}"
    for parameter in parameters:
        if parameter.default is inspect.Parameter.empty and parameter.name not in given:
            return f"the required argument {parameter.name} is missing"
    hints = type_hints(function)
    for name, value in given.items():
        adapter = adapter_for(hints.get(name))
        if adapter is None:
            continue
        try:
            adapter.validate_python(value)
        except Exception as error:  # pydantic's ValidationError
            first = str(error).splitlines()
            return f"{name}={json.dumps(value)[:60]} does not fit {_hint_name(hints[name])}" + (
                f" ({first[2].strip()})" if len(first) > 2 else ""
            )
    return None


def _hint_name(hint: Any) -> str:
    return getattr(hint, "__name__", None) or str(hint).replace("typing.", "")


def to_json(value: Any) -> Any:
    """A return value as a Lambda handler would encode it; web responses by their JSON body."""
    from pydantic_core import to_jsonable_python

    if isinstance(value, tuple) and value and _is_response(value[0]):
        value = value[0]
    if _is_response(value):
        value = value.get_json()
    return json.loads(json.dumps(to_jsonable_python(value)))


def _is_response(value: Any) -> bool:
    return callable(getattr(value, "get_json", None)) and hasattr(value, "status_code")


def call_entry(
    runtime: Runtime,
    function: Callable[..., Any],
    given: Mapping[str, Any],
    around: Callable[[], AbstractContextManager[Any]] | None = None,
) -> Outcome:
    """Call the entry point on a JSON input inside its runtime; any exception is an outcome."""
    output = io.StringIO()  # what the code prints or logs is not part of the comparison
    with runtime.active(), redirect_stdout(output), redirect_stderr(output):
        try:
            with around() if around is not None else nullcontext():
                result = function(**decode_arguments(function, given))
                return Outcome(value=to_json(result))
        except SystemExit as exit_:  # what Lambda reports for a function that exits
            return Outcome(error=EXIT_ERROR, message=f"exit status {exit_.code}")
        except Exception as error:  # the behaviour being compared includes every exception
            return Outcome(error=type(error).__name__, message=str(error))

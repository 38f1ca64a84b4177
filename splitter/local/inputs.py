"""Inputs for verification: the generated example events, the user's cases, derived ones.

Derived inputs come from hypothesis, seeded and bounded so that the same settings give the
same inputs. Each argument is drawn from its type annotation, mixed with the values the
known cases and events give that argument (so derived inputs reach past the first check of
an unknown id), and an argument with a default may be left out. Unannotated arguments with
no known values get small JSON values.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import inspect
import json
import typing
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from splitter.local.cases import Case
from splitter.local.monolith import parameters_of, type_hints

_OMITTED = object()
P = ParamSpec("P")
R = TypeVar("R")


def example_events(generated: Path, workflow: str) -> list[Case]:
    """The example inputs `splitter generate` wrote under `events/<workflow>/`."""
    cases = []
    for path in sorted((generated / "events" / workflow).glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and set(data) == {"comment", "input"}:
            data = data["input"]
        if isinstance(data, dict):
            cases.append(Case(workflow, data, path.stem, f"events/{workflow}/{path.name}"))
    return cases


def known_values(cases: Iterable[Case]) -> dict[str, list[Any]]:
    """Every distinct value the cases give each argument, in the order first seen."""
    values: dict[str, list[Any]] = {}
    seen: set[tuple[str, str]] = set()
    for case in cases:
        for name, value in case.input.items():
            key = (name, json.dumps(value, sort_keys=True))
            if value is not None and key not in seen:
                seen.add(key)
                values.setdefault(name, []).append(value)
    return values


def _quietly(function: Callable[P, R]) -> Callable[P, R]:
    """Run `function` with warnings silenced: hypothesis's advice is for test authors."""

    @functools.wraps(function)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return function(*args, **kwargs)

    return run


@_quietly
def derived_cases(
    workflow: str,
    function: Callable[..., Any],
    known: Mapping[str, Sequence[Any]],
    count: int,
    seed: int = 0,
    bases: Sequence[Mapping[str, Any]] = (),
    storage: Path | None = None,
) -> list[Case]:
    """`count` distinct inputs drawn for the entry point's parameters.

    Half of them, when `bases` (the given cases' inputs) are known, start from one of those
    inputs and redraw some of its arguments: inputs that pass the first checks and go deep.
    hypothesis keeps its caches in `storage` (by default `.hypothesis/` where it runs).
    """
    with _hypothesis_home(storage):
        return _drawn(workflow, function, known, count, seed, bases)


@contextmanager
def _hypothesis_home(storage: Path | None) -> Iterator[None]:
    """hypothesis's storage folder set to `storage` for a while, then put back."""
    if storage is None:
        yield
        return
    from hypothesis import configuration

    saved = vars(configuration).get("__hypothesis_home_directory")
    configuration.set_hypothesis_home_dir(storage)
    try:
        yield
    finally:
        configuration.set_hypothesis_home_dir(saved)


def _drawn(
    workflow: str,
    function: Callable[..., Any],
    known: Mapping[str, Sequence[Any]],
    count: int,
    seed: int,
    bases: Sequence[Mapping[str, Any]],
) -> list[Case]:
    if count <= 0:
        return []
    from hypothesis import HealthCheck, given, settings
    from hypothesis import seed as seeded
    from hypothesis import strategies as st
    from pydantic_core import to_jsonable_python

    hints = type_hints(function)
    fields = {}
    for parameter in parameters_of(function):
        strategy = _argument(parameter, hints.get(parameter.name), known.get(parameter.name, ()))
        fields[parameter.name] = strategy
    drawn: list[dict[str, Any]] = []
    optional = {p.name for p in parameters_of(function) if p.default is not inspect.Parameter.empty}

    examples = st.fixed_dictionaries(fields)
    if bases:
        examples = st.one_of(
            st.sampled_from(list(bases)).flatmap(lambda base: _varied(base, fields)), examples
        )

    @settings(
        max_examples=count * 3,  # repeats are dropped: draw more than needed
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @seeded(seed)
    @given(examples)
    def collect(values: dict[str, Any]) -> None:
        arguments = {}
        for name, value in values.items():
            if value is _OMITTED:
                continue
            try:
                arguments[name] = json.loads(json.dumps(to_jsonable_python(value)))
            except Exception:  # an object JSON cannot carry: the argument is left out
                if name not in optional:
                    return
        drawn.append(arguments)

    collect()
    cases: list[Case] = []
    seen: set[str] = set()
    for arguments in drawn:
        if len(cases) == count:
            break
        key = json.dumps(arguments, sort_keys=True)
        if key not in seen:
            seen.add(key)
            cases.append(Case(workflow, arguments, f"derived {len(cases) + 1}", "derived"))
    return cases


def _varied(base: Mapping[str, Any], fields: Mapping[str, Any]) -> Any:
    """Inputs like `base`: each argument kept (three times in four) or redrawn."""
    from hypothesis import strategies as st

    def kept_or_drawn(value: Any, strategy: Any) -> Any:
        return st.sampled_from((False, True, True, True)).flatmap(
            lambda keep: st.just(value) if keep else strategy
        )

    return st.fixed_dictionaries(
        {
            name: kept_or_drawn(base[name], strategy) if name in base else strategy
            for name, strategy in fields.items()
        }
    )


def _argument(parameter: inspect.Parameter, hint: Any, known: Sequence[Any]) -> Any:
    from hypothesis import strategies as st

    options = []
    if known:
        options.append(st.sampled_from(list(known)))
    if hint is None or hint is Any:
        options.append(_json_values())
    elif _plain_data(hint):
        typed = _from_hint(hint)
        options.append(typed if typed is not None else _json_values())
    else:  # an object JSON cannot carry: only its absence can come in an input
        options.append(st.none())
    strategy = st.one_of(*options)
    if parameter.default is not inspect.Parameter.empty:
        strategy = st.one_of(st.just(_OMITTED), strategy)
    return strategy


def _from_hint(hint: Any) -> Any:
    from hypothesis import strategies as st

    if hint is None or hint is Any:
        return None
    if hint is int:  # ids and quantities: small numbers reach existing rows
        return st.one_of(st.integers(min_value=0, max_value=8), st.integers(-2, 60))
    if hint is str:
        return st.text(max_size=12)
    try:
        strategy = st.from_type(hint)
        strategy.validate()
    except Exception:  # a type hypothesis cannot build (a protocol, a forward reference)
        return None
    return strategy


def _json_values() -> Any:
    from hypothesis import strategies as st

    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-3, max_value=40),
        st.text(max_size=8),
    )
    return st.one_of(scalars, st.lists(scalars, max_size=3))


_SCALARS = (int, float, str, bool, type(None))


def _plain_data(hint: Any) -> bool:
    """Whether values of `hint` are plain data hypothesis can build without running the
    monolith's code: scalars, enums, containers, unions and literals of them, typed dicts,
    and data classes without `__post_init__`. Building anything else means calling one of
    the monolith's constructors, which may touch a database or a file."""
    if hint in _SCALARS or hint is Any:
        return True
    origin = typing.get_origin(hint)
    if origin is typing.Literal:
        return True
    if origin is not None:
        return all(_plain_data(arg) for arg in typing.get_args(hint) if arg is not Ellipsis)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return True
    if typing.is_typeddict(hint):
        return all(_plain_data(field) for field in typing.get_type_hints(hint).values())
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        if hasattr(hint, "__post_init__"):
            return False
        return all(_plain_data(field) for field in typing.get_type_hints(hint).values())
    return False

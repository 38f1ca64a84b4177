"""Structural checks of a state machine definition, independent of any AWS tool."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

MAX_NAME = 80
_SUBSTITUTION = re.compile(r"\$\{([^}]*)\}?")
_ALLOWED_SUBSTITUTION = re.compile(r"[A-Z][A-Za-z0-9]*FunctionArn\Z")
_FLOWING = frozenset({"Task", "Pass", "Map", "Parallel", "Wait"})
_TERMINAL = frozenset({"Succeed", "Fail"})
_TYPES = _FLOWING | _TERMINAL | {"Choice"}
_KINDS = {
    "String": str,
    "Numeric": (int, float),
    "Timestamp": str,
}
_SUFFIXES = ("Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals")
_OPERATORS: dict[str, Any] = {
    **{kind + suffix: value for kind, value in _KINDS.items() for suffix in _SUFFIXES},
    **{kind + suffix + "Path": str for kind in _KINDS for suffix in _SUFFIXES},
    "StringMatches": str,
    "BooleanEquals": bool,
    "BooleanEqualsPath": str,
    **{test: bool for test in ("IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean")},
    "IsTimestamp": bool,
}


def check_definition(definition: Any) -> list[str]:
    """Problems of a state machine definition, as messages naming where; empty when valid.

    Checks every transition target exists at its level (Map and Parallel bodies included),
    every state is reachable and some state ends each level, the fields each state type
    requires, Choice rules, state names (at most 80 characters, unique), and that `${...}`
    substitutions are only `${<Name>FunctionArn}`.
    """
    if not isinstance(definition, dict):
        return ["the definition is not a JSON object"]
    problems = list(_check_machine(definition, ""))
    problems.extend(_check_names(definition))
    problems.extend(_check_substitutions(definition, "$"))
    return problems


def _check_machine(machine: dict[str, Any], where: str) -> Iterator[str]:
    start, states = machine.get("StartAt"), machine.get("States")
    if not isinstance(states, dict) or not states:
        yield f"{where}States: missing or empty"
        return
    if not isinstance(start, str):
        yield f"{where}StartAt: missing"
    elif start not in states:
        yield f"{where}StartAt: no state named {start!r}"
    for name, state in states.items():
        if not isinstance(state, dict):
            yield f"{where}States.{name}: not an object"
            continue
        yield from _check_state(name, state, states, f"{where}States.{name}")
    yield from _check_flow(start, states, where)


def _check_state(
    name: str, state: dict[str, Any], states: dict[str, Any], where: str
) -> Iterator[str]:
    kind = state.get("Type")
    if kind not in _TYPES:
        yield f"{where}.Type: unknown state type {kind!r}"
        return
    for target, field in _transitions(state):
        if target not in states:
            yield f"{where}.{field}: no state named {target!r}"
    if kind in _FLOWING and ("Next" in state) == (state.get("End") is True):
        yield f"{where}: needs exactly one of Next and End"
    if kind not in _FLOWING and ("Next" in state or "End" in state):
        yield f"{where}: a {kind} state takes no Next or End"
    yield from _REQUIRED.get(kind, _no_requirements)(state, where)
    yield from _check_catchers(state, where)


def _transitions(state: dict[str, Any]) -> Iterator[tuple[Any, str]]:
    if "Next" in state:
        yield state["Next"], "Next"
    if "Default" in state:
        yield state["Default"], "Default"
    for index, choice in enumerate(_list(state.get("Choices"))):
        if isinstance(choice, dict):
            yield choice.get("Next"), f"Choices[{index}].Next"
    for index, catcher in enumerate(_list(state.get("Catch"))):
        if isinstance(catcher, dict):
            yield catcher.get("Next"), f"Catch[{index}].Next"


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _no_requirements(state: dict[str, Any], where: str) -> Iterator[str]:
    return iter(())


def _task(state: dict[str, Any], where: str) -> Iterator[str]:
    if not isinstance(state.get("Resource"), str):
        yield f"{where}.Resource: missing"
    for index, retrier in enumerate(_list(state.get("Retry"))):
        if not isinstance(retrier, dict) or not _list(retrier.get("ErrorEquals")):
            yield f"{where}.Retry[{index}].ErrorEquals: missing or empty"


def _choice(state: dict[str, Any], where: str) -> Iterator[str]:
    choices = state.get("Choices")
    if not isinstance(choices, list) or not choices:
        yield f"{where}.Choices: a Choice state needs at least one rule"
        return
    for index, rule in enumerate(choices):
        if not isinstance(rule, dict) or "Next" not in rule:
            yield f"{where}.Choices[{index}]: a top-level rule needs Next"
            continue
        body = {key: value for key, value in rule.items() if key not in ("Next", "Comment")}
        yield from _check_rule(body, f"{where}.Choices[{index}]")


def _check_rule(rule: Any, where: str) -> Iterator[str]:
    if not isinstance(rule, dict):
        yield f"{where}: a rule must be an object"
        return
    if "Next" in rule:
        yield f"{where}: a nested rule takes no Next"
    if set(rule) & {"And", "Or"}:
        key = "And" if "And" in rule else "Or"
        inner = rule[key]
        if len(rule) != 1 or not isinstance(inner, list) or not inner:
            yield f"{where}.{key}: needs a non-empty list of rules and nothing else"
            return
        for index, item in enumerate(inner):
            yield from _check_rule(item, f"{where}.{key}[{index}]")
    elif "Not" in rule:
        if len(rule) != 1:
            yield f"{where}.Not: takes one rule and nothing else"
        yield from _check_rule(rule["Not"], f"{where}.Not")
    else:
        yield from _check_comparison(rule, where)


def _check_comparison(rule: dict[str, Any], where: str) -> Iterator[str]:
    variable = rule.get("Variable")
    if not isinstance(variable, str) or not variable.startswith("$"):
        yield f"{where}.Variable: missing or not a path"
    operators = [key for key in rule if key != "Variable"]
    if len(operators) != 1 or operators[0] not in _OPERATORS:
        yield f"{where}: needs exactly one known comparison, found {operators}"
        return
    operator = operators[0]
    value = rule[operator]
    expected = _OPERATORS[operator]
    wrong_bool = isinstance(value, bool) and expected is not bool
    if not isinstance(value, expected) or wrong_bool:
        yield f"{where}.{operator}: a {type(value).__name__} does not fit"


def _map(state: dict[str, Any], where: str) -> Iterator[str]:
    processor = state.get("ItemProcessor", state.get("Iterator"))
    if not isinstance(processor, dict):
        yield f"{where}.ItemProcessor: missing"
        return
    yield from _check_machine(processor, f"{where}.ItemProcessor.")


def _parallel(state: dict[str, Any], where: str) -> Iterator[str]:
    branches = state.get("Branches")
    if not isinstance(branches, list) or not branches:
        yield f"{where}.Branches: missing or empty"
        return
    for index, branch in enumerate(branches):
        if isinstance(branch, dict):
            yield from _check_machine(branch, f"{where}.Branches[{index}].")
        else:
            yield f"{where}.Branches[{index}]: not an object"


def _fail(state: dict[str, Any], where: str) -> Iterator[str]:
    for field in ("Error", "Cause"):
        if field in state and f"{field}Path" in state:
            yield f"{where}: takes {field} or {field}Path, not both"


_REQUIRED = {
    "Task": _task,
    "Choice": _choice,
    "Map": _map,
    "Parallel": _parallel,
    "Fail": _fail,
}


def _check_catchers(state: dict[str, Any], where: str) -> Iterator[str]:
    catchers = _list(state.get("Catch"))
    for index, catcher in enumerate(catchers):
        errors = _list(catcher.get("ErrorEquals")) if isinstance(catcher, dict) else []
        if not errors:
            yield f"{where}.Catch[{index}].ErrorEquals: missing or empty"
        elif "States.ALL" in errors and (len(errors) > 1 or index != len(catchers) - 1):
            yield f"{where}.Catch[{index}]: States.ALL must stand alone in the last catcher"


def _check_flow(start: Any, states: dict[str, Any], where: str) -> Iterator[str]:
    reached: set[str] = set()
    pending = [start] if start in states else []
    while pending:
        name = pending.pop()
        if name in reached:
            continue
        reached.add(name)
        state = states[name]
        if isinstance(state, dict):
            pending.extend(target for target, _ in _transitions(state) if target in states)
    for name in states:
        if name not in reached:
            yield f"{where}States.{name}: not reachable from StartAt"
    if not any(_ends(state) for state in states.values()):
        yield f"{where}States: no state ends the execution"


def _ends(state: Any) -> bool:
    return isinstance(state, dict) and (state.get("End") is True or state.get("Type") in _TERMINAL)


def _check_names(definition: dict[str, Any]) -> Iterator[str]:
    seen: set[str] = set()
    for name in _all_names(definition):
        if not name or len(name) > MAX_NAME:
            yield f"state name {name!r}: must be 1 to {MAX_NAME} characters"
        if name in seen:
            yield f"state name {name!r}: used more than once"
        seen.add(name)


def _all_names(machine: Any) -> Iterator[str]:
    states = machine.get("States") if isinstance(machine, dict) else None
    if not isinstance(states, dict):
        return
    for name, state in states.items():
        yield name
        if isinstance(state, dict):
            yield from _all_names(state.get("ItemProcessor", state.get("Iterator")))
            for branch in _list(state.get("Branches")):
                yield from _all_names(branch)


def _check_substitutions(value: Any, where: str) -> Iterator[str]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _check_substitutions(key, f"{where}.{key} (key)")
            yield from _check_substitutions(inner, f"{where}.{key}")
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _check_substitutions(inner, f"{where}[{index}]")
    elif isinstance(value, str):
        for match in _SUBSTITUTION.finditer(value):
            if not match.group(0).endswith("}") or not _ALLOWED_SUBSTITUTION.match(match.group(1)):
                yield f"{where}: substitution {match.group(0)!r} is not ${{<Name>FunctionArn}}"

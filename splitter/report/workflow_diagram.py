"""A state machine's Amazon States Language definition as a drawable graph of states.

The picture is the one the Step Functions console shows: a Start and an End, every state
with its transitions (Choice rules, defaults, Catch), a Map's iteration drawn inside it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from splitter.report.graph import SHARED_COLOUR, Diagram, Edge, Node

START = "__start__"
END = "__end__"
_RULE_TEXT = 48
_OPERATORS = (
    ("LessThanEquals", "<="),
    ("GreaterThanEquals", ">="),
    ("LessThan", "<"),
    ("GreaterThan", ">"),
    ("Equals", "=="),
    ("Matches", "matches"),
)


@dataclass(frozen=True)
class StateRoles:
    """What the translation knows about the states: the service each Task calls, which
    Tasks are glue steps, and the colour of each service."""

    task_services: Mapping[str, str] = field(default_factory=dict)
    glue_states: frozenset[str] = frozenset()
    colours: Mapping[str, int] = field(default_factory=dict)


def workflow_diagram(
    name: str, definition: Mapping[str, Any], roles: StateRoles | None = None
) -> Diagram:
    """The states and transitions of `definition` (an ASL document as JSON-ready dicts).

    Args:
        name: the workflow's name, the diagram's title.
        definition: the state machine, with `StartAt` and `States`.
        roles: services and glue steps of the Task states, for colour and detail.

    Returns:
        A layered diagram with a Start and an End node; a Map state is a compound node
        whose inner states have it as `parent`.
    """
    roles = roles or StateRoles()
    nodes = [Node(START, "Start", kind="terminal"), Node(END, "End", kind="terminal")]
    edges = [Edge(START, str(definition.get("StartAt", "")), kind="next")]
    _add_states(definition.get("States", {}), "", roles, nodes, edges)
    known = {node.id for node in nodes}
    kept = tuple(edge for edge in edges if edge.source in known and edge.target in known)
    comment = str(definition.get("Comment", ""))
    return Diagram(name, name, tuple(nodes), kept, note=comment)


def _add_states(
    states: Mapping[str, Any], parent: str, roles: StateRoles, nodes: list[Node], edges: list[Edge]
) -> None:
    for state_name, state in states.items():
        if not isinstance(state, dict):
            continue
        nodes.append(_state_node(state_name, state, parent, roles))
        edges.extend(_transitions(state_name, state, parent))
        inner = _inner_machine(state)
        if inner is not None:
            start = str(inner.get("StartAt", ""))
            edges.append(Edge(state_name, start, label="each item", kind="item"))
            _add_states(inner.get("States", {}), state_name, roles, nodes, edges)


def _state_node(name: str, state: Mapping[str, Any], parent: str, roles: StateRoles) -> Node:
    kind = str(state.get("Type", "Task"))
    service = roles.task_services.get(name, "")
    detail = ""
    if name in roles.glue_states:
        kind, detail = "glue", "glue step"
    elif kind == "Task" and service:
        detail = service
    return Node(
        id=name,
        label=name,
        kind=kind,
        detail=detail,
        parent=parent,
        colour=roles.colours.get(service, SHARED_COLOUR),
        tooltip=str(state.get("Comment", "")),
    )


def _inner_machine(state: Mapping[str, Any]) -> Mapping[str, Any] | None:
    if state.get("Type") != "Map":
        return None
    inner = state.get("ItemProcessor") or state.get("Iterator")
    return inner if isinstance(inner, dict) else None


def _transitions(name: str, state: Mapping[str, Any], parent: str) -> Iterator[Edge]:
    """The edges leaving a state; an ending state at the top level goes to End."""
    ends = state.get("End") is True or state.get("Type") in ("Fail", "Succeed")
    if ends and not parent:
        yield Edge(name, END, kind="fail" if state.get("Type") == "Fail" else "next")
    if isinstance(state.get("Next"), str):
        yield Edge(name, state["Next"], kind="next")
    for choice in state.get("Choices", ()):
        if isinstance(choice, dict) and isinstance(choice.get("Next"), str):
            yield Edge(name, choice["Next"], label=rule_text(choice), kind="choice")
    if isinstance(state.get("Default"), str):
        yield Edge(name, state["Default"], label="default", kind="default")
    for catcher in state.get("Catch", ()):
        if isinstance(catcher, dict) and isinstance(catcher.get("Next"), str):
            errors = ", ".join(str(e) for e in catcher.get("ErrorEquals", ()))
            yield Edge(name, catcher["Next"], label=_short(f"catch {errors}"), kind="catch")


def rule_text(rule: Mapping[str, Any]) -> str:
    """A Choice rule as a short condition: `review_required == true`."""
    return _short(_rule(rule))


def _rule(rule: Mapping[str, Any]) -> str:
    if "And" in rule or "Or" in rule:
        joiner = " and " if "And" in rule else " or "
        return joiner.join(f"({_rule(inner)})" for inner in rule.get("And", rule.get("Or", ())))
    if "Not" in rule:
        return f"not ({_rule(rule['Not'])})"
    variable = _variable(str(rule.get("Variable", "")))
    for key, value in rule.items():
        if key in ("Variable", "Next"):
            continue
        return f"{variable} {_comparison(key, value)}"
    return variable


def _comparison(operator: str, value: Any) -> str:
    shown = _variable(value) if operator.endswith("Path") else _value(value)
    bare = operator.removesuffix("Path")
    if bare.startswith("Is"):
        kind = bare.removeprefix("Is").lower()
        return f"is {kind}" if value is True else f"is not {kind}"
    for suffix, symbol in _OPERATORS:
        if bare.endswith(suffix):
            return f"{symbol} {shown}"
    return f"{bare} {shown}"


def _variable(path: str) -> str:
    """`$.vars.total.value` -> `total`; `$.input.customer_id` -> `input.customer_id`."""
    text = path.removeprefix("$.vars.").removeprefix("$.")
    return text.removesuffix(".value")


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value)
    return str(value)


def _short(text: str) -> str:
    return text if len(text) <= _RULE_TEXT else text[: _RULE_TEXT - 1] + "…"

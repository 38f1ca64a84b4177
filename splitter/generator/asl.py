"""Amazon States Language building blocks as data: value templates, Choice rules and states."""

from __future__ import annotations

import json
import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, TypeAlias

LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"
LAMBDA_TRANSIENT_ERRORS = (
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
)
ALL_ERRORS = "States.ALL"
ERROR_PATH = "$.error"
ASSIGNED_PATH = "$.assigned"
"""Where a step that assigns several variables leaves them until a Store state merges them."""
APPENDED_PATH = "$.appended"
"""Inside a Map iteration: the item each collected list receives from this iteration."""
MAX_STATE_NAME = 80

_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


@dataclass(frozen=True)
class Path:
    """A JSONPath into the state document; a `definite` path selects one node."""

    path: str
    definite: bool = True

    def key(self, key: str) -> Path:
        return Path(self.path + path_key(key), self.definite)

    def index(self, index: int) -> Path:
        return Path(f"{self.path}[{index}]", self.definite)


@dataclass(frozen=True)
class Intrinsic:
    """An intrinsic function call such as `States.Array($.a, 1)`."""

    expression: str


@dataclass(frozen=True)
class Constant:
    """A JSON value written into the definition as it is."""

    value: Any


@dataclass(frozen=True)
class ObjectTemplate:
    """A payload template: fields whose values are paths, intrinsics, constants or objects."""

    fields: tuple[tuple[str, Template], ...]


Template: TypeAlias = Path | Intrinsic | Constant | ObjectTemplate


@dataclass(frozen=True)
class Comparison:
    """A Choice comparison such as `{"Variable": "$.x", "StringEquals": "a"}`."""

    variable: str
    operator: str
    value: Any


@dataclass(frozen=True)
class Not:
    rule: Rule


@dataclass(frozen=True)
class AllOf:
    """`And` of Choice rules."""

    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class AnyOf:
    """`Or` of Choice rules."""

    rules: tuple[Rule, ...]


Rule: TypeAlias = Comparison | Not | AllOf | AnyOf


@dataclass(frozen=True)
class Catcher:
    """Errors a state catches (names matched exactly) and the state that handles them."""

    errors: tuple[str, ...]
    next: str


@dataclass(frozen=True)
class LambdaTask:
    """A Task invoking one operation of a service's Lambda function."""

    comment: str
    service: str
    operation: str
    arguments: ObjectTemplate
    result_selector: ObjectTemplate | None
    result_path: str | None
    catchers: tuple[Catcher, ...]
    next: str


@dataclass(frozen=True)
class PassState:
    """A Pass state: copies, builds or sets a value; `next` None ends the execution."""

    comment: str
    next: str | None
    parameters: ObjectTemplate | None = None
    result: Constant | None = None
    result_path: str | None = None
    output_path: str | None = None


@dataclass(frozen=True)
class ChoiceState:
    comment: str
    choices: tuple[tuple[Rule, str], ...]
    default: str


@dataclass(frozen=True)
class FailState:
    comment: str
    error: str | None = None
    cause: str | None = None
    error_path: str | None = None
    cause_path: str | None = None


@dataclass(frozen=True)
class MapState:
    """An inline Map over a list, one iteration at a time like the Python loop it replaces."""

    comment: str
    items_path: str
    item_selector: ObjectTemplate
    start_at: str
    states: tuple[tuple[str, State], ...]
    result_selector: ObjectTemplate | None
    result_path: str | None
    catchers: tuple[Catcher, ...]
    next: str


State: TypeAlias = LambdaTask | PassState | ChoiceState | FailState | MapState


def path_key(key: str) -> str:
    """The JSONPath step selecting `key`: `.key`, or `['key']` for any other spelling."""
    if _PLAIN_KEY.match(key):
        return f".{key}"
    escaped = key.replace("\\", "\\\\").replace("'", "\\'")
    return f"['{escaped}']"


def intrinsic_string(text: str) -> str:
    """`text` as a quoted string argument of an intrinsic function."""
    escaped = "".join(f"\\{char}" if char in "'{}\\" else char for char in text)
    return f"'{escaped}'"


def intrinsic_argument(value: Path | Constant) -> str | None:
    """An intrinsic function argument, or None for values intrinsics cannot take."""
    if isinstance(value, Path):
        return value.path if value.definite else None
    constant = value.value
    if isinstance(constant, str):
        return intrinsic_string(constant)
    if constant is None or isinstance(constant, bool):
        return json.dumps(constant)
    if isinstance(constant, int | float) and math.isfinite(constant):
        return json.dumps(constant)
    return None


def pascal_case(name: str) -> str:
    """`reserve_stock` -> `ReserveStock`, reduced to the letters state names allow."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    words = re.split(r"[^A-Za-z0-9]+", ascii_name)
    return "".join(word[:1].upper() + word[1:] for word in words if word)


def function_arn(service: str) -> str:
    """The substitution naming a service's function: `${OrdersFunctionArn}`."""
    return "${" + (pascal_case(service) or "Service") + "FunctionArn}"


def render_template(template: Template) -> Any:
    """The JSON of a template used as a field value (paths and intrinsics need a `.$` key)."""
    if isinstance(template, ObjectTemplate):
        return dict(render_field(key, value) for key, value in template.fields)
    if isinstance(template, Constant):
        return template.value
    if isinstance(template, Path):
        return template.path
    return template.expression


def render_field(key: str, template: Template) -> tuple[str, Any]:
    if isinstance(template, Path | Intrinsic):
        return f"{key}.$", render_template(template)
    return key, render_template(template)


def render_object(template: ObjectTemplate) -> dict[str, Any]:
    return dict(render_field(key, value) for key, value in template.fields)


def render_rule(rule: Rule) -> dict[str, Any]:
    if isinstance(rule, Comparison):
        return {"Variable": rule.variable, rule.operator: rule.value}
    if isinstance(rule, Not):
        return {"Not": render_rule(rule.rule)}
    key = "And" if isinstance(rule, AllOf) else "Or"
    return {key: [render_rule(inner) for inner in rule.rules]}


def retry_policy() -> list[dict[str, Any]]:
    """The retry every Lambda task gets on the service's own transient failures."""
    return [
        {
            "ErrorEquals": list(LAMBDA_TRANSIENT_ERRORS),
            "IntervalSeconds": 1,
            "MaxAttempts": 3,
            "BackoffRate": 2,
        }
    ]


def render_state(state: State) -> dict[str, Any]:
    """One state as JSON, its keys in the order a person reads them."""
    if isinstance(state, LambdaTask):
        return _render_task(state)
    if isinstance(state, PassState):
        return _render_pass(state)
    if isinstance(state, ChoiceState):
        choices = [{**render_rule(rule), "Next": target} for rule, target in state.choices]
        return {
            "Type": "Choice",
            "Comment": state.comment,
            "Choices": choices,
            "Default": state.default,
        }
    if isinstance(state, FailState):
        return _render_fail(state)
    return _render_map(state)


def _render_task(state: LambdaTask) -> dict[str, Any]:
    payload = {"operation": state.operation, "arguments": render_object(state.arguments)}
    rendered: dict[str, Any] = {
        "Type": "Task",
        "Comment": state.comment,
        "Resource": LAMBDA_INVOKE,
        "Parameters": {"FunctionName": function_arn(state.service), "Payload": payload},
    }
    if state.result_selector is not None:
        rendered["ResultSelector"] = render_object(state.result_selector)
    rendered["ResultPath"] = state.result_path
    rendered["Retry"] = retry_policy()
    if state.catchers:
        rendered["Catch"] = _render_catchers(state.catchers)
    rendered["Next"] = state.next
    return rendered


def _render_catchers(catchers: tuple[Catcher, ...]) -> list[dict[str, Any]]:
    return [
        {"ErrorEquals": list(catcher.errors), "ResultPath": ERROR_PATH, "Next": catcher.next}
        for catcher in catchers
    ]


def _render_pass(state: PassState) -> dict[str, Any]:
    rendered: dict[str, Any] = {"Type": "Pass", "Comment": state.comment}
    if state.parameters is not None:
        rendered["Parameters"] = render_object(state.parameters)
    if state.result is not None:
        rendered["Result"] = state.result.value
    if state.result_path is not None:
        rendered["ResultPath"] = state.result_path
    if state.output_path is not None:
        rendered["OutputPath"] = state.output_path
    rendered.update({"End": True} if state.next is None else {"Next": state.next})
    return rendered


def _render_fail(state: FailState) -> dict[str, Any]:
    fields = {
        "Error": state.error,
        "ErrorPath": state.error_path,
        "Cause": state.cause,
        "CausePath": state.cause_path,
    }
    present = {key: value for key, value in fields.items() if value is not None}
    return {"Type": "Fail", "Comment": state.comment, **present}


def _render_map(state: MapState) -> dict[str, Any]:
    rendered: dict[str, Any] = {
        "Type": "Map",
        "Comment": state.comment,
        "ItemsPath": state.items_path,
        "ItemSelector": render_object(state.item_selector),
        "MaxConcurrency": 1,
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "INLINE"},
            "StartAt": state.start_at,
            "States": {name: render_state(inner) for name, inner in state.states},
        },
    }
    if state.result_selector is not None:
        rendered["ResultSelector"] = render_object(state.result_selector)
    rendered["ResultPath"] = state.result_path
    if state.catchers:
        rendered["Catch"] = _render_catchers(state.catchers)
    rendered["Next"] = state.next
    return rendered


def render_definition(
    comment: str, start_at: str, states: tuple[tuple[str, State], ...]
) -> dict[str, Any]:
    return {
        "Comment": comment,
        "StartAt": start_at,
        "States": {name: render_state(state) for name, state in states},
    }


def dump_definition(definition: dict[str, Any]) -> str:
    """The definition as JSON: 2-space indent, keys in their given order, trailing newline."""
    return json.dumps(definition, indent=2, ensure_ascii=False) + "\n"


def comment_text(text: str, limit: int = 160) -> str:
    """`text` on one line, shortened, with `${` broken up so no substitution can match it."""
    flat = " ".join(text.split()).replace("${", "$ {")
    return flat if len(flat) <= limit else flat[: limit - 3].rstrip() + "..."

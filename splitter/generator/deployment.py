"""The deployment model: functions, the shared layer, state machines and parameters, as data."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

DEFAULT_RUNTIME = "python3.12"
SHARED_LAYER_ID = "SharedLayer"
MAX_LOGICAL_ID = 255
# SAM derives more IDs from ours (`<Id>Role`, the layer's `<Id><hash>`), so names taken from
# the monolith are cut well short of CloudFormation's limit.
MAX_NAME_PART = 128

Intrinsic = dict[str, Any]


class WorkflowType(StrEnum):
    """A state machine's type, as `--type standard|express` chooses it."""

    STANDARD = "STANDARD"
    EXPRESS = "EXPRESS"


class LogLevel(StrEnum):
    """How much of each execution a state machine writes to its log group."""

    ALL = "ALL"
    ERROR = "ERROR"
    FATAL = "FATAL"


class ParameterKind(StrEnum):
    """What a template parameter holds: a setting, or where a secret lives (never its value)."""

    SETTING = "setting"
    SECRET_NAME = "secret-name"
    SSM_PARAMETER_NAME = "ssm-parameter-name"


class Access(StrEnum):
    """How a function uses a table."""

    READ = "read"
    WRITE = "write"
    READ_WRITE = "read-write"


class DataStore(StrEnum):
    """Where a table lives; SQLite is a file reached through a path setting, not an AWS API."""

    SQLITE = "sqlite"


@dataclass(frozen=True)
class ParameterRef:
    """An environment value taken from a template parameter."""

    parameter: str

    def __str__(self) -> str:
        return f"Ref {self.parameter}"


@dataclass(frozen=True)
class FunctionRef:
    """An environment value holding another function's name, for the remote client."""

    function: str

    def __str__(self) -> str:
        return f"Ref {self.function}"


EnvironmentValue = str | ParameterRef | FunctionRef


@dataclass(frozen=True)
class EnvironmentVariable:
    """One environment variable of a function: a literal or a parameter's value."""

    name: str
    value: EnvironmentValue

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


@dataclass(frozen=True)
class TableAccess:
    """A table a function's code reads or writes, and the store it lives in."""

    table: str
    access: Access
    store: DataStore = DataStore.SQLITE

    def __str__(self) -> str:
        return f"{self.table} ({self.access.value}, {self.store.value})"


@dataclass(frozen=True)
class FunctionSpec:
    """A Lambda function: one service, or one operation of a service.

    `invokes` holds the logical IDs of the functions this one calls synchronously through the
    generated remote client; `tables` is what its code touches, for the access policies.
    """

    service: str
    operation: str | None
    logical_id: str
    code_uri: str
    handler: str
    description: str = ""
    environment: tuple[EnvironmentVariable, ...] = ()
    invokes: tuple[str, ...] = ()
    tables: tuple[TableAccess, ...] = ()
    memory_mb: int | None = None
    timeout_s: int | None = None

    @property
    def scope(self) -> str:
        """`service` or `service.operation`: what the function runs."""
        return f"{self.service}.{self.operation}" if self.operation else self.service

    def __str__(self) -> str:
        return f"{self.logical_id} ({self.scope}, {self.code_uri}{self.handler})"


@dataclass(frozen=True)
class LayerSpec:
    """The shared library every function carries, built by SAM for the runtime."""

    logical_id: str = SHARED_LAYER_ID
    content_uri: str = "layers/shared/"
    description: str = "Code every service of the monolith shares"
    compatible_runtimes: tuple[str, ...] = (DEFAULT_RUNTIME,)

    def __str__(self) -> str:
        return f"{self.logical_id} ({self.content_uri})"


@dataclass(frozen=True)
class StateMachineSpec:
    """A workflow's state machine; `substitutions` maps each placeholder to a function ID."""

    workflow: str
    logical_id: str
    definition_uri: str
    substitutions: tuple[tuple[str, str], ...] = ()
    workflow_type: WorkflowType = WorkflowType.STANDARD
    log_level: LogLevel = LogLevel.ALL
    include_execution_data: bool = True
    tracing: bool = True

    @property
    def invoked_functions(self) -> tuple[str, ...]:
        """The functions the definition names, each once, sorted."""
        return tuple(sorted({function for _, function in self.substitutions}))

    @property
    def log_group_id(self) -> str:
        return f"{self.logical_id}LogGroup"

    def __str__(self) -> str:
        return f"{self.logical_id} ({self.workflow_type.value}, {self.definition_uri})"


@dataclass(frozen=True)
class ParameterSpec:
    """A template parameter handed to functions as an environment variable."""

    logical_id: str
    description: str
    default: str | None = None
    kind: ParameterKind = ParameterKind.SETTING

    def __str__(self) -> str:
        return f"{self.logical_id} ({self.kind.value})"


@dataclass(frozen=True)
class FunctionDefaults:
    """Settings every function shares, written once in the template's `Globals`."""

    timeout_s: int = 30
    memory_mb: int = 256
    tracing: bool = True
    log_format: str = "JSON"


@dataclass(frozen=True)
class DeploymentModel:
    """Everything the SAM template holds, before it is serialized."""

    app_name: str
    description: str
    functions: tuple[FunctionSpec, ...]
    layer: LayerSpec | None = field(default_factory=LayerSpec)
    state_machines: tuple[StateMachineSpec, ...] = ()
    parameters: tuple[ParameterSpec, ...] = ()
    runtime: str = DEFAULT_RUNTIME
    architectures: tuple[str, ...] = ("x86_64",)
    defaults: FunctionDefaults = field(default_factory=FunctionDefaults)
    log_retention_days: int = 30

    def function(self, logical_id: str) -> FunctionSpec | None:
        return next((f for f in self.functions if f.logical_id == logical_id), None)

    def parameter(self, logical_id: str) -> ParameterSpec | None:
        return next((p for p in self.parameters if p.logical_id == logical_id), None)

    def environment_of(self, function: FunctionSpec) -> tuple[EnvironmentVariable, ...]:
        """A function's variables with one `<SERVICE>_FUNCTION` per callee, sorted by name."""
        callees = [self.function(callee) for callee in function.invokes]
        calls = [
            EnvironmentVariable(callee_variable(c.service, c.operation), FunctionRef(c.logical_id))
            for c in callees
            if c is not None
        ]
        return tuple(sorted((*function.environment, *calls), key=lambda v: v.name))

    def __str__(self) -> str:
        return (
            f"{self.app_name}: {len(self.functions)} functions, "
            f"{len(self.state_machines)} state machines, {len(self.parameters)} parameters"
        )


def ref(logical_id: str) -> Intrinsic:
    """`Ref` to a resource or parameter (a function's name, a state machine's ARN)."""
    return {"Ref": logical_id}


def get_att(logical_id: str, attribute: str) -> Intrinsic:
    """`Fn::GetAtt` of a resource's attribute."""
    return {"Fn::GetAtt": [logical_id, attribute]}


def sub(text: str) -> Intrinsic:
    """`Fn::Sub` of a string with `${...}` references to pseudo parameters and resources."""
    return {"Fn::Sub": text}


def pascal_name(name: str) -> str:
    """A name from the monolith as a PascalCase run of `[A-Za-z0-9]`, at most 128 characters.

    Letters with accents lose them (`café` -> `Cafe`); other characters separate words.
    """
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    words = re.split(r"[^A-Za-z0-9]+", ascii_text)
    joined = "".join(word[:1].upper() + word[1:] for word in words)
    return joined[:MAX_NAME_PART]


def _base_id(parts: Sequence[str]) -> str:
    return "".join(pascal_name(part) for part in parts)[:MAX_NAME_PART] or "Unnamed"


def logical_ids(names: Sequence[Sequence[str]], suffix: str) -> tuple[str, ...]:
    """Unique logical IDs for names given as parts: `[("orders",)]` -> `("OrdersFunction",)`.

    Of the names that collide once sanitized, the first in sorted order keeps the plain ID and
    the others get the next free number (`2`, `3`...) before the suffix, never another name's
    plain ID. Empty names become `Unnamed`.
    """
    groups: dict[str, list[tuple[str, ...]]] = {}
    for parts in sorted({tuple(parts) for parts in names}):
        groups.setdefault(_base_id(parts), []).append(parts)
    used = set(groups)
    chosen: dict[tuple[str, ...], str] = {}
    for base, members in groups.items():
        chosen[members[0]] = base
        count = 1
        for parts in members[1:]:
            count += 1
            while f"{base}{count}" in used:
                count += 1
            chosen[parts] = f"{base}{count}"
            used.add(chosen[parts])
    return tuple(chosen[tuple(parts)] + suffix for parts in names)


def function_logical_id(service: str, operation: str | None = None) -> str:
    """`<Service>Function` or `<Service><Operation>Function` (not checked for collisions)."""
    return logical_ids([(service, operation or "")], "Function")[0]


def state_machine_logical_id(workflow: str) -> str:
    """`<Workflow>StateMachine`."""
    return logical_ids([(workflow,)], "StateMachine")[0]


def handler_name(operation: str | None) -> str:
    """`handlers.handle` for a service's function, `handlers.handle_<operation>` for one op."""
    return f"handlers.handle_{operation}" if operation else "handlers.handle"


def callee_variable(service: str, operation: str | None = None) -> str:
    """The environment variable holding a callee function's name: `INVENTORY_FUNCTION`."""
    parts = [service, operation] if operation else [service]
    words = re.split(r"[^A-Za-z0-9]+", "_".join(parts))
    return "_".join(word.upper() for word in words if word) + "_FUNCTION"


def function_name(logical_id: str) -> str:
    """A function's deployed name, as `Fn::Sub` text: unique per stack, known before it exists."""
    return f"${{AWS::StackName}}-{logical_id}"


def function_arn(logical_id: str) -> str:
    """A function's ARN, as `Fn::Sub` text, from its deployed name."""
    return (
        "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:"
        + function_name(logical_id)
    )


def placeholder(function_id: str) -> str:
    """The definition placeholder naming a function: `OrdersFunction` -> `OrdersFunctionArn`."""
    return f"{function_id}Arn"


def functions_named_in(definition: str) -> tuple[str, ...]:
    """The functions a state machine definition names through `${<Function>Arn}`, sorted."""
    return tuple(sorted(set(re.findall(r"\$\{([A-Za-z0-9]+)Arn\}", definition))))


def function_spec(
    service: str,
    operation: str | None = None,
    *,
    logical_id: str = "",
    description: str = "",
    environment: Iterable[EnvironmentVariable] = (),
    invokes: Iterable[str] = (),
    tables: Iterable[TableAccess] = (),
) -> FunctionSpec:
    """A function laid out as `docs/generated-app.md` says: code in `services/<service>/`.

    Args:
        service: the plan's service name.
        operation: the operation's name in operation granularity, else None.
        logical_id: the ID to use when `logical_ids` had to disambiguate, else derived.
        description: where the code came from in the monolith.
        environment: settings and secret names handed to the function.
        invokes: logical IDs of the functions it calls through the remote client.
        tables: the tables its code reads or writes.
    """
    return FunctionSpec(
        service=service,
        operation=operation,
        logical_id=logical_id or function_logical_id(service, operation),
        code_uri=f"services/{service}/",
        handler=handler_name(operation),
        description=description,
        environment=tuple(environment),
        invokes=tuple(sorted(set(invokes))),
        tables=tuple(tables),
    )


def state_machine_spec(
    workflow: str,
    functions: Iterable[str],
    *,
    logical_id: str = "",
    workflow_type: WorkflowType = WorkflowType.STANDARD,
    log_level: LogLevel = LogLevel.ALL,
) -> StateMachineSpec:
    """A workflow's state machine whose definition names `functions` (logical IDs).

    Args:
        workflow: the plan's workflow name; the definition is `statemachines/<workflow>.asl.json`.
        functions: logical IDs of the functions its `Task` states invoke.
        logical_id: the ID to use when `logical_ids` had to disambiguate, else derived.
        workflow_type: standard or express.
        log_level: how much of each execution goes to the log group.
    """
    return StateMachineSpec(
        workflow=workflow,
        logical_id=logical_id or state_machine_logical_id(workflow),
        definition_uri=f"statemachines/{workflow}.asl.json",
        substitutions=tuple((placeholder(f), f) for f in sorted(set(functions))),
        workflow_type=workflow_type,
        log_level=log_level,
    )

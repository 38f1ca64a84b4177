"""Workflows executed by moto's Amazon States Language interpreter, tasks served in-process.

moto (the `splitter[local]` extra) carries a port of LocalStack's Step Functions
interpreter. It runs when `mock_aws` is configured with `execute_state_machine`; its Lambda
tasks end in one function of moto's, `_invoke_lambda_function`, which this module replaces
while a `LocalStepFunctions` is open, so that every task reaches the `Dispatcher` instead of a
mocked Lambda service. Retry intervals and `Wait` states do not wait locally: the path
through the states is the same, only the clock is not.

The hook reaches into moto's internals, so `check_moto()` verifies that they are where this
module expects them and names the supported moto range when they are not.
"""

from __future__ import annotations

import functools
import importlib
import json
import logging
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from importlib import metadata
from types import ModuleType
from typing import Any
from unittest import mock

from splitter.errors import SplitterError
from splitter.local.app import ACCOUNT, REGION, EntryOperation, LocalApp
from splitter.local.dispatch import Dispatcher

SUPPORTED_MOTO = ">=5.1.0,<5.3"
_LAMBDA_UTILS = "moto.stepfunctions.parser.asl.component.state.exec.state_task.lambda_eval_utils"
_RETRIER = "moto.stepfunctions.parser.asl.component.common.retry.retrier_decl"
_WAIT = "moto.stepfunctions.parser.asl.component.state.wait.wait_function.wait_function"
_MODELS = "moto.stepfunctions.parser.models"
_PARSER = "moto.stepfunctions.parser.asl.parse.asl_parser"
_JSON_PATH = "moto.stepfunctions.parser.asl.utils.json_path"
_RESULT_PATH = "moto.stepfunctions.parser.asl.component.common.path.result_path"
_ROLE = f"arn:aws:iam::{ACCOUNT}:role/splitter-local"
_POLL_SECONDS = 0.0005


class LocalRunnerError(SplitterError):
    """The local runner cannot start (moto missing or changed)."""


@dataclass(frozen=True)
class Step:
    """One state the execution passed through."""

    state: str
    kind: str
    input: Any
    output: Any
    duration_ms: float
    error: str | None = None

    def __str__(self) -> str:
        outcome = f" -> {self.error}" if self.error else ""
        return f"{self.state} ({self.kind}, {self.duration_ms:.1f} ms){outcome}"


@dataclass(frozen=True)
class Execution:
    """The outcome of one local execution of a workflow."""

    workflow: str
    status: str
    output: Any
    error: str | None
    cause: str | None
    steps: tuple[Step, ...]
    duration_ms: float

    @property
    def succeeded(self) -> bool:
        return self.status == "SUCCEEDED"

    def __str__(self) -> str:
        if self.succeeded:
            return f"{self.workflow}: {self.status} in {self.duration_ms:.1f} ms"
        return f"{self.workflow}: {self.status} ({self.error}) in {self.duration_ms:.1f} ms"

    def to_json(self) -> dict[str, Any]:
        return {
            "workflow": self.workflow,
            "status": self.status,
            "output": self.output,
            "error": self.error,
            "cause": self.cause,
            "duration_ms": round(self.duration_ms, 3),
            "steps": [
                {
                    "state": step.state,
                    "type": step.kind,
                    "input": step.input,
                    "output": step.output,
                    "error": step.error,
                    "duration_ms": round(step.duration_ms, 3),
                }
                for step in self.steps
            ],
        }


def _module(name: str) -> ModuleType:
    try:
        return importlib.import_module(name)
    except ImportError as error:
        raise LocalRunnerError(
            f"the local runner needs moto's Step Functions interpreter ({error})",
            hint="install the extra: pip install 'splitter[local]'",
        ) from None


def check_moto() -> dict[str, ModuleType]:
    """The moto modules the hook patches, after checking each holds what is patched."""
    modules = {
        "lambda": _module(_LAMBDA_UTILS),
        "retry": _module(_RETRIER),
        "wait": _module(_WAIT),
        "models": _module(_MODELS),
        "parser": _module(_PARSER),
        "json_path": _module(_JSON_PATH),
        "result_path": _module(_RESULT_PATH),
    }
    expected = {
        "lambda": "_invoke_lambda_function",
        "retry": "time",
        "wait": "WaitFunction",
        "models": "stepfunctions_parser_backends",
        "parser": "Preprocessor",
        "json_path": "parse",
        "result_path": "parse",
    }
    for key, attribute in expected.items():
        if not hasattr(modules[key], attribute):
            raise LocalRunnerError(
                f"moto {metadata.version('moto')} changed the Step Functions internals the "
                f"local runner hooks into ({modules[key].__name__}.{attribute} is gone)",
                hint=f"install a supported moto: pip install 'moto{SUPPORTED_MOTO}'",
            )
    return modules


class _NoSleep:
    """Stands in for the `time` module where moto sleeps between retries."""

    @staticmethod
    def sleep(seconds: float) -> None:
        return None

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)


@dataclass
class LocalStepFunctions:
    """A local Step Functions service with the application's state machines, tasks in-process.

    Use as a context manager; `run()` executes one workflow and returns its `Execution`.
    """

    app: LocalApp
    dispatcher: Dispatcher = field(init=False)
    _stack: ExitStack = field(default_factory=ExitStack)
    _client: Any = None
    _machines: dict[str, str] = field(default_factory=dict)
    _runs: int = 0
    _modules: dict[str, ModuleType] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.dispatcher = Dispatcher(self.app)

    def __enter__(self) -> LocalStepFunctions:
        modules = self._modules = check_moto()
        from moto import mock_aws

        self._stack.enter_context(_aws_environment())
        self._stack.enter_context(_quiet_moto())
        self._stack.enter_context(
            mock_aws(
                config={
                    "stepfunctions": {"execute_state_machine": True},
                    "lambda": {"use_docker": False},
                }
            )
        )
        self._stack.enter_context(
            mock.patch.object(modules["lambda"], "_invoke_lambda_function", self._invoke)
        )
        self._stack.enter_context(mock.patch.object(modules["retry"], "time", _NoSleep()))
        self._stack.enter_context(_parsed_once(modules["parser"]))
        for name in ("json_path", "result_path"):  # moto builds a JSONPath parser per lookup
            parse = modules[name].parse
            self._stack.enter_context(
                mock.patch.object(modules[name], "parse", functools.lru_cache(maxsize=4096)(parse))
            )
        self._stack.enter_context(
            mock.patch.object(modules["wait"].WaitFunction, "_wait_interval", _no_wait)
        )
        import boto3  # type: ignore[import-untyped]

        self._client = boto3.client("stepfunctions", region_name=REGION)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stack.close()

    def run(self, workflow: str, given: Any) -> Execution:
        """Execute `workflow` on `given` (the execution input) and wait for its end.

        An entry point that became one operation of one service (no state machine) runs as
        the single Lambda invocation it is.
        """
        if workflow not in self.app.workflows and workflow in self.app.operations:
            return self._invoke_operation(self.app.operations[workflow], given)
        machine = self._machine(workflow)
        self._runs += 1
        started = time.perf_counter()
        execution = self._backend().start_execution(
            state_machine_arn=machine,
            name=f"run-{self._runs:06d}",
            execution_input=json.dumps(given),
        )
        while str(execution.exec_status.value) == "RUNNING":
            time.sleep(_POLL_SECONDS)
        duration = (time.perf_counter() - started) * 1000
        description = execution.to_describe_output()
        history = execution.to_history_output()["events"]
        output = description.get("output")
        return Execution(
            workflow=workflow,
            status=str(execution.exec_status.value),
            output=json.loads(output) if output is not None else None,
            error=description.get("error"),
            cause=description.get("cause"),
            steps=tuple(_steps(history)),
            duration_ms=duration,
        )

    def _invoke_operation(self, operation: EntryOperation, given: Any) -> Execution:
        function = self.app.serving(operation)
        payload = {"operation": operation.operation, "arguments": given}
        started = time.perf_counter()
        result, error = self.dispatcher.invoke(function.name, payload)
        duration = (time.perf_counter() - started) * 1000
        step = Step(
            f"{operation.service}.{operation.operation}", "Lambda", payload, result, duration, error
        )
        if error is None:
            return Execution(operation.name, "SUCCEEDED", result, None, None, (step,), duration)
        cause = json.dumps(result)
        return Execution(operation.name, "FAILED", None, error, cause, (step,), duration)

    def _backend(self) -> Any:
        """moto's Step Functions backend: executions are started and watched there directly."""
        return self._modules["models"].stepfunctions_parser_backends[ACCOUNT][REGION]

    def _machine(self, workflow: str) -> str:
        arn = self._machines.get(workflow)
        if arn is None:
            spec = self.app.workflow(workflow)
            arn = self._client.create_state_machine(
                name=spec.logical_id, definition=self.app.definition(spec), roleArn=_ROLE
            )["stateMachineArn"]
            self._machines[workflow] = arn
        return arn

    def _invoke(self, parameters: dict[str, Any], region: str, state_credentials: Any) -> Any:
        """moto's `_invoke_lambda_function`, answered by the dispatcher."""
        raw = parameters.get("Payload")
        payload = json.loads(raw) if raw else {}
        result, error = self.dispatcher.invoke(str(parameters["FunctionName"]), payload)
        response: dict[str, Any] = {"StatusCode": 200, "Payload": result}
        if error is not None:
            response["FunctionError"] = "Unhandled"
        return response


@contextmanager
def _parsed_once(parser: ModuleType) -> Iterator[None]:
    """Parse each definition once: moto parses it again for every execution.

    The program moto builds from a definition is a tree of declarations: every component
    takes its fields when it is built, and what an execution changes lives in the
    execution's own environment (`env`), so one program serves every execution of the same
    definition. Executions run one at a time here.
    """
    language = parser.AmazonStateLanguageParser
    original = language.parse
    programs: dict[str, tuple[Any, Any]] = {}

    def parse(definition: str) -> tuple[Any, Any]:
        parsed = programs.get(definition)
        if parsed is None:
            parsed = programs[definition] = original(definition)
        return parsed

    with mock.patch.object(language, "parse", staticmethod(parse)):
        yield


def _no_wait(self: Any, env: Any, wait_seconds: int) -> None:
    return None


@contextmanager
def _quiet_moto() -> Iterator[None]:
    """moto logs every failed state at ERROR; a failed execution is an outcome here."""
    logger = logging.getLogger("moto")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


@contextmanager
def _aws_environment() -> Iterator[None]:
    """Fake credentials and a region, so nothing can reach a real AWS account."""
    values = {
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_SESSION_TOKEN": "local",
        "AWS_DEFAULT_REGION": REGION,
    }
    with mock.patch.dict("os.environ", values):
        yield


def _steps(history: list[dict[str, Any]]) -> Iterator[Step]:
    """The states entered and left, paired from the execution history."""
    entered: dict[str, tuple[dict[str, Any], datetime, str]] = {}
    errors: dict[str, str] = {}
    current: list[str] = []
    for event in history:
        kind = str(getattr(event["type"], "value", event["type"]))
        if kind.endswith("StateEntered"):
            details = event["stateEnteredEventDetails"]
            entered[details["name"]] = (
                details,
                event["timestamp"],
                kind.removesuffix("StateEntered"),
            )
            current.append(details["name"])
        elif kind.endswith("Failed") and current:
            for key, value in event.items():
                if key.endswith("FailedEventDetails") and isinstance(value, dict):
                    errors[current[-1]] = str(value.get("error"))
        elif kind.endswith("StateExited"):
            details = event["stateExitedEventDetails"]
            name = details["name"]
            begun, at, _kind = entered.pop(name, ({}, event["timestamp"], ""))
            if name in current:
                current.remove(name)
            yield Step(
                state=name,
                kind=kind.removesuffix("StateExited"),
                input=_json(begun.get("input")),
                output=_json(details.get("output")),
                duration_ms=(_time(event["timestamp"]) - _time(at)).total_seconds() * 1000,
                error=errors.pop(name, None),
            )
    for name, (begun, _at, state_kind) in entered.items():
        yield Step(name, state_kind, _json(begun.get("input")), None, 0.0, errors.get(name))


def _time(value: Any) -> datetime:
    """A history event's timestamp: a datetime, or its ISO 8601 text."""
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def _json(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text

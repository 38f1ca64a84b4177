"""Lambda invocations served in-process by the generated handlers.

Each function of the template gets a `Runtime` (its code folder and layers only, its own
environment). An invocation decodes the JSON payload, calls the handler with a fake Lambda
context, and encodes the result the way the Lambda service does: a JSON document, or for an
exception an error document whose `errorType` is the exception's class name (which is what
a state machine's `Catch` matches). Calls from one service to another through the generated
`splitter_remote` client are routed here too, so they cross the same isolation boundary.
"""

from __future__ import annotations

import io
import json
import os
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from splitter.local.app import LocalApp, LocalFunction
from splitter.local.isolation import Runtime, guarded_names, lock

REMOTE_MODULE = "splitter_remote"


@dataclass(frozen=True)
class Invocation:
    """What one call of a function did: for the trace of a run."""

    function: str
    payload: Any
    result: Any
    error: str | None
    duration_ms: float
    logs: str

    def __str__(self) -> str:
        outcome = f"error {self.error}" if self.error else "ok"
        return f"{self.function}: {outcome} in {self.duration_ms:.1f} ms"


@dataclass
class FakeContext:
    """The parts of the Lambda context object that handlers and Powertools read."""

    function_name: str
    invoked_function_arn: str
    memory_limit_in_mb: int
    aws_request_id: str
    deadline: float
    function_version: str = "$LATEST"
    log_group_name: str = ""
    log_stream_name: str = "local"
    client_context: Any = None
    identity: Any = None

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.deadline - time.monotonic()) * 1000))


class _Sink(io.TextIOBase):
    """Stands in for stdout and stderr while handlers run: output goes to the current capture.

    Loggers that keep the stream they were created with (Powertools binds stdout) keep this
    sink, so their lines reach the capture of whichever invocation is running.
    """

    def __init__(self) -> None:
        self.buffers: list[io.StringIO] = []

    def write(self, text: str) -> int:
        if self.buffers:
            return self.buffers[-1].write(text)
        return len(text)

    def writable(self) -> bool:
        return True


@dataclass
class Dispatcher:
    """Serves invocations of the application's functions, one at a time, in this process."""

    app: LocalApp
    runtimes: dict[str, Runtime] = field(default_factory=dict)
    handlers: dict[str, Callable[[Any, Any], Any]] = field(default_factory=dict)
    invocations: list[Invocation] = field(default_factory=list)
    overrides: dict[str, str] = field(default_factory=dict)
    _sink: _Sink = field(default_factory=_Sink)
    _count: int = 0

    def runtime(self, function: LocalFunction) -> Runtime:
        """The function's runtime, its handler imported on first use."""
        runtime = self.runtimes.get(function.logical_id)
        if runtime is None:
            folders = [function.code_dir, *function.layer_dirs]
            runtime = Runtime(function.logical_id, folders, function.environment)
            runtime.environment.update(_overridden(function, self.overrides))
            self.runtimes[function.logical_id] = runtime
            with self._captured():
                self.handlers[function.logical_id] = runtime.load(function.handler)
                self._route_remote_calls(runtime)
        return runtime

    def override(self, variables: dict[str, str]) -> None:
        """Give every function that reads these variables (per the template) these values."""
        self.overrides.update(variables)
        for logical_id, runtime in self.runtimes.items():
            function = self.app.functions[logical_id]
            runtime.environment.update(_overridden(function, variables))

    def invoke(self, function_name: str, payload: Any) -> tuple[Any, str | None]:
        """Call the function named `function_name`: (result, None) or (error document, type)."""
        function = self.app.function_named(function_name)
        if function is None:
            missing = {"errorType": "ResourceNotFoundException", "errorMessage": function_name}
            return missing, "ResourceNotFoundException"
        with lock():
            try:
                runtime = self.runtime(function)
            except Exception as failure:  # the handler's module does not import: an init error
                self.runtimes.pop(function.logical_id, None)
                name = "Runtime.ImportModuleError"
                module = function.handler.rpartition(".")[0]
                message = f"Unable to import module '{module}': {failure}"
                if _third_party(failure):
                    requirements = function.code_dir / "requirements.txt"
                    message += (
                        f" (install what the function installs: pip install -r {requirements})"
                    )
                return {"errorType": name, "errorMessage": message}, name
            self._count += 1
            context = FakeContext(
                function_name=function.name,
                invoked_function_arn=function.arn,
                memory_limit_in_mb=function.memory_mb,
                aws_request_id=f"local-{self._count:06d}",
                deadline=time.monotonic() + function.timeout_s,
                log_group_name=f"/aws/lambda/{function.name}",
            )
            started = time.perf_counter()
            with self._captured() as logs, runtime.active():
                result, error = _call(self.handlers[function.logical_id], payload, context)
            self.invocations.append(
                Invocation(
                    function.logical_id,
                    payload,
                    result,
                    error,
                    (time.perf_counter() - started) * 1000,
                    logs.getvalue(),
                )
            )
            return result, error

    def run_in(self, function: LocalFunction, dotted: str, *args: Any) -> None:
        """Call `module:function` inside a function's runtime when its code carries it.

        Verification uses it to reset state the code keeps in its modules between cases.
        """
        runtime = self.runtime(function)
        if not runtime.has_module(dotted.partition(":")[0]):
            return
        try:
            target = runtime.load(dotted)
        except AttributeError:  # the function's copy of the module does not carry it
            return
        with self._captured(), runtime.active():
            target(*args)

    @contextmanager
    def _captured(self) -> Iterator[io.StringIO]:
        buffer = io.StringIO()
        self._sink.buffers.append(buffer)
        saved = sys.stdout, sys.stderr
        sys.stdout = sys.stderr = self._sink
        try:
            yield buffer
        finally:
            sys.stdout, sys.stderr = saved
            self._sink.buffers.pop()

    def _route_remote_calls(self, runtime: Runtime) -> None:
        """Point the service's generated remote client at this dispatcher."""
        if not runtime.has_module(REMOTE_MODULE):
            return
        remote = runtime.module(REMOTE_MODULE)

        def invoker(service: str, payload: dict[str, Any]) -> Any:
            variable = remote.function_variable(service, payload["operation"])
            result, error = self.invoke(os.environ[variable], json.loads(json.dumps(payload)))
            if error is not None:
                remote.raise_remote_error(result)
            return result

        with runtime.active():
            remote.set_invoker(invoker)


def _third_party(failure: Exception) -> bool:
    """Whether an import failed on a package the function installs (not on the code it carries)."""
    if not isinstance(failure, ModuleNotFoundError) or not failure.name:
        return False
    return failure.name.partition(".")[0] not in guarded_names()


def _overridden(function: LocalFunction, variables: dict[str, str]) -> dict[str, str]:
    return {name: value for name, value in variables.items() if name in function.variables}


def _call(handler: Callable[[Any, Any], Any], payload: Any, context: Any) -> tuple[Any, str | None]:
    """Run a handler as the Lambda runtime does: JSON in, JSON or an error document out."""
    try:
        result = handler(payload, context)
    except SystemExit as exit_:  # Lambda ends the invocation and reports it so
        name = "Runtime.ExitError"
        return {"errorType": name, "errorMessage": f"exit status {exit_.code}"}, name
    except Exception as error:  # the Lambda runtime reports any exception the same way
        name = type(error).__name__
        document = {
            "errorType": name,
            "errorMessage": str(error),
            "stackTrace": traceback.format_exception(error)[-3:],
        }
        return document, name
    try:
        return json.loads(json.dumps(result)), None
    except (TypeError, ValueError) as error:
        message = f"Unable to marshal response: {error}"
        return {
            "errorType": "Runtime.MarshalError",
            "errorMessage": message,
        }, "Runtime.MarshalError"

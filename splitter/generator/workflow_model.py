"""What a workflow became: its state machine, the service calls and glue steps in it, notes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class TaskStep:
    """A state calling a service operation, from the call at `line` of the entry function.

    `result` is the workflow variable its result is stored in ("" when it is discarded or
    appended to a list).
    """

    state: str
    service: str
    operation: str
    function: str
    arguments: tuple[str, ...]
    line: int
    result: str = ""

    def __str__(self) -> str:
        return f"{self.state}: {self.service}.{self.operation} (line {self.line})"


@dataclass(frozen=True)
class GlueStep:
    """A state running statements the States Language cannot express, in the owning service.

    The generated function `function(variables)` reads `parameters` from `variables`, runs
    `body` (the original statements) and returns the dict of the variables it `assigns`.
    `module_names` are the names the body takes from `module` (its imports, constants and
    functions): the module holding the glue function imports them from there. A parameter
    listed in `caught` holds a caught exception as the state document keeps it,
    `{"Error": <class name>, "Cause": <text>}`, with the classes it may be. A parameter
    listed in `types` is rebuilt from its JSON as that annotation (the return annotation of
    the operation whose result it holds) before the body runs; `type_imports` are the
    (name, module) pairs the annotations need.
    """

    state: str
    service: str
    function: str
    module: str
    parameters: tuple[str, ...]
    assigns: tuple[str, ...]
    body: tuple[str, ...]
    lines: tuple[int, int]
    reason: str
    module_names: tuple[str, ...] = ()
    caught: tuple[tuple[str, tuple[str, ...]], ...] = ()
    types: tuple[tuple[str, str], ...] = ()
    type_imports: tuple[tuple[str, str], ...] = ()

    def source(self, path: str = "") -> str:
        """The function as Python source (it needs `from typing import Any`)."""
        where = f"{path}:" if path else "line "
        span = f"{self.lines[0]}" if self.lines[0] == self.lines[1] else "{}-{}".format(*self.lines)
        doc = f"{where}{span} of {self.module}: {self.reason}."
        doc = doc.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
        header = f"def {self.function}(variables: dict[str, Any]) -> dict[str, Any]:"
        body = [f'    """{doc}"""', *(f"    {line}" if line else "" for line in self.body)]
        return "\n".join([header, *body]) + "\n"

    def __str__(self) -> str:
        return (
            f"{self.state}: {self.function} (lines {self.lines[0]}-{self.lines[1]}, {self.reason})"
        )


@dataclass(frozen=True)
class WorkflowTranslation:
    """A workflow's state machine (`definition`, ASL as JSON-ready dicts) and how it was made.

    `notes` say what could not be translated and why, with lines; `input_names` are the
    entry function's parameters, the fields of the execution input.
    """

    workflow: str
    entry: str
    owner: str
    definition: dict[str, Any]
    tasks: tuple[TaskStep, ...]
    glue: tuple[GlueStep, ...]
    notes: tuple[str, ...]
    input_names: tuple[str, ...]

    @property
    def failed(self) -> bool:
        """True when the whole entry function had to run as one glue step."""
        return any(note.startswith("translation failed") for note in self.notes)

    def __str__(self) -> str:
        return (
            f"{self.workflow}: {len(self.definition.get('States', {}))} states, "
            f"{len(self.tasks)} service calls, {len(self.glue)} glue steps"
        )

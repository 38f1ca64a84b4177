"""The workflow as steps between Python and the States Language: what each statement became.

Steps are named (state names are given in source order) but not yet linked: the emitter
decides each state's `Next` from the step that follows, the enclosing `try` and loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

from splitter.generator.asl import ObjectTemplate, Path, Rule, Template


@dataclass(frozen=True)
class TaskStepIR:
    """A call to a service operation; `result_path` None discards the result."""

    name: str
    comment: str
    service: str
    operation: str
    function: str
    arguments: ObjectTemplate
    result_path: str | None
    line: int


@dataclass(frozen=True)
class GlueStepIR:
    """Statements run by a generated function of the owning service."""

    name: str
    comment: str
    function: str
    parameters: tuple[tuple[str, Path], ...]
    assigns: tuple[str, ...]
    store: str | None
    """The Store state merging the variables into `$.vars`, when there are several."""


@dataclass(frozen=True)
class AssignStepIR:
    """A Pass state writing `{"value": template}` to `target`."""

    name: str
    comment: str
    target: str
    template: Template


@dataclass(frozen=True)
class ChoiceStepIR:
    name: str
    comment: str
    branches: tuple[tuple[Rule, Block], ...]
    default: Block


@dataclass(frozen=True)
class MapStepIR:
    """A loop over a list as a Map; each `collected` list is the items its body appends.

    `gather` names the Pass that takes the appended items out of their `{"value": ...}`
    wrappers once the Map has collected them (when anything is collected).
    """

    name: str
    comment: str
    items_path: str
    loop_variable: str
    outer_variables: tuple[str, ...]
    collected: tuple[str, ...]
    body: Block
    end: str
    store: str | None
    gather: str = ""


@dataclass(frozen=True)
class Handler:
    errors: tuple[str, ...]
    body: Block


@dataclass(frozen=True)
class TryStepIR:
    body: Block
    handlers: tuple[Handler, ...]
    orelse: Block


@dataclass(frozen=True)
class RaiseStepIR:
    """`raise E(...)` (`error` set) or a bare `raise` of the caught error (`error` None)."""

    name: str
    comment: str
    error: str | None
    cause: str | None = None
    cause_path: str | None = None


@dataclass(frozen=True)
class ReturnStepIR:
    """The end of the execution; `template` None returns null."""

    name: str
    comment: str
    template: Template | None


@dataclass(frozen=True)
class ContinueStepIR:
    """`continue`: on to the end of the loop iteration."""


Step: TypeAlias = (
    TaskStepIR
    | GlueStepIR
    | AssignStepIR
    | ChoiceStepIR
    | MapStepIR
    | TryStepIR
    | RaiseStepIR
    | ReturnStepIR
    | ContinueStepIR
)
Block: TypeAlias = tuple[Step, ...]

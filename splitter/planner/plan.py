"""The plan: proposed services, the shared library and the workflows, as plain data.

The plan is what a person reviews and edits (as `splitter-plan.toml`, see
`splitter.planner.planfile`) and what `splitter generate` builds from. It names code by
qualified name only, so it can be diffed, edited and checked against a new analysis.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PLAN_VERSION = 1


@dataclass(frozen=True)
class Reason:
    """Why a function sits in its service: the strongest ties pulling it there."""

    function: str
    ties: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.function}: " + "; ".join(self.ties)


@dataclass(frozen=True)
class Service:
    """A proposed service: the functions it carries and the tables it owns.

    `members` are qualified names of functions and methods (a module's top-level code never
    moves); a member ending in `.*` takes every function under that module or class.
    `pinned` members were placed by a person and are kept where they are on every rerun.
    """

    name: str
    members: tuple[str, ...]
    tables: tuple[str, ...] = ()
    entry_points: tuple[str, ...] = ()
    pinned: tuple[str, ...] = ()
    description: str = ""

    def __str__(self) -> str:
        return (
            f"{self.name} ({len(self.members)} functions, tables: {', '.join(self.tables) or '-'})"
        )


@dataclass(frozen=True)
class SharedLibrary:
    """Infrastructure code every service carries (helpers, DB connection, config, DTOs).

    `tables` are touched by the shared library's code only (a schema or seeding script).
    """

    members: tuple[str, ...] = ()
    reasons: tuple[Reason, ...] = ()
    tables: tuple[str, ...] = ()


@dataclass(frozen=True)
class CrossCall:
    """A call from one service's code into another's, with its site."""

    caller: str
    callee: str
    caller_service: str
    callee_service: str
    path: str
    line: int

    def __str__(self) -> str:
        return (
            f"{self.caller_service}.{self.caller.rpartition('.')[2]} -> "
            f"{self.callee_service}.{self.callee.rpartition('.')[2]} ({self.path}:{self.line})"
        )


@dataclass(frozen=True)
class WorkflowStep:
    """One step of a workflow: the entry point calls `function`, owned by `service`."""

    service: str
    function: str
    line: int


@dataclass(frozen=True)
class Workflow:
    """A business workflow: an entry point and the services it reaches, in call order."""

    name: str
    entry: str
    service: str
    steps: tuple[WorkflowStep, ...] = ()
    kind: str = ""
    detail: str = ""

    @property
    def services(self) -> tuple[str, ...]:
        """The services the workflow reaches, each once, in the order first reached."""
        return tuple(dict.fromkeys(step.service for step in self.steps))


@dataclass(frozen=True)
class OwnershipConflict:
    """A table written by more than one service: who owns it and who else writes it."""

    table: str
    owner: str
    writers: tuple[tuple[str, str], ...]

    def __str__(self) -> str:
        others = ", ".join(f"{service} ({function})" for service, function in self.writers)
        return f"table {self.table} is owned by {self.owner} but also written by {others}"


@dataclass(frozen=True)
class Plan:
    """Everything `splitter generate` needs to know about the split."""

    root: str
    services: tuple[Service, ...]
    shared: SharedLibrary = field(default_factory=SharedLibrary)
    workflows: tuple[Workflow, ...] = ()
    cross_calls: tuple[CrossCall, ...] = ()
    conflicts: tuple[OwnershipConflict, ...] = ()
    cycles: tuple[tuple[str, ...], ...] = ()
    reasons: tuple[Reason, ...] = ()
    version: int = PLAN_VERSION

    def service_named(self, name: str) -> Service | None:
        return next((s for s in self.services if s.name == name), None)

"""Differential testing: the monolith's entry points against the generated workflows.

For every workflow, every input runs twice, each time on its own fresh copy of the same
starting database: once through the monolith's entry-point function, once through the
generated state machine (`LocalStepFunctions`). The two outcomes must agree: the return
value with the execution output (both as JSON), a raised exception with a failed execution
of the same error name, and every table's final rows.
"""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from splitter.errors import InputError
from splitter.generator.django_setup import SETTINGS_VARIABLE
from splitter.local.app import LocalApp
from splitter.local.cases import Case, VerifySettings
from splitter.local.database import TableDiff, diff_databases, fresh_copy, snapshot
from splitter.local.inputs import derived_cases, example_events, known_values
from splitter.local.isolation import Runtime
from splitter.local.monolith import (
    Outcome,
    call_entry,
    contract_violation,
    find_entry,
    import_root,
)
from splitter.local.stepfunctions import Execution, LocalStepFunctions

DEFAULT_EXAMPLES = 50


@dataclass(frozen=True)
class CaseResult:
    """One input's two outcomes and what differs between them."""

    case: Case
    monolith: Outcome
    generated: Outcome
    differences: tuple[str, ...]
    tables: tuple[TableDiff, ...] = ()

    @property
    def equivalent(self) -> bool:
        return not self.differences and not self.tables

    def __str__(self) -> str:
        verdict = "equivalent" if self.equivalent else "DIFFERENT"
        return f"{self.case}: {verdict}"

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.case.name,
            "origin": self.case.origin,
            "input": dict(self.case.input),
            "equivalent": self.equivalent,
            "monolith": self.monolith.to_json(),
            "generated": self.generated.to_json(),
            "differences": list(self.differences),
            "tables": [diff.to_json() for diff in self.tables],
        }


@dataclass(frozen=True)
class WorkflowResult:
    """Every case of one workflow."""

    workflow: str
    entry: str
    cases: tuple[CaseResult, ...]
    outside: tuple[tuple[Case, str], ...] = ()
    kind: str = "state machine"
    """`state machine`, or `one function` for an entry point that reaches no other service."""

    @property
    def equivalent(self) -> bool:
        return all(case.equivalent for case in self.cases)

    @property
    def differing(self) -> tuple[CaseResult, ...]:
        return tuple(case for case in self.cases if not case.equivalent)

    def __str__(self) -> str:
        verdict = "equivalent" if self.equivalent else f"{len(self.differing)} differ"
        return f"{self.workflow} ({self.entry}): {len(self.cases)} inputs, {verdict}"

    @property
    def error_paths(self) -> int:
        """Inputs on which the monolith raised."""
        return sum(case.monolith.failed for case in self.cases)

    def to_json(self) -> dict[str, Any]:
        return {
            "workflow": self.workflow,
            "entry": self.entry,
            "kind": self.kind,
            "inputs": len(self.cases),
            "error_paths": self.error_paths,
            "errors": dict(
                sorted(
                    Counter(str(c.monolith.error) for c in self.cases if c.monolith.failed).items()
                )
            ),
            "equivalent": self.equivalent,
            "differing": [case.to_json() for case in self.differing],
            "outside_contract": [
                {"name": case.name, "origin": case.origin, "input": dict(case.input), "why": why}
                for case, why in self.outside
            ],
        }


@dataclass(frozen=True)
class Verification:
    """The verdict over all workflows."""

    workflows: tuple[WorkflowResult, ...]

    @property
    def equivalent(self) -> bool:
        return all(workflow.equivalent for workflow in self.workflows)

    def __str__(self) -> str:
        same = sum(w.equivalent for w in self.workflows)
        return f"{same} of {len(self.workflows)} workflows equivalent"

    def to_json(self) -> dict[str, Any]:
        return {
            "format": "splitter-verification",
            "equivalent": self.equivalent,
            "workflows": [workflow.to_json() for workflow in self.workflows],
        }


@dataclass
class Verifier:
    """Runs cases on both sides; use as a context manager (it holds the local service)."""

    app: LocalApp
    monolith_path: Path
    settings: VerifySettings
    examples: int = DEFAULT_EXAMPLES
    seed: int = 0
    monolith: Runtime = field(init=False)
    _service: LocalStepFunctions = field(init=False)
    _workdir: Path = field(init=False)
    _start: Path | None = None
    _runs: int = 0
    _temporary: Any = None
    _entries: dict[str, Callable[..., Any]] = field(default_factory=dict)
    _django: str | None = None
    """The settings module of a Django monolith."""

    def __post_init__(self) -> None:
        self.monolith = Runtime("the monolith", [import_root(self.monolith_path)])
        self._service = LocalStepFunctions(self.app)
        self._django = self.app.variables.get(SETTINGS_VARIABLE)
        if self._django:
            self.monolith.environment[SETTINGS_VARIABLE] = self._django

    def __enter__(self) -> Verifier:
        self._temporary = tempfile.TemporaryDirectory(prefix="splitter-verify-")
        self._workdir = Path(self._temporary.name)
        self._service.__enter__()
        self._start = self._starting_database()
        if self._django:
            # Django's settings read the database's path once: set up when the runs' path
            # is set (every run has the same one), as the generated functions do on import.
            if self._start is not None:
                self.monolith.environment[self._variable_name()] = str(self._run_path())
            self.monolith.call("django:setup")
        return self

    def __exit__(self, *exc_info: object) -> None:
        try:
            self._service.__exit__(*exc_info)
        finally:
            self._temporary.cleanup()

    def entries(self) -> dict[str, str]:
        """Each workflow's entry point, and each entry point one function serves (report)."""
        unknown = sorted(name for name, w in self.app.workflows.items() if not w.entry)
        if unknown:
            raise InputError(
                f"{self.app.root / 'splitter-report.json'} names no entry point for "
                f"{', '.join(unknown)}",
                hint="verify needs the tree `splitter generate` wrote, report included",
            )
        entries = {name: workflow.entry for name, workflow in self.app.workflows.items()}
        for name, operation in self.app.operations.items():
            entries.setdefault(name, operation.entry)
        return entries

    def cases_for(self, workflow: str, entry: str) -> list[Case]:
        """Events, then the user's cases, then derived inputs; each distinct input once."""
        given = [case for case in self.settings.cases if case.workflow == workflow]
        events = example_events(self.app.root, workflow)
        function = self._entry(entry)
        bases = [
            case.input
            for case in [*given, *events]
            if all(value is not None for value in case.input.values())
        ]
        known = known_values([*given, *events])
        storage = self._workdir / "hypothesis"
        derived = derived_cases(workflow, function, known, self.examples, self.seed, bases, storage)
        cases, seen = [], set()
        for case in [*events, *given, *derived]:
            key = json.dumps(case.input, sort_keys=True)
            if key not in seen:
                seen.add(key)
                cases.append(case)
        return cases

    def verify(
        self,
        only: Sequence[str] = (),
        progress: Callable[[str, int, int], None] | None = None,
    ) -> Verification:
        """Every workflow (or those in `only`) over all its cases."""
        entries = self.entries()
        unknown = sorted(set(only) - set(entries))
        if unknown:
            raise InputError(
                f"no workflow {', '.join(unknown)} in {self.app.root}",
                hint=f"the workflows are: {', '.join(sorted(entries))}",
            )
        results = []
        for workflow, entry in sorted(entries.items()):
            if only and workflow not in only:
                continue
            cases = self.cases_for(workflow, entry)
            outcomes, outside = [], []
            for index, case in enumerate(cases):
                if progress is not None:
                    progress(workflow, index, len(cases))
                why = contract_violation(self._entry(entry), case.input)
                if why is not None:
                    outside.append((case, why))
                    continue
                outcomes.append(self.run_case(case, entry))
            kind = "state machine" if workflow in self.app.workflows else "one function"
            results.append(WorkflowResult(workflow, entry, tuple(outcomes), tuple(outside), kind))
        return Verification(tuple(results))

    def run_case(self, case: Case, entry: str) -> CaseResult:
        """One input on both sides, each on a fresh copy of the starting database.

        Both copies are made at the same path, one after the other (the monolith's final
        database is snapshot aside first), so that a path the code reports or stores is the
        same on both sides.
        """
        self._runs += 1
        path = None if self._start is None else fresh_copy(self._start, self._run_path())
        if path is not None:
            self.monolith.environment[self._variable_name()] = str(path)
        self._setup_monolith()
        function = self._entry(entry)
        monolith = call_entry(self.monolith, function, case.input, self._around(case.workflow))
        left = None
        if path is not None and self._start is not None:
            left = snapshot(path, self._workdir / f"run-{self._runs:05d}-monolith.db")
            fresh_copy(self._start, path)
            self._service.dispatcher.override({self._variable_name(): str(path)})
        self._setup_generated()
        execution = self._service.run(case.workflow, dict(case.input))
        generated = outcome_of(execution)
        differences = compare(monolith, generated)
        tables = diff_databases(left, path) if left and path else ()
        return CaseResult(case, monolith, generated, differences, tables)

    def _entry(self, qualname: str) -> Callable[..., Any]:
        function = self._entries.get(qualname)
        if function is None:
            function = self._entries[qualname] = find_entry(self.monolith, qualname)
        return function

    def _variable_name(self) -> str:
        assert self.settings.database is not None
        return self.settings.database.variable

    def _run_path(self) -> Path:
        """Where this run's database is: a new path for each run, so that a connection the
        code keeps by path is not reused on the next run's copy; in a Django monolith one
        path for every run, because Django's settings read it once (the runtimes close
        Django's connections before each call instead)."""
        if self._django:
            return self._workdir / "run.db"
        return self._workdir / f"run-{self._runs:05d}.db"

    def _starting_database(self) -> Path | None:
        database = self.settings.database
        if database is None:
            return None
        start = self._workdir / "start.db"
        if database.file is not None:
            if not database.file.exists():
                raise InputError(f"the starting database {database.file} does not exist")
            return fresh_copy(database.file, start)
        assert database.seed is not None
        # A runtime of its own: what the seeding loads (Django's settings, which read the
        # database's path once) must not stay in the monolith that the runs use.
        seeding = Runtime("the monolith (seeding)", self.monolith.folders)
        seeding.environment.update(self.monolith.environment)
        seeding.environment[database.variable] = str(start)
        seeding.call(database.seed.target, str(start))
        return start

    def _setup_monolith(self) -> None:
        for call in self.settings.setup:
            if self.monolith.has_module(call.module):
                self.monolith.call(call.target, *call.args)

    def _setup_generated(self) -> None:
        for function in self.app.functions.values():
            for call in self.settings.setup:
                self._service.dispatcher.run_in(function, call.target, *call.args)

    def _around(self, workflow: str) -> Callable[[], AbstractContextManager[Any]] | None:
        call = self.settings.around.get(workflow) or self.settings.around.get("*")
        if call is None:
            return None
        factory: Callable[[], AbstractContextManager[Any]] = self.monolith.load(call.target)
        return factory


def outcome_of(execution: Execution) -> Outcome:
    """An execution as an outcome: its output, or its error name and message."""
    if execution.succeeded:
        return Outcome(value=execution.output)
    message = execution.cause or ""
    with suppress(ValueError, AttributeError):
        message = str(json.loads(message).get("errorMessage", message))
    return Outcome(error=execution.error or execution.status, message=message)


def compare(monolith: Outcome, generated: Outcome) -> tuple[str, ...]:
    """What differs between the two outcomes, in words (empty when they agree)."""
    if monolith.failed and generated.failed:
        if monolith.error != generated.error:
            return (
                f"the monolith raised {monolith.error}, the workflow failed with {generated.error}",
            )
        return ()
    if monolith.failed:
        return (f"the monolith raised {monolith.error}, the workflow succeeded",)
    if generated.failed:
        return (f"the monolith returned, the workflow failed with {generated.error}",)
    if monolith.value != generated.value:
        return tuple(value_differences(monolith.value, generated.value))
    return ()


def value_differences(left: Any, right: Any, where: str = "$", limit: int = 5) -> list[str]:
    """The JSON paths where two values differ, with both values (the first few)."""
    found: list[str] = []
    _walk(left, right, where, found, limit)
    return found


def _walk(left: Any, right: Any, where: str, found: list[str], limit: int) -> None:
    if len(found) >= limit or left == right:
        return
    if isinstance(left, dict) and isinstance(right, dict):
        for key in sorted(set(left) | set(right), key=str):
            if key not in right:
                found.append(f"{where}.{key}: only the monolith returns it")
            elif key not in left:
                found.append(f"{where}.{key}: only the workflow returns it")
            else:
                _walk(left[key], right[key], f"{where}.{key}", found, limit)
        return
    if isinstance(left, list) and isinstance(right, list) and len(left) == len(right):
        for index, (a, b) in enumerate(zip(left, right, strict=True)):
            _walk(a, b, f"{where}[{index}]", found, limit)
        return
    shown = [json.dumps(value, sort_keys=True)[:120] for value in (left, right)]
    found.append(f"{where}: monolith {shown[0]}, workflow {shown[1]}")

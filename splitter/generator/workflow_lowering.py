"""Lowering the entry function's statements into workflow steps, in source order.

A statement that calls a service becomes a Task; an assignment of a JSON value or path a Pass;
`if` a Choice, a qualifying `for` a Map, `try` Catchers, `raise` a Fail, `return` the output.
What remains runs in glue, and consecutive glue statements share one glue step. Calls into
the owning service made by a statement of their own are Tasks too (each is a step a person
reads in the workflow); calls to it nested inside an expression stay in the glue, which runs
in the owner's function anyway.
"""

from __future__ import annotations

import ast
import keyword
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from splitter.generator.asl import (
    APPENDED_PATH,
    ERROR_PATH,
    MAX_STATE_NAME,
    ObjectTemplate,
    Path,
    Template,
    comment_text,
    pascal_case,
    path_key,
)
from splitter.generator.call_sites import Callee, CallSites
from splitter.generator.expressions import (
    Names,
    hoisting_template,
    to_template,
    variable_at,
    variable_path,
)
from splitter.generator.function_scope import FunctionNames, binds, mutates, reads
from splitter.generator.glue_code import GluePiece, SourceText, merge_pieces, module_names
from splitter.generator.glue_reasons import GlueReasons
from splitter.generator.statement_shapes import (
    appended_list,
    assigned_values,
    bind_arguments,
    check_escapes,
    identifier,
    single_target,
    unconditional_calls,
)
from splitter.generator.workflow_model import GlueStep, TaskStep
from splitter.generator.workflow_steps import (
    AssignStepIR,
    Block,
    GlueStepIR,
    Step,
    TaskStepIR,
)


class StateNamer:
    """Unique state names, numbered in the order they are asked for (`Enqueue`, `Enqueue2`)."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def name(self, base: str) -> str:
        stem = (base or "Step")[: MAX_STATE_NAME - 4]
        candidate, number = stem, 1
        while candidate in self.used:
            number += 1
            candidate = f"{stem}{number}"
        self.used.add(candidate)
        return candidate

    def forget(self, keep: Iterable[str]) -> None:
        """Drop every name but `keep` (a translation that starts over)."""
        self.used = set(keep)


@dataclass(frozen=True)
class Loop:
    variable: str
    collected: frozenset[str]


@dataclass(frozen=True)
class Scope:
    """Where a statement sits: how names resolve, the loop and `try` around it."""

    names: Names
    loop: Loop | None = None
    caught: tuple[tuple[str, tuple[str, ...]], ...] = ()
    handled: tuple[str, ...] = ()
    in_try: bool = False


@dataclass
class Findings:
    """What lowering records on the way: service calls, glue steps, notes."""

    tasks: list[TaskStep] = field(default_factory=list)
    glue: list[GlueStep] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class StepBuilder:
    """Collects one block's steps; glue statements wait and are merged until a step follows."""

    def __init__(self, lowering: StatementLowering) -> None:
        self.lowering = lowering
        self.steps: list[Step] = []
        self.pending: list[GluePiece] = []

    def glue(self, piece: GluePiece) -> None:
        self.pending.append(piece)

    def flush(self) -> None:
        if self.pending:
            self.steps.append(self.lowering.glue_step(self.pending))
            self.pending = []

    def allocate(self, base: str) -> str:
        self.flush()
        return self.lowering.namer.name(base)

    def add(self, step: Step) -> None:
        self.flush()
        self.steps.append(step)

    def finish(self) -> Block:
        self.flush()
        return tuple(self.steps)


class StatementLowering:
    """Simple statements: calls, assignments and glue; control flow builds on it."""

    def __init__(
        self,
        workflow: str,
        owner: str,
        path: str,
        module: str,
        text: SourceText,
        sites: CallSites,
        names: FunctionNames,
        taken: frozenset[str],
    ) -> None:
        self.workflow = workflow
        self.owner = owner
        self.path = path
        self.module = module
        self.text = text
        self.sites = sites
        self.function_names = names
        self.namer = StateNamer()
        self.findings = Findings()
        self.defined: set[str] = set(names.params)
        self.temps: set[str] = set()
        self._taken = set(taken) | set(names.all)
        self.reasons = GlueReasons(sites, owner, names.all)
        self.function_body: Sequence[ast.stmt] = ()
        self.read_counts: Mapping[str, int] = {}

    # ----------------------------------------------------------------- names and text

    def temp_name(self, hint: str) -> str:
        """A fresh variable name for a value the workflow computes on the way."""
        base = hint if hint.isidentifier() and not keyword.iskeyword(hint) else "value"
        candidate, number = base, 1
        if candidate in self._taken and not base.endswith("_value"):
            base = candidate = f"{base}_value"
        while candidate in self._taken:
            number += 1
            candidate = f"{base}_{number}"
        self._taken.add(candidate)
        self.temps.add(candidate)
        return candidate

    def comment(self, node: ast.AST, last_line: int | None = None) -> str:
        first = getattr(node, "lineno", 0)
        last = last_line or getattr(node, "end_lineno", first) or first
        lines = " ".join(line.strip() for line in self.text.lines[first - 1 : last])
        tidy = re.sub(r"([(\[{]) | ([)\]}])", lambda m: m.group(1) or m.group(2), lines)
        return comment_text(f"{self.path}:{first}: {tidy}")

    def note(self, line: int, text: str) -> None:
        self.findings.notes.append(f"line {line}: {text}")

    # ----------------------------------------------------------------- glue

    def piece(
        self, text: Sequence[str], lines: tuple[int, int], reason: str, scope: Scope
    ) -> GluePiece:
        """A glue piece running `text`; what it reads and assigns is read off the text."""
        parsed = ast.parse("\n".join(text)).body
        known = self.function_names.all | self.temps | scope.names.caught
        own = set(binds(parsed))
        read = [
            name
            for name in reads(parsed)
            if name in known and (name not in own or name in self.defined)
        ]
        assigned = [
            n for n in (*binds(parsed), *mutates(parsed)) if n in known - scope.names.caught
        ]
        caught = dict(scope.caught)
        return GluePiece(
            text=tuple(text),
            reads=tuple((name, self._where(name, scope)) for name in read),
            assigns=tuple(dict.fromkeys(assigned)),
            lines=lines,
            reason=reason,
            caught=tuple((name, caught[name]) for name in read if name in caught),
        )

    def _where(self, name: str, scope: Scope) -> Path:
        if name in scope.names.caught:
            return Path(ERROR_PATH)
        if name in self.temps:
            return variable_path(name)
        return scope.names.path_of(name) or variable_path(name)

    def glue_step(self, pieces: Sequence[GluePiece]) -> GlueStepIR:
        merged = merge_pieces(pieces, self.read_counts, self.temps)
        function = f"{identifier(self.workflow)}_glue_{len(self.findings.glue) + 1}"
        state = self.namer.name(pascal_case(function))
        store = None
        if len(merged.assigns) > 1:
            store = self.namer.name(
                "Store" + "And".join(pascal_case(n) for n in merged.assigns[:3])
            )
        step = GlueStep(
            state=state,
            service=self.owner,
            function=function,
            module=self.module,
            parameters=tuple(name for name, _ in merged.parameters),
            assigns=merged.assigns,
            body=merged.body,
            lines=merged.lines,
            reason=merged.reason,
            module_names=module_names(merged.body),
            caught=merged.caught,
        )
        self.findings.glue.append(step)
        first, last = merged.lines
        where = f"line {first}: runs" if first == last else f"lines {first}-{last}: run"
        what = f"in glue step {state} ({function}): {merged.reason}"
        self.findings.notes.append(f"{where} {what}")
        what = ", ".join(merged.assigns) or "its statements"
        comment = comment_text(f"{self.path}:{merged.lines[0]}: computes {what} ({merged.reason})")
        return GlueStepIR(state, comment, function, merged.parameters, merged.assigns, store)

    def glue_statement(
        self, statement: ast.stmt, builder: StepBuilder, scope: Scope, reason: str = ""
    ) -> None:
        check_escapes(statement)
        text = self.text.statement(statement)
        lines = (statement.lineno, statement.end_lineno or statement.lineno)
        builder.glue(
            self.piece(text, lines, reason or self.reasons.describe(statement, scope.names), scope)
        )

    def hoister(self, builder: StepBuilder, scope: Scope) -> Callable[[ast.expr, str], Path]:
        """Computes a value into a fresh variable (a Task for a service call, else glue) and
        answers where it is kept."""

        def hoist(node: ast.expr, hint: str) -> Path:
            temp = self.temp_name(hint)
            if isinstance(node, ast.Call) and self.task(
                node, "$.vars" + path_key(temp), node, builder, scope
            ):
                return variable_path(temp)
            text = (f"{temp} = {self.text.expression(node)}",)
            lines = (node.lineno, node.end_lineno or node.lineno)
            reason = self.reasons.describe(node, scope.names)
            builder.glue(self.piece(text, lines, reason, scope))
            return variable_path(temp)

        return hoist

    # ----------------------------------------------------------------- simple statements

    def simple(self, statement: ast.stmt, builder: StepBuilder, scope: Scope) -> None:
        """A statement without blocks: a Task, a Pass, or glue."""
        call, result_path = self._call_shape(statement, scope)
        if call is not None and self.task(call, result_path, statement, builder, scope):
            return
        if self._append(statement, builder, scope) or self._assign(statement, builder, scope):
            return
        if not self._hoisted_calls(statement, builder, scope):
            self.glue_statement(statement, builder, scope)

    def _call_shape(self, statement: ast.stmt, scope: Scope) -> tuple[ast.Call | None, str | None]:
        value = getattr(statement, "value", None)
        if isinstance(statement, ast.Expr) and isinstance(value, ast.Call):
            appended = appended_list(statement, _collected(scope))
            if appended is not None and isinstance(value.args[0], ast.Call):
                return value.args[0], APPENDED_PATH + path_key(appended)
            return value, None
        target = single_target(statement)
        if target is not None and isinstance(value, ast.Call):
            return value, "$.vars" + path_key(target)
        return None, None

    def task(
        self,
        call: ast.Call,
        result_path: str | None,
        statement: ast.AST,
        builder: StepBuilder,
        scope: Scope,
    ) -> bool:
        """Make `call` a Task writing its result to `result_path`, if it calls a service."""
        callee = self.sites.service_call(call)
        bound = bind_arguments(call, callee.params) if callee is not None else None
        if callee is None or bound is None:
            return False
        hoist = self.hoister(builder, scope)
        arguments = ObjectTemplate(
            tuple(
                (param, hoisting_template(arg, scope.names, hoist, param)) for param, arg in bound
            )
        )
        name = builder.allocate(pascal_case(callee.operation) or "Call")
        builder.add(self._task_step(name, callee, arguments, result_path, statement, call))
        return True

    def _task_step(
        self,
        name: str,
        callee: Callee,
        arguments: ObjectTemplate,
        result_path: str | None,
        statement: ast.AST,
        call: ast.Call,
    ) -> TaskStepIR:
        function = callee.function.qualname
        self.findings.tasks.append(
            TaskStep(
                state=name,
                service=callee.service,
                operation=callee.operation,
                function=function,
                arguments=tuple(key for key, _ in arguments.fields),
                line=call.lineno,
                result=variable_at(result_path),
            )
        )
        comment = self.comment(statement)
        return TaskStepIR(
            name,
            comment,
            callee.service,
            callee.operation,
            function,
            arguments,
            result_path,
            call.lineno,
        )

    def _append(self, statement: ast.stmt, builder: StepBuilder, scope: Scope) -> bool:
        appended = appended_list(statement, _collected(scope))
        if appended is None:
            return False
        assert isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call)
        hoist = self.hoister(builder, scope)
        item = hoisting_template(statement.value.args[0], scope.names, hoist, f"{appended}_item")
        name = builder.allocate("Append" + pascal_case(appended))
        target = APPENDED_PATH + path_key(appended)
        builder.add(AssignStepIR(name, self.comment(statement), target, item))
        return True

    def _assign(self, statement: ast.stmt, builder: StepBuilder, scope: Scope) -> bool:
        pairs = assigned_values(statement)
        if not pairs:
            return False
        templates: list[tuple[str, Template]] = []
        for target, value in pairs:
            template = to_template(value, scope.names)
            if template is None:
                return False
            templates.append((target, template))
        for target, template in templates:
            name = builder.allocate("Set" + pascal_case(target))
            step = AssignStepIR(
                name, self.comment(statement), "$.vars" + path_key(target), template
            )
            builder.add(step)
        return True

    def _hoisted_calls(self, statement: ast.stmt, builder: StepBuilder, scope: Scope) -> bool:
        """Service calls evaluated whatever happens become Tasks; the rest of the statement,
        their results in place of the calls, runs in glue."""
        calls = [
            call
            for call in unconditional_calls(statement)
            if self.sites.service_call(call) is not None
            and not any(
                isinstance(n, ast.Call) and n is not call and self.sites.service_call(n)
                for n in ast.walk(call)
            )
        ]
        replacements: list[tuple[ast.expr, str]] = []
        for call in calls:
            callee = self.sites.service_call(call)
            assert callee is not None
            temp = self.temp_name(f"{identifier(callee.operation)}_result")
            if self.task(call, "$.vars" + path_key(temp), statement, builder, scope):
                replacements.append((call, temp))
        if not replacements:
            return False
        check_escapes(statement)
        text = self.text.statement(statement, replacements)
        lines = (statement.lineno, statement.end_lineno or statement.lineno)
        builder.glue(self.piece(text, lines, self.reasons.describe(statement, scope.names), scope))
        return True


def _collected(scope: Scope) -> frozenset[str]:
    return scope.loop.collected if scope.loop is not None else frozenset()

"""Lowering control flow: blocks, `if` chains, loops, `try`, `raise` and `return`."""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import replace

from splitter.generator.asl import ALL_ERRORS, Comparison, Rule, Template, pascal_case, path_key
from splitter.generator.call_sites import CallSites
from splitter.generator.expressions import (
    constant,
    format_intrinsic,
    hoisting_template,
    is_constant,
    to_path,
    to_rule,
    to_template,
    variable_path,
)
from splitter.generator.function_scope import binds, mutates, walk_statements
from splitter.generator.glue_reasons import test_words
from splitter.generator.loop_analysis import MapPlan, empty_list_targets, plan_map
from splitter.generator.statement_shapes import Unsupported, assigned_values
from splitter.generator.workflow_lowering import (
    Loop,
    Scope,
    StatementLowering,
    StepBuilder,
)
from splitter.generator.workflow_steps import (
    AssignStepIR,
    Block,
    ChoiceStepIR,
    ContinueStepIR,
    Handler,
    MapStepIR,
    RaiseStepIR,
    ReturnStepIR,
    TryStepIR,
)

_UNSUPPORTED = {
    ast.Global: "a `global` statement",
    ast.Nonlocal: "a `nonlocal` statement",
    ast.FunctionDef: "a nested function",
    ast.AsyncFunctionDef: "a nested function",
    ast.ClassDef: "a nested class",
    ast.Import: "an import inside the function",
    ast.ImportFrom: "an import inside the function",
    ast.Yield: "`yield`",
    ast.YieldFrom: "`yield`",
    ast.Await: "`await`",
    ast.AsyncFor: "`async for`",
    ast.AsyncWith: "`async with`",
}


def unsupported_construct(
    function: ast.FunctionDef | ast.AsyncFunctionDef, sites: CallSites | None = None
) -> Unsupported | None:
    """Why the whole function cannot become a workflow, or None.

    A local import (`from . import orders`, the usual way round a circular import) is fine
    when the state machine needs none of its names: each use is the receiver of a call
    that becomes a service Task.
    """
    if isinstance(function, ast.AsyncFunctionDef):
        return Unsupported("it is a coroutine (`async def`)", function.lineno)
    for node in walk_statements(function.body):
        if isinstance(node, ast.Import | ast.ImportFrom) and _only_service_receivers(
            node, function, sites
        ):
            continue
        reason = _UNSUPPORTED.get(type(node))
        if reason:
            return Unsupported(f"it contains {reason}", getattr(node, "lineno", function.lineno))
    return None


def _only_service_receivers(
    node: ast.Import | ast.ImportFrom,
    function: ast.FunctionDef | ast.AsyncFunctionDef,
    sites: CallSites | None,
) -> bool:
    if sites is None:
        return False
    bound = {(alias.asname or alias.name).partition(".")[0] for alias in node.names}
    receivers: set[int] = set()
    for call in ast.walk(function):
        if (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and isinstance(call.func.value, ast.Name)
            and call.func.value.id in bound
            and sites.service_call(call) is not None
        ):
            receivers.add(id(call.func.value))
    uses = [
        name
        for name in ast.walk(function)
        if isinstance(name, ast.Name) and name.id in bound and isinstance(name.ctx, ast.Load)
    ]
    return all(id(name) in receivers for name in uses)


JSON_RESPONSES = frozenset({"flask.jsonify", "flask.json.jsonify"})
"""Web framework functions wrapping a value in a JSON response."""


class WorkflowLowering(StatementLowering):
    """The whole entry function, block by block."""

    def block(self, statements: Sequence[ast.stmt], scope: Scope) -> Block:
        builder = StepBuilder(self)
        absorbed = self._absorbed(statements, scope)
        for index, statement in enumerate(statements):
            if index not in absorbed:
                self.statement(statement, builder, scope)
            self.defined.update(binds(statement), mutates(statement))
            if _exits(statement) and index + 1 < len(statements):
                self.note(statements[index + 1].lineno, "unreachable code left out")
                break
        return builder.finish()

    def _absorbed(self, statements: Sequence[ast.stmt], scope: Scope) -> set[int]:
        """Indexes of `x = []` statements a following Map fills (the Map's result sets them)."""
        absorbed: set[int] = set()
        for index, statement in enumerate(statements):
            if not isinstance(statement, ast.For):
                continue
            run = _empty_list_run(statements, index)
            fresh = tuple(name for _, names in run for name in names)
            plan = self._plan(statement, fresh, scope)
            if isinstance(plan, MapPlan) and self._calls_services(statement.body):
                absorbed.update(i for i, names in run if set(names) <= set(plan.collected))
        return absorbed

    def _plan(self, loop: ast.For, fresh: Sequence[str], scope: Scope) -> MapPlan | str:
        variables = scope.names.variables
        return plan_map(loop, self.function_body, fresh, variables, scope.names.caught)

    def _calls_services(self, statements: Sequence[ast.stmt]) -> bool:
        return any(
            isinstance(node, ast.Call) and self.sites.service_call(node) is not None
            for node in walk_statements(statements)
        )

    def statement(self, statement: ast.stmt, builder: StepBuilder, scope: Scope) -> None:
        if isinstance(statement, ast.Pass) or _is_text(statement):
            return
        if isinstance(statement, ast.Import | ast.ImportFrom):
            self.note(statement.lineno, "a local import, needed only by the service calls")
            return
        if isinstance(statement, ast.If):
            self.if_chain(statement, builder, scope)
        elif isinstance(statement, ast.For):
            self.loop(statement, builder, scope)
        elif isinstance(statement, ast.Try):
            self.try_statement(statement, builder, scope)
        elif isinstance(statement, ast.Raise):
            self.raise_statement(statement, builder, scope)
        elif isinstance(statement, ast.Return):
            self.return_statement(statement, builder, scope)
        elif isinstance(statement, ast.Continue) and scope.loop is not None:
            builder.add(ContinueStepIR())
        elif isinstance(statement, ast.Assign | ast.AnnAssign | ast.Expr):
            self.simple(statement, builder, scope)
        else:
            self.glue_statement(statement, builder, scope)

    # ----------------------------------------------------------------- if / elif / else

    def if_chain(self, statement: ast.If, builder: StepBuilder, scope: Scope) -> None:
        """A Choice; an `if` that calls no service and needs glue anyway runs whole in glue."""
        chain: list[ast.If] = [statement]
        while len(chain[-1].orelse) == 1 and isinstance(chain[-1].orelse[0], ast.If):
            chain.append(chain[-1].orelse[0])
        if self._plain_computation(statement) and not self._expressible(chain, scope):
            self.glue_statement(statement, builder, scope)
        else:
            builder.add(self._choice(chain, chain[-1].orelse, builder, scope))

    def _plain_computation(self, statement: ast.stmt) -> bool:
        jumps = (ast.Return, ast.Raise, ast.Continue, ast.Break, ast.Try)
        nodes = list(walk_statements([statement]))
        return not self._calls_services([statement]) and not any(
            isinstance(node, jumps) for node in nodes
        )

    def _expressible(self, chain: list[ast.If], scope: Scope) -> bool:
        """Every test a Choice rule and every branch Pass states."""
        blocks = [link.body for link in chain] + [chain[-1].orelse]
        assignments = [statement for block in blocks for statement in block]
        return all(to_rule(link.test, scope.names) is not None for link in chain) and all(
            (pairs := assigned_values(statement))
            and all(to_template(value, scope.names) is not None for _, value in pairs)
            for statement in assignments
        )

    def _choice(
        self, chain: list[ast.If], orelse: list[ast.stmt], builder: StepBuilder, scope: Scope
    ) -> ChoiceStepIR:
        """One Choice taking tests while they are rules; a test needing glue opens a new
        Choice in the default branch, so it is only computed when Python would compute it."""
        first = self._rule(chain[0].test, builder, scope)
        name = builder.allocate("If" + pascal_case("_".join(test_words(chain[0].test))))
        branches: list[tuple[Rule, Block]] = [(first, self.block(chain[0].body, scope))]
        index = 1
        while index < len(chain) and (rule := to_rule(chain[index].test, scope.names)) is not None:
            branches.append((rule, self.block(chain[index].body, scope)))
            index += 1
        if index < len(chain):
            nested = StepBuilder(self)
            nested.add(self._choice(chain[index:], orelse, nested, scope))
            default = nested.finish()
        else:
            default = self.block(orelse, scope)
        comment = self.comment(chain[0], chain[0].test.end_lineno)
        return ChoiceStepIR(name, comment, tuple(branches), default)

    def _rule(self, test: ast.expr, builder: StepBuilder, scope: Scope) -> Rule:
        rule = to_rule(test, scope.names)
        if rule is not None:
            return rule
        temp = self.temp_name(f"condition_{test.lineno}")
        text = (f"{temp} = bool({self.text.expression(test)})",)
        bare = isinstance(test, ast.Name | ast.Subscript | ast.Attribute)
        reason = "Python truthiness" if bare else self.reasons.describe(test, scope.names)
        lines = (test.lineno, test.end_lineno or test.lineno)
        builder.glue(self.piece(text, lines, reason, scope))
        return Comparison(variable_path(temp).path, "BooleanEquals", True)

    # ----------------------------------------------------------------- for

    def loop(self, statement: ast.For, builder: StepBuilder, scope: Scope) -> None:
        statements = _siblings(self.function_body, statement)
        index = next(i for i, s in enumerate(statements) if s is statement)
        run = _empty_list_run(statements, index)
        plan = self._plan(statement, tuple(n for _, names in run for n in names), scope)
        if not self._calls_services(statement.body):
            self.glue_statement(statement, builder, scope, "a loop without service calls")
        elif isinstance(plan, str):
            because = f"the loop runs in glue because {plan}"
            self.note(statement.lineno, f"{because}; its service calls are made from the glue step")
            self.glue_statement(statement, builder, scope)
        else:
            self._map(statement, plan, builder, scope)

    def _map(self, statement: ast.For, plan: MapPlan, builder: StepBuilder, scope: Scope) -> None:
        items = self._items_path(statement.iter, builder, scope, plan.variable)
        name = builder.allocate("ForEach" + pascal_case(plan.variable))
        end = self.namer.name("Next" + pascal_case(plan.variable))
        self.defined.add(plan.variable)
        inner = Scope(
            names=replace(scope.names, caught=frozenset()),
            loop=Loop(plan.variable, frozenset(plan.collected)),
        )
        body = self.block(statement.body, inner)
        store = None
        listed = "And".join(pascal_case(n) for n in plan.collected[:3])
        gather = self.namer.name("Gather" + listed) if plan.collected else ""
        if len(plan.collected) > 1:
            store = self.namer.name("Store" + listed)
        comment = self.comment(statement, statement.iter.end_lineno)
        builder.add(
            MapStepIR(
                name,
                comment,
                items,
                plan.variable,
                plan.outer_variables,
                plan.collected,
                body,
                end,
                store,
                gather,
            )
        )

    def _items_path(self, node: ast.expr, builder: StepBuilder, scope: Scope, variable: str) -> str:
        path = to_path(node, scope.names)
        if path is not None and path.definite:
            return path.path
        template = to_template(node, scope.names)
        temp = self.temp_name(f"{variable}_items")
        if template is None:
            # list(): what the loop iterates over (a range, a dict's keys) as a JSON list
            text = (f"{temp} = list({self.text.expression(node)})",)
            lines = (node.lineno, node.end_lineno or node.lineno)
            reason = self.reasons.describe(node, scope.names) + " (the items of a loop)"
            builder.glue(self.piece(text, lines, reason, scope))
            return variable_path(temp).path
        name = builder.allocate("Set" + pascal_case(temp))
        builder.add(AssignStepIR(name, self.comment(node), "$.vars" + path_key(temp), template))
        return variable_path(temp).path

    # ----------------------------------------------------------------- try

    def try_statement(self, statement: ast.Try, builder: StepBuilder, scope: Scope) -> None:
        if statement.finalbody:
            self.note(statement.lineno, "a `try` with `finally` runs in glue")
            self.glue_statement(statement, builder, scope, "a `try` with `finally`")
            return
        builder.flush()
        body = self.block(statement.body, replace(scope, in_try=True))
        orelse = self.block(statement.orelse, scope)
        handlers = []
        for handler in statement.handlers:
            errors = self.sites.error_names(handler.type)
            handler_scope = replace(scope, names=scope.names.catching(handler.name), handled=errors)
            if handler.name:
                classes = self.sites.error_classes(handler.type)
                handler_scope = replace(
                    handler_scope, caught=(*scope.caught, (handler.name, classes))
                )
                self.defined.add(handler.name)
            handlers.append(Handler(errors, self.block(handler.body, handler_scope)))
        builder.add(TryStepIR(body, tuple(handlers), orelse))

    # ----------------------------------------------------------------- raise

    def raise_statement(self, statement: ast.Raise, builder: StepBuilder, scope: Scope) -> None:
        exc = statement.exc
        if exc is None or (isinstance(exc, ast.Name) and exc.id in scope.names.caught):
            self._reraise(statement, builder, scope)
            return
        target = exc.func if isinstance(exc, ast.Call) else exc
        qualname = self.sites.class_qualname(target)
        head = qualname.partition(".")[0] if qualname else ""
        if qualname is None or head in self.function_names.all:
            self.glue_statement(statement, builder, scope)
            return
        error = qualname.rpartition(".")[2]
        message = exc.args[0] if isinstance(exc, ast.Call) and exc.args else None
        cause, cause_path = self._cause(message, builder, scope)
        name = builder.allocate("Raise" + pascal_case(error))
        builder.add(RaiseStepIR(name, self.comment(statement), error, cause, cause_path))

    def _reraise(self, statement: ast.Raise, builder: StepBuilder, scope: Scope) -> None:
        if not scope.handled:
            self.glue_statement(statement, builder, scope, "a bare `raise` outside an `except`")
            return
        if scope.in_try:
            self.note(statement.lineno, "a re-raise inside an outer `try` ends the execution")
        caught = scope.handled[0] if scope.handled[0] != ALL_ERRORS else "Error"
        name = builder.allocate("Reraise" + pascal_case(caught))
        builder.add(RaiseStepIR(name, self.comment(statement), None))

    def _cause(
        self, message: ast.expr | None, builder: StepBuilder, scope: Scope
    ) -> tuple[str | None, str | None]:
        if message is None:
            return None, None
        value = constant(message)
        if is_constant(message) and isinstance(value, str):
            return value, None
        if isinstance(message, ast.JoinedStr):
            formatted = format_intrinsic(message, scope.names)
            if formatted is not None and "${" not in formatted.expression:
                return None, formatted.expression
        temp = self.temp_name("message")
        text = (f"{temp} = str({self.text.expression(message)})",)
        lines = (message.lineno, message.end_lineno or message.lineno)
        reason = self.reasons.describe(message, scope.names) + " (error message)"
        builder.glue(self.piece(text, lines, reason, scope))
        return None, variable_path(temp).path

    # ----------------------------------------------------------------- return

    def return_statement(self, statement: ast.Return, builder: StepBuilder, scope: Scope) -> None:
        value = self._response_body(statement)
        template: Template | None = None
        if isinstance(value, ast.Call) and self.sites.service_call(value) is not None:
            temp = self.temp_name("result")
            if self.task(value, "$.vars" + path_key(temp), statement, builder, scope):
                template = variable_path(temp)
        if value is not None and template is None:
            hoist = self.hoister(builder, scope)
            template = hoisting_template(value, scope.names, hoist, "result")
        name = builder.allocate("Return")
        builder.add(ReturnStepIR(name, self.comment(statement), template))

    def _response_body(self, statement: ast.Return) -> ast.expr | None:
        """What a web view's `return jsonify(body)` (or `jsonify(body), status`) returns in a
        Lambda: `body` itself, since a Lambda's result is JSON already."""
        value = statement.value
        if value is None:
            return None
        response = value.elts[0] if isinstance(value, ast.Tuple) and value.elts else value
        if not isinstance(response, ast.Call) or response.keywords or len(response.args) != 1:
            return value
        if self.sites.external(response) not in JSON_RESPONSES:
            return value
        dropped = " (the status code is left out)" if response is not value else ""
        self.note(
            statement.lineno,
            f"`{ast.unparse(value)}` returns {ast.unparse(response.args[0])} itself: a Lambda's "
            f"result is JSON already{dropped}",
        )
        return response.args[0]


def _is_text(statement: ast.stmt) -> bool:
    return isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)


def _exits(statement: ast.stmt) -> bool:
    if isinstance(statement, ast.Return | ast.Raise | ast.Continue | ast.Break):
        return True
    if isinstance(statement, ast.If):
        return (
            bool(statement.orelse)
            and _block_exits(statement.body)
            and _block_exits(statement.orelse)
        )
    return False


def _block_exits(statements: Sequence[ast.stmt]) -> bool:
    return any(_exits(statement) for statement in statements)


def _empty_list_run(
    statements: Sequence[ast.stmt], index: int
) -> list[tuple[int, tuple[str, ...]]]:
    """The `x = []` statements right before `statements[index]`, nearest last."""
    run: list[tuple[int, tuple[str, ...]]] = []
    position = index - 1
    while position >= 0 and (names := empty_list_targets(statements[position])):
        run.insert(0, (position, names))
        position -= 1
    return run


def _siblings(body: Sequence[ast.stmt], statement: ast.stmt) -> Sequence[ast.stmt]:
    """The block holding `statement`."""
    for candidate in body:
        if candidate is statement:
            return body
    for candidate in body:
        for block in _blocks(candidate):
            found = _siblings(block, statement)
            if found:
                return found
    return ()


def _blocks(statement: ast.stmt) -> list[list[ast.stmt]]:
    blocks = [getattr(statement, name, None) for name in ("body", "orelse", "finalbody")]
    found = [
        block
        for block in blocks
        if isinstance(block, list) and block and isinstance(block[0], ast.stmt)
    ]
    found.extend(handler.body for handler in getattr(statement, "handlers", []))
    return found

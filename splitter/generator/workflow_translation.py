"""Translating a workflow's entry function into an Amazon States Language state machine.

The entry function is read with the standard `ast` module, not libcst: the translator needs
the control flow and exact source positions of one small function, never a rewrite that
keeps formatting, and `ast` positions also let it cut statements out of the module's text
for the glue steps. The states follow docs/generated-app.md: `$.input` holds the execution
input, `$.vars.<name>.value` each variable (Task and glue results alike), `$.error` a caught
error.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence
from dataclasses import replace

from splitter.analyzer.model import Analysis, Function
from splitter.errors import GenerationError
from splitter.generator.asl import (
    Catcher,
    ChoiceState,
    Constant,
    LambdaTask,
    MapState,
    ObjectTemplate,
    PassState,
    Path,
    State,
    comment_text,
    dump_definition,
    pascal_case,
    path_key,
    render_definition,
)
from splitter.generator.call_sites import call_sites, operation_name
from splitter.generator.control_lowering import WorkflowLowering, unsupported_construct
from splitter.generator.expressions import Names, variable_path
from splitter.generator.function_scope import FunctionNames, function_names, load_counts, reads
from splitter.generator.glue_code import SourceText, glue_body, module_names
from splitter.generator.state_emission import Frame, StateEmitter
from splitter.generator.statement_shapes import Unsupported
from splitter.generator.workflow_lowering import Scope
from splitter.generator.workflow_model import GlueStep, TaskStep, WorkflowTranslation
from splitter.generator.workflow_start import start_states
from splitter.generator.workflow_steps import Block, GlueStepIR, ReturnStepIR, TaskStepIR

__all__ = [
    "GlueStep",
    "TaskStep",
    "WorkflowTranslation",
    "WorkflowTranslationError",
    "dump_definition",
    "translate_workflow",
]


class WorkflowTranslationError(GenerationError):
    """The entry function of a workflow cannot be found."""


def translate_workflow(
    workflow_name: str,
    entry: str,
    source: str,
    analysis: Analysis,
    service_of: Mapping[str, str],
    owner: str,
    *,
    operations: Mapping[str, str] | None = None,
    transaction: bool = False,
) -> WorkflowTranslation:
    """Translate the body of `entry` into the state machine of workflow `workflow_name`.

    Args:
        workflow_name: the plan's name of the workflow (glue functions are named after it).
        entry: qualified name of the function whose body is translated.
        source: the full source text of the module that defines `entry`.
        analysis: the analysis of the code base (call sites, functions, classes).
        service_of: function qualname -> service name (or SHARED), from `assign_functions`.
        owner: the service that owns `entry`; glue steps run in it.
        operations: function qualname -> operation name, where the generator names
            operations differently from `call_sites.operation_name`.
        transaction: `entry` runs in one database transaction (`@transactional`): the
            state machine calls it whole, as one Task of `owner`, since states cannot
            share a transaction.

    Returns:
        The definition, its service calls and glue steps, and notes on what could not be
        translated. When the function cannot be split at all, the definition runs it whole
        in one glue step and a note starting "translation failed" says why.

    Raises:
        WorkflowTranslationError: `entry` is not in the analysis or not in `source`.
    """
    function = _entry_function(entry, analysis)
    module = _parse(source, entry)
    node = _function_node(module, function)
    names = function_names(node)
    lowering = WorkflowLowering(
        workflow_name,
        owner,
        function.path,
        function.module,
        SourceText(source),
        call_sites(function, module, analysis, service_of, operations or {}),
        names,
        frozenset(reads(module.body)) | frozenset(_module_names(module)),
    )
    lowering.function_body = node.body
    lowering.read_counts = load_counts(node.body)
    # a transaction kept whole never reads its parameters from the workflow's variables
    start = start_states(
        lowering, node, replace(names, reassigned=frozenset()) if transaction else names
    )
    if transaction:
        body = _whole_operation(lowering, function, analysis, service_of, operations or {})
    else:
        body = _lower(lowering, node, names, [name for name, _ in start])
    states = _emit(lowering, start, body, owner)
    _check_failure(lowering)
    findings = lowering.findings
    return WorkflowTranslation(
        workflow=workflow_name,
        entry=entry,
        owner=owner,
        definition=render_definition(_comment(workflow_name, function, node), start[0][0], states),
        tasks=tuple(findings.tasks),
        glue=tuple(findings.glue),
        notes=tuple(findings.notes),
        input_names=names.params,
    )


def _lower(
    lowering: WorkflowLowering,
    node: ast.FunctionDef | ast.AsyncFunctionDef,
    names: FunctionNames,
    start_names: Sequence[str],
) -> Block:
    """The body as steps, or the whole function as one glue step when it cannot be split."""
    problem = unsupported_construct(node, lowering.sites)
    if problem is None:
        try:
            return lowering.block(node.body, _top_scope(names))
        except Unsupported as error:
            problem = error
    return _whole_function(lowering, node, names, problem, start_names)


def _entry_function(entry: str, analysis: Analysis) -> Function:
    found = next((f for f in analysis.functions if f.qualname == entry), None)
    if found is None or found.kind not in ("function", "method"):
        raise WorkflowTranslationError(
            f"the workflow entry {entry} is not a function of the analyzed code",
            hint="check the workflow's `entry` in the plan against `splitter analyze`",
        )
    return found


def _parse(source: str, entry: str) -> ast.Module:
    try:
        return ast.parse(source)
    except SyntaxError as error:
        raise WorkflowTranslationError(
            f"the module of {entry} does not parse: {error}",
            hint="pass the source text of the module that defines the entry function",
        ) from error


def _function_node(
    module: ast.Module, function: Function
) -> ast.FunctionDef | ast.AsyncFunctionDef:
    name = function.qualname.rpartition(".")[2]
    for node in ast.walk(module):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if node.name == name and node.lineno == function.line:
            return node
    raise WorkflowTranslationError(
        f"{function.qualname} is not at line {function.line} of the source given",
        hint="pass the current source of its module, or analyze the code base again",
    )


def _module_names(module: ast.Module) -> list[str]:
    found: list[str] = []
    for node in module.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            found.append(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            found.extend(a.asname or a.name.partition(".")[0] for a in node.names)
    return found


def _top_scope(names: FunctionNames) -> Scope:
    params = frozenset(names.params) - names.reassigned
    variables = names.locals | names.reassigned
    return Scope(Names(params, variables, booleans=names.booleans))


def _comment(workflow: str, function: Function, node: ast.AST) -> str:
    docstring = ast.get_docstring(node) if isinstance(node, ast.FunctionDef) else None
    summary = (docstring or function.docstring).strip().split("\n\n")[0]
    where = f"{function.qualname} ({function.path}:{function.line})"
    return comment_text(f"The {workflow} workflow, from {where}. {summary}", limit=400)


# --------------------------------------------------------------------- linking and fallbacks


def _emit(
    lowering: WorkflowLowering, start: list[tuple[str, State]], body: Block, owner: str
) -> tuple[tuple[str, State], ...]:
    """Link the first states to the body, the body's loose ends to an implicit `return None`."""
    emitter = StateEmitter(owner)
    implicit = lowering.namer.name("Return")
    out: list[tuple[str, State]] = []
    emitter.block(body, implicit, Frame(), out)
    first = emitter.entry(body, implicit, Frame())
    linked = [
        (name, replace(state, next=start[i + 1][0] if i + 1 < len(start) else first))
        for i, (name, state) in enumerate(start)
        if isinstance(state, PassState | LambdaTask)
    ]
    states = [*linked, *out]
    if any(implicit in _targets(state) for _, state in states):
        comment = "The entry function ends without a return value."
        states.append((implicit, PassState(comment, None, result=Constant(None))))
    return tuple(states)


def _targets(state: State) -> tuple[str, ...]:
    catchers: tuple[Catcher, ...] = ()
    if isinstance(state, ChoiceState):
        return (*(target for _, target in state.choices), state.default)
    if isinstance(state, LambdaTask | MapState):
        catchers = state.catchers
    nested = (
        [t for _, inner in state.states for t in _targets(inner)]
        if isinstance(state, MapState)
        else []
    )
    following = (
        (state.next,) if isinstance(state, LambdaTask | MapState | PassState) and state.next else ()
    )
    return (*following, *(c.next for c in catchers), *nested)


def _whole_operation(
    lowering: WorkflowLowering,
    function: Function,
    analysis: Analysis,
    service_of: Mapping[str, str],
    operations: Mapping[str, str],
) -> Block:
    """A transaction kept whole: one Task calling the function as an operation of its service.

    Each state of a state machine is a Lambda invocation of its own, which commits or loses
    its database work when it returns; the monolith's transaction holds only if the function
    runs in one invocation, its decorator opening and committing it as before.
    """
    operation = operations.get(function.qualname) or operation_name(
        function, analysis.functions, service_of
    )
    name = lowering.namer.name(pascal_case(operation) or "Call")
    params = lowering.function_names.params
    arguments = ObjectTemplate(tuple((p, Path("$.input" + path_key(p))) for p in params))
    lowering.findings.tasks.append(
        TaskStep(
            name, lowering.owner, operation, function.qualname, params, function.line, "result"
        )
    )
    lowering.findings.notes.insert(
        0,
        f"line {function.line}: {function.qualname} runs in one database transaction: the "
        f"state machine calls it whole (Task {name}), so the transaction covers all it does as "
        "in the monolith; its calls to other services go through their clients",
    )
    comment = comment_text(
        f"{lowering.path}:{function.line}: the whole function, in one transaction"
    )
    task = TaskStepIR(
        name,
        comment,
        lowering.owner,
        operation,
        function.qualname,
        arguments,
        "$.vars" + path_key("result"),
        function.line,
    )
    return (
        task,
        ReturnStepIR(lowering.namer.name("Return"), "Returns its result.", variable_path("result")),
    )


def _whole_function(
    lowering: WorkflowLowering,
    node: ast.FunctionDef | ast.AsyncFunctionDef,
    names: FunctionNames,
    problem: Unsupported,
    keep: Sequence[str],
) -> Block:
    """The failure case: one glue step running the whole function, its result the output."""
    lowering.findings.tasks.clear()
    lowering.findings.glue.clear()
    lowering.namer.forget(keep)
    function = f"{lowering.workflow}_glue_1"
    state = lowering.namer.name(pascal_case(function))
    reason = f"the whole function runs here: {problem.reason}"
    first = node.body[0].lineno
    body = _whole_body(lowering, node, names)
    lowering.findings.glue.append(
        GlueStep(
            state=state,
            service=lowering.owner,
            function=function,
            module=lowering.module,
            parameters=names.params,
            assigns=("result",),
            body=body,
            lines=(first, node.end_lineno or first),
            reason=reason,
            module_names=module_names(body),
        )
    )
    failure = f"translation failed: {problem.reason} (line {problem.line})"
    lowering.findings.notes.insert(0, f"{failure}; the whole function runs as glue step {state}")
    parameters = tuple((name, Path("$.input" + path_key(name))) for name in names.params)
    comment = comment_text(f"{lowering.path}:{first}: the whole function ({reason})")
    glue = GlueStepIR(state, comment, function, parameters, ("result",), None)
    output = variable_path("result")
    return (glue, ReturnStepIR(lowering.namer.name("Return"), "Returns its result.", output))


def _whole_body(
    lowering: WorkflowLowering, node: ast.FunctionDef | ast.AsyncFunctionDef, names: FunctionNames
) -> tuple[str, ...]:
    """The function, redefined inside the glue function and called with its arguments."""
    text = [line for statement in node.body for line in lowering.text.statement(statement)]
    params = ", ".join(names.params)
    runner = f"_{node.name}"
    is_async = isinstance(node, ast.AsyncFunctionDef)
    header = f"{'async def' if is_async else 'def'} {runner}({params}):"
    inner = [header, *(f"    {line}" if line else "" for line in text)]
    if is_async:
        inner += ["import asyncio", f"result = asyncio.run({runner}({params}))"]
    else:
        inner.append(f"result = {runner}({params})")
    return glue_body(names.params, inner, ("result",))


def _check_failure(lowering: WorkflowLowering) -> None:
    """A translation that is one glue step and no service call is a failure, said so."""
    findings = lowering.findings
    if findings.tasks or len(findings.glue) != 1:
        return
    if not any(note.startswith("translation failed") for note in findings.notes):
        failure = "translation failed: no service call could be made a step"
        state = findings.glue[0].state
        findings.notes.insert(0, f"{failure}; the whole function runs as glue step {state}")

"""The first states of a workflow: read the execution input, fill in default arguments."""

from __future__ import annotations

import ast

from splitter.generator.asl import (
    Constant,
    Intrinsic,
    LambdaTask,
    ObjectTemplate,
    PassState,
    Path,
    State,
    pascal_case,
    path_key,
)
from splitter.generator.expressions import constant, is_constant
from splitter.generator.function_scope import FunctionNames
from splitter.generator.glue_code import module_names
from splitter.generator.workflow_lowering import StatementLowering
from splitter.generator.workflow_model import GlueStep

_READS_INPUT = "Reads the execution input."


def start_states(
    lowering: StatementLowering, node: ast.FunctionDef | ast.AsyncFunctionDef, names: FunctionNames
) -> list[tuple[str, State]]:
    """Read the execution input, fill in default arguments, copy parameters the body rebinds.

    Their `Next` is left empty: the translator links them to the body's first state.
    """
    defaults = _defaults(node.args)
    start = lowering.namer.name("Start")
    states: list[tuple[str, State]] = []
    if not defaults:
        initial = ObjectTemplate((("input", Path("$")), ("vars", Constant({}))))
    elif all(is_constant(value) for _, value in defaults):
        literal = {name: constant(value) for name, value in defaults}
        initial = ObjectTemplate((("defaults", Constant(literal)), ("given", Path("$"))))
    else:
        initial = ObjectTemplate((("given", Path("$")),))
    states.append((start, PassState(_READS_INPUT, "", parameters=initial)))
    if defaults and not all(is_constant(value) for _, value in defaults):
        states.append(_computed_defaults(lowering, defaults))
    if defaults:
        merged = Intrinsic("States.JsonMerge($.defaults, $.given, false)")
        fields = ObjectTemplate((("input", merged), ("vars", Constant({}))))
        comment = "Fills in the default arguments: " + ", ".join(name for name, _ in defaults) + "."
        states.append(
            (lowering.namer.name("ApplyDefaults"), PassState(comment, "", parameters=fields))
        )
    for param in names.params:
        if param in names.reassigned:
            copy = ObjectTemplate((("value", Path("$.input" + path_key(param))),))
            comment = f"{param} is rebound by the body, so it is kept among the variables."
            state = PassState(comment, "", parameters=copy, result_path="$.vars" + path_key(param))
            states.append((lowering.namer.name("Set" + pascal_case(param)), state))
    return states


def _defaults(args: ast.arguments) -> list[tuple[str, ast.expr]]:
    positional = [*args.posonlyargs, *args.args]
    paired = list(
        zip(positional[len(positional) - len(args.defaults) :], args.defaults, strict=True)
    )
    paired += [
        (arg, value)
        for arg, value in zip(args.kwonlyargs, args.kw_defaults, strict=True)
        if value is not None
    ]
    return [(arg.arg, value) for arg, value in paired]


def _computed_defaults(
    lowering: StatementLowering, defaults: list[tuple[str, ast.expr]]
) -> tuple[str, State]:
    function = f"{lowering.workflow}_defaults"
    name = lowering.namer.name(pascal_case(function))
    returned = ", ".join(
        f'"{param}": {lowering.text.expression(value)}' for param, value in defaults
    )
    body = (f"return {{{returned}}}",)
    lines = (min(v.lineno for _, v in defaults), max(v.end_lineno or v.lineno for _, v in defaults))
    step = GlueStep(
        state=name,
        service=lowering.owner,
        function=function,
        module=lowering.module,
        parameters=(),
        assigns=tuple(p for p, _ in defaults),
        body=body,
        lines=lines,
        reason="default arguments that are not constants",
        module_names=module_names(body),
    )
    lowering.findings.glue.append(step)
    lowering.note(lines[0], f"the default arguments are computed by glue step {name} ({function})")
    selector = ObjectTemplate(tuple((p, Path("$.Payload" + path_key(p))) for p, _ in defaults))
    task = LambdaTask(
        comment="Computes the default arguments.",
        service=lowering.owner,
        operation=function,
        arguments=ObjectTemplate((("variables", ObjectTemplate(())),)),
        result_selector=selector,
        result_path="$.defaults",
        catchers=(),
        next="",
    )
    return name, task

"""The structural checks of state machine definitions, and cfn-lint as an outside judge."""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from splitter.generator.asl_check import check_definition

VALID: dict[str, Any] = {
    "Comment": "A small valid machine.",
    "StartAt": "Reserve",
    "States": {
        "Reserve": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "${StockFunctionArn}", "Payload": {}},
            "Catch": [{"ErrorEquals": ["OutOfStock"], "ResultPath": "$.error", "Next": "Stop"}],
            "Next": "Decide",
        },
        "Decide": {
            "Type": "Choice",
            "Choices": [
                {"Variable": "$.vars.x.value", "StringEquals": "a", "Next": "Each"},
                {
                    "And": [
                        {"Variable": "$.input.n", "NumericGreaterThan": 1},
                        {"Not": {"Variable": "$.input.m", "IsNull": True}},
                    ],
                    "Next": "Stop",
                },
            ],
            "Default": "Done",
        },
        "Each": {
            "Type": "Map",
            "ItemsPath": "$.input.items",
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "INLINE"},
                "StartAt": "Inner",
                "States": {"Inner": {"Type": "Pass", "End": True}},
            },
            "ResultPath": None,
            "Next": "Done",
        },
        "Stop": {"Type": "Fail", "ErrorPath": "$.error.Error", "CausePath": "$.error.Cause"},
        "Done": {"Type": "Pass", "End": True},
    },
}


def broken(change: str, value: Any = None, *, delete: bool = False) -> dict[str, Any]:
    """VALID with the field at the dotted path `change` set to `value` (or deleted)."""
    definition = copy.deepcopy(VALID)
    *parents, last = change.split(".")
    target: Any = definition
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    if delete:
        del target[last]
    elif isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value
    return definition


def test_a_valid_definition_has_no_problems() -> None:
    assert check_definition(VALID) == []


PROBLEMS = [
    (broken("States.Reserve.Next", "Nowhere"), "States.Reserve.Next: no state named 'Nowhere'"),
    (broken("States.Extra", {"Type": "Pass", "End": True}), "States.Extra: not reachable"),
    (broken("StartAt", delete=True), "StartAt: missing"),
    (broken("StartAt", "Elsewhere"), "StartAt: no state named 'Elsewhere'"),
    (broken("States.Decide.Choices", []), "Choices: a Choice state needs at least one rule"),
    (broken("States.Decide.Choices", delete=True), "Choices: a Choice state needs"),
    (broken("States.Decide.Default", "Gone"), "States.Decide.Default: no state named 'Gone'"),
    (broken("States.Reserve.Catch.0.Next", "Gone"), "Catch[0].Next: no state named 'Gone'"),
    (
        broken("States.Each.ItemProcessor.States.Inner", {"Type": "Pass", "Next": "Out"}),
        "Each.ItemProcessor.States.Inner.Next: no state named 'Out'",
    ),
    (broken("States.Done.End", delete=True), "States.Done: needs exactly one of Next and End"),
    (broken("States.Stop.Next", "Done"), "a Fail state takes no Next or End"),
    (broken("States.Reserve.Resource", delete=True), "States.Reserve.Resource: missing"),
    (broken("States.Reserve.Type", "Sleep"), "unknown state type 'Sleep'"),
    (broken("States.Stop.Error", "E"), "takes Error or ErrorPath, not both"),
    (
        broken("States.Decide.Choices.0", {"Variable": "$.x", "Next": "Each"}),
        "needs exactly one known comparison",
    ),
    (
        broken("States.Decide.Choices.0", {"Variable": "$.x", "StringEquals": 3, "Next": "Each"}),
        "StringEquals: a int does not fit",
    ),
    (
        broken("States.Decide.Choices.1.And", []),
        "And: needs a non-empty list of rules",
    ),
    (
        broken("States.Decide.Choices.1.And.0", {"Variable": "$.n", "IsNull": True, "Next": "x"}),
        "a nested rule takes no Next",
    ),
    (
        broken("States.Reserve.Catch.0.ErrorEquals", ["States.ALL", "OutOfStock"]),
        "States.ALL must stand alone in the last catcher",
    ),
    (
        broken("States.Reserve.Parameters.FunctionName", "${AWS::Region}"),
        "substitution '${AWS::Region}' is not ${<Name>FunctionArn}",
    ),
    (broken("Comment", "price ${total}"), "substitution '${total}'"),
    (broken("States." + "N" * 81, {"Type": "Pass", "End": True}), "must be 1 to 80 characters"),
    (
        broken("States.Each.ItemProcessor.States.Done", {"Type": "Pass", "End": True}),
        "state name 'Done': used more than once",
    ),
    ({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "A"}}}, "no state ends"),
    ([], "not a JSON object"),
]


@pytest.mark.parametrize(("definition", "expected"), PROBLEMS)
def test_check_definition_finds_the_problem(definition: Any, expected: str) -> None:
    problems = check_definition(definition)
    assert any(expected in problem for problem in problems), problems


# --------------------------------------------------------------------------- cfn-lint


def cfn_lint_problems(definitions: dict[str, dict[str, Any]]) -> list[str]:
    """cfn-lint's findings on a template holding each definition as an inline state machine,
    with `DefinitionSubstitutions` for the function ARNs it names."""
    api = pytest.importorskip("cfnlint.api", reason="cfn-lint is in the test extras")
    resources = {
        f"Machine{index}": _state_machine(definition)
        for index, definition in enumerate(definitions.values())
    }
    template = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources}
    matches = api.lint(json.dumps(template), config=api.ManualArgs(regions=["us-east-1"]))
    names = list(definitions)
    return [_located(str(match), names) for match in matches]


def _state_machine(definition: dict[str, Any]) -> dict[str, Any]:
    arns = sorted(set(re.findall(r"\$\{(\w+FunctionArn)\}", json.dumps(definition))))
    properties: dict[str, Any] = {
        "RoleArn": "arn:aws:iam::123456789012:role/workflow",
        "Definition": definition,
    }
    if arns:
        properties["DefinitionSubstitutions"] = {
            arn: f"arn:aws:lambda:us-east-1:123456789012:function:{arn}" for arn in arns
        }
    return {"Type": "AWS::StepFunctions::StateMachine", "Properties": properties}


def _located(message: str, names: list[str]) -> str:
    return re.sub(
        r"Machine(\d+)", lambda m: f"Machine{m.group(1)} ({names[int(m.group(1))]})", message
    )


def test_cfn_lint_accepts_the_valid_definition() -> None:
    assert cfn_lint_problems({"valid": VALID}) == []


def test_cfn_lint_is_really_checking() -> None:
    without_choices = broken("States.Decide.Choices", delete=True)
    assert any("Choices" in problem for problem in cfn_lint_problems({"bad": without_choices}))


def asl_validator_problems(definitions: dict[str, dict[str, Any]], folder: Path) -> list[str]:
    """What the npm package asl-validator says of each definition (skips when it is absent)."""
    program = shutil.which("asl-validator")
    if program is None:
        pytest.skip("asl-validator (npm) is not on PATH; it is an optional second opinion")
    problems = []
    for index, (name, definition) in enumerate(definitions.items()):
        path = folder / f"definition{index}.asl.json"
        path.write_text(json.dumps(definition), encoding="utf-8")
        command = [program, "--json-path", str(path)]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            problems.append(f"{name}: {done.stdout}{done.stderr}")
    return problems


def test_asl_validator_accepts_the_valid_definition(tmp_path: Path) -> None:
    assert asl_validator_problems({"valid": VALID}, tmp_path) == []

"""The generated application's supporting files: README, example events, tests, report."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from splitter.analyzer.model import Analysis
from splitter.generator.carry import CarriedCode, GeneratedFile
from splitter.generator.deployment import DeploymentModel
from splitter.generator.workflow_model import WorkflowTranslation
from splitter.planner.plan import Plan

LINT_LINE_LENGTH = 120
LINT_RULES = ("E", "F", "W")
"""The ruff settings of the generated code: the carried code keeps the monolith's long lines."""
LINT_IGNORED = {"**/splitter_glue.py": ("E501",), "tests/*": ("E501",)}
"""Glue steps hold the monolith's own statements line for line; tests quote its values."""


def lint_settings(
    files: Sequence[GeneratedFile] = (), baseline: Mapping[str, Sequence[str]] | None = None
) -> str:
    """The generated `ruff.toml`. `baseline` maps a monolith file to the rules its own code
    breaks (found with these settings); each file carried from it ignores those rules, so the
    tree passes `ruff check` while the monolith's own findings stay the monolith's."""
    rules = ", ".join(f'"{rule}"' for rule in LINT_RULES)
    lines = [
        f"line-length = {LINT_LINE_LENGTH}",
        "",
        "[lint]",
        f"select = [{rules}]",
        "",
        "[lint.per-file-ignores]",
        "# glue steps hold the monolith's own statements, line for line",
        *(
            f"{json.dumps(pattern)} = {json.dumps(list(codes))}"
            for pattern, codes in LINT_IGNORED.items()
        ),
    ]
    carried = sorted(
        (file.path, tuple(sorted(set((baseline or {})[file.source]))))
        for file in files
        if file.source in (baseline or {}) and file.path.endswith(f"/{file.source}")
    )
    if carried:
        lines.append("# what the monolith's own code breaks, in the files carried from it")
        lines += [f"{json.dumps(path)} = {json.dumps(list(codes))}" for path, codes in carried]
    return "\n".join(lines) + "\n"


def example_events(
    translations: Sequence[WorkflowTranslation], analysis: Analysis
) -> list[GeneratedFile]:
    """One example input per workflow: its fields, to be filled in with real values."""
    functions = {f.qualname: f for f in analysis.functions}
    files = []
    for translation in translations:
        function = functions.get(translation.entry)
        fields = {name: None for name in translation.input_names}
        event = {"comment": _where(function), "input": fields} if function else fields
        text = json.dumps(event, indent=2, sort_keys=False) + "\n"
        files.append(GeneratedFile(f"events/{translation.workflow}/example.json", text))
    return files


def _where(function: Any) -> str:
    return f"execution input of {function.qualname} ({function.path}:{function.line})"


def report_json(
    plan: Plan,
    translations: Sequence[WorkflowTranslation],
    operations_only: Sequence[str],
    carried: CarriedCode,
    notes: Sequence[str],
) -> dict[str, Any]:
    """What was generated from what, and everything that could not be translated as it was."""
    return {
        "format": "splitter-generation-report",
        "root": plan.root,
        "workflows": [_workflow(t) for t in translations],
        "operations_without_workflow": list(operations_only),
        "entry_operations": _entry_operations(operations_only, carried),
        "remote_calls": [
            {
                "caller": call.caller,
                "callee": call.callee,
                "from": call.services[0],
                "to": call.services[1],
                "site": f"{call.path}:{call.line}",
            }
            for call in carried.remote_calls
        ],
        "notes": [*notes, *carried.notes],
    }


def _entry_operations(entries: Sequence[str], carried: CarriedCode) -> list[dict[str, str]]:
    """For each entry point served by one function: the service and operation that serve it."""
    served = {
        operation.function: operation
        for operations in carried.operations.values()
        for operation in operations
    }
    found = []
    for entry in entries:
        operation = served.get(entry)
        if operation is not None:
            found.append(
                {"entry": entry, "service": operation.service, "operation": operation.name}
            )
    return found


def _workflow(translation: WorkflowTranslation) -> dict[str, Any]:
    return {
        "name": translation.workflow,
        "entry": translation.entry,
        "service": translation.owner,
        "states": len(translation.definition.get("States", {})),
        "tasks": [str(task) for task in translation.tasks],
        "glue": [
            {
                "state": step.state,
                "function": step.function,
                "lines": list(step.lines),
                "reason": step.reason,
            }
            for step in translation.glue
        ],
        "notes": list(translation.notes),
        "failed": translation.failed,
    }


def generated_readme(
    plan: Plan,
    translations: Sequence[WorkflowTranslation],
    carried: CarriedCode,
    model: DeploymentModel,
) -> str:
    """The generated application's README: what, from what, how to deploy and run."""
    lines = [
        f"# {model.app_name}: the monolith split into services",
        "",
        f"Generated by `splitter generate` from the plan of `{plan.root}`. Regenerating keeps",
        "files you edited (see `splitter-manifest.json`) unless `--force` is given.",
        "",
        "## Services",
        "",
        "| service | operations | tables |",
        "|---|---|---|",
    ]
    for service in plan.services:
        operations = ", ".join(op.name for op in carried.operations.get(service.name, ()))
        lines.append(f"| {service.name} | {operations or '-'} | {', '.join(service.tables)} |")
    lines += ["", "## Workflows", ""]
    for translation in translations:
        states = len(translation.definition.get("States", {}))
        lines.append(
            f"- `{translation.workflow}` ({translation.entry}): {states} states, "
            f"{len(translation.tasks)} service calls, {len(translation.glue)} glue steps; "
            f"`statemachines/{translation.workflow}.asl.json`"
        )
    lines += [
        "",
        "## Deploy",
        "",
        "```",
        "sam build && sam deploy --guided",
        "```",
        "",
        "## Run and test locally",
        "",
        "```",
        "pip install pytest pydantic aws-lambda-powertools",
        "pytest tests",
        "```",
        "",
        "`splitter-report.json` lists what could not be translated, the glue steps (lines of the",
        "monolith that run inside a service because the States Language cannot express them)",
        "and the calls from one service to another that remain synchronous.",
    ]
    return "\n".join(lines) + "\n"


_TESTS_HEADER = '''"""Checks of the generated application: services alone, workflows wired."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
'''

_TESTS_BODY = '''

def _operations(service: str) -> list[str]:
    """Import a service's handlers with only its folder and the shared layer on the path."""
    code = (
        "import json, sys; sys.path[:0] = [sys.argv[1], sys.argv[2]]; "
        "import handlers; print(json.dumps(sorted(handlers.HANDLERS)))"
    )
    layer = ROOT / "layers" / "shared" / "python"
    result = subprocess.run(
        [sys.executable, "-I", "-c", code, str(ROOT / "services" / service), str(layer)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    return list(json.loads(result.stdout))


@pytest.mark.parametrize("service", SERVICES)
def test_service_imports_alone(service: str) -> None:
    assert set(OPERATIONS[service]) <= set(_operations(service))


def _tasks(node: object) -> list[dict[str, object]]:
    found: list[dict[str, object]] = []
    if isinstance(node, dict):
        parameters = node.get("Parameters")
        if node.get("Type") == "Task" and isinstance(parameters, dict):
            found.append(parameters)
        for value in node.values():
            found += _tasks(value)
    elif isinstance(node, list):
        for value in node:
            found += _tasks(value)
    return found


@pytest.mark.parametrize("workflow", WORKFLOWS)
def test_workflow_calls_operations_that_exist(workflow: str) -> None:
    definition = json.loads((ROOT / "statemachines" / f"{workflow}.asl.json").read_text())
    template = (ROOT / "template.yaml").read_text()
    for parameters in _tasks(definition):
        function = str(parameters["FunctionName"])[2:-1]
        assert f"{function}:" in template, function
        operation = parameters["Payload"]["operation"]  # type: ignore[index]
        assert any(operation in ops for ops in ALL_OPERATIONS.values()), operation
'''


def generated_tests(
    plan: Plan, translations: Sequence[WorkflowTranslation], carried: CarriedCode
) -> list[GeneratedFile]:
    """pytest tests of every handler (imports alone) and every workflow (wired to them)."""
    operations = {
        service.name: sorted(op.name for op in carried.operations.get(service.name, ()))
        for service in plan.services
    }
    glue: dict[str, list[str]] = {}
    for translation in translations:
        for step in translation.glue:
            glue.setdefault(step.service, []).append(step.function)
    every = {s: sorted([*ops, *glue.get(s, [])]) for s, ops in operations.items()}
    constants = [
        f"SERVICES = {sorted(operations)!r}",
        f"OPERATIONS = {_literal(operations)}",
        f"ALL_OPERATIONS = {_literal(every)}",
        f"WORKFLOWS = {sorted(t.workflow for t in translations)!r}",
    ]
    text = _TESTS_HEADER + "\n" + "\n".join(constants) + "\n" + _TESTS_BODY
    return [GeneratedFile("tests/test_generated_app.py", text)]


def _literal(mapping: Mapping[str, list[str]]) -> str:
    return json.dumps(mapping, indent=4, sort_keys=True)

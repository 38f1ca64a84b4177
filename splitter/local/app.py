"""The generated application as the local runner sees it, read from `template.yaml`.

The runner trusts the template, not the generator's memory: what it runs is what
`sam deploy` would deploy (functions, their code folders, layers, environment, and the
state machines with the functions each definition names).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from splitter.errors import InputError

STACK_NAME = "local"
REGION = "us-east-1"
ACCOUNT = "123456789012"
_FUNCTION_TYPE = "AWS::Serverless::Function"
_LAYER_TYPE = "AWS::Serverless::LayerVersion"
_STATE_MACHINE_TYPE = "AWS::Serverless::StateMachine"


@dataclass(frozen=True)
class LocalFunction:
    """One Lambda function: where its code is and what its process is given.

    `variables` are all the environment variables the template declares for it; those whose
    value is unknown locally are missing from `environment`.
    """

    logical_id: str
    name: str
    code_dir: Path
    handler: str
    layer_dirs: tuple[Path, ...]
    environment: Mapping[str, str] = field(default_factory=dict)
    variables: frozenset[str] = frozenset()
    memory_mb: int = 128
    timeout_s: int = 3

    @property
    def arn(self) -> str:
        return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{self.name}"

    def __str__(self) -> str:
        return f"{self.logical_id} ({self.code_dir.name}/, {self.handler})"


@dataclass(frozen=True)
class LocalWorkflow:
    """One state machine: its definition file and the function each placeholder names."""

    name: str
    logical_id: str
    definition_path: Path
    substitutions: Mapping[str, str]
    entry: str = ""
    """The monolith function it translates (from `splitter-report.json`); "" if unknown."""

    def __str__(self) -> str:
        return f"{self.name} ({self.definition_path.name})"


@dataclass(frozen=True)
class EntryOperation:
    """An entry point that reaches no other service: one function serves it, no state machine."""

    name: str
    entry: str
    service: str
    operation: str

    def __str__(self) -> str:
        return f"{self.name} ({self.entry}: operation {self.operation} of {self.service})"


@dataclass(frozen=True)
class LocalApp:
    """The functions, workflows and single-function entry points of a generated application."""

    root: Path
    functions: Mapping[str, LocalFunction]
    workflows: Mapping[str, LocalWorkflow]
    operations: Mapping[str, EntryOperation] = field(default_factory=dict)
    variables: Mapping[str, str | None] = field(default_factory=dict)
    """Each template parameter's environment variable, with the value it was given."""

    @property
    def runnable(self) -> tuple[str, ...]:
        """Every name `splitter run` takes: the workflows, then the entry operations."""
        return (*self.workflows, *(n for n in self.operations if n not in self.workflows))

    def workflow(self, name: str) -> LocalWorkflow:
        found = self.workflows.get(name)
        if found is None:
            raise InputError(
                f"no workflow {name!r} in {self.root}",
                hint=f"the workflows are: {', '.join(self.runnable) or 'none'}",
            )
        return found

    def serving(self, operation: EntryOperation) -> LocalFunction:
        """The function that serves an entry operation (by the service's code folder)."""
        candidates = [
            function
            for function in self.functions.values()
            if function.code_dir.name == operation.service
        ]
        for function in candidates:
            if function.handler in ("handlers.handle", f"handlers.handle_{operation.operation}"):
                return function
        raise InputError(
            f"no function of {self.root / 'template.yaml'} serves {operation}",
            hint="regenerate the application: splitter generate",
        )

    def function_named(self, name: str) -> LocalFunction | None:
        """The function deployed under `name`, or whose ARN or logical id is `name`."""
        for function in self.functions.values():
            if name in (function.name, function.arn, function.logical_id):
                return function
        return None

    def definition(self, workflow: LocalWorkflow) -> str:
        """The workflow's ASL with every `${...}` placeholder replaced by a function ARN."""
        text = workflow.definition_path.read_text(encoding="utf-8")
        for placeholder, logical_id in workflow.substitutions.items():
            text = text.replace("${" + placeholder + "}", self.functions[logical_id].arn)
        return text

    def __str__(self) -> str:
        return f"{self.root}: {len(self.functions)} functions, {len(self.workflows)} workflows"


class _TemplateLoader(yaml.SafeLoader):
    """Reads CloudFormation's short forms (`!Ref`, `!GetAtt`, `!Sub`) as their long forms."""


def _short_form(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = str(value).split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {"Ref": value} if suffix == "Ref" else {f"Fn::{suffix}": value}


_TemplateLoader.add_multi_constructor("!", _short_form)


def read_template(path: Path) -> dict[str, Any]:
    """`template.yaml` as data, short forms expanded."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_TemplateLoader)
    except FileNotFoundError:
        raise InputError(
            f"no template.yaml in {path.parent}",
            hint="generate the application first: splitter generate --out DIR",
        ) from None
    except yaml.YAMLError as error:
        raise InputError(f"{path} is not valid YAML: {error}") from None
    if not isinstance(data, dict) or not isinstance(data.get("Resources"), dict):
        raise InputError(f"{path} has no Resources", hint="regenerate with splitter generate")
    return data


def load_app(root: Path, parameters: Mapping[str, str] | None = None) -> LocalApp:
    """Read the generated application at `root`.

    A template parameter takes its value from `parameters` (by name), else from the
    environment variable it describes (the generator names it in `Description`), else its
    default; with none of these, the variables it feeds stay unset.
    """
    template = read_template(root / "template.yaml")
    resources: dict[str, Any] = template["Resources"]
    values = _parameter_values(template, parameters or {})
    layers = {
        logical_id: root / str(resource["Properties"]["ContentUri"]) / "python"
        for logical_id, resource in resources.items()
        if resource.get("Type") == _LAYER_TYPE
    }
    function_globals = template.get("Globals", {}).get("Function", {})
    names = {
        logical_id: f"{STACK_NAME}-{logical_id}"
        for logical_id, resource in resources.items()
        if resource.get("Type") == _FUNCTION_TYPE
    }
    context = _Context(values, names)
    functions = {
        logical_id: _function(
            root, logical_id, resources[logical_id], function_globals, layers, context
        )
        for logical_id in names
    }
    workflows = {}
    for logical_id, resource in resources.items():
        if resource.get("Type") == _STATE_MACHINE_TYPE:
            workflow = _workflow(root, logical_id, resource["Properties"])
            workflows[workflow.name] = workflow
    report = _report(root / "splitter-report.json")
    entries = {str(item["name"]): str(item["entry"]) for item in report.get("workflows", [])}
    workflows = {
        name: replace(workflow, entry=entries.get(name, "")) for name, workflow in workflows.items()
    }
    variables = {
        str(spec.get("Description", name)): values[name]
        for name, spec in template.get("Parameters", {}).items()
    }
    return LocalApp(
        root, functions, dict(sorted(workflows.items())), _entry_operations(report), variables
    )


def _report(path: Path) -> dict[str, Any]:
    """The generation report; empty when it is missing or unreadable."""
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return report if isinstance(report, dict) else {}


def _entry_operations(report: Mapping[str, Any]) -> dict[str, EntryOperation]:
    """The entry points one function serves, named after their function."""
    found: dict[str, EntryOperation] = {}
    for item in report.get("entry_operations", []):
        entry = str(item["entry"])
        name = entry.rpartition(".")[2]
        if name in found:
            name = entry.replace(".", "_")
        found[name] = EntryOperation(name, entry, str(item["service"]), str(item["operation"]))
    return dict(sorted(found.items()))


@dataclass(frozen=True)
class _Context:
    parameters: Mapping[str, str | None]
    function_names: Mapping[str, str]

    def value(self, node: Any) -> str | None:
        """The string an intrinsic stands for when the stack is named `local`.

        None for a parameter that has no value: its variable stays unset, so the code's
        own default applies, as when the monolith runs without it.
        """
        if isinstance(node, str | int | float):
            return str(node)
        if isinstance(node, dict) and "Ref" in node:
            ref = str(node["Ref"])
            if ref in self.parameters:
                return self.parameters[ref]
            return self.function_names.get(ref, ref)
        if isinstance(node, dict) and "Fn::Sub" in node and isinstance(node["Fn::Sub"], str):
            text = str(node["Fn::Sub"]).replace("${AWS::StackName}", STACK_NAME)
            text = text.replace("${AWS::Region}", REGION).replace("${AWS::AccountId}", ACCOUNT)
            for name, value in self.parameters.items():
                text = text.replace("${" + name + "}", value or "")
            return text.replace("${AWS::Partition}", "aws")
        if isinstance(node, dict) and "Fn::GetAtt" in node:
            target, attribute = node["Fn::GetAtt"]
            name = self.function_names.get(str(target), str(target))
            return (
                f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}" if attribute == "Arn" else name
            )
        raise InputError(f"template.yaml holds a value the local runner cannot read: {node!r}")


def _parameter_values(template: dict[str, Any], given: Mapping[str, str]) -> dict[str, str | None]:

    unknown = sorted(set(given) - set(template.get("Parameters", {})))
    if unknown:
        raise InputError(
            f"template.yaml has no parameter {', '.join(unknown)}",
            hint=f"its parameters are: {', '.join(template.get('Parameters', {})) or 'none'}",
        )
    values: dict[str, str | None] = {}
    for name, spec in template.get("Parameters", {}).items():
        variable = str(spec.get("Description", name))
        default = spec.get("Default")
        values[name] = given.get(name, os.environ.get(variable, default))
    return values


def _function(
    root: Path,
    logical_id: str,
    resource: dict[str, Any],
    function_globals: dict[str, Any],
    layers: Mapping[str, Path],
    context: _Context,
) -> LocalFunction:
    properties = {**function_globals, **resource.get("Properties", {})}
    layer_dirs = []
    for layer in properties.get("Layers", []):
        ref = str(layer.get("Ref")) if isinstance(layer, dict) else ""
        if ref in layers:
            layer_dirs.append(layers[ref])
    variables = properties.get("Environment", {}).get("Variables", {})
    return LocalFunction(
        logical_id=logical_id,
        name=context.function_names[logical_id],
        code_dir=root / str(properties["CodeUri"]),
        handler=str(properties["Handler"]),
        layer_dirs=tuple(layer_dirs),
        environment={
            name: text
            for name, value in variables.items()
            if (text := context.value(value)) is not None
        },
        variables=frozenset(variables),
        memory_mb=int(properties.get("MemorySize", 128)),
        timeout_s=int(properties.get("Timeout", 3)),
    )


def _workflow(root: Path, logical_id: str, properties: dict[str, Any]) -> LocalWorkflow:
    path = root / str(properties["DefinitionUri"])
    substitutions = {}
    for placeholder, value in properties.get("DefinitionSubstitutions", {}).items():
        if isinstance(value, dict) and "Fn::GetAtt" in value:
            substitutions[placeholder] = str(value["Fn::GetAtt"][0])
    name = path.name.removesuffix(".asl.json")
    try:
        json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise InputError(f"cannot read the definition of {name}: {error}") from None
    return LocalWorkflow(name, logical_id, path, substitutions)

"""The SAM template: the deployment model as a CloudFormation document, dumped as YAML."""

from __future__ import annotations

import re
from typing import Any

import yaml

from splitter.errors import GenerationError
from splitter.generator.deployment import (
    DeploymentModel,
    EnvironmentValue,
    FunctionRef,
    FunctionSpec,
    LayerSpec,
    ParameterKind,
    ParameterRef,
    ParameterSpec,
    StateMachineSpec,
    function_name,
    get_att,
    ref,
    sub,
)
from splitter.generator.policies import (
    function_statements,
    policy_document,
    state_machine_statements,
)

TEMPLATE_VERSION = "2010-09-09"
SAM_TRANSFORM = "AWS::Serverless-2016-10-31"
MAX_TEMPLATE_DESCRIPTION = 1024
MAX_FUNCTION_DESCRIPTION = 256
MAX_PARAMETER_DESCRIPTION = 4000
MAX_OUTPUT_DESCRIPTION = 1024
MAX_ENVIRONMENT_BYTES = 4096
# Lines this long never occur in the template's own structure, so values are never folded.
_LINE_WIDTH = 1 << 16

_LOGICAL_ID = re.compile(r"[A-Za-z0-9]{1,255}")
_VARIABLE = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
# Lambda sets these itself and refuses a function that sets them.
_RESERVED_VARIABLES = frozenset(
    {
        "_HANDLER",
        "_X_AMZN_TRACE_ID",
        "AWS_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID",
        "AWS_DEFAULT_REGION",
        "AWS_EXECUTION_ENV",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_INITIALIZATION_TYPE",
        "AWS_LAMBDA_LOG_GROUP_NAME",
        "AWS_LAMBDA_LOG_STREAM_NAME",
        "AWS_LAMBDA_RUNTIME_API",
        "AWS_REGION",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "LAMBDA_RUNTIME_DIR",
        "LAMBDA_TASK_ROOT",
    }
)
_RETENTION_DAYS = frozenset(
    {1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557}
    | {2922, 3288, 3653}
)
_NAME_PATTERNS = {
    ParameterKind.SECRET_NAME: "^[A-Za-z0-9/_+=.@-]+$",
    ParameterKind.SSM_PARAMETER_NAME: "^[A-Za-z0-9_.-][A-Za-z0-9_./-]*$",
}


def render_template(model: DeploymentModel) -> str:
    """The model as SAM template YAML; identical models give byte-identical text.

    Raises:
        GenerationError: the model cannot become a template CloudFormation deploys.
    """
    return dump_template(build_template(model))


def build_template(model: DeploymentModel) -> dict[str, Any]:
    """The model as a template dict, intrinsic functions in their long form.

    Raises:
        GenerationError: the model cannot become a template CloudFormation deploys.
    """
    check_model(model)
    description = model.description or f"{model.app_name}: services split from the monolith"
    template: dict[str, Any] = {
        "AWSTemplateFormatVersion": TEMPLATE_VERSION,
        "Transform": SAM_TRANSFORM,
        "Description": free_text(description, MAX_TEMPLATE_DESCRIPTION),
    }
    if model.parameters:
        template["Parameters"] = _parameters(model.parameters)
    template["Globals"] = {"Function": _function_globals(model)}
    template["Resources"] = _resources(model)
    template["Outputs"] = _outputs(model)
    return template


def check_model(model: DeploymentModel) -> None:
    """Check that the model can become a template CloudFormation creates.

    Raises:
        GenerationError: a logical ID that is malformed or taken twice, a reference to a
            function or parameter the model lacks, an environment variable Lambda refuses, or
            functions calling each other in a cycle.
    """
    _check_logical_ids(model)
    for function in model.functions:
        _check_references(model, function.logical_id, function.invokes)
        _check_environment(model, function)
    for machine in model.state_machines:
        _check_references(model, machine.logical_id, machine.invoked_functions)
    if model.log_retention_days not in _RETENTION_DAYS:
        raise GenerationError(
            f"CloudWatch Logs cannot keep logs for {model.log_retention_days} days",
            hint=f"use one of {', '.join(map(str, sorted(_RETENTION_DAYS)))}",
        )


def _declared_ids(model: DeploymentModel) -> list[str]:
    """Every ID the template declares: parameters and resources share one namespace."""
    ids = [p.logical_id for p in model.parameters] + [f.logical_id for f in model.functions]
    ids += [m.logical_id for m in model.state_machines]
    ids += [m.log_group_id for m in model.state_machines]
    ids += [model.layer.logical_id] if model.layer is not None else []
    return ids


def _check_logical_ids(model: DeploymentModel) -> None:
    ids = _declared_ids(model)
    placeholders = [name for m in model.state_machines for name, _ in m.substitutions]
    malformed = sorted({i for i in ids + placeholders if not _LOGICAL_ID.fullmatch(i)})
    if malformed:
        raise GenerationError(
            f"logical IDs must be 1 to 255 letters and digits: {', '.join(map(repr, malformed))}",
            hint="derive them with splitter.generator.deployment.logical_ids",
        )
    taken = sorted({i for i in ids if ids.count(i) > 1})
    if taken:
        raise GenerationError(
            f"logical IDs used twice: {', '.join(taken)}",
            hint="derive all the IDs of one kind in one call to logical_ids, which numbers them",
        )


def _check_references(model: DeploymentModel, owner: str, functions: tuple[str, ...]) -> None:
    known = {f.logical_id for f in model.functions}
    missing = sorted(set(functions) - known)
    if missing:
        raise GenerationError(
            f"{owner} invokes functions the model lacks: {', '.join(missing)}",
            hint="add a FunctionSpec for each, or drop the call from the plan",
        )


def _check_environment(model: DeploymentModel, function: FunctionSpec) -> None:
    names = [v.name for v in model.environment_of(function)]
    refused = sorted({n for n in names if not _VARIABLE.fullmatch(n) or n in _RESERVED_VARIABLES})
    doubled = sorted({n for n in names if names.count(n) > 1})
    if refused or doubled:
        raise GenerationError(
            f"{function.logical_id} has environment variables Lambda refuses: "
            + ", ".join(map(repr, refused + doubled)),
            hint="rename the setting; names are letters, digits and _, unique, not reserved",
        )
    for variable in function.environment:
        _check_value(model, function, variable.name, variable.value)
    literal = [(v.name, v.value) for v in function.environment if isinstance(v.value, str)]
    if sum(len(name) + len(value.encode()) for name, value in literal) > MAX_ENVIRONMENT_BYTES:
        raise GenerationError(
            f"{function.logical_id}: environment variables exceed Lambda's 4 KB",
            hint="pass long settings as template parameters or keep them in the code",
        )


def _check_value(
    model: DeploymentModel, function: FunctionSpec, name: str, value: EnvironmentValue
) -> None:
    if isinstance(value, ParameterRef) and model.parameter(value.parameter) is None:
        raise GenerationError(
            f"{function.logical_id}: {name} names a missing parameter",
            hint=f"add a ParameterSpec {value.parameter!r} to the model",
        )
    if isinstance(value, str) and "{{resolve:" in value:
        raise GenerationError(
            f"{function.logical_id}: {name} holds a CloudFormation dynamic reference",
            hint="pass secrets by name through a SECRET_NAME parameter, never by value",
        )


def free_text(text: str, limit: int) -> str:
    """Text from the monolith made safe as a description: one line, at most `limit` bytes.

    `{{` becomes `{ {`, so CloudFormation never reads it as a dynamic reference.
    """
    line = " ".join(text.split()).replace("{{", "{ {")
    encoded = line.encode()
    if len(encoded) <= limit:
        return line
    return encoded[: limit - 3].decode(errors="ignore").rstrip() + "..."


def _parameters(parameters: tuple[ParameterSpec, ...]) -> dict[str, Any]:
    return {p.logical_id: _parameter(p) for p in sorted(parameters, key=lambda p: p.logical_id)}


def _parameter(parameter: ParameterSpec) -> dict[str, Any]:
    declared: dict[str, Any] = {
        "Type": "String",
        "Description": free_text(parameter.description, MAX_PARAMETER_DESCRIPTION),
    }
    if parameter.default is not None:
        declared["Default"] = parameter.default
    if parameter.kind in _NAME_PATTERNS:
        declared["AllowedPattern"] = _NAME_PATTERNS[parameter.kind]
    return declared


def _function_globals(model: DeploymentModel) -> dict[str, Any]:
    defaults = model.defaults
    settings: dict[str, Any] = {
        "Runtime": model.runtime,
        "Architectures": list(model.architectures),
        "Timeout": defaults.timeout_s,
        "MemorySize": defaults.memory_mb,
        "Tracing": "Active" if defaults.tracing else "PassThrough",
        "LoggingConfig": {"LogFormat": defaults.log_format},
    }
    if model.layer is not None:
        settings["Layers"] = [ref(model.layer.logical_id)]
    return settings


def _resources(model: DeploymentModel) -> dict[str, Any]:
    resources: dict[str, Any] = {}
    if model.layer is not None:
        resources[model.layer.logical_id] = _layer(model.layer, model.architectures)
    for function in sorted(model.functions, key=lambda f: f.logical_id):
        resources[function.logical_id] = _function(model, function)
    for machine in sorted(model.state_machines, key=lambda m: m.logical_id):
        resources[machine.logical_id] = _state_machine(machine)
        resources[machine.log_group_id] = _log_group(machine, model.log_retention_days)
    return resources


def _layer(layer: LayerSpec, architectures: tuple[str, ...]) -> dict[str, Any]:
    return {
        "Type": "AWS::Serverless::LayerVersion",
        "Properties": {
            "Description": free_text(layer.description, MAX_FUNCTION_DESCRIPTION),
            "ContentUri": layer.content_uri,
            "CompatibleRuntimes": list(layer.compatible_runtimes),
            "CompatibleArchitectures": list(architectures),
            "RetentionPolicy": "Delete",
        },
        "Metadata": {"BuildMethod": layer.compatible_runtimes[0]},
    }


def _function(model: DeploymentModel, function: FunctionSpec) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    if function.description:
        properties["Description"] = free_text(function.description, MAX_FUNCTION_DESCRIPTION)
    # Named from the stack, so functions that call each other refer to one another by name:
    # references through !Ref or !GetAtt would be dependencies CloudFormation cannot order.
    properties["FunctionName"] = sub(function_name(function.logical_id))
    properties["CodeUri"] = function.code_uri
    properties["Handler"] = function.handler
    if function.memory_mb is not None:
        properties["MemorySize"] = function.memory_mb
    if function.timeout_s is not None:
        properties["Timeout"] = function.timeout_s
    environment = model.environment_of(function)
    if environment:
        variables = {v.name: _environment_value(v.value) for v in environment}
        properties["Environment"] = {"Variables": variables}
    statements = function_statements(model, function)
    if statements:
        properties["Policies"] = [policy_document(statements)]
    return {"Type": "AWS::Serverless::Function", "Properties": properties}


def _environment_value(value: EnvironmentValue) -> str | dict[str, Any]:
    if isinstance(value, ParameterRef):
        return ref(value.parameter)
    if isinstance(value, FunctionRef):
        return sub(function_name(value.function))
    return value


def _state_machine(machine: StateMachineSpec) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "Type": machine.workflow_type.value,
        "DefinitionUri": machine.definition_uri,
    }
    if machine.substitutions:
        properties["DefinitionSubstitutions"] = {
            name: get_att(function, "Arn") for name, function in sorted(machine.substitutions)
        }
    properties["Logging"] = {
        "Level": machine.log_level.value,
        "IncludeExecutionData": machine.include_execution_data,
        "Destinations": [
            {"CloudWatchLogsLogGroup": {"LogGroupArn": get_att(machine.log_group_id, "Arn")}}
        ],
    }
    properties["Tracing"] = {"Enabled": machine.tracing}
    properties["Policies"] = [policy_document(state_machine_statements(machine))]
    return {"Type": "AWS::Serverless::StateMachine", "Properties": properties}


def _log_group(machine: StateMachineSpec, retention_days: int) -> dict[str, Any]:
    # The /aws/vendedlogs/ prefix keeps CloudWatch Logs' resource policy from growing with
    # every log group Step Functions delivers to.
    name = f"/aws/vendedlogs/states/${{AWS::StackName}}/{machine.logical_id}"
    # Deleted with the stack: its fixed name would otherwise block creating the stack again.
    return {
        "Type": "AWS::Logs::LogGroup",
        "DeletionPolicy": "Delete",
        "UpdateReplacePolicy": "Delete",
        "Properties": {"LogGroupName": sub(name), "RetentionInDays": retention_days},
    }


def _outputs(model: DeploymentModel) -> dict[str, Any]:
    outputs: dict[str, Any] = {}
    for machine in sorted(model.state_machines, key=lambda m: m.logical_id):
        about = f"ARN of the {machine.workflow} workflow's state machine"
        outputs[f"{machine.logical_id}Arn"] = _output(about, ref(machine.logical_id))
    for function in sorted(model.functions, key=lambda f: f.logical_id):
        about = f"ARN of the function running {function.scope}"
        outputs[f"{function.logical_id}Arn"] = _output(about, get_att(function.logical_id, "Arn"))
    return outputs


def _output(description: str, value: dict[str, Any]) -> dict[str, Any]:
    return {"Description": free_text(description, MAX_OUTPUT_DESCRIPTION), "Value": value}


_SHORT_FORMS = frozenset({"!Ref", "!GetAtt", "!Sub"})


class TemplateDumper(yaml.SafeDumper):
    """Block YAML with indented lists, no anchors, and `!Ref`/`!GetAtt`/`!Sub` short forms."""

    def ignore_aliases(self, data: Any) -> bool:
        return True

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)

    def choose_scalar_style(self) -> str:
        # PyYAML quotes every scalar with an explicit tag; a short form reads better plain,
        # which the tag makes unambiguous wherever plain style is allowed at all.
        event = self.event
        if isinstance(event, yaml.ScalarEvent) and event.tag in _SHORT_FORMS:
            analysis = self.analysis = self.analysis or self.analyze_scalar(event.value)
            if analysis.allow_block_plain and not analysis.empty and not self.flow_level:
                return ""
        return super().choose_scalar_style()


def _represent_mapping(dumper: yaml.SafeDumper, data: dict[str, Any]) -> yaml.Node:
    if len(data) == 1:
        [(key, value)] = data.items()
        if key == "Ref" and isinstance(value, str):
            return dumper.represent_scalar("!Ref", value)
        if key == "Fn::Sub" and isinstance(value, str):
            return dumper.represent_scalar("!Sub", value)
        if key == "Fn::GetAtt" and isinstance(value, list) and len(value) == 2:
            return dumper.represent_scalar("!GetAtt", f"{value[0]}.{value[1]}")
    return dumper.represent_dict(data)


TemplateDumper.add_representer(dict, _represent_mapping)


def dump_template(template: dict[str, Any]) -> str:
    """A template dict as YAML, keys in the order the dict holds them."""
    return yaml.dump(
        template,
        Dumper=TemplateDumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=_LINE_WIDTH,
    )

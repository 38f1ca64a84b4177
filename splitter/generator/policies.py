"""Least-privilege IAM statements for the generated functions and state machines."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from splitter.generator.deployment import (
    DataStore,
    DeploymentModel,
    FunctionSpec,
    Intrinsic,
    ParameterKind,
    ParameterRef,
    ParameterSpec,
    StateMachineSpec,
    TableAccess,
    function_arn,
    get_att,
    sub,
)

POLICY_VERSION = "2012-10-17"

# Step Functions delivers a state machine's logs through CloudWatch Logs' vended-log API.
# These actions have no resource-level permissions (the Service Authorization Reference lists
# no resource type for them, and the Step Functions guide's logging policy grants them on "*"),
# so this one statement is the only place a generated policy may name every resource.
LOG_DELIVERY_ACTIONS = (
    "logs:CreateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:DescribeLogGroups",
    "logs:DescribeResourcePolicies",
    "logs:GetLogDelivery",
    "logs:ListLogDeliveries",
    "logs:PutResourcePolicy",
    "logs:UpdateLogDelivery",
)
LOG_DELIVERY_SID = "DeliverExecutionLogs"

Resource = str | Intrinsic


@dataclass(frozen=True)
class Statement:
    """One `Allow` statement: these actions on these resources."""

    sid: str
    actions: tuple[str, ...]
    resources: tuple[Resource, ...]

    def to_dict(self) -> dict[str, Any]:
        """The statement as a policy document holds it."""
        return {
            "Sid": self.sid,
            "Effect": "Allow",
            "Action": list(self.actions),
            "Resource": "*" if self.resources == ("*",) else list(self.resources),
        }

    def __str__(self) -> str:
        return f"{self.sid}: {', '.join(self.actions)}"


def policy_document(statements: Iterable[Statement]) -> dict[str, Any]:
    """An inline policy document holding `statements`."""
    return {"Version": POLICY_VERSION, "Statement": [s.to_dict() for s in statements]}


def invoke_statement(sid: str, function_ids: Iterable[str]) -> Statement:
    """`lambda:InvokeFunction` on exactly these functions' ARNs (no versions, no aliases)."""
    arns = tuple(get_att(function_id, "Arn") for function_id in sorted(set(function_ids)))
    return Statement(sid, ("lambda:InvokeFunction",), arns)


def log_delivery_statement() -> Statement:
    """What a state machine's role needs to send its execution logs to CloudWatch Logs."""
    return Statement(LOG_DELIVERY_SID, LOG_DELIVERY_ACTIONS, ("*",))


def secret_statement(parameter: ParameterSpec) -> Statement:
    """Read the Secrets Manager secret whose name the parameter holds.

    A secret's ARN ends in `-` and six random characters, which `??????` matches exactly.
    """
    arn = (
        "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:"
        f"${{{parameter.logical_id}}}-??????"
    )
    return Statement(f"Read{parameter.logical_id}", ("secretsmanager:GetSecretValue",), (sub(arn),))


def ssm_parameter_statement(parameter: ParameterSpec) -> Statement:
    """Read the SSM parameter whose name (without its leading `/`) the parameter holds."""
    arn = (
        "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/"
        f"${{{parameter.logical_id}}}"
    )
    return Statement(f"Read{parameter.logical_id}", ("ssm:GetParameter",), (sub(arn),))


def _no_statements(_: TableAccess) -> tuple[Statement, ...]:
    return ()


# How each store grants a function its tables. SQLite is a file the function opens through a
# path setting, so it needs no AWS permission; a DynamoDB or RDS Data API store adds an entry
# here returning the actions its access mode needs on that table's ARN.
TABLE_GRANTS: dict[DataStore, Callable[[TableAccess], tuple[Statement, ...]]] = {
    DataStore.SQLITE: _no_statements,
}


def table_statements(tables: Iterable[TableAccess]) -> tuple[Statement, ...]:
    """The statements that let a function use its tables, per store."""
    return tuple(s for access in tables for s in TABLE_GRANTS[access.store](access))


def _secret_statements(model: DeploymentModel, function: FunctionSpec) -> list[Statement]:
    statements = []
    for variable in function.environment:
        if not isinstance(variable.value, ParameterRef):
            continue
        parameter = model.parameter(variable.value.parameter)
        if parameter is None or parameter.kind is ParameterKind.SETTING:
            continue
        if parameter.kind is ParameterKind.SECRET_NAME:
            statements.append(secret_statement(parameter))
        else:
            statements.append(ssm_parameter_statement(parameter))
    return statements


def function_statements(model: DeploymentModel, function: FunctionSpec) -> tuple[Statement, ...]:
    """What a function's own code needs: invoke its callees, read its secrets, use its tables.

    Logging and tracing come from the managed policies SAM attaches to every function.
    """
    statements = []
    if function.invokes:
        arns = tuple(sub(function_arn(callee)) for callee in sorted(set(function.invokes)))
        statements.append(Statement("InvokeCalledServices", ("lambda:InvokeFunction",), arns))
    statements.extend(_secret_statements(model, function))
    statements.extend(table_statements(function.tables))
    unique = {statement.sid: statement for statement in statements}
    return tuple(unique.values())


def state_machine_statements(machine: StateMachineSpec) -> tuple[Statement, ...]:
    """Invoke exactly the functions the definition names, and deliver the execution logs.

    Tracing comes from the managed policy SAM attaches when tracing is enabled.
    """
    statements = []
    if machine.invoked_functions:
        statements.append(invoke_statement("InvokeWorkflowFunctions", machine.invoked_functions))
    statements.append(log_delivery_statement())
    return tuple(statements)

"""The SAM template: golden output, cfn-lint, the SAM translator, least privilege, hostile names."""

from __future__ import annotations

import copy
import dataclasses
import json
import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import ManualArgs, lint
from cfnlint.decode.cfn_yaml import loads
from samtranslator.translator.managed_policy_translator import ManagedPolicyLoader
from samtranslator.translator.transform import transform

from splitter.errors import GenerationError
from splitter.generator.deployment import (
    Access,
    DataStore,
    DeploymentModel,
    EnvironmentVariable,
    FunctionSpec,
    LogLevel,
    ParameterKind,
    ParameterRef,
    ParameterSpec,
    TableAccess,
    WorkflowType,
    callee_variable,
    function_spec,
    functions_named_in,
    logical_ids,
    pascal_name,
    state_machine_spec,
)
from splitter.generator.policies import (
    LOG_DELIVERY_ACTIONS,
    LOG_DELIVERY_SID,
    TABLE_GRANTS,
    table_statements,
)
from splitter.generator.sam import build_template, free_text, render_template

GOLDEN = Path(__file__).parent / "golden" / "template.yaml"
DB_PATH = EnvironmentVariable("SHOP_DB_PATH", ParameterRef("ShopDbPath"))
PARAMETERS = (
    ParameterSpec("ShopDbPath", "Where the SQLite database lives (SHOP_DB_PATH)", "/tmp/shop.db"),
    ParameterSpec(
        "PaymentKeySecretName",
        "Name of the Secrets Manager secret holding the card acquirer's key",
        kind=ParameterKind.SECRET_NAME,
    ),
)


def shop_model(
    workflow_type: WorkflowType = WorkflowType.STANDARD, **changes: Any
) -> DeploymentModel:
    """Two services (orders calls inventory), the layer, two workflows and two parameters."""
    inventory = function_spec(
        "inventory",
        description="Stock levels and reservations, from shop/repository.py and shop/services.py",
        environment=[DB_PATH],
    )
    orders = function_spec(
        "orders",
        description="Orders and checkout, from shop/orders.py",
        environment=[
            DB_PATH,
            EnvironmentVariable("SHOP_CURRENCY", "EUR"),
            EnvironmentVariable("PAYMENT_KEY_SECRET", ParameterRef("PaymentKeySecretName")),
        ],
        invokes=["InventoryFunction"],
    )
    machines = (
        state_machine_spec(
            "place_order", ["OrdersFunction", "InventoryFunction"], workflow_type=workflow_type
        ),
        state_machine_spec(
            "restock", ["InventoryFunction"], workflow_type=workflow_type, log_level=LogLevel.ERROR
        ),
    )
    model = DeploymentModel(
        app_name="shop",
        description="The shop, split into services and workflows",
        functions=(orders, inventory),
        state_machines=machines,
        parameters=PARAMETERS,
    )
    return dataclasses.replace(model, **changes)


class FixedManagedPolicies(ManagedPolicyLoader):
    """The managed policies SAM attaches, at fixed ARNs, without asking IAM."""

    def __init__(self) -> None:
        self.policies = {
            "AWSLambdaBasicExecutionRole": (
                "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
            ),
            "AWSXrayWriteOnlyAccess": "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess",
        }

    def load(self) -> dict[str, str]:
        return dict(self.policies)


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test here reaches the network or reads AWS configuration from the machine."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("these tests run offline")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    yield


def lint_findings(text: str) -> list[str]:
    """cfn-lint's errors and warnings (informational findings are left out)."""
    matches = lint(text, config=ManualArgs(regions=["us-east-1"]))
    return [
        f"{m.rule.id} line {m.linenumber}: {m.message}"
        for m in matches
        if m.rule.severity in {"error", "warning"}
    ]


def translated(text: str) -> dict[str, Any]:
    """The template as CloudFormation, through the SAM translator, local paths as S3 URIs."""
    template = json.loads(json.dumps(loads(text)))
    for resource in template["Resources"].values():
        properties = resource.get("Properties", {})
        for key in ("CodeUri", "ContentUri", "DefinitionUri"):
            if key in properties:
                properties[key] = f"s3://splitter-test-bucket/{properties[key]}"
    return transform(template, {}, FixedManagedPolicies())


def statements(template: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every inline policy statement, in a SAM template or in a translated one."""
    for resource in template["Resources"].values():
        properties = resource.get("Properties", {})
        documents = [p for p in properties.get("Policies", []) if isinstance(p, dict)]
        documents = [d.get("PolicyDocument", d) for d in documents]
        for document in documents:
            yield from document.get("Statement", [])


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def types(template: dict[str, Any]) -> dict[str, str]:
    return {name: resource["Type"] for name, resource in template["Resources"].items()}


def test_golden_template() -> None:
    rendered = render_template(shop_model())
    if os.environ.get("SPLITTER_UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(rendered, encoding="utf-8")
    assert rendered == GOLDEN.read_text(encoding="utf-8")


def test_rendering_is_byte_identical_and_independent_of_input_order() -> None:
    model = shop_model()
    shuffled = dataclasses.replace(
        model,
        functions=model.functions[::-1],
        state_machines=model.state_machines[::-1],
        parameters=model.parameters[::-1],
    )
    assert render_template(model) == render_template(model) == render_template(shuffled)


def test_yaml_reads_back_as_the_template_dict() -> None:
    model = shop_model()
    assert loads(render_template(model)) == build_template(model)


def test_top_level_keys_in_template_order() -> None:
    keys = list(build_template(shop_model()))
    assert keys == [
        "AWSTemplateFormatVersion",
        "Transform",
        "Description",
        "Parameters",
        "Globals",
        "Resources",
        "Outputs",
    ]


@pytest.mark.parametrize("workflow_type", list(WorkflowType))
def test_cfn_lint_finds_nothing(workflow_type: WorkflowType) -> None:
    assert lint_findings(render_template(shop_model(workflow_type))) == []


@pytest.mark.parametrize("workflow_type", list(WorkflowType))
def test_sam_translator_builds_every_resource(workflow_type: WorkflowType) -> None:
    output = translated(render_template(shop_model(workflow_type)))
    kinds = types(output)
    assert kinds["OrdersFunction"] == kinds["InventoryFunction"] == "AWS::Lambda::Function"
    assert kinds["OrdersFunctionRole"] == kinds["InventoryFunctionRole"] == "AWS::IAM::Role"
    assert kinds["PlaceOrderStateMachine"] == "AWS::StepFunctions::StateMachine"
    assert kinds["PlaceOrderStateMachineRole"] == "AWS::IAM::Role"
    assert kinds["RestockStateMachineLogGroup"] == "AWS::Logs::LogGroup"
    assert sorted(k for k, v in kinds.items() if v == "AWS::Lambda::LayerVersion")[0].startswith(
        "SharedLayer"
    )
    machine = output["Resources"]["RestockStateMachine"]["Properties"]
    assert machine["StateMachineType"] == workflow_type.value
    assert machine["TracingConfiguration"] == {"Enabled": True}
    assert machine["LoggingConfiguration"]["Level"] == "ERROR"


def test_translated_roles_carry_the_right_policies() -> None:
    resources = translated(render_template(shop_model()))["Resources"]
    orders = resources["OrdersFunctionRole"]["Properties"]
    assert orders["ManagedPolicyArns"] == [
        "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
        "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess",
    ]
    [invoke, secret] = orders["Policies"][0]["PolicyDocument"]["Statement"]
    assert invoke["Action"] == ["lambda:InvokeFunction"]
    assert invoke["Resource"] == [
        {
            "Fn::Sub": "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:"
            "${AWS::StackName}-InventoryFunction"
        }
    ]
    assert secret["Action"] == ["secretsmanager:GetSecretValue"]
    assert "Policies" not in resources["InventoryFunctionRole"]["Properties"]
    machine = resources["PlaceOrderStateMachineRole"]["Properties"]
    assert machine["ManagedPolicyArns"] == ["arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess"]
    [invoke, delivery] = machine["Policies"][0]["PolicyDocument"]["Statement"]
    assert invoke["Resource"] == [
        {"Fn::GetAtt": ["InventoryFunction", "Arn"]},
        {"Fn::GetAtt": ["OrdersFunction", "Arn"]},
    ]
    assert delivery["Sid"] == LOG_DELIVERY_SID


@pytest.mark.parametrize("stage", ["sam", "translated"])
def test_no_wildcard_outside_log_delivery(stage: str) -> None:
    template = build_template(shop_model())
    if stage == "translated":
        template = translated(render_template(shop_model()))
    found = list(statements(template))
    assert len(found) == 6
    for statement in found:
        actions = as_list(statement["Action"])
        resources = as_list(statement["Resource"])
        assert all("*" not in action for action in actions), statement
        if statement.get("Sid") == LOG_DELIVERY_SID:
            assert (actions, resources) == (list(LOG_DELIVERY_ACTIONS), ["*"])
            continue
        assert all(not isinstance(r, str) or "*" not in r for r in resources), statement
        assert "*" not in json.dumps(resources), statement


def test_state_machines_invoke_exactly_the_functions_their_definitions_name() -> None:
    template = build_template(shop_model())
    for name in ("PlaceOrderStateMachine", "RestockStateMachine"):
        properties = template["Resources"][name]["Properties"]
        named = sorted(v["Fn::GetAtt"][0] for v in properties["DefinitionSubstitutions"].values())
        [invoke, _] = properties["Policies"][0]["Statement"]
        assert [r["Fn::GetAtt"][0] for r in invoke["Resource"]] == named


def test_secret_and_ssm_parameter_names_grant_reading_exactly_that_one() -> None:
    ssm = ParameterSpec(
        "ApiKeyParameter", "SSM parameter name", kind=ParameterKind.SSM_PARAMETER_NAME
    )
    reader = function_spec(
        "payments",
        environment=[
            EnvironmentVariable("API_KEY_PARAMETER", ParameterRef("ApiKeyParameter")),
            EnvironmentVariable("CARD_KEY_SECRET", ParameterRef("PaymentKeySecretName")),
        ],
    )
    model = dataclasses.replace(
        shop_model(), functions=(reader,), state_machines=(), parameters=(*PARAMETERS, ssm)
    )
    template = build_template(model)
    assert template["Parameters"]["ApiKeyParameter"]["AllowedPattern"].startswith("^[A-Za-z0-9_.-]")
    statement = {s["Sid"]: s for s in statements(template)}
    assert statement["ReadApiKeyParameter"]["Action"] == ["ssm:GetParameter"]
    assert statement["ReadApiKeyParameter"]["Resource"] == [
        {
            "Fn::Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}"
            ":parameter/${ApiKeyParameter}"
        }
    ]
    assert statement["ReadPaymentKeySecretName"]["Action"] == ["secretsmanager:GetSecretValue"]
    assert lint_findings(render_template(model)) == []


def test_tables_in_sqlite_need_no_aws_permission() -> None:
    tables = (TableAccess("orders", Access.READ_WRITE), TableAccess("products", Access.READ))
    assert set(TABLE_GRANTS) == set(DataStore)
    assert table_statements(tables) == ()
    model = dataclasses.replace(
        shop_model(), functions=(function_spec("orders", tables=tables),), state_machines=()
    )
    assert "Policies" not in build_template(model)["Resources"]["OrdersFunction"]["Properties"]


def test_overrides_and_a_model_without_layer() -> None:
    tuned = dataclasses.replace(function_spec("reporting"), memory_mb=1024, timeout_s=120)
    model = dataclasses.replace(
        shop_model(), functions=(tuned,), state_machines=(), parameters=(), layer=None
    )
    template = build_template(model)
    properties = template["Resources"]["ReportingFunction"]["Properties"]
    assert (properties["MemorySize"], properties["Timeout"]) == (1024, 120)
    assert "Layers" not in template["Globals"]["Function"]
    assert "Parameters" not in template
    assert list(template["Resources"]) == ["ReportingFunction"]
    assert lint_findings(render_template(model)) == []


def test_functions_named_in_a_definition() -> None:
    definition = json.dumps(
        {
            "A": {"Parameters": {"FunctionName": "${OrdersFunctionArn}"}},
            "B": {"Parameters": {"FunctionName": "${InventoryFunctionArn}"}},
            "C": {"Parameters": {"FunctionName": "${OrdersFunctionArn}"}},
        }
    )
    assert functions_named_in(definition) == ("InventoryFunction", "OrdersFunction")


def test_function_calling_another_gets_its_name_and_nothing_else() -> None:
    resources = build_template(shop_model())["Resources"]
    variables = resources["OrdersFunction"]["Properties"]["Environment"]["Variables"]
    assert variables["INVENTORY_FUNCTION"] == {"Fn::Sub": "${AWS::StackName}-InventoryFunction"}
    assert variables["SHOP_DB_PATH"] == {"Ref": "ShopDbPath"}
    assert "Policies" not in resources["InventoryFunction"]["Properties"]


def operation_model() -> DeploymentModel:
    reserve = function_spec("inventory", "reserve_stock", environment=[DB_PATH])
    checkout = function_spec(
        "orders", "checkout", environment=[DB_PATH], invokes=[reserve.logical_id]
    )
    machine = state_machine_spec("place_order", [checkout.logical_id, reserve.logical_id])
    return dataclasses.replace(
        shop_model(), functions=(checkout, reserve), state_machines=(machine,)
    )


def test_operation_granularity() -> None:
    model = operation_model()
    text = render_template(model)
    resources = build_template(model)["Resources"]
    checkout = resources["OrdersCheckoutFunction"]["Properties"]
    assert checkout["Handler"] == "handlers.handle_checkout"
    assert checkout["CodeUri"] == "services/orders/"
    assert checkout["Environment"]["Variables"]["INVENTORY_RESERVE_STOCK_FUNCTION"] == {
        "Fn::Sub": "${AWS::StackName}-InventoryReserveStockFunction"
    }
    substitutions = resources["PlaceOrderStateMachine"]["Properties"]["DefinitionSubstitutions"]
    assert sorted(substitutions) == [
        "InventoryReserveStockFunctionArn",
        "OrdersCheckoutFunctionArn",
    ]
    assert lint_findings(text) == []
    assert types(translated(text))["InventoryReserveStockFunction"] == "AWS::Lambda::Function"


def test_service_granularity_names() -> None:
    resources = build_template(shop_model())["Resources"]
    assert resources["OrdersFunction"]["Properties"]["Handler"] == "handlers.handle"
    assert callee_variable("inventory") == "INVENTORY_FUNCTION"
    assert callee_variable("orders", "OrderRepository_get") == "ORDERS_ORDERREPOSITORY_GET_FUNCTION"


HOSTILE = [
    'it\'s "quoted": yes',
    "key: value # not a comment",
    "first line\nsecond line\r\nthird\u2028fourth",
    "{{resolve:secretsmanager:prod-db}} and {{ jinja }}",
    "!Ref OrdersFunction",
    "&anchor *alias | > % @ `tick`",
    "- not a list item",
    "yes",
    "0777",
    "ünïcødé ✓ 注文 \U0001f6d2",
    "x" * 5000,
    "",
    " leading and trailing ",
]
# Settings keep their value exactly; a dynamic reference among them is refused, and so is
# more than Lambda's 4 KB of variables (both tested below).
VALUES = {f"VALUE_{i}": text.replace("{{resolve:", "{{")[:1000] for i, text in enumerate(HOSTILE)}


def hostile_model() -> DeploymentModel:
    names = ["or'ders: #1", "or-ders 1", "日本", "x" * 400]
    ids = logical_ids([(name,) for name in names], "Function")
    functions = tuple(
        function_spec(
            name,
            logical_id=logical_id,
            description=HOSTILE[i % len(HOSTILE)] + HOSTILE[(i + 3) % len(HOSTILE)],
            environment=[EnvironmentVariable(name, value) for name, value in VALUES.items()],
        )
        for i, (name, logical_id) in enumerate(zip(names, ids, strict=True))
    )
    workflow = "pläce: {{order}}"
    machine = state_machine_spec(workflow, ids)
    return DeploymentModel(
        app_name=HOSTILE[0],
        description=HOSTILE[3] + HOSTILE[10],
        functions=functions,
        state_machines=(machine,),
        parameters=(ParameterSpec("Setting", HOSTILE[2] + HOSTILE[3], HOSTILE[0]),),
    )


def test_hostile_names_and_descriptions_cannot_break_the_yaml() -> None:
    model = hostile_model()
    text = render_template(model)
    template = build_template(model)
    assert loads(text) == template
    descriptions = [r["Properties"].get("Description", "") for r in template["Resources"].values()]
    descriptions += [template["Description"], template["Parameters"]["Setting"]["Description"]]
    assert all("{{" not in d and "\n" not in d for d in descriptions)
    ids = [f.logical_id for f in model.functions]
    assert ids == [
        "OrDers1Function",
        "OrDers12Function",
        "UnnamedFunction",
        f"{'X' + 'x' * 127}Function",
    ]
    assert lint_findings(text) == []
    output = translated(text)
    for function in model.functions:
        properties = output["Resources"][function.logical_id]["Properties"]
        assert properties["Environment"]["Variables"] == VALUES


def test_free_text_is_one_line_within_the_limit() -> None:
    text = free_text("ünï " * 200 + "\n\n{{resolve:ssm:x}}", 256)
    assert len(text.encode()) <= 256
    assert text.endswith("...")
    assert "\n" not in text
    assert free_text("a\n  b {{c}}", 256) == "a b { {c}}"


def test_logical_ids_are_sanitized_and_numbered() -> None:
    names = [("order_items",), ("orderItems",), ("café",), ("",), ("3d",)]
    assert logical_ids(names, "Function") == (
        "OrderItems2Function",
        "OrderItemsFunction",
        "CafeFunction",
        "UnnamedFunction",
        "3dFunction",
    )
    numbered = logical_ids([("a_b",), ("a-b",), ("AB2",)], "Function")
    assert numbered == ("AB3Function", "ABFunction", "AB2Function")
    assert pascal_name("place_order") == "PlaceOrder"
    assert pascal_name("OrderRepository_get") == "OrderRepositoryGet"
    assert len(logical_ids([("a" * 300, "b" * 300)], "StateMachine")[0]) == 128 + 12


def with_function(model: DeploymentModel, function: FunctionSpec) -> DeploymentModel:
    return dataclasses.replace(model, functions=(*model.functions, function))


def calling(service: str, *callees: str) -> FunctionSpec:
    return function_spec(service, invokes=callees)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda m: with_function(m, calling("billing", "NoSuchFunction")), "lacks: NoSuch"),
        (lambda m: with_function(m, calling("orders")), "used twice: OrdersFunction"),
        (
            lambda m: with_function(
                m, function_spec("x", environment=[EnvironmentVariable("AWS_REGION", "eu")])
            ),
            "AWS_REGION",
        ),
        (
            lambda m: with_function(
                m, function_spec("x", environment=[EnvironmentVariable("A", ParameterRef("No"))])
            ),
            "missing parameter",
        ),
        (
            lambda m: with_function(
                m,
                function_spec(
                    "x", environment=[EnvironmentVariable("A", "{{resolve:ssm:db-password}}")]
                ),
            ),
            "dynamic reference",
        ),
        (
            lambda m: with_function(
                m,
                dataclasses.replace(calling("x"), logical_id="Bad-Id"),
            ),
            "letters and digits",
        ),
        (lambda m: dataclasses.replace(m, log_retention_days=31), "31 days"),
        (
            lambda m: with_function(
                m, function_spec("x", environment=[EnvironmentVariable("BIG", "x" * 4096)])
            ),
            "4 KB",
        ),
    ],
)
def test_models_cloudformation_would_refuse(change: Any, message: str) -> None:
    model = change(shop_model(state_machines=(), parameters=PARAMETERS))
    with pytest.raises(GenerationError, match=message) as raised:
        render_template(model)
    assert raised.value.hint


def test_the_model_is_left_untouched() -> None:
    model = shop_model()
    before = copy.deepcopy(model)
    build_template(model)["Resources"].clear()
    assert model == before


def test_functions_calling_each_other_in_a_cycle_deploy_by_name() -> None:
    """Services that call each other both ways refer to each other by deployed name, so the
    template has no dependency cycle for CloudFormation to refuse."""
    model = dataclasses.replace(
        shop_model(),
        functions=(calling("a", "BFunction"), calling("b", "AFunction")),
        state_machines=(),
    )
    template = build_template(model)
    a = template["Resources"]["AFunction"]["Properties"]
    assert a["FunctionName"] == {"Fn::Sub": "${AWS::StackName}-AFunction"}
    assert a["Environment"]["Variables"]["B_FUNCTION"] == {"Fn::Sub": "${AWS::StackName}-BFunction"}
    assert "Ref" not in str(a["Environment"]) and "GetAtt" not in str(a["Policies"])

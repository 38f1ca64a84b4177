"""Workflow entry functions as state machines: the sample's five workflows, each construct on
a small inline program, hostile names, determinism, and validation by cfn-lint."""

from __future__ import annotations

import ast
import json
import os
import textwrap
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from splitter.analyzer.model import Analysis
from splitter.analyzer.project import analyze_path
from splitter.generator.asl import render_rule
from splitter.generator.asl_check import check_definition
from splitter.generator.expressions import Names, to_rule
from splitter.generator.workflow_translation import (
    WorkflowTranslation,
    WorkflowTranslationError,
    dump_definition,
    translate_workflow,
)
from splitter.planner.assignment import SHARED, assign_functions
from splitter.planner.plan import Plan, Service, SharedLibrary
from tests.generator.plans import SAMPLE_ROOT, SAMPLE_WORKFLOWS, sample_plan
from tests.generator.test_asl_check import asl_validator_problems, cfn_lint_problems

GOLDEN = Path(__file__).parent / "golden" / "statemachines"
LAMBDA_ERRORS = [
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
]

# --------------------------------------------------------------------------- the sample


@cache
def sample_analysis() -> Analysis:
    return analyze_path(SAMPLE_ROOT, cache_dir=None)


@cache
def sample_translation(workflow: str) -> WorkflowTranslation:
    analysis = sample_analysis()
    service_of = assign_functions(sample_plan(), [f.qualname for f in analysis.functions])
    entry = f"shop.services.{workflow}"
    source = (SAMPLE_ROOT / "shop" / "services.py").read_text(encoding="utf-8")
    return translate_workflow(workflow, entry, source, analysis, service_of, service_of[entry])


def states_of(definition: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every state by name, those inside Map states included."""
    found: dict[str, dict[str, Any]] = {}
    for name, state in definition["States"].items():
        found[name] = state
        if "ItemProcessor" in state:
            found.update(states_of(state["ItemProcessor"]))
    return found


def types_of(definition: dict[str, Any]) -> Counter[str]:
    return Counter(state["Type"] for state in states_of(definition).values())


def operations(translation: WorkflowTranslation) -> list[str]:
    return [task.operation for task in translation.tasks]


@pytest.mark.parametrize("workflow", SAMPLE_WORKFLOWS)
def test_sample_workflow_matches_its_golden_file(workflow: str) -> None:
    rendered = dump_definition(sample_translation(workflow).definition)
    golden = GOLDEN / f"{workflow}.asl.json"
    if os.environ.get("SPLITTER_UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(rendered, encoding="utf-8")
    assert rendered == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("workflow", SAMPLE_WORKFLOWS)
def test_sample_workflow_is_valid_and_fully_translated(workflow: str) -> None:
    translation = sample_translation(workflow)
    assert check_definition(translation.definition) == []
    assert not translation.failed
    for state in states_of(translation.definition).values():
        if state["Type"] == "Task":
            assert state["Retry"][0]["ErrorEquals"] == LAMBDA_ERRORS
            assert state["Parameters"]["FunctionName"].endswith("FunctionArn}")


def test_place_order_calls_every_service_and_compensates_a_failed_charge() -> None:
    translation = sample_translation("place_order")
    states = states_of(translation.definition)
    assert operations(translation) == [
        "check_customer",
        "validate_items",
        "quote_items",
        "quote_shipping",
        "reserve_stock",
        "charge",
        "release_reservation",
        "create_order",
        "needs_manual_review",
        "mark_on_hold",
        "create_shipment",
        "create_shipment",
        "award_points",
        "enqueue",
    ]
    assert {task.service for task in translation.tasks} == {
        "customers", "orders", "catalog", "shipping", "inventory", "payments", "notifications",
    }  # fmt: skip
    charge = states["Charge"]
    assert charge["Parameters"]["Payload"]["arguments"] == {
        "card_number.$": "$.input.card_number",
        "amount_cents.$": "$.vars.amount_cents.value",
        "reference.$": "$.vars.reservation.value.reference",
    }
    [catcher] = charge["Catch"]
    assert catcher["ErrorEquals"][0] == "PaymentError"
    assert {"PaymentDeclined", "GatewayTimeout"} <= set(catcher["ErrorEquals"])
    assert catcher == {**catcher, "ResultPath": "$.error", "Next": "ReleaseReservation"}
    reraise = states[states["ReleaseReservation"]["Next"]]
    assert reraise == {**reraise, "Type": "Fail", "ErrorPath": "$.error.Error"}
    assert reraise["CausePath"] == "$.error.Cause"
    assert states["ReserveStock"]["Next"] == "PlaceOrderGlue1"
    assert "Catch" not in states["ReserveStock"]


def test_place_order_branches_on_review_and_pickup_and_joins() -> None:
    states = states_of(sample_translation("place_order").definition)
    choice = states["IfReviewRequired"]
    assert choice["Choices"][0]["Next"] == "MarkOnHold"
    assert choice["Choices"][1] == {
        "Variable": "$.input.carrier",
        "StringEquals": "pickup",
        "Next": "CreateShipment",
    }
    assert choice["Default"] == "CreateShipment2"
    ends = {states["SetTemplate"]["Next"], states["SetTemplate2"]["Next"]}
    assert ends == {states["SetTemplate3"]["Next"]} == {"AwardPoints"}
    assert states["Return"]["Parameters"]["payment_id.$"] == "$.vars.payment.value.payment_id"


def test_place_order_fills_in_default_arguments() -> None:
    definition = sample_translation("place_order").definition
    start = definition["States"]["Start"]
    assert start["Parameters"]["defaults"] == {"carrier": "colissimo", "coupon": None}
    merge = definition["States"]["ApplyDefaults"]["Parameters"]["input.$"]
    assert merge == "States.JsonMerge($.defaults, $.given, false)"


def test_cancel_order_fails_on_its_raising_branches() -> None:
    states = states_of(sample_translation("cancel_order").definition)
    fails = {name: state for name, state in states.items() if state["Type"] == "Fail"}
    assert {state["Error"] for state in fails.values()} == {"OrderAlreadyShipped", "InvalidState"}
    shipped = states["IfOrderStatus"]
    assert shipped["Choices"][0]["Next"] == "RaiseOrderAlreadyShipped"
    assert states[shipped["Default"]]["Type"] == "Task"  # the glue computing the elif test
    assert fails["RaiseInvalidState"]["CausePath"].startswith("States.Format('order {} is")
    payment = states["IfOrderPaymentId"]["Choices"][0]
    assert payment == {**payment, "Variable": "$.vars.order.value.payment_id", "IsNull": False}
    [catcher] = states["Refund"]["Catch"]
    assert catcher["ErrorEquals"] == ["RefundFailed"]
    assert states["Refund"]["Next"] == "ReversePoints"


def test_process_return_voids_the_return_when_the_refund_fails() -> None:
    states = states_of(sample_translation("process_return").definition)
    [catcher] = states["Refund"]["Catch"]
    assert catcher["Next"] == "VoidReturn"
    assert states[states["VoidReturn"]["Next"]]["Type"] == "Fail"
    loop = states["ForEachLine"]
    assert loop["ItemsPath"] == "$.vars.ret.value.lines"
    assert loop["ItemSelector"]["vars"]["ret.$"] == "$.vars.ret"
    assert loop["ResultPath"] == "$.vars.restocked"
    assert states["RestockItem"]["ResultPath"] == "$.appended.restocked"
    assert states["WriteOff"]["ResultPath"] is None


def test_restock_maps_over_lines_and_back_orders() -> None:
    definition = sample_translation("restock").definition
    states = states_of(definition)
    maps = [state for state in definition["States"].values() if state["Type"] == "Map"]
    assert [m["ItemsPath"] for m in maps] == ["$.vars.lines.value", "$.vars.waiting_list.value"]
    assert all(m["MaxConcurrency"] == 1 for m in maps)
    assert maps[0]["ResultSelector"] == {"value.$": "$[*].received"}
    assert states["GatherReceived"]["Parameters"] == {"value.$": "$.vars.received.value[*].value"}
    assert "SetReceived" not in states  # the Map's result is the list
    allocate = states["AllocateBackOrder"]
    assert [(c["ErrorEquals"], c["Next"]) for c in allocate["Catch"]] == [
        (["CustomerInactive"], "CancelBackOrder"),
        (["OutOfStock"], "AppendWaiting"),
    ]
    assert states["AppendWaiting"]["Next"] == "NextBackOrder"
    args = states["PendingBackOrders"]["Parameters"]["Payload"]["arguments"]
    assert args == {"skus.$": "$.vars.lines.value[*].sku"}
    gather = states[maps[1]["Next"]]
    assert gather["Parameters"]["waiting"] == {"value.$": "$.assigned.waiting.value[*].value"}
    store = states[gather["Next"]]
    assert store["Parameters"]["vars.$"] == "States.JsonMerge($.vars, $.assigned, false)"
    assert set(maps[1]["ResultSelector"]) == {"allocated", "waiting", "cancelled"}
    assert sample_translation("restock").glue == ()


def test_month_end_invoicing_maps_over_customers() -> None:
    states = states_of(sample_translation("month_end_invoicing").definition)
    loop = states["ForEachCustomerId"]
    assert loop["Type"] == "Map"
    assert loop["ItemSelector"]["vars"]["period.$"] == "$.vars.period"
    [catcher] = states["InvoiceCustomer"]["Catch"]
    assert catcher["ErrorEquals"] == ["TaxRateMissing"]
    assert states["AppendFailed"]["Next"] == "NextCustomerId"
    assert "ClosePeriod" in states
    assert {"ForEachCustomerId", "IfCustomerInvoiceByPost", "IfFailed"} <= set(states)


def test_sample_glue_is_reported_with_lines_reasons_and_compilable_code() -> None:
    for workflow in SAMPLE_WORKFLOWS:
        translation = sample_translation(workflow)
        for glue in translation.glue:
            assert glue.service == translation.owner
            assert any(f"({glue.function})" in note for note in translation.notes)
            compile(f"from typing import Any\n{glue.source()}", glue.function, "exec")
    [amount] = [g for g in sample_translation("place_order").glue if "amount_cents" in g.assigns]
    assert amount.parameters == ("quote", "shipping_quote")
    assert amount.reason == "arithmetic"
    [alert] = [g for g in sample_translation("cancel_order").glue if "subject" in g.assigns]
    assert alert.caught == (("exc", ("shop.errors.RefundFailed",)),)


def test_translation_is_deterministic() -> None:
    first = dump_definition(sample_translation("restock").definition)
    sample_translation.cache_clear()
    assert dump_definition(sample_translation("restock").definition) == first


# --------------------------------------------------------------------------- inline programs

LIBRARY = {
    "app/__init__.py": "",
    "app/billing.py": """
        def charge(customer_id, amount_cents, reference=None):
            return {"payment_id": 1, "amount": amount_cents}

        def refund(payment_id, amount_cents):
            return {"refund_id": 2}
    """,
    "app/stock.py": """
        def reserve(items, customer_id):
            return {"reference": "R1", "lines": items}

        def release(reference):
            return None

        def restock(sku, qty):
            return {"sku": sku, "qty": qty}

        def get(sku):
            return {"sku": sku}

        def réserver(articles):
            return articles
    """,
    "app/warehouse.py": """
        def get(sku):
            return {"sku": sku, "bin": 1}
    """,
    "app/errors.py": """
        class AppError(Exception):
            code = "app"

        class PaymentError(AppError):
            code = "payment"

        class Declined(PaymentError):
            code = "declined"

        class GatewayDown(PaymentError):
            code = "gateway_down"

        class OutOfStock(AppError):
            code = "out_of_stock"
    """,
    "app/util.py": """
        LIMIT = 10

        def total(items):
            return sum(item["qty"] for item in items)
    """,
}
HEADER = """
from . import billing, stock
from .errors import AppError, OutOfStock, PaymentError
from .util import LIMIT, total


def confirm(order):
    return order
"""
INLINE_PLAN = Plan(
    root="app",
    services=(
        Service("billing", ("app.billing.*",)),
        Service("stock", ("app.stock.*", "app.warehouse.*")),
        Service("orders", ("app.flows.*",)),
    ),
    shared=SharedLibrary(("app.util.*", "app.errors.*")),
)

FLOWS = {
    "local_import": """
        def local_import(customer_id, items):
            from . import warehouse

            found = warehouse.get(items)
            return stock.reserve(found, customer_id)
    """,
    "local_import_used_in_glue": """
        def local_import_used_in_glue(customer_id, items):
            from . import warehouse

            reservation = stock.reserve(items, customer_id)
            return warehouse.__name__ + reservation["reference"]
    """,
    "checkout": """
        def checkout(customer_id, items):
            reservation = stock.reserve(items, customer_id)
            payment = billing.charge(customer_id, 500, reservation["reference"])
            confirm(payment)
            return payment["payment_id"]
    """,
    "route": """
        def route(order, kind, amount):
            if kind == "express":
                result = stock.reserve(order, 1)
            elif amount >= 100 and not kind == "pickup":
                result = stock.reserve(order, 2)
            else:
                result = None
            billing.charge(1, amount)
            return result
    """,
    "flag": """
        def flag(order):
            flagged = False
            if order["express"]:
                flagged = True
                stock.reserve(order, 1)
            if flagged:
                stock.release(order["id"])
            return flagged
    """,
    "label": """
        def label(order, amount):
            if amount > 100:
                size = "large"
            else:
                size = "small"
            if order["rush"]:
                size = size.upper()
            return billing.charge(order["customer_id"], amount, size)
    """,
    "restock_all": """
        def restock_all(lines):
            received = []
            for line in lines:
                received.append(stock.restock(line["sku"], line["qty"]))
            return {"received": received, "count": total(lines)}
    """,
    "allocate": """
        def allocate(orders):
            done, failed = [], []
            for order in orders:
                try:
                    stock.reserve(order["items"], order["customer_id"])
                except OutOfStock:
                    failed.append(order["id"])
                    continue
                done.append(order["id"])
            return {"done": done, "failed": failed}
    """,
    "count_all": """
        def count_all(lines):
            count = 0
            for line in lines:
                stock.restock(line["sku"], line["qty"])
                count += line["qty"]
            return count
    """,
    "pay": """
        def pay(customer_id, items):
            reservation = stock.reserve(items, customer_id)
            try:
                payment = billing.charge(customer_id, total(items), reservation["reference"])
            except PaymentError:
                stock.release(reservation["reference"])
                raise
            return payment
    """,
    "refund_quietly": """
        def refund_quietly(payment_id, amount_cents):
            note = "refunded"
            try:
                billing.refund(payment_id, amount_cents)
            except (PaymentError, OutOfStock) as exc:
                note = exc.code
            return note
    """,
    "guard": """
        def guard(order):
            if order["status"] == "shipped":
                raise OutOfStock("already shipped")
            elif order["status"] == "void":
                raise OutOfStock(f"order {order['id']} is void")
            elif order["total"] > LIMIT:
                raise AppError(f"too much: {order['total']:.2f}")
            stock.release(order["id"])
    """,
    "careful": """
        def careful(order):
            try:
                result = stock.reserve(order["items"], order["customer_id"])
                if result is None:
                    raise OutOfStock("nothing reserved")
            except OutOfStock:
                stock.release(order["id"])
                return None
            return [result, order["id"]]
    """,
    "deliver": """
        def deliver(order_id, carrier="colissimo", coupon=None):
            return billing.charge(order_id, 10, carrier)
    """,
    "limited": """
        def limited(items, limit=LIMIT * 2):
            return stock.reserve(items, limit)
    """,
    "summarize": """
        def summarize(lines, customer_id):
            count = total(lines)
            doubled = count * 2
            label = f"{customer_id}: {doubled}"
            payment = billing.charge(customer_id, doubled, label)
            return payment
    """,
    "bump": """
        def bump(customer_id, amount_cents):
            amount = billing.charge(customer_id, amount_cents)["amount"] + 1
            return amount
    """,
    "nested": """
        def nested(customer_id):
            receipt = confirm(billing.charge(customer_id, 5))
            return receipt
    """,
    "normalize": """
        def normalize(items, customer_id):
            items = [item for item in items if item["qty"]]
            return stock.reserve(items, customer_id)
    """,
    "locate": """
        def locate(sku):
            return stock.get(sku)
    """,
    "drôle": '''
        def drôle(données, note="}{$"):
            """Docstring with "}{$ and ${Evil} and a \\\\ backslash."""
            résultat = stock.réserver(données)
            étiquette = "${NotAnArn}"
            stock.release("quote\\"s and }{$")
            return {"clé": résultat, "label": étiquette, "note": note}
    ''',
    "legacy": """
        def legacy(items):
            def helper(x):
                return x
            return stock.reserve(helper(items), 1)
    """,
    "pure": """
        def pure(a, b):
            c = a + b
            d = c * 2
            return d
    """,
}


def write_package(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


def translate_inline(root: Path, name: str) -> WorkflowTranslation:
    """Translate FLOWS[name], written as `app/flows.py` with the library, in service orders."""
    source = (HEADER + "\n\n" + textwrap.dedent(FLOWS[name])).lstrip("\n")
    write_package(root, LIBRARY)
    (root / "app" / "flows.py").write_text(source, encoding="utf-8")
    analysis = analyze_path(root, cache_dir=None)
    service_of = assign_functions(INLINE_PLAN, [f.qualname for f in analysis.functions])
    translation = translate_workflow(
        name, f"app.flows.{name}", source, analysis, service_of, "orders"
    )
    assert check_definition(translation.definition) == []
    assert json.loads(dump_definition(translation.definition)) == translation.definition
    return translation


def test_sequential_calls_chain_tasks_from_the_state_document(tmp_path: Path) -> None:
    translation = translate_inline(tmp_path, "checkout")
    states = translation.definition["States"]
    assert list(states) == ["Start", "Reserve", "Charge", "Confirm", "Return"]
    assert states["Start"]["Parameters"] == {"input.$": "$", "vars": {}}
    charge = states["Charge"]
    assert charge["Parameters"] == {
        "FunctionName": "${BillingFunctionArn}",
        "Payload": {
            "operation": "charge",
            "arguments": {
                "customer_id.$": "$.input.customer_id",
                "amount_cents": 500,
                "reference.$": "$.vars.reservation.value.reference",
            },
        },
    }
    assert charge["ResultSelector"] == {"value.$": "$.Payload"}
    assert charge["ResultPath"] == "$.vars.payment"
    assert list(charge) == [
        "Type", "Comment", "Resource", "Parameters", "ResultSelector", "ResultPath", "Retry",
        "Next",
    ]  # fmt: skip
    assert states["Confirm"]["ResultPath"] is None  # a call of the owner's own, as a step
    assert states["Return"] == {**states["Return"], "OutputPath": "$.vars.payment.value.payment_id"}
    assert [(t.state, t.service, t.line) for t in translation.tasks] == [
        ("Reserve", "stock", 12),
        ("Charge", "billing", 13),
        ("Confirm", "orders", 14),
    ]
    assert translation.input_names == ("customer_id", "items")
    assert translation.glue == () and translation.notes == ()


def test_if_elif_else_is_one_choice_whose_branches_join(tmp_path: Path) -> None:
    states = translate_inline(tmp_path, "route").definition["States"]
    choice = states["IfKindExpress"]
    assert choice["Choices"] == [
        {"Variable": "$.input.kind", "StringEquals": "express", "Next": "Reserve"},
        {
            "And": [
                {"Variable": "$.input.amount", "NumericGreaterThanEquals": 100},
                {"Not": {"Variable": "$.input.kind", "StringEquals": "pickup"}},
            ],
            "Next": "Reserve2",
        },
    ]
    assert choice["Default"] == "SetResult"
    assert states["SetResult"]["Result"] == {"value": None}
    assert states["Reserve"]["Next"] == states["Reserve2"]["Next"] == "Charge"
    assert states["SetResult"]["Next"] == "Charge"


NAMES = Names(
    params=frozenset({"kind"}),
    variables=frozenset({"x", "order", "done", "ready"}),
    booleans=frozenset({"done", "ready"}),
)
RULES = [
    ('x == "a"', {"Variable": "$.vars.x.value", "StringEquals": "a"}),
    ("x != 3", {"Not": {"Variable": "$.vars.x.value", "NumericEquals": 3}}),
    ("x < 2.5", {"Variable": "$.vars.x.value", "NumericLessThan": 2.5}),
    ("x <= -1", {"Variable": "$.vars.x.value", "NumericLessThanEquals": -1}),
    ('x > "m"', {"Variable": "$.vars.x.value", "StringGreaterThan": "m"}),
    ('"a" == kind', {"Variable": "$.input.kind", "StringEquals": "a"}),
    ("5 > x", {"Variable": "$.vars.x.value", "NumericLessThan": 5}),
    ("x is None", {"Variable": "$.vars.x.value", "IsNull": True}),
    ('order["coupon"] is not None', {"Variable": "$.vars.order.value.coupon", "IsNull": False}),
    ("x == True", {"Variable": "$.vars.x.value", "BooleanEquals": True}),
    ("x is not False", {"Not": {"Variable": "$.vars.x.value", "BooleanEquals": False}}),
    (
        'order.lines[0]["sku"] == "A"',
        {"Variable": "$.vars.order.value.lines[0].sku", "StringEquals": "A"},
    ),
    (
        'x in ("a", "b")',
        {"Or": [
            {"Variable": "$.vars.x.value", "StringEquals": "a"},
            {"Variable": "$.vars.x.value", "StringEquals": "b"},
        ]},
    ),
    ("x not in [1]", {"Not": {"Or": [{"Variable": "$.vars.x.value", "NumericEquals": 1}]}}),
    (
        "0 < x <= 10",
        {"And": [
            {"Variable": "$.vars.x.value", "NumericGreaterThan": 0},
            {"Variable": "$.vars.x.value", "NumericLessThanEquals": 10},
        ]},
    ),
    (
        "done and not ready",
        {"And": [
            {"Variable": "$.vars.done.value", "BooleanEquals": True},
            {"Not": {"Variable": "$.vars.ready.value", "BooleanEquals": True}},
        ]},
    ),
    ('order["o\'k"] == 1', {"Variable": "$.vars.order.value['o\\'k']", "NumericEquals": 1}),
]  # fmt: skip
NOT_RULES = [
    "x",
    "x == kind",
    "x == LIMIT",
    "len(x) > 1",
    'x is "a"',
    "x < True",
    "x == {}",
    "x[-1] == 2",
    "done or x",
    "exc == 1",
]


@pytest.mark.parametrize(("test", "expected"), RULES)
def test_comparisons_become_choice_rules(test: str, expected: dict[str, Any]) -> None:
    rule = to_rule(ast.parse(test, mode="eval").body, NAMES)
    assert rule is not None
    assert render_rule(rule) == expected


@pytest.mark.parametrize("test", NOT_RULES)
def test_what_choice_cannot_decide_exactly_is_left_to_glue(test: str) -> None:
    assert to_rule(ast.parse(test, mode="eval").body, NAMES.catching("exc")) is None


def test_truthiness_is_computed_by_glue_unless_the_value_is_a_boolean(tmp_path: Path) -> None:
    translation = translate_inline(tmp_path, "flag")
    states = translation.definition["States"]
    [glue] = translation.glue
    assert glue.body[-2:] == (
        'condition_13 = bool(order["express"])',
        'return {"condition_13": condition_13}',
    )
    assert glue.reason == "Python truthiness"
    assert states["IfOrderExpress"]["Choices"][0]["Variable"] == "$.vars.condition_13.value"
    assert states["IfFlagged"]["Choices"][0] == {
        "Variable": "$.vars.flagged.value",
        "BooleanEquals": True,
        "Next": "Release",
    }


def test_an_if_without_service_calls_is_choice_and_pass_or_else_glue(tmp_path: Path) -> None:
    translation = translate_inline(tmp_path, "label")
    states = translation.definition["States"]
    assert list(states) == [
        "Start", "IfAmount", "SetSize", "SetSize2", "LabelGlue1", "Charge", "Return",
    ]  # fmt: skip
    assert states["IfAmount"]["Choices"][0]["NumericGreaterThan"] == 100
    assert states["SetSize"]["Next"] == states["SetSize2"]["Next"] == "LabelGlue1"
    [glue] = translation.glue
    assert glue.body[2:4] == ('if order["rush"]:', "    size = size.upper()")
    assert glue.parameters == ("order", "size")


def test_a_loop_filling_a_list_is_a_map_whose_result_is_the_list(tmp_path: Path) -> None:
    translation = translate_inline(tmp_path, "restock_all")
    states = translation.definition["States"]
    loop = states["ForEachLine"]
    assert list(states) == ["Start", "ForEachLine", "GatherReceived", "RestockAllGlue1", "Return"]
    assert loop["ItemSelector"] == {
        "input.$": "$.input",
        "vars": {"line": {"value.$": "$$.Map.Item.Value"}},
        "appended": {},
    }
    assert loop["ItemProcessor"]["StartAt"] == "Restock"
    inner = loop["ItemProcessor"]["States"]
    assert inner["Restock"]["ResultPath"] == "$.appended.received"
    assert inner["NextLine"] == {
        "Type": "Pass",
        "Comment": "End of the iteration.",
        "OutputPath": "$.appended",
        "End": True,
    }
    # the wrappers first: `$[*].received` is an array whatever the number of matches
    assert loop["ResultSelector"] == {"value.$": "$[*].received"}
    assert loop["ResultPath"] == "$.vars.received"
    assert loop["Next"] == "GatherReceived"
    assert states["GatherReceived"] == {
        "Type": "Pass",
        "Comment": "Takes the items of received out of their wrappers.",
        "Parameters": {"value.$": "$.vars.received.value[*].value"},
        "ResultPath": "$.vars.received",
        "Next": "RestockAllGlue1",
    }
    assert states["Return"]["Parameters"] == {
        "received.$": "$.vars.received.value",
        "count.$": "$.vars.count.value",
    }


def test_continue_in_a_handler_ends_the_iteration(tmp_path: Path) -> None:
    states = states_of(translate_inline(tmp_path, "allocate").definition)
    assert states["Reserve"]["Catch"] == [
        {"ErrorEquals": ["OutOfStock"], "ResultPath": "$.error", "Next": "AppendFailed"}
    ]
    assert states["AppendFailed"]["Next"] == "NextOrder"
    assert states["Reserve"]["Next"] == "AppendDone"
    loop = states["ForEachOrder"]
    assert loop["ResultPath"] == "$.assigned"
    gather = states[loop["Next"]]
    assert gather["ResultPath"] == "$.assigned"
    assert states[gather["Next"]]["Parameters"]["vars.$"].startswith("States.JsonMerge")


def test_a_loop_whose_effects_outlive_an_iteration_runs_in_glue(tmp_path: Path) -> None:
    translation = translate_inline(tmp_path, "count_all")
    assert types_of(translation.definition)["Map"] == 0
    assert any("changes count" in note for note in translation.notes)
    [glue] = translation.glue
    assert glue.parameters == ("lines", "count")
    assert glue.assigns == ("count",)  # not `line`: nothing else reads it


def test_a_compensated_call_catches_the_error_and_its_subclasses(tmp_path: Path) -> None:
    states = translate_inline(tmp_path, "pay").definition["States"]
    catcher = {
        "ErrorEquals": ["PaymentError", "Declined", "GatewayDown"],
        "ResultPath": "$.error",
        "Next": "Release",
    }
    assert states["PayGlue1"]["Catch"] == [catcher]  # total(items), inside the try
    assert states["Charge"]["Catch"] == [catcher]
    assert "Catch" not in states["Release"]
    assert states["Release"]["Next"] == "ReraisePaymentError"
    assert states["ReraisePaymentError"] == {
        "Type": "Fail",
        "Comment": "app/flows.py:17: raise",
        "ErrorPath": "$.error.Error",
        "CausePath": "$.error.Cause",
    }


def test_a_handler_that_does_not_raise_continues_after_the_try(tmp_path: Path) -> None:
    translation = translate_inline(tmp_path, "refund_quietly")
    states = translation.definition["States"]
    [catcher] = states["Refund"]["Catch"]
    assert catcher["ErrorEquals"] == ["PaymentError", "Declined", "GatewayDown", "OutOfStock"]
    [glue] = translation.glue
    assert states[catcher["Next"]] is states[glue.state]
    assert states[glue.state]["Parameters"]["Payload"]["arguments"] == {
        "variables": {"exc.$": "$.error"}
    }
    assert glue.caught == (
        ("exc", ("app.errors.PaymentError", "app.errors.Declined", "app.errors.GatewayDown",
                 "app.errors.OutOfStock")),
    )  # fmt: skip
    assert states["Refund"]["Next"] == states[glue.state]["Next"] == "Return"


def test_raising_a_domain_error_is_a_fail_state(tmp_path: Path) -> None:
    translation = translate_inline(tmp_path, "guard")
    states = translation.definition["States"]
    assert states["RaiseOutOfStock"] == {
        **states["RaiseOutOfStock"],
        "Error": "OutOfStock",
        "Cause": "already shipped",
    }
    cause = states["RaiseOutOfStock2"]["CausePath"]
    assert cause == "States.Format('order {} is void', $.input.order.id)"
    too_much = states["RaiseAppError"]
    assert too_much["CausePath"] == "$.vars.message.value"  # a format spec: computed by glue
    assert states["IfOrderStatusShipped"]["Default"] == "GuardGlue1"  # `> LIMIT` needs glue
    assert states["Release"]["Next"] == "Return"
    assert states["Return"]["Result"] is None


def test_a_raise_its_own_try_catches_goes_to_the_handler(tmp_path: Path) -> None:
    states = translate_inline(tmp_path, "careful").definition["States"]
    assert states["RaiseOutOfStock"] == {
        "Type": "Pass",
        "Comment": states["RaiseOutOfStock"]["Comment"],
        "Parameters": {"Error": "OutOfStock", "Cause": "nothing reserved"},
        "ResultPath": "$.error",
        "Next": "Release",
    }
    assert states["Release"]["Next"] == "Return"
    assert states["Return"]["Result"] is None
    returned = states["Return2"]
    assert returned["Parameters"] == {
        "value.$": "States.Array($.vars.result.value, $.input.order.id)"
    }
    assert returned["OutputPath"] == "$.value"


def test_constant_defaults_are_merged_under_the_input(tmp_path: Path) -> None:
    translation = translate_inline(tmp_path, "deliver")
    states = translation.definition["States"]
    assert list(states) == ["Start", "ApplyDefaults", "Charge", "Return"]
    assert states["Start"]["Parameters"] == {
        "defaults": {"carrier": "colissimo", "coupon": None},
        "given.$": "$",
    }
    assert states["Charge"]["ResultPath"] == "$.vars.result"
    assert states["Return"]["OutputPath"] == "$.vars.result.value"


def test_computed_defaults_come_from_a_glue_function(tmp_path: Path) -> None:
    translation = translate_inline(tmp_path, "limited")
    states = translation.definition["States"]
    assert list(states)[:3] == ["Start", "LimitedDefaults", "ApplyDefaults"]
    assert states["LimitedDefaults"]["ResultSelector"] == {"limit.$": "$.Payload.limit"}
    [glue] = translation.glue
    assert glue.body == ('return {"limit": LIMIT * 2}',)
    assert states["Reserve"]["Parameters"]["Payload"]["arguments"]["customer_id.$"] == (
        "$.input.limit"
    )


def test_consecutive_glue_statements_share_one_step(tmp_path: Path) -> None:
    translation = translate_inline(tmp_path, "summarize")
    states = translation.definition["States"]
    [glue] = translation.glue
    assert glue.parameters == ("lines", "customer_id")
    assert glue.assigns == ("doubled", "label")  # `count` is only read inside
    assert glue.lines == (12, 14)
    assert glue.body == (
        'lines = variables["lines"]',
        'customer_id = variables["customer_id"]',
        "count = total(lines)",
        "doubled = count * 2",
        'label = f"{customer_id}: {doubled}"',
        'return {"doubled": doubled, "label": label}',
    )
    assert glue.module_names == ("total",)
    assert list(states) == [
        "Start", "SummarizeGlue1", "StoreDoubledAndLabel", "Charge", "Return",
    ]  # fmt: skip
    assert states["SummarizeGlue1"]["ResultPath"] == "$.assigned"
    assert translation.notes == (
        "lines 12-14: run in glue step SummarizeGlue1 (summarize_glue_1): "
        "calls `total` of the shared library; arithmetic; formats a string",
    )


def test_a_service_call_inside_an_expression_is_made_first(tmp_path: Path) -> None:
    translation = translate_inline(tmp_path, "bump")
    states = translation.definition["States"]
    assert list(states) == ["Start", "Charge", "BumpGlue1", "Return"]
    assert states["Charge"]["ResultPath"] == "$.vars.charge_result"
    [glue] = translation.glue
    assert glue.body[1] == 'amount = charge_result["amount"] + 1'


def test_a_service_call_as_an_argument_is_a_task_of_its_own(tmp_path: Path) -> None:
    states = translate_inline(tmp_path, "nested").definition["States"]
    assert list(states) == ["Start", "Charge", "Confirm", "Return"]
    assert states["Charge"]["ResultPath"] == "$.vars.order"
    arguments = states["Confirm"]["Parameters"]["Payload"]["arguments"]
    assert arguments == {"order.$": "$.vars.order.value"}


def test_a_rebound_parameter_is_kept_among_the_variables(tmp_path: Path) -> None:
    states = translate_inline(tmp_path, "normalize").definition["States"]
    assert states["SetItems"]["Parameters"] == {"value.$": "$.input.items"}
    arguments = states["Reserve"]["Parameters"]["Payload"]["arguments"]
    assert arguments["items.$"] == "$.vars.items.value"


def test_operations_sharing_a_name_in_a_service_are_prefixed(tmp_path: Path) -> None:
    translation = translate_inline(tmp_path, "locate")
    assert [(t.state, t.operation) for t in translation.tasks] == [("StockGet", "stock_get")]


def test_hostile_names_and_texts_give_valid_json_and_state_names(tmp_path: Path) -> None:
    translation = translate_inline(tmp_path, "drôle")
    definition = translation.definition
    assert "${Evil}" not in definition["Comment"] and '"}{$' in definition["Comment"]
    states = states_of(definition)
    assert all(name.isascii() and name.isidentifier() for name in states)
    assert states["Reserver"]["Parameters"]["Payload"]["operation"] == "réserver"
    assert states["Reserver"]["ResultPath"] == "$.vars['résultat']"
    release = states["Release"]["Parameters"]["Payload"]["arguments"]
    assert release == {"reference": 'quote"s and }{$'}
    assert any("${" in line for glue in translation.glue for line in glue.body)
    assert states["ApplyDefaults"]["Next"] == "Reserver"


def test_a_function_that_cannot_be_split_runs_whole_and_says_so(tmp_path: Path) -> None:
    translation = translate_inline(tmp_path, "legacy")
    assert translation.failed
    assert translation.notes[0].startswith("translation failed: it contains a nested function")
    [glue] = translation.glue
    assert list(translation.definition["States"]) == ["Start", "LegacyGlue1", "Return"]
    compile(f"from typing import Any\n{glue.source()}", "legacy", "exec")


def test_a_workflow_without_service_calls_is_reported_as_failed(tmp_path: Path) -> None:
    translation = translate_inline(tmp_path, "pure")
    assert translation.failed
    assert translation.tasks == ()


def test_an_unknown_entry_is_an_error_with_a_hint() -> None:
    with pytest.raises(WorkflowTranslationError, match="not a function") as raised:
        translate_workflow("x", "shop.nowhere", "", sample_analysis(), {}, "orders")
    assert raised.value.hint


def test_every_definition_passes_cfn_lint(tmp_path: Path) -> None:
    definitions = {name: sample_translation(name).definition for name in SAMPLE_WORKFLOWS}
    for name in FLOWS:
        definitions[name] = translate_inline(tmp_path / name, name).definition
    assert cfn_lint_problems(definitions) == []


def test_every_definition_passes_asl_validator(tmp_path: Path) -> None:
    definitions = {name: sample_translation(name).definition for name in SAMPLE_WORKFLOWS}
    for name in FLOWS:
        definitions[name] = translate_inline(tmp_path / name, name).definition
    assert asl_validator_problems(definitions, tmp_path) == []


def test_shared_functions_never_become_tasks(tmp_path: Path) -> None:
    translation = translate_inline(tmp_path, "restock_all")
    assert all(task.service != SHARED for task in translation.tasks)


def test_a_local_import_only_service_calls_need_is_no_obstacle(tmp_path: Path) -> None:
    translation = translate_inline(tmp_path, "local_import")
    assert not translation.failed
    assert [task.function for task in translation.tasks] == [
        "app.warehouse.get",
        "app.stock.reserve",
    ]
    assert any("local import" in note for note in translation.notes)


def test_a_local_import_whose_module_glue_would_need_runs_whole(tmp_path: Path) -> None:
    translation = translate_inline(tmp_path, "local_import_used_in_glue")
    assert translation.failed
    assert "an import inside the function" in translation.notes[0]


WEB_AND_TRANSACTIONS = {
    "app/__init__.py": "",
    "app/db.py": """
        def transactional(func):
            return func
    """,
    "app/billing.py": """
        def charge(customer_id, amount_cents):
            return {"payment_id": 1}
    """,
    "app/flows.py": """
        from flask import jsonify

        from . import billing
        from .db import transactional


        @transactional
        def pay(customer_id, amount_cents, note=""):
            payment = billing.charge(customer_id, amount_cents)
            payment["note"] = note.strip()
            return payment


        def receipt(customer_id):
            payment = billing.charge(customer_id, 100)
            return jsonify(payment), 201
    """,
}


def translate_flow(root: Path, name: str, *, transaction: bool = False) -> WorkflowTranslation:
    """Translate `app.flows.<name>` of WEB_AND_TRANSACTIONS, flows in service orders."""
    write_package(root, WEB_AND_TRANSACTIONS)
    analysis = analyze_path(root, cache_dir=None)
    source = (root / "app" / "flows.py").read_text(encoding="utf-8")
    service_of = assign_functions(INLINE_PLAN, [f.qualname for f in analysis.functions])
    translation = translate_workflow(
        name, f"app.flows.{name}", source, analysis, service_of, "orders", transaction=transaction
    )
    assert check_definition(translation.definition) == []
    return translation


def test_a_transaction_is_called_whole_as_one_task_of_its_service(tmp_path: Path) -> None:
    translation = translate_flow(tmp_path, "pay", transaction=True)
    states = translation.definition["States"]
    assert list(states) == ["Start", "ApplyDefaults", "Pay", "Return"]
    assert states["Pay"]["Parameters"] == {
        "FunctionName": "${OrdersFunctionArn}",
        "Payload": {
            "operation": "pay",
            "arguments": {
                "customer_id.$": "$.input.customer_id",
                "amount_cents.$": "$.input.amount_cents",
                "note.$": "$.input.note",
            },
        },
    }
    assert states["Return"]["OutputPath"] == "$.vars.result.value"
    [task] = translation.tasks
    assert (task.service, task.function, task.result) == ("orders", "app.flows.pay", "result")
    assert translation.glue == ()
    assert "runs in one database transaction" in translation.notes[0]


def test_the_same_function_outside_a_transaction_is_split(tmp_path: Path) -> None:
    translation = translate_flow(tmp_path, "pay")
    assert [task.function for task in translation.tasks] == ["app.billing.charge"]
    assert translation.tasks[0].result == "payment"


def test_a_views_json_response_returns_its_body(tmp_path: Path) -> None:
    translation = translate_flow(tmp_path, "receipt")
    states = translation.definition["States"]
    assert states["Return"]["OutputPath"] == "$.vars.payment.value"
    assert translation.glue == ()  # no glue calling jsonify outside a Flask application
    assert any(
        "returns payment itself: a Lambda's result is JSON already (the status code is left out)"
        in note
        for note in translation.notes
    )

"""State machines as drawable graphs: states, transitions, Choice rules, Catch, Map contents."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from splitter.report.workflow_diagram import END, START, StateRoles, rule_text, workflow_diagram

GOLDEN = Path(__file__).resolve().parents[1] / "generator" / "golden" / "statemachines"


def golden(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((GOLDEN / f"{name}.asl.json").read_text(encoding="utf-8"))
    return data


def test_every_state_is_a_node_between_start_and_end() -> None:
    definition = golden("place_order")
    diagram = workflow_diagram("place_order", definition)
    ids = {node.id for node in diagram.nodes}
    assert ids == set(definition["States"]) | {START, END}
    edges = {(edge.source, edge.target) for edge in diagram.edges}
    assert (START, definition["StartAt"]) in edges
    assert ("Return", END) in edges


def test_choice_rules_defaults_and_catches_are_labelled() -> None:
    diagram = workflow_diagram("place_order", golden("place_order"))
    kinds = {(edge.source, edge.kind) for edge in diagram.edges}
    assert ("IfReviewRequired", "choice") in kinds
    assert ("IfReviewRequired", "default") in kinds
    catch = next(edge for edge in diagram.edges if edge.kind == "catch")
    assert catch.source == "Charge"
    assert catch.label.startswith("catch PaymentError")
    failing = next(edge for edge in diagram.edges if edge.source == "ReraisePaymentError")
    assert (failing.target, failing.kind) == (END, "fail")


def test_map_states_hold_their_iteration() -> None:
    definition = golden("month_end_invoicing")
    diagram = workflow_diagram("month_end_invoicing", definition)
    inner = definition["States"]["ForEachCustomerId"]["ItemProcessor"]
    children = {node.id for node in diagram.children("ForEachCustomerId")}
    assert children == set(inner["States"])
    item = next(edge for edge in diagram.edges if edge.kind == "item")
    assert (item.source, item.target) == ("ForEachCustomerId", inner["StartAt"])


def test_tasks_carry_their_service_and_glue_steps_are_marked() -> None:
    roles = StateRoles(
        task_services={"Charge": "payments"},
        glue_states=frozenset({"PlaceOrderGlue1"}),
        colours={"payments": 3},
    )
    diagram = workflow_diagram("place_order", golden("place_order"), roles)
    nodes = {node.id: node for node in diagram.nodes}
    assert (nodes["Charge"].detail, nodes["Charge"].colour) == ("payments", 3)
    assert nodes["PlaceOrderGlue1"].kind == "glue"
    assert nodes["IfReviewRequired"].kind == "Choice"
    assert nodes["Charge"].tooltip.startswith("shop/services.py:")


@pytest.mark.parametrize(
    ("rule", "text"),
    [
        ({"Variable": "$.vars.ok.value", "BooleanEquals": True}, "ok == true"),
        ({"Variable": "$.input.n", "NumericGreaterThanEquals": 3}, "input.n >= 3"),
        ({"Variable": "$.vars.a.value", "StringEqualsPath": "$.vars.b.value"}, "a == b"),
        ({"Variable": "$.vars.x", "IsNull": False}, "x is not null"),
        (
            {"Not": {"Variable": "$.vars.s.value", "StringEquals": "paid"}},
            "not (s == 'paid')",
        ),
        (
            {
                "And": [
                    {"Variable": "$.a", "IsPresent": True},
                    {"Variable": "$.b", "NumericLessThan": 1},
                ]
            },
            "(a is present) and (b < 1)",
        ),
    ],
)
def test_choice_rules_read_as_conditions(rule: dict[str, Any], text: str) -> None:
    assert rule_text(rule) == text


def test_long_rules_are_shortened() -> None:
    rule = {"Variable": "$.vars." + "x" * 80 + ".value", "BooleanEquals": True}
    assert len(rule_text(rule)) == 48
    assert rule_text(rule).endswith("…")


def test_transitions_to_unknown_states_are_left_out() -> None:
    definition = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Nowhere"}}}
    diagram = workflow_diagram("w", definition)
    assert all(edge.target != "Nowhere" for edge in diagram.edges)

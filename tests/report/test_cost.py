"""State transitions per execution and the monthly cost of Standard and Express workflows."""

from __future__ import annotations

from typing import Any

import pytest

from splitter.report.cost import (
    CostAssumptions,
    PathLength,
    estimate_cost,
    express_duration_cost,
    standard_cost,
    state_transitions,
)


def task(following: str | None = None, **extra: Any) -> dict[str, Any]:
    state: dict[str, Any] = {"Type": "Task", "Resource": "x", **extra}
    state.update({"Next": following} if following else {"End": True})
    return state


def machine(start: str, **states: dict[str, Any]) -> dict[str, Any]:
    return {"StartAt": start, "States": states}


def test_a_sequence_counts_each_state_once() -> None:
    definition = machine("A", A=task("B"), B=task("C"), C={"Type": "Pass", "End": True})
    counted = state_transitions(definition)
    assert counted.fewest == counted.most == PathLength(3, 2)
    assert str(counted) == "3"


def test_a_choice_gives_the_shortest_and_the_longest_branch() -> None:
    definition = machine(
        "Pick",
        Pick={
            "Type": "Choice",
            "Choices": [{"Variable": "$.x", "BooleanEquals": True, "Next": "Long1"}],
            "Default": "Done",
        },
        Long1=task("Long2"),
        Long2=task("Done"),
        Done={"Type": "Pass", "End": True},
    )
    counted = state_transitions(definition)
    assert (counted.fewest.states, counted.most.states) == (2, 4)
    assert str(counted) == "2-4"


def test_failing_branches_and_catches_are_not_the_successful_run() -> None:
    definition = machine(
        "Charge",
        Charge=task("Done", Catch=[{"ErrorEquals": ["E"], "Next": "Undo"}]),
        Undo=task("Failed"),
        Failed={"Type": "Fail", "Error": "E"},
        Done={"Type": "Succeed"},
    )
    assert state_transitions(definition).most == PathLength(2, 1)


def test_a_machine_that_always_fails_is_counted_with_its_fail_state() -> None:
    definition = machine("A", A=task("F"), F={"Type": "Fail"})
    assert state_transitions(definition).most == PathLength(2, 1)


def test_a_map_counts_its_iteration_for_each_item() -> None:
    inner = machine("One", One=task("Two"), Two=task())
    definition = machine("Each", Each={"Type": "Map", "ItemProcessor": inner, "End": True})
    counted = state_transitions(definition, map_items=5)
    assert counted.most == PathLength(1 + 5 * 2, 5 * 2)


def test_a_loop_is_cut_rather_than_followed_forever() -> None:
    definition = machine("A", A=task("B"), B=task("A"))
    assert state_transitions(definition).most == PathLength(0, 0)


def test_standard_is_priced_per_transition() -> None:
    assert standard_cost(10, 1_000_000) == pytest.approx(250.0)


def test_express_duration_is_tiered_by_gb_hour() -> None:
    # 1M executions x 0.1 s x 64 MB = 6,250 GB-s = 1.736 GB-hours at $0.06
    assert express_duration_cost(1_000_000, 100, 64) == pytest.approx(6250 / 3600 * 0.06)
    # 100M executions x 10 s x 64 MB, the pricing page's example: $382.97
    assert express_duration_cost(100_000_000, 10_000, 64) == pytest.approx(382.97, abs=0.01)


def test_an_estimate_prices_both_types_on_the_longest_run() -> None:
    definition = machine("A", A=task("B"), B=task("C"), C={"Type": "Pass", "End": True})
    estimate = estimate_cost(definition, 1_000_000, CostAssumptions(task_ms=120))
    assert estimate.standard == pytest.approx(3 * 1_000_000 * 0.000025)
    assert estimate.billed_ms == 300
    assert estimate.billed_mb == 64
    assert estimate.express_requests == pytest.approx(1.0)
    assert estimate.express == pytest.approx(1.0 + 1_000_000 * 0.3 * 64 / 1024 / 3600 * 0.06)
    assert estimate.cheaper == "Express"
    assert "Standard $75.00" in str(estimate)

"""The adjusted Rand index on hand-computed examples, and reading a reference split."""

from __future__ import annotations

import pytest

from splitter.errors import PlanError
from splitter.planner.assignment import SHARED
from splitter.planner.compare import adjusted_rand_index, labels, reference_plan


def lab(*values: str) -> dict[str, str]:
    return {f"f{i}": value for i, value in enumerate(values)}


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        # the same grouping under other names
        (lab("a", "a", "b", "b"), lab("x", "x", "y", "y"), 1.0),
        # sklearn's example: index 1, expected 1/3, maximum 3/2 -> (2/3) / (7/6) = 4/7
        (lab("0", "0", "1", "1"), lab("0", "0", "1", "2"), 4 / 7),
        # every pair split the other way: index 0, expected 2/3, maximum 2 -> -1/2
        (lab("a", "a", "b", "b"), lab("a", "b", "a", "b"), -0.5),
        # all in one group on both sides
        (lab("a", "a", "a"), lab("b", "b", "b"), 1.0),
    ],
)
def test_adjusted_rand_index(
    first: dict[str, str], second: dict[str, str], expected: float
) -> None:
    assert adjusted_rand_index(first, second) == pytest.approx(expected)
    assert adjusted_rand_index(second, first) == pytest.approx(expected)


def test_only_names_both_label_count() -> None:
    assert adjusted_rand_index({"a": "x", "b": "x", "c": "y"}, {"a": "1", "b": "1"}) == 1.0


def test_a_reference_decomposition_labels_functions_by_domain() -> None:
    plan = reference_plan(
        {
            "domains": {
                "orders": {"functions": ["shop.orders.*", "shop.api.place"], "tables": ["orders"]},
                "billing": {"functions": ["shop.billing.*"]},
            },
            "shared": {"functions": ["shop.utils.*"]},
        }
    )
    found = labels(plan, ["shop.orders.Cart.add", "shop.api.place", "shop.utils.fmt", "shop.x.y"])
    assert found == {
        "shop.orders.Cart.add": "orders",
        "shop.api.place": "orders",
        "shop.utils.fmt": SHARED,
    }


def test_a_malformed_reference_is_a_plan_error() -> None:
    with pytest.raises(PlanError, match="functions of orders"):
        reference_plan({"domains": {"orders": {"functions": "shop.*"}}})

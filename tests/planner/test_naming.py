"""Service names: the nouns of a cluster's modules, tables, routes and functions."""

from __future__ import annotations

from splitter.planner.naming import ClusterFacts, name_services
from splitter.planner.vocabulary import nouns, stem


def test_nouns_leave_verbs_and_filler_out() -> None:
    assert nouns("get_order_summary") == ["order", "summary"]
    assert nouns("OrderRepository") == ["order", "repository"]
    assert nouns("app.post('/orders/<int:order_id>/cancel')") == ["order", "order"]
    assert [stem(w) for w in ("categories", "address", "boxes", "orders")] == [
        "category",
        "address",
        "boxe",
        "order",
    ]


def test_a_cluster_is_named_after_its_home_module_and_tables() -> None:
    names = name_services(
        [
            ClusterFacts(
                "#a",
                ("shop.payments.charge", "shop.payments.refund"),
                ("shop.payments", "shop.payments"),
                ("payments", "refunds"),
            ),
            ClusterFacts(
                "#b",
                ("shop.services.reserve", "shop.repo.adjust_stock"),
                ("shop.services", "shop.repo"),
                ("stock_levels", "stock_moves"),
            ),
        ],
        {"shop.services": 3, "shop.repo": 3, "shop.payments": 1},
    )
    assert names == {"#a": "payments", "#b": "stock"}


def test_two_clusters_about_the_same_noun_get_a_second_noun_not_a_number() -> None:
    orders = ClusterFacts("#a", ("m.place_order", "m.load_order"), ("m", "m"), ("orders",))
    returns = ClusterFacts(
        "#b", ("m.cancel_order", "m.return_order"), ("m", "m"), ("orders", "returns")
    )
    names = name_services([orders, returns], {"m": 3}, taken=())
    assert names["#a"] == "orders"
    assert names["#b"] == "returns"
    refunds = ClusterFacts("#c", ("m.order_refund",), ("m",), ("orders",))
    assert name_services([orders, refunds], {}) == {"#a": "orders", "#c": "refund"}
    alone = ClusterFacts("#d", ("m.load_order",), ("m",), ("orders",))
    assert name_services([orders, alone], {})["#d"] == "orders_2"


def test_names_taken_by_the_plan_are_not_reused() -> None:
    names = name_services(
        [ClusterFacts("#a", ("m.load_order",), ("m",), ("orders",))], {}, {"orders"}
    )
    assert names["#a"] != "orders"

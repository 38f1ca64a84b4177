"""process_return: partial and full returns, restocking, refunds, points and refusals."""

import pytest
from shop import services, shipping
from shop.errors import InvalidReturn, OrderNotFound, RefundFailed, ReturnNotAllowed
from shop_testkit import GOOD_CARD

pytestmark = pytest.mark.usefixtures("shop_db")


def test_partial_return(one, q):
    # SO-000009: Maximilian, 2 aprons and 4 salt flakes, delivered on 23 May.
    result = services.process_return(9, [
        {"sku": "TEX-003", "qty": 1},
        {"sku": "FOD-003", "qty": 2, "condition": "damaged"},
    ])
    assert result["order_status"] == "partially_returned"
    assert result["refund_cents"] == 3400 + 1380
    assert result["restocked"] == [{"sku": "TEX-003", "qty": 1}]
    assert result["points_clawed_back"] == 47

    assert one("SELECT on_hand FROM stock_levels WHERE sku = 'TEX-003'") == {"on_hand": 11}
    assert one("SELECT on_hand FROM stock_levels WHERE sku = 'FOD-003'") == {"on_hand": 50}
    assert q("SELECT sku, delta, reason FROM stock_movements ORDER BY id") == [
        {"sku": "TEX-003", "delta": 1, "reason": "return"},
        {"sku": "FOD-003", "delta": 0, "reason": "write_off:2"},
    ]
    assert one("SELECT status, refund_cents, refund_id FROM returns WHERE id = ?",
               result["return_id"]) == {"status": "refunded", "refund_cents": 4780,
                                        "refund_id": result["refund_id"]}
    assert q("SELECT sku, returned_qty FROM order_lines WHERE order_id = 9 ORDER BY line_no") == [
        {"sku": "TEX-003", "returned_qty": 1}, {"sku": "FOD-003", "returned_qty": 2}]
    assert one("SELECT refunded_cents, status FROM payments WHERE id = 9") == {
        "refunded_cents": 4780, "status": "partially_refunded"}
    assert one("SELECT template FROM outbox WHERE id = ?", result["notification_id"]) == {
        "template": "return_received"}


def test_returning_the_rest_completes_the_return(one):
    # SO-000010 already had one candle pair returned.
    result = services.process_return(10, [
        {"sku": "KIT-005", "qty": 2}, {"sku": "LIT-003", "qty": 1},
    ])
    assert result["order_status"] == "returned"
    assert result["refund_cents"] == 4900 + 1590
    assert one("SELECT refunded_cents, status FROM payments WHERE id = 10") == {
        "refunded_cents": 8080, "status": "partially_refunded"}  # shipping is kept


def test_refund_shares_discounts_line_by_line():
    placed = services.place_order(1, [{"sku": "GAR-005", "qty": 3}], GOOD_CARD)
    shipping.mark_shipped(placed["order_id"])
    shipping.mark_delivered(placed["order_id"])
    first = services.process_return(placed["order_id"], [{"sku": "GAR-005", "qty": 1}])
    rest = services.process_return(placed["order_id"], [{"sku": "GAR-005", "qty": 2}])
    # Everything paid for the goods comes back, discounts spread over the units; not shipping.
    assert first["refund_cents"] == 2414
    assert first["refund_cents"] + rest["refund_cents"] == (
        placed["total_cents"] - placed["shipping_cents"])
    assert rest["order_status"] == "returned"


@pytest.mark.parametrize("lines", [
    [],
    [{"sku": "LIT-003", "qty": 2}],         # only one pair is left to return
    [{"sku": "HOM-001", "qty": 1}],         # not in the order
    [{"sku": "KIT-005", "qty": 0}],
    [{"sku": "KIT-005", "qty": 1, "condition": "smelly"}],
])
def test_invalid_return_leaves_no_trace(lines, count, one):
    with pytest.raises(InvalidReturn):
        services.process_return(10, lines)
    assert count("returns") == 1
    assert count("refunds") == 2
    assert one("SELECT status FROM orders WHERE id = 10") == {"status": "partially_returned"}


@pytest.mark.parametrize("order_id", [11, 7, 8, 13])  # paid, shipped, cancelled, pending
def test_only_delivered_orders_can_be_returned(order_id):
    with pytest.raises(ReturnNotAllowed):
        services.process_return(order_id, [{"sku": "HOM-003", "qty": 1}])


def test_return_window_is_over():
    # SO-000002 was delivered on 25 April.
    with pytest.raises(ReturnNotAllowed) as caught:
        services.process_return(2, [{"sku": "KIT-001", "qty": 1}])
    assert caught.value.details["days_since_delivery"] == 39


def test_unknown_order():
    with pytest.raises(OrderNotFound):
        services.process_return(999, [{"sku": "KIT-001", "qty": 1}])


def test_refused_refund_voids_the_return(one, count):
    placed = services.place_order(4, [{"sku": "TEX-004", "qty": 2}], "4000 0000 0000 0009")
    shipping.mark_shipped(placed["order_id"])
    shipping.mark_delivered(placed["order_id"])
    with pytest.raises(RefundFailed):
        services.process_return(placed["order_id"], [{"sku": "TEX-004", "qty": 1}])
    assert one("SELECT status, note FROM returns WHERE order_id = ?", placed["order_id"]) == {
        "status": "void", "note": "refund refused by the gateway"}
    assert one("SELECT on_hand FROM stock_levels WHERE sku = 'TEX-004'") == {"on_hand": 1}
    assert one("SELECT status FROM orders WHERE id = ?", placed["order_id"]) == {
        "status": "delivered"}
    assert count("loyalty_ledger", "order_id = ? AND points < 0", placed["order_id"]) == 0

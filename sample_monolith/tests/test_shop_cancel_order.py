"""cancel_order: refunds, restocking, loyalty reversal and the error paths."""

import pytest
from shop import services
from shop.errors import InvalidState, OrderAlreadyShipped, OrderNotFound
from shop_testkit import GOOD_CARD

pytestmark = pytest.mark.usefixtures("shop_db")


def test_cancel_paid_order(one, q):
    # SO-000011: Pieter, one storage basket, paid by card, parcel not yet collected.
    result = services.cancel_order(11, "changed my mind")
    assert result["status"] == "cancelled"
    assert result["refund"]["amount_cents"] == 3880
    assert result["refund_pending"] is False
    assert result["shipment_cancelled"] is True
    assert result["restocked"] == [{"sku": "HOM-003", "qty": 1}]
    assert result["points_reversed"] == 32

    order = one("SELECT status, cancel_reason, refund_pending FROM orders WHERE id = 11")
    assert order == {"status": "cancelled", "cancel_reason": "changed my mind",
                     "refund_pending": 0}
    assert one("SELECT on_hand FROM stock_levels WHERE sku = 'HOM-003'") == {"on_hand": 10}
    assert one("SELECT status, refunded_cents FROM payments WHERE id = 11") == {
        "status": "refunded", "refunded_cents": 3880}
    assert one("SELECT status FROM shipments WHERE order_id = 11") == {"status": "cancelled"}
    assert q("SELECT points, reason FROM loyalty_ledger WHERE order_id = 11 ORDER BY id") == [
        {"points": 32, "reason": "order"}, {"points": -32, "reason": "order_cancelled"}]
    message = one("SELECT template, body FROM outbox WHERE id = ?", result["notification_id"])
    assert message["template"] == "order_cancelled"
    assert "38.80" in message["body"]


def test_place_then_cancel_puts_everything_back(one):
    before = one("SELECT on_hand, reserved FROM stock_levels WHERE sku = 'LIT-002'")
    placed = services.place_order(3, [{"sku": "LIT-002", "qty": 2}], GOOD_CARD, coupon="SHADE5")
    result = services.cancel_order(placed["order_id"])
    assert result["refund"]["amount_cents"] == placed["total_cents"]
    assert one("SELECT on_hand, reserved FROM stock_levels WHERE sku = 'LIT-002'") == before
    assert one("SELECT points_balance FROM loyalty_accounts WHERE customer_id = 3") == {
        "points_balance": 770}


def test_cancel_order_on_hold(one):
    result = services.cancel_order(12, "fraud check failed")
    assert result["refund"]["amount_cents"] == 183400
    assert one("SELECT on_hand FROM stock_levels WHERE sku = 'GAR-003'") == {"on_hand": 5}


def test_cancel_unpaid_bank_transfer_order(count):
    result = services.cancel_order(13)
    assert result["refund"] is None
    assert result["restocked"] == []  # nothing was taken from the shelf for it
    assert count("refunds") == 2


def test_refused_refund_still_cancels_and_alerts_ops(one, q):
    # SO-000015 was paid with a card ending 0009: the acquirer refuses refunds to it.
    result = services.cancel_order(15)
    assert result["refund"] is None
    assert result["refund_pending"] is True
    assert one("SELECT status, refund_pending FROM orders WHERE id = 15") == {
        "status": "cancelled", "refund_pending": 1}
    assert one("SELECT status, failure_reason FROM refunds WHERE payment_id = 14") == {
        "status": "failed", "failure_reason": "card_closed"}
    assert one("SELECT status FROM payments WHERE id = 14") == {"status": "captured"}
    alerts = q("SELECT channel, recipient, subject FROM outbox WHERE template = 'ops_alert'")
    assert alerts == [{"channel": "ops", "recipient": "ops@hollisvane.example",
                       "subject": "[ops] manual refund needed for SO-000015"}]


def test_unknown_order():
    with pytest.raises(OrderNotFound):
        services.cancel_order(999)


@pytest.mark.parametrize("order_id", [7, 3, 10])  # shipped, delivered, partially returned
def test_order_that_left_the_warehouse(order_id, one, count):
    before = one("SELECT status FROM orders WHERE id = ?", order_id)
    with pytest.raises(OrderAlreadyShipped):
        services.cancel_order(order_id)
    assert one("SELECT status FROM orders WHERE id = ?", order_id) == before
    assert count("refunds") == 2


def test_already_cancelled_order():
    with pytest.raises(InvalidState) as caught:
        services.cancel_order(8)
    assert not isinstance(caught.value, OrderAlreadyShipped)


def test_race_with_the_warehouse_scan(one):
    # The parcel was scanned out but the order status had not caught up yet.
    from shop.db import get_connection

    conn = get_connection()
    conn.execute("UPDATE shipments SET status = 'shipped' WHERE order_id = 11")
    conn.commit()
    with pytest.raises(OrderAlreadyShipped):
        services.cancel_order(11)
    assert one("SELECT status FROM orders WHERE id = 11") == {"status": "paid"}

"""place_order: the checkout workflow, its branches and every way it can fail."""

import pytest
from shop import services
from shop.errors import (
    CustomerInactive,
    CustomerNotFound,
    GatewayTimeout,
    InvalidCoupon,
    OutOfStock,
    PaymentDeclined,
    ProductNotFound,
    UnknownCarrier,
    ValidationError,
)
from shop_testkit import GOOD_CARD

pytestmark = pytest.mark.usefixtures("shop_db")


def test_happy_path_writes_every_domain(one, q):
    # Jonas (silver, Germany): 3 % loyalty discount, food bulk deal on the honey.
    result = services.place_order(
        2, [{"sku": "KIT-003", "qty": 2}, {"sku": "FOD-001", "qty": 3}], GOOD_CARD
    )
    assert result["order_number"] == "SO-000016"
    assert result["status"] == "paid"
    assert result["discount_cents"] == 297 + 194
    assert result["shipping_cents"] == 790  # 3.75 kg with Colissimo
    assert result["total_cents"] == 3780 + 2970 - 491 + 790
    assert result["points_earned"] == 62
    assert result["shipment"]["tracking_number"] == "COL000000014DE"

    order = one("SELECT * FROM orders WHERE id = ?", result["order_id"])
    assert order["customer_id"] == 2 and order["payment_id"] == result["payment_id"]
    lines = q("SELECT sku, qty, discount_cents, line_total_cents FROM order_lines"
              " WHERE order_id = ? ORDER BY line_no", result["order_id"])
    assert lines == [
        {"sku": "KIT-003", "qty": 2, "discount_cents": 114, "line_total_cents": 3666},
        {"sku": "FOD-001", "qty": 3, "discount_cents": 377, "line_total_cents": 2593},
    ]
    assert one("SELECT on_hand, reserved FROM stock_levels WHERE sku = 'KIT-003'") == {
        "on_hand": 20, "reserved": 0}
    reservations = q("SELECT status, order_id FROM stock_reservations WHERE order_id = ?",
                     result["order_id"])
    assert [r["status"] for r in reservations] == ["committed", "committed"]
    payment = one("SELECT * FROM payments WHERE id = ?", result["payment_id"])
    assert (payment["status"], payment["amount_cents"], payment["card_last4"]) == (
        "captured", result["total_cents"], "1111")
    assert one("SELECT status FROM shipments WHERE order_id = ?", result["order_id"]) == {
        "status": "pending"}
    assert one("SELECT points_balance FROM loyalty_accounts WHERE customer_id = 2") == {
        "points_balance": 451 + 62}
    message = one("SELECT * FROM outbox WHERE id = ?", result["notification_id"])
    assert message["template"] == "order_confirmation"
    assert message["recipient"] == "jonas.becker@example.de"
    assert "SO-000016" in message["subject"]


def test_gold_customer_gets_sale_and_loyalty_discount_and_free_shipping():
    result = services.place_order(
        1, [{"sku": "KIT-001", "qty": 2}, {"sku": "GAR-002", "qty": 1}], GOOD_CARD
    )
    assert result["discount_cents"] == 404 + 513  # 15 % garden sale, then 5 % gold
    assert result["shipping_cents"] == 0
    assert result["total_cents"] == 9753


def test_coupon_and_duplicate_lines_are_merged(one):
    result = services.place_order(
        5, [{"sku": "tex-001", "qty": 1}, {"sku": "TEX-001", "qty": 1}], GOOD_CARD,
        coupon="welcome10",
    )
    line = one("SELECT qty, discount_cents FROM order_lines WHERE order_id = ?",
               result["order_id"])
    assert line == {"qty": 2, "discount_cents": 438}
    assert one("SELECT coupon FROM orders WHERE id = ?", result["order_id"]) == {
        "coupon": "WELCOME10"}


@pytest.mark.parametrize("coupon", ["NOPE", "STAFF25"])
def test_unknown_or_retired_coupon(coupon, count):
    with pytest.raises(InvalidCoupon):
        services.place_order(5, [{"sku": "TEX-001", "qty": 1}], GOOD_CARD, coupon=coupon)
    assert count("stock_reservations", "status = 'held'") == 0


def test_inactive_customer_is_refused_before_anything_is_written(count):
    before = count("payments")
    with pytest.raises(CustomerInactive) as caught:
        services.place_order(7, [{"sku": "KIT-001", "qty": 1}], GOOD_CARD)
    assert caught.value.details == {"customer_id": 7}
    assert count("payments") == before
    assert count("stock_reservations", "status = 'held'") == 0


def test_unknown_customer():
    with pytest.raises(CustomerNotFound):
        services.place_order(999, [{"sku": "KIT-001", "qty": 1}], GOOD_CARD)


def test_out_of_stock_reserves_nothing(one, count):
    with pytest.raises(OutOfStock) as caught:
        services.place_order(
            2, [{"sku": "KIT-003", "qty": 1}, {"sku": "KIT-001", "qty": 15}], GOOD_CARD,
            carrier="freight",
        )
    assert caught.value.details == {"sku": "KIT-001", "requested": 15, "available": 14}
    # The KIT-003 line reserved before the failure was rolled back with it.
    assert one("SELECT reserved FROM stock_levels WHERE sku = 'KIT-003'") == {"reserved": 0}
    assert count("stock_reservations", "status = 'held'") == 0
    assert count("orders") == 15


def test_sold_out_product():
    with pytest.raises(OutOfStock):
        services.place_order(2, [{"sku": "GAR-003", "qty": 1}], GOOD_CARD, carrier="freight")


def test_declined_payment_releases_the_reservation(one, q, count):
    with pytest.raises(PaymentDeclined) as caught:
        services.place_order(2, [{"sku": "KIT-001", "qty": 2}], "4000 0000 0000 0002")
    assert caught.value.details["reason"] == "do_not_honor"
    reservation = q("SELECT status, qty FROM stock_reservations WHERE sku = 'KIT-001'"
                    " AND order_id IS NULL")
    assert reservation == [{"status": "released", "qty": 2}]
    assert one("SELECT on_hand, reserved FROM stock_levels WHERE sku = 'KIT-001'") == {
        "on_hand": 14, "reserved": 0}
    payment = one("SELECT status, decline_reason FROM payments WHERE id = ?",
                  caught.value.details["payment_id"])
    assert payment == {"status": "declined", "decline_reason": "do_not_honor"}
    assert count("orders") == 15


def test_amount_over_card_limit_is_declined(one):
    with pytest.raises(PaymentDeclined) as caught:
        services.place_order(5, [{"sku": "KIT-004", "qty": 22}], GOOD_CARD, carrier="freight")
    assert caught.value.details["reason"] == "limit_exceeded"
    assert one("SELECT reserved FROM stock_levels WHERE sku = 'KIT-004'") == {"reserved": 0}


def test_gateway_timeout_is_retried_then_releases_the_reservation(one, count):
    with pytest.raises(GatewayTimeout) as caught:
        services.place_order(2, [{"sku": "KIT-001", "qty": 1}], "4000000000000005")
    assert caught.value.details["attempts"] == 2
    payment = one("SELECT status, attempts FROM payments WHERE id = ?",
                  caught.value.details["payment_id"])
    assert payment == {"status": "timeout", "attempts": 2}
    assert one("SELECT reserved FROM stock_levels WHERE sku = 'KIT-001'") == {"reserved": 0}
    assert count("stock_reservations", "status = 'released'") == 1


def test_gift_card_payment(one):
    result = services.place_order(5, [{"sku": "FOD-002", "qty": 1}], "GC-1000-2024")
    assert result["total_cents"] == 1790 + 590
    assert one("SELECT balance_cents FROM gift_cards WHERE code = 'GC-1000-2024'") == {
        "balance_cents": 5000 - 2380}
    assert one("SELECT method, gateway, card_last4 FROM payments WHERE id = ?",
               result["payment_id"]) == {"method": "gift_card", "gateway": "giftcard",
                                          "card_last4": None}


@pytest.mark.parametrize("code, reason", [
    ("GC-2000-2024", "insufficient_balance"),
    ("GC-3000-2023", "unknown_gift_card"),
])
def test_gift_card_declines(code, reason, one):
    with pytest.raises(PaymentDeclined) as caught:
        services.place_order(5, [{"sku": "FOD-002", "qty": 1}], code)
    assert caught.value.details["reason"] == reason
    assert one("SELECT reserved FROM stock_levels WHERE sku = 'FOD-002'") == {"reserved": 0}


def test_large_order_is_put_on_hold_without_shipment(one, count):
    result = services.place_order(5, [{"sku": "KIT-004", "qty": 13}], GOOD_CARD, carrier="dhl")
    assert result["status"] == "on_hold"
    assert result["shipment"] is None
    order = one("SELECT status, hold_reason FROM orders WHERE id = ?", result["order_id"])
    assert order == {"status": "on_hold", "hold_reason": "amount over review threshold"}
    assert count("shipments", "order_id = ?", result["order_id"]) == 0
    assert one("SELECT template FROM outbox WHERE id = ?", result["notification_id"]) == {
        "template": "order_on_hold"}


def test_store_pickup(one):
    result = services.place_order(1, [{"sku": "LIT-003", "qty": 2}], GOOD_CARD, carrier="pickup")
    assert result["shipping_cents"] == 0
    assert result["shipment"]["tracking_number"] is None
    assert one("SELECT template FROM outbox WHERE id = ?", result["notification_id"]) == {
        "template": "order_ready_for_pickup"}


@pytest.mark.parametrize("carrier", ["mondial", "pigeon"])
def test_unavailable_carrier(carrier, count):
    with pytest.raises(UnknownCarrier):
        services.place_order(2, [{"sku": "KIT-001", "qty": 1}], GOOD_CARD, carrier=carrier)
    assert count("stock_reservations", "status = 'held'") == 0


def test_parcel_too_heavy_for_colissimo():
    with pytest.raises(UnknownCarrier):
        services.place_order(2, [{"sku": "HOM-002", "qty": 8}], GOOD_CARD)


@pytest.mark.parametrize("items", [
    [],
    [{"sku": "KIT-001", "qty": 0}],
    [{"sku": "KIT-001", "qty": "2"}],
    [{"sku": "KIT-001", "qty": True}],
    [{"qty": 1}],
    [{"sku": "KIT-001", "qty": 60}, {"sku": "KIT-001", "qty": 40}],
])
def test_malformed_basket(items):
    with pytest.raises(ValidationError):
        services.place_order(2, items, GOOD_CARD)


@pytest.mark.parametrize("sku", ["NOPE-001", "HOM-005"])
def test_unknown_or_discontinued_product(sku):
    with pytest.raises(ProductNotFound):
        services.place_order(2, [{"sku": sku, "qty": 1}], GOOD_CARD)

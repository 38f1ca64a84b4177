"""The domain modules on their own: pricing, shipping, loyalty, payments, notifications,
orders and reporting."""

import json

import pytest
from shop import loyalty, notifications, orders, payments, pricing, reporting, services, shipping
from shop.errors import (
    CustomerNotFound,
    InvalidState,
    OrderNotFound,
    PaymentNotFound,
    ProductNotFound,
    UnknownTemplate,
    ValidationError,
)
from shop.payments import FakeCardGateway, GiftCardGateway, PaymentGateway
from shop_testkit import GOOD_CARD

pytestmark = pytest.mark.usefixtures("shop_db")


# --------------------------------------------------------------------------- pricing


def test_garden_sale_only_runs_in_june(fixed_clock):
    assert pricing.quote_items([{"sku": "GAR-001", "qty": 1}])["discount_cents"] == 194
    fixed_clock.set_now("2024-05-31T23:00:00")
    assert pricing.quote_items([{"sku": "GAR-001", "qty": 1}])["discount_cents"] == 0


def test_fixed_coupon_and_bulk_rule():
    quote = pricing.quote_items([{"sku": "LIT-002", "qty": 2}], coupon="shade5")
    assert quote["lines"][0]["discount_cents"] == 1000
    assert quote["lines"][0]["rule"] == "Pendant shade launch"
    bulk = pricing.quote_items([{"sku": "FOD-004", "qty": 2}, {"sku": "FOD-001", "qty": 3}])
    assert [line["discount_cents"] for line in bulk["lines"]] == [0, 297]


def test_price_cache_is_per_database_and_invalidated(shop_db, tmp_path, monkeypatch):
    from shop import db

    assert pricing.cached_product("KIT-001").price_cents == 3990
    assert pricing.set_price("KIT-001", "42.50") == {"sku": "KIT-001", "price_cents": 4250}
    assert pricing.cached_product("KIT-001").price_cents == 4250
    other = db.seed(tmp_path / "other.db")
    monkeypatch.setenv("SHOP_DB_PATH", other)
    assert pricing.cached_product("KIT-001").price_cents == 3990


def test_set_price_errors():
    with pytest.raises(ProductNotFound):
        pricing.set_price("NOPE-1", "1.00")
    with pytest.raises(ValidationError):
        pricing.set_price("KIT-001", "0")


def test_price_list():
    prices = {p["sku"]: p for p in pricing.price_list("garden")}
    assert prices["GAR-002"] == {"sku": "GAR-002", "name": "Pruning shears",
                                 "price_cents": 2690, "sale_price_cents": 2286}


# --------------------------------------------------------------------------- shipping


@pytest.mark.parametrize("carrier, weight, country, merchandise, cost", [
    ("colissimo", 900, "FR", 1000, 490),
    ("colissimo", 3750, "DE", 1000, 790),
    ("colissimo", 3750, "DE", 7500, 0),        # free above 75 EUR
    ("dhl", 1400, "CH", 50000, 1290 + 150 + 900),
    ("freight", 67600, "FR", 10000, 17800),
    ("freight", 9000, "BE", 10000, 17800),
    ("pickup", 40000, "FR", 100, 0),
])
def test_rates(carrier, weight, country, merchandise, cost):
    assert shipping.quote_shipping(carrier, weight, country, merchandise)["cost_cents"] == cost


def test_ship_and_deliver_send_a_tracking_link(one):
    shipping.mark_shipped(11)
    assert one("SELECT status FROM orders WHERE id = 11") == {"status": "shipped"}
    message = one("SELECT template, body FROM outbox WHERE template = 'shipment_dispatched'"
                  " AND status = 'pending'")
    assert "https://www.laposte.fr/outils/suivre-vos-envois?code=COL000000011FR" in message["body"]
    assert shipping.is_shipped(11)
    assert shipping.mark_delivered(11)["status"] == "delivered"
    with pytest.raises(OrderNotFound):
        shipping.mark_delivered(11)
    with pytest.raises(OrderNotFound):
        shipping.mark_shipped(13)


# --------------------------------------------------------------------------- orders


def test_order_status_machine():
    with pytest.raises(InvalidState):
        orders.set_status(3, "paid")  # delivered orders cannot go back
    with pytest.raises(OrderNotFound):
        orders.get_order_summary(999)
    assert orders.returnable_quantities(10) == {"KIT-005": 2, "LIT-003": 1}
    assert orders.get_order_summary(10)["points"] == 80


def test_customers(one):
    created = services.register_customer(" New.Person@Example.org", "New", "Person", "fr")
    assert created["email"] == "new.person@example.org" and created["tier"] == "bronze"
    with pytest.raises(ValidationError):
        services.register_customer("new.person@example.org", "Again", "Person", "FR")
    with pytest.raises(ValidationError):
        services.register_customer("not-an-email", "A", "B", "FR")
    assert services.deactivate_customer(created["customer_id"])["active"] is False
    assert [o["order_number"] for o in services.order_history(2)] == ["SO-000003", "SO-000010"]


# --------------------------------------------------------------------------- loyalty


def test_points_and_tier_upgrade(one):
    result = loyalty.award_points(16, None, 60_000)
    assert result == {"customer_id": 16, "points": 600, "tier": "silver"}
    assert one("SELECT tier, points_balance FROM loyalty_accounts WHERE customer_id = 16") == {
        "tier": "silver", "points_balance": 605}
    # Tiers are never downgraded here, even when points are taken back.
    loyalty.reverse_points(16, None)
    assert loyalty.get_tier(16) == "silver"
    with pytest.raises(CustomerNotFound):
        loyalty.get_account(999)


def test_claw_back_is_limited_to_what_the_order_earned():
    assert loyalty.claw_back_points(6, 9, 1_000_000) == {"customer_id": 6, "points": -95}
    with pytest.raises(InvalidState):
        loyalty.claw_back_points(1, 9, 100)


def test_loyalty_review_proposes_downgrades():
    changes = {c["customer_id"]: c["proposed_tier"] for c in reporting.loyalty_review(2024)}
    assert changes[1] == "bronze" and changes[17] == "bronze"


# --------------------------------------------------------------------------- payments


def test_gateway_hierarchy():
    card = FakeCardGateway(limit_cents=1000)
    assert isinstance(card, PaymentGateway)
    assert card.charge("4111111111111111", 999, "PAY-1").approved
    assert card.charge("4111111111111111", 1001, "PAY-2").decline_reason == "limit_exceeded"
    assert card.charge("1234", 10, "PAY-3").decline_reason == "invalid_card"
    assert card.calls == 3  # counted by the base class through super()
    assert card.describe("4111 1111 1111 4242") == "4242"
    assert GiftCardGateway().describe("GC-1000-2024") == "GC-1000****"
    assert card.display_name == "Fakecard"
    with pytest.raises(ValidationError):
        PaymentGateway().charge("x", 0, "PAY-4")


def test_gift_card_refund_recredits_the_card(one):
    placed = services.place_order(5, [{"sku": "FOD-001", "qty": 1}], "gc-1000-2024")
    services.cancel_order(placed["order_id"])
    assert one("SELECT balance_cents FROM gift_cards WHERE code = 'GC-1000-2024'") == {
        "balance_cents": 5000}


def test_refund_checks():
    with pytest.raises(PaymentNotFound):
        payments.refund(999, 100, "test")
    with pytest.raises(ValidationError):
        payments.refund(3, 0, "test")
    with pytest.raises(ValidationError):
        payments.refund(3, 6661, "test")  # SO-000003 was 66.60
    refund = payments.refund(3, 660, "goodwill")
    assert payments.get_payment(3)["refunded_cents"] == 660
    assert [r["id"] for r in payments.refunds_for(3)] == [refund["refund_id"]]


def test_charge_callback_and_gateway_choice():
    assert payments.gateway_for(" gc-1 ").name == "giftcard"
    assert payments.gateway_for(GOOD_CARD).name == "fakecard"
    seen = []
    processor = payments.PaymentProcessor(FakeCardGateway(), on_success=seen.append)
    payment = processor.charge(GOOD_CARD, 1500, "RES-TEST")
    assert seen == [payment] and payment["status"] == "captured"


# --------------------------------------------------------------------------- notifications


def test_outbox_flush_with_callbacks(one):
    notifications.enqueue("ops_alert", None, {"subject": "one"})
    notifications.enqueue("ops_alert", None, {"subject": "two"})
    sent, failures = [], []

    def sender(message):
        if "two" in message.subject:
            raise ConnectionError("smtp down")

    result = notifications.flush_outbox(
        sender, on_success=lambda m: sent.append(m.id),
        on_failure=lambda m, error: failures.append((m.id, str(error))),
    )
    assert result == {"sent": 1, "failed": 1}
    assert len(sent) == 1 and failures[0][1] == "smtp down"
    assert one("SELECT status, attempts, last_error FROM outbox WHERE id = ?",
               failures[0][0]) == {"status": "pending", "attempts": 1, "last_error": "smtp down"}
    assert [m.subject for m in notifications.pending_messages()] == ["[ops] two"]


def test_templates():
    with pytest.raises(UnknownTemplate):
        notifications.enqueue("birthday", 1, {})
    with pytest.raises(ValidationError):
        notifications.enqueue("order_on_hold", 999, {"order_number": "SO-1"})
    subject, body = notifications.render("order_cancelled", {
        "order_number": "SO-000001", "refund_pending": True})
    assert subject == "Order SO-000001 cancelled" and "contact you" in body
    assert notifications.messages_for(5)[0].template == "order_cancelled"


# --------------------------------------------------------------------------- reporting


def test_sales_summary_for_may():
    summary = reporting.sales_summary("2024-05-01T00:00:00", "2024-06-01T00:00:00")
    statuses = {row["status"]: row["orders"] for row in summary["by_status"]}
    assert statuses == {"cancelled": 1, "delivered": 5, "on_hold": 1, "paid": 1,
                        "partially_returned": 1, "pending": 1, "shipped": 1}
    assert summary["refunded_cents"] == 5980 + 1590
    assert summary["net_revenue_cents"] == summary["revenue_cents"] - 7570


def test_stock_and_back_order_reports():
    valuation = reporting.stock_valuation()
    assert {"GAR-003", "LIT-001", "TEX-004"} <= set(valuation["reorder"])
    assert "HOM-005" not in {line["sku"] for line in valuation["lines"]}
    waiting = {row["sku"]: row["units"] for row in reporting.back_order_report()}
    assert waiting == {"GAR-003": 3, "LIT-001": 2, "FOD-004": 3}


def test_snapshots(one):
    snapshot = reporting.take_snapshot("top_products_short", "2024-05")
    assert len(snapshot["payload"]) == 3
    stored = reporting.latest_snapshot("top_products_short", "2024-05")
    assert stored["payload"] == json.loads(json.dumps(snapshot["payload"]))
    assert reporting.latest_snapshot("stock", "2024-05") is None
    monthly = reporting.take_snapshot("monthly", "2024-04")["payload"]
    assert monthly["invoiced_cents"] == 7570
    with pytest.raises(ValidationError):
        reporting.take_snapshot("horoscope", "2024-05")


def test_customer_lifetime_value():
    clv = reporting.customer_lifetime_value(2)
    assert (clv["orders"], clv["spent_cents"], clv["tier"]) == (2, 15330, "silver")
    with pytest.raises(ValidationError):
        reporting.customer_lifetime_value(999)

"""restock: goods receipt, then back orders served first come, first served."""

import pytest
from shop import services
from shop.errors import BackOrderNotFound, InvalidState, ProductNotFound, ValidationError

pytestmark = pytest.mark.usefixtures("shop_db")


def test_restock_serves_back_orders_in_order(one, q):
    # Waiting: #2 Claire 1 chair, #3 Gabriel (closed account) 1 lamp, #4 Emma 2 chairs,
    # #5 Sofia 1 lamp.
    result = services.restock({"LIT-001": 3, "GAR-003": 2})
    assert result["received"] == [
        {"sku": "GAR-003", "received": 2, "on_hand": 2, "available": 2},
        {"sku": "LIT-001", "received": 3, "on_hand": 3, "available": 3},
    ]
    assert [a["back_order_id"] for a in result["allocated"]] == [2, 5]
    assert result["cancelled"] == [3]
    assert result["waiting"] == [4]  # only one chair left for Emma's two
    assert result["allocated"][0] == {
        "back_order_id": 2, "customer_id": 5, "sku": "GAR-003", "name": "Rattan lounge chair",
        "qty": 1, "reservation_ref": "BO-000002", "hold_until": "2024-06-05T10:00:00",
    }
    assert q("SELECT id, status FROM back_orders WHERE id BETWEEN 2 AND 5 ORDER BY id") == [
        {"id": 2, "status": "allocated"}, {"id": 3, "status": "cancelled"},
        {"id": 4, "status": "pending"}, {"id": 5, "status": "allocated"}]
    assert one("SELECT note FROM back_orders WHERE id = 3") == {"note": "customer account closed"}
    assert one("SELECT on_hand, reserved FROM stock_levels WHERE sku = 'GAR-003'") == {
        "on_hand": 2, "reserved": 1}
    assert q("SELECT customer_id, template FROM outbox WHERE status = 'pending' ORDER BY id") == [
        {"customer_id": 5, "template": "back_order_available"},
        {"customer_id": 3, "template": "back_order_available"}]
    assert q("SELECT sku, delta, reason FROM stock_movements ORDER BY id") == [
        {"sku": "GAR-003", "delta": 2, "reason": "receipt"},
        {"sku": "LIT-001", "delta": 3, "reason": "receipt"}]


def test_enough_stock_for_everyone():
    result = services.restock([{"sku": "GAR-003", "qty": 3}])
    assert [a["back_order_id"] for a in result["allocated"]] == [2, 4]
    assert result["waiting"] == [] and result["cancelled"] == []


def test_restock_without_back_orders(one):
    result = services.restock({"kit-001": 5})
    assert result["allocated"] == []
    assert one("SELECT on_hand FROM stock_levels WHERE sku = 'KIT-001'") == {"on_hand": 19}


def test_allocated_stock_cannot_be_sold_twice():
    from shop.errors import OutOfStock

    services.restock({"GAR-003": 1})
    with pytest.raises(OutOfStock):
        services.place_order(2, [{"sku": "GAR-003", "qty": 1}], "4111111111111111",
                             carrier="freight")


def test_holds_expire_and_back_orders_queue_again(fixed_clock, one):
    services.restock({"GAR-003": 1})
    assert services.expire_back_order_holds() == {"expired": []}
    fixed_clock.advance(hours=49)
    assert services.expire_back_order_holds() == {"expired": ["BO-000002"]}
    assert one("SELECT status FROM back_orders WHERE id = 2") == {"status": "pending"}
    assert one("SELECT status FROM stock_reservations WHERE reference = 'BO-000002'") == {
        "status": "expired"}
    assert one("SELECT reserved FROM stock_levels WHERE sku = 'GAR-003'") == {"reserved": 0}


def test_unknown_sku():
    with pytest.raises(ProductNotFound):
        services.restock({"NOPE-001": 1})


@pytest.mark.parametrize("receipt", [{}, [], {"KIT-001": 0}, {"KIT-001": -3},
                                     [{"sku": "KIT-001"}], {"KIT-001": 1.5}])
def test_malformed_receipt(receipt):
    with pytest.raises(ValidationError):
        services.restock(receipt)


def test_request_back_order_then_serve_it(one):
    created = services.request_back_order(20, "bok-002", 2)
    assert created == {"back_order_id": 7, "status": "pending"}
    result = services.restock({"BOK-002": 2})
    assert [a["back_order_id"] for a in result["allocated"]] == [7]


def test_allocating_twice_or_unknown_back_orders():
    with pytest.raises(InvalidState):
        services.allocate_back_order(1)  # cancelled long ago
    with pytest.raises(BackOrderNotFound):
        services.allocate_back_order(999)

"""The HTTP API and the back-office pages (skipped when Flask is not installed)."""

import pytest

pytest.importorskip("flask")

from shop.api import app, status_for
from shop.errors import (
    OrderAlreadyShipped,
    PaymentDeclined,
    PeriodClosed,
    ShopError,
    TaxRateMissing,
)
from shop_testkit import GOOD_CARD

pytestmark = pytest.mark.usefixtures("shop_db")


@pytest.fixture
def client():
    app.config["TESTING"] = True
    with app.test_client() as client:
        yield client


def test_place_order_route(client):
    response = client.post("/orders", json={
        "customer_id": 2, "items": [{"sku": "KIT-003", "qty": 2}], "card_number": GOOD_CARD,
    })
    assert response.status_code == 201
    body = response.get_json()
    assert body["order_number"] == "SO-000016"
    order = client.get(f"/orders/{body['order_id']}").get_json()
    assert order["lines"][0]["sku"] == "KIT-003"


@pytest.mark.parametrize("payload, status, error", [
    ({"customer_id": 7, "items": [{"sku": "KIT-001", "qty": 1}], "card_number": GOOD_CARD},
     403, "customer_inactive"),
    ({"customer_id": 2, "items": [{"sku": "LIT-001", "qty": 1}], "card_number": GOOD_CARD},
     409, "out_of_stock"),
    ({"customer_id": 2, "items": [{"sku": "KIT-001", "qty": 1}],
      "card_number": "4000000000000002"}, 402, "payment_declined"),
    ({"customer_id": 2, "items": [{"sku": "KIT-001", "qty": 1}],
      "card_number": "4000000000000005"}, 503, "gateway_timeout"),
    ({"customer_id": 999, "items": [{"sku": "KIT-001", "qty": 1}], "card_number": GOOD_CARD},
     404, "customer_not_found"),
    ({"customer_id": 2, "items": []}, 400, "validation_error"),
])
def test_place_order_errors(client, payload, status, error):
    response = client.post("/orders", json=payload)
    assert response.status_code == status
    assert response.get_json()["error"] == error


def test_cancel_return_and_warehouse_routes(client):
    assert client.post("/orders/11/cancel", json={"reason": "duplicate"}).status_code == 200
    assert client.post("/orders/7/cancel").status_code == 409
    assert client.post("/orders/404/cancel").status_code == 404
    response = client.post("/orders/9/returns", json={"lines": [{"sku": "TEX-003", "qty": 1}]})
    assert response.status_code == 201
    assert response.get_json()["refund_cents"] == 3400
    assert client.post("/orders/14/ship").get_json()["status"] == "shipped"
    assert client.post("/orders/14/deliver").get_json()["status"] == "delivered"


def test_inventory_and_finance_routes(client):
    restocked = client.post("/inventory/restock", json={"items": {"GAR-003": 2}}).get_json()
    assert [a["back_order_id"] for a in restocked["allocated"]] == [2]
    created = client.post("/back-orders", json={"customer_id": 1, "sku": "FOD-004", "qty": 1})
    assert created.status_code == 201
    run = client.post("/invoicing/month-end", json={"year": 2024, "month": 5}).get_json()
    assert run["status"] == "incomplete"
    assert client.post("/invoicing/month-end", json={"year": 2024, "month": 4}).status_code == 409


def test_customer_and_price_routes(client):
    created = client.post("/customers", json={
        "email": "zoe@example.fr", "first_name": "Zoé", "last_name": "Blanc", "country": "FR"})
    assert created.status_code == 201
    profile = client.get(f"/customers/{created.get_json()['customer_id']}").get_json()
    assert profile["orders"] == []
    assert client.get("/customers/2").get_json()["tier"] == "silver"
    prices = client.get("/prices?category=books").get_json()
    assert [p["sku"] for p in prices] == ["BOK-001", "BOK-002", "BOK-003"]
    assert client.get("/health").get_json()["status"] == "ok"
    assert client.post("/customers", data="not json").status_code == 400


def test_backoffice_pages(client):
    sales = client.get("/backoffice/sales/2024-05?top=3")
    assert sales.status_code == 200 and b"Net revenue" in sales.data
    assert client.get("/backoffice/sales/May").status_code == 400
    stock = client.get("/backoffice/stock")
    assert b"GAR-003" in stock.data
    assert b"Jonas Becker" in client.get("/backoffice/customers/2").data


@pytest.mark.parametrize("error, status", [
    (OrderAlreadyShipped(), 409), (PaymentDeclined(), 402), (PeriodClosed(), 409),
    (TaxRateMissing(), 422), (ShopError(), 400),
])
def test_status_codes_follow_the_error_hierarchy(error, status):
    assert status_for(error) == status

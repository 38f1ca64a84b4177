"""HTTP API used by the web shop, the warehouse terminals and the finance team's scripts.

JSON in, JSON out. Domain errors become JSON error bodies with the status code from
``STATUS_BY_ERROR`` (most specific class wins). Run locally with::

    SHOP_DB_PATH=shop.db flask --app shop.api run
"""

from flask import Flask, jsonify, request

from . import orders, pricing, shipping
from . import services as svc
from .config import config
from .errors import *  # noqa: F403
from .utils import json_safe
from .views import backoffice

app = Flask(__name__)
app.register_blueprint(backoffice)

STATUS_BY_ERROR = {
    ValidationError: 400,  # noqa: F405
    NotFound: 404,  # noqa: F405
    CustomerInactive: 403,  # noqa: F405
    PaymentDeclined: 402,  # noqa: F405
    GatewayTimeout: 503,  # noqa: F405
    RefundFailed: 502,  # noqa: F405
    OutOfStock: 409,  # noqa: F405
    InvalidState: 409,  # noqa: F405
    InvoiceError: 422,  # noqa: F405
    ShopError: 400,  # noqa: F405
}


def status_for(error):
    for cls in type(error).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return 500


@app.errorhandler(ShopError)  # noqa: F405
def handle_shop_error(error):
    return jsonify(json_safe(error.to_dict())), status_for(error)


def json_body(*required):
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ValidationError("expected a JSON object")  # noqa: F405
    missing = [name for name in required if name not in body]
    if missing:
        raise ValidationError("missing fields", missing=missing)  # noqa: F405
    return body


@app.get("/health")
def health():
    return jsonify({"status": "ok", "database": config.db_path})


# --------------------------------------------------------------------------- customers


@app.post("/customers")
def register_customer():
    body = json_body("email", "first_name", "last_name", "country")
    customer = svc.register_customer(
        body["email"], body["first_name"], body["last_name"], body["country"],
        body.get("street", ""), body.get("postcode", ""), body.get("city", ""),
    )
    return jsonify(customer), 201


@app.get("/customers/<int:customer_id>")
def get_customer(customer_id):
    profile = svc.get_customer_profile(customer_id)
    profile["orders"] = svc.order_history(customer_id)
    return jsonify(profile)


@app.get("/prices")
def price_list():
    return jsonify(pricing.price_list(request.args.get("category")))


# --------------------------------------------------------------------------- orders


@app.post("/orders")
def place_order():
    body = json_body("customer_id", "items", "card_number")
    result = svc.place_order(
        body["customer_id"], body["items"], body["card_number"],
        carrier=body.get("carrier", config.default_carrier), coupon=body.get("coupon"),
    )
    return jsonify(result), 201


@app.get("/orders/<int:order_id>")
def get_order(order_id):
    return jsonify(orders.get_order_summary(order_id))


@app.post("/orders/<int:order_id>/cancel")
def cancel_order(order_id):
    body = request.get_json(silent=True) or {}
    return jsonify(svc.cancel_order(order_id, body.get("reason", "customer_request")))


@app.post("/orders/<int:order_id>/returns")
def process_return(order_id):
    body = json_body("lines")
    return jsonify(svc.process_return(order_id, body["lines"])), 201


# Warehouse terminals.


@app.post("/orders/<int:order_id>/ship")
def ship_order(order_id):
    return jsonify(shipping.mark_shipped(order_id))


@app.post("/orders/<int:order_id>/deliver")
def deliver_order(order_id):
    return jsonify(shipping.mark_delivered(order_id))


# --------------------------------------------------------------------------- inventory


@app.post("/inventory/restock")
def restock():
    body = json_body("items")
    return jsonify(svc.restock(body["items"]))


@app.post("/back-orders")
def request_back_order():
    body = json_body("customer_id", "sku", "qty")
    result = svc.request_back_order(body["customer_id"], body["sku"], body["qty"])
    return jsonify(result), 201


# --------------------------------------------------------------------------- finance


@app.post("/invoicing/month-end")
def month_end_invoicing():
    body = json_body("year", "month")
    return jsonify(svc.month_end_invoicing(int(body["year"]), int(body["month"])))

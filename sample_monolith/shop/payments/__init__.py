"""Payments: charging customers and paying them back.

The rest of the shop only uses the functions re-exported here::

    from shop import payments
    payment = payments.charge(card_number, amount_cents, reference)
    payments.refund(payment["payment_id"], 1500, "return")
"""

from .gateways import FakeCardGateway, GatewayResult, GiftCardGateway, PaymentGateway
from .processing import (
    GATEWAYS,
    PaymentProcessor,
    charge,
    gateway_for,
    get_payment,
    refund,
    refunds_for,
)

__all__ = [
    "GATEWAYS",
    "FakeCardGateway",
    "GatewayResult",
    "GiftCardGateway",
    "PaymentGateway",
    "PaymentProcessor",
    "charge",
    "gateway_for",
    "get_payment",
    "refund",
    "refunds_for",
]

"""Taking and refunding payments; the ``payments`` and ``refunds`` tables.

The payments team keeps its SQL here rather than in repository.py (PCI scope review, 2020):
only this package may touch card data, and only the last four digits are ever stored.

Every attempt leaves a row, declined and timed-out ones included: the rows are committed
before the error is raised, so the fraud team can see them.
"""

from collections.abc import Callable

from ..config import config
from ..db import get_connection, transactional
from ..errors import (
    GatewayTimeout,
    PaymentDeclined,
    PaymentNotFound,
    RefundFailed,
    ValidationError,
)
from ..models import Payment, PaymentStatus
from ..utils import format_money, get_logger, make_reference, now_iso
from .gateways import FakeCardGateway, GiftCardGateway, PaymentGateway

log = get_logger(__name__)

# Payment method -> gateway factory. The key is what the checkout sends us.
GATEWAYS: dict[str, Callable[[], PaymentGateway]] = {
    "card": FakeCardGateway,
    "gift_card": GiftCardGateway,
}
GATEWAYS_BY_NAME = {factory.name: factory for factory in (FakeCardGateway, GiftCardGateway)}


def gateway_for(source) -> PaymentGateway:
    """Pick the gateway from what the customer typed into the payment field."""
    method = "gift_card" if str(source).strip().upper().startswith("GC-") else "card"
    return GATEWAYS[method]()


@transactional
def _insert_payment(reference, method, card_last4, amount_cents, gateway):
    cur = get_connection().execute(
        "INSERT INTO payments (reference, method, card_last4, amount_cents, status, gateway,"
        " created_at, updated_at) VALUES (?, ?, ?, ?, 'pending', ?, ?, ?)",
        (reference, method, card_last4, amount_cents, gateway, now_iso(), now_iso()),
    )
    return cur.lastrowid


@transactional
def _finish_payment(payment_id, status, attempts, transaction_id=None, decline_reason=None):
    get_connection().execute(
        "UPDATE payments SET status = ?, attempts = ?, transaction_id = ?, decline_reason = ?,"
        " updated_at = ? WHERE id = ?",
        (status, attempts, transaction_id, decline_reason, now_iso(), payment_id),
    )


@transactional
def _record_refund(payment_id, amount_cents, reason, succeeded, transaction_id=None,
                   failure_reason=None):
    conn = get_connection()
    cur = conn.execute(
        "INSERT INTO refunds (payment_id, amount_cents, reason, status, transaction_id,"
        " failure_reason, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (payment_id, amount_cents, reason, "succeeded" if succeeded else "failed",
         transaction_id, failure_reason, now_iso()),
    )
    if succeeded:
        conn.execute(
            "UPDATE payments SET refunded_cents = refunded_cents + ?,"
            " status = CASE WHEN refunded_cents + ? >= amount_cents THEN 'refunded'"
            " ELSE 'partially_refunded' END, updated_at = ? WHERE id = ?",
            (amount_cents, amount_cents, now_iso(), payment_id),
        )
    return cur.lastrowid


def _load_payment(payment_id) -> Payment:
    row = get_connection().execute(
        "SELECT * FROM payments WHERE id = ?", (payment_id,)
    ).fetchone()
    if row is None:
        raise PaymentNotFound(f"payment {payment_id} does not exist", payment_id=payment_id)
    return Payment.from_row(row)


def get_payment(payment_id):
    payment = _load_payment(payment_id)
    return {
        "payment_id": payment.id,
        "reference": payment.reference,
        "method": payment.method,
        "gateway": payment.gateway,
        "card_last4": payment.card_last4,
        "amount_cents": payment.amount_cents,
        "refunded_cents": payment.refunded_cents,
        "status": payment.status,
        "transaction_id": payment.transaction_id,
    }


class PaymentProcessor:
    """Drives one gateway: retries transient errors and writes the payment rows."""

    def __init__(self, gateway: PaymentGateway, max_attempts=None,
                 on_success: Callable[[dict], None] | None = None):
        self.gateway: PaymentGateway = gateway
        self.max_attempts: int = max_attempts or config.gateway_max_attempts
        self.on_success = on_success

    def charge(self, source, amount_cents, reference):
        last4 = self.gateway.describe(source) if self.gateway.method == "card" else None
        payment_id = _insert_payment(reference, self.gateway.method, last4, amount_cents,
                                     self.gateway.name)
        gateway_reference = make_reference("PAY", payment_id)
        attempts = 0
        result = None
        while result is None:
            attempts += 1
            try:
                result = self.gateway.charge(source, amount_cents, gateway_reference)
            except GatewayTimeout:
                if attempts >= self.max_attempts:
                    _finish_payment(payment_id, PaymentStatus.TIMEOUT.value, attempts,
                                    decline_reason="gateway_timeout")
                    raise GatewayTimeout(
                        f"{self.gateway.display_name} timed out {attempts} times",
                        payment_id=payment_id, attempts=attempts,
                    ) from None
                log.warning("%s timed out on %s, retrying", self.gateway.name, reference)
        if not result.approved:
            _finish_payment(payment_id, PaymentStatus.DECLINED.value, attempts,
                            decline_reason=result.decline_reason)
            raise PaymentDeclined(
                f"payment declined: {result.decline_reason}",
                reason=result.decline_reason, payment_id=payment_id,
            )
        _finish_payment(payment_id, PaymentStatus.CAPTURED.value, attempts,
                        transaction_id=result.transaction_id)
        payment = get_payment(payment_id)
        if self.on_success is not None:
            self.on_success(payment)
        return payment

    def refund(self, payment, amount_cents, reason):
        refund_no = get_connection().execute(
            "SELECT COALESCE(MAX(id), 0) + 1 FROM refunds"
        ).fetchone()[0]
        result = self.gateway.refund(payment["transaction_id"], amount_cents,
                                     make_reference("RF", refund_no),
                                     card_last4=payment["card_last4"])
        if not result.approved:
            _record_refund(payment["payment_id"], amount_cents, reason, False,
                           failure_reason=result.decline_reason)
            raise RefundFailed(
                f"refund refused: {result.decline_reason}",
                payment_id=payment["payment_id"], reason=result.decline_reason,
            )
        refund_id = _record_refund(payment["payment_id"], amount_cents, reason, True,
                                   transaction_id=result.transaction_id)
        return {
            "refund_id": refund_id,
            "payment_id": payment["payment_id"],
            "amount_cents": amount_cents,
            "transaction_id": result.transaction_id,
            "status": "succeeded",
        }


def _note_large_payment(payment, threshold_cents):
    if payment["amount_cents"] >= threshold_cents:
        log.info("large payment %s: %s", payment["payment_id"],
                 format_money(payment["amount_cents"], config.currency))


def charge(card_number, amount_cents, reference):
    """Charge a card or gift card. Raises ``PaymentDeclined`` or ``GatewayTimeout``."""
    processor = PaymentProcessor(
        gateway_for(card_number),
        on_success=lambda payment: _note_large_payment(payment, config.large_payment_cents),
    )
    return processor.charge(card_number, amount_cents, reference)


def refund(payment_id, amount_cents, reason):
    """Refund (part of) a payment on the gateway that took it. Raises ``RefundFailed``."""
    payment = get_payment(payment_id)
    if amount_cents <= 0:
        raise ValidationError("refund amount must be positive", amount_cents=amount_cents)
    if amount_cents > payment["amount_cents"] - payment["refunded_cents"]:
        raise ValidationError(
            "refund exceeds what is left on the payment",
            payment_id=payment_id, amount_cents=amount_cents,
            refundable_cents=payment["amount_cents"] - payment["refunded_cents"],
        )
    processor = PaymentProcessor(GATEWAYS_BY_NAME[payment["gateway"]]())
    return processor.refund(payment, amount_cents, reason)


def refunds_for(payment_id):
    rows = get_connection().execute(
        "SELECT * FROM refunds WHERE payment_id = ? ORDER BY id", (payment_id,)
    ).fetchall()
    return [dict(row) for row in rows]

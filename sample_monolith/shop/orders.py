"""Orders: the status machine and the order read model used by the workflows.

Newer than services.py (2022); the order-creation code itself still lives in services.
"""

from . import loyalty
from .db import transactional
from .errors import InvalidState, OrderNotFound
from .models import Order, OrderStatus
from .repository import OrderRepository
from .utils import get_logger, parse_date

log = get_logger(__name__)

S = OrderStatus

# Which status may follow which. Anything else is a bug or a race with the warehouse.
ALLOWED_TRANSITIONS = {
    S.PENDING: {S.PAID, S.CANCELLED},
    S.PAID: {S.SHIPPED, S.CANCELLED, S.ON_HOLD},
    S.ON_HOLD: {S.PAID, S.CANCELLED},
    S.SHIPPED: {S.DELIVERED},
    S.DELIVERED: {S.PARTIALLY_RETURNED, S.RETURNED},
    S.PARTIALLY_RETURNED: {S.PARTIALLY_RETURNED, S.RETURNED},
    S.RETURNED: set(),
    S.CANCELLED: set(),
}


def load_order(order_id, repo: OrderRepository | None = None) -> Order:
    repo = repo or OrderRepository()
    order = repo.get(order_id)
    if order is None:
        raise OrderNotFound(f"order {order_id} does not exist", order_id=order_id)
    return order


def ensure_transition(order: Order, new_status):
    current = OrderStatus(order.status)
    new_status = OrderStatus(new_status)
    if new_status not in ALLOWED_TRANSITIONS[current]:
        raise InvalidState(
            f"order {order.order_number} cannot go from {current.value} to {new_status.value}",
            order_id=order.id, status=current.value,
        )


@transactional
def set_status(order_id, new_status, **fields):
    """Move an order to ``new_status`` (checked against ALLOWED_TRANSITIONS)."""
    repo = OrderRepository()
    order = load_order(order_id, repo)
    ensure_transition(order, new_status)
    repo.update_status(order_id, OrderStatus(new_status).value, **fields)
    log.info("order %s: %s -> %s", order.order_number, order.status, new_status)
    return {"order_id": order_id, "status": OrderStatus(new_status).value}


def get_order_summary(order_id, repo: OrderRepository | None = None):
    """The order as a JSON-friendly dict, as the workflows and the API use it."""
    order = load_order(order_id, repo)
    return {
        "order_id": order.id,
        "order_number": order.order_number,
        "customer_id": order.customer_id,
        "status": order.status,
        "placed_at": order.placed_at,
        "subtotal_cents": order.subtotal_cents,
        "discount_cents": order.discount_cents,
        "shipping_cents": order.shipping_cents,
        "total_cents": order.total_cents,
        "payment_id": order.payment_id,
        "carrier": order.carrier,
        "refund_pending": bool(order.refund_pending),
        "points": loyalty.points_for_order(order.id),
        "lines": [
            {
                "sku": line.sku,
                "name": line.name,
                "qty": line.qty,
                "returned_qty": line.returned_qty,
                "unit_price_cents": line.unit_price_cents,
                "discount_cents": line.discount_cents,
                "line_total_cents": line.line_total_cents,
            }
            for line in order.lines
        ],
    }


def returnable_quantities(order_id):
    """``{sku: qty still returnable}`` for an order."""
    order = load_order(order_id)
    return {line.sku: line.remaining_qty for line in order.lines if line.remaining_qty > 0}


def delivered_on(order_id):
    """Delivery date of an order, from its shipment (None if not delivered yet)."""
    from .repository import get_connection

    row = get_connection().execute(
        "SELECT delivered_at FROM shipments WHERE order_id = ? AND delivered_at IS NOT NULL"
        " ORDER BY id DESC LIMIT 1",
        (order_id,),
    ).fetchone()
    return parse_date(row["delivered_at"]) if row else None


def mark_cancelled(order_id, reason, refund_pending=False):
    return set_status(order_id, S.CANCELLED, cancel_reason=reason,
                      refund_pending=1 if refund_pending else 0)


def mark_on_hold(order_id, reason):
    return set_status(order_id, S.ON_HOLD, hold_reason=reason)

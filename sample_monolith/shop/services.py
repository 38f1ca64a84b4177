"""Business services: the shop's workflows and most of the logic behind them.

This module started life as the whole application (2016) and still holds the code of several
areas: customers, baskets, stock reservations and back orders, order creation, returns, and
the five workflows the web shop, the warehouse and the finance team call:

* ``place_order``         -- checkout;
* ``cancel_order``        -- cancellation by the customer or customer service;
* ``process_return``      -- goods coming back from a customer;
* ``restock``             -- goods receipt, then back orders are served;
* ``month_end_invoicing`` -- the invoicing run on the first of the month.

Workflows take and return JSON-friendly values (ids, lists of ``{"sku", "qty"}`` dicts,
amounts in cents) because the API hands them straight to the HTTP layer.
"""

from . import invoicing, loyalty, notifications, orders, payments, pricing, shipping
from . import repository as repo
from .config import config
from .db import get_connection, transactional
from .errors import (
    BackOrderNotFound,
    CustomerInactive,
    CustomerNotFound,
    InvalidReturn,
    InvalidState,
    OrderAlreadyShipped,
    OutOfStock,
    PaymentError,
    ProductNotFound,
    RefundFailed,
    ReturnNotAllowed,
    TaxRateMissing,
    ValidationError,
)
from .models import BackOrderStatus, OrderLine, OrderStatus, ReservationStatus
from .repository import OrderRepository
from .utils import (
    add_hours_iso,
    audited,
    clock,
    days_between,
    get_logger,
    make_reference,
    normalise_sku,
    now_iso,
    prorate,
)

log = get_logger(__name__)

# TODO: should come from the product (pallets vs. candles); 99 is what the old till allowed.
MAX_QTY_PER_LINE = 99
RETURN_CONDITIONS = ("resellable", "damaged")


# =========================================================================== customers


def _customer_dict(customer):
    return {
        "customer_id": customer.id,
        "name": customer.full_name,
        "email": customer.email,
        "country": customer.country,
        "active": bool(customer.active),
        "invoice_by_post": bool(customer.invoice_by_post),
        "tier": loyalty.get_tier(customer.id),
    }


def get_customer_profile(customer_id):
    customer = repo.get_customer(customer_id)
    if customer is None:
        raise CustomerNotFound(f"customer {customer_id} does not exist", customer_id=customer_id)
    return _customer_dict(customer)


def check_customer(customer_id):
    """The customer as checkout needs it; raises if unknown or if the account is closed."""
    profile = get_customer_profile(customer_id)
    if not profile["active"]:
        raise CustomerInactive(f"customer {customer_id} is inactive", customer_id=customer_id)
    return profile


@transactional
def register_customer(email, first_name, last_name, country, street="", postcode="", city=""):
    email = (email or "").strip().lower()
    if "@" not in email or not first_name or not last_name or len(country or "") != 2:
        raise ValidationError("email, names and a two-letter country are required")
    if repo.find_customer_by_email(email) is not None:
        raise ValidationError("a customer with this email already exists", email=email)
    customer_id = repo.insert_customer(email, first_name.strip(), last_name.strip(),
                                       country.upper(), street, postcode, city)
    loyalty.open_account(customer_id)
    return get_customer_profile(customer_id)


@transactional
def deactivate_customer(customer_id):
    """Close an account (GDPR request or fraud). Orders and invoices are kept."""
    get_customer_profile(customer_id)
    repo.set_customer_active(customer_id, False)
    return get_customer_profile(customer_id)


# =========================================================================== basket


def validate_items(items):
    """Normalise a basket to ``[{"sku", "qty"}]``, merging repeated SKUs (first one wins the
    position). Raises ``ValidationError`` for an empty basket or silly quantities."""
    if not items:
        raise ValidationError("the basket is empty")
    merged = {}
    for item in items:
        sku = normalise_sku(item.get("sku", "")) if isinstance(item, dict) else ""
        qty = item.get("qty") if isinstance(item, dict) else None
        if not sku or isinstance(qty, bool) or not isinstance(qty, int) or qty <= 0:
            raise ValidationError("every item needs a sku and a positive quantity", item=item)
        merged[sku] = merged.get(sku, 0) + qty
        if merged[sku] > MAX_QTY_PER_LINE:
            raise ValidationError(f"at most {MAX_QTY_PER_LINE} per product", sku=sku)
    return [{"sku": sku, "qty": qty} for sku, qty in merged.items()]


# =========================================================================== stock


@transactional
def reserve_stock(items, customer_id=None):
    """Hold stock for a basket, all or nothing. Raises ``OutOfStock`` on the first short SKU."""
    reference = repo.next_reservation_reference()
    levels = repo.get_stock_levels(item["sku"] for item in items)
    for item in items:
        level = levels.get(item["sku"])
        available = level.available if level is not None else 0
        if available < item["qty"]:
            raise OutOfStock(
                f"only {available} x {item['sku']} available",
                sku=item["sku"], requested=item["qty"], available=available,
            )
        repo.adjust_reserved(item["sku"], item["qty"])
        repo.insert_reservation(reference, item["sku"], item["qty"], customer_id=customer_id)
    return {
        "reference": reference,
        "lines": [{"sku": item["sku"], "qty": item["qty"]} for item in items],
    }


@transactional
def release_reservation(reference):
    """Give held stock back (payment failed, basket abandoned). Idempotent."""
    held = [r for r in repo.reservations_by_reference(reference)
            if r.status == ReservationStatus.HELD.value]
    for reservation in held:
        repo.adjust_reserved(reservation.sku, -reservation.qty)
    if held:
        repo.set_reservation_status(reference, ReservationStatus.RELEASED.value)
    return {
        "reference": reference,
        "released": [{"sku": r.sku, "qty": r.qty} for r in held],
    }


@transactional
def return_order_stock(order_id):
    """Put the goods of a cancelled order back on the shelf (only what was really taken)."""
    conn = get_connection()
    rows = conn.execute(
        "SELECT id, sku, qty FROM stock_reservations WHERE order_id = ? AND status = 'committed'"
        " ORDER BY id",
        (order_id,),
    ).fetchall()
    reference = make_reference("SO", order_id)
    for row in rows:
        repo.adjust_on_hand(row["sku"], row["qty"])
        repo.insert_movement(row["sku"], row["qty"], "cancellation", reference)
        conn.execute(
            "UPDATE stock_reservations SET status = 'released' WHERE id = ?", (row["id"],)
        )
    return {"order_id": order_id, "restocked": [{"sku": r["sku"], "qty": r["qty"]} for r in rows]}


@transactional
def restock_item(sku, qty, reason, reference=None):
    repo.adjust_on_hand(sku, qty)
    repo.insert_movement(sku, qty, reason, reference)
    level = repo.get_stock_level(sku)
    return {"sku": sku, "qty": qty, "on_hand": level.on_hand, "available": level.available}


@transactional
def write_off(sku, qty, reference=None):
    """Damaged goods: nothing goes back on the shelf, but the movement is logged for audit."""
    repo.insert_movement(sku, 0, f"write_off:{qty}", reference)
    return {"sku": sku, "qty": qty, "written_off": True}


def receipt_lines(sku_quantities):
    """Normalise a goods receipt (``{"SKU": qty}`` or ``[{"sku", "qty"}]``) to a sorted list."""
    if isinstance(sku_quantities, dict):
        pairs = list(sku_quantities.items())
    else:
        pairs = [(line.get("sku"), line.get("qty")) for line in sku_quantities or []]
    if not pairs:
        raise ValidationError("the goods receipt is empty")
    merged = {}
    for sku, qty in pairs:
        if not sku or isinstance(qty, bool) or not isinstance(qty, int) or qty <= 0:
            raise ValidationError("every receipt line needs a sku and a positive quantity",
                                  sku=sku, qty=qty)
        sku = normalise_sku(sku)
        merged[sku] = merged.get(sku, 0) + qty
    return [{"sku": sku, "qty": merged[sku]} for sku in sorted(merged)]


@transactional
def add_stock(sku, qty):
    """Book received goods. Raises ``ProductNotFound`` for a SKU the warehouse doesn't stock."""
    level = repo.get_stock_level(sku)
    if level is None:
        raise ProductNotFound(f"{sku} is not stocked", sku=sku)
    repo.adjust_on_hand(sku, qty)
    repo.insert_movement(sku, qty, "receipt", None)
    level = repo.get_stock_level(sku)
    return {"sku": sku, "received": qty, "on_hand": level.on_hand, "available": level.available}


@transactional
def request_back_order(customer_id, sku, qty):
    """Customer asks to be served when an out-of-stock product comes back."""
    check_customer(customer_id)
    sku = normalise_sku(sku)
    if repo.get_product(sku) is None:
        raise ProductNotFound(sku=sku)
    if not isinstance(qty, int) or qty <= 0:
        raise ValidationError("quantity must be positive", qty=qty)
    back_order_id = repo.insert_back_order(customer_id, sku, qty)
    return {"back_order_id": back_order_id, "status": BackOrderStatus.PENDING.value}


def pending_back_orders(skus):
    """Pending back orders for these SKUs, oldest first (first come, first served)."""
    return [
        {
            "back_order_id": bo.id,
            "customer_id": bo.customer_id,
            "sku": bo.sku,
            "qty": bo.qty,
            "created_at": bo.created_at,
        }
        for bo in repo.list_back_orders(BackOrderStatus.PENDING.value, skus)
    ]


@transactional
def allocate_back_order(back_order_id):
    """Hold stock for a back order for ``config.back_order_hold_hours``.

    Raises ``CustomerInactive`` if the customer closed the account in the meantime and
    ``OutOfStock`` if there is not enough left for the whole back order.
    """
    back_order = repo.get_back_order(back_order_id)
    if back_order is None:
        raise BackOrderNotFound(back_order_id=back_order_id)
    if back_order.status != BackOrderStatus.PENDING.value:
        raise InvalidState("back order is not pending", back_order_id=back_order_id,
                           status=back_order.status)
    customer = repo.get_customer(back_order.customer_id)
    if customer is None or not customer.active:
        raise CustomerInactive(customer_id=back_order.customer_id)
    level = repo.get_stock_level(back_order.sku)
    if level is None or level.available < back_order.qty:
        raise OutOfStock(sku=back_order.sku, requested=back_order.qty,
                         available=level.available if level else 0)
    reference = make_reference("BO", back_order.id)
    hold_until = add_hours_iso(now_iso(), config.back_order_hold_hours)
    repo.adjust_reserved(back_order.sku, back_order.qty)
    repo.insert_reservation(reference, back_order.sku, back_order.qty,
                            customer_id=back_order.customer_id, back_order_id=back_order.id,
                            expires_at=hold_until)
    repo.update_back_order(back_order.id, BackOrderStatus.ALLOCATED.value,
                           reservation_ref=reference)
    product = repo.get_product(back_order.sku)
    return {
        "back_order_id": back_order.id,
        "customer_id": back_order.customer_id,
        "sku": back_order.sku,
        "name": product.name,
        "qty": back_order.qty,
        "reservation_ref": reference,
        "hold_until": hold_until,
    }


@transactional
def cancel_back_order(back_order_id, reason):
    repo.update_back_order(back_order_id, BackOrderStatus.CANCELLED.value, note=reason)
    return {"back_order_id": back_order_id, "status": BackOrderStatus.CANCELLED.value}


@transactional
def expire_back_order_holds():
    """Cron (hourly): holds that were not turned into an order go back on the shelf and the
    back order goes back to the queue."""
    now = now_iso()
    rows = get_connection().execute(
        "SELECT DISTINCT reference, back_order_id FROM stock_reservations"
        " WHERE status = 'held' AND back_order_id IS NOT NULL AND expires_at < ?",
        (now,),
    ).fetchall()
    for row in rows:
        release_reservation(row["reference"])
        repo.set_reservation_status(row["reference"], ReservationStatus.EXPIRED.value)
        repo.update_back_order(row["back_order_id"], BackOrderStatus.PENDING.value)
    return {"expired": [row["reference"] for row in rows]}


# =========================================================================== orders


@transactional
def create_order(customer_id, quote, shipping_quote, reservation_ref, payment_id):
    """Write the order and its lines and turn the stock reservation into a sale.

    One transaction on purpose: the order rows (orders, order_lines) and the stock rows
    (stock_levels, stock_reservations, stock_movements) must never disagree.
    """
    total = quote["merchandise_cents"] + shipping_quote["cost_cents"]
    order_id = repo.insert_order(
        customer_id, OrderStatus.PAID.value, quote["subtotal_cents"], quote["discount_cents"],
        shipping_quote["cost_cents"], total, payment_id=payment_id, coupon=quote["coupon"],
        carrier=shipping_quote["carrier"],
    )
    for line_no, line in enumerate(quote["lines"], start=1):
        repo.insert_order_line(order_id, line_no, OrderLine(
            sku=line["sku"], name=line["name"], qty=line["qty"],
            unit_price_cents=line["unit_price_cents"], discount_cents=line["discount_cents"],
            line_total_cents=line["line_total_cents"],
        ))
    order_number = make_reference("SO", order_id)
    held = [r for r in repo.reservations_by_reference(reservation_ref)
            if r.status == ReservationStatus.HELD.value]
    if not held:
        raise InvalidState("the stock reservation is no longer held", reference=reservation_ref)
    for reservation in held:
        repo.adjust_reserved(reservation.sku, -reservation.qty)
        repo.adjust_on_hand(reservation.sku, -reservation.qty)
        repo.insert_movement(reservation.sku, -reservation.qty, "sale", order_number)
    repo.set_reservation_status(reservation_ref, ReservationStatus.COMMITTED.value,
                                order_id=order_id)
    return {
        "order_id": order_id,
        "order_number": order_number,
        "status": OrderStatus.PAID.value,
        "total_cents": total,
    }


def needs_manual_review(customer_id, total_cents):
    """Fraud rule FR-3: large orders are checked by hand before they ship.

    ``customer_id`` is for rule FR-4 (first orders of new customers), switched off in 2021.
    """
    if total_cents >= config.manual_review_threshold_cents:
        return {"required": True, "reason": "amount over review threshold"}
    return {"required": False, "reason": None}


def order_history(customer_id, repo_: OrderRepository | None = None):
    repo_ = repo_ or OrderRepository()
    return [
        {"order_id": o.id, "order_number": o.order_number, "status": o.status,
         "placed_at": o.placed_at, "total_cents": o.total_cents}
        for o in repo_.for_customer(customer_id)
    ]


# --------------------------------------------------------------------------- returns


def check_returnable(order_id):
    """Only delivered orders, within ``config.return_window_days`` of delivery."""
    order = orders.load_order(order_id)
    if order.status not in (OrderStatus.DELIVERED.value, OrderStatus.PARTIALLY_RETURNED.value):
        raise ReturnNotAllowed(f"order {order.order_number} is {order.status}",
                               order_id=order_id, status=order.status)
    delivered = orders.delivered_on(order_id)
    days = days_between(delivered, clock.today()) if delivered else 0
    if days > config.return_window_days:
        raise ReturnNotAllowed(
            f"order {order.order_number} was delivered {days} days ago",
            order_id=order_id, days_since_delivery=days,
        )
    return {"order_id": order_id, "days_since_delivery": days}


@transactional
def create_return(order_id, lines):
    """Register the items coming back and work out the refund, line by line.

    The refund of a line is its share of what was paid for it (discounts included), so the
    loyalty and promotion discounts are not refunded twice. Shipping is not refunded.
    """
    if not lines:
        raise InvalidReturn("nothing to return", order_id=order_id)
    order = orders.load_order(order_id)
    by_sku = {line.sku: line for line in order.lines}
    return_id = repo.insert_return(order_id)
    accepted = []
    for item in lines:
        sku = normalise_sku(item.get("sku", ""))
        qty = item.get("qty")
        condition = item.get("condition", "resellable")
        line = by_sku.get(sku)
        if line is None:
            raise InvalidReturn(f"{sku} is not part of order {order.order_number}", sku=sku)
        if not isinstance(qty, int) or qty <= 0 or qty > line.remaining_qty:
            raise InvalidReturn(f"cannot return {qty} x {sku}", sku=sku, qty=qty,
                                returnable=line.remaining_qty)
        if condition not in RETURN_CONDITIONS:
            raise InvalidReturn(f"unknown condition {condition!r}", sku=sku)
        before = prorate(line.line_total_cents, line.returned_qty, line.qty)
        after = prorate(line.line_total_cents, line.returned_qty + qty, line.qty)
        line.returned_qty += qty  # a SKU can only appear once per order, but be safe
        repo.insert_return_line(return_id, sku, qty, condition, after - before)
        accepted.append({"sku": sku, "qty": qty, "condition": condition,
                         "refund_cents": after - before})
    refund_cents = sum(item["refund_cents"] for item in accepted)
    repo.update_return(return_id, "open", refund_cents=refund_cents)
    return {
        "return_id": return_id,
        "reference": make_reference("RT", return_id),
        "refund_cents": refund_cents,
        "lines": accepted,
    }


@transactional
def void_return(return_id, note):
    repo.update_return(return_id, "void")
    get_connection().execute("UPDATE returns SET note = ? WHERE id = ?", (note, return_id))
    return {"return_id": return_id, "status": "void"}


@transactional
def complete_return(return_id, refund_id):
    """Mark the items as returned on the order and move the order status on."""
    ret = repo.get_return(return_id)
    order_repo = OrderRepository()
    for line in ret["lines"]:
        order_repo.add_returned_qty(ret["order_id"], line["sku"], line["qty"])
    order = order_repo.get(ret["order_id"])
    all_back = all(line.remaining_qty == 0 for line in order.lines)
    new_status = OrderStatus.RETURNED if all_back else OrderStatus.PARTIALLY_RETURNED
    orders.set_status(order.id, new_status)
    repo.update_return(return_id, "refunded", refund_id=refund_id)
    return {"return_id": return_id, "order_status": new_status.value}


# =========================================================================== workflows


@audited("place_order")
def place_order(customer_id, items, card_number, carrier="colissimo", coupon=None):
    """Checkout: price the basket, hold the stock, take the money, create the order, book the
    parcel and confirm by e-mail.

    ``items`` is ``[{"sku": "KIT-001", "qty": 2}, ...]``; ``card_number`` is a card number or a
    gift card code (``GC-...``). Raises ``CustomerNotFound``, ``CustomerInactive``,
    ``ValidationError`` (and its subclasses), ``ProductNotFound``, ``OutOfStock``,
    ``PaymentDeclined`` or ``GatewayTimeout``; the stock is released on payment errors.
    """
    customer = check_customer(customer_id)
    basket = validate_items(items)
    quote = pricing.quote_items(basket, customer["tier"], coupon)
    shipping_quote = shipping.quote_shipping(
        carrier, quote["weight_grams"], customer["country"], quote["merchandise_cents"]
    )
    reservation = reserve_stock(basket, customer_id)
    amount_cents = quote["merchandise_cents"] + shipping_quote["cost_cents"]
    try:
        payment = payments.charge(card_number, amount_cents, reservation["reference"])
    except PaymentError:
        # Declined or gateway down: the goods go back on the shelf before we give up.
        release_reservation(reservation["reference"])
        raise
    order = create_order(customer_id, quote, shipping_quote, reservation["reference"],
                         payment["payment_id"])
    review = needs_manual_review(customer_id, order["total_cents"])
    if review["required"]:
        orders.mark_on_hold(order["order_id"], review["reason"])
        shipment = None
        template = "order_on_hold"
    elif carrier == "pickup":
        shipment = shipping.create_shipment(order["order_id"], carrier, customer["country"],
                                            quote["weight_grams"], shipping_quote["cost_cents"])
        template = "order_ready_for_pickup"
    else:
        shipment = shipping.create_shipment(order["order_id"], carrier, customer["country"],
                                            quote["weight_grams"], shipping_quote["cost_cents"])
        template = "order_confirmation"
    points = loyalty.award_points(customer_id, order["order_id"], quote["merchandise_cents"])
    message = notifications.enqueue(template, customer_id, {
        "order_number": order["order_number"],
        "total_cents": order["total_cents"],
        "lines": quote["lines"],
        "tracking_number": shipment["tracking_number"] if shipment else None,
        "points": points["points"],
    })
    return {
        "order_id": order["order_id"],
        "order_number": order["order_number"],
        "status": OrderStatus.ON_HOLD.value if review["required"] else order["status"],
        "total_cents": order["total_cents"],
        "discount_cents": quote["discount_cents"],
        "shipping_cents": shipping_quote["cost_cents"],
        "payment_id": payment["payment_id"],
        "shipment": shipment,
        "points_earned": points["points"],
        "notification_id": message["message_id"],
    }


@audited("cancel_order")
def cancel_order(order_id, reason="customer_request"):
    """Cancel an order that has not left the warehouse: cancel the parcel, put the goods back,
    refund the payment, take the loyalty points back and tell the customer.

    Raises ``OrderNotFound``, ``OrderAlreadyShipped`` or ``InvalidState`` (already cancelled).
    A refund refused by the gateway does not stop the cancellation: the order is flagged
    ``refund_pending`` and customer service is alerted.
    """
    order = orders.get_order_summary(order_id)
    if order["status"] in (OrderStatus.SHIPPED.value, OrderStatus.DELIVERED.value,
                           OrderStatus.PARTIALLY_RETURNED.value, OrderStatus.RETURNED.value):
        raise OrderAlreadyShipped(f"order {order['order_number']} has already shipped",
                                  order_id=order_id, status=order["status"])
    elif order["status"] == OrderStatus.CANCELLED.value:
        raise InvalidState(f"order {order['order_number']} is already cancelled",
                           order_id=order_id, status=order["status"])
    shipment = shipping.cancel_shipment(order_id)
    stock = return_order_stock(order_id)
    refund = None
    refund_pending = False
    if order["payment_id"] is not None:
        try:
            refund = payments.refund(order["payment_id"], order["total_cents"], reason)
        except RefundFailed as exc:
            refund_pending = True
            notifications.enqueue("ops_alert", None, {
                "subject": f"manual refund needed for {order['order_number']}",
                "order_id": order_id,
                "amount_cents": order["total_cents"],
                "error": exc.code,
            })
    points = loyalty.reverse_points(order["customer_id"], order_id)
    orders.mark_cancelled(order_id, reason, refund_pending=refund_pending)
    message = notifications.enqueue("order_cancelled", order["customer_id"], {
        "order_number": order["order_number"],
        "reason": reason,
        "refund_cents": refund["amount_cents"] if refund else 0,
        "refund_pending": refund_pending,
    })
    return {
        "order_id": order_id,
        "order_number": order["order_number"],
        "status": OrderStatus.CANCELLED.value,
        "refund": refund,
        "refund_pending": refund_pending,
        "shipment_cancelled": shipment is not None,
        "restocked": stock["restocked"],
        "points_reversed": -points["points"],
        "notification_id": message["message_id"],
    }


@audited("process_return")
def process_return(order_id, lines):
    """Goods back from a customer: register the return, refund, restock what can be sold again,
    take back the loyalty points of the refunded goods, tell the customer.

    ``lines`` is ``[{"sku": ..., "qty": ..., "condition": "resellable" | "damaged"}]``.
    Raises ``OrderNotFound``, ``ReturnNotAllowed``, ``InvalidReturn`` or ``RefundFailed``
    (the return is voided before the error is raised).
    """
    order = orders.get_order_summary(order_id)
    check_returnable(order_id)
    ret = create_return(order_id, lines)
    try:
        refund = payments.refund(order["payment_id"], ret["refund_cents"], "return")
    except RefundFailed:
        void_return(ret["return_id"], "refund refused by the gateway")
        raise
    restocked = []
    for line in ret["lines"]:
        if line["condition"] == "resellable":
            restocked.append(restock_item(line["sku"], line["qty"], "return", ret["reference"]))
        else:
            write_off(line["sku"], line["qty"], ret["reference"])
    points = loyalty.claw_back_points(order["customer_id"], order_id, ret["refund_cents"])
    completed = complete_return(ret["return_id"], refund["refund_id"])
    message = notifications.enqueue("return_received", order["customer_id"], {
        "order_number": order["order_number"],
        "items": sum(line["qty"] for line in ret["lines"]),
        "refund_cents": ret["refund_cents"],
        "points": -points["points"],
    })
    return {
        "return_id": ret["return_id"],
        "order_id": order_id,
        "order_status": completed["order_status"],
        "refund_cents": ret["refund_cents"],
        "refund_id": refund["refund_id"],
        "restocked": [{"sku": r["sku"], "qty": r["qty"]} for r in restocked],
        "points_clawed_back": -points["points"],
        "notification_id": message["message_id"],
    }


@audited("restock")
def restock(sku_quantities):
    """Goods receipt, then serve the waiting back orders of the received SKUs, oldest first.

    ``sku_quantities`` is ``{"GAR-003": 4}`` (or ``[{"sku": ..., "qty": ...}]``). Back orders
    of closed accounts are cancelled; those that cannot be served in full keep waiting.
    """
    lines = receipt_lines(sku_quantities)
    received = []
    for line in lines:
        received.append(add_stock(line["sku"], line["qty"]))
    waiting_list = pending_back_orders([line["sku"] for line in lines])
    allocated, waiting, cancelled = [], [], []
    for back_order in waiting_list:
        try:
            allocation = allocate_back_order(back_order["back_order_id"])
        except CustomerInactive:
            cancel_back_order(back_order["back_order_id"], "customer account closed")
            cancelled.append(back_order["back_order_id"])
            continue
        except OutOfStock:
            waiting.append(back_order["back_order_id"])
            continue
        notifications.enqueue("back_order_available", back_order["customer_id"], allocation)
        allocated.append(allocation)
    return {
        "received": received,
        "allocated": allocated,
        "waiting": waiting,
        "cancelled": cancelled,
    }


@audited("month_end_invoicing")
def month_end_invoicing(year, month):
    """Invoice every paid order of the month, customer by customer, and send the statements.

    A customer whose invoices cannot be produced (missing VAT rate) is skipped and reported to
    ops; the period then stays open so the run can be repeated once the data is fixed.
    Raises ``ValidationError`` for a bad period and ``PeriodClosed`` if it was closed already.
    """
    period = invoicing.check_period_open(year, month)
    customer_ids = invoicing.customers_to_invoice(year, month)
    invoiced, failed = [], []
    for customer_id in customer_ids:
        customer = get_customer_profile(customer_id)
        try:
            result = invoicing.invoice_customer(customer_id, year, month)
        except TaxRateMissing as exc:
            notifications.enqueue("ops_alert", None, {
                "subject": f"invoicing {period}: no VAT rate for {customer['country']}",
                "customer_id": customer_id,
                "error": exc.code,
            })
            failed.append({"customer_id": customer_id, "error": exc.code})
            continue
        if customer["invoice_by_post"]:
            notifications.enqueue("invoice_statement_post", customer_id, result)
        else:
            notifications.enqueue("invoice_statement", customer_id, result)
        invoiced.append(result)
    invoice_count = sum(len(r["invoice_ids"]) for r in invoiced)
    gross_cents = sum(r["gross_cents"] for r in invoiced)
    if failed:
        status = "incomplete"
    else:
        invoicing.close_period(year, month, invoice_count, gross_cents)
        status = "closed"
    return {
        "period": period,
        "status": status,
        "invoice_count": invoice_count,
        "gross_cents": gross_cents,
        "customers": invoiced,
        "failed": failed,
    }

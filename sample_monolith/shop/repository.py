"""Data access for the core tables.

Historically all SQL lived here; newer modules (payments, loyalty, notifications, tax,
reporting) keep their own queries next to their logic. Functions here never commit: the
caller decides the transaction (see ``db.transactional``).

The ``OrderRepository`` class is the 2022 attempt at a repository-per-aggregate; only
orders were ever migrated to it, the rest is still plain functions.
"""

from .db import get_connection
from .models import (
    BackOrder,
    Carrier,
    Customer,
    Order,
    OrderLine,
    PriceRule,
    Product,
    Reservation,
    Shipment,
    StockLevel,
)
from .utils import get_logger, now_iso

log = get_logger(__name__)


def _conn():
    return get_connection()


def _placeholders(values):
    return ", ".join("?" for _ in values)


# --------------------------------------------------------------------------- catalog


def get_product(sku):
    row = _conn().execute("SELECT * FROM products WHERE sku = ?", (sku,)).fetchone()
    return Product.from_row(row)


def get_products(skus):
    """Products by SKU as a dict; unknown SKUs are simply missing."""
    skus = list(skus)
    if not skus:
        return {}
    rows = _conn().execute(
        f"SELECT * FROM products WHERE sku IN ({_placeholders(skus)})", skus
    ).fetchall()
    return {row["sku"]: Product.from_row(row) for row in rows}


def list_products(active_only=True, category=None):
    sql = "SELECT * FROM products WHERE 1 = 1"
    params = []
    if active_only:
        sql += " AND active = 1"
    if category:
        sql += " AND category = ?"
        params.append(category)
    rows = _conn().execute(sql + " ORDER BY sku", params).fetchall()
    return [Product.from_row(row) for row in rows]


def update_product_price(sku, price_cents):
    cur = _conn().execute(
        "UPDATE products SET price_cents = ?, updated_at = ? WHERE sku = ?",
        (price_cents, now_iso(), sku),
    )
    return cur.rowcount


def list_price_rules(include_inactive=False):
    sql = "SELECT * FROM price_rules"
    if not include_inactive:
        sql += " WHERE active = 1"
    rows = _conn().execute(sql + " ORDER BY priority, id").fetchall()
    return [PriceRule.from_row(row) for row in rows]


def find_coupon(code):
    row = _conn().execute(
        "SELECT * FROM price_rules WHERE code = ? COLLATE NOCASE", (code,)
    ).fetchone()
    return PriceRule.from_row(row)


# --------------------------------------------------------------------------- customers


def get_customer(customer_id):
    row = _conn().execute("SELECT * FROM customers WHERE id = ?", (customer_id,)).fetchone()
    return Customer.from_row(row)


def find_customer_by_email(email):
    row = _conn().execute(
        "SELECT * FROM customers WHERE email = ? COLLATE NOCASE", (email.strip(),)
    ).fetchone()
    return Customer.from_row(row)


def insert_customer(email, first_name, last_name, country, street="", postcode="", city=""):
    cur = _conn().execute(
        "INSERT INTO customers (email, first_name, last_name, street, postcode, city, country,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (email, first_name, last_name, street, postcode, city, country, now_iso()),
    )
    return cur.lastrowid


def set_customer_active(customer_id, active):
    _conn().execute(
        "UPDATE customers SET active = ? WHERE id = ?", (1 if active else 0, customer_id)
    )


def list_customers(active_only=False):
    sql = "SELECT * FROM customers"
    if active_only:
        sql += " WHERE active = 1"
    return [Customer.from_row(row) for row in _conn().execute(sql + " ORDER BY id")]


# --------------------------------------------------------------------------- stock


def get_stock_level(sku):
    row = _conn().execute("SELECT * FROM stock_levels WHERE sku = ?", (sku,)).fetchone()
    return StockLevel.from_row(row)


def get_stock_levels(skus=None):
    if skus is None:
        rows = _conn().execute("SELECT * FROM stock_levels ORDER BY sku").fetchall()
    else:
        skus = list(skus)
        rows = _conn().execute(
            f"SELECT * FROM stock_levels WHERE sku IN ({_placeholders(skus)}) ORDER BY sku", skus
        ).fetchall()
    return {row["sku"]: StockLevel.from_row(row) for row in rows}


def adjust_on_hand(sku, delta):
    _conn().execute("UPDATE stock_levels SET on_hand = on_hand + ? WHERE sku = ?", (delta, sku))


def adjust_reserved(sku, delta):
    _conn().execute(
        "UPDATE stock_levels SET reserved = reserved + ? WHERE sku = ?", (delta, sku)
    )


def insert_movement(sku, delta, reason, reference=None):
    _conn().execute(
        "INSERT INTO stock_movements (sku, delta, reason, reference, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (sku, delta, reason, reference, now_iso()),
    )


def next_reservation_reference(prefix="RES"):
    row = _conn().execute("SELECT COALESCE(MAX(id), 0) + 1 FROM stock_reservations").fetchone()
    return f"{prefix}-{row[0]:06d}"


def insert_reservation(reference, sku, qty, customer_id=None, back_order_id=None,
                       expires_at=None):
    cur = _conn().execute(
        "INSERT INTO stock_reservations (reference, sku, qty, status, customer_id,"
        " back_order_id, created_at, expires_at) VALUES (?, ?, ?, 'held', ?, ?, ?, ?)",
        (reference, sku, qty, customer_id, back_order_id, now_iso(), expires_at),
    )
    return cur.lastrowid


def reservations_by_reference(reference):
    rows = _conn().execute(
        "SELECT * FROM stock_reservations WHERE reference = ? ORDER BY id", (reference,)
    ).fetchall()
    return [Reservation.from_row(row) for row in rows]


def set_reservation_status(reference, status, order_id=None):
    _conn().execute(
        "UPDATE stock_reservations SET status = ?, order_id = COALESCE(?, order_id)"
        " WHERE reference = ?",
        (status, order_id, reference),
    )


def insert_back_order(customer_id, sku, qty, note=None):
    cur = _conn().execute(
        "INSERT INTO back_orders (customer_id, sku, qty, status, note, created_at)"
        " VALUES (?, ?, ?, 'pending', ?, ?)",
        (customer_id, sku, qty, note, now_iso()),
    )
    return cur.lastrowid


def get_back_order(back_order_id):
    row = _conn().execute("SELECT * FROM back_orders WHERE id = ?", (back_order_id,)).fetchone()
    return BackOrder.from_row(row)


def list_back_orders(status="pending", skus=None):
    sql = "SELECT * FROM back_orders WHERE status = ?"
    params = [status]
    if skus is not None:
        skus = list(skus)
        sql += f" AND sku IN ({_placeholders(skus)})"
        params.extend(skus)
    rows = _conn().execute(sql + " ORDER BY created_at, id", params).fetchall()
    return [BackOrder.from_row(row) for row in rows]


def update_back_order(back_order_id, status, reservation_ref=None, note=None):
    _conn().execute(
        "UPDATE back_orders SET status = ?, reservation_ref = COALESCE(?, reservation_ref),"
        " note = COALESCE(?, note),"
        " allocated_at = CASE WHEN ? = 'allocated' THEN ? ELSE allocated_at END"
        " WHERE id = ?",
        (status, reservation_ref, note, status, now_iso(), back_order_id),
    )


# --------------------------------------------------------------------------- orders


def insert_order(customer_id, status, subtotal_cents, discount_cents, shipping_cents,
                 total_cents, payment_id=None, coupon=None, carrier=None, hold_reason=None):
    """Insert the order header and give it its number (``SO-`` + id)."""
    placed_at = now_iso()
    cur = _conn().execute(
        "INSERT INTO orders (customer_id, status, placed_at, subtotal_cents, discount_cents,"
        " shipping_cents, total_cents, payment_id, coupon, carrier, hold_reason, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (customer_id, status, placed_at, subtotal_cents, discount_cents, shipping_cents,
         total_cents, payment_id, coupon, carrier, hold_reason, placed_at),
    )
    order_id = cur.lastrowid
    _conn().execute(
        "UPDATE orders SET order_number = ? WHERE id = ?", (f"SO-{order_id:06d}", order_id)
    )
    return order_id


def insert_order_line(order_id, line_no, line: OrderLine):
    _conn().execute(
        "INSERT INTO order_lines (order_id, line_no, sku, name, qty, unit_price_cents,"
        " discount_cents, line_total_cents) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (order_id, line_no, line.sku, line.name, line.qty, line.unit_price_cents,
         line.discount_cents, line.line_total_cents),
    )


class OrderRepository:
    """Orders and their lines. Pass a connection to work outside the default database."""

    def __init__(self, conn=None):
        self.conn = conn if conn is not None else get_connection()

    def get(self, order_id) -> Order | None:
        row = self.conn.execute("SELECT * FROM orders WHERE id = ?", (order_id,)).fetchone()
        if row is None:
            return None
        order = Order.from_row(row)
        order.lines = self.lines(order_id)
        return order

    def find_by_number(self, order_number) -> Order | None:
        row = self.conn.execute(
            "SELECT id FROM orders WHERE order_number = ?", (order_number,)
        ).fetchone()
        return self.get(row["id"]) if row else None

    def lines(self, order_id) -> list[OrderLine]:
        rows = self.conn.execute(
            "SELECT * FROM order_lines WHERE order_id = ? ORDER BY line_no", (order_id,)
        ).fetchall()
        return [OrderLine.from_row(row) for row in rows]

    def for_customer(self, customer_id):
        rows = self.conn.execute(
            "SELECT id FROM orders WHERE customer_id = ? ORDER BY placed_at, id", (customer_id,)
        ).fetchall()
        return [self.get(row["id"]) for row in rows]

    def update_status(self, order_id, status, **fields):
        """Set the status plus any of hold_reason, cancel_reason, refund_pending."""
        allowed = {"hold_reason", "cancel_reason", "refund_pending"}
        unknown = set(fields) - allowed
        if unknown:
            raise ValueError(f"cannot update {sorted(unknown)} through update_status")
        assignments = ["status = ?", "updated_at = ?"]
        params = [status, now_iso()]
        for name in sorted(fields):
            assignments.append(f"{name} = ?")
            params.append(fields[name])
        params.append(order_id)
        self.conn.execute(f"UPDATE orders SET {', '.join(assignments)} WHERE id = ?", params)

    def add_returned_qty(self, order_id, sku, qty):
        self.conn.execute(
            "UPDATE order_lines SET returned_qty = returned_qty + ? WHERE order_id = ? AND sku = ?",
            (qty, order_id, sku),
        )


def insert_return(order_id, note=None):
    cur = _conn().execute(
        "INSERT INTO returns (order_id, status, note, created_at) VALUES (?, 'open', ?, ?)",
        (order_id, note, now_iso()),
    )
    return cur.lastrowid


def insert_return_line(return_id, sku, qty, condition, refund_cents):
    _conn().execute(
        "INSERT INTO return_lines (return_id, sku, qty, condition, refund_cents)"
        " VALUES (?, ?, ?, ?, ?)",
        (return_id, sku, qty, condition, refund_cents),
    )


def update_return(return_id, status, refund_cents=None, refund_id=None):
    _conn().execute(
        "UPDATE returns SET status = ?, refund_cents = COALESCE(?, refund_cents),"
        " refund_id = COALESCE(?, refund_id) WHERE id = ?",
        (status, refund_cents, refund_id, return_id),
    )


def get_return(return_id):
    row = _conn().execute("SELECT * FROM returns WHERE id = ?", (return_id,)).fetchone()
    if row is None:
        return None
    result = dict(row)
    result["lines"] = [
        dict(line)
        for line in _conn().execute(
            "SELECT * FROM return_lines WHERE return_id = ? ORDER BY id", (return_id,)
        )
    ]
    return result


# --------------------------------------------------------------------------- shipping


def get_carrier(code):
    row = _conn().execute("SELECT * FROM carriers WHERE code = ?", (code,)).fetchone()
    return Carrier.from_row(row)


def insert_shipment(order_id, carrier, weight_grams, cost_cents, country):
    cur = _conn().execute(
        "INSERT INTO shipments (order_id, carrier, status, weight_grams, cost_cents, country,"
        " created_at) VALUES (?, ?, 'pending', ?, ?, ?, ?)",
        (order_id, carrier, weight_grams, cost_cents, country, now_iso()),
    )
    return cur.lastrowid


def get_shipment_for_order(order_id):
    """The live shipment of an order (the newest one that is not cancelled)."""
    row = _conn().execute(
        "SELECT * FROM shipments WHERE order_id = ? AND status != 'cancelled'"
        " ORDER BY id DESC LIMIT 1",
        (order_id,),
    ).fetchone()
    return Shipment.from_row(row)


def update_shipment(shipment_id, status, tracking_number=None):
    stamp = now_iso()
    _conn().execute(
        "UPDATE shipments SET status = ?, tracking_number = COALESCE(?, tracking_number),"
        " shipped_at = CASE WHEN ? = 'shipped' THEN ? ELSE shipped_at END,"
        " delivered_at = CASE WHEN ? = 'delivered' THEN ? ELSE delivered_at END"
        " WHERE id = ?",
        (status, tracking_number, status, stamp, status, stamp, shipment_id),
    )


# --------------------------------------------------------------------------- invoicing


def billable_orders(start, end, customer_id=None):
    """Orders placed in [start, end) that can be invoiced and have no invoice yet.

    Reads orders and customers; the invoicing job has used this query since 2017.
    """
    sql = (
        "SELECT o.id, o.customer_id, o.total_cents, c.country"
        " FROM orders o JOIN customers c ON c.id = o.customer_id"
        " WHERE o.placed_at >= ? AND o.placed_at < ?"
        " AND o.status IN ('paid', 'shipped', 'delivered', 'partially_returned')"
        " AND NOT EXISTS (SELECT 1 FROM invoices i WHERE i.order_id = o.id)"
    )
    params = [start, end]
    if customer_id is not None:
        sql += " AND o.customer_id = ?"
        params.append(customer_id)
    return [dict(row) for row in _conn().execute(sql + " ORDER BY o.placed_at, o.id", params)]

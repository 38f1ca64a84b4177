"""SQLite plumbing: connections, the schema, the ``transactional`` decorator, seed data.

One SQLite file holds every table of the shop. Its location is ``config.db_path``
(env var ``SHOP_DB_PATH``). Connections are cached per thread and per path.

Transactions: decorate a function that writes with ``@transactional``. The outermost
decorated call opens the transaction and commits or rolls back; nested calls run in a
SAVEPOINT, so an inner failure that the caller catches only undoes the inner work.

Build a demo database with::

    python -m shop.db seed shop.db
"""

import functools
import json
import os
import sqlite3
import sys
import threading
from datetime import datetime, timedelta

from .config import config
from .utils import get_logger, make_reference, split_gross

log = get_logger(__name__)

_local = threading.local()


def _state():
    if not hasattr(_local, "connections"):
        _local.connections = {}
        _local.depth = {}
    return _local


def get_connection(path=None):
    """The cached connection to ``path`` (default: ``config.db_path``) for this thread."""
    path = str(path or config.db_path)
    state = _state()
    conn = state.connections.get(path)
    if conn is None:
        conn = sqlite3.connect(path)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA foreign_keys = ON")
        # WAL + NORMAL: commits no longer wait for the disk (checkout was fsync-bound).
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        state.connections[path] = conn
        state.depth[path] = 0
    return conn


def close_all():
    """Close every connection this thread opened (tests and the CLI call this)."""
    state = _state()
    for conn in state.connections.values():
        conn.close()
    state.connections.clear()
    state.depth.clear()


def transactional(func):
    """Run ``func`` in a transaction on the current database (savepoint when nested)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        path = str(config.db_path)
        conn = get_connection(path)
        state = _state()
        depth = state.depth.get(path, 0)
        if depth == 0:
            if conn.in_transaction:
                # Somebody wrote without @transactional; don't lose their work silently.
                log.warning("implicit transaction left open before %s, committing", func.__name__)
                conn.commit()
            conn.execute("BEGIN")
        else:
            conn.execute(f"SAVEPOINT sp_{depth}")
        state.depth[path] = depth + 1
        try:
            result = func(*args, **kwargs)
        except BaseException:
            state.depth[path] = depth
            if depth == 0:
                conn.rollback()
            else:
                conn.execute(f"ROLLBACK TO sp_{depth}")
                conn.execute(f"RELEASE sp_{depth}")
            raise
        state.depth[path] = depth
        if depth == 0:
            conn.commit()
        else:
            conn.execute(f"RELEASE sp_{depth}")
        return result

    return wrapper


def query_all(sql, params=()):
    return get_connection().execute(sql, params).fetchall()


def query_one(sql, params=()):
    return get_connection().execute(sql, params).fetchone()


def execute(sql, params=()):
    """Run one statement, return the cursor (``lastrowid``, ``rowcount``)."""
    return get_connection().execute(sql, params)


def table_names(conn=None):
    conn = conn or get_connection()
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name"
    ).fetchall()
    return [row[0] for row in rows]


def dump_tables(conn=None):
    """Every row of every table, ordered, as plain lists (used to compare two databases)."""
    conn = conn or get_connection()
    dump = {}
    for name in table_names(conn):
        rows = conn.execute(f"SELECT * FROM {name} ORDER BY 1").fetchall()
        dump[name] = [list(row) for row in rows]
    return dump


SCHEMA = """
-- catalog -------------------------------------------------------------------
CREATE TABLE products (
    sku           TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    category      TEXT NOT NULL,
    price_cents   INTEGER NOT NULL CHECK (price_cents >= 0),
    weight_grams  INTEGER NOT NULL DEFAULT 0,
    active        INTEGER NOT NULL DEFAULT 1,
    description   TEXT NOT NULL DEFAULT '',
    updated_at    TEXT
);

CREATE TABLE price_rules (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL,
    code        TEXT UNIQUE,            -- coupon code, NULL for automatic promotions
    kind        TEXT NOT NULL CHECK (kind IN ('percent', 'fixed', 'bulk')),
    scope       TEXT NOT NULL CHECK (scope IN ('all', 'category', 'sku')),
    target      TEXT,                   -- category or sku, NULL for scope 'all'
    value       INTEGER NOT NULL,       -- basis points (percent, bulk) or cents per unit (fixed)
    min_qty     INTEGER NOT NULL DEFAULT 1,
    starts_on   TEXT,
    ends_on     TEXT,
    priority    INTEGER NOT NULL DEFAULT 100,
    active      INTEGER NOT NULL DEFAULT 1
);

-- customers & loyalty -------------------------------------------------------
CREATE TABLE customers (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    email            TEXT NOT NULL UNIQUE,
    first_name       TEXT NOT NULL,
    last_name        TEXT NOT NULL,
    street           TEXT NOT NULL DEFAULT '',
    postcode         TEXT NOT NULL DEFAULT '',
    city             TEXT NOT NULL DEFAULT '',
    country          TEXT NOT NULL,
    active           INTEGER NOT NULL DEFAULT 1,
    invoice_by_post  INTEGER NOT NULL DEFAULT 0,
    created_at       TEXT NOT NULL
);

CREATE TABLE loyalty_accounts (
    customer_id      INTEGER PRIMARY KEY REFERENCES customers(id),
    points_balance   INTEGER NOT NULL DEFAULT 0,
    lifetime_points  INTEGER NOT NULL DEFAULT 0,
    tier             TEXT NOT NULL DEFAULT 'bronze',
    updated_at       TEXT
);

CREATE TABLE loyalty_ledger (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id  INTEGER NOT NULL REFERENCES customers(id),
    order_id     INTEGER,
    points       INTEGER NOT NULL,
    reason       TEXT NOT NULL,
    created_at   TEXT NOT NULL
);

-- inventory -----------------------------------------------------------------
CREATE TABLE stock_levels (
    sku            TEXT PRIMARY KEY REFERENCES products(sku),
    on_hand        INTEGER NOT NULL DEFAULT 0 CHECK (on_hand >= 0),
    reserved       INTEGER NOT NULL DEFAULT 0 CHECK (reserved >= 0),
    reorder_level  INTEGER NOT NULL DEFAULT 5,
    bin_location   TEXT
);

CREATE TABLE stock_reservations (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    reference      TEXT NOT NULL,
    sku            TEXT NOT NULL,
    qty            INTEGER NOT NULL CHECK (qty > 0),
    status         TEXT NOT NULL CHECK (status IN ('held', 'released', 'committed', 'expired')),
    order_id       INTEGER,
    customer_id    INTEGER,
    back_order_id  INTEGER,
    created_at     TEXT NOT NULL,
    expires_at     TEXT
);
CREATE INDEX ix_stock_reservations_reference ON stock_reservations (reference);

CREATE TABLE back_orders (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id      INTEGER NOT NULL,
    sku              TEXT NOT NULL,
    qty              INTEGER NOT NULL CHECK (qty > 0),
    status           TEXT NOT NULL CHECK (status IN ('pending', 'allocated', 'cancelled')),
    note             TEXT,
    created_at       TEXT NOT NULL,
    allocated_at     TEXT,
    reservation_ref  TEXT
);

CREATE TABLE stock_movements (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    sku         TEXT NOT NULL,
    delta       INTEGER NOT NULL,
    reason      TEXT NOT NULL,
    reference   TEXT,
    created_at  TEXT NOT NULL
);

-- orders --------------------------------------------------------------------
CREATE TABLE orders (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    order_number     TEXT UNIQUE,
    customer_id      INTEGER NOT NULL REFERENCES customers(id),
    status           TEXT NOT NULL,
    placed_at        TEXT NOT NULL,
    subtotal_cents   INTEGER NOT NULL,
    discount_cents   INTEGER NOT NULL DEFAULT 0,
    shipping_cents   INTEGER NOT NULL DEFAULT 0,
    total_cents      INTEGER NOT NULL,
    payment_id       INTEGER,
    coupon           TEXT,
    carrier          TEXT,
    hold_reason      TEXT,
    cancel_reason    TEXT,
    refund_pending   INTEGER NOT NULL DEFAULT 0,
    updated_at       TEXT
);

CREATE TABLE order_lines (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id          INTEGER NOT NULL REFERENCES orders(id),
    line_no           INTEGER NOT NULL,
    sku               TEXT NOT NULL,
    name              TEXT NOT NULL,
    qty               INTEGER NOT NULL CHECK (qty > 0),
    unit_price_cents  INTEGER NOT NULL,
    discount_cents    INTEGER NOT NULL DEFAULT 0,
    line_total_cents  INTEGER NOT NULL,
    returned_qty      INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE returns (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id      INTEGER NOT NULL REFERENCES orders(id),
    status        TEXT NOT NULL CHECK (status IN ('open', 'refunded', 'void')),
    refund_cents  INTEGER NOT NULL DEFAULT 0,
    refund_id     INTEGER,
    note          TEXT,
    created_at    TEXT NOT NULL
);

CREATE TABLE return_lines (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    return_id     INTEGER NOT NULL REFERENCES returns(id),
    sku           TEXT NOT NULL,
    qty           INTEGER NOT NULL CHECK (qty > 0),
    condition     TEXT NOT NULL CHECK (condition IN ('resellable', 'damaged')),
    refund_cents  INTEGER NOT NULL
);

-- payments ------------------------------------------------------------------
CREATE TABLE payments (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    reference       TEXT NOT NULL,
    method          TEXT NOT NULL CHECK (method IN ('card', 'gift_card', 'transfer')),
    card_last4      TEXT,
    amount_cents    INTEGER NOT NULL,
    refunded_cents  INTEGER NOT NULL DEFAULT 0,
    status          TEXT NOT NULL,
    gateway         TEXT NOT NULL,
    transaction_id  TEXT,
    decline_reason  TEXT,
    attempts        INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,
    updated_at      TEXT
);

CREATE TABLE refunds (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    payment_id      INTEGER NOT NULL REFERENCES payments(id),
    amount_cents    INTEGER NOT NULL,
    reason          TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('succeeded', 'failed')),
    transaction_id  TEXT,
    failure_reason  TEXT,
    created_at      TEXT NOT NULL
);

CREATE TABLE gift_cards (
    code           TEXT PRIMARY KEY,
    balance_cents  INTEGER NOT NULL CHECK (balance_cents >= 0),
    active         INTEGER NOT NULL DEFAULT 1,
    customer_id    INTEGER,
    issued_at      TEXT NOT NULL
);

-- shipping ------------------------------------------------------------------
CREATE TABLE carriers (
    code              TEXT PRIMARY KEY,
    name              TEXT NOT NULL,
    tracking_url      TEXT,
    max_weight_grams  INTEGER NOT NULL,
    active            INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE shipments (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id         INTEGER NOT NULL REFERENCES orders(id),
    carrier          TEXT NOT NULL REFERENCES carriers(code),
    status           TEXT NOT NULL
                     CHECK (status IN ('pending', 'shipped', 'delivered', 'cancelled')),
    tracking_number  TEXT,
    weight_grams     INTEGER NOT NULL,
    cost_cents       INTEGER NOT NULL,
    country          TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    shipped_at       TEXT,
    delivered_at     TEXT
);

-- invoicing & tax -----------------------------------------------------------
CREATE TABLE tax_rates (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    country     TEXT NOT NULL,
    tax_class   TEXT NOT NULL,
    rate_bp     INTEGER NOT NULL,
    valid_from  TEXT NOT NULL,
    UNIQUE (country, tax_class, valid_from)
);

CREATE TABLE invoices (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    invoice_number  TEXT UNIQUE,
    order_id        INTEGER NOT NULL UNIQUE REFERENCES orders(id),
    customer_id     INTEGER NOT NULL,
    period          TEXT NOT NULL,
    issued_at       TEXT NOT NULL,
    net_cents       INTEGER NOT NULL,
    tax_cents       INTEGER NOT NULL,
    gross_cents     INTEGER NOT NULL,
    status          TEXT NOT NULL DEFAULT 'issued'
);

CREATE TABLE invoice_lines (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    invoice_id   INTEGER NOT NULL REFERENCES invoices(id),
    line_no      INTEGER NOT NULL,
    description  TEXT NOT NULL,
    sku          TEXT,
    qty          INTEGER NOT NULL,
    net_cents    INTEGER NOT NULL,
    tax_rate_bp  INTEGER NOT NULL,
    tax_cents    INTEGER NOT NULL,
    gross_cents  INTEGER NOT NULL
);

CREATE TABLE invoice_runs (
    period         TEXT PRIMARY KEY,
    closed_at      TEXT NOT NULL,
    invoice_count  INTEGER NOT NULL,
    gross_cents    INTEGER NOT NULL
);

-- notifications -------------------------------------------------------------
CREATE TABLE outbox (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    template     TEXT NOT NULL,
    customer_id  INTEGER,
    channel      TEXT NOT NULL CHECK (channel IN ('email', 'post', 'ops')),
    recipient    TEXT NOT NULL,
    subject      TEXT NOT NULL,
    body         TEXT NOT NULL,
    payload      TEXT NOT NULL DEFAULT '{}',
    status       TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    created_at   TEXT NOT NULL,
    sent_at      TEXT,
    last_error   TEXT
);

-- reporting -----------------------------------------------------------------
CREATE TABLE report_snapshots (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT NOT NULL,
    period      TEXT NOT NULL,
    payload     TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
"""

SCHEMA_VERSION = 17


def init_schema(conn):
    """Create every table (one transaction: an empty file or a complete schema)."""
    conn.executescript("BEGIN;\n" + SCHEMA + "\nCOMMIT;")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


# --------------------------------------------------------------------------- seed data
#
# Demo data: the state of the shop on the evening of 2 June 2024, kept in demo_data.json
# (sales and support edit that file). Everything is fixed, including timestamps, so that two
# seeded databases are identical row for row.

DEMO_DATA_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "demo_data.json")

# Tables copied as they are from demo_data.json, in this order.
_PLAIN_TABLES = ("products", "stock_levels", "price_rules", "customers", "gift_cards",
                 "carriers", "tax_rates")

# Keep in sync with tax.TAX_CLASS_BY_CATEGORY (only used to build the seed invoices).
_REDUCED_CATEGORIES = {"books", "food"}

_MIGRATION_DATE = "2022-06-30T00:00:00"


def load_demo_data(path=DEMO_DATA_PATH):
    """The demo data as ``{table: [row dict, ...]}``."""
    with open(path, encoding="utf-8") as handle:
        raw = json.load(handle)
    return {
        name: [dict(zip(spec["columns"], row, strict=True)) for row in spec["rows"]]
        for name, spec in raw.items()
        if not name.startswith("_")
    }


def _insert_rows(conn, table, rows):
    for row in rows:
        columns = list(row)
        conn.execute(
            f"INSERT INTO {table} ({', '.join(columns)})"
            f" VALUES ({', '.join('?' for _ in columns)})",
            [row[c] for c in columns],
        )


def _shift(iso_value, days, hour=None):
    value = datetime.fromisoformat(iso_value) + timedelta(days=days)
    if hour is not None:
        value = value.replace(hour=hour, minute=0, second=0)
    return value.isoformat(timespec="seconds")


def _seed_order(conn, order_id, spec, products):
    """One historical order with its payment, shipment, reservations and loyalty points."""
    customer_id, placed_at, status = spec["customer_id"], spec["placed_at"], spec["status"]
    carrier, shipping_cents, last4 = spec["carrier"], spec["shipping_cents"], spec["card_last4"]
    lines = spec["lines"]
    subtotal = sum(products[sku]["price_cents"] * qty for sku, qty in lines)
    total = subtotal + shipping_cents
    payment_id = None
    if last4 is not None:
        refunded, pay_status = (total, "refunded") if status == "cancelled" else (0, "captured")
        cur = conn.execute(
            "INSERT INTO payments (reference, method, card_last4, amount_cents, refunded_cents,"
            " status, gateway, transaction_id, attempts, created_at, updated_at)"
            " VALUES (?, 'card', ?, ?, ?, ?, 'fakecard', ?, 1, ?, ?)",
            (make_reference("RES", order_id), last4, total, refunded, pay_status,
             f"ch_seed_{order_id:06d}", placed_at, placed_at),
        )
        payment_id = cur.lastrowid
    conn.execute(
        "INSERT INTO orders (id, order_number, customer_id, status, placed_at, subtotal_cents,"
        " discount_cents, shipping_cents, total_cents, payment_id, carrier, hold_reason,"
        " cancel_reason, updated_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?)",
        (order_id, make_reference("SO", order_id), customer_id, status, placed_at, subtotal,
         shipping_cents, total, payment_id, carrier,
         "amount over review threshold" if status == "on_hold" else None,
         "customer_request" if status == "cancelled" else None, placed_at),
    )
    for line_no, (sku, qty) in enumerate(lines, start=1):
        product = products[sku]
        conn.execute(
            "INSERT INTO order_lines (order_id, line_no, sku, name, qty, unit_price_cents,"
            " discount_cents, line_total_cents) VALUES (?, ?, ?, ?, ?, ?, 0, ?)",
            (order_id, line_no, sku, product["name"], qty, product["price_cents"],
             product["price_cents"] * qty),
        )
    # Shipments: everything paid gets one; a cancelled order's shipment was cancelled.
    if status not in ("pending", "on_hold"):
        weight = sum(products[sku]["weight_grams"] * qty for sku, qty in lines)
        ship_status = {
            "delivered": "delivered", "partially_returned": "delivered",
            "shipped": "shipped", "cancelled": "cancelled",
        }.get(status, "pending")
        gone = ship_status in ("shipped", "delivered")
        tracking = f"{carrier[:3].upper()}{order_id:09d}FR" if carrier != "pickup" else None
        conn.execute(
            "INSERT INTO shipments (order_id, carrier, status, tracking_number, weight_grams,"
            " cost_cents, country, created_at, shipped_at, delivered_at)"
            " VALUES (?, ?, ?, ?, ?, ?, (SELECT country FROM customers WHERE id = ?), ?, ?, ?)",
            (order_id, carrier, ship_status, tracking, weight, shipping_cents, customer_id,
             placed_at, _shift(placed_at, 1, 16) if gone else None,
             _shift(placed_at, 3, 11) if ship_status == "delivered" else None),
        )
    # Committed stock reservations, as the order workflow leaves them.
    if status != "pending":
        for sku, qty in lines:
            conn.execute(
                "INSERT INTO stock_reservations (reference, sku, qty, status, order_id,"
                " customer_id, created_at) VALUES (?, ?, ?, 'committed', ?, ?, ?)",
                (make_reference("RES", order_id), sku, qty, order_id, customer_id, placed_at),
            )
    # Points for everything that was paid and not cancelled.
    if status not in ("pending", "cancelled"):
        points = subtotal // 100
        conn.execute(
            "INSERT INTO loyalty_ledger (customer_id, order_id, points, reason, created_at)"
            " VALUES (?, ?, ?, 'order', ?)",
            (customer_id, order_id, points, placed_at),
        )
        conn.execute(
            "UPDATE loyalty_accounts SET points_balance = points_balance + ?,"
            " lifetime_points = lifetime_points + ? WHERE customer_id = ?",
            (points, points, customer_id),
        )


def _seed_invoice(conn, order_id, period, issued_at, rates, products):
    """Invoice of an order in a closed period (March and April 2024, all French)."""
    order = conn.execute("SELECT * FROM orders WHERE id = ?", (order_id,)).fetchone()
    invoice_lines = []
    for line in conn.execute(
        "SELECT * FROM order_lines WHERE order_id = ? ORDER BY line_no", (order_id,)
    ).fetchall():
        category = products[line["sku"]]["category"]
        rate = rates["reduced" if category in _REDUCED_CATEGORIES else "standard"]
        net, tax = split_gross(line["line_total_cents"], rate)
        invoice_lines.append((line["name"], line["sku"], line["qty"], net, rate, tax,
                              line["line_total_cents"]))
    if order["shipping_cents"]:
        net, tax = split_gross(order["shipping_cents"], rates["standard"])
        invoice_lines.append(("Shipping", None, 1, net, rates["standard"], tax,
                              order["shipping_cents"]))
    cur = conn.execute(
        "INSERT INTO invoices (order_id, customer_id, period, issued_at, net_cents, tax_cents,"
        " gross_cents) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (order_id, order["customer_id"], period, issued_at,
         sum(row[3] for row in invoice_lines), sum(row[5] for row in invoice_lines),
         order["total_cents"]),
    )
    invoice_id = cur.lastrowid
    conn.execute(
        "UPDATE invoices SET invoice_number = ? WHERE id = ?",
        (f"INV-{period[:4]}-{invoice_id:06d}", invoice_id),
    )
    for line_no, row in enumerate(invoice_lines, start=1):
        conn.execute(
            "INSERT INTO invoice_lines (invoice_id, line_no, description, sku, qty, net_cents,"
            " tax_rate_bp, tax_cents, gross_cents) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (invoice_id, line_no, *row),
        )
    return order["total_cents"]


def _seed_data(conn, data):
    for table in _PLAIN_TABLES:
        _insert_rows(conn, table, data[table])
    conn.execute("UPDATE products SET updated_at = '2024-01-02T08:00:00'")
    products = {row["sku"]: row for row in data["products"]}

    # Loyalty balances carried over from the old provider in the 2022 migration.
    for account in data["loyalty_accounts"]:
        _insert_rows(conn, "loyalty_accounts", [{**account, "updated_at": _MIGRATION_DATE}])
        if account["points_balance"]:
            conn.execute(
                "INSERT INTO loyalty_ledger (customer_id, points, reason, created_at)"
                " VALUES (?, ?, 'opening_balance', ?)",
                (account["customer_id"], account["points_balance"], _MIGRATION_DATE),
            )

    for order_id, spec in enumerate(data["orders"], start=1):
        _seed_order(conn, order_id, spec, products)

    # SO-000010 had one pair of candles sent back (resellable) on 31 May.
    conn.execute("UPDATE order_lines SET returned_qty = 1 WHERE order_id = 10 AND sku = 'LIT-003'")
    cur = conn.execute(
        "INSERT INTO refunds (payment_id, amount_cents, reason, status, transaction_id, created_at)"
        " SELECT payment_id, 1590, 'return', 'succeeded', 're_seed_000001',"
        " '2024-05-31T15:00:00' FROM orders WHERE id = 10"
    )
    conn.execute(
        "UPDATE payments SET refunded_cents = 1590, status = 'partially_refunded'"
        " WHERE id = (SELECT payment_id FROM orders WHERE id = 10)"
    )
    conn.execute(
        "INSERT INTO returns (order_id, status, refund_cents, refund_id, created_at)"
        " VALUES (10, 'refunded', 1590, ?, '2024-05-31T15:00:00')",
        (cur.lastrowid,),
    )
    conn.execute(
        "INSERT INTO return_lines (return_id, sku, qty, condition, refund_cents)"
        " VALUES (1, 'LIT-003', 1, 'resellable', 1590)"
    )
    # SO-000008 was cancelled and refunded in full.
    conn.execute(
        "INSERT INTO refunds (payment_id, amount_cents, reason, status, transaction_id, created_at)"
        " SELECT payment_id, total_cents, 'customer_request', 'succeeded', 're_seed_000002',"
        " '2024-05-15T09:00:00' FROM orders WHERE id = 8"
    )

    _insert_rows(conn, "back_orders", data["back_orders"])

    # Closed periods: March and April 2024.
    fr_rates = {"standard": 2000, "reduced": 550}
    for period, order_ids, closed_at in (
        ("2024-03", [1], "2024-04-01T06:00:00"),
        ("2024-04", [2], "2024-05-01T06:00:00"),
    ):
        gross = sum(_seed_invoice(conn, oid, period, closed_at, fr_rates, products)
                    for oid in order_ids)
        conn.execute(
            "INSERT INTO invoice_runs (period, closed_at, invoice_count, gross_cents)"
            " VALUES (?, ?, ?, ?)",
            (period, closed_at, len(order_ids), gross),
        )

    outbox = [
        ("order_confirmation", 1, "amelie.durand@example.fr", "Your order SO-000007",
         "2024-05-14T21:12:00"),
        ("shipment_dispatched", 1, "amelie.durand@example.fr", "SO-000007 is on its way",
         "2024-05-15T16:00:00"),
        ("order_cancelled", 5, "claire.martin@example.fr", "Order SO-000008 cancelled",
         "2024-05-15T09:00:00"),
    ]
    for template, customer_id, recipient, subject, created_at in outbox:
        conn.execute(
            "INSERT INTO outbox (template, customer_id, channel, recipient, subject, body,"
            " payload, status, attempts, created_at, sent_at)"
            " VALUES (?, ?, 'email', ?, ?, ?, ?, 'sent', 1, ?, ?)",
            (template, customer_id, recipient, subject, subject + ".",
             json.dumps({"seed": True}), created_at, created_at),
        )


def seed(path=None):
    """Create a fresh database with the demo data at ``path`` (default: config.db_path).

    An existing file is replaced. Returns the path.
    """
    path = str(path or config.db_path)
    state = _state()
    stale = state.connections.pop(path, None)
    if stale is not None:
        stale.close()
        state.depth.pop(path, None)
    for leftover in (path, path + "-wal", path + "-shm"):
        if os.path.exists(leftover):
            os.remove(leftover)
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        init_schema(conn)
        with conn:
            _seed_data(conn, load_demo_data())
    finally:
        conn.close()
    log.info("seeded %s", path)
    return path


USAGE = "usage: python -m shop.db (seed|init) [PATH]"


def main(argv=None):
    """``python -m shop.db seed PATH`` / ``python -m shop.db init PATH``."""
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] not in ("seed", "init"):
        print(USAGE, file=sys.stderr)
        return 2
    path = argv[1] if len(argv) > 1 else config.db_path
    if argv[0] == "seed":
        seed(path)
    else:
        conn = sqlite3.connect(path)
        init_schema(conn)
        conn.close()
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())

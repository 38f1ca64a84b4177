"""Management reports.

Read-only queries across the whole database (orders, payments, stock, customers, loyalty).
The only table reporting writes is ``report_snapshots``: the finance team wants the
numbers as they were on the day the report ran, not as they are now.
"""

import json
from functools import partial

from .db import get_connection, transactional
from .errors import ValidationError
from .utils import format_money, get_logger, month_bounds, now_iso

log = get_logger(__name__)


def _rows(sql, params=()):
    return [dict(row) for row in get_connection().execute(sql, params).fetchall()]


def sales_summary(start, end):
    """Orders, revenue and refunds for orders placed in [start, end)."""
    by_status = _rows(
        "SELECT status, COUNT(*) AS orders, COALESCE(SUM(total_cents), 0) AS total_cents"
        " FROM orders WHERE placed_at >= ? AND placed_at < ? GROUP BY status ORDER BY status",
        (start, end),
    )
    revenue = sum(r["total_cents"] for r in by_status if r["status"] not in ("cancelled",
                                                                              "pending"))
    refunded = get_connection().execute(
        "SELECT COALESCE(SUM(r.amount_cents), 0) FROM refunds r"
        " JOIN payments p ON p.id = r.payment_id JOIN orders o ON o.payment_id = p.id"
        " WHERE r.status = 'succeeded' AND o.placed_at >= ? AND o.placed_at < ?",
        (start, end),
    ).fetchone()[0]
    return {
        "start": start,
        "end": end,
        "by_status": by_status,
        "revenue_cents": revenue,
        "refunded_cents": refunded,
        "net_revenue_cents": revenue - refunded,
    }


def top_products(start, end, limit=5):
    """Best sellers by units (returns deducted), with the catalogue category."""
    return _rows(
        "SELECT l.sku, p.name, p.category, SUM(l.qty - l.returned_qty) AS units,"
        " SUM(l.line_total_cents) AS revenue_cents"
        " FROM order_lines l JOIN orders o ON o.id = l.order_id JOIN products p ON p.sku = l.sku"
        " WHERE o.placed_at >= ? AND o.placed_at < ? AND o.status NOT IN ('cancelled', 'pending')"
        " GROUP BY l.sku ORDER BY units DESC, revenue_cents DESC, l.sku LIMIT ?",
        (start, end, limit),
    )


def stock_valuation():
    """Stock on hand valued at list price, and what needs reordering."""
    rows = _rows(
        "SELECT s.sku, p.name, s.on_hand, s.reserved, s.reorder_level, p.price_cents,"
        " s.on_hand * p.price_cents AS value_cents"
        " FROM stock_levels s JOIN products p ON p.sku = s.sku WHERE p.active = 1 ORDER BY s.sku"
    )
    reorder = [r["sku"] for r in rows if r["on_hand"] - r["reserved"] <= r["reorder_level"]]
    return {
        "lines": rows,
        "total_value_cents": sum(r["value_cents"] for r in rows),
        "reorder": reorder,
    }


def back_order_report():
    return _rows(
        "SELECT b.sku, p.name, COUNT(*) AS back_orders, SUM(b.qty) AS units,"
        " MIN(b.created_at) AS oldest, s.on_hand"
        " FROM back_orders b JOIN products p ON p.sku = b.sku"
        " LEFT JOIN stock_levels s ON s.sku = b.sku"
        " WHERE b.status = 'pending' GROUP BY b.sku ORDER BY oldest"
    )


def customer_lifetime_value(customer_id):
    row = get_connection().execute(
        "SELECT c.id, c.first_name || ' ' || c.last_name AS name, c.created_at,"
        " COUNT(o.id) AS orders, COALESCE(SUM(o.total_cents), 0) AS spent_cents,"
        " la.tier, la.lifetime_points"
        " FROM customers c LEFT JOIN orders o ON o.customer_id = c.id"
        "  AND o.status NOT IN ('cancelled', 'pending')"
        " LEFT JOIN loyalty_accounts la ON la.customer_id = c.id"
        " WHERE c.id = ? GROUP BY c.id",
        (customer_id,),
    ).fetchone()
    if row is None:
        raise ValidationError(f"no customer {customer_id}", customer_id=customer_id)
    result = dict(row)
    result["spent"] = format_money(result["spent_cents"])
    return result


def loyalty_review(year):
    """Tier changes the yearly review would make (points earned in ``year``).

    The review itself is done by marketing in a spreadsheet; this only prepares it.
    """
    from .loyalty import tier_for

    rows = _rows(
        "SELECT la.customer_id, la.tier, COALESCE(SUM(CASE WHEN l.points > 0 THEN l.points END),"
        " 0) AS earned FROM loyalty_accounts la LEFT JOIN loyalty_ledger l"
        " ON l.customer_id = la.customer_id AND l.reason = 'order'"
        " AND substr(l.created_at, 1, 4) = ? GROUP BY la.customer_id ORDER BY la.customer_id",
        (str(year),),
    )
    changes = []
    for row in rows:
        proposed = tier_for(row["earned"])
        if proposed != row["tier"]:
            changes.append({**row, "proposed_tier": proposed})
    return changes


def monthly_report(year, month):
    start, end = month_bounds(year, month)
    return {
        "period": f"{year:04d}-{month:02d}",
        "sales": sales_summary(start, end),
        "top_products": top_products(start, end),
        "invoiced_cents": get_connection().execute(
            "SELECT COALESCE(SUM(gross_cents), 0) FROM invoices WHERE period = ?",
            (f"{year:04d}-{month:02d}",),
        ).fetchone()[0],
    }


def _period_args(period):
    year, month = (int(part) for part in period.split("-"))
    return year, month


# Snapshot kind -> builder taking the period ("2024-05"). Used by take_snapshot and the cron.
SNAPSHOT_BUILDERS = {
    "monthly": lambda period: monthly_report(*_period_args(period)),
    "top_products": lambda period: top_products(*month_bounds(*_period_args(period)), limit=10),
    "stock": lambda period: stock_valuation(),
    "back_orders": lambda period: back_order_report(),
}
SNAPSHOT_BUILDERS["top_products_short"] = partial(
    lambda period, limit: top_products(*month_bounds(*_period_args(period)), limit=limit),
    limit=3,
)


@transactional
def take_snapshot(kind, period):
    """Run a report and store its result in ``report_snapshots``."""
    builder = SNAPSHOT_BUILDERS.get(kind)
    if builder is None:
        raise ValidationError(f"unknown report {kind!r}", kind=kind)
    payload = builder(period)
    cur = get_connection().execute(
        "INSERT INTO report_snapshots (kind, period, payload, created_at) VALUES (?, ?, ?, ?)",
        (kind, period, json.dumps(payload, sort_keys=True), now_iso()),
    )
    return {"snapshot_id": cur.lastrowid, "kind": kind, "period": period, "payload": payload}


def latest_snapshot(kind, period):
    row = get_connection().execute(
        "SELECT * FROM report_snapshots WHERE kind = ? AND period = ? ORDER BY id DESC LIMIT 1",
        (kind, period),
    ).fetchone()
    if row is None:
        return None
    result = dict(row)
    result["payload"] = json.loads(result["payload"])
    return result

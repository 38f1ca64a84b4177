"""Month-end invoicing.

One invoice per order, issued at month end for every order of the month that was paid
(paid, shipped, delivered or partly returned). Invoices of one customer are created in one
transaction: either the whole month of a customer is invoiced or none of it. A period that
has been closed (``invoice_runs``) cannot be invoiced again.

TODO(FIN-112): returns are refunded but never credited on the invoice; finance issues the
credit notes by hand from the returns report.
"""

from . import repository as repo
from . import tax
from .db import get_connection, transactional
from .errors import InvoiceError, PeriodClosed, ValidationError
from .models import Invoice, InvoiceLine
from .utils import get_logger, month_bounds, now_iso

log = get_logger(__name__)


def period_key(year, month):
    if not (1 <= int(month) <= 12) or not (2000 <= int(year) <= 2100):
        raise ValidationError(f"no such period {year}-{month}", year=year, month=month)
    return f"{int(year):04d}-{int(month):02d}"


def check_period_open(year, month):
    """Returns the period key; raises ``PeriodClosed`` if it was invoiced already."""
    period = period_key(year, month)
    row = get_connection().execute(
        "SELECT closed_at FROM invoice_runs WHERE period = ?", (period,)
    ).fetchone()
    if row is not None:
        raise PeriodClosed(f"{period} was invoiced on {row['closed_at']}", period=period)
    return period


def customers_to_invoice(year, month):
    """Ids of the customers with billable, not yet invoiced orders in the month."""
    start, end = month_bounds(int(year), int(month))
    return sorted({row["customer_id"] for row in repo.billable_orders(start, end)})


def _invoice_lines(order_id, country, on_date):
    """Tax lines of an order: one per order line plus shipping. Reads products for the
    category (tax class) of each line."""
    conn = get_connection()
    rows = conn.execute(
        "SELECT l.line_no, l.sku, l.name, l.qty, l.line_total_cents, p.category"
        " FROM order_lines l JOIN products p ON p.sku = l.sku"
        " WHERE l.order_id = ? ORDER BY l.line_no",
        (order_id,),
    ).fetchall()
    lines = []
    for row in rows:
        rate = tax.rate_for(country, tax.tax_class_for(row["category"]), on_date)
        split = tax.split_line(row["line_total_cents"], rate)
        lines.append(InvoiceLine(description=row["name"], sku=row["sku"], qty=row["qty"],
                                 **split))
    shipping = conn.execute(
        "SELECT shipping_cents FROM orders WHERE id = ?", (order_id,)
    ).fetchone()["shipping_cents"]
    if shipping:
        rate = tax.rate_for(country, tax.SHIPPING_TAX_CLASS, on_date)
        lines.append(InvoiceLine(description="Shipping", qty=1, **tax.split_line(shipping, rate)))
    return lines


@transactional
def create_invoice(order_id, period, country):
    conn = get_connection()
    issued_at = now_iso()
    lines = _invoice_lines(order_id, country, issued_at)
    customer_id = conn.execute(
        "SELECT customer_id FROM orders WHERE id = ?", (order_id,)
    ).fetchone()["customer_id"]
    net = sum(line.net_cents for line in lines)
    tax_total = sum(line.tax_cents for line in lines)
    gross = sum(line.gross_cents for line in lines)
    cur = conn.execute(
        "INSERT INTO invoices (order_id, customer_id, period, issued_at, net_cents, tax_cents,"
        " gross_cents) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (order_id, customer_id, period, issued_at, net, tax_total, gross),
    )
    invoice_id = cur.lastrowid
    number = f"INV-{period[:4]}-{invoice_id:06d}"
    conn.execute("UPDATE invoices SET invoice_number = ? WHERE id = ?", (number, invoice_id))
    for line_no, line in enumerate(lines, start=1):
        conn.execute(
            "INSERT INTO invoice_lines (invoice_id, line_no, description, sku, qty, net_cents,"
            " tax_rate_bp, tax_cents, gross_cents) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (invoice_id, line_no, line.description, line.sku, line.qty, line.net_cents,
             line.tax_rate_bp, line.tax_cents, line.gross_cents),
        )
    return {"invoice_id": invoice_id, "invoice_number": number, "order_id": order_id,
            "net_cents": net, "tax_cents": tax_total, "gross_cents": gross}


@transactional
def invoice_customer(customer_id, year, month):
    """Invoice every billable order of a customer in the month (all or nothing)."""
    period = period_key(year, month)
    start, end = month_bounds(int(year), int(month))
    orders = repo.billable_orders(start, end, customer_id=customer_id)
    invoices = [create_invoice(row["id"], period, row["country"]) for row in orders]
    return {
        "customer_id": customer_id,
        "period": period,
        "invoice_ids": [inv["invoice_id"] for inv in invoices],
        "invoice_numbers": [inv["invoice_number"] for inv in invoices],
        "net_cents": sum(inv["net_cents"] for inv in invoices),
        "tax_cents": sum(inv["tax_cents"] for inv in invoices),
        "gross_cents": sum(inv["gross_cents"] for inv in invoices),
    }


@transactional
def close_period(year, month, invoice_count, gross_cents):
    period = check_period_open(year, month)
    get_connection().execute(
        "INSERT INTO invoice_runs (period, closed_at, invoice_count, gross_cents)"
        " VALUES (?, ?, ?, ?)",
        (period, now_iso(), invoice_count, gross_cents),
    )
    return {"period": period, "invoice_count": invoice_count, "gross_cents": gross_cents}


def get_invoice(invoice_id) -> Invoice:
    conn = get_connection()
    row = conn.execute("SELECT * FROM invoices WHERE id = ?", (invoice_id,)).fetchone()
    if row is None:
        raise InvoiceError(f"invoice {invoice_id} does not exist", invoice_id=invoice_id)
    invoice = Invoice.from_row(row)
    invoice.lines = [
        InvoiceLine.from_row(line)
        for line in conn.execute(
            "SELECT * FROM invoice_lines WHERE invoice_id = ? ORDER BY line_no", (invoice_id,)
        )
    ]
    return invoice


def invoices_for_period(period):
    rows = get_connection().execute(
        "SELECT * FROM invoices WHERE period = ? ORDER BY id", (period,)
    ).fetchall()
    return [dict(row) for row in rows]

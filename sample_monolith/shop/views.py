"""Back-office HTML pages (reports for the shop floor and for finance).

Deliberately plain HTML: these pages are printed and pinned on the warehouse wall.
"""

from html import escape

from flask import Blueprint, request

from . import reporting
from .errors import ValidationError
from .utils import format_money, month_bounds

backoffice = Blueprint("backoffice", __name__, url_prefix="/backoffice")

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>{title}</title></head>
<body><h1>{title}</h1>{body}</body></html>"""


def render_table(rows, columns, money_columns=()):
    """An HTML table of ``rows`` (dicts); ``money_columns`` are formatted as amounts."""
    head = "".join(f"<th>{escape(name)}</th>" for name in columns)
    body = []
    for row in rows:
        cells = []
        for name in columns:
            value = row.get(name)
            text = format_money(value) if name in money_columns and value is not None else value
            cells.append(f"<td>{escape(str('' if text is None else text))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


def _page(title, body):
    return PAGE.format(title=escape(title), body=body)


@backoffice.get("/sales/<period>")
def sales_page(period):
    try:
        year, month = (int(part) for part in period.split("-"))
        start, end = month_bounds(year, month)
    except ValueError:
        raise ValidationError(f"bad period {period!r}, expected YYYY-MM") from None
    summary = reporting.sales_summary(start, end)
    limit = request.args.get("top", default=5, type=int)
    body = render_table(summary["by_status"], ["status", "orders", "total_cents"],
                        money_columns=("total_cents",))
    body += f"<p>Net revenue: {format_money(summary['net_revenue_cents'])}</p>"
    body += "<h2>Best sellers</h2>" + render_table(
        reporting.top_products(start, end, limit=limit),
        ["sku", "name", "units", "revenue_cents"], money_columns=("revenue_cents",),
    )
    return _page(f"Sales {period}", body)


@backoffice.get("/stock")
def stock_page():
    valuation = reporting.stock_valuation()
    body = render_table(valuation["lines"],
                        ["sku", "name", "on_hand", "reserved", "reorder_level", "value_cents"],
                        money_columns=("value_cents",))
    body += f"<p>Reorder: {escape(', '.join(valuation['reorder']) or 'nothing')}</p>"
    body += "<h2>Back orders</h2>" + render_table(
        reporting.back_order_report(), ["sku", "name", "back_orders", "units", "oldest"]
    )
    return _page("Stock", body)


@backoffice.get("/customers/<int:customer_id>")
def customer_page(customer_id):
    clv = reporting.customer_lifetime_value(customer_id)
    return _page(clv["name"], render_table([clv], ["orders", "spent", "tier", "lifetime_points"]))

"""VAT: tax classes, the ``tax_rates`` table and splitting tax-inclusive amounts.

All our prices include VAT (B2C only). Invoices show the split per line, at the rate of the
customer's country on the invoice date (distance-selling rules since July 2021).
"""

from .db import get_connection
from .errors import TaxRateMissing
from .utils import get_logger, parse_date, split_gross

log = get_logger(__name__)

STANDARD = "standard"
REDUCED = "reduced"

# Product category -> tax class. Everything not listed is standard rate.
TAX_CLASS_BY_CATEGORY = {
    "books": REDUCED,
    "food": REDUCED,
}

# Shipping follows the standard rate (simplification accepted by our accountant).
SHIPPING_TAX_CLASS = STANDARD


def tax_class_for(category):
    return TAX_CLASS_BY_CATEGORY.get(category, STANDARD)


def rate_for(country, tax_class, on_date):
    """The rate (basis points) valid on ``on_date``; raises ``TaxRateMissing``."""
    row = get_connection().execute(
        "SELECT rate_bp FROM tax_rates WHERE country = ? AND tax_class = ? AND valid_from <= ?"
        " ORDER BY valid_from DESC LIMIT 1",
        (country, tax_class, parse_date(on_date).isoformat()),
    ).fetchone()
    if row is None:
        raise TaxRateMissing(
            f"no {tax_class} VAT rate for {country}", country=country, tax_class=tax_class
        )
    return row["rate_bp"]


def split_line(gross_cents, rate_bp):
    net, tax = split_gross(gross_cents, rate_bp)
    return {"net_cents": net, "tax_cents": tax, "gross_cents": gross_cents,
            "tax_rate_bp": rate_bp}


def known_countries():
    rows = get_connection().execute("SELECT DISTINCT country FROM tax_rates ORDER BY country")
    return [row[0] for row in rows]

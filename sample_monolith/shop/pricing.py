"""Pricing: list prices, promotions (price rules), coupons and the loyalty discount.

Rules do not stack: each order line gets the single best live rule that applies to it.
Coupons are rules with a ``code``; they only apply when the customer enters the code.
The loyalty discount is applied on top, on the discounted merchandise total, and spread
back over the lines so that returns can be refunded line by line.

The product lookups go through a small cache (the product page used to hit the database
once per price on the page, see INC-2291).
"""

from __future__ import annotations

from . import repository as repo
from .config import config
from .db import transactional
from .errors import InvalidCoupon, ProductNotFound, ValidationError
from .models import PriceRule, Product
from .utils import allocate, clock, get_logger, percent_of
from .utils import money as m

log = get_logger(__name__)

# (db path, sku) -> Product. Invalidated by set_price(); never expires otherwise.
# TODO: the catalogue team still edits prices straight in the database now and then; those
# changes only show up after a restart. Add a TTL or move everyone to set_price().
_PRICE_CACHE: dict[tuple[str, str], Product] = {}

# Loyalty discount in basis points per tier. Lives here rather than in loyalty.py because
# marketing change it together with the promotions.
TIER_DISCOUNT_BP = {"bronze": 0, "silver": 300, "gold": 500}


def cached_product(sku) -> Product:
    key = (config.db_path, sku)
    product = _PRICE_CACHE.get(key)
    if product is None:
        product = repo.get_product(sku)
        if product is None or not product.is_sellable:
            raise ProductNotFound(f"no sellable product {sku}", sku=sku)
        _PRICE_CACHE[key] = product
    return product


def clear_price_cache(sku=None):
    if sku is None:
        _PRICE_CACHE.clear()
        return
    for key in [k for k in _PRICE_CACHE if k[1] == sku]:
        del _PRICE_CACHE[key]


def set_price(sku, price):
    """Change a list price (``price`` in euros, e.g. ``"39.90"``) and drop it from the cache."""
    cents = int(m(price) * 100)
    if cents <= 0:
        raise ValidationError("price must be positive", sku=sku)

    @transactional
    def _update():
        if repo.update_product_price(sku, cents) == 0:
            raise ProductNotFound(sku=sku)

    _update()
    clear_price_cache(sku)
    return {"sku": sku, "price_cents": cents}


def live_rules(on_date, coupon=None):
    """Automatic rules live on ``on_date`` plus the coupon's rule, best priority first."""
    rules = [r for r in repo.list_price_rules() if r.code is None and r.is_live(on_date)]
    if coupon:
        rule = repo.find_coupon(coupon)
        if rule is None or not rule.is_live(on_date):
            raise InvalidCoupon(f"coupon {coupon!r} is not valid", coupon=coupon)
        rules.append(rule)
    return sorted(rules, key=lambda r: (r.priority, r.id))


def line_discount(rule: PriceRule, unit_price_cents, qty):
    """Discount in cents that ``rule`` gives on ``qty`` units (0 if it does not apply)."""
    if qty < rule.min_qty:
        return 0
    if rule.kind in ("percent", "bulk"):
        return percent_of(unit_price_cents * qty, rule.value)
    if rule.kind == "fixed":
        return min(rule.value, unit_price_cents) * qty
    log.warning("unknown rule kind %s on rule %s", rule.kind, rule.id)
    return 0


def best_rule(rules, product: Product, qty):
    """The rule that gives the biggest discount on this line (first one wins ties)."""
    best, best_discount = None, 0
    for rule in rules:
        if not rule.matches(product):
            continue
        discount = line_discount(rule, product.price_cents, qty)
        if discount > best_discount:
            best, best_discount = rule, discount
    return best, best_discount


def quote_items(items, tier="bronze", coupon=None):
    """Price a basket. ``items`` is ``[{"sku": ..., "qty": ...}]``.

    Returns a JSON-friendly dict with the priced lines and the totals in cents.
    """
    today = clock.today()
    rules = live_rules(today, coupon)
    lines = []
    for item in items:
        product = cached_product(item["sku"])
        qty = int(item["qty"])
        rule, discount = best_rule(rules, product, qty)
        lines.append({
            "sku": product.sku,
            "name": product.name,
            "category": product.category,
            "qty": qty,
            "unit_price_cents": product.price_cents,
            "discount_cents": discount,
            "line_total_cents": product.price_cents * qty - discount,
            "weight_grams": product.weight_grams * qty,
            "rule": rule.name if rule else None,
        })
    after_rules = sum(line["line_total_cents"] for line in lines)
    loyalty_bp = TIER_DISCOUNT_BP.get(tier, 0)
    loyalty_discount = percent_of(after_rules, loyalty_bp)
    # Spread the loyalty discount over the lines, proportionally to what they cost.
    shares = allocate(loyalty_discount, [line["line_total_cents"] for line in lines])
    for line, share in zip(lines, shares, strict=True):
        line["discount_cents"] += share
        line["line_total_cents"] -= share
    subtotal = sum(line["unit_price_cents"] * line["qty"] for line in lines)
    discount = sum(line["discount_cents"] for line in lines)
    return {
        "lines": lines,
        "tier": tier,
        "coupon": coupon.upper() if coupon else None,
        "subtotal_cents": subtotal,
        "loyalty_discount_cents": loyalty_discount,
        "discount_cents": discount,
        "merchandise_cents": subtotal - discount,
        "weight_grams": sum(line["weight_grams"] for line in lines),
    }


def price_list(category=None):
    """Current prices with the automatic promotions applied, for the printed catalogue."""
    rules = live_rules(clock.today())
    result = []
    for product in repo.list_products(category=category):
        _, discount = best_rule(rules, product, 1)
        result.append({
            "sku": product.sku,
            "name": product.name,
            "price_cents": product.price_cents,
            "sale_price_cents": product.price_cents - discount,
        })
    return result

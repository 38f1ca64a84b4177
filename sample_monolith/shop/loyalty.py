"""Loyalty programme: points ledger, balances and tiers.

Customers earn ``config.loyalty_points_per_euro`` points per whole euro of merchandise
(shipping does not count). Every change of points is a row in ``loyalty_ledger``; the
balance in ``loyalty_accounts`` is the running sum and is updated in the same transaction.

Tiers are upgraded as soon as the lifetime points reach a threshold. They are never
downgraded here -- the yearly review does that (see reporting.loyalty_review).
"""

from .config import config
from .db import get_connection, transactional
from .errors import CustomerNotFound, InvalidState
from .models import LoyaltyAccount, LoyaltyTier
from .utils import get_logger, now_iso

log = get_logger(__name__)

# (tier, lifetime points needed), best tier first.
TIER_THRESHOLDS = (
    (LoyaltyTier.GOLD, 2000),
    (LoyaltyTier.SILVER, 500),
    (LoyaltyTier.BRONZE, 0),
)


def tier_for(lifetime_points):
    for tier, threshold in TIER_THRESHOLDS:
        if lifetime_points >= threshold:
            return tier.value
    return LoyaltyTier.BRONZE.value


def points_for_amount(cents):
    return (cents // 100) * config.loyalty_points_per_euro


def get_account(customer_id) -> LoyaltyAccount:
    row = get_connection().execute(
        "SELECT * FROM loyalty_accounts WHERE customer_id = ?", (customer_id,)
    ).fetchone()
    if row is None:
        raise CustomerNotFound(f"no loyalty account for customer {customer_id}",
                               customer_id=customer_id)
    return LoyaltyAccount.from_row(row)


def get_tier(customer_id):
    """Tier of a customer; customers without an account are bronze."""
    row = get_connection().execute(
        "SELECT tier FROM loyalty_accounts WHERE customer_id = ?", (customer_id,)
    ).fetchone()
    return row["tier"] if row else LoyaltyTier.BRONZE.value


@transactional
def open_account(customer_id):
    get_connection().execute(
        "INSERT OR IGNORE INTO loyalty_accounts (customer_id, updated_at) VALUES (?, ?)",
        (customer_id, now_iso()),
    )
    return get_account(customer_id)


def _post(customer_id, order_id, points, reason):
    """Write a ledger row and move the balance. Lifetime points only ever go up."""
    conn = get_connection()
    conn.execute(
        "INSERT INTO loyalty_ledger (customer_id, order_id, points, reason, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (customer_id, order_id, points, reason, now_iso()),
    )
    conn.execute(
        "UPDATE loyalty_accounts SET points_balance = MAX(0, points_balance + ?),"
        " lifetime_points = lifetime_points + MAX(0, ?), updated_at = ? WHERE customer_id = ?",
        (points, points, now_iso(), customer_id),
    )


def points_for_order(order_id):
    """Net points an order has earned so far (earned minus reversed / clawed back)."""
    row = get_connection().execute(
        "SELECT COALESCE(SUM(points), 0) FROM loyalty_ledger WHERE order_id = ?", (order_id,)
    ).fetchone()
    return row[0]


@transactional
def award_points(customer_id, order_id, merchandise_cents):
    """Credit the points of a paid order; upgrades the tier if a threshold is crossed."""
    account = get_account(customer_id)
    points = points_for_amount(merchandise_cents)
    if points > 0:
        _post(customer_id, order_id, points, "order")
    new_tier = tier_for(account.lifetime_points + points)
    if new_tier != account.tier and _rank(new_tier) > _rank(account.tier):
        get_connection().execute(
            "UPDATE loyalty_accounts SET tier = ? WHERE customer_id = ?", (new_tier, customer_id)
        )
        log.info("customer %s upgraded to %s", customer_id, new_tier)
    return {"customer_id": customer_id, "points": points, "tier": max(new_tier, account.tier,
                                                                        key=_rank)}


@transactional
def reverse_points(customer_id, order_id):
    """Take back everything an order earned (order cancelled)."""
    earned = points_for_order(order_id)
    if earned > 0:
        _post(customer_id, order_id, -earned, "order_cancelled")
    return {"customer_id": customer_id, "points": -earned if earned else 0}


@transactional
def claw_back_points(customer_id, order_id, refund_cents):
    """Take back the points of refunded merchandise (returns).

    Never takes back more than the order earned. The balance does not go below zero:
    points already spent are written off (finance agreed, see ticket LOY-88).
    """
    # Imported here: orders imports this module at load time.
    from .orders import get_order_summary

    order = get_order_summary(order_id)
    if order["customer_id"] != customer_id:
        raise InvalidState("order belongs to another customer", order_id=order_id,
                           customer_id=customer_id)
    points = min(points_for_amount(refund_cents), max(points_for_order(order_id), 0))
    if points > 0:
        _post(customer_id, order_id, -points, "return")
    return {"customer_id": customer_id, "points": -points}


def history(customer_id, limit=50):
    rows = get_connection().execute(
        "SELECT * FROM loyalty_ledger WHERE customer_id = ? ORDER BY id DESC LIMIT ?",
        (customer_id, limit),
    ).fetchall()
    return [dict(row) for row in rows]


def _rank(tier):
    return [t.value for t, _ in reversed(TIER_THRESHOLDS)].index(tier)

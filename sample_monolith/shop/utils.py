"""Odds and ends used all over the shop: money, dates and the clock, references, logging.

Money is kept as integer cents in the database and in dicts passed between modules. Any
arithmetic that can produce fractions of a cent (percentages, tax, pro-rating) goes through
``Decimal`` with ROUND_HALF_UP, which is what the accountants sign off.

Nothing in here may import another ``shop`` module: everything imports utils.
"""

import dataclasses
import functools
import logging
import re
from collections import deque
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
BASIS_POINTS = Decimal(10_000)

CURRENCY_SYMBOLS = {"EUR": "\u20ac", "GBP": "\u00a3", "CHF": "CHF "}


# --------------------------------------------------------------------------- money


def money(value):
    """Coerce ``value`` to a ``Decimal`` rounded to the cent, half up.

    Accepts ints, strings and Decimals. Floats are accepted for the sake of the old CSV
    importer but go through ``repr`` so that 0.1 stays 0.1.
    """
    if isinstance(value, float):
        value = repr(value)
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def to_cents(amount):
    """Decimal (or anything ``money`` takes) to integer cents."""
    return int(money(amount) * HUNDRED)


def from_cents(cents):
    """Integer cents to a Decimal amount."""
    return (Decimal(int(cents)) / HUNDRED).quantize(CENT)


def round_cents(value):
    """Round a Decimal number of cents to a whole cent."""
    return int(Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def percent_of(cents, basis_points):
    """``basis_points`` / 100 percent of ``cents`` (1000 bp = 10 %), rounded half up."""
    return round_cents(Decimal(cents) * Decimal(basis_points) / BASIS_POINTS)


def prorate(total_cents, part, whole):
    """The share ``part / whole`` of ``total_cents``, rounded half up."""
    if whole == 0:
        return 0
    return round_cents(Decimal(total_cents) * Decimal(part) / Decimal(whole))


def allocate(total_cents, weights):
    """Split ``total_cents`` over ``weights`` so that the parts add up exactly.

    Largest-remainder method; ties go to the earliest weight so the result is stable.
    """
    weights = list(weights)
    weight_sum = sum(weights)
    if not weights or weight_sum == 0:
        return [0] * len(weights)
    exact = [Decimal(total_cents) * Decimal(w) / Decimal(weight_sum) for w in weights]
    parts = [int(x) for x in exact]
    leftover = total_cents - sum(parts)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[:leftover]:
        parts[i] += 1
    return parts


def split_gross(gross_cents, rate_bp):
    """Split a tax-inclusive amount into (net, tax) cents for a rate in basis points."""
    rate = Decimal(rate_bp) / BASIS_POINTS
    net = round_cents(Decimal(gross_cents) / (1 + rate))
    return net, gross_cents - net


def format_money(cents, currency="EUR"):
    """Human formatting for e-mails and invoices: ``€1,234.50``."""
    amount = from_cents(cents)
    symbol = CURRENCY_SYMBOLS.get(currency, currency + " ")
    sign = "-" if amount < 0 else ""
    return f"{sign}{symbol}{abs(amount):,.2f}"


# --------------------------------------------------------------------------- clock


class Clock:
    """The shop's notion of "now".

    Production uses the wall clock. Tests, the month-end replays and anything that has to be
    reproducible pin it with ``set_now``; every timestamp the shop stores comes from here.
    """

    def __init__(self):
        self._fixed = None

    def set_now(self, value):
        """Pin the clock to a ``datetime`` or an ISO string."""
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        self._fixed = value.replace(microsecond=0, tzinfo=None)

    def advance(self, **delta):
        """Move a pinned clock forward, e.g. ``clock.advance(days=3)``."""
        if self._fixed is None:
            raise RuntimeError("clock.advance() needs a pinned clock")
        self._fixed = self._fixed + timedelta(**delta)

    def reset(self):
        """Back to the wall clock."""
        self._fixed = None

    @property
    def is_pinned(self):
        return self._fixed is not None

    def now(self):
        if self._fixed is not None:
            return self._fixed
        return datetime.now().replace(microsecond=0)

    def today(self):
        return self.now().date()


clock = Clock()


def now_iso():
    """Current time as stored in the database: ``2024-06-03T10:00:00``."""
    return clock.now().isoformat(timespec="seconds")


def parse_date(value):
    """ISO date or datetime string (or date) to a ``date``."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return datetime.fromisoformat(value).date()


def parse_datetime(value):
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)


def add_hours_iso(iso_value, hours):
    return (parse_datetime(iso_value) + timedelta(hours=hours)).isoformat(timespec="seconds")


def days_between(start, end):
    """Whole days from ``start`` to ``end`` (dates or ISO strings)."""
    return (parse_date(end) - parse_date(start)).days


def month_bounds(year, month):
    """First instant of the month and of the next one, as ISO strings (half-open range)."""
    start = datetime(year, month, 1)
    end = datetime(year + 1, 1, 1) if month == 12 else datetime(year, month + 1, 1)
    return start.isoformat(timespec="seconds"), end.isoformat(timespec="seconds")


# --------------------------------------------------------------------------- references

_REFERENCE_RE = re.compile(r"^(?P<prefix>[A-Z]+)-(?P<number>\d+)$")


def make_reference(prefix, number, width=6):
    """``make_reference("SO", 42)`` -> ``"SO-000042"``."""
    return f"{prefix}-{int(number):0{width}d}"


def parse_reference(reference):
    """``"SO-000042"`` -> ``("SO", 42)``."""
    match = _REFERENCE_RE.match(reference or "")
    if not match:
        raise ValueError(f"not a reference: {reference!r}")
    return match.group("prefix"), int(match.group("number"))


def normalise_sku(sku):
    return str(sku).strip().upper()


def mask_card(number):
    """Only ever store or log the last four digits."""
    digits = re.sub(r"\D", "", number or "")
    return digits[-4:] if len(digits) >= 4 else ""


def chunks(items, size):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start:start + size]


def json_safe(value):
    """Convert DTOs, enums, Decimals and dates into JSON-friendly values (recursively)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {k: json_safe(v) for k, v in dataclasses.asdict(value).items()}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [json_safe(v) for v in value]
    return value


# --------------------------------------------------------------------------- logging

_LOG_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


def get_logger(name):
    """Logger under the ``shop`` hierarchy; ``get_logger(__name__)`` in every module."""
    if not name.startswith("shop"):
        name = "shop." + name
    return logging.getLogger(name)


def configure_logging(level="INFO"):
    logging.basicConfig(level=level, format=_LOG_FORMAT)


# The last audited actions, shown on the back-office dashboard. Not persisted on purpose.
AUDIT_TRAIL = deque(maxlen=500)

_audit_log = get_logger("shop.audit")


def audited(action):
    """Record every call of the decorated function in the audit trail and the audit log."""

    def decorator(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            started = now_iso()
            try:
                result = func(*args, **kwargs)
            except Exception as exc:
                AUDIT_TRAIL.append((started, action, "failed", type(exc).__name__))
                _audit_log.info("%s failed: %s", action, exc)
                raise
            AUDIT_TRAIL.append((started, action, "ok", None))
            _audit_log.info("%s ok", action)
            return result

        return wrapper

    return decorator

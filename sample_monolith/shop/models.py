"""Data transfer objects and enums shared by every part of the shop.

sqlite3 hands rows out as ``sqlite3.Row``; ``from_row`` turns one into the matching
dataclass (unknown columns are ignored, so adding a column does not break old code).
Newer code tends to pass plain dicts around instead (``to_dict``), which is why both
styles can be found in the code base.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from enum import StrEnum

from .utils import from_cents, parse_date


class OrderStatus(StrEnum):
    PENDING = "pending"            # legacy bank transfers, waiting for the money
    PAID = "paid"
    ON_HOLD = "on_hold"            # paid, waiting for the manual fraud check
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    PARTIALLY_RETURNED = "partially_returned"
    RETURNED = "returned"
    CANCELLED = "cancelled"

    @property
    def has_left_warehouse(self):
        return self in (
            OrderStatus.SHIPPED,
            OrderStatus.DELIVERED,
            OrderStatus.PARTIALLY_RETURNED,
            OrderStatus.RETURNED,
        )


class PaymentStatus(StrEnum):
    PENDING = "pending"
    CAPTURED = "captured"
    DECLINED = "declined"
    TIMEOUT = "timeout"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"


class ShipmentStatus(StrEnum):
    PENDING = "pending"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


class ReservationStatus(StrEnum):
    HELD = "held"
    RELEASED = "released"
    COMMITTED = "committed"
    EXPIRED = "expired"


class BackOrderStatus(StrEnum):
    PENDING = "pending"
    ALLOCATED = "allocated"
    CANCELLED = "cancelled"


class LoyaltyTier(StrEnum):
    BRONZE = "bronze"
    SILVER = "silver"
    GOLD = "gold"


class Channel(StrEnum):
    EMAIL = "email"
    POST = "post"
    OPS = "ops"


class RowModel:
    """Mixin: build a dataclass from a ``sqlite3.Row`` or dict, ignoring extra columns."""

    @classmethod
    def from_row(cls, row):
        if row is None:
            return None
        keys = row.keys()
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: row[k] for k in keys if k in names})

    def to_dict(self):
        return dataclasses.asdict(self)


@dataclass
class Product(RowModel):
    sku: str
    name: str
    category: str
    price_cents: int
    weight_grams: int = 0
    active: int = 1
    description: str = ""

    @property
    def price(self):
        return from_cents(self.price_cents)

    @property
    def is_sellable(self):
        return bool(self.active)


@dataclass
class PriceRule(RowModel):
    id: int
    name: str
    code: str | None
    kind: str
    scope: str
    target: str | None
    value: int
    min_qty: int = 1
    starts_on: str | None = None
    ends_on: str | None = None
    priority: int = 100
    active: int = 1

    def is_live(self, on_date):
        """Active and inside its date window (both ends inclusive)."""
        if not self.active:
            return False
        day = parse_date(on_date)
        if self.starts_on and day < parse_date(self.starts_on):
            return False
        return not (self.ends_on and day > parse_date(self.ends_on))

    def matches(self, product: Product):
        if self.scope == "all":
            return True
        if self.scope == "category":
            return product.category == self.target
        return product.sku == self.target


@dataclass
class Customer(RowModel):
    id: int
    email: str
    first_name: str
    last_name: str
    country: str
    street: str = ""
    postcode: str = ""
    city: str = ""
    active: int = 1
    invoice_by_post: int = 0
    created_at: str = ""

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}"

    @property
    def postal_address(self):
        return f"{self.full_name}\n{self.street}\n{self.postcode} {self.city}\n{self.country}"


@dataclass
class LoyaltyAccount(RowModel):
    customer_id: int
    points_balance: int = 0
    lifetime_points: int = 0
    tier: str = LoyaltyTier.BRONZE.value


@dataclass
class StockLevel(RowModel):
    sku: str
    on_hand: int
    reserved: int = 0
    reorder_level: int = 5
    bin_location: str | None = None

    @property
    def available(self):
        return self.on_hand - self.reserved

    @property
    def needs_reorder(self):
        return self.available <= self.reorder_level


@dataclass
class Reservation(RowModel):
    id: int
    reference: str
    sku: str
    qty: int
    status: str
    order_id: int | None = None
    customer_id: int | None = None
    back_order_id: int | None = None
    created_at: str = ""
    expires_at: str | None = None


@dataclass
class BackOrder(RowModel):
    id: int
    customer_id: int
    sku: str
    qty: int
    status: str
    note: str | None = None
    created_at: str = ""
    allocated_at: str | None = None
    reservation_ref: str | None = None


@dataclass
class OrderLine(RowModel):
    sku: str
    name: str
    qty: int
    unit_price_cents: int
    discount_cents: int = 0
    line_total_cents: int = 0
    returned_qty: int = 0
    line_no: int = 0
    order_id: int | None = None
    id: int | None = None

    @property
    def remaining_qty(self):
        return self.qty - self.returned_qty


@dataclass
class Order(RowModel):
    id: int
    order_number: str
    customer_id: int
    status: str
    placed_at: str
    subtotal_cents: int
    total_cents: int
    discount_cents: int = 0
    shipping_cents: int = 0
    payment_id: int | None = None
    coupon: str | None = None
    carrier: str | None = None
    hold_reason: str | None = None
    cancel_reason: str | None = None
    refund_pending: int = 0
    lines: list[OrderLine] = field(default_factory=list)

    @property
    def status_enum(self):
        return OrderStatus(self.status)

    @property
    def merchandise_cents(self):
        """What the customer paid for goods: total without shipping."""
        return self.total_cents - self.shipping_cents

    @property
    def is_open(self):
        return self.status in (OrderStatus.PAID.value, OrderStatus.ON_HOLD.value,
                               OrderStatus.PENDING.value)


@dataclass
class Payment(RowModel):
    id: int
    reference: str
    method: str
    amount_cents: int
    status: str
    gateway: str
    card_last4: str | None = None
    refunded_cents: int = 0
    transaction_id: str | None = None
    decline_reason: str | None = None
    attempts: int = 0
    created_at: str = ""

    @property
    def refundable_cents(self):
        return self.amount_cents - self.refunded_cents


@dataclass
class Refund(RowModel):
    id: int
    payment_id: int
    amount_cents: int
    reason: str
    status: str
    transaction_id: str | None = None
    failure_reason: str | None = None
    created_at: str = ""


@dataclass
class Carrier(RowModel):
    code: str
    name: str
    max_weight_grams: int
    tracking_url: str | None = None
    active: int = 1


@dataclass
class Shipment(RowModel):
    id: int
    order_id: int
    carrier: str
    status: str
    weight_grams: int
    cost_cents: int
    country: str
    tracking_number: str | None = None
    created_at: str = ""
    shipped_at: str | None = None
    delivered_at: str | None = None


@dataclass
class TaxRate(RowModel):
    country: str
    tax_class: str
    rate_bp: int
    valid_from: str


@dataclass
class InvoiceLine(RowModel):
    description: str
    qty: int
    net_cents: int
    tax_rate_bp: int
    tax_cents: int
    gross_cents: int
    sku: str | None = None
    line_no: int = 0


@dataclass
class Invoice(RowModel):
    id: int
    invoice_number: str
    order_id: int
    customer_id: int
    period: str
    issued_at: str
    net_cents: int
    tax_cents: int
    gross_cents: int
    status: str = "issued"
    lines: list[InvoiceLine] = field(default_factory=list)


@dataclass
class OutboxMessage(RowModel):
    id: int
    template: str
    channel: str
    recipient: str
    subject: str
    body: str
    status: str
    customer_id: int | None = None
    payload: str = "{}"
    attempts: int = 0
    created_at: str = ""
    sent_at: str | None = None
    last_error: str | None = None

"""Payment gateways.

``PaymentGateway`` is the interface the rest of the shop talks to. ``FakeCardGateway`` is
the card acquirer's sandbox behaviour, reimplemented locally so that every environment
behaves the same (the real acquirer client was removed from this repository in 2023; it is
deployed separately). Its test cards:

* numbers ending ``0002`` are declined (``do_not_honor``), ``0004`` too (``insufficient_funds``);
* numbers ending ``0005`` never answer: ``GatewayTimeout``;
* refunds to cards ending ``0009`` are refused (``card_closed``);
* any charge above ``config.card_limit_cents`` is declined (``limit_exceeded``).

``GiftCardGateway`` settles against our own ``gift_cards`` table.
"""

import re
from dataclasses import dataclass
from typing import ClassVar

from ..config import config
from ..db import get_connection, transactional
from ..errors import GatewayTimeout, ValidationError
from ..utils import get_logger, mask_card

log = get_logger(__name__)


@dataclass
class GatewayResult:
    approved: bool
    transaction_id: str | None = None
    decline_reason: str | None = None


class PaymentGateway:
    """Base gateway: bookkeeping and the checks every gateway needs."""

    name = "base"
    method = "card"

    def __init__(self, limit_cents=None):
        self.limit_cents: int = config.card_limit_cents if limit_cents is None else limit_cents
        self.calls: int = 0

    @property
    def display_name(self):
        return self.name.replace("_", " ").title()

    def describe(self, source):
        """How the payment source may appear in logs and in the database."""
        return mask_card(source)

    def charge(self, source, amount_cents, reference) -> GatewayResult:
        """Charge ``amount_cents`` to ``source``. Subclasses call this first via super()."""
        if amount_cents <= 0:
            raise ValidationError("charge amount must be positive", amount_cents=amount_cents)
        self.calls += 1
        log.info("%s: charge %s, %s cents, %s", self.name, reference, amount_cents,
                 self.describe(source))
        return GatewayResult(approved=True)

    def refund(self, transaction_id, amount_cents, reference, card_last4=None) -> GatewayResult:
        """Pay ``amount_cents`` back on an earlier charge."""
        if not transaction_id:
            raise ValidationError("nothing to refund: the charge has no transaction id")
        if amount_cents <= 0:
            raise ValidationError("refund amount must be positive", amount_cents=amount_cents)
        self.calls += 1
        log.info("%s: refund %s, %s cents on %s", self.name, reference, amount_cents,
                 transaction_id)
        return GatewayResult(approved=True)


class FakeCardGateway(PaymentGateway):
    """Card payments with the acquirer's sandbox rules (see module docstring)."""

    name = "fakecard"
    method = "card"

    DECLINE_SUFFIXES: ClassVar[dict[str, str]] = {
        "0002": "do_not_honor",
        "0004": "insufficient_funds",
    }
    TIMEOUT_SUFFIX = "0005"
    REFUND_DECLINE_SUFFIX = "0009"

    def charge(self, source, amount_cents, reference) -> GatewayResult:
        super().charge(source, amount_cents, reference)
        digits = re.sub(r"[\s-]", "", source or "")
        if not digits.isdigit() or not 12 <= len(digits) <= 19:
            return GatewayResult(approved=False, decline_reason="invalid_card")
        suffix = digits[-4:]
        if suffix == self.TIMEOUT_SUFFIX:
            raise GatewayTimeout("card acquirer did not answer", reference=reference)
        if suffix in self.DECLINE_SUFFIXES:
            return GatewayResult(approved=False, decline_reason=self.DECLINE_SUFFIXES[suffix])
        if amount_cents > self.limit_cents:
            return GatewayResult(approved=False, decline_reason="limit_exceeded")
        return GatewayResult(approved=True, transaction_id=f"ch_{reference.lower()}")

    def refund(self, transaction_id, amount_cents, reference, card_last4=None) -> GatewayResult:
        super().refund(transaction_id, amount_cents, reference, card_last4)
        if card_last4 == self.REFUND_DECLINE_SUFFIX:
            return GatewayResult(approved=False, decline_reason="card_closed")
        return GatewayResult(approved=True, transaction_id=f"re_{reference.lower()}")


class GiftCardGateway(PaymentGateway):
    """Our own gift cards (codes ``GC-xxxx-yyyy``); the balance is in ``gift_cards``."""

    name = "giftcard"
    method = "gift_card"

    def describe(self, source):
        return (source or "")[:7] + "****"

    @transactional
    def charge(self, source, amount_cents, reference) -> GatewayResult:
        super().charge(source, amount_cents, reference)
        conn = get_connection()
        card = conn.execute(
            "SELECT * FROM gift_cards WHERE code = ? AND active = 1", (source.upper(),)
        ).fetchone()
        if card is None:
            return GatewayResult(approved=False, decline_reason="unknown_gift_card")
        if card["balance_cents"] < amount_cents:
            return GatewayResult(approved=False, decline_reason="insufficient_balance")
        conn.execute(
            "UPDATE gift_cards SET balance_cents = balance_cents - ? WHERE code = ?",
            (amount_cents, card["code"]),
        )
        # The code travels in the transaction id so that refunds know where to credit.
        return GatewayResult(approved=True, transaction_id=f"gc:{card['code']}:{reference}")

    @transactional
    def refund(self, transaction_id, amount_cents, reference, card_last4=None) -> GatewayResult:
        super().refund(transaction_id, amount_cents, reference, card_last4)
        code = transaction_id.split(":")[1]
        get_connection().execute(
            "UPDATE gift_cards SET balance_cents = balance_cents + ? WHERE code = ?",
            (amount_cents, code),
        )
        return GatewayResult(approved=True, transaction_id=f"gcr:{code}:{reference}")

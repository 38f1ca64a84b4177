"""Application settings.

Everything that differs between environments is read from environment variables here, with
defaults that work on a developer laptop. The rest of the code reads settings through the
module-level ``config`` instance::

    from shop.config import config
    conn = sqlite3.connect(config.db_path)

Only the database location is re-read on every access (the test suite and the batch jobs
point ``SHOP_DB_PATH`` somewhere else at runtime); the business limits are fixed at import.
"""

import os

DEFAULT_DB_PATH = "shop.db"


def _int_env(name, default):
    """Integer setting from the environment (old deployments still set these)."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return int(raw)


class Config:
    """The shop's settings; use the shared ``config`` instance rather than creating one."""

    def __init__(self):
        self.company_name = "Hollis & Vane Home Goods Ltd."
        self.company_address = "14 rue des Tanneurs, 69002 Lyon, France"
        self.vat_number = "FR 42 813 555 019"
        self.home_country = "FR"
        self.currency = os.environ.get("SHOP_CURRENCY", "EUR")
        self.ops_email = os.environ.get("SHOP_OPS_EMAIL", "ops@hollisvane.example")
        self.shop_url = "https://www.hollisvane.example"

        # Payments. The acquirer refuses single card charges above this amount.
        self.card_limit_cents = _int_env("SHOP_CARD_LIMIT_CENTS", 250_000)
        self.gateway_max_attempts = _int_env("SHOP_GATEWAY_MAX_ATTEMPTS", 2)
        # Orders at or above this amount are put on hold for a manual fraud check.
        self.manual_review_threshold_cents = _int_env("SHOP_REVIEW_THRESHOLD_CENTS", 150_000)
        # Captures above this amount are logged for the finance team.
        self.large_payment_cents = 100_000

        # Shipping.
        self.default_carrier = "colissimo"
        self.free_shipping_threshold_cents = 7_500

        # Returns & back orders.
        self.return_window_days = 30
        self.back_order_hold_hours = 48

        # Loyalty programme: points per whole euro of merchandise.
        self.loyalty_points_per_euro = 1

    @property
    def db_path(self):
        """Path of the SQLite database (env var ``SHOP_DB_PATH``, default ``shop.db``)."""
        return os.environ.get("SHOP_DB_PATH", DEFAULT_DB_PATH)

    def as_dict(self):
        """Settings as a plain dict, for the /health endpoint and support tickets."""
        values = {k: v for k, v in vars(self).items() if not k.startswith("_")}
        values["db_path"] = self.db_path
        return values


config = Config()

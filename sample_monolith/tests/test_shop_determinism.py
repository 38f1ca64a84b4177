"""Same inputs on the same starting database give the same outputs and the same rows."""

import re

import pytest
from shop import db, pricing, services, shipping
from shop.errors import ShopError
from shop_testkit import FIXED_NOW, GOOD_CARD

ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")


def scenario():
    """A morning at the shop: every workflow, successes and failures mixed."""
    steps = [
        ("place_order", lambda: services.place_order(
            2, [{"sku": "KIT-003", "qty": 2}, {"sku": "FOD-001", "qty": 3}], GOOD_CARD)),
        ("place_order gold", lambda: services.place_order(
            1, [{"sku": "GAR-002", "qty": 1}, {"sku": "LIT-002", "qty": 1}], GOOD_CARD,
            coupon="SHADE5")),
        ("place_order gift card", lambda: services.place_order(
            5, [{"sku": "FOD-002", "qty": 1}], "GC-1000-2024")),
        ("place_order on hold", lambda: services.place_order(
            5, [{"sku": "KIT-004", "qty": 13}], GOOD_CARD, carrier="dhl")),
        ("declined", lambda: services.place_order(
            3, [{"sku": "KIT-001", "qty": 1}], "4000000000000002")),
        ("timeout", lambda: services.place_order(
            3, [{"sku": "KIT-001", "qty": 1}], "4000000000000005")),
        ("inactive", lambda: services.place_order(
            13, [{"sku": "KIT-001", "qty": 1}], GOOD_CARD)),
        ("out of stock", lambda: services.place_order(
            3, [{"sku": "LIT-001", "qty": 1}], GOOD_CARD)),
        ("cancel", lambda: services.cancel_order(11, "changed my mind")),
        ("cancel refused refund", lambda: services.cancel_order(15)),
        ("cancel shipped", lambda: services.cancel_order(7)),
        ("cancel unknown", lambda: services.cancel_order(404)),
        ("return", lambda: services.process_return(
            9, [{"sku": "TEX-003", "qty": 1}, {"sku": "FOD-003", "qty": 2,
                                               "condition": "damaged"}])),
        ("return too late", lambda: services.process_return(2, [{"sku": "KIT-001", "qty": 1}])),
        ("restock", lambda: services.restock({"GAR-003": 2, "LIT-001": 3})),
        ("ship", lambda: shipping.mark_shipped(14)),
        ("month end", lambda: services.month_end_invoicing(2024, 5)),
    ]
    outputs = []
    for name, step in steps:
        try:
            outputs.append((name, "ok", step()))
        except ShopError as exc:
            outputs.append((name, "error", exc.to_dict()))
    return outputs


def run_on_fresh_database(directory, monkeypatch):
    path = directory / "shop.db"
    db.seed(path)
    monkeypatch.setenv("SHOP_DB_PATH", str(path))
    pricing.clear_price_cache()
    try:
        outputs = scenario()
        rows = db.dump_tables()
    finally:
        db.close_all()
    return outputs, rows


@pytest.mark.usefixtures("fixed_clock")
def test_two_fresh_databases_end_up_identical(tmp_path, monkeypatch):
    results = []
    for name in ("a", "b"):
        directory = tmp_path / name
        directory.mkdir()
        results.append(run_on_fresh_database(directory, monkeypatch))
    (outputs_a, rows_a), (outputs_b, rows_b) = results
    assert outputs_a == outputs_b
    assert rows_a == rows_b
    # The scenario really did something, with failures where expected.
    statuses = dict((name, status) for name, status, _ in outputs_a)
    assert statuses["place_order"] == "ok" and statuses["declined"] == "error"
    assert statuses["cancel unknown"] == "error" and statuses["month end"] == "ok"
    assert len(rows_a["orders"]) == 19


@pytest.mark.usefixtures("fixed_clock")
def test_no_wall_clock_in_stored_rows(tmp_path, monkeypatch):
    _, rows = run_on_fresh_database(tmp_path, monkeypatch)
    stamps = [value for table in rows.values() for row in table for value in row
              if isinstance(value, str) and ISO_DATETIME.match(value)]
    assert max(stamps) <= "2024-06-05T10:00:00"  # the latest back-order hold
    assert FIXED_NOW in stamps


def test_seed_is_reproducible(tmp_path):
    paths = [db.seed(tmp_path / name) for name in ("one.db", "two.db")]
    dumps = []
    for path in paths:
        conn = db.get_connection(path)
        dumps.append(db.dump_tables(conn))
    db.close_all()
    assert dumps[0] == dumps[1]

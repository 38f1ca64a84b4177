"""The plumbing: config, the database module and its CLI, transactions, utils, imports."""

import os
import sqlite3
import subprocess
import sys
from datetime import datetime
from decimal import Decimal

import pytest
from shop import db
from shop.config import DEFAULT_DB_PATH, config
from shop.models import OrderStatus, Product
from shop.utils import (
    AUDIT_TRAIL,
    Clock,
    allocate,
    audited,
    format_money,
    json_safe,
    make_reference,
    mask_card,
    money,
    month_bounds,
    parse_reference,
    percent_of,
    prorate,
    split_gross,
    to_cents,
)
from shop_testkit import SAMPLE_ROOT


def run_python(*args, env=None):
    return subprocess.run([sys.executable, *args], cwd=SAMPLE_ROOT, capture_output=True,
                          text=True, env={**os.environ, **(env or {})}, timeout=60)


# --------------------------------------------------------------------------- config & CLI


def test_db_path_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("SHOP_DB_PATH", "/srv/shop/prod.db")
    assert config.db_path == "/srv/shop/prod.db"
    monkeypatch.delenv("SHOP_DB_PATH")
    assert config.db_path == DEFAULT_DB_PATH == "shop.db"
    assert config.as_dict()["db_path"] == "shop.db"


def test_seed_command_builds_the_demo_database(tmp_path):
    path = tmp_path / "demo.db"
    result = run_python("-m", "shop.db", "seed", str(path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(path)
    conn = sqlite3.connect(path)
    scalar = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
    assert scalar("SELECT COUNT(*) FROM products") == 30
    assert scalar("SELECT COUNT(*) FROM customers") == 20
    assert scalar("SELECT COUNT(*) FROM customers WHERE active = 0") == 3
    zero = {row[0] for row in conn.execute("SELECT sku FROM stock_levels WHERE on_hand = 0")}
    assert {"GAR-003", "LIT-001", "FOD-004", "BOK-002"} <= zero
    statuses = {row[0] for row in conn.execute("SELECT status FROM orders")}
    assert statuses == {"pending", "paid", "on_hold", "shipped", "delivered",
                        "partially_returned", "cancelled"}
    assert scalar("PRAGMA user_version") == db.SCHEMA_VERSION
    conn.close()


def test_seed_command_defaults_to_shop_db_path(tmp_path):
    path = tmp_path / "from-env.db"
    result = run_python("-m", "shop.db", "seed", env={"SHOP_DB_PATH": str(path)})
    assert result.returncode == 0, result.stderr
    assert path.exists()


def test_init_command_and_usage(tmp_path):
    path = tmp_path / "empty.db"
    assert run_python("-m", "shop.db", "init", str(path)).returncode == 0
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT COUNT(*) FROM products").fetchone()[0] == 0
    conn.close()
    bad = run_python("-m", "shop.db", "drop")
    assert bad.returncode == 2
    assert "usage" in bad.stderr


def test_circular_imports_load_in_any_order():
    # orders <-> loyalty and shipping <-> notifications import each other.
    script = (
        "import importlib, sys\n"
        "for name in ['shop.loyalty', 'shop.orders', 'shop.notifications', 'shop.shipping',\n"
        "             'shop.services', 'shop.payments', 'shop.reporting']:\n"
        "    for key in [k for k in sys.modules if k == 'shop' or k.startswith('shop.')]:\n"
        "        del sys.modules[key]\n"
        "    importlib.import_module(name)\n"
        "print('ok')\n"
    )
    result = run_python("-c", script)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


# --------------------------------------------------------------------------- transactions


def _snapshot_kinds():
    return [row["kind"] for row in db.get_connection().execute(
        "SELECT kind FROM report_snapshots ORDER BY id")]


def _insert_snapshot(kind):
    db.execute("INSERT INTO report_snapshots (kind, period, payload, created_at)"
               " VALUES (?, '2024-06', '{}', '2024-06-03T10:00:00')", (kind,))


@pytest.mark.usefixtures("shop_db")
def test_transactional_commits_and_rolls_back():
    @db.transactional
    def good():
        _insert_snapshot("good")

    @db.transactional
    def bad():
        _insert_snapshot("bad")
        raise RuntimeError("boom")

    good()
    with pytest.raises(RuntimeError):
        bad()
    assert _snapshot_kinds() == ["good"]
    assert not db.get_connection().in_transaction


@pytest.mark.usefixtures("shop_db")
def test_nested_failure_only_undoes_the_savepoint():
    @db.transactional
    def inner():
        _insert_snapshot("inner")
        raise ValueError("inner failed")

    @db.transactional
    def outer():
        _insert_snapshot("before")
        with pytest.raises(ValueError):
            inner()
        _insert_snapshot("after")

    outer()
    assert _snapshot_kinds() == ["before", "after"]


@pytest.mark.usefixtures("shop_db")
def test_stray_implicit_transaction_is_committed_first():
    _insert_snapshot("stray")  # written without @transactional
    assert db.get_connection().in_transaction

    @db.transactional
    def later():
        _insert_snapshot("later")

    later()
    db.get_connection().rollback()  # nothing left to roll back
    assert _snapshot_kinds() == ["stray", "later"]
    assert db.query_one("SELECT COUNT(*) AS n FROM report_snapshots")["n"] == 2


# --------------------------------------------------------------------------- utils & models


def test_money_helpers():
    assert money("10.005") == Decimal("10.01")
    assert money(0.1) == Decimal("0.10")
    assert to_cents("12.345") == 1235
    assert percent_of(2690, 1500) == 404  # 403.5 rounds half up
    assert prorate(1000, 1, 3) == 333
    assert split_gross(1200, 2000) == (1000, 200)
    assert format_money(123450) == "\u20ac1,234.50"
    assert format_money(-500, "GBP") == "-\u00a35.00"


@pytest.mark.parametrize("total, weights", [(100, [1, 1, 1]), (194, [3780, 2673]),
                                            (7, [0, 5, 5]), (0, [1, 2]), (5, [])])
def test_allocate_adds_up(total, weights):
    parts = allocate(total, weights)
    assert len(parts) == len(weights)
    assert sum(parts) == (total if any(weights) else 0)


def test_dates_and_references():
    assert month_bounds(2024, 12) == ("2024-12-01T00:00:00", "2025-01-01T00:00:00")
    assert make_reference("SO", 42) == "SO-000042"
    assert parse_reference("SO-000042") == ("SO", 42)
    with pytest.raises(ValueError):
        parse_reference("nonsense")
    assert mask_card("4111 1111 1111 0002") == "0002"
    assert json_safe({"s": OrderStatus.PAID, "d": Decimal("1.50"),
                      "p": Product("X-1", "x", "home", 100)}) == {
        "s": "paid", "d": "1.50",
        "p": {"sku": "X-1", "name": "x", "category": "home", "price_cents": 100,
              "weight_grams": 0, "active": 1, "description": ""}}


def test_clock():
    clock = Clock()
    assert not clock.is_pinned
    with pytest.raises(RuntimeError):
        clock.advance(days=1)
    clock.set_now(datetime(2024, 1, 31, 23, 59, 59, 999))
    clock.advance(seconds=1)
    assert clock.now().isoformat() == "2024-02-01T00:00:00"
    clock.reset()
    assert clock.now().year >= 2024


def test_audited_records_outcomes():
    @audited("demo action")
    def action(fail):
        if fail:
            raise KeyError("x")
        return "done"

    assert action(False) == "done"
    with pytest.raises(KeyError):
        action(True)
    assert [entry[1:] for entry in list(AUDIT_TRAIL)[-2:]] == [
        ("demo action", "ok", None), ("demo action", "failed", "KeyError")]
    assert action.__name__ == "action"

"""Fixtures of the shop's test suite: a freshly seeded database per test, a pinned clock.

The tests import the application as ``shop``, so sample_monolith/ goes on sys.path here
(and this directory, for the shared constants in ``shop_testkit``).
"""

import shutil
import sys
from pathlib import Path

import pytest

_TESTS_DIR = Path(__file__).resolve().parent
for _entry in (_TESTS_DIR.parent, _TESTS_DIR):
    if str(_entry) not in sys.path:
        sys.path.insert(0, str(_entry))

from shop import db, pricing  # noqa: E402
from shop.utils import clock  # noqa: E402
from shop_testkit import FIXED_NOW  # noqa: E402


@pytest.fixture
def fixed_clock():
    clock.set_now(FIXED_NOW)
    yield clock
    clock.reset()


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory):
    """One seeded database per test session; every test gets a copy of it."""
    return Path(db.seed(tmp_path_factory.mktemp("template") / "shop.db"))


@pytest.fixture
def shop_db(tmp_path, monkeypatch, fixed_clock, seeded_template):
    """A freshly seeded database, selected through SHOP_DB_PATH."""
    path = tmp_path / "shop.db"
    shutil.copyfile(seeded_template, path)
    monkeypatch.setenv("SHOP_DB_PATH", str(path))
    pricing.clear_price_cache()
    yield path
    db.close_all()
    pricing.clear_price_cache()


@pytest.fixture
def q(shop_db):
    """``q(sql, *params)`` -> list of row dicts from the test database."""

    def query(sql, *params):
        return [dict(row) for row in db.get_connection().execute(sql, params).fetchall()]

    return query


@pytest.fixture
def one(q):
    """``one(sql, *params)`` -> the single row (dict) or None."""

    def query(sql, *params):
        rows = q(sql, *params)
        assert len(rows) <= 1, rows
        return rows[0] if rows else None

    return query


@pytest.fixture
def count(q):
    def query(table, where="1 = 1", *params):
        return q(f"SELECT COUNT(*) AS n FROM {table} WHERE {where}", *params)[0]["n"]

    return query

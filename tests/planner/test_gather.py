"""Evidence from an analysis: units, links lifted to units, callbacks, data uses, entries."""

from __future__ import annotations

import textwrap
from pathlib import Path

from splitter.analyzer.project import analyze_path
from splitter.planner.evidence import Evidence
from splitter.planner.gather import evidence_from_analysis


def gather(tmp_path: Path, files: dict[str, str]) -> Evidence:
    """Write a small project and gather its evidence."""
    for name, text in files.items():
        path = tmp_path / "app" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return evidence_from_analysis(analyze_path(tmp_path / "app", cache_dir=None))


def test_nested_functions_and_lambdas_go_with_their_enclosing_unit(tmp_path: Path) -> None:
    evidence = gather(
        tmp_path,
        {
            "shop.py": """
                def helper():
                    return 1

                def outer():
                    def inner():
                        return helper()
                    key = lambda item: helper()
                    return inner(), key(0)

                class Cart:
                    def total(self):
                        return helper()

                print(outer())
            """
        },
    )
    assert [unit.name for unit in evidence.units] == [
        "shop.Cart.total",
        "shop.helper",
        "shop.outer",
    ]
    assert evidence.unit_index()["shop.Cart.total"].class_name == "shop.Cart"
    links = {(link.caller, link.callee) for link in evidence.links}
    assert links == {
        ("shop.outer", "shop.helper"),
        ("shop.Cart.total", "shop.helper"),
        (
            "shop",
            "shop.outer",
        ),
    }


def test_a_decorator_calling_what_it_decorates_is_a_callback_not_a_link(tmp_path: Path) -> None:
    evidence = gather(
        tmp_path,
        {
            "db.py": """
                import functools

                def transactional(func):
                    @functools.wraps(func)
                    def wrapper(*args):
                        return func(*args)
                    return wrapper
            """,
            "orders.py": """
                from db import transactional

                @transactional
                def create_order():
                    return 1

                def place_order():
                    return create_order()
            """,
        },
    )
    links = {(link.caller, link.callee) for link in evidence.links}
    assert ("db.transactional", "orders.create_order") not in links
    assert ("orders.place_order", "orders.create_order") in links
    assert {(c.caller, c.callee) for c in evidence.callbacks} == {
        ("db.transactional", "orders.create_order")
    }
    assert "orders.create_order" in evidence.transactions


def test_a_module_level_lambda_is_see_through(tmp_path: Path) -> None:
    evidence = gather(
        tmp_path,
        {
            "rates.py": """
                def flat(weight):
                    return 5

                RATES = {"flat": lambda weight: flat(weight)}

                def quote(kind, weight):
                    return RATES[kind](weight)
            """
        },
    )
    assert ("rates.quote", "rates.flat") in {(link.caller, link.callee) for link in evidence.links}
    assert "rates.<lambda1>" not in {unit.name for unit in evidence.units}


def test_tables_state_and_entries_are_lifted_to_units(tmp_path: Path) -> None:
    evidence = gather(
        tmp_path,
        {
            "repo.py": """
                import sqlite3

                CACHE = {}

                def save(conn, sku):
                    def run():
                        conn.execute("INSERT INTO products (sku) VALUES (?)", (sku,))
                    run()
                    CACHE[sku] = True

                if __name__ == "__main__":
                    save(sqlite3.connect(":memory:"), "x")
            """
        },
    )
    assert [(u.unit, u.resource, u.mode) for u in evidence.tables] == [
        ("repo.save", "products", "write")
    ]
    assert ("repo.save", "repo.CACHE") in {(u.unit, u.resource) for u in evidence.state}
    [entry] = evidence.entries
    assert (entry.unit, entry.caller, entry.kind) == ("", "repo", "main")

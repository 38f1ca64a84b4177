"""decomposition.toml covers every function, method and table of the shop exactly once.

Functions are found by reading the source with ``ast`` (never by importing it): every
module-level function and every method of a module-level class. Nested functions and lambdas
belong to their enclosing function and are not listed.
"""

import ast
import sqlite3
import tomllib
from pathlib import Path

import pytest

SAMPLE_ROOT = Path(__file__).resolve().parents[1]
PACKAGE = SAMPLE_ROOT / "shop"
DOMAINS = {"catalog", "customers", "inventory", "orders", "payments", "shipping", "invoicing",
           "notifications", "reporting"}


def module_name(path):
    parts = path.relative_to(SAMPLE_ROOT).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def defined_functions():
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = module_name(path)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                names.append(f"{module}.{node.name}")
            elif isinstance(node, ast.ClassDef):
                names.extend(
                    f"{module}.{node.name}.{item.name}"
                    for item in node.body
                    if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
                )
    return names


def load_sections():
    with open(SAMPLE_ROOT / "decomposition.toml", "rb") as handle:
        plan = tomllib.load(handle)
    sections = {f"domains.{name}": spec for name, spec in plan["domains"].items()}
    sections["shared"] = plan["shared"]
    return plan, sections


def matches(pattern, name):
    if pattern.endswith(".*"):
        return name.startswith(pattern[:-1])
    return name == pattern


@pytest.fixture(scope="module")
def sections():
    return load_sections()[1]


@pytest.fixture(scope="module")
def functions():
    found = defined_functions()
    assert len(found) > 250  # sanity: the walk found the code base
    return found


def test_domain_names():
    plan, _ = load_sections()
    assert set(plan["domains"]) == DOMAINS
    assert "tables" not in plan["shared"]


def test_every_function_belongs_to_exactly_one_section(sections, functions):
    problems = []
    for name in functions:
        owners = [section for section, spec in sections.items()
                  if any(matches(pattern, name) for pattern in spec["functions"])]
        if len(owners) != 1:
            problems.append((name, owners))
    assert problems == []


def test_no_stale_entries(sections, functions):
    stale = [pattern for spec in sections.values() for pattern in spec["functions"]
             if not any(matches(pattern, name) for name in functions)]
    assert stale == []


def test_every_table_belongs_to_exactly_one_domain(sections, seeded_template):
    conn = sqlite3.connect(seeded_template)
    tables = {row[0] for row in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")}
    conn.close()
    listed = [table for spec in sections.values() for table in spec.get("tables", [])]
    assert sorted(listed) == sorted(set(listed)), "a table is listed twice"
    assert set(listed) == tables


@pytest.mark.parametrize("workflow, domain", [
    ("shop.services.place_order", "orders"),
    ("shop.services.cancel_order", "orders"),
    ("shop.services.process_return", "orders"),
    ("shop.services.restock", "inventory"),
    ("shop.services.month_end_invoicing", "invoicing"),
    ("shop.api.place_order", "orders"),
    ("shop.api.restock", "inventory"),
    ("shop.api.month_end_invoicing", "invoicing"),
])
def test_workflows_and_their_routes_belong_to_their_domain(workflow, domain, sections):
    spec = sections[f"domains.{domain}"]
    assert any(matches(pattern, workflow) for pattern in spec["functions"])

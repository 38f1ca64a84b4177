"""Strings that name monolith code become references of the statements holding them."""

from __future__ import annotations

from splitter.generator.django_setup import find_project
from splitter.generator.statements import Reference
from splitter.generator.string_references import with_string_references
from tests.generator.test_django import facts_of

SETTINGS = """
import django

INSTALLED_APPS = ["django.contrib.auth", "shop.catalog.apps.CatalogConfig", "shop.orders"]
SECRET_KEY = "x"
"""

FILES = {
    "shop.settings": SETTINGS,
    "shop.catalog": "",
    "shop.catalog.apps": 'class CatalogConfig:\n    name = "shop.catalog"\n',
    "shop.catalog.models": "class Product:\n    pass\n",
    "shop.catalog.views": "class IndexView:\n    pass\n\nclass DetailView:\n    pass\n",
    "shop.catalog.defaults": "PAGE_SIZE = 10\n",
    "shop.orders": "",
    "shop.orders.models": "class Order:\n    pass\n",
    "shop.orders.defaults": "LIMIT = 3\n",
    "shop.payments": "class Gateway:\n    pass\n",
}


def references(code: str, django: bool = True) -> set[tuple[str, str | None]]:
    """The string references `code` (the module `shop.use`) gets, as (module, name)."""
    files = {**FILES, "shop.use": code}
    if not django:
        files.pop("shop.settings")
    facts = facts_of(files)
    project = find_project(facts) if django else None
    found = with_string_references(facts, project, skipped=frozenset({"shop.settings"}))
    known = set(facts["shop.use"].references)
    return {(r.module, r.name) for r in found["shop.use"].references if r not in known}


def test_a_dotted_path_names_a_module_or_one_of_its_names() -> None:
    code = 'GATEWAY = "shop.payments.Gateway"\nMODULE = "shop.orders.models"\n'
    assert references(code) == {("shop.payments", "Gateway"), ("shop.orders.models", None)}


def test_a_dotted_path_naming_nothing_of_the_monolith_is_no_reference() -> None:
    code = 'A = "shop.payments.Missing"\nB = "os.path.join"\nC = "a sentence. Another."\n'
    assert references(code) == set()


def test_a_relation_by_label_names_the_model() -> None:
    code = 'from django.db import models\nproduct = models.ForeignKey("catalog.Product")\n'
    assert references(code) == {("shop.catalog.models", "Product")}


def test_a_model_looked_up_by_label_and_name() -> None:
    code = 'from django.apps import apps\ndef f():\n    return apps.get_model("orders", "Order")\n'
    assert references(code) == {("shop.orders.models", "Order")}


def test_an_app_looked_up_by_label_names_its_config_or_its_package() -> None:
    code = (
        "from django.apps import apps\n"
        'A = apps.get_app_config("catalog")\n'
        'B = apps.get_app_config("orders")\n'
    )
    assert references(code) == {("shop.catalog.apps", "CatalogConfig"), ("shop.orders", None)}


def test_a_loader_naming_a_module_by_label_and_classes() -> None:
    code = (
        "from shop.loading import get_class, get_classes\n"
        'Index = get_class("catalog.views", "IndexView")\n'
        'Both = get_classes("catalog.views", ["IndexView", "DetailView"])\n'
    )
    assert references(code) == {
        ("shop.catalog.views", "IndexView"),
        ("shop.catalog.views", "DetailView"),
    }


def test_a_module_by_the_tail_of_its_name_only_when_one_module_ends_so() -> None:
    assert references('X = load("catalog.views", "IndexView")\n', django=False) == {
        ("shop.catalog.views", "IndexView")
    }
    assert references('X = load("models", "Order")\n', django=False) == set()


def test_a_submodule_of_every_installed_app() -> None:
    expected = {("shop.catalog.defaults", None), ("shop.orders.defaults", None)}
    for code in (
        'import_module("%s.defaults" % app)\n',
        'import_module(f"{app}.defaults")\n',
        'import_module(app + ".defaults")\n',
    ):
        assert references(f"from importlib import import_module\napp = 'x'\n{code}") == expected
    assert references('import_module(f"{app}.defaults")\n', django=False) == set()


def test_each_reference_belongs_to_the_statement_holding_the_string() -> None:
    facts = facts_of(
        {**FILES, "shop.use": 'import os\n\ndef f():\n    return "shop.payments.Gateway"\n'}
    )
    found = with_string_references(facts, find_project(facts))["shop.use"].references
    assert Reference(1, "shop.payments", "Gateway") in found


def test_the_settings_modules_are_left_as_they_are() -> None:
    facts = facts_of(FILES)
    found = with_string_references(facts, find_project(facts), skipped=frozenset({"shop.settings"}))
    assert found["shop.settings"] is facts["shop.settings"]

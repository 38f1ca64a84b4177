"""Django monoliths: the settings found, and every function set up with its own apps."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from splitter.generator.django_setup import (
    DjangoProject,
    app_labels,
    django_notes,
    find_project,
    installed_apps,
    settings_roots,
    uninstalled_notes,
)
from splitter.generator.statements import ModuleFacts, read_module
from splitter.generator.trees import KeptModule, TreePlan
from tests.conftest import DJANGO_SITE
from tests.generator.lint_check import split_findings
from tests.generator.test_carry import run_isolated, service_paths
from tests.generator.test_sam import lint_findings, offline, translated

SETTINGS = """
import os

SECRET_KEY = os.environ.get("KEY", "dev")
INSTALLED_APPS = ("django.contrib.auth", "shop.catalog.apps.CatalogConfig")
INSTALLED_APPS += ["shop.orders", "debug_toolbar"]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}}
"""

MODELS = """
from django.db import models


class Product(models.Model):
    name = models.CharField(max_length=10)
"""


def facts_of(files: dict[str, str]) -> dict[str, ModuleFacts]:
    known = frozenset(files) | {"shop"}
    return {
        module: read_module(text, module=module, path=f"{module}.py", is_package=False, known=known)
        for module, text in files.items()
    }


def test_the_settings_module_and_its_apps_are_found() -> None:
    facts = facts_of(
        {
            "shop.settings": SETTINGS,
            "shop.catalog.models": MODELS,
            "shop.catalog.apps": "class CatalogConfig: ...\n",
        }
    )
    project = find_project(facts)
    assert project == DjangoProject(
        settings="shop.settings",
        apps=(
            "django.contrib.auth",
            "shop.catalog.apps.CatalogConfig",
            "shop.orders",
            "debug_toolbar",
        ),
    )
    assert project.configs(facts) == {"shop.catalog": ("shop.catalog.apps", "CatalogConfig")}
    assert django_notes(project, frozenset({"shop", "shop.settings"})) == [
        "Django: the settings of shop.settings install apps of other libraries "
        "(debug_toolbar); add their distributions to layers/shared/requirements.txt"
    ]


def test_the_layer_keeps_what_the_settings_import_by_star_whole() -> None:
    """Django reads settings by name: nothing in the code says which defaults are used."""
    facts = facts_of(
        {
            "shop.settings": "from shop.defaults import *\n" + SETTINGS,
            "shop.defaults": "from shop.more import *\nPAGE_SIZE = 20\nCURRENCY = 'EUR'\n",
            "shop.more": "DEBUG_LEVEL = 1\n",
            "shop.unused": "OTHER = 2\n",
            "shop.catalog.models": MODELS,
        }
    )
    roots = settings_roots(find_project(facts), facts)
    assert sorted(roots) == ["shop.defaults", "shop.more", "shop.settings"]
    assert roots["shop.defaults"] == {"PAGE_SIZE", "CURRENCY"}
    assert {"INSTALLED_APPS", "DATABASES", "os"} <= roots["shop.settings"]


def test_a_package_that_only_lists_its_apps_is_not_a_settings_module() -> None:
    """As django-oscar's `oscar/__init__.py`: projects add its list to their own settings."""
    facts = facts_of({"shop": 'INSTALLED_APPS = ["shop.catalog"]\n', "shop.catalog.models": MODELS})
    project = find_project(facts)
    assert project == DjangoProject(settings=None)
    assert "no settings module found" in django_notes(project, frozenset({"shop"}))[0]


def test_code_that_does_not_import_django_is_no_django_project() -> None:
    assert find_project(facts_of({"shop.settings": SETTINGS.replace("django", "flask")})) is None


def test_only_literal_entries_are_read() -> None:
    tree = read_module(
        'INSTALLED_APPS = ["a", NAME, f"{x}.b", "c"]\nOTHER = ["d"]\n',
        module="m",
        path="m.py",
        is_package=False,
        known=frozenset(),
    ).tree
    assert installed_apps(tree) == ("a", "c")


@pytest.fixture
def site_tree(django_site_workdir: Path) -> Path:
    return django_site_workdir / "splitter-out"


def test_the_layer_carries_the_settings_and_each_service_its_setup(site_tree: Path) -> None:
    layer = site_tree / "layers" / "shared" / "python"
    assert (layer / "site_config" / "settings.py").is_file()
    carried = {
        "catalog": ["catalog.apps.CatalogConfig"],
        "orders": ["catalog.apps.CatalogConfig", "orders"],
    }
    for service, apps in carried.items():
        bootstrap = (site_tree / "services" / service / "splitter_django.py").read_text()
        assert 'DEFAULT_SETTINGS = "site_config.settings"' in bootstrap
        listed = "".join(f'    "{app}",\n' for app in apps)
        assert f"CARRIED_APPS = frozenset({{\n{listed}}})" in bootstrap
    assert "django" in (site_tree / "layers/shared/requirements.txt").read_text().split()
    template = (site_tree / "template.yaml").read_text()
    parameter = (
        "  DjangoSettingsModule:\n    Type: String\n"
        "    Description: DJANGO_SETTINGS_MODULE\n    Default: site_config.settings\n"
    )
    assert parameter in template


def test_handlers_set_django_up_before_importing_code(site_tree: Path) -> None:
    for name in ("handlers.py", "splitter_glue.py"):
        lines = (site_tree / "services" / "orders" / name).read_text().splitlines()
        imports = [line for line in lines if line.startswith("import ")]
        code = [line for line in lines if line.startswith("from orders")]
        assert imports[0].startswith("import splitter_django  # noqa: F401")
        assert lines.index(imports[0]) < lines.index(code[0]), name


def test_a_tree_carrying_models_carries_their_app_config(site_tree: Path) -> None:
    """orders names `Product` by its app's label (`apps.get_model("catalog", "Product")`):
    its function carries the model, so the app's AppConfig too, but not catalog's code."""
    services = site_tree / "services"
    assert (services / "catalog" / "catalog" / "apps.py").is_file()
    assert "class Product" in (services / "orders" / "catalog" / "models.py").read_text()
    assert (services / "orders" / "catalog" / "apps.py").is_file()
    client = (services / "orders" / "catalog" / "services.py").read_text()
    assert "price_of = splitter_remote.catalog_price_of" in client
    assert "Product.objects" not in client
    assert not (services / "catalog" / "orders").exists()


@pytest.mark.parametrize(
    ("service", "apps"),
    [
        ("catalog", ["django.contrib.contenttypes", "catalog.apps.CatalogConfig"]),
        ("orders", ["django.contrib.contenttypes", "catalog.apps.CatalogConfig", "orders"]),
    ],
)
def test_each_function_loads_only_the_apps_it_carries(
    site_tree: Path, service: str, apps: list[str], tmp_path: Path
) -> None:
    """Imported alone (its folder and the layer), Django is set up with the apps it carries."""
    script = (
        "import json, handlers\n"
        "from django.apps import apps\n"
        "from django.conf import settings\n"
        "labels = [a.label for a in apps.get_app_configs()]\n"
        "print(json.dumps([settings.INSTALLED_APPS, labels, settings.SITE_NAME]))"
    )
    env = {"SITE_DB_PATH": str(tmp_path / "site.db"), "DJANGO_SETTINGS_MODULE": ""}
    out = run_isolated(script, service_paths(site_tree, service), env)
    installed, labels, name = json.loads(out.splitlines()[-1])
    assert installed == apps
    assert labels == ["contenttypes", *(a.split(".")[0] for a in apps[1:])]
    assert name == "A small shop"  # from the defaults the settings import with `*`


@pytest.mark.usefixtures(offline.__name__)
def test_the_tree_passes_ruff_cfn_lint_and_the_sam_translator(site_tree: Path) -> None:
    split = split_findings(site_tree, DJANGO_SITE)
    assert split.generated == ()
    text = (site_tree / "template.yaml").read_text()
    assert lint_findings(text) == []
    assert translated(text)["Resources"]


def test_a_look_up_of_an_app_the_function_does_not_install_is_reported(
    django_site_workdir: Path,
) -> None:
    report = json.loads((django_site_workdir / "splitter-out/splitter-report.json").read_text())
    assert (
        "Django: catalog.services.order_rows looks up the app(s) orders by label, which the "
        "function(s) of 1 service(s) carrying it do not install (catalog): it fails there"
    ) in report["notes"]
    assert not [n for n in report["notes"] if "looks up" in n and "order_rows" not in n]


def test_app_labels_come_from_the_config_class() -> None:
    facts = facts_of(
        {
            "shop.settings": SETTINGS,
            "shop.catalog.models": MODELS,
            "shop.catalog.apps": 'class CatalogConfig:\n    name = "shop.catalog"\n'
            '    label = "shop_catalog"\n',
        }
    )
    project = find_project(facts)
    assert project is not None
    carried = ("shop.catalog.apps.CatalogConfig",)
    roots = frozenset({"shop"})
    assert app_labels(project, facts, carried, roots) == {"auth", "shop_catalog", "debug_toolbar"}
    assert app_labels(project, facts, (), roots) == {"auth", "debug_toolbar"}


def test_code_of_an_app_the_settings_do_not_install_is_reported() -> None:
    files = {
        "shop.settings": SETTINGS,
        "shop.catalog": "",
        "shop.catalog.models": MODELS,
        "shop.catalog.apps": 'class CatalogConfig:\n    name = "shop.catalog"\n',
        "shop.catalog.sub": "",
        "shop.catalog.sub.models": MODELS,
        "shop.reviews": "",
        "shop.reviews.models": MODELS,
        "shop.reviews.forms": "X = 1\n",
        "shop.reviews.migrations": "",
        "shop.helpers": "",
        "shop.helpers.models": "X = 1\n",  # helpers for models, not an app
    }
    facts = facts_of(files)
    project = find_project(facts)
    assert project is not None

    def tree(owner: str, *modules: str) -> TreePlan:
        kept = {m: KeptModule(m, "whole", frozenset(), frozenset()) for m in modules}
        return TreePlan(owner, kept)

    trees = {
        "catalog": tree(
            "catalog", "shop.catalog", "shop.catalog.models", "shop.catalog.sub.models"
        ),
        "reviews": tree("reviews", "shop.reviews", "shop.reviews.forms"),
        "other": tree("other", "shop.reviews", "shop.helpers", "shop.helpers.models"),
    }
    assert uninstalled_notes(project, facts, trees) == [
        "Django: shop.reviews is an app the settings (shop.settings) do not install, and the "
        "function(s) of 1 service(s) carry its code (reviews): its models cannot be imported "
        "there; add it to INSTALLED_APPS or leave its code out of the plan"
    ]

"""The shared layer: whole and partial modules, packages shared with services, errors, needs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from splitter.generator.carry import CarriedCode
from splitter.generator.copies import EXTEND_PATH
from tests.generator.lint_check import split_findings
from tests.generator.plans import SAMPLE_ROOT, sample_plan
from tests.generator.test_carry import (
    LAYER,
    carry_project,
    file_text,
    run_isolated,
    sample_code,
    service_paths,
    write_project,
    write_tree,
)

WHOLE = ("utils", "db", "config", "errors", "models")


@pytest.mark.parametrize("module", WHOLE)
def test_sample_modules_all_of_whose_code_is_shared_go_whole_into_the_layer(module: str) -> None:
    original = (SAMPLE_ROOT / "shop" / f"{module}.py").read_text(encoding="utf-8")
    header = f"# From shop/{module}.py of the monolith: carried whole.\n"
    assert file_text(sample_code(), f"{LAYER}/shop/{module}.py") == header + original


def test_sample_layer_holds_only_the_shared_part_of_mixed_modules() -> None:
    repository = file_text(sample_code(), f"{LAYER}/shop/repository.py")
    assert "def _conn():" in repository
    assert "def _placeholders(values):" in repository
    assert "from .db import get_connection" in repository
    assert "def get_product" not in repository
    assert "from .models" not in repository
    api = file_text(sample_code(), f"{LAYER}/shop/api.py")
    for kept in ("def status_for(", "def handle_shop_error(", "def json_body(", "def health("):
        assert kept in api
    assert "def place_order(" not in api


def test_sample_service_copies_of_mixed_modules_hold_the_shared_part_too() -> None:
    repository = file_text(sample_code(), "services/orders/shop/repository.py")
    assert "def _conn():" in repository
    assert "def _placeholders(values):" in repository
    assert "class OrderRepository:" in repository


def test_sample_packages_in_the_layer_and_a_service_extend_their_path() -> None:
    code = sample_code()
    assert EXTEND_PATH in file_text(code, f"{LAYER}/shop/__init__.py")
    for service in sample_plan().services:
        init = file_text(code, f"services/{service.name}/shop/__init__.py")
        assert EXTEND_PATH in init
        assert '__version__ = "4.12.3"' in init
    assert EXTEND_PATH not in file_text(code, "services/orders/shop/payments/__init__.py")


def test_sample_layer_requirements_and_errors() -> None:
    code = sample_code()
    assert file_text(code, "layers/shared/requirements.txt").splitlines()[1:] == ["flask"]
    remote = file_text(code, "services/orders/splitter_remote.py")
    assert '    "OutOfStock": "shop.errors",\n' in remote
    assert '    "ShopError": "shop.errors",\n' in remote


LAYER_IMPORTS = """
import importlib
import pathlib

folder = pathlib.Path(sys.path[0])
for path in sorted(folder.rglob("*.py")):
    name = ".".join(path.relative_to(folder).with_suffix("").parts).removesuffix(".__init__")
    try:
        importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name != "flask":
            raise
print("imported")
"""


def test_sample_layer_imports_on_its_own(tmp_path: Path) -> None:
    tree = write_tree(sample_code(), tmp_path)
    assert run_isolated(LAYER_IMPORTS, [tree / LAYER]).strip() == "imported"


# --------------------------------------------------------------------------- inline programs

SPLIT_PACKAGE = {
    "app/__init__.py": '"""App."""\n\nfrom .helpers import greet\n',
    "app/helpers.py": "def greet():\n    return 'hi'\n",
    "app/feature.py": "from . import greet\n\n\ndef run():\n    return greet() + '!'\n",
}


def test_extend_path_comes_first_when_the_package_imports_from_the_other_folder(
    tmp_path: Path,
) -> None:
    code = carry_project(tmp_path, SPLIT_PACKAGE, {"a": ["app.feature.*"]}, ["app.helpers.*"])
    init = file_text(code, "services/a/app/__init__.py")
    assert init.index(EXTEND_PATH) < init.index("from .helpers import greet  # noqa: E402")
    assert code.file("services/a/app/helpers.py") is None
    tree = write_tree(code, tmp_path / "out")
    printed = run_isolated(
        "from app import feature\nprint(feature.run())", service_paths(tree, "a")
    )
    assert printed.strip() == "hi!"


SERVICE_BOUND = {
    "app/__init__.py": "",
    "app/orders.py": """
        import sqlite3


        def total():
            return sqlite3.connect("shop.db").execute("SELECT count(*) FROM orders").fetchone()[0]


        def double(value):
            return value * 2
        """,
    "app/common.py": """
        from . import orders
        from .orders import double, total

        HOOKS = []
        HOOKS.append(orders.total)


        def report():
            return total() + 1


        def plain():
            return double(1)
        """,
    "app/summary.py": """
        from .common import report


        def summary():
            return report()


        def title():
            return "t"
        """,
    "app/billing.py": """
        from .common import plain
        from .summary import summary, title


        def bill():
            return summary() + plain(), title()
        """,
}
BILL = """
import json
import splitter_remote
from app import billing

calls = []
splitter_remote.set_invoker(lambda service, payload: calls.append([service, payload]) or 40)
print(json.dumps([billing.bill(), calls]))
"""


def carry_service_bound(tmp_path: Path) -> CarriedCode:
    services = {"orders": ["app.orders.*"], "billing": ["app.billing.*"]}
    return carry_project(tmp_path, SERVICE_BOUND, services, ["app.common.*", "app.summary.*"])


def test_shared_code_that_needs_a_service_s_data_is_left_out_of_the_layer(
    tmp_path: Path,
) -> None:
    code = carry_service_bound(tmp_path)
    common = file_text(code, f"{LAYER}/app/common.py")
    assert "def plain():" in common
    assert "from .orders import double\n" in common
    for gone in ("def report", "total", "from . import orders", "HOOKS.append"):
        assert gone not in common
    summary = file_text(code, f"{LAYER}/app/summary.py")
    assert "def title():" in summary
    assert "report" not in summary
    assert summary.startswith("# From app/summary.py of the monolith: the part every service")
    assert (
        "shared app.common.report needs app.orders.total, which a service owns: the shared "
        "layer leaves it out; each service that uses it carries its own copy" in code.notes
    )
    assert any(note.startswith("shared app.summary.summary needs") for note in code.notes)


def test_a_function_of_a_service_that_uses_no_data_is_copied_into_the_layer(
    tmp_path: Path,
) -> None:
    code = carry_service_bound(tmp_path)
    orders = file_text(code, f"{LAYER}/app/orders.py")
    assert "def double(value):" in orders
    assert "def total" not in orders
    assert (
        "function app.orders.double of another service is copied into billing, the shared "
        "layer: shared code, or code that runs on import, calls it and it uses no table, each "
        "copy runs on its own" in code.notes
    )


def test_a_service_using_it_carries_it_and_calls_the_owner_remotely(tmp_path: Path) -> None:
    code = carry_service_bound(tmp_path)
    assert "def report():" in file_text(code, "services/billing/app/common.py")
    assert "def summary():" in file_text(code, "services/billing/app/summary.py")
    orders = file_text(code, "services/billing/app/orders.py")
    assert "total = splitter_remote.orders_total" in orders
    tree = write_tree(code, tmp_path / "out")
    assert run_isolated("import app.common, app.summary", [tree / LAYER]) == ""
    bill, calls = json.loads(run_isolated(BILL, service_paths(tree, "billing")))
    assert bill == [43, "t"]
    assert calls == [["orders", {"operation": "total", "arguments": {}}]]


def test_the_layer_and_the_services_have_no_undefined_names(tmp_path: Path) -> None:
    monolith = write_project(tmp_path / "monolith", SERVICE_BOUND)
    tree = write_tree(carry_service_bound(tmp_path), tmp_path / "out")
    found = split_findings(tree, monolith, ["--select", "E,F,W", "--line-length", "120"])
    assert found.generated == found.monolith == ()


def test_a_module_of_shared_code_keeps_everything_in_the_layer(tmp_path: Path) -> None:
    text = (
        '"""Helpers."""\n\nimport json\n\nVERSION = 2\n\n\n'
        "def dump(value):\n    return json.dumps(value)\n"
    )
    files = {
        "app/__init__.py": "",
        "app/helpers.py": text,
        "app/a.py": "def run():\n    return 1\n",
    }
    code = carry_project(tmp_path, files, {"a": ["app.a.*"]}, ["app.helpers.*"])
    header = "# From app/helpers.py of the monolith: carried whole.\n"
    assert file_text(code, f"{LAYER}/app/helpers.py") == header + text


def test_requirements_name_the_distributions_the_carried_code_imports(tmp_path: Path) -> None:
    files = {
        "app/__init__.py": "",
        "app/config.py": "import yaml\n\n\ndef load(text):\n    return yaml.safe_load(text)\n",
        "app/a.py": "import json\n\nimport requests\n\n\ndef run():\n    return requests, json\n",
    }
    code = carry_project(tmp_path, files, {"a": ["app.a.*"]}, ["app.config.*"])
    assert file_text(code, "layers/shared/requirements.txt").splitlines()[1:] == ["PyYAML"]
    assert file_text(code, "services/a/requirements.txt").splitlines()[3].startswith("requests  #")


def test_the_layer_errors_are_found_through_their_bases(tmp_path: Path) -> None:
    files = {
        "app/__init__.py": "",
        "app/errors.py": """
            from lib import LibraryError


            class Base(Exception):
                pass


            class Child(Base):
                pass


            class Wrapped(LibraryError):
                pass


            class Valued(ValueError):
                pass


            class Plain:
                pass
            """,
        "app/a.py": "from .b import second\n\n\ndef first():\n    return second()\n",
        "app/b.py": "def second():\n    return 2\n",
    }
    code = carry_project(tmp_path, files, {"a": ["app.a.*"], "b": ["app.b.*"]}, ["app.errors.*"])
    remote = file_text(code, "services/a/splitter_remote.py")
    for name in ("Base", "Child", "Wrapped", "Valued"):
        assert f'    "{name}": "app.errors",\n' in remote
    assert '"Plain"' not in remote


IMPORT_TIME = {
    "app/__init__.py": "",
    "app/kinds.py": """
        import sqlite3

        def base_for(cls):
            return type("Based", (cls,), {})

        def stored_base(cls):
            sqlite3.connect("kinds.db").execute("SELECT name FROM kinds")
            return cls
        """,
    "app/admin.py": """
        from app.kinds import base_for, stored_base

        class Inline(base_for(object)):
            pass

        class Stored(stored_base(object)):
            pass

        def later():
            return base_for(int)
        """,
}


def test_code_run_on_import_gets_a_copy_of_another_service_s_data_free_function(
    tmp_path: Path,
) -> None:
    """A class's base computed on import cannot wait on another Lambda function; a function
    that uses a table still goes through the client."""
    services = {"kinds": ["app.kinds.*"], "admin": ["app.admin.*"]}
    code = carry_project(tmp_path, IMPORT_TIME, services)
    kinds = file_text(code, "services/admin/app/kinds.py")
    assert "def base_for(cls):" in kinds
    assert "stored_base = splitter_remote.kinds_stored_base" in kinds
    assert "def stored_base" not in kinds
    assert any(
        note.startswith("function app.kinds.base_for of another service is copied into admin")
        for note in code.notes
    )

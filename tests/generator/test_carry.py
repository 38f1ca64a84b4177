"""Carrying each service's code: partial copies, calls rebound to clients, notes, the sample."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path

import pytest

from splitter.analyzer.model import Analysis
from splitter.analyzer.project import analyze_path
from splitter.errors import GenerationError
from splitter.generator.carry import CarriedCode, carry_services
from splitter.planner.plan import Plan, Service, SharedLibrary
from tests.generator.plans import SAMPLE_ROOT, sample_plan

GOLDEN = Path(__file__).parent / "golden"
LAYER = "layers/shared/python"
SAMPLE_OPERATIONS = {
    "inventory": (
        "shop.services.add_stock",
        "shop.services.allocate_back_order",
        "shop.services.request_back_order",
    )
}
"""Task targets a workflow translation would ask for, so the tests can call them."""

# --------------------------------------------------------------------------- helpers


def read_sources(root: Path, analysis: Analysis) -> dict[str, str]:
    return {m.path: (root / m.path).read_text(encoding="utf-8") for m in analysis.modules}


def write_project(root: Path, files: Mapping[str, str]) -> Path:
    """Write an inline monolith: relative path -> source (dedented)."""
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def plan_of(root: Path, services: Mapping[str, Sequence[str]], shared: Sequence[str] = ()) -> Plan:
    return Plan(
        root=str(root),
        services=tuple(Service(name, tuple(members)) for name, members in services.items()),
        shared=SharedLibrary(tuple(shared)),
    )


def carry_project(
    tmp_path: Path,
    files: Mapping[str, str],
    services: Mapping[str, Sequence[str]],
    shared: Sequence[str] = (),
    **options: object,
) -> CarriedCode:
    """Analyze an inline monolith and carry it under a plan of `services` and `shared`."""
    root = write_project(tmp_path / "monolith", files)
    analysis = analyze_path(root, cache_dir=None)
    plan = plan_of(root, services, shared)
    return carry_services(plan, analysis, read_sources(root, analysis), **options)  # type: ignore[arg-type]


def write_tree(code: CarriedCode, root: Path) -> Path:
    for generated in code.files:
        path = root / generated.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(generated.content, encoding="utf-8")
    return root


def run_isolated(code: str, paths: Sequence[Path], env: Mapping[str, str] | None = None) -> str:
    """Run `code` in a fresh interpreter that sees only `paths` and the installed libraries;
    returns its stdout, fails the test with its stderr."""
    script = f"import sys\nsys.path[:0] = {[str(p) for p in paths]!r}\n{code}"
    done = subprocess.run(
        [sys.executable, "-I", "-c", script],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def service_paths(tree: Path, service: str) -> list[Path]:
    return [tree / "services" / service, tree / LAYER]


def file_text(code: CarriedCode, path: str) -> str:
    generated = code.file(path)
    assert generated is not None, f"{path} not generated; there are {[f.path for f in code.files]}"
    return generated.content


def check_golden(path: str, content: str) -> None:
    """Compare with `golden/<path>.golden`; SPLITTER_UPDATE_GOLDEN=1 rewrites it."""
    golden = GOLDEN / f"{path}.golden"
    if os.environ.get("SPLITTER_UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(content, encoding="utf-8")
    assert golden.exists(), f"no {golden}: run with SPLITTER_UPDATE_GOLDEN=1"
    assert content == golden.read_text(encoding="utf-8"), f"{path} differs from its golden file"


@cache
def sample_analysis() -> Analysis:
    return analyze_path(SAMPLE_ROOT, cache_dir=None)


@cache
def sample_code(granularity: str = "service") -> CarriedCode:
    """The sample carried under its intended split, with its five workflows."""
    analysis = sample_analysis()
    return carry_services(
        sample_plan(),
        analysis,
        read_sources(SAMPLE_ROOT, analysis),
        granularity=granularity,
        extra_operations=SAMPLE_OPERATIONS,
    )


@pytest.fixture(scope="module")
def sample_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tree(sample_code(), tmp_path_factory.mktemp("sample"))


# --------------------------------------------------------------------------- partial copies

SHOP = {
    "app/__init__.py": '"""The app."""\n',
    "app/mod.py": '''
        """Two areas in one module."""

        import json
        import os

        LIMIT = 3  # used by a only
        UNUSED = 4


        # Section of area a.
        def a_first(value):
            """Area a."""
            return json.dumps(value)[:LIMIT]


        def b_first():
            return os.getcwd()
        ''',
}


def test_a_copy_keeps_the_docstring_comments_and_only_what_its_code_uses(tmp_path: Path) -> None:
    code = carry_project(tmp_path, SHOP, {"a": ["app.mod.a_first"], "b": ["app.mod.b_first"]})
    text = file_text(code, "services/a/app/mod.py")
    assert text.startswith("# From app/mod.py of the monolith: the a service's part.\n")
    assert '"""Two areas in one module."""' in text
    assert "# Section of area a.\ndef a_first(value):" in text
    assert "LIMIT = 3  # used by a only" in text
    assert "import json" in text
    for gone in ("import os", "UNUSED", "def b_first"):
        assert gone not in text
    assert "import os" in file_text(code, "services/b/app/mod.py")
    compile(text, "mod.py", "exec")


REMOTE_FORMS = {
    "a call to a function of the same module": {
        "app/mod.py": """
            def a_first():
                return b_first(2)


            def b_first(value):
                return value * 10
            """,
    },
    "a call through the module": {
        "app/mod.py": """
            from . import other


            def a_first():
                return other.b_first(2)
            """,
        "app/other.py": """
            def b_first(value):
                return value * 10
            """,
    },
    "a call to an imported name": {
        "app/mod.py": """
            from .other import b_first


            def a_first():
                return b_first(2)
            """,
        "app/other.py": """
            def b_first(value):
                return value * 10
            """,
    },
}
INVOKED = """
import json
import handlers
import splitter_remote

calls = []


def invoker(service, payload):
    calls.append([service, payload])
    return 99


splitter_remote.set_invoker(invoker)
result = handlers.handle({"operation": "a_first", "arguments": {}}, None)
print(json.dumps([result, calls]))
"""


@pytest.mark.parametrize("form", sorted(REMOTE_FORMS))
def test_a_call_into_another_service_goes_through_its_client(form: str, tmp_path: Path) -> None:
    files = {"app/__init__.py": "", **REMOTE_FORMS[form]}
    module = "app.mod" if "same module" in form else "app.other"
    services = {"a": ["app.mod.a_first"], "b": [f"{module}.b_first"]}
    code = carry_project(tmp_path, files, services, extra_operations={"a": ["app.mod.a_first"]})
    copy = file_text(code, f"services/a/{module.replace('.', '/')}.py")
    assert "b_first = splitter_remote.b_b_first" in copy
    assert "return value * 10" not in copy
    assert "def b_b_first(value: Any) -> Any:" in file_text(code, "services/a/splitter_remote.py")
    assert [op.name for op in code.operations["b"]] == ["b_first"]
    assert [(c.caller, c.callee) for c in code.remote_calls] == [
        ("app.mod.a_first", f"{module}.b_first")
    ]
    tree = write_tree(code, tmp_path / "out")
    result = json.loads(run_isolated(INVOKED, service_paths(tree, "a")))
    assert result == [99, [["b", {"operation": "b_first", "arguments": {"value": 2}}]]]


def test_nested_functions_lambdas_and_decorators_stay_with_their_function(tmp_path: Path) -> None:
    files = {
        "app/__init__.py": "",
        "app/tools.py": """
            import functools


            def logged(func):
                @functools.wraps(func)
                def wrapper(*args):
                    return func(*args)

                return wrapper
            """,
        "app/mod.py": """
            from .tools import logged

            KEY = lambda item: -item  # noqa: E731


            @logged
            def a_first(items):
                def double(value):
                    return value * 2

                return sorted(map(double, items), key=KEY)


            def b_first():
                return sorted([3, 1], key=lambda x: x)
            """,
    }
    services = {"a": ["app.mod.a_first"], "b": ["app.mod.b_first"]}
    code = carry_project(tmp_path, files, services, shared=["app.tools.*"])
    text = file_text(code, "services/a/app/mod.py")
    assert "from .tools import logged" in text
    assert "@logged\ndef a_first(items):\n    def double(value):" in text
    assert "KEY = lambda item: -item" in text
    assert "b_first" not in text
    assert "def logged(func):" in file_text(code, f"{LAYER}/app/tools.py")


def test_a_class_split_between_services_goes_whole_to_each_with_a_note(tmp_path: Path) -> None:
    files = {
        "app/__init__.py": "",
        "app/mod.py": """
            class Account:
                def open(self):
                    return "open"

                def close(self):
                    return "closed"
            """,
    }
    services = {"a": ["app.mod.Account.open"], "b": ["app.mod.Account.close"]}
    code = carry_project(tmp_path, files, services)
    for service in ("a", "b"):
        assert "def open(self):" in file_text(code, f"services/{service}/app/mod.py")
        assert "def close(self):" in file_text(code, f"services/{service}/app/mod.py")
    assert any(n.startswith("class app.mod.Account has methods in a, b") for n in code.notes)


def test_module_state_used_by_two_services_is_copied_to_both_and_noted(tmp_path: Path) -> None:
    files = {
        "app/__init__.py": "",
        "app/mod.py": """
            _SEEN = {}


            def a_first(key):
                _SEEN[key] = True


            def b_first(key):
                return key in _SEEN
            """,
    }
    code = carry_project(tmp_path, files, {"a": ["app.mod.a_first"], "b": ["app.mod.b_first"]})
    assert "_SEEN = {}" in file_text(code, "services/a/app/mod.py")
    assert "_SEEN = {}" in file_text(code, "services/b/app/mod.py")
    assert any(n.startswith("module state app.mod._SEEN is kept in a, b") for n in code.notes)


def test_functions_in_no_plan_section_are_copied_where_used_and_noted(tmp_path: Path) -> None:
    files = {
        "app/__init__.py": "",
        "app/mod.py": """
            def helper():
                return 1


            def a_first():
                return helper()
            """,
    }
    code = carry_project(tmp_path, files, {"a": ["app.mod.a_first"]})
    assert "def helper():" in file_text(code, "services/a/app/mod.py")
    assert "app.mod.helper is in no section of the plan: copied into a" in code.notes


def test_a_missing_source_is_a_note(tmp_path: Path) -> None:
    root = write_project(tmp_path / "monolith", SHOP)
    analysis = analyze_path(root, cache_dir=None)
    sources = {k: v for k, v in read_sources(root, analysis).items() if k != "app/mod.py"}
    code = carry_services(plan_of(root, {"a": ["app.mod.a_first"]}), analysis, sources)
    assert "app/mod.py: no source given, nothing of app.mod is carried" in code.notes


def test_an_unknown_granularity_is_an_error_naming_the_choices(tmp_path: Path) -> None:
    with pytest.raises(GenerationError) as raised:
        carry_project(tmp_path, SHOP, {"a": ["app.mod.a_first"]}, granularity="function")
    assert "--granularity operation" in raised.value.hint


def test_carrying_is_deterministic(tmp_path: Path) -> None:
    services = {"a": ["app.mod.a_first"], "b": ["app.mod.b_first"]}
    first = carry_project(tmp_path / "one", SHOP, services)
    second = carry_project(tmp_path / "two", SHOP, services)
    assert first == second
    assert [f.path for f in first.files] == sorted(f.path for f in first.files)


# --------------------------------------------------------------------------- the sample


def test_sample_every_python_file_compiles_and_passes_ruff(sample_tree: Path) -> None:
    python = sorted(sample_tree.rglob("*.py"))
    assert len(python) > 60
    for path in python:
        compile(path.read_text(encoding="utf-8"), str(path), "exec")
    ruff = [sys.executable, "-m", "ruff", "check", "--no-cache", "--isolated", "--quiet"]
    options = ["--select", "E,F,W", "--line-length", "120", str(sample_tree)]
    done = subprocess.run([*ruff, *options], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


IMPORT_ALL = """
import importlib
import pathlib

folder = pathlib.Path(sys.path[0])
requirements = (folder / "requirements.txt").read_text().splitlines()
declared = {line.split()[0].lower() for line in requirements if line and line[0] != "#"}
for path in sorted(folder.rglob("*.py")):
    name = ".".join(path.relative_to(folder).with_suffix("").parts).removesuffix(".__init__")
    try:
        importlib.import_module(name)
    except ModuleNotFoundError as error:
        if (error.name or "").lower() not in declared:  # a requirement not installed here
            raise
import handlers

print(len(handlers.HANDLERS))
"""


@pytest.mark.slow
@pytest.mark.parametrize("service", [s.name for s in sample_plan().services])
def test_sample_each_service_imports_with_only_its_folder_and_the_layer(
    service: str, sample_tree: Path
) -> None:
    count = run_isolated(IMPORT_ALL, service_paths(sample_tree, service))
    assert int(count) == len(sample_code().operations[service])


def test_sample_remaining_calls_between_services() -> None:
    calls = sample_code().remote_calls
    assert len(calls) == 44
    pairs = {(c.caller, c.callee) for c in calls}
    assert ("shop.services.place_order", "shop.pricing.quote_items") in pairs
    assert ("shop.services.allocate_back_order", "shop.repository.get_customer") in pairs
    assert all(c.services[0] != c.services[1] for c in calls)


def test_sample_transactions_that_now_call_other_services_are_noted() -> None:
    assert any(
        n.startswith(
            "shop.services.create_order (orders) runs in a transaction but calls "
            "shop.repository.adjust_reserved of inventory"
        )
        for n in sample_code().notes
    )


def test_sample_orders_copy_of_services_matches_its_golden_file() -> None:
    path = "services/orders/shop/services.py"
    text = file_text(sample_code(), path)
    assert "reserve_stock = splitter_remote.inventory_reserve_stock" in text
    assert "def reserve_stock(" not in text
    check_golden(path, text)


def test_sample_a_module_only_another_service_owns_holds_just_its_clients() -> None:
    text = file_text(sample_code(), "services/orders/shop/pricing.py")
    assert (
        text.splitlines()[0] == "# From shop/pricing.py of the monolith: the orders service's part."
    )
    assert text.rstrip().endswith("quote_items = splitter_remote.catalog_quote_items")
    assert "def " not in text

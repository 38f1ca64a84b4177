"""Handlers and clients: events in and JSON out, the sample against the monolith, hostile names."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from splitter.generator.carry import CarriedCode
from splitter.generator.deployment import callee_variable
from tests.generator.plans import SAMPLE_ROOT
from tests.generator.test_carry import (
    carry_project,
    check_golden,
    file_text,
    run_isolated,
    sample_code,
    service_paths,
    write_tree,
)

FIXED_NOW = "2024-06-03T10:00:00"

SERVE = r'''
import json
import os
import subprocess
import sys

config = json.loads(sys.argv[1])
sys.path[:0] = [config["folder"], config["layer"]]
os.environ["SHOP_DB_PATH"] = config["db"]
from shop.utils import clock

clock.set_now(config["now"])
import handlers

try:
    import splitter_remote
except ModuleNotFoundError:
    splitter_remote = None


def invoker(service, payload):
    """Each callee runs in its own interpreter: every service has its own `shop` package."""
    child = dict(config, folder=os.path.join(config["services"], service), events=[payload])
    run = [sys.executable, "-I", "-c", config["script"], json.dumps(child)]
    done = subprocess.run(run, capture_output=True, text=True, check=True)
    answer = json.loads(done.stdout.splitlines()[-1])[0]
    if "errorType" in answer:
        splitter_remote.raise_remote_error(answer)
    return answer["result"]


if splitter_remote is not None:
    splitter_remote.set_invoker(invoker)
answers = []
for event in config["events"]:
    try:
        answers.append({"result": json.loads(json.dumps(handlers.handle(event, None)))})
    except Exception as error:
        answers.append({"errorType": type(error).__name__, "errorMessage": str(error)})
print(json.dumps(answers))
'''
"""Runs events through a service's `handlers.handle`, other services answering remote calls."""

MONOLITH = r"""
import importlib
import json
import os
import sys

config = json.loads(sys.argv[1])
sys.path[:0] = [config["root"]]
os.environ["SHOP_DB_PATH"] = config["db"]
from pydantic_core import to_jsonable_python
from shop.utils import clock

clock.set_now(config["now"])
answers = []
for function, arguments in config["calls"]:
    module, _, name = function.rpartition(".")
    try:
        result = getattr(importlib.import_module(module), name)(**arguments)
        answers.append({"result": json.loads(json.dumps(to_jsonable_python(result)))})
    except Exception as error:
        answers.append({"errorType": type(error).__name__, "errorMessage": str(error)})
print(json.dumps(answers))
"""
"""Makes the same calls on the monolith itself."""

DUMP = """
import json
import sqlite3
from shop import db

print(json.dumps(db.dump_tables(sqlite3.connect(sys.argv[-1]))))
"""


def run_script(script: str, config: dict[str, Any]) -> list[dict[str, Any]]:
    run = [sys.executable, "-I", "-c", script, json.dumps(config)]
    done = subprocess.run(run, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    answers: list[dict[str, Any]] = json.loads(done.stdout.splitlines()[-1])
    return answers


def dump_database(path: Path) -> Any:
    code = DUMP.replace("sys.argv[-1]", repr(str(path)))
    return json.loads(run_isolated(code, [SAMPLE_ROOT]))


@pytest.fixture(scope="module")
def sample_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tree(sample_code(), tmp_path_factory.mktemp("sample"))


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("seed") / "shop.db"
    run_isolated(f"from shop import db\ndb.seed({str(path)!r})", [SAMPLE_ROOT])
    return path


Scenario = tuple[str, list[tuple[str, dict[str, Any]]]]
SCENARIOS: dict[str, Scenario] = {
    "inventory reserves stock": (
        "inventory",
        [("shop.services.reserve_stock", {"items": [{"sku": "KIT-003", "qty": 2}]})],
    ),
    "inventory restocks, allocating back orders across four services": (
        "inventory",
        [("shop.services.restock", {"sku_quantities": {"GAR-003": 4, "LIT-001": 2}})],
    ),
    "a remote error comes back as its own class": (
        "inventory",
        [("shop.services.request_back_order", {"customer_id": 7, "sku": "gar-003", "qty": 1})],
    ),
    "remote results are rebuilt as the monolith's data classes": (
        "inventory",
        [
            ("shop.services.add_stock", {"sku": "LIT-001", "qty": 5}),
            ("shop.services.allocate_back_order", {"back_order_id": 3}),
            ("shop.services.allocate_back_order", {"back_order_id": 5}),
        ],
    ),
    "orders reads the loyalty points from customers": (
        "orders",
        [("shop.orders.get_order_summary", {"order_id": 3})],
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_sample_handlers_answer_as_the_monolith_does(
    scenario: str, sample_tree: Path, seeded: Path, tmp_path: Path
) -> None:
    service, calls = SCENARIOS[scenario]
    split_db, monolith_db = tmp_path / "split.db", tmp_path / "monolith.db"
    for copy in (split_db, monolith_db):
        shutil.copyfile(seeded, copy)
    names = {op.function: op.name for op in sample_code().operations[service]}
    events = [{"operation": names[f], "arguments": arguments} for f, arguments in calls]
    folders = {
        "services": str(sample_tree / "services"),
        "layer": str(sample_tree / "layers/shared/python"),
    }
    config = {**folders, "folder": f"{folders['services']}/{service}", "script": SERVE}
    got = run_script(SERVE, {**config, "db": str(split_db), "now": FIXED_NOW, "events": events})
    want = run_script(
        MONOLITH,
        {"root": str(SAMPLE_ROOT), "db": str(monolith_db), "now": FIXED_NOW, "calls": calls},
    )
    assert got == want
    assert dump_database(split_db) == dump_database(monolith_db)


def test_sample_inventory_handlers_match_their_golden_file() -> None:
    check_golden(
        "services/inventory/handlers.py", file_text(sample_code(), "services/inventory/handlers.py")
    )


def test_sample_inventory_clients_match_their_golden_file() -> None:
    path = "services/inventory/splitter_remote.py"
    check_golden(path, file_text(sample_code(), path))


def test_sample_operations_carry_their_signature_and_handler() -> None:
    operations = {op.name: op for op in sample_code().operations["inventory"]}
    reserve = operations["reserve_stock"]
    assert reserve.function == "shop.services.reserve_stock"
    assert [(p.name, p.default) for p in reserve.parameters] == [
        ("items", None),
        ("customer_id", "None"),
    ]
    assert reserve.handler == "handlers.handle_reserve_stock"
    assert operations["reservations_by_reference"].returns == "list[Reservation]"
    assert "services_restock" in operations  # shop.api.restock is inventory's too


def test_sample_requirements_pin_the_handler_libraries() -> None:
    text = file_text(sample_code(), "services/payments/requirements.txt")
    assert text.splitlines()[1:] == ["aws-lambda-powertools>=3,<4", "pydantic>=2.7,<3"]


# --------------------------------------------------------------------------- inline programs

TYPED = {
    "app/__init__.py": "",
    "app/calc.py": '''
        """Dates and money."""

        from datetime import date, timedelta
        from decimal import Decimal
        from enum import Enum


        class Unit(Enum):
            DAY = "day"
            WEEK = "week"


        def due(start: date, count: int = 1, unit: Unit = Unit.DAY) -> date:
            return start + timedelta(days=count * (7 if unit is Unit.WEEK else 1))


        def total(prices: list[Decimal], /, *extra: Decimal, **named: Decimal) -> Decimal:
            return sum([*prices, *extra, *named.values()], Decimal(0))
        ''',
}
CALL = """
import json
import handlers

for event in {events!r}:
    try:
        print(json.dumps(handlers.handle(event, None)))
    except Exception as error:
        print(type(error).__name__)
try:
    handlers.handle_due({{"operation": "total", "arguments": {{}}}}, None)
except handlers.UnknownOperation as error:
    print("mismatch:", error)
"""


def test_arguments_are_converted_to_the_annotated_types_and_results_to_json(tmp_path: Path) -> None:
    services = {"calc": ["app.calc.*"]}
    extra = {"calc": ["app.calc.due", "app.calc.total"]}
    code = carry_project(tmp_path, TYPED, services, extra_operations=extra)
    tree = write_tree(code, tmp_path / "out")
    events = [
        {"operation": "due", "arguments": {"start": "2024-02-27", "count": "3"}},
        {"operation": "due", "arguments": {"start": "2024-02-27", "unit": "week"}},
        {
            "operation": "total",
            "arguments": {"prices": ["1.10", 2], "extra": ["0.05"], "named": {"tip": "1"}},
        },
        {"operation": "due", "arguments": {"count": 2}},
        {"operation": "nothing", "arguments": {}},
    ]
    printed = run_isolated(CALL.format(events=events), service_paths(tree, "calc")).splitlines()
    assert printed[:5] == [
        '"2024-03-01"',
        '"2024-03-05"',
        '"4.15"',
        "ValidationError",
        "UnknownOperation",
    ]
    assert printed[5] == "mismatch: this handler serves 'due', not 'total'"


CLIENTS = """
import json
import splitter_remote

sent = []
splitter_remote.set_invoker(lambda service, payload: sent.append([service, payload]) or {reply!r})
print(json.dumps(repr(splitter_remote.calc_due("2024-01-01"))))
print(json.dumps(sent))
"""


def test_a_client_leaves_out_optional_arguments_and_rebuilds_typed_results(tmp_path: Path) -> None:
    files = {
        **TYPED,
        "app/billing.py": """
            from .calc import due


            def bill(start):
                return due(start)
            """,
    }
    services = {"calc": ["app.calc.*"], "billing": ["app.billing.*"]}
    code = carry_project(tmp_path, files, services, shared=[])
    tree = write_tree(code, tmp_path / "out")
    printed = run_isolated(CLIENTS.format(reply="2024-01-02"), service_paths(tree, "billing"))
    result, sent = (json.loads(line) for line in printed.splitlines())
    assert result == "datetime.date(2024, 1, 2)"  # rebuilt from its return annotation
    assert sent == [["calc", {"operation": "due", "arguments": {"start": "2024-01-01"}}]]


DATA_CLASS = {
    "app/__init__.py": "",
    "app/models.py": """
        from dataclasses import dataclass


        @dataclass
        class Record:
            n: int
        """,
    "app/store.py": """
        from .models import Record


        def load(n: int) -> Record:
            return Record(n)
        """,
    "app/use.py": """
        from .store import load


        def show(n):
            return load(n).n
        """,
}

DATA_CLIENT = """
import splitter_remote

splitter_remote.set_invoker(lambda service, payload: {"n": 3})
print(repr(splitter_remote.store_load(3)))
"""


def test_a_client_rebuilds_a_data_class_result(tmp_path: Path) -> None:
    services = {"store": ["app.store.*"], "use": ["app.use.*"]}
    code = carry_project(tmp_path, DATA_CLASS, services, shared=["app.models.*"])
    tree = write_tree(code, tmp_path / "out")
    printed = run_isolated(DATA_CLIENT, service_paths(tree, "use"))
    assert printed.strip() == "Record(n=3)"


ERRORS = """
import splitter_remote

refused = {{"errorType": "Refused", "errorMessage": "no"}}
for error in (refused, {{"errorType": "KeyError", "errorMessage": "x"}}):
    try:
        splitter_remote.raise_remote_error(error)
    except Exception as raised:
        remote = isinstance(raised, splitter_remote.RemoteError)
        print(type(raised).__module__, type(raised).__name__, raised, remote)
"""


def test_remote_errors_are_raised_as_the_layer_class_or_by_their_name(tmp_path: Path) -> None:
    files = {
        "app/__init__.py": "",
        "app/errors.py": """
            class Refused(Exception):
                pass
            """,
        "app/a.py": """
            from . import b


            def first():
                return b.second()
            """,
        "app/b.py": """
            from .errors import Refused


            def second():
                raise Refused("no")
            """,
    }
    services = {"a": ["app.a.*"], "b": ["app.b.*"]}
    code = carry_project(tmp_path, files, services, shared=["app.errors.*"])
    tree = write_tree(code, tmp_path / "out")
    printed = run_isolated(ERRORS.format(), service_paths(tree, "a")).splitlines()
    # an error class the layer does not hold keeps its name, so Catch and the caller's report see it
    assert printed == ["app.errors Refused no False", "splitter_remote KeyError x True"]


LAMBDA = """
import io
import json
import os
import splitter_remote


class FakeLambda:
    def __init__(self):
        self.calls = []

    def invoke(self, FunctionName, Payload):
        self.calls.append([FunctionName, json.loads(Payload)])
        if len(self.calls) == 2:
            body = {{"errorType": "Refused", "errorMessage": "no"}}
            payload = io.BytesIO(json.dumps(body).encode())
            return {{"FunctionError": "Unhandled", "Payload": payload}}
        return {{"Payload": io.BytesIO(b'{{"ok": true}}')}}


fake = FakeLambda()
splitter_remote.lambda_client = lambda: fake
os.environ[{variable!r}] = "arn:aws:lambda:eu-west-1:123456789012:function:b"
print(json.dumps(splitter_remote.b_second(1)))
try:
    splitter_remote.b_second(2)
except Exception as error:
    print(type(error).__name__)
print(json.dumps(fake.calls))
"""


@pytest.mark.parametrize("granularity", ["service", "operation"])
def test_the_lambda_client_reads_the_function_from_the_callee_variable(
    granularity: str, tmp_path: Path
) -> None:
    files = {
        "app/__init__.py": "",
        "app/errors.py": "class Refused(Exception):\n    pass\n",
        "app/a.py": "from . import b\n\n\ndef first():\n    return b.second(1)\n",
        "app/b.py": "def second(value):\n    return value\n",
    }
    services = {"a": ["app.a.*"], "b": ["app.b.*"]}
    code = carry_project(tmp_path, files, services, ["app.errors.*"], granularity=granularity)
    tree = write_tree(code, tmp_path / "out")
    variable = callee_variable("b", "second" if granularity == "operation" else None)
    printed = run_isolated(LAMBDA.format(variable=variable), service_paths(tree, "a")).splitlines()
    arn = "arn:aws:lambda:eu-west-1:123456789012:function:b"
    assert printed[:2] == ['{"ok": true}', "Refused"]
    assert json.loads(printed[2])[0] == [arn, {"operation": "second", "arguments": {"value": 1}}]


def test_an_operation_the_analysis_does_not_know_passes_its_arguments_on(tmp_path: Path) -> None:
    files = {"app/__init__.py": "", "app/a.py": "def first():\n    return 1\n"}
    extra = {"a": ["splitter_glue.place_order_glue_1"]}
    code = carry_project(tmp_path, files, {"a": ["app.a.*"]}, extra_operations=extra)
    tree = write_tree(code, tmp_path / "out")
    glue = "def place_order_glue_1(variables):\n    return {'total': sum(variables['prices'])}\n"
    (tree / "services/a/splitter_glue.py").write_text(glue, encoding="utf-8")
    event = {"operation": "place_order_glue_1", "arguments": {"variables": {"prices": [1, 2]}}}
    printed = run_isolated(
        f"import handlers\nprint(handlers.handle({event!r}, None))", service_paths(tree, "a")
    )
    assert printed.strip() == "{'total': 3}"


# --------------------------------------------------------------------------- hostile names

HOSTILE = {
    "app/__init__.py": '"""Package with a \\"\\"\\" quote and {{ jinja }} in its docstring."""\n',
    "app/ünï.py": r'''
        """Module named in Unicode: {{ not a template }} {% if x %} \\ backslash."""

        from .naïve import helper


        def café(
            event, arguments=2, call=3, positional=4, keywords=5, handler=6, UNSET="{{ x }}\"'"
        ):
            """Docstring with \"\"\" and a trailing backslash \\"""
            return helper([event, arguments, call, positional, keywords, handler, UNSET])


        def handle(named: "list[int]" = None, *, HANDLERS=None):
            return café(1, 2, 3, 4, 5, 6)


        def arguments_of(event):
            return handle()
        ''',
    "app/naïve.py": '''
        def helper(values):
            """{{ values }} {% raw %}"""
            return values
        ''',
}
HOSTILE_CALL = """
import json
import handlers
import splitter_remote

splitter_remote.set_invoker(lambda service, payload: [service, payload])
print(json.dumps(handlers.handle({"operation": "café", "arguments": {"event": "{{ e }}"}}, None)))
print(json.dumps(handlers.handle({"operation": "arguments_of", "arguments": {"event": 0}}, None)))
"""


def test_hostile_names_and_docstrings_cannot_break_the_generated_python(tmp_path: Path) -> None:
    services = {'wé"ird {{svc}}': ["app.ünï.*"], "other\\": ["app.naïve.*"]}
    extra = {'wé"ird {{svc}}': ["app.ünï.café", "app.ünï.arguments_of", "app.ünï.handle"]}
    code = carry_project(tmp_path, HOSTILE, services, extra_operations=extra)
    assert_clean_python(code, tmp_path / "out")
    tree = write_tree(code, tmp_path / "tree")
    printed = run_isolated(HOSTILE_CALL, service_paths(tree, 'wé"ird {{svc}}')).splitlines()
    arguments = {"values": ["{{ e }}", 2, 3, 4, 5, 6, "{{ x }}\"'"]}
    assert json.loads(printed[0]) == ["other\\", {"operation": "helper", "arguments": arguments}]
    assert json.loads(printed[1])[1]["arguments"]["values"][0] == 1


def assert_clean_python(code: CarriedCode, root: Path) -> None:
    """Every Python file compiles and pyflakes-level checks find nothing."""
    tree = write_tree(code, root)
    for generated in code.files:
        if generated.path.endswith(".py"):
            compile(generated.content, generated.path, "exec")
    ruff = [sys.executable, "-m", "ruff", "check", "--no-cache", "--isolated", "--quiet"]
    done = subprocess.run(
        [*ruff, "--select", "F,E9", str(tree)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_an_annotation_the_handler_cannot_import_is_read_as_any_with_a_note(
    tmp_path: Path,
) -> None:
    files = {"app/__init__.py": "", "app/a.py": 'def first(value: "Missing" = 1):\n    return 1\n'}
    code = carry_project(
        tmp_path, files, {"a": ["app.a.*"]}, extra_operations={"a": ["app.a.first"]}
    )
    assert "    value: NotRequired[Any]\n" in file_text(code, "services/a/handlers.py")
    assert (
        'app.a.first: the annotation of value ("Missing") names something the handler cannot '
        "import; its argument is not converted"
    ) in code.notes


LONG_NAMES = {
    "app/__init__.py": "",
    "app/management/__init__.py": "",
    "app/management/commands/__init__.py": "",
    "app/management/commands/oscar_generate_email_content_for_shop.py": """
        def handle_command(count: int) -> int:
            return count
        """,
}


def test_a_handler_docstring_stays_within_the_line_length(tmp_path: Path) -> None:
    module = "app.management.commands.oscar_generate_email_content_for_shop"
    function = f"{module}.handle_command"
    code = carry_project(
        tmp_path, LONG_NAMES, {"mail": [f"{module}.*"]}, extra_operations={"mail": [function]}
    )
    text = file_text(code, "services/mail/handlers.py")
    assert max(len(line) for line in text.splitlines()) <= 120
    assert (
        '    """Serve handle_command '
        '(app/management/commands/oscar_generate_email_content_for_shop.py:1)."""'
    ) in text

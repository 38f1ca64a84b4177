"""Which function a workflow's state machine is made of, and which services it calls."""

from __future__ import annotations

from splitter.analyzer.model import Analysis, Call, Function
from splitter.generator.orchestration import find_orchestration, internal_callees
from splitter.planner.assignment import SHARED
from tests.report.sample import sample_analysis, sample_workflows

CALLS = [
    ("api.route", "api.body"),
    ("api.route", "svc.work"),
    ("svc.work", "svc.step"),
    ("svc.work", "pay.charge"),
    ("svc.work", "stock.reserve"),
    ("api.alone", "svc.step"),
    ("api.helper", "util.clean"),
]
SERVICE_OF = {
    "api.route": "orders",
    "api.alone": "orders",
    "api.helper": SHARED,
    "api.body": SHARED,
    "util.clean": SHARED,
    "svc.work": "orders",
    "svc.step": "orders",
    "pay.charge": "payments",
    "stock.reserve": "stock",
}


def analysis() -> Analysis:
    functions = tuple(
        Function(name, "function", name.rpartition(".")[0], "x.py", 1, 2) for name in SERVICE_OF
    )
    calls = tuple(Call(caller, callee, "x.py", 1) for caller, callee in CALLS)
    extra = (Call("svc.work", "json.dumps", "x.py", 1, "external"),)
    return Analysis("x", functions=functions, calls=calls + extra)


def test_a_route_with_one_service_call_hands_over_to_it() -> None:
    code = analysis()
    found = find_orchestration("api.route", code, SERVICE_OF, internal_callees(code))
    assert found.function == "svc.work"
    assert found.owner == "orders"
    assert found.services_called == ("orders", "payments", "stock")
    assert found.crosses_services
    assert found.machine_name == "work"
    assert "via api.route" in str(found)


def test_a_workflow_inside_one_service_is_not_a_state_machine() -> None:
    code = analysis()
    found = find_orchestration("api.alone", code, SERVICE_OF, internal_callees(code))
    assert found.function == "svc.step"
    assert not found.crosses_services


def test_a_function_that_works_on_data_is_the_workflow_itself() -> None:
    from dataclasses import replace

    from splitter.analyzer.model import TableUse

    # svc.step writes a table itself: api.alone hands over to it, but no further down
    code = analysis()
    deeper = (*code.calls, Call("svc.step", "svc.store", "x.py", 2))
    writes = (TableUse("svc.step", "orders", "write", "x.py", 2, "sql"),)
    code = replace(code, calls=deeper, tables=writes)
    service_of = {**SERVICE_OF, "svc.store": "orders"}
    found = find_orchestration("api.alone", code, service_of, internal_callees(code))
    assert found.function == "svc.step"


def test_shared_library_code_is_never_a_state_machine() -> None:
    code = analysis()
    found = find_orchestration("api.helper", code, SERVICE_OF, internal_callees(code))
    assert (found.owner, found.crosses_services) == (SHARED, False)


def test_internal_callees_leave_out_externals_builtins_and_self_calls() -> None:
    callees = internal_callees(sample_analysis())
    assert "shop.services.place_order" in callees["shop.api.place_order"]
    assert all(not name.startswith("flask") for names in callees.values() for name in names)
    assert all(caller not in names for caller, names in callees.items())


def test_the_sample_routes_hand_over_to_the_services_module() -> None:
    drawn = {drawing.name: drawing for drawing in sample_workflows()}
    place_order = drawn["place_order"]
    assert place_order.orchestration.function == "shop.services.place_order"
    assert place_order.diagram is not None
    assert place_order.diagram.title == "place_order"
    assert drawn["health"].diagram is None
    assert drawn["health"].notes[0].startswith("calls no other service")

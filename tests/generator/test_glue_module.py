"""Glue modules: a Task's result reaches the glue function as the type the operation returns."""

from __future__ import annotations

import importlib
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from splitter.generator.glue_code import glue_body
from splitter.generator.glue_module import ResultType, render_glue_module, typed_glue
from splitter.generator.workflow_model import GlueStep, TaskStep, WorkflowTranslation

ORDER = ResultType("Order", (("Order", "app.models"),))
MODELS = """
    from dataclasses import dataclass, field


    @dataclass
    class Line:
        sku: str
        qty: int


    @dataclass
    class Order:
        id: int
        lines: list[Line] = field(default_factory=list)

        @property
        def size(self) -> int:
            return sum(line.qty for line in self.lines)
"""


def glue_step(parameters: tuple[str, ...], body: tuple[str, ...]) -> GlueStep:
    return GlueStep(
        state="Glue1",
        service="loyalty",
        function="summary_glue_1",
        module="app.flows",
        parameters=parameters,
        assigns=("size",),
        body=body,
        lines=(3, 3),
        reason="calls a method",
    )


def translation(tasks: tuple[TaskStep, ...], glue: tuple[GlueStep, ...]) -> WorkflowTranslation:
    return WorkflowTranslation("summary", "app.flows.summary", "loyalty", {}, tasks, glue, (), ())


def load_task(result: str = "order", function: str = "app.orders.load") -> TaskStep:
    return TaskStep("Load", "orders", "load", function, ("order_id",), 2, result)


def test_a_glue_parameter_holding_a_task_result_gets_its_return_type() -> None:
    step = glue_step(("order", "note"), ("size = order.size", 'return {"size": size}'))
    typed = typed_glue(translation((load_task(),), (step,)), {"app.orders.load": ORDER})
    [glue] = typed.glue
    assert glue.types == (("order", "Order"),)
    assert glue.type_imports == (("Order", "app.models"),)


@pytest.mark.parametrize(
    "tasks",
    [
        (load_task(), load_task(function="app.orders.other")),  # two producers, one unknown
        (load_task(function="app.orders.unknown"),),  # a result nothing can rebuild
    ],
)
def test_a_variable_of_unknown_or_mixed_type_stays_json(tasks: tuple[TaskStep, ...]) -> None:
    step = glue_step(("order",), ('size = order["id"]', 'return {"size": size}'))
    typed = typed_glue(translation(tasks, (step,)), {"app.orders.load": ORDER})
    assert typed.glue[0].types == ()


def test_a_variable_a_glue_step_sets_too_stays_json() -> None:
    setter = glue_step(("order_id",), ("order = {}", 'return {"order": order}'))
    setter = GlueStep(**{**setter.__dict__, "function": "summary_glue_0", "assigns": ("order",)})
    reader = glue_step(("order",), ('size = order["id"]', 'return {"size": size}'))
    typed = typed_glue(translation((load_task(),), (setter, reader)), {"app.orders.load": ORDER})
    assert [step.types for step in typed.glue] == [(), ()]


@pytest.fixture
def glue_module(tmp_path: Path) -> Iterator[Any]:
    """The rendered glue module of one typed step, imported beside an `app.models`."""
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "app" / "models.py").write_text(textwrap.dedent(MODELS), encoding="utf-8")
    body = glue_body(("order",), ["size = order.size"], ("size", "order"))
    step = glue_step(("order",), body)
    [typed] = typed_glue(translation((load_task(),), (step,)), {"app.orders.load": ORDER}).glue
    (tmp_path / "splitter_glue.py").write_text(
        render_glue_module("loyalty", [typed]), encoding="utf-8"
    )
    sys.path.insert(0, str(tmp_path))
    try:
        yield importlib.import_module("splitter_glue")
    finally:
        sys.path.remove(str(tmp_path))
        for name in ("splitter_glue", "app", "app.models"):
            sys.modules.pop(name, None)


def test_the_glue_handler_rebuilds_the_value_and_returns_json(glue_module: Any) -> None:
    order = {"id": 7, "lines": [{"sku": "A", "qty": 2}, {"sku": "B", "qty": 3}]}
    event = {"operation": "summary_glue_1", "arguments": {"variables": {"order": order}}}
    result = glue_module.handle_summary_glue_1(event, None)
    assert result == {"size": 5, "order": order}  # a property of the data class worked


def test_a_value_that_does_not_fit_the_type_passes_as_it_came(glue_module: Any) -> None:
    event = {"arguments": {"variables": {"order": None}}}
    with pytest.raises(AttributeError):  # None is not rebuilt: the body meets it as it came
        glue_module.handle_summary_glue_1(event, None)
    assert glue_module._rebuilt(glue_module._adapter(int), "not a number") == "not a number"

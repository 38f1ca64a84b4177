"""The report of the sample monolith in a real headless Chromium: no console error, every
service drawn, a click opens a service's details, the explorer finds a function.

A screenshot of the map with a service opened is kept as `test-artifacts/report.png`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from splitter.report.build import build_report
from splitter.report.html import render_report
from splitter.report.service_map import placement
from tests.report.chromium import CHROMIUM, Page, chromium_page
from tests.report.sample import sample_analysis, sample_input, sample_proposal

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing (apt-get install chromium)"
)


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Page]:
    path = tmp_path_factory.mktemp("report") / "report.html"
    path.write_text(render_report(build_report(sample_input())), encoding="utf-8")
    with chromium_page(1400, 1000) as opened:
        opened.open(path.as_uri())
        yield opened


def text_of(page: Page, selector: str) -> str:
    return str(page.evaluate(f"document.querySelector({json.dumps(selector)}).textContent"))


def test_the_page_loads_without_console_errors(page: Page) -> None:
    assert page.evaluate("window.__reportReady") is True
    assert page.errors() == []


def test_every_service_appears_in_the_drawn_map(page: Page) -> None:
    labels = page.evaluate(
        "Array.from(document.querySelectorAll('#map svg .node.service text.label'))"
        ".map(t => t.textContent)"
    )
    assert sorted(labels) == sorted(s.name for s in sample_proposal().plan.services)


def test_clicking_a_service_shows_its_details(page: Page) -> None:
    plan = sample_proposal().plan
    service = min(plan.services, key=lambda s: (len(s.members), s.name))
    page.click(f'#map svg .node.service[data-id="{service.name}"]')
    page.until(
        f"document.querySelector('#service-panel h3').textContent === {json.dumps(service.name)}"
    )
    panel = text_of(page, "#service-panel")
    assert "Functions, with the reasons for their placement" in panel
    for table in service.tables:
        assert table in panel
    placed = placement(plan, sample_analysis())
    functions = sorted(name for name, owner in placed.items() if owner == service.name)
    assert functions
    for function in functions:
        assert function in panel
    selected = page.evaluate("document.querySelector('#map .node.service.selected').dataset.id")
    assert selected == service.name
    page.evaluate("document.getElementById('map').scrollIntoView()")
    page.screenshot(ARTIFACTS / "report.png")
    assert page.errors() == []


def test_the_explorer_finds_a_function_and_lists_its_callers_and_callees(page: Page) -> None:
    wanted = "shop.services.place_order"
    calls = [c for c in sample_analysis().calls if c.target == "internal"]
    callers = sorted({c.caller for c in calls if c.callee == wanted and c.caller != wanted})
    callees = sorted({c.callee for c in calls if c.caller == wanted and c.callee != wanted})
    page.type_into("#search", "place_order")
    page.until("document.getElementById('results').textContent.includes('functions match')")
    page.click_element(
        "Array.from(document.querySelectorAll('#results button'))"
        f".find(b => b.textContent.startsWith({json.dumps(wanted)}))"
    )
    page.until(f"document.querySelector('#focus h3').textContent === {json.dumps(wanted)}")
    focus = text_of(page, "#focus")
    assert f"Callers ({len(callers)})" in focus
    assert f"Callees ({len(callees)})" in focus
    for name in callers + callees[:5]:
        assert name in focus
    assert page.evaluate("document.querySelectorAll('#focus svg.ego .node').length") > 1
    page.evaluate("document.getElementById('explorer').scrollIntoView()")
    page.screenshot(ARTIFACTS / "explorer.png")
    assert page.errors() == []

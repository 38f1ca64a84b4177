"""Large inputs: the call graph collapses to modules, the map keeps its strongest edges, the
page's data stays compact, and the diagram files are all there."""

from __future__ import annotations

import json

from splitter.report.build import build_report
from splitter.report.call_diagram import call_diagram
from splitter.report.diagrams import diagram_files, render_diagram
from splitter.report.explorer import explorer_data
from splitter.report.html import render_report
from splitter.report.service_map import placement, service_colours, service_diagram
from tests.report.synthetic import synthetic_input


def test_a_large_call_graph_is_drawn_as_modules() -> None:
    given = synthetic_input(2_000)
    assignment = placement(given.plan, given.analysis)
    colours = service_colours(s.name for s in given.plan.services)
    diagram = call_diagram(given.analysis, assignment, colours, max_nodes=150)
    assert {node.kind for node in diagram.nodes} == {"module"}
    assert len(diagram.nodes) == 100
    assert "drawn as modules" in diagram.note
    capped = call_diagram(given.analysis, assignment, colours, max_nodes=40)
    assert len(capped.nodes) == 40
    assert "the 40 with the most calls" in capped.note
    assert "<svg" in render_diagram(capped, "svg")


def test_a_dense_map_keeps_the_strongest_edges() -> None:
    given = synthetic_input(4_000)
    plan = given.plan
    diagram = service_diagram(plan, given.analysis, placement(plan, given.analysis))
    assert len(diagram.nodes) == 8
    assert len(diagram.edges) <= 40
    assert diagram.note == "" or "strongest" in diagram.note


def test_the_page_data_is_compact_and_complete() -> None:
    given = synthetic_input(2_000)
    plan = given.plan
    data = explorer_data(
        given.analysis,
        plan,
        placement(plan, given.analysis),
        service_colours(s.name for s in plan.services),
    )
    assert len(data["functions"]) == 2_000
    assert data["functions"][0][:3] == ["f0", 0, 0]
    assert len(data["calls"]) % 2 == 0
    assert data["services"][-1] == "shared library"
    assert len(json.dumps(data)) < 400 * 2_000


def test_a_synthetic_report_renders() -> None:
    html = render_report(build_report(synthetic_input(1_000)))
    assert html.count('class="workflow"') == 20
    assert "Calls not resolved (1000)" in html


def test_diagram_files_cover_every_picture_in_every_format() -> None:
    given = synthetic_input(500)
    files = diagram_files(given.analysis, given.plan, given.workflows)
    stems = {path.rsplit(".", 1)[0] for path in files}
    assert {"diagrams/services", "diagrams/calls", "diagrams/workflows/wf0"} <= stems
    assert len(files) == 3 * len(stems)
    assert files["diagrams/services.mmd"].startswith("flowchart LR")

"""The report of the sample monolith: its data, its figures' change, the same bytes each time."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

from splitter.planner.assignment import SHARED
from splitter.report.build import build_report
from splitter.report.html import render_report
from splitter.report.matrix import ownership_matrix
from splitter.report.overview import figure_rows, format_figure
from splitter.report.service_map import placement, service_diagram
from tests.report.sample import sample_analysis, sample_input, sample_proposal

SVG = "{http://www.w3.org/2000/svg}"


def test_every_service_is_drawn_on_the_map() -> None:
    report = build_report(sample_input())
    root = ElementTree.fromstring(report.service_map)
    drawn = {g.get("data-id") for g in root.iter(f"{SVG}g") if "service" in (g.get("class") or "")}
    assert drawn == {service.name for service in sample_proposal().plan.services}


def test_map_edges_are_call_sites_and_cycles_are_marked() -> None:
    plan = sample_proposal().plan
    diagram = service_diagram(plan, sample_analysis(), placement(plan, sample_analysis()))
    assert sum(edge.weight for edge in diagram.edges) == len(plan.cross_calls)
    on_cycle = {(edge.source, edge.target) for edge in diagram.edges if "cycle" in edge.marks}
    first = plan.cycles[0]
    assert (first[0], first[1]) in on_cycle


def test_the_report_lists_services_workflows_and_gaps() -> None:
    report = build_report(sample_input())
    assert [row.name for row in report.services] == sorted(row.name for row in report.services)
    assert sum(row.functions for row in report.services) + report.shared_functions == len(
        placement(sample_proposal().plan, sample_analysis())
    )
    drawn = {view.name: view for view in report.workflows if view.svg}
    assert {"place_order", "cancel_order", "month_end_invoicing"} <= set(drawn)
    place_order = drawn["place_order"]
    assert place_order.function == "shop.services.place_order"
    assert place_order.cost is not None and place_order.cost.transitions.most.states > 20
    assert len(report.unresolved) == len(sample_analysis().unresolved)


def test_ownership_matrix_gives_each_table_its_owner() -> None:
    plan = sample_proposal().plan
    matrix = ownership_matrix(plan, sample_analysis(), placement(plan, sample_analysis()))
    assert matrix.services[-1] == SHARED
    rows = {row.table: row for row in matrix.rows}
    orders = rows["orders"]
    owner_column = matrix.services.index(orders.owner)
    assert orders.cells[owner_column].owner
    assert "W" in orders.cells[owner_column].mode


def test_figures_show_their_change_against_a_previous_plan() -> None:
    rows = figure_rows({"modularity": 0.5, "inter_call_percentage": 0.2}, {"modularity": 0.4})
    modularity = next(row for row in rows if row.key == "modularity")
    assert (modularity.previous, modularity.change, modularity.verdict) == (
        "0.4000",
        "+0.1000",
        "better",
    )
    icp = next(row for row in rows if row.key == "inter_call_percentage")
    assert (icp.value, icp.previous, icp.verdict) == ("20.0%", "", "")
    worse = figure_rows({"inter_call_percentage": 0.3}, {"inter_call_percentage": 0.2})
    assert (worse[0].change, worse[0].verdict) == ("+10.0%", "worse")
    assert format_figure("service_count", 7.0) == "7"


def test_the_page_holds_every_part_and_is_the_same_each_time() -> None:
    previous = (("modularity", 0.5), ("service_count", 4.0))
    first = render_report(build_report(sample_input(previous)))
    second = render_report(build_report(sample_input(previous)))
    assert first == second
    for anchor in ("overview", "map", "explorer", "ownership", "workflows", "gaps"):
        assert f'<section id="{anchor}">' in first
    assert "against the previous plan" in first
    assert "http://" not in first.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in first
    assert first.count("<svg") >= 1 + 3

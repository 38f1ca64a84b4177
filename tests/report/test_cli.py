"""`splitter report` and `splitter diagram` through the command line, on a copy of the sample."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ElementTree
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from splitter.cli.app import app
from splitter.cli.report import Review
from splitter.planner.export import plan_document
from splitter.planner.planfile import render_plan_file
from tests.report.sample import SAMPLE_ROOT, sample_analysis, sample_proposal

runner = CliRunner()


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("sample") / "sample_monolith"
    shutil.copytree(
        SAMPLE_ROOT, root, ignore=shutil.ignore_patterns(".splitter-cache", "__pycache__")
    )
    return root


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def analyzed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The diagram command draws from the sample analyzed once (`report` tests load it)."""
    review = Review(SAMPLE_ROOT, sample_analysis(), sample_proposal(), None)
    monkeypatch.setattr("splitter.cli.diagram.load_review", lambda *args: review)


def write_plan(folder: Path, root: str, modularity: float | None = None) -> Path:
    document = plan_document(sample_proposal(), root)
    if modularity is not None:
        figures = tuple((k, modularity if k == "modularity" else v) for k, v in document.figures)
        document = replace(document, figures=figures)
    path = folder / "splitter-plan.toml"
    path.write_text(render_plan_file(document), encoding="utf-8")
    return path


def test_report_writes_one_page_and_the_same_bytes_each_time(sample: Path, here: Path) -> None:
    first = runner.invoke(app, ["report", str(sample), "-o", "one.html"])
    assert first.exit_code == 0, first.output
    assert "report written to one.html" in first.output
    assert "no plan file" in first.output
    second = runner.invoke(app, ["report", str(sample), "-o", "two.html"])
    assert second.exit_code == 0, second.output
    html = (here / "one.html").read_text(encoding="utf-8")
    assert html == (here / "two.html").read_text(encoding="utf-8")
    for service in sample_proposal().plan.services:
        assert f'data-id="{service.name}"' in html


def test_report_follows_the_plan_file_and_compares_its_figures(sample: Path, here: Path) -> None:
    write_plan(here, str(sample), modularity=0.1)
    result = runner.invoke(app, ["report", str(sample)])
    assert result.exit_code == 0, result.output
    html = (here / "report.html").read_text(encoding="utf-8")
    assert "against the previous plan" in html
    assert '<td class="num">0.1000</td>' in html
    assert 'class="num change better"' in html


def test_report_compares_with_another_plan_given(sample: Path, here: Path) -> None:
    (here / "old").mkdir()
    previous = write_plan(here / "old", str(sample), modularity=0.9)
    result = runner.invoke(app, ["report", str(sample), "--previous", str(previous)])
    assert result.exit_code == 0, result.output
    assert 'class="num change worse"' in (here / "report.html").read_text(encoding="utf-8")


def test_a_plan_of_another_code_base_is_refused(sample: Path, here: Path) -> None:
    plan = write_plan(here, "/elsewhere/app")
    result = runner.invoke(app, ["report", str(sample), "--plan", str(plan)])
    assert result.exit_code == 2
    assert "is the plan of /elsewhere/app" in result.output
    assert "hint:" in result.output
    implicit = runner.invoke(app, ["report", str(sample)])
    assert implicit.exit_code == 0
    assert "plan of another code base" in implicit.output


def test_open_hands_the_file_to_the_browser(
    sample: Path, here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    monkeypatch.setattr("webbrowser.open", opened.append)
    result = runner.invoke(app, ["report", str(sample), "--open", "--volume", "5000"])
    assert result.exit_code == 0, result.output
    assert opened == [(here / "report.html").resolve().as_uri()]
    assert "5,000 executions a month" in (here / "report.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("kind", "format", "start"),
    [
        ("services", "mermaid", "flowchart LR"),
        ("services", "dot", 'digraph "services"'),
        ("calls", "mermaid", "flowchart TB"),
        ("calls", "dot", 'digraph "calls"'),
    ],
)
def test_diagram_text_formats(
    sample: Path, here: Path, analyzed: None, kind: str, format: str, start: str
) -> None:
    result = runner.invoke(app, ["diagram", str(sample), "--kind", kind, "--format", format])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(start)


def test_diagram_svg_is_drawn_without_graphviz(sample: Path, here: Path, analyzed: None) -> None:
    result = runner.invoke(
        app,
        [
            "diagram",
            str(sample),
            "-k",
            "workflow",
            "-w",
            "place_order",
            "-f",
            "svg",
            "-o",
            "po.svg",
        ],
    )
    assert result.exit_code == 0, result.output
    root = ElementTree.fromstring((here / "po.svg").read_text(encoding="utf-8"))
    assert root.get("data-diagram") == "place_order"


def test_a_large_call_graph_collapses_to_modules(sample: Path, here: Path, analyzed: None) -> None:
    result = runner.invoke(app, ["diagram", str(sample), "-k", "calls", "--max-nodes", "20"])
    assert result.exit_code == 0, result.output
    assert "drawn as modules" in result.output
    assert '["shop.services' in result.stdout


def test_a_workflow_must_be_named_when_there_are_several(
    sample: Path, here: Path, analyzed: None
) -> None:
    result = runner.invoke(app, ["diagram", str(sample), "--kind", "workflow"])
    assert result.exit_code == 2
    assert "pick one workflow" in result.output
    assert "place_order" in result.output
    missing = runner.invoke(app, ["diagram", str(sample), "-k", "workflow", "-w", "health"])
    assert missing.exit_code == 2
    assert "'health' has no state machine" in missing.output


def test_graphviz_layout_says_clearly_when_dot_is_missing(
    sample: Path, here: Path, analyzed: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("shutil.which", lambda name: None)
    result = runner.invoke(app, ["diagram", str(sample), "--format", "svg", "--layout", "graphviz"])
    assert result.exit_code == 2
    assert "needs Graphviz's `dot` program, which is not installed" in result.output
    assert "drop --layout graphviz" in result.output


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_graphviz_layout_runs_dot(sample: Path, here: Path, analyzed: None) -> None:
    result = runner.invoke(app, ["diagram", str(sample), "--format", "svg", "--layout", "graphviz"])
    assert result.exit_code == 0, result.output
    assert "<svg" in result.stdout

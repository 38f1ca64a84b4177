"""`splitter callgraph`: the call graph in each format, through the command line."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from splitter.cli.app import app

runner = CliRunner()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "app"
    root.mkdir()
    (root / "main.py").write_text(
        textwrap.dedent(
            """
            from helpers import greet

            def run():
                greet("world")
                print(len("x"))
            """
        )
    )
    (root / "helpers.py").write_text('def greet(name):\n    return f"hello {name}"\n')
    return root


def test_pycg_format(project: Path) -> None:
    result = runner.invoke(app, ["callgraph", str(project), "--format", "pycg"])
    assert result.exit_code == 0, result.output
    graph = json.loads(result.stdout)
    assert graph["main.run"] == ["<builtin>.len", "<builtin>.print", "helpers.greet"]
    assert graph["helpers.greet"] == []


def test_json_format_is_the_versioned_analysis(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "graph.json"
    result = runner.invoke(app, ["callgraph", str(project), "-f", "json", "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert data["format"] == "splitter-analysis"
    assert {"caller": "main.run", "callee": "helpers.greet"}.items() <= data["calls"][-1].items()


def test_dot_and_mermaid_group_by_module(project: Path) -> None:
    dot = runner.invoke(app, ["callgraph", str(project), "--format", "dot"])
    assert dot.exit_code == 0
    assert 'label="helpers"' in dot.stdout
    assert '"main.run" -> "helpers.greet"' in dot.stdout
    mermaid = runner.invoke(app, ["callgraph", str(project), "--format", "mermaid"])
    assert mermaid.exit_code == 0
    assert mermaid.stdout.startswith("flowchart LR")
    assert 'subgraph m0["helpers"]' in mermaid.stdout


def test_size_cap_says_what_was_cut(project: Path) -> None:
    result = runner.invoke(app, ["callgraph", str(project), "--format", "dot", "--max-nodes", "2"])
    assert result.exit_code == 0
    assert "drawn are the 2" in result.stderr
    assert result.stdout.count("[label=") == 2


def test_missing_path_is_an_input_error_with_a_hint(tmp_path: Path) -> None:
    result = runner.invoke(app, ["callgraph", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "does not exist" in result.stderr
    assert "hint:" in result.stderr

"""The monolith's own lint findings are set apart in the generated `ruff.toml`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from splitter.cli.app import app
from splitter.cli.lint_baseline import monolith_findings
from tests.conftest import analyze_and_generate
from tests.generator.lint_check import split_findings
from tests.generator.test_carry import write_project

SHOP = {
    "shop/__init__.py": "",
    "shop/pricing.py": """
        from decimal import Decimal

        rounded = lambda value: value.quantize(Decimal("0.01"))


        def price(amount: str) -> str:
            return str(rounded(Decimal(amount)))
        """,
    "shop/orders.py": """
        from shop.pricing import price


        def total(amount: str, quantity: int) -> str:
            return price(str(float(amount) * quantity))
        """,
}


def test_the_rules_each_monolith_file_breaks(tmp_path: Path) -> None:
    root = write_project(tmp_path / "monolith", SHOP)
    found = monolith_findings(root, ["shop/__init__.py", "shop/pricing.py", "shop/orders.py"])
    assert found == {"shop/pricing.py": ("E731",)}


def test_the_generated_tree_passes_ruff_and_generation_adds_nothing(tmp_path: Path) -> None:
    root = write_project(tmp_path / "monolith", SHOP)
    (tmp_path / "work").mkdir()
    out = analyze_and_generate(tmp_path / "work", root) / "splitter-out"
    settings = (out / "ruff.toml").read_text()
    carried = sorted(p.relative_to(out).as_posix() for p in out.rglob("shop/pricing.py"))
    assert carried
    for path in carried:
        assert f'"{path}" = ["E731"]' in settings
    ruff = [sys.executable, "-m", "ruff", "check", "--no-cache", "."]
    done = subprocess.run(ruff, cwd=out, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    split = split_findings(out, root)
    assert split.generated == () and split.monolith  # the finding is there, and the monolith's


def test_no_ruff_gives_no_list(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_project(tmp_path / "monolith", SHOP)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-python-here"))
    assert monolith_findings(root, ["shop/pricing.py"]) is None


def test_json_output_stays_json_and_says_whether_the_list_was_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_project(tmp_path / "monolith", SHOP)
    monkeypatch.chdir(analyze_and_generate(tmp_path, root))
    result = CliRunner().invoke(app, ["generate", "--output", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["monolith_findings_set_apart"] is True

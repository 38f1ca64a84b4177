"""`splitter analyze`: the analysis summary, the proposal, the plan file, and their errors."""

from __future__ import annotations

import json
import textwrap
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from splitter.cli.app import app

runner = CliRunner()
SAMPLE = Path(__file__).parents[2] / "sample_monolith"

SHOP = {
    "util.py": """
        def fmt(value):
            return str(value)

        def log(message):
            print(fmt(message))
    """,
    "orders.py": """
        from util import fmt, log
        import payments, stock

        def save(conn, order):
            conn.execute("INSERT INTO orders (id) VALUES (?)", (order,))

        def lines(conn, order):
            return conn.execute("SELECT * FROM order_lines WHERE id = ?", (order,))

        def place(conn, order):
            log(fmt(order))
            stock.reserve(conn, order)
            payments.charge(conn, order)
            save(conn, order)
            return lines(conn, order)
    """,
    "payments.py": """
        from util import log

        def record(conn, amount):
            conn.execute("INSERT INTO payments (amount) VALUES (?)", (amount,))

        def charge(conn, amount):
            log("charge")
            record(conn, amount)

        def refund(conn, amount):
            record(conn, -amount)
    """,
    "stock.py": """
        from util import log

        def adjust(conn, sku):
            conn.execute("UPDATE stock_levels SET qty = qty - 1 WHERE sku = ?", (sku,))

        def reserve(conn, sku):
            log("reserve")
            adjust(conn, sku)

        def release(conn, sku):
            adjust(conn, sku)
    """,
    "api.py": """
        import orders, payments, stock

        def handle_order(conn, body):
            return orders.place(conn, body)

        def handle_refund(conn, body):
            return payments.refund(conn, body)

        if __name__ == "__main__":
            handle_order(None, 1)
    """,
}


def write(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (root / name).write_text(textwrap.dedent(text))
    return root


@pytest.fixture
def shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The small shop in tmp_path/shop, run from tmp_path."""
    monkeypatch.chdir(tmp_path)
    return write(tmp_path / "shop", SHOP)


def analyze(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["analyze", *args, "--no-cache"])
    return result.exit_code, result.stdout, result.stderr


def test_the_proposal_is_printed_and_written_to_the_plan_file(shop: Path) -> None:
    code, out, _ = analyze("shop")
    assert code == 0, out
    for heading in (
        "Analysis of shop",
        "Proposed services",
        "why:",
        "Quality figures",
        "Data ownership conflicts",
        "Cycles between services",
        "Workflows",
        "shared library",
    ):
        assert heading in out
    plan = (shop.parent / "splitter-plan.toml").read_text()
    assert 'root = "shop"' in plan
    assert '"util.*"' in plan.split("[shared]")[1]
    assert "plan written: splitter-plan.toml" in out


def test_a_rerun_keeps_an_edit_and_shows_the_figures_before_and_after(shop: Path) -> None:
    assert analyze("shop")[0] == 0
    plan = shop.parent / "splitter-plan.toml"
    services = tomllib.loads(plan.read_text())["services"]
    target = next(name for name, body in services.items() if "payments.*" in body["members"])
    header = f'[services.{target}]\ndescription = ""\nmembers = [\n'
    plan.write_text(plan.read_text().replace(header, header + '    "stock.release",\n'))
    code, out, _ = analyze("shop")
    assert code == 0, out
    assert "before" in out and "now" in out
    assert "plan updated" in out
    again = tomllib.loads(plan.read_text())["services"][target]
    assert "stock.release" in again["members"]
    assert "stock.release" in again["pinned"]


def test_no_plan_only_prints(shop: Path) -> None:
    code, out, _ = analyze("shop", "--no-plan")
    assert code == 0, out
    assert not (shop.parent / "splitter-plan.toml").exists()


def test_json_output_holds_the_summary_the_plan_and_the_figures(shop: Path) -> None:
    code, out, _ = analyze("shop", "--output", "json", "--plan", "other.toml", "--seed", "3")
    assert code == 0
    data = json.loads(out)
    assert data["format"] == "splitter-proposal"
    assert data["summary"]["files"] == 5
    assert {"plan", "figures", "choice", "assignment", "settings"} <= set(data)
    assert data["settings"]["seed"] == 3
    assert data["assignment"]["util.fmt"] == "<shared>"
    assert data["plan_file"] == "other.toml"
    assert (shop.parent / "other.toml").exists()


def test_asking_for_services_and_constraints_from_pyproject(shop: Path) -> None:
    (shop / "pyproject.toml").write_text(
        '[tool.splitter]\npin = { "stock.release" = "refunds" }\nexclude = ["api.*"]\n'
    )
    code, out, _ = analyze("shop", "--no-plan", "--output", "json", "--services", "2")
    assert code == 0, out
    data = json.loads(out)
    assert data["assignment"]["stock.release"] == "refunds"
    assert "api.handle_order" not in data["assignment"]


def test_entry_points_declared_in_pyproject(shop: Path) -> None:
    (shop / "pyproject.toml").write_text('[tool.splitter]\nentry-points = ["stock.release"]\n')
    code, out, _ = analyze("shop", "--no-plan")
    assert code == 0, out
    assert "declared   stock.release  configuration" in out


def test_entry_points_that_are_not_a_list_of_names_are_refused(shop: Path) -> None:
    (shop / "pyproject.toml").write_text('[tool.splitter]\nentry-points = "stock.release"\n')
    code, _, err = analyze("shop", "--no-plan")
    assert code == 2
    assert "entry-points must list qualified names or globs" in err


def test_an_external_graph_instead_of_a_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    graph = {
        "nodes": [{"id": n} for n in ("a.f", "a.g", "b.f", "b.g")],
        "edges": [
            {"source": "a.f", "target": "a.g", "weight": 9},
            {"source": "b.f", "target": "b.g", "weight": 9},
            {"source": "a.f", "target": "b.f", "weight": 1},
        ],
    }
    (tmp_path / "g.json").write_text(json.dumps(graph))
    code, out, _ = analyze("--graph", "g.json")
    assert code == 0, out
    assert "Proposed services (2)" in out
    assert 'root = "g.json"' in (tmp_path / "splitter-plan.toml").read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "give the code base's folder, or --graph FILE"),
        (("shop", "--graph", "g.json"), "not both"),
        (("shop", "--profile", "missing.prof"), "cannot read the profile"),
        (("shop", "--services", "0"), "Usage:"),
    ],
)
def test_usage_errors_exit_2(shop: Path, args: tuple[str, ...], message: str) -> None:
    code, out, err = analyze(*args)
    assert code == 2
    assert message in err + out


def test_a_broken_plan_file_is_an_error_with_its_line(shop: Path) -> None:
    (shop.parent / "splitter-plan.toml").write_text(
        'version = 1\nroot = "shop"\n[services.a]\nmembers = ["x"]\n[services.b]\nmembers = ["x"]\n'
    )
    code, _, err = analyze("shop")
    assert code == 2
    assert "splitter-plan.toml:6: member x is listed in both a and b" in err
    assert "hint:" in err


def test_a_plan_of_another_code_base_is_refused(shop: Path) -> None:
    write(shop.parent / "other", {"m.py": "def f():\n    return 1\n"})
    assert analyze("other")[0] == 0
    code, _, err = analyze("shop")
    assert code == 2
    assert "is the plan of other, not of shop" in err


def test_the_sample_monolith(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, _ = analyze(str(SAMPLE))
    assert code == 0, out
    assert "Proposed services (" in out
    for service in ("orders", "payments", "invoicing"):
        assert f"[services.{service}]" in (tmp_path / "splitter-plan.toml").read_text()

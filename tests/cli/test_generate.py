"""`splitter generate` on the sample monolith: the tree, its checks, and safe regeneration."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from cfnlint.api import ManualArgs, lint
from typer.testing import CliRunner

from splitter.cli.app import app
from splitter.generator.asl_check import check_definition
from tests.conftest import analyze_and_generate

SAMPLE = Path(__file__).resolve().parents[2] / "sample_monolith"
runner = CliRunner()

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder where the sample was analyzed (plan written) and generated once."""
    return analyze_and_generate(tmp_path_factory.mktemp("generate"), SAMPLE)


@pytest.fixture(scope="module")
def out(workdir: Path) -> Path:
    return workdir / "splitter-out"


def test_the_tree_has_every_part(out: Path) -> None:
    for part in ("template.yaml", "README.md", "splitter-manifest.json", "splitter-report.json"):
        assert (out / part).is_file(), part
    assert list((out / "statemachines").glob("*.asl.json"))
    assert (out / "layers" / "shared" / "python" / "shop" / "utils.py").is_file()
    services = [p.name for p in (out / "services").iterdir()]
    assert services and all((out / "services" / s / "handlers.py").is_file() for s in services)
    assert list((out / "events").glob("*/example.json"))


def test_template_passes_cfn_lint(out: Path) -> None:
    findings = lint((out / "template.yaml").read_text(), config=ManualArgs(regions=["us-east-1"]))
    assert [str(f) for f in findings if f.rule.id[0] in "EW"] == []


def test_every_state_machine_is_valid_and_has_real_steps(out: Path) -> None:
    for path in sorted((out / "statemachines").glob("*.asl.json")):
        definition = json.loads(path.read_text())
        assert check_definition(definition) == [], path.name
    place_order = json.loads((out / "statemachines" / "place_order.asl.json").read_text())
    kinds = [state["Type"] for state in place_order["States"].values()]
    assert kinds.count("Task") >= 8 and "Choice" in kinds and "Fail" in kinds
    assert any(state.get("Catch") for state in place_order["States"].values())


def test_template_names_every_function_a_state_machine_calls(out: Path) -> None:
    template = yaml.load((out / "template.yaml").read_text(), Loader=_CfnLoader)
    resources = template["Resources"]
    for resource in resources.values():
        if resource["Type"] == "AWS::Serverless::StateMachine":
            definition = (out / resource["Properties"]["DefinitionUri"]).read_text()
            for placeholder in resource["Properties"]["DefinitionSubstitutions"]:
                assert f"${{{placeholder}}}" in definition
                assert placeholder.removesuffix("Arn") in resources


def test_generated_python_compiles_and_passes_ruff(out: Path) -> None:
    compiled = subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(out)], capture_output=True, text=True
    )
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr
    ruff = shutil.which("ruff")
    assert ruff is not None
    checked = subprocess.run([ruff, "check", "."], cwd=out, capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout


def test_generated_tests_pass(out: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=out,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-3000:]


def test_report_lists_glue_and_remaining_coupling(out: Path) -> None:
    report = json.loads((out / "splitter-report.json").read_text())
    assert report["workflows"]
    assert any(workflow["glue"] for workflow in report["workflows"])
    for workflow in report["workflows"]:
        for step in workflow["glue"]:
            assert step["reason"] and step["lines"][0] <= step["lines"][1]


def test_same_input_gives_byte_identical_output(workdir: Path, out: Path) -> None:
    second = _generate(workdir, "--out", "again")
    assert second.exit_code == 0, second.output
    again = workdir / "again"
    generated = [
        *json.loads((again / "splitter-manifest.json").read_text()),
        "splitter-manifest.json",
    ]
    assert len(generated) > 50
    for path in generated:
        assert (again / path).read_bytes() == (out / path).read_bytes(), path


def test_a_user_edit_is_kept_unless_forced(workdir: Path) -> None:
    assert _generate(workdir, "--out", "edited").exit_code == 0
    readme = workdir / "edited" / "README.md"
    readme.write_text("my notes\n")
    kept = _generate(workdir, "--out", "edited")
    assert kept.exit_code == 0
    assert "kept README.md" in kept.output
    assert readme.read_text() == "my notes\n"
    forced = _generate(workdir, "--out", "edited", "--force")
    assert forced.exit_code == 0
    assert readme.read_text() != "my notes\n"


def test_only_one_service_keeps_the_rest_as_the_monolith(workdir: Path) -> None:
    plan = tomllib.loads((workdir / "splitter-plan.toml").read_text())
    service = sorted(plan["services"])[0]
    result = _generate(workdir, "--out", "strangler", "--only", service)
    assert result.exit_code == 0, result.output
    services = sorted(p.name for p in (workdir / "strangler" / "services").iterdir())
    assert services == sorted([service, "monolith"])


def test_unknown_service_for_only_is_an_input_error(workdir: Path) -> None:
    result = _generate(workdir, "--out", "nothing", "--only", "no_such_service")
    assert result.exit_code == 2
    assert "no service 'no_such_service'" in result.stderr


def _generate(workdir: Path, *args: str) -> object:
    cwd = Path.cwd()
    os.chdir(workdir)
    try:
        return runner.invoke(app, ["generate", *args])
    finally:
        os.chdir(cwd)


class _CfnLoader(yaml.SafeLoader):
    """Reads CloudFormation's short tags (!Ref, !GetAtt, !Sub) as plain values."""


_CfnLoader.add_multi_constructor("!", lambda loader, suffix, node: None)


def test_sam_translator_transforms_the_template(out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.generator.test_sam import translated

    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    resources = translated((out / "template.yaml").read_text())["Resources"]
    kinds = {resource["Type"] for resource in resources.values()}
    assert {
        "AWS::Lambda::Function",
        "AWS::Lambda::LayerVersion",
        "AWS::StepFunctions::StateMachine",
        "AWS::IAM::Role",
    } <= kinds


def test_diagrams_are_written_next_to_the_application(out: Path) -> None:
    diagrams = out / "diagrams"
    for stem in ("services", "calls"):
        for suffix in ("mmd", "dot", "svg"):
            assert (diagrams / f"{stem}.{suffix}").is_file(), f"{stem}.{suffix}"
    assert (diagrams / "workflows" / "place_order.svg").read_text().startswith("<svg")


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (("--granularity", "operation"), "Handler: splitter_glue.handle_place_order_glue_1"),
        (("--type", "express"), "Type: EXPRESS"),
    ],
)
def test_operation_granularity_and_express_workflows(
    workdir: Path, options: tuple[str, str], expected: str
) -> None:
    out = workdir / f"variant-{options[1]}"
    result = _generate(workdir, "--out", out.name, *options)
    assert result.exit_code == 0, result.output
    template = (out / "template.yaml").read_text()
    assert expected in template
    findings = lint(template, config=ManualArgs(regions=["us-east-1"]))
    assert [str(f) for f in findings if f.rule.id[0] in "EW"] == []
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=out,
        capture_output=True,
        text=True,
    )
    assert tests.returncode == 0, tests.stdout[-3000:]

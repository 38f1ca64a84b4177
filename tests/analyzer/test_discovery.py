"""Tests for finding source files and naming their modules."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from splitter.analyzer.discovery import Discovery, discover


def write_project(root: Path, files: dict[str, str]) -> Path:
    """Write `files` (posix relative path -> text) under `root` and return `root`."""
    for relpath, text in files.items():
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def modules(found: Discovery) -> dict[str, tuple[str, bool]]:
    return {file.relpath: (file.module, file.is_package) for file in found.files}


def problems(found: Discovery) -> dict[str, str]:
    return {problem.path: problem.kind for problem in found.problems}


@pytest.mark.parametrize(
    ("folder", "files", "expected"),
    [
        pytest.param(
            "shop",
            ["__init__.py", "models.py", "payments/__init__.py", "payments/card.py"],
            {
                "__init__.py": ("shop", True),
                "models.py": ("shop.models", False),
                "payments/__init__.py": ("shop.payments", True),
                "payments/card.py": ("shop.payments.card", False),
            },
            id="root-is-a-package",
        ),
        pytest.param(
            "project",
            ["app/__init__.py", "app/views.py", "manage.py"],
            {
                "app/__init__.py": ("app", True),
                "app/views.py": ("app.views", False),
                "manage.py": ("manage", False),
            },
            id="root-is-an-import-root",
        ),
        pytest.param(
            "project",
            ["src/pkg/__init__.py", "src/pkg/core.py", "src/tool.py", "setup.py"],
            {
                "src/pkg/__init__.py": ("pkg", True),
                "src/pkg/core.py": ("pkg.core", False),
                "src/tool.py": ("tool", False),
                "setup.py": ("setup", False),
            },
            id="src-layout",
        ),
        pytest.param(
            "project",
            ["src/__init__.py", "src/core.py"],
            {"src/__init__.py": ("src", True), "src/core.py": ("src.core", False)},
            id="src-that-is-a-package",
        ),
        pytest.param(
            "project",
            ["ns/pkg/mod.py", "ns/pkg/sub/__init__.py"],
            {
                "ns/pkg/mod.py": ("ns.pkg.mod", False),
                "ns/pkg/sub/__init__.py": ("ns.pkg.sub", True),
            },
            id="namespace-packages",
        ),
        pytest.param(
            "project",
            ["my-scripts/x.py", "2fa.py", "pkg/__main__.py"],
            {
                "my-scripts/x.py": ("my-scripts.x", False),
                "2fa.py": ("2fa", False),
                "pkg/__main__.py": ("pkg.__main__", False),
            },
            id="names-that-are-not-identifiers",
        ),
    ],
)
def test_module_names(
    tmp_path: Path, folder: str, files: list[str], expected: dict[str, tuple[str, bool]]
) -> None:
    root = write_project(tmp_path / folder, dict.fromkeys(files, "x = 1\n"))

    found = discover(root)

    assert modules(found) == expected
    assert found.problems == ()


def test_files_are_sorted_by_module_and_the_result_is_repeatable(tmp_path: Path) -> None:
    root = write_project(tmp_path, dict.fromkeys(["b.py", "a/z.py", "a/__init__.py", "c.py"], ""))

    first, second = discover(root), discover(root)

    assert [file.module for file in first.files] == ["a", "a.z", "b", "c"]
    assert first == second


def test_a_package_root_given_as_dot_is_named_after_its_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_project(tmp_path / "shop", {"__init__.py": "", "api.py": ""})
    monkeypatch.chdir(tmp_path / "shop")

    found = discover(Path("."))

    assert [file.module for file in found.files] == ["shop", "shop.api"]


def test_environments_build_output_and_caches_are_skipped(tmp_path: Path) -> None:
    skipped = [
        ".venv/lib/python3.11/site-packages/dep.py",
        "venv/bin/activate",
        "venv/lib/dep.py",
        "myenv/pyvenv.cfg",
        "myenv/lib/dep.py",
        "condaenv/conda-meta/history",
        "condaenv/dep.py",
        "vendor/site-packages/dep.py",
        "web/node_modules/gyp/gen.py",
        "build/lib/app/core.py",
        "dist/app.py",
        "app/__pycache__/core.py",
        ".git/hooks/hook.py",
        ".hidden/x.py",
        "app.egg-info/x.py",
        ".tox/py311/x.py",
        ".nox/x.py",
        ".splitter-cache/x.py",
        "app/.secret.py",
        "app/notes.txt",
    ]
    kept = ["app/core.py", "env/settings.py", "tools/build/__init__.py"]
    root = write_project(tmp_path, dict.fromkeys(skipped + kept, ""))

    found = discover(root)

    assert sorted(modules(found)) == sorted(kept)
    assert modules(found)["env/settings.py"] == ("env.settings", False)


def test_test_code_is_skipped_unless_asked_for(tmp_path: Path) -> None:
    tests = ["tests/test_api.py", "test/helpers.py", "app/test_views.py", "app/views_test.py"]
    root = write_project(tmp_path, dict.fromkeys([*tests, "conftest.py", "app/views.py"], ""))

    assert sorted(modules(discover(root))) == ["app/views.py"]
    assert len(discover(root, include_tests=True).files) == 6


@pytest.mark.parametrize(
    ("patterns", "kept"),
    [
        (["legacy"], ["app/core.py", "app/gen_pb2.py", "app/migrations/0001.py"]),
        (
            ["app/migrations"],
            ["app/core.py", "app/gen_pb2.py", "app/legacy/old.py", "legacy/old.py"],
        ),
        (["app/*"], ["legacy/old.py"]),
        (["*_pb2.py", "./legacy/"], ["app/core.py", "app/migrations/0001.py"]),
        (
            ["app/legacy/*"],
            ["app/core.py", "app/gen_pb2.py", "app/migrations/0001.py", "legacy/old.py"],
        ),
    ],
)
def test_exclude_patterns(tmp_path: Path, patterns: list[str], kept: list[str]) -> None:
    files = ["app/core.py", "app/gen_pb2.py", "app/migrations/0001.py", "app/legacy/old.py"]
    root = write_project(tmp_path, dict.fromkeys([*files, "legacy/old.py"], ""))

    found = discover(root, exclude=patterns)

    assert sorted(modules(found)) == kept


def test_a_directory_link_back_up_the_tree_is_reported_once_and_not_followed(
    tmp_path: Path,
) -> None:
    root = write_project(tmp_path / "project", {"pkg/__init__.py": "", "pkg/mod.py": ""})
    os.symlink(root, root / "pkg" / "loop")
    os.symlink(root / "pkg", root / "again")

    found = discover(root)

    assert sorted(modules(found)) == ["pkg/__init__.py", "pkg/mod.py"]
    assert problems(found) == {"again": "symlink-loop", "pkg/loop": "symlink-loop"}


def test_a_file_link_loop_is_reported(tmp_path: Path) -> None:
    root = write_project(tmp_path, {"ok.py": ""})
    os.symlink(root / "b.py", root / "a.py")
    os.symlink(root / "a.py", root / "b.py")

    found = discover(root)

    assert sorted(modules(found)) == ["ok.py"]
    assert problems(found) == {"a.py": "symlink-loop", "b.py": "symlink-loop"}


def test_a_file_reached_twice_is_kept_under_its_real_path(tmp_path: Path) -> None:
    root = write_project(tmp_path, {"pkg/real.py": ""})
    os.symlink(root / "pkg" / "real.py", root / "alias.py")

    found = discover(root)

    assert modules(found) == {"pkg/real.py": ("pkg.real", False)}
    assert problems(found) == {"alias.py": "symlink-loop"}


def test_links_to_code_outside_the_root_are_followed(tmp_path: Path) -> None:
    outside = write_project(tmp_path / "shared", {"lib/helpers.py": "", "single.py": ""})
    root = write_project(tmp_path / "project", {"app.py": ""})
    os.symlink(outside / "lib", root / "lib")
    os.symlink(outside / "single.py", root / "single.py")

    found = discover(root)

    assert modules(found) == {
        "app.py": ("app", False),
        "lib/helpers.py": ("lib.helpers", False),
        "single.py": ("single", False),
    }
    assert found.files[1].path == root / "lib" / "helpers.py"


def test_a_broken_link_is_unreadable_and_a_link_into_a_skipped_folder_stays_skipped(
    tmp_path: Path,
) -> None:
    root = write_project(tmp_path, {"app.py": "", "build/lib/app.py": ""})
    os.symlink(root / "missing.py", root / "gone.py")
    os.symlink(root / "build" / "lib", root / "lib")

    found = discover(root)

    assert sorted(modules(found)) == ["app.py"]
    assert problems(found) == {"gone.py": "unreadable"}


@pytest.mark.parametrize(
    ("files", "kept", "reported"),
    [
        (["a.py", "a/__init__.py"], "a/__init__.py", "a.py"),
        (["src/pkg/m.py", "pkg/m.py"], "src/pkg/m.py", "pkg/m.py"),
        (["a/b.py", "a.b.py"], "a/b.py", "a.b.py"),
    ],
)
def test_two_files_claiming_one_module(
    tmp_path: Path, files: list[str], kept: str, reported: str
) -> None:
    root = write_project(tmp_path, dict.fromkeys(files, ""))

    found = discover(root)

    assert list(modules(found)) == [kept]
    assert problems(found) == {reported: "duplicate-module"}
    assert kept in found.problems[0].reason

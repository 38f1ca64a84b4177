"""Each runtime sees only its own folders; modules never leak from one to another."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from splitter.local.isolation import Runtime


def _package(root: Path, name: str, value: str) -> Path:
    (root / name).mkdir(parents=True)
    (root / name / "__init__.py").write_text(f"VALUE = {value!r}\n", encoding="utf-8")
    return root


def test_two_runtimes_keep_their_own_copy_of_a_package(tmp_path: Path) -> None:
    first = Runtime("first", [_package(tmp_path / "a", "isopkg", "a")])
    second = Runtime("second", [_package(tmp_path / "b", "isopkg", "b")])
    assert first.load("isopkg.VALUE") == "a"
    assert second.load("isopkg.VALUE") == "b"
    assert first.load("isopkg.VALUE") == "a"
    assert "isopkg" not in sys.modules


def test_code_of_another_runtime_cannot_be_imported(tmp_path: Path) -> None:
    owner = Runtime("owner", [_package(tmp_path / "owner", "isoowned", "x")])
    owner.load("isoowned.VALUE")
    borrower = Runtime("borrower", [_package(tmp_path / "borrower", "isoother", "y")])
    sys.path.insert(0, str(tmp_path / "owner"))  # even where the importing process could see it
    try:
        with pytest.raises(ModuleNotFoundError, match=r"isoowned.*borrower"):
            borrower.module("isoowned")
    finally:
        sys.path.remove(str(tmp_path / "owner"))


def test_environment_and_path_are_restored(tmp_path: Path) -> None:
    runtime = Runtime("env", [_package(tmp_path / "e", "isoenv", "e")], {"ISO_TEST_VAR": "1"})
    before = list(sys.path)
    with runtime.active():
        assert os.environ["ISO_TEST_VAR"] == "1"
        assert sys.path[0] == str((tmp_path / "e").resolve())
    assert "ISO_TEST_VAR" not in os.environ
    assert sys.path == before


def test_a_nested_runtime_hides_the_outer_ones_modules(tmp_path: Path) -> None:
    outer = Runtime("outer", [_package(tmp_path / "o", "isonest", "outer")])
    inner = Runtime("inner", [_package(tmp_path / "i", "isonest", "inner")])
    with outer.active():
        outer_value = outer.load("isonest.VALUE")
        inner_value = inner.load("isonest.VALUE")
        assert sys.modules["isonest"].VALUE == "outer"
    assert (outer_value, inner_value) == ("outer", "inner")


def test_a_module_the_host_imported_does_not_leak_into_a_runtime(tmp_path: Path) -> None:
    host = _package(tmp_path / "host", "isohost", "host")
    sys.path.insert(0, str(host))
    try:
        import isohost  # type: ignore[import-not-found]

        runtime = Runtime("own", [_package(tmp_path / "own", "isohost", "own")])
        assert runtime.load("isohost.VALUE") == "own"
        assert sys.modules["isohost"] is isohost  # the host's module is back afterwards
    finally:
        sys.path.remove(str(host))
        sys.modules.pop("isohost", None)

"""End to end: broken and hostile input gives problems with a path and a line, never a crash."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

pytest.importorskip(
    "splitter.analyzer.extract",
    reason="the fact extractor, splitter.analyzer.extract, does not exist yet",
)

import hypothesmith
from hypothesis import HealthCheck, given, settings

from splitter.analyzer.collect import collect_facts
from splitter.analyzer.discovery import discover
from splitter.analyzer.extract import extract_facts
from splitter.analyzer.facts import FileFacts, FileProblem
from splitter.analyzer.project import analyze_path
from splitter.errors import InputError

NESTED_IFS = "".join("    " * depth + "if x:\n" for depth in range(500)) + "    " * 500 + "pass\n"

GOOD: dict[str, bytes] = {
    "valid.py": b"import os\n\n\ndef main():\n    return os.getcwd()\n",
    "with_bom.py": codecs.BOM_UTF8 + b"def greet():\n    return 'hi'\n",
    "latin.py": b"# -*- coding: latin-1 -*-\nNAME = 'caf\xe9'\n",
    "nested_parens.py": b"x = " + b"(" * 200 + b"1" + b")" * 200 + b"\n",
    "empty.py": b"",
}

BAD: dict[str, tuple[bytes, set[str], int | None]] = {
    "broken.py": (b"x = 1\ndef f(:\n    pass\n", {"syntax"}, 2),
    "python2.py": (b"import os\n\nprint 'hello'\n", {"syntax"}, 3),
    "junk.py": (b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 4, {"binary"}, 1),
    "bad_utf8.py": (b"x = 1\ny = '\xff\xfe'\n", {"encoding"}, 2),
    "bad_cookie.py": (b"# coding: klingon\nx = 1\n", {"encoding"}, 1),
    "nested_ifs.py": (NESTED_IFS.encode(), {"syntax", "too-deep"}, None),
    "long_sum.py": (b"x = " + b" + ".join([b"1"] * 100_000) + b"\n", {"too-deep"}, 1),
}


def write_project(root: Path, files: dict[str, bytes]) -> Path:
    """Write `files` (relative path -> bytes) under `root` and return `root`."""
    for relpath, data in files.items():
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


def test_each_bad_file_is_a_problem_and_each_good_one_gives_facts(tmp_path: Path) -> None:
    bad = {name: data for name, (data, _, _) in BAD.items()}
    root = write_project(tmp_path / "code", {**GOOD, **bad})

    facts, problems = collect_facts(discover(root).files, workers=1, cache=None)

    assert sorted(f.path for f in facts) == sorted(GOOD)
    assert sorted(p.path for p in problems) == sorted(BAD)
    for problem in problems:
        _, kinds, line = BAD[problem.path]
        assert problem.kind in kinds, problem
        assert problem.line == line if line is not None else problem.line > 1, problem
        assert problem.reason


def test_problems_reach_the_analysis_and_the_good_code_is_analyzed(tmp_path: Path) -> None:
    bad = {name: data for name, (data, _, _) in BAD.items()}
    root = write_project(tmp_path / "code", {**GOOD, **bad})

    analysis = analyze_path(root, cache_dir=None)

    assert sorted(p.path for p in analysis.problems) == sorted(BAD)
    assert "valid.main" in {function.qualname for function in analysis.functions}


def test_nesting_that_kills_a_worker_costs_only_that_file(tmp_path: Path) -> None:
    # Enough code that two workers are started: in this process the crash would end the test.
    padding = {f"mod{number:02d}.py": b"def f():\n    return 1\n" * 2000 for number in range(25)}
    deep = b"x = " + b"[" * 5000 + b"]" * 5000 + b"\n"
    root = write_project(tmp_path / "code", {**padding, "deep.py": deep})

    facts, problems = collect_facts(discover(root).files, workers=2, cache=None)

    assert len(facts) == len(padding)
    assert [(p.path, p.line) for p in problems] == [("deep.py", 1)]


def test_module_code_is_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "side-effect"
    body = (
        "import os, subprocess, sys\n"
        f"open({str(marker) + '-open'!r}, 'w').write('ran')\n"
        f"os.system('touch {marker}-system')\n"
        f"subprocess.run(['touch', {str(marker) + '-subprocess'!r}])\n"
        "sys.exit(3)\n"
        "if __name__ == '__main__':\n"
        f"    open({str(marker) + '-main'!r}, 'w').write('ran')\n"
    ).encode()
    root = write_project(
        tmp_path / "code", {"pkg/__init__.py": body, "pkg/app.py": body, "setup.py": body}
    )

    analysis = analyze_path(root, cache_dir=None, workers=1)

    assert not list(tmp_path.glob("side-effect*"))
    assert {module.name for module in analysis.modules} >= {"pkg", "pkg.app", "setup"}


def test_the_default_cache_lives_in_the_root_and_serves_the_next_run(tmp_path: Path) -> None:
    root = write_project(tmp_path / "code", GOOD)

    first = analyze_path(root)
    second = analyze_path(root)

    assert second == first
    assert (root / ".splitter-cache" / "CACHEDIR.TAG").is_file()
    assert len(list((root / ".splitter-cache").glob("??/*"))) == len(GOOD)
    assert analyze_path(root, cache_dir=tmp_path / "elsewhere") == first
    assert (tmp_path / "elsewhere" / ".gitignore").read_text() == "*\n"


def test_a_missing_root_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist") as raised:
        analyze_path(tmp_path / "nowhere")
    assert raised.value.hint


def test_a_file_as_root_is_an_input_error(tmp_path: Path) -> None:
    root = write_project(tmp_path, {"app.py": b"x = 1\n"}) / "app.py"

    with pytest.raises(InputError, match="not a directory") as raised:
        analyze_path(root)
    assert str(tmp_path) in raised.value.hint


def test_a_root_without_python_files_is_an_input_error(tmp_path: Path) -> None:
    root = write_project(tmp_path, {"tests/test_app.py": b"", "README.md": b""})

    with pytest.raises(InputError, match="no Python file") as raised:
        analyze_path(root)
    assert "--include-tests" in raised.value.hint
    assert not (root / ".splitter-cache").exists()


@pytest.mark.filterwarnings("ignore::SyntaxWarning")
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(source=hypothesmith.from_grammar())
def test_extract_facts_never_raises(source: str) -> None:
    result = extract_facts(
        source, path="generated.py", module="generated", is_package=False, sha256="0" * 64
    )

    assert isinstance(result, FileFacts | FileProblem)

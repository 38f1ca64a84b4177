"""Accuracy of the call graph against the hand-written cases of `callgraph_cases`.

The analyzer must find exactly the expected edges of every case. A missing edge may be
excused in `KNOWN_MISSES` while it is being worked on; a wrong edge never is. The self-checks
at the end test the case table itself and need no analyzer.
"""

from __future__ import annotations

import ast
import builtins
import re
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from tests.analyzer.callgraph_cases import (
    CASES,
    CATEGORIES,
    CallGraphCase,
    Edge,
    Score,
    edges_of,
    expected_edges,
    score,
    write_case,
)

KNOWN_MISSES: dict[str, tuple[Edge, ...]] = {}
"""Expected edges the analyzer is known not to find yet, by case name.

Only missing edges can be listed; an entry goes as soon as its edge is found, which
`test_known_misses_are_still_missing` points out.
"""

MIN_PRECISION = 0.99
MIN_RECALL = 0.95
MIN_CASES = 100
MIN_CASES_PER_CATEGORY = 3

CASES_BY_NAME = {case.name: case for case in CASES}
CASE_IDS = [case.name for case in CASES]

FoundEdges = Callable[[CallGraphCase], frozenset[Edge]]


def call_graph_of(case: CallGraphCase, root: Path) -> dict[str, list[str]]:
    """Write the files of `case` under `root`, analyze `root` and return the PyCG-format graph.

    The analyzer is imported here, not at module level, so the self-checks run without it.
    """
    from splitter.analyzer.formats import to_pycg
    from splitter.analyzer.project import analyze_path

    write_case(case, root)
    return to_pycg(analyze_path(root))


@pytest.fixture(scope="module")
def found_edges(tmp_path_factory: pytest.TempPathFactory) -> FoundEdges:
    """Edges the analyzer finds for a case, computed once per case for this module."""
    found: dict[str, frozenset[Edge]] = {}

    def edges_for(case: CallGraphCase) -> frozenset[Edge]:
        if case.name not in found:
            root = tmp_path_factory.mktemp(case.name)
            found[case.name] = edges_of(call_graph_of(case, root))
        return found[case.name]

    return edges_for


def _describe(case: CallGraphCase, wrong: Iterable[Edge], missed: Iterable[Edge]) -> str:
    lines = [f"{case}:"]
    lines += [f"  wrong edge  {caller} -> {callee}" for caller, callee in wrong]
    lines += [f"  missed edge {caller} -> {callee}" for caller, callee in missed]
    if case.note:
        lines.append(f"  note: {case.note}")
    return "\n".join(lines)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_call_graph_matches_expected(case: CallGraphCase, found_edges: FoundEdges) -> None:
    found = found_edges(case)
    expected = expected_edges(case)
    excused = frozenset(KNOWN_MISSES.get(case.name, ()))
    wrong = sorted(found - expected)
    missed = sorted(expected - found - excused)
    assert not wrong and not missed, _describe(case, wrong, missed)


def test_known_misses_are_still_missing(found_edges: FoundEdges) -> None:
    fixed = [
        f"{name}: {caller} -> {callee}"
        for name, edges in sorted(KNOWN_MISSES.items())
        for caller, callee in edges
        if (caller, callee) in found_edges(CASES_BY_NAME[name])
    ]
    assert not fixed, "now found, remove from KNOWN_MISSES:\n" + "\n".join(fixed)


def test_pooled_precision_and_recall(found_edges: FoundEdges) -> None:
    total = sum((score(expected_edges(case), found_edges(case)) for case in CASES), Score(0, 0, 0))
    assert total.precision >= MIN_PRECISION, str(total)
    assert total.recall >= MIN_RECALL, str(total)


# Self-checks of the case table: these need no analyzer.

_SEGMENT = r"(?:[A-Za-z_]\w*|<lambda[1-9]\d*>)"
_NODE_NAME = re.compile(rf"{_SEGMENT}(?:\.{_SEGMENT})*")
_BUILTIN_NAME = re.compile(r"<builtin>\.([A-Za-z_]\w*)")
_CASE_NAME = re.compile(r"[a-z][a-z0-9_]*")
_BUILTIN_NAMES = frozenset(dir(builtins)) - {"super"}


def _module_name(path: str) -> str:
    parts = path.removesuffix(".py").split("/")
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _collect_scope(scope: str, nodes: Iterable[ast.AST], defined: dict[str, str]) -> None:
    """Record the definitions made by code that runs in `scope`, lambdas numbered in order."""
    lambdas: list[ast.Lambda] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            defaults = [*node.args.defaults, *node.args.kw_defaults]
            for child in [*node.decorator_list, *defaults]:
                if child is not None:
                    visit(child)
            name = f"{scope}.{node.name}"
            defined[name] = "function"
            _collect_scope(name, node.body, defined)
        elif isinstance(node, ast.ClassDef):
            keywords = [keyword.value for keyword in node.keywords]
            for expression in [*node.decorator_list, *node.bases, *keywords]:
                visit(expression)
            name = f"{scope}.{node.name}"
            defined[name] = "class"
            _collect_scope(name, node.body, defined)
        elif isinstance(node, ast.Lambda):
            for default in [*node.args.defaults, *node.args.kw_defaults]:
                if default is not None:
                    visit(default)
            lambdas.append(node)
        else:
            for inner in ast.iter_child_nodes(node):
                visit(inner)

    for node in nodes:
        visit(node)
    lambdas.sort(key=lambda node: (node.lineno, node.col_offset))
    for number, node in enumerate(lambdas, start=1):
        name = f"{scope}.<lambda{number}>"
        defined[name] = "lambda"
        _collect_scope(name, [node.body], defined)


def _definitions(case: CallGraphCase) -> dict[str, str]:
    """Map every node name the case's files define to its kind (module, class, ...)."""
    defined: dict[str, str] = {}
    for path, source in case.files.items():
        module = _module_name(path)
        defined[module] = "module"
        _collect_scope(module, ast.parse(source, filename=path).body, defined)
    return defined


def _problems(case: CallGraphCase) -> list[str]:
    """Say what is wrong with a case's files and expectations; empty when all is well."""
    problems: list[str] = []
    for path, source in case.files.items():
        if not path.endswith(".py") or path.startswith("/") or ".." in path.split("/"):
            problems.append(f"{path}: not a relative path to a .py file")
        if path == "__init__.py":
            problems.append("the analyzed root must be an import root, not a package")
        try:
            ast.parse(source, filename=path, feature_version=(3, 11))
        except SyntaxError as error:
            problems.append(f"{path}:{error.lineno}: {error.msg}")
    if problems:
        return problems
    defined = _definitions(case)
    top_level = {name.split(".")[0] for name, kind in defined.items() if kind == "module"}
    callable_kinds = {"function", "lambda"}
    for caller, callees in case.expected.items():
        if not callees:
            problems.append(f"{caller}: callers without edges are left out")
        if callees != sorted(callees) or len(set(callees)) != len(callees):
            problems.append(f"{caller}: callees must be sorted and unique")
        if defined.get(caller) not in callable_kinds | {"module"}:
            problems.append(f"{caller}: caller is not a module, function or lambda of the case")
        for callee in callees:
            builtin = _BUILTIN_NAME.fullmatch(callee)
            if builtin:
                if builtin.group(1) not in _BUILTIN_NAMES:
                    problems.append(f"{callee}: not a callable name of builtins")
            elif not _NODE_NAME.fullmatch(callee):
                problems.append(f"{callee}: not a well-formed node name")
            elif callee.split(".")[0] in top_level:
                if defined.get(callee) not in callable_kinds:
                    problems.append(f"{callee}: not a function or lambda of the case")
            elif "<lambda" in callee:
                problems.append(f"{callee}: an external name cannot hold a lambda")
    return problems


def test_case_table_shape() -> None:
    names = [case.name for case in CASES]
    assert len(CASES) >= MIN_CASES
    assert len(set(names)) == len(names), "case names must be unique"
    assert all(_CASE_NAME.fullmatch(name) for name in names), "case names are snake_case"
    categories = [case.category for case in CASES]
    assert set(categories) <= set(CATEGORIES), set(categories) - set(CATEGORIES)
    thin = [name for name in CATEGORIES if categories.count(name) < MIN_CASES_PER_CATEGORY]
    assert not thin, f"categories with fewer than {MIN_CASES_PER_CATEGORY} cases: {thin}"


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_case_is_well_formed(case: CallGraphCase) -> None:
    problems = _problems(case)
    assert not problems, f"{case}:\n" + "\n".join(problems)


def test_known_misses_name_real_cases_and_expected_edges() -> None:
    unknown = sorted(set(KNOWN_MISSES) - set(CASES_BY_NAME))
    assert not unknown, f"KNOWN_MISSES names no such case: {unknown}"
    not_expected = [
        f"{name}: {caller} -> {callee}"
        for name, edges in sorted(KNOWN_MISSES.items())
        for caller, callee in edges
        if (caller, callee) not in expected_edges(CASES_BY_NAME[name])
    ]
    assert not not_expected, "only expected edges can be excused:\n" + "\n".join(not_expected)

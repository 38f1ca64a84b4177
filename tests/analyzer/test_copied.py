"""Tests for facts without what resolution only copies (lines, docstrings), and for giving an
analysis' records the new ones after an edit."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from splitter.analyzer.cache import facts_digest
from splitter.analyzer.copied import FileEdit, copied_along, file_edit
from splitter.analyzer.extract import extract_facts
from splitter.analyzer.facts import FileFacts
from splitter.analyzer.model import Analysis, Call, ClassInfo, EntryPoint, Function
from splitter.analyzer.project import analyze_path
from splitter.analyzer.serialize import analysis_to_json
from tests.analyzer.conftest import CountingResolver
from tests.analyzer.test_discovery import write_project

SOURCE = (
    "import json\n"
    "\n"
    "HANDLERS = {'a': json.dumps, 'b': json.loads}\n"
    "\n"
    "\n"
    "def run(rows):\n"
    "    pairs = [(row, HANDLERS[row]) for row in rows]\n"
    "    return {key: handler(key) for key, handler in pairs}\n"
)


def facts(text: str) -> FileFacts:
    result = extract_facts(text, path="app.py", module="app", is_package=False, sha256="0" * 64)
    assert isinstance(result, FileFacts)
    return result


def test_moved_code_has_the_same_digest_and_other_lines() -> None:
    earlier = facts(SOURCE)
    now = facts("# a comment above it all\n" + SOURCE.replace("\n\ndef", "\n\n\n\ndef"))

    assert facts_digest(now) == facts_digest(earlier)
    assert now.definitions != earlier.definitions  # the lines differ
    # line 0: the bindings of comprehension variables, which have no line of their own
    assert lines(earlier, now) == {0: 0, 1: 2, 3: 4, 6: 9, 7: 10, 8: 11}


def lines(earlier: FileFacts, now: FileFacts) -> dict[int, int] | None:
    edit = file_edit(earlier, now)
    return None if edit is None else edit.lines


DOCUMENTED = '''"""Run rows."""


class Rows:
    """Rows."""

    def run(self):
        """Go."""
'''


def test_a_reworded_docstring_has_the_same_digest_and_another_docstring() -> None:
    earlier = facts(DOCUMENTED)
    now = facts(DOCUMENTED.replace("Run rows.", "Run the rows.").replace("Go.", "Go on."))

    assert facts_digest(now) == facts_digest(earlier)
    assert file_edit(earlier, now) == FileEdit(
        {0: 0, 4: 4, 7: 7, 8: 8}, {("app", 1): "Run the rows.", ("app.Rows.run", 7): "Go on."}
    )


def test_a_code_edit_changes_the_digest() -> None:
    edited = facts(SOURCE.replace("json.loads", "json.load"))

    assert facts_digest(edited) != facts_digest(facts(SOURCE))


def test_lines_that_do_not_move_in_one_piece_have_no_map() -> None:
    earlier = facts("import os\nos.getcwd(); os.getpid()\n")
    split = facts("import os\nos.getcwd()\nos.getpid()\n")
    joined = facts("import os; os.getcwd(); os.getpid()\n")

    assert facts_digest(split) == facts_digest(earlier) == facts_digest(joined)
    assert file_edit(earlier, split) is None  # line 2 became lines 2 and 3
    assert file_edit(earlier, joined) is None  # lines 1 and 2 became line 1
    assert lines(earlier, earlier) == {1: 1, 2: 2}


def test_facts_that_differ_have_no_edit() -> None:
    assert file_edit(facts("import os\n"), facts("import os\nimport sys\n")) is None


def test_an_edit_changes_only_the_records_of_its_file() -> None:
    analysis = Analysis(
        root="",
        functions=(
            Function("a", "module", "a", "a.py", 1, 9),
            Function("a.f", "function", "a", "a.py", 3, 9, docstring="F."),
            Function("b.g", "function", "b", "b.py", 3, 4, docstring="G."),
        ),
        classes=(ClassInfo("a.C", "a", "a.py", 4, 4, (), ("a.C",)),),
        calls=(Call("a.f", "b.g", "a.py", 4), Call("b.g", "a.f", "b.py", 4)),
        entry_points=(EntryPoint("a", "main", "if __name__ == '__main__'", "a.py", 1),),
    )
    lines = {3: 5, 4: 6, 9: 11}

    after = copied_along(analysis, {"a.py": FileEdit(lines, {("a.f", 5): "Eff."})})

    assert after is not None
    assert [(f.line, f.end_line) for f in after.functions] == [(1, 11), (5, 11), (3, 4)]
    assert [f.docstring for f in after.functions] == ["", "Eff.", "G."]
    assert [(c.line, c.end_line) for c in after.classes] == [(6, 6)]
    assert [c.line for c in after.calls] == [6, 4]
    assert after.entry_points == analysis.entry_points  # the main block sits at line 1
    assert copied_along(analysis, {"a.py": FileEdit({3: 5, 9: 11}, {})}) is None  # 4 unknown
    assert copied_along(analysis, {"a.py": FileEdit(lines, {("a.g", 5): "Gee."})}) is None
    assert copied_along(analysis, {}) is analysis


EDITED_PROJECT = {
    "shop/__init__.py": "",
    "shop/orders.py": (
        "from shop.pricing import total\n"
        "\n"
        "\n"
        "def place(items):\n"
        '    """Place an order."""\n'
        "    if not items:\n"
        "        return 0\n"
        "    return total([item for item in items if item])\n"
        "\n"
        "\n"
        "if __name__ == '__main__':\n"
        "    place([])\n"
    ),
    "shop/pricing.py": "def total(items):\n    return sum(items)\n",
}


def analyze(root: Path, *, cached: bool = True) -> Analysis:
    return analyze_path(root, workers=1, cache_dir="default" if cached else None)


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(lambda text: "# orders, placed\n" + text, id="comment at the top"),
        pytest.param(
            lambda text: text.replace("    return total", "\n    # the total\n    return total"),
            id="lines inside a function",
        ),
        pytest.param(lambda text: text.replace("\n\n\n", "\n"), id="blank lines removed"),
        pytest.param(
            lambda text: text.replace('"""Place an order."""', '"""Place the order."""'),
            id="a docstring reworded",
        ),
        pytest.param(
            lambda text: '"""Orders."""\n' + text.replace('"""Place an order."""', '"""Place."""'),
            id="a docstring added, another reworded",
        ),
    ],
)
def test_an_edit_that_only_moves_code_skips_resolution(
    tmp_path: Path, resolver: CountingResolver, edit: Callable[[str], str]
) -> None:
    root = write_project(tmp_path / "app", EDITED_PROJECT)
    first = analyze(root)
    orders = root / "shop" / "orders.py"
    orders.write_text(edit(orders.read_text()), encoding="utf-8")

    again = analyze(root)
    assert analyze(root) == again

    assert resolver.calls == 1
    assert analysis_to_json(again) == analysis_to_json(analyze(root, cached=False))
    # the records changed (lines, docstrings), as a run without cache has them
    assert analysis_to_json(again) != analysis_to_json(first)


def test_a_line_split_in_two_resolves_again_as_a_run_without_cache_would(
    tmp_path: Path, resolver: CountingResolver
) -> None:
    root = write_project(tmp_path / "app", EDITED_PROJECT)
    analyze(root)
    pricing = root / "shop" / "pricing.py"
    pricing.write_text("def total(items):\n    return sum(\n        items)\n", encoding="utf-8")

    again = analyze(root)

    assert resolver.calls == 2
    assert analysis_to_json(again) == analysis_to_json(analyze(root, cached=False))


def test_an_edit_back_and_forth_keeps_the_lines_of_this_run(
    tmp_path: Path, resolver: CountingResolver
) -> None:
    root = write_project(tmp_path / "app", EDITED_PROJECT)
    first = analyze(root)
    orders = root / "shop" / "orders.py"
    text = orders.read_text()
    orders.write_text("\n\n" + text, encoding="utf-8")
    analyze(root)
    orders.write_text(text, encoding="utf-8")

    again = analyze(root)

    assert resolver.calls == 1
    assert again == first


def test_moving_needs_the_earlier_facts(tmp_path: Path, resolver: CountingResolver) -> None:
    root = write_project(tmp_path / "app", EDITED_PROJECT)
    analyze(root)
    for entry in (root / ".splitter-cache").glob("[0-9a-f][0-9a-f]/*"):
        entry.unlink()  # the facts are gone, the resolved analysis is left
    orders = root / "shop" / "orders.py"
    orders.write_text("\n" + orders.read_text(), encoding="utf-8")

    again = analyze(root)

    assert resolver.calls == 2
    assert again == analyze(root, cached=False)


SAMPLE = Path(__file__).parents[2] / "sample_monolith"


@pytest.mark.parametrize(
    "path", sorted(SAMPLE.rglob("*.py")), ids=lambda path: str(path.relative_to(SAMPLE))
)
def test_every_line_of_every_kind_of_fact_moves_with_the_code(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    earlier = facts(text)
    now = facts("# one more line above\n" + text)

    assert facts_digest(now) == facts_digest(earlier)
    edit = file_edit(earlier, now)
    assert edit is not None
    assert all(new == (old + 1 if old else 0) for old, new in edit.lines.items())
    assert edit.docstrings == {}

"""What is reported as unresolved, and what is understood as third-party code."""

from __future__ import annotations

import textwrap
from pathlib import Path

from splitter.analyzer.model import Analysis, Call, UnresolvedCall
from splitter.analyzer.project import analyze_path


def unresolved(tmp_path: Path, source: str) -> list[str]:
    (tmp_path / "app.py").write_text(textwrap.dedent(source))
    analysis = analyze_path(tmp_path, workers=1, cache_dir=None)
    return [u.expression for u in analysis.unresolved]


def test_chains_on_values_from_external_functions_are_not_unresolved(tmp_path: Path) -> None:
    source = """
    import sqlite3
    from datetime import datetime

    def rows(path):
        conn = sqlite3.connect(path)
        rows = conn.execute("SELECT 1").fetchall()
        when = datetime.now().replace(hour=0).isoformat()
        conn.close()
        return rows, when
    """
    assert unresolved(tmp_path, source) == []


def test_a_parameter_without_annotation_is_unresolved_with_its_reason(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("def run(callback):\n    callback()\n")
    analysis = analyze_path(tmp_path, workers=1, cache_dir=None)
    [call] = analysis.unresolved
    assert (call.caller, call.line, call.expression) == ("app.run", 2, "callback()")
    assert "parameter 'callback' has no annotation" in call.reason


def test_comprehension_variables_are_bound_wherever_the_comprehension_stands(
    tmp_path: Path,
) -> None:
    source = """
    def a(x):
        return x

    def run():
        str([g(1) for g in (a,)])
        sum(m(1) for m in (a,))
        total = [i(1) for i in (a,)] + []
        return [f(1) for f in (a,)], total
    """
    (tmp_path / "app.py").write_text(textwrap.dedent(source))
    analysis = analyze_path(tmp_path, workers=1, cache_dir=None)
    assert analysis.unresolved == ()
    lines = {c.line for c in analysis.calls if (c.caller, c.callee) == ("app.run", "app.a")}
    assert lines == {6, 7, 8, 9}


def test_a_long_chain_on_an_external_result_is_not_unresolved(tmp_path: Path) -> None:
    source = """
    import requests

    def fetch(url):
        return requests.get(url).json().data.items.first().value().strip().lower().title()
    """
    assert unresolved(tmp_path, source) == []


def test_many_external_results_do_not_crowd_out_a_function(tmp_path: Path) -> None:
    # Seventy different third-party calls feed one parameter along with a local function:
    # the results of external calls are one kind of value, so the function is still found.
    feeds = "\n".join(f"    run(lib.call_{n}())" for n in range(70))
    source = "import lib\n\ndef local():\n    pass\n\ndef run(job):\n    job()\n\n"
    source += f"def main():\n{feeds}\n    run(local)\n"
    (tmp_path / "app.py").write_text(source)
    analysis = analyze_path(tmp_path, workers=1, cache_dir=None)
    callees = {c.callee for c in analysis.calls if c.caller == "app.run"}
    assert callees == {"app.local"}


def crowded_module(count: int) -> str:
    """`run(job)` is given `count` different functions, one call each."""
    functions = "".join(f"def f{n}():\n    pass\n\n" for n in range(count))
    feeds = "".join(f"    run(f{n})\n" for n in range(count))
    return f"{functions}def run(job):\n    job()\n    return job\n\ndef main():\n{feeds}"


def test_a_call_through_too_many_values_is_unresolved_with_no_edge(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(crowded_module(70))
    analysis = analyze_path(tmp_path, workers=1, cache_dir=None)
    assert not [c for c in analysis.calls if c.caller == "app.run"]
    [call] = [u for u in analysis.unresolved if u.caller == "app.run"]
    assert call.expression == "job()"
    assert call.reason == "'job' may be any of 64 values or more: too many to follow"


def test_values_read_from_too_many_values_are_too_many_as_well(tmp_path: Path) -> None:
    uses = ["picked = run(f0)", "picked()", "run(f1).attribute.method()"]
    source = crowded_module(70) + "".join(f"    {line}\n" for line in uses)
    (tmp_path / "app.py").write_text(source)
    analysis = analyze_path(tmp_path, workers=1, cache_dir=None)
    reasons = {u.expression: u.reason for u in analysis.unresolved if u.caller == "app.main"}
    assert reasons == {
        "picked()": "'picked' may be any of 64 values or more: too many to follow",
        "run(f1).attribute.method()": (
            "'run(f1).attribute.method' may be any of 64 values or more: too many to follow"
        ),
    }


def test_a_parameter_below_the_limit_keeps_every_value(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(crowded_module(63))
    analysis = analyze_path(tmp_path, workers=1, cache_dir=None)
    callees = {c.callee for c in analysis.calls if c.caller == "app.run"}
    assert callees == {f"app.f{n}" for n in range(63)}


def test_a_new_module_feeding_a_crowded_parameter_moves_no_other_edge(tmp_path: Path) -> None:
    # Its facts are replayed first (modules are taken in order of their names): had the
    # parameter kept the values that reached it first, the new one would push one out.
    (tmp_path / "app.py").write_text(crowded_module(70))
    before = analyze_path(tmp_path, workers=1, cache_dir=None)
    (tmp_path / "aardvark.py").write_text("import app\n\ndef g():\n    pass\n\napp.run(g)\n")
    after = analyze_path(tmp_path, workers=1, cache_dir=None)

    def elsewhere(analysis: Analysis) -> set[Call | UnresolvedCall]:
        records = (*analysis.calls, *analysis.unresolved)
        return {r for r in records if r.path != "aardvark.py"}

    assert elsewhere(after) == elsewhere(before)
    assert any(c.caller == "aardvark" for c in after.calls)  # it is analyzed


def test_an_attribute_a_class_sets_is_never_taken_from_its_external_base(tmp_path: Path) -> None:
    source = """
    from django.views.generic import View

    class Page(View):
        def remember(self, request):
            self.thing = request

        def go(self):
            self.thing.run()
    """
    (tmp_path / "app.py").write_text(textwrap.dedent(source))
    analysis = analyze_path(tmp_path, workers=1, cache_dir=None)
    assert not [c for c in analysis.calls if c.caller == "app.Page.go"]
    [call] = [u for u in analysis.unresolved if u.caller == "app.Page.go"]
    assert call.reason == "'self.thing' is bound only to values the analyzer cannot follow"


def test_an_attribute_no_class_sets_comes_from_the_external_base(tmp_path: Path) -> None:
    source = """
    from django.views.generic import TemplateView

    class Page(TemplateView):
        def get_context_data(self, **kwargs):
            context = super().get_context_data(**kwargs)
            context["q"] = self.request.GET.get("q")
            return context

    def patch(view):
        view.get_context_data = None
    """
    (tmp_path / "app.py").write_text(textwrap.dedent(source))
    analysis = analyze_path(tmp_path, workers=1, cache_dir=None)
    callees = {c.callee for c in analysis.calls if c.caller == "app.Page.get_context_data"}
    # Setting `get_context_data` on some object hides nothing from `super()`, which reads
    # classes only.
    assert callees == {
        "django.views.generic.TemplateView.get_context_data",
        "django.views.generic.TemplateView.request.GET.get",
    }

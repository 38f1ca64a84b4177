"""Names from the code never break Mermaid, DOT, SVG or the HTML page, whatever they hold."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ElementTree
from html.parser import HTMLParser

import pytest

from splitter.analyzer.model import Analysis, Call, Function, ModuleInfo, UnresolvedCall
from splitter.planner.metrics import measure
from splitter.planner.plan import CrossCall, Plan, Reason, Service
from splitter.report.build import build_report
from splitter.report.dot import dot_string, to_dot
from splitter.report.graph import Diagram, Edge, Node
from splitter.report.html import render_report, script_json
from splitter.report.mermaid import mermaid_text, to_mermaid
from splitter.report.model import ReportInput
from splitter.report.svg import diagram_svg

HOSTILE = [
    "<script>alert(1)</script>",
    'say "hi"',
    "a & b &amp; c",
    "réserver_ü_日本",
    "back`tick`|pipe|#hash;",
    "back\\slash\\n",
    "line\nbreak",
    "</script><!--",
]


def hostile_diagram(style: str = "layered") -> Diagram:
    nodes = tuple(
        Node(name, name, kind="service" if style == "ring" else "Task", detail=name, tooltip=name)
        for name in HOSTILE
    )
    edges = tuple(
        Edge(HOSTILE[i], HOSTILE[i + 1], label=HOSTILE[-1 - i]) for i in range(len(HOSTILE) - 1)
    )
    return Diagram("<d>", "title <&>", nodes, edges, style="ring" if style == "ring" else "layered")


@pytest.mark.parametrize("style", ["layered", "ring"])
def test_svg_is_well_formed_and_keeps_every_name(style: str) -> None:
    svg = diagram_svg(hostile_diagram(style))
    root = ElementTree.fromstring(svg)
    texts = {
        "".join(element.itertext()) for element in root.iter("{http://www.w3.org/2000/svg}text")
    }
    ids = {element.get("data-id") for element in root.iter() if element.get("data-id")}
    assert {name.replace("\n", " ") for name in HOSTILE} == ids  # XML folds newlines
    for name in HOSTILE:
        assert name.replace("\n", "\n") in texts or name in "".join(texts)
    assert "<script>" not in svg


def test_mermaid_labels_hold_no_character_that_ends_or_changes_them() -> None:
    text = to_mermaid(hostile_diagram())
    for line in text.splitlines()[1:]:
        for label in re.findall(r'"([^"]*)"', line):
            own = re.sub(r"<br/><small>|</small>", "", label)
            assert not set(own) & set("<>`\\|#&") - {"#", "&"}, label
            assert re.fullmatch(r"([^#&]|#\d+;|#[a-z]+;)*", own), label
    assert "<script>" not in text
    assert mermaid_text('a"b<c>d&e#f`g|h') == "a#quot;b#lt;c#gt;d#amp;e#35;f#96;g#124;h"
    assert mermaid_text("two\nlines") == "two lines"


def test_dot_strings_are_quoted_and_escaped() -> None:
    text = to_dot(hostile_diagram())
    for line in text.splitlines():
        unescaped = re.sub(r"\\.", "", line)
        assert unescaped.count('"') % 2 == 0, line
    assert dot_string('say "hi" \\ there') == '"say \\"hi\\" \\\\ there"'
    assert dot_string("two\nlines") == '"two lines"'


def test_script_json_cannot_end_its_element() -> None:
    text = script_json({"name": "</script><!-- & \u2028"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"name": "</script><!-- & \u2028"}


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts = 0
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.scripts += tag == "script"

    def handle_data(self, data: str) -> None:
        self.texts.append(data)


def hostile_report() -> str:
    module = "pkg.<script>alert(1)</script>"
    functions = tuple(
        Function(f"{module}.{name.replace('.', '_')}", "function", module, "pkg/x.py", i, i)
        for i, name in enumerate(HOSTILE, start=1)
    )
    names = [f.qualname for f in functions]
    calls = tuple(Call(names[i], names[i + 1], "pkg/x.py", i) for i in range(len(names) - 1))
    analysis = Analysis(
        root="<root>",
        modules=(ModuleInfo(module, "pkg/x.py", 10, False),),
        functions=functions,
        calls=calls,
        unresolved=(UnresolvedCall(names[0], "<script>x()</script>", "pkg/x.py", 1, "a & b"),),
    )
    services = (Service('svc"<b>', tuple(names[:4])), Service("svc&2", tuple(names[4:])))
    plan = Plan(
        "<root>",
        services,
        cross_calls=(CrossCall(names[3], names[4], 'svc"<b>', "svc&2", "pkg/x.py", 4),),
        reasons=tuple(Reason(name, ("</script> tie",)) for name in names),
    )
    partition = {name: ('svc"<b>' if i < 4 else "svc&2") for i, name in enumerate(names)}
    import networkx as nx

    graph = nx.DiGraph([(c.caller, c.callee) for c in calls])
    return render_report(build_report(ReportInput(analysis, plan, measure(graph, partition))))


def test_the_page_escapes_every_name_from_the_code() -> None:
    html = hostile_report()
    assert "<script>alert" not in html
    assert "<script>x()" not in html
    assert "</script> tie" not in html
    parser = _Elements()
    parser.feed(html)
    assert parser.scripts == 2
    text = "".join(parser.texts)
    assert 'svc"<b>' in text and "svc&2" in text
    data = html.split('<script type="application/json" id="report-data">')[1].split("</script>")[0]
    assert json.loads(data)["services"][0] == 'svc"<b>'

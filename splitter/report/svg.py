"""Drawing a laid-out diagram as SVG: shapes and paths from the layout, text escaped."""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from splitter.generator.rendering import render_template
from splitter.report.graph import SHARED_COLOUR, Diagram
from splitter.report.layout import Drawing, Line, Point, Shape, lay_out

PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#59a14f",
    "#e15759",
    "#76b7b2",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#2f4b7c",
    "#8cd17d",
    "#d37295",
)
"""The colours services cycle through (`c0`..`c11` in the style sheet), Tableau's ten and two
more."""

SHARED_FILL = "#9aa5b1"
"""The colour of the shared library and of code no service owns."""

_CLASS_TOKEN = re.compile(r"[^A-Za-z0-9_-]+")


@dataclass(frozen=True)
class SvgOptions:
    """`standalone` adds the style sheet to the file (a page supplies its own otherwise);
    `prefix` keeps marker ids apart when several drawings share one page."""

    standalone: bool = True
    prefix: str = "d"


def diagram_svg(diagram: Diagram, options: SvgOptions | None = None) -> str:
    """Lay `diagram` out and draw it as an SVG document (or fragment)."""
    return drawing_svg(lay_out(diagram), options or SvgOptions())


def drawing_svg(drawing: Drawing, options: SvgOptions) -> str:
    """The SVG text of a laid-out diagram; every name from the code is escaped."""
    diagram = drawing.diagram
    return render_template(
        "report/diagram.svg",
        diagram_name=diagram.name,
        title=diagram.title,
        style=diagram.style,
        width=number(drawing.width),
        height=number(drawing.height),
        prefix=class_token(options.prefix),
        standalone=options.standalone,
        shapes=[_shape(shape) for shape in drawing.shapes],
        lines=[_line(line) for line in drawing.lines],
        palette=PALETTE,
        shared_colour=SHARED_FILL,
    ).strip()


def colour_class(colour: int) -> str:
    """The CSS class of a service colour index (`shared` for none)."""
    return "shared" if colour == SHARED_COLOUR else f"c{colour % len(PALETTE)}"


def colour_value(colour: int) -> str:
    """The hex colour of a service colour index."""
    return SHARED_FILL if colour == SHARED_COLOUR else PALETTE[colour % len(PALETTE)]


def class_token(text: str) -> str:
    """`text` reduced to the characters a CSS class name may hold."""
    return _CLASS_TOKEN.sub("-", text).strip("-") or "x"


def number(value: float) -> str:
    """A coordinate with one decimal at most: `12`, `12.5`."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _shape(shape: Shape) -> dict[str, Any]:
    node = shape.node
    classes = [class_token(node.kind or "node"), colour_class(node.colour)]
    classes += [class_token(mark) for mark in node.marks]
    if shape.compound:
        classes.append("compound")
    return {
        "id": node.id,
        "classes": " ".join(classes),
        "x": number(shape.x),
        "y": number(shape.y),
        "left": number(-shape.width / 2),
        "top": number(-shape.height / 2),
        "width": number(shape.width),
        "height": number(shape.height),
        "radius": number(shape.width / 2),
        "circle": node.kind == "service",
        "compound": shape.compound,
        "label": shape.label,
        "detail": node.detail,
        "tooltip": node.tooltip or node.label,
        "label_y": _label_y(shape),
        "detail_y": _detail_y(shape),
    }


def _label_y(shape: Shape) -> str:
    if shape.node.kind == "service":
        return number(shape.height / 2 + 15)
    if shape.compound:
        return number(-shape.height / 2 + 17)
    return number(-5 if shape.node.detail else 4)


def _detail_y(shape: Shape) -> str:
    if shape.node.kind == "service":
        return number(shape.height / 2 + 29)
    return number(11)


def _line(line: Line) -> dict[str, Any]:
    edge = line.edge
    classes = [class_token(edge.kind or "edge"), *(class_token(m) for m in edge.marks)]
    return {
        "source": edge.source,
        "target": edge.target,
        "classes": " ".join(classes),
        "d": path_data(line),
        "width": number(line.width),
        "label": edge.label,
        "label_x": number(line.label_at[0]),
        "label_y": number(line.label_at[1]),
        "tooltip": str(edge),
    }


def path_data(line: Line) -> str:
    """The `d` attribute: one quadratic arc, or vertical cubic splines between the points."""
    points = line.points
    start = f"M{_point(points[0])}"
    if line.shape == "arc" and len(points) == 3:
        return f"{start} Q{_point(points[1])} {_point(points[2])}"
    parts = [start]
    for (x1, y1), (x2, y2) in pairwise(points):
        middle = (y1 + y2) / 2
        parts.append(f"C{_point((x1, middle))} {_point((x2, middle))} {_point((x2, y2))}")
    return " ".join(parts)


def _point(point: Point) -> str:
    return f"{number(point[0])},{number(point[1])}"

"""The one jinja2 environment the generator renders its templates with, and its filters."""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2

_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


@cache
def template_environment() -> jinja2.Environment:
    """Templates under `splitter/templates/`, undefined variables an error, no HTML escaping.

    Values from the monolith reach the output only through the filters: `pystr` (a string
    literal), `docstring` (text inside a one-line docstring) and `comment` (one comment line).
    """
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("splitter", "templates"),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["pystr"] = python_string
    environment.filters["docstring"] = docstring_text
    environment.filters["comment"] = comment_text
    return environment


def render_template(name: str, **context: Any) -> str:
    """Render `splitter/templates/<name>.jinja` with `context`.

    Raises:
        jinja2.UndefinedError: the template uses a variable `context` lacks.
    """
    return template_environment().get_template(f"{name}.jinja").render(**context)


def python_string(text: str) -> str:
    """A double-quoted Python string literal whose value is `text`, whatever it holds."""
    return '"' + "".join(_escape(c) for c in text) + '"'


def _escape(character: str) -> str:
    if character in _ESCAPES:
        return _ESCAPES[character]
    if not character.isprintable():
        return character.encode("unicode_escape").decode("ascii")
    return character


def docstring_text(text: str) -> str:
    """`text` on one line, safe between triple double quotes."""
    return "".join(_escape(c) for c in " ".join(str(text).split()))


def comment_text(text: str) -> str:
    """`text` on one line, safe after a `#`."""
    return "".join(c if c.isprintable() else "?" for c in " ".join(str(text).split()))

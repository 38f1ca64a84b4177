"""setuptools' build backend, which also asks for mypyc when SPLITTER_COMPILE=1 (see setup.py).

mypyc comes with mypy, and type-checks what the compiled modules import, libcst among them:
a build that compiles nothing does not download them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from setuptools import build_meta
from setuptools.build_meta import *  # noqa: F403  # every other hook is setuptools' own

COMPILER = ["mypy>=1.11,<3", "libcst>=1.4,<2"]
ASKING = "SPLITTER_BUILD_ASKING"
"""Set while setuptools runs setup.py only to learn what the build needs, when mypyc is not
installed yet, or to make an sdist, which holds sources only: setup.py compiles nothing then."""


def get_requires_for_build_sdist(config_settings: dict[str, object] | None = None) -> list[str]:
    with _asking():
        return build_meta.get_requires_for_build_sdist(config_settings)


def build_sdist(sdist_directory: str, config_settings: dict[str, object] | None = None) -> str:
    with _asking():
        return build_meta.build_sdist(sdist_directory, config_settings)


def get_requires_for_build_wheel(config_settings: dict[str, object] | None = None) -> list[str]:
    return _with_compiler(build_meta.get_requires_for_build_wheel, config_settings)


def get_requires_for_build_editable(
    config_settings: dict[str, object] | None = None,
) -> list[str]:
    return _with_compiler(build_meta.get_requires_for_build_editable, config_settings)


def _with_compiler(
    hook: Callable[[dict[str, object] | None], list[str]], config_settings: dict[str, object] | None
) -> list[str]:
    with _asking():
        required = hook(config_settings)
    return [*required, *COMPILER] if os.environ.get("SPLITTER_COMPILE") == "1" else required


@contextmanager
def _asking() -> Iterator[None]:
    os.environ[ASKING] = "1"
    try:
        yield
    finally:
        del os.environ[ASKING]

"""Build hook: with SPLITTER_COMPILE=1, compile the analyzer's resolution modules with mypyc.

    SPLITTER_COMPILE=1 pip install -e .     # compiled: resolution takes about a fifth less time
    pip install -e .                        # from source (and the compiled copies removed)

Everything else about the package is declared in pyproject.toml. The modules compiled are
`COMPILED_MODULES` of splitter/analyzer/compiled.py; the build records a hash of each source
beside them, so the analyzer can refuse a compiled module whose source was edited since.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.machinery
import json
import os
from pathlib import Path
from typing import Any

from setuptools import setup

ANALYZER = Path("splitter") / "analyzer"
RUNTIME = "compiled_runtime"
"""The module mypyc builds beside the compiled ones, with what they share."""


def declared() -> dict[str, Any]:
    """The constants of splitter/analyzer/compiled.py, read without importing the package."""
    tree = ast.parse((ANALYZER / "compiled.py").read_text(encoding="utf-8"))
    return {
        target.id: ast.literal_eval(statement.value)
        for statement in tree.body
        if isinstance(statement, ast.Assign)
        for target in statement.targets
        if isinstance(target, ast.Name) and target.id in ("COMPILED_MODULES", "RECORD_NAME")
    }


def remove_compiled_copies(modules: list[str], record: str) -> None:
    """Take away what an earlier compiling build left in the source tree, which Python would
    otherwise import instead of the sources."""
    for name in [*modules, f"{RUNTIME}__mypyc"]:
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            (ANALYZER / f"{name}{suffix}").unlink(missing_ok=True)
    (ANALYZER / record).unlink(missing_ok=True)


def extensions() -> list[Any]:
    constants = declared()
    modules, record_name = list(constants["COMPILED_MODULES"]), str(constants["RECORD_NAME"])
    if os.environ.get("SPLITTER_BUILD_ASKING") == "1":
        return []  # build_support/backend.py is only asking what the build needs
    if os.environ.get("SPLITTER_COMPILE") != "1":
        remove_compiled_copies(modules, record_name)
        return []

    from mypyc.build import mypycify

    sources = {name: (ANALYZER / f"{name}.py").read_bytes() for name in modules}
    record = {name: hashlib.sha256(source).hexdigest() for name, source in sources.items()}
    # The digest of compiled.source_digest, which cannot be imported before the package is built.
    (ANALYZER / record_name).write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")
    paths = [str(ANALYZER / f"{name}.py") for name in modules]
    return mypycify(paths, opt_level="3", group_name=f"splitter.analyzer.{RUNTIME}")


setup(ext_modules=extensions())

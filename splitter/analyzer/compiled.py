"""The analyzer modules that may run compiled, and the check that none runs stale code.

`SPLITTER_COMPILE=1 pip install .` (or `-e .`) compiles the modules that resolve a program
(`COMPILED_MODULES`) with mypyc, and resolution takes about a fifth less time; see setup.py.
Compiled or not, they give the same analysis. Python imports a compiled module in preference to
its source, so an edit of the source after an editable install would silently not run: the
build records a hash of each source it compiled (`RECORD_NAME`, beside them), and
`check_compiled` refuses to analyze when a source no longer matches its compiled module.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import json
from pathlib import Path

from splitter.errors import AnalysisError

COMPILED_MODULES = ("resolve", "scopes", "results", "references", "sql")
"""The modules of this package setup.py compiles: those resolution spends its time in."""

RECORD_NAME = "compiled_sources.json"
"""{module: sha256 of the source it was compiled from}, written by a compiling build."""

_FOLDER = Path(__file__).parent


def source_digest(source: bytes) -> str:
    """What the record keeps of a module's source."""
    return hashlib.sha256(source).hexdigest()


def compiled_modules(folder: Path | None = None) -> list[str]:
    """The modules of `COMPILED_MODULES` that have a compiled copy in `folder` (this package's
    by default), which Python imports rather than their source."""
    folder = folder or _FOLDER
    return [name for name in COMPILED_MODULES if _compiled_copy(folder, name) is not None]


def stale_modules(folder: Path | None = None) -> list[str]:
    """The compiled modules in `folder` (this package's by default) whose source is not the
    one they were compiled from, or of which no build recorded the source."""
    folder = folder or _FOLDER
    record = _record(folder)
    stale = []
    for name in compiled_modules(folder):
        try:
            source = (folder / f"{name}.py").read_bytes()
        except OSError:
            continue  # installed without its source: nothing to compare
        if record.get(name) != source_digest(source):
            stale.append(name)
    return stale


def check_compiled(folder: Path | None = None) -> None:
    """Raise when a compiled module in `folder` (this package's by default) would run other
    code than its source says.

    Raises:
        AnalysisError: a source was edited after it was compiled.
    """
    folder = folder or _FOLDER
    stale = stale_modules(folder)
    if stale:
        names = ", ".join(f"{name}.py" for name in stale)
        raise AnalysisError(
            f"{names} in {folder} changed after it was compiled, so the compiled copy would "
            "run the earlier code",
            hint="compile again with `SPLITTER_COMPILE=1 pip install -e .`, or run from source "
            "with `pip install -e .`, which removes the compiled copies",
        )


def _compiled_copy(folder: Path, name: str) -> Path | None:
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        path = folder / f"{name}{suffix}"
        if path.is_file():
            return path
    return None


def _record(folder: Path) -> dict[str, str]:
    try:
        loaded = json.loads((folder / RECORD_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}

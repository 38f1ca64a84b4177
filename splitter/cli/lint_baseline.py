"""The monolith's own lint findings, so the generated tree's `ruff.toml` can set them apart.

Carried code keeps the monolith's statements, and with them whatever ruff finds in them (an
unused import, a lambda assigned to a name). Those are the monolith's, not generation's: ruff
runs here over the monolith's files with the generated tree's settings (it reads them; it
imports and runs nothing), and each carried file then ignores the rules its original breaks.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

from splitter.generator.app_files import LINT_LINE_LENGTH, LINT_RULES

_BATCH = 400
"""Files per ruff run, to keep command lines short."""


def monolith_findings(root: Path, paths: Iterable[str]) -> Mapping[str, tuple[str, ...]] | None:
    """Each of `paths` (relative to `root`) with findings -> the rules it breaks; None when ruff
    cannot run here."""
    found: dict[str, set[str]] = {}
    wanted = sorted(paths)
    for start in range(0, len(wanted), _BATCH):
        batch = wanted[start : start + _BATCH]
        findings = _ruff(root, batch)
        if findings is None:
            return None
        for finding in findings:
            path = Path(str(finding.get("filename", ""))).resolve()
            code = finding.get("code")
            if isinstance(code, str) and path.is_relative_to(root.resolve()):
                found.setdefault(path.relative_to(root.resolve()).as_posix(), set()).add(code)
    return {path: tuple(sorted(codes)) for path, codes in sorted(found.items())}


def _ruff(root: Path, paths: list[str]) -> list[dict[str, object]] | None:
    command = [
        sys.executable, "-m", "ruff", "check", "--isolated", "--no-cache", "--exit-zero",
        "--output-format", "json", "--line-length", str(LINT_LINE_LENGTH),
        "--select", ",".join(LINT_RULES), "--", *paths,
    ]  # fmt: skip
    try:
        done = subprocess.run(command, cwd=root, capture_output=True, text=True, check=True)
        findings = json.loads(done.stdout or "[]")
    except (OSError, subprocess.CalledProcessError, ValueError):
        return None
    return findings if isinstance(findings, list) else None

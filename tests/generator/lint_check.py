"""ruff on a generated tree, each finding told apart: the monolith's own, or made by carrying.

A carried file names its monolith file in its first comment. A finding in it is the
monolith's own when ruff, run with the same settings on that monolith file, finds the same
rule with the same message on a line of the same text; every other finding (and every
finding in a file the generator wrote) is the generator's.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from splitter.generator.app_files import LINT_IGNORED

_ORIGIN = re.compile(r"# From (.+?) of the monolith")
_OURS = re.compile(r"\s*# noqa: E402$")
_LINE_NUMBER = re.compile(r"line \d+")


@dataclass(frozen=True)
class Finding:
    """One ruff finding: file, line, rule and message."""

    path: str
    line: int
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.code} {self.message}"


@dataclass(frozen=True)
class LintSplit:
    """The findings the generator made, and those the monolith's files already have."""

    generated: tuple[Finding, ...]
    monolith: tuple[Finding, ...]


def split_findings(tree: Path, monolith: Path, options: Sequence[str] = ()) -> LintSplit:
    """Run ruff on `tree` (with its own `ruff.toml` when there is one, else `options`) and
    on the monolith files its carried files come from, and tell the findings apart. The
    rules `ruff.toml` sets apart for the files carried from the monolith are not: every
    finding is seen and sorted here."""
    settings = ["--config", str(tree / "ruff.toml")] if (tree / "ruff.toml").is_file() else []
    if settings:
        table = ", ".join(
            f"{json.dumps(p)} = {json.dumps(list(c))}" for p, c in LINT_IGNORED.items()
        )
        settings += ["--config", f"lint.per-file-ignores = {{{table}}}"]
    settings = settings or ["--isolated", *options]
    generated: list[Finding] = []
    own: list[Finding] = []
    originals: dict[str, Counter[tuple[str, str, str]]] = {}
    for finding in _ruff(tree, ["."], settings):
        origin = _origin(tree / finding.path)
        if origin is not None and origin not in originals:
            originals[origin] = Counter(
                _key(f, monolith / f.path) for f in _ruff(monolith, [origin], settings)
            )
        mine = origin is None or originals[origin][_key(finding, tree / finding.path)] == 0
        (generated if mine else own).append(finding)
    return LintSplit(tuple(generated), tuple(own))


def _ruff(folder: Path, paths: Sequence[str], settings: Sequence[str]) -> list[Finding]:
    command = [sys.executable, "-m", "ruff", "check", "--no-cache", "--exit-zero"]
    command += ["--output-format", "json", *settings, *paths]
    done = subprocess.run(command, cwd=folder, capture_output=True, text=True, check=True)
    return [
        Finding(
            str(Path(item["filename"]).resolve().relative_to(folder.resolve())),
            item["location"]["row"],
            item["code"] or "",
            item["message"],
        )
        for item in json.loads(done.stdout)
    ]


def _origin(path: Path) -> str | None:
    for line in path.read_text(encoding="utf-8").splitlines()[:3]:
        found = _ORIGIN.match(line)
        if found:
            return found.group(1)
    return None


def _key(finding: Finding, path: Path) -> tuple[str, str, str]:
    """What identifies a finding across the two files: its rule, its message without line
    numbers and the text of its line without the `# noqa: E402` the generator may add."""
    lines = path.read_text(encoding="utf-8").splitlines()
    text = lines[finding.line - 1] if finding.line <= len(lines) else ""
    message = _LINE_NUMBER.sub("line N", finding.message)
    return finding.code, message, _OURS.sub("", text).strip()

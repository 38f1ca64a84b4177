"""Finding a code base's Python files on disk and the module names Python would import them as."""

from __future__ import annotations

import errno
import fnmatch
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from splitter.analyzer.facts import FileProblem

_SKIPPED_DIRS = frozenset({"site-packages", "node_modules", "__pycache__"})
_OUTPUT_DIRS = frozenset({"build", "dist"})
_ENV_DIRS = frozenset({"venv", "env"})
_ENV_MARKERS = ("pyvenv.cfg", "conda-meta")
_ACTIVATE_SCRIPTS = ("bin/activate", "Scripts/activate")
_TEST_DIRS = frozenset({"tests", "test"})
_TEST_FILES = ("test_*.py", "*_test.py", "conftest.py")

_EntryKind = Literal["dir", "file", "loop", "unreadable", "other"]


@dataclass(frozen=True)
class SourceFile:
    """A Python file to analyze: where it is and the module Python would import it as."""

    path: Path
    relpath: str
    module: str
    is_package: bool

    def __str__(self) -> str:
        return f"{self.relpath} ({self.module})"


@dataclass(frozen=True)
class Discovery:
    """The files found under a root, sorted by module name, and the files set aside."""

    files: tuple[SourceFile, ...]
    problems: tuple[FileProblem, ...]

    def __str__(self) -> str:
        return f"{len(self.files)} Python files, {len(self.problems)} set aside"


def discover(root: Path, *, exclude: Sequence[str] = (), include_tests: bool = False) -> Discovery:
    """Find the `.py` files under `root` and name their modules as Python would import them.

    `root` is a package named after its folder when it holds an `__init__.py`, else an import
    root like a `sys.path` entry; with a `src/` layout, `src` is the import root for the files
    under it. Virtual environments, build output, caches, hidden directories and (unless
    `include_tests`) test code are skipped. Symbolic links are followed; a loop, a file reached
    twice and two files claiming one module are reported as problems, and the walk goes on.

    Args:
        root: the directory to search.
        exclude: glob patterns matched against each file's and directory's path relative to
            `root` (posix separators); a pattern without "/" also matches a bare name, at any
            depth, like a `.gitignore` line.
        include_tests: also take test directories and test files.

    Returns:
        The files sorted by module name, and the problems sorted by path.
    """
    rules = _Rules(
        tuple(pattern.strip("/").removeprefix("./") for pattern in exclude), include_tests
    )
    walk = _Walk(root, rules)
    walk.run()
    found, repeated = _drop_repeated_files(walk.found)
    layout = _layout(root)
    files, duplicates = _drop_duplicate_modules((_source_file(f, layout) for f in found), layout)
    problems = sorted([*walk.problems, *repeated, *duplicates], key=lambda p: (p.path, p.kind))
    return Discovery(tuple(sorted(files, key=lambda f: f.module)), tuple(problems))


@dataclass(frozen=True)
class _Rules:
    exclude: tuple[str, ...]
    include_tests: bool

    def skips_dir(self, directory: Path, name: str, relpath: str) -> bool:
        if name.startswith(".") or name in _SKIPPED_DIRS or name.endswith(".egg-info"):
            return True
        # A `build` or `dist` that is a package is somebody's source, not build output.
        if name in _OUTPUT_DIRS and not (directory / "__init__.py").is_file():
            return True
        if (name in _TEST_DIRS and not self.include_tests) or self.excludes(relpath, name):
            return True
        return _is_virtualenv(directory, name)

    def skips_file(self, name: str, relpath: str) -> bool:
        if not name.endswith(".py") or name.startswith("."):
            return True
        is_test = any(fnmatch.fnmatchcase(name, pattern) for pattern in _TEST_FILES)
        return (is_test and not self.include_tests) or self.excludes(relpath, name)

    def excludes(self, relpath: str, name: str) -> bool:
        return any(
            fnmatch.fnmatchcase(relpath, pattern)
            or ("/" not in pattern and fnmatch.fnmatchcase(name, pattern))
            for pattern in self.exclude
        )


def _is_virtualenv(directory: Path, name: str) -> bool:
    if any((directory / marker).exists() for marker in _ENV_MARKERS):
        return True
    return name in _ENV_DIRS and any((directory / s).is_file() for s in _ACTIVATE_SCRIPTS)


@dataclass(frozen=True)
class _Entry:
    """A file or directory met on the walk; `real` is its resolved path."""

    path: Path
    relpath: str
    real: str
    via_link: bool


class _Walk:
    """One walk over a tree; iterative, so a very deep tree cannot exhaust the stack."""

    def __init__(self, root: Path, rules: _Rules) -> None:
        self.rules = rules
        self.root_real = os.path.realpath(root)
        self.found: list[_Entry] = []
        self.problems: list[FileProblem] = []
        self.seen_dirs = {self.root_real}
        self.stack = [_Entry(root, "", self.root_real, via_link=False)]
        self.linked_dirs: list[tuple[Path, str]] = []

    def run(self) -> None:
        # Linked directories wait until the real tree is done, so a file is kept under its
        # real path and the link that reaches it again is the one reported.
        while self.stack or self.linked_dirs:
            if self.stack:
                self.scan(self.stack.pop())
            else:
                self.follow(*self.linked_dirs.pop(0))

    def scan(self, directory: _Entry) -> None:
        try:
            with os.scandir(directory.path) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as error:
            reason = f"cannot list directory: {error.strerror or error}"
            self.problems.append(FileProblem(directory.relpath or ".", 1, "unreadable", reason))
            return
        for entry in entries:
            relpath = f"{directory.relpath}/{entry.name}" if directory.relpath else entry.name
            self.visit(entry, relpath, directory)

    def visit(self, entry: os.DirEntry[str], relpath: str, parent: _Entry) -> None:
        kind, path = _entry_kind(entry), Path(entry.path)
        if kind == "dir" and not self.rules.skips_dir(path, entry.name, relpath):
            if entry.is_symlink():
                self.linked_dirs.append((path, relpath))
            else:
                real = os.path.join(parent.real, entry.name)
                self.seen_dirs.add(real)
                self.stack.append(_Entry(path, relpath, real, parent.via_link))
        elif kind == "loop" and not self.rules.skips_dir(path, entry.name, relpath):
            reason = "symbolic link that resolves to itself; skipped"
            self.problems.append(FileProblem(relpath, 1, "symlink-loop", reason))
        elif kind == "unreadable" and not self.rules.skips_file(entry.name, relpath):
            reason = "broken symbolic link or no permission to read it"
            self.problems.append(FileProblem(relpath, 1, "unreadable", reason))
        elif kind == "file" and not self.rules.skips_file(entry.name, relpath):
            is_link = entry.is_symlink()
            real = os.path.realpath(path) if is_link else os.path.join(parent.real, entry.name)
            self.found.append(_Entry(path, relpath, real, parent.via_link or is_link))

    def follow(self, path: Path, relpath: str) -> None:
        real = os.path.realpath(path)
        if real in self.seen_dirs or _contains(real, self.root_real):
            if _contains(real, os.path.realpath(path.parent)):
                reason = "symbolic link to an enclosing directory (a loop); not followed"
            else:
                reason = f"symbolic link to {real}, which is already scanned; not followed"
            self.problems.append(FileProblem(relpath, 1, "symlink-loop", reason))
        elif not _contains(self.root_real, real):
            self.seen_dirs.add(real)
            self.stack.append(_Entry(path, relpath, real, via_link=True))
        # A link into a part of the tree that the rules skipped stays skipped.


def _entry_kind(entry: os.DirEntry[str]) -> _EntryKind:
    try:
        if entry.is_dir():
            return "dir"
        if entry.is_file():
            return "file"
        # A link to nothing; anything else (a socket, a FIFO that would block a read) is ignored.
        return "unreadable" if entry.is_symlink() else "other"
    except OSError as error:
        return "loop" if error.errno == errno.ELOOP else "unreadable"


def _contains(outer: str, inner: str) -> bool:
    return inner == outer or inner.startswith(outer.rstrip(os.sep) + os.sep)


def _drop_repeated_files(found: list[_Entry]) -> tuple[list[_Entry], list[FileProblem]]:
    kept: dict[str, _Entry] = {}
    problems: list[FileProblem] = []
    for file in sorted(found, key=lambda f: (f.via_link, f.relpath)):
        first = kept.setdefault(file.real, file)
        if first is not file:
            reason = f"the same file as {first.relpath}, reached again through a symbolic link"
            problems.append(FileProblem(file.relpath, 1, "symlink-loop", reason))
    return sorted(kept.values(), key=lambda f: f.relpath), problems


@dataclass(frozen=True)
class _Layout:
    package: str
    src: bool


def _layout(root: Path) -> _Layout:
    if (root / "__init__.py").is_file():
        # abspath, not resolve: `.` gets its folder's name and a linked root keeps its own.
        return _Layout(package=Path(os.path.abspath(root)).name, src=False)
    src = root / "src"
    return _Layout(package="", src=src.is_dir() and not (src / "__init__.py").is_file())


def _source_file(found: _Entry, layout: _Layout) -> SourceFile:
    parts = found.relpath.split("/")
    if layout.src and len(parts) > 1 and parts[0] == "src":
        parts = parts[1:]
    parts[-1] = parts[-1].removesuffix(".py")
    is_package = parts[-1] == "__init__"
    if is_package:
        parts.pop()
    # Names that are not identifiers (`my-scripts/x.py`, `2fa.py`) cannot be imported by an
    # import statement, but such files still run as scripts or through runpy and may call the
    # rest of the code; keeping the dotted path as it is gives them a stable node name, and a
    # collision with an importable module is reported like any other duplicate.
    module = ".".join([layout.package, *parts] if layout.package else parts)
    return SourceFile(found.path, found.relpath, module, is_package)


def _drop_duplicate_modules(
    files: Iterable[SourceFile], layout: _Layout
) -> tuple[list[SourceFile], list[FileProblem]]:
    def preference(file: SourceFile) -> tuple[str, bool, bool, bool, str]:
        importable = all(part.isidentifier() for part in file.relpath[:-3].split("/"))
        in_src = layout.src and file.relpath.startswith("src/")
        return (file.module, not file.is_package, not importable, not in_src, file.relpath)

    kept: list[SourceFile] = []
    problems: list[FileProblem] = []
    for file in sorted(files, key=preference):
        if kept and kept[-1].module == file.module:
            reason = f"module {file.module} is also {kept[-1].relpath}, which is kept"
            problems.append(FileProblem(file.relpath, 1, "duplicate-module", reason))
        else:
            kept.append(file)
    return kept, problems

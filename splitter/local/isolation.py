"""Code loaded in isolation: each function sees its own folders and nothing of the others.

All functions share one interpreter, so their modules are kept apart by hand: a runtime
owns the modules loaded from its folders, puts them into `sys.modules` while it runs and
takes them out afterwards. A guard on the import system answers for every top-level name
that any runtime's folders (or the monolith) provide: while a runtime is active, such a
name is found in that runtime's folders or not at all. A handler that needs code it was
not given therefore fails here, with a message saying so, instead of in production.

A library that keeps process-wide state its user configures once (Django: its settings and
its registry of installed apps) is loaded by each runtime for itself, as a Lambda function
loads it in its own process: one function's `django.setup()` does not stand for another's.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

from splitter.errors import SplitterError


class IsolationError(SplitterError):
    """Code loaded for one function reached code it was not given."""


_LOCK = threading.RLock()

PER_RUNTIME = frozenset({"django"})
"""Libraries each runtime imports for itself, because they hold process-wide state."""


def top_level_names(folders: Iterable[Path]) -> frozenset[str]:
    """The importable top-level names (modules and packages) directly in `folders`."""
    names = set()
    for folder in folders:
        if not folder.is_dir():
            continue
        for entry in folder.iterdir():
            if entry.suffix == ".py" and entry.stem.isidentifier():
                names.add(entry.stem)
            elif entry.is_dir() and entry.name.isidentifier() and any(entry.glob("*.py")):
                names.add(entry.name)
    return frozenset(names)


class _Guard(importlib.abc.MetaPathFinder):
    """Finds guarded top-level names only in the active runtime's folders."""

    def __init__(self) -> None:
        self.guarded: frozenset[str] = frozenset()
        self.hidden: frozenset[str] = PER_RUNTIME
        """The top-level names whose modules a runtime does not share with the host process:
        the guarded names and `PER_RUNTIME`."""
        self.prefixes: tuple[str, ...] = tuple(sorted(PER_RUNTIME))
        """The hidden names again, for a quick `str.startswith` test on module names."""
        self.active: Runtime | None = None

    def guard(self, names: frozenset[str]) -> None:
        self.guarded |= names
        self.hidden = self.guarded | PER_RUNTIME
        self.prefixes = tuple(sorted(self.hidden))

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if "." in fullname or fullname not in self.guarded or self.active is None:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, self.active.search_path)
        if spec is None:
            raise ModuleNotFoundError(
                f"No module named {fullname!r} in {self.active.label}: its code is not "
                f"there (only {', '.join(self.active.search_path)} is on its path)",
                name=fullname,
            )
        return spec


_GUARD = _Guard()


class Runtime:
    """The modules of one function (or of the monolith), loaded from its own folders."""

    def __init__(
        self, label: str, folders: Sequence[Path], environment: Mapping[str, str] | None = None
    ) -> None:
        self.label = label
        self.folders = tuple(folder.resolve() for folder in folders)
        self.search_path = [str(folder) for folder in self.folders]
        self.environment = dict(environment or {})
        self.modules: dict[str, ModuleType] = {}
        self._before: list[set[str]] = []
        self._found: dict[str, bool] = {}
        _GUARD.guard(top_level_names(self.folders))

    def __str__(self) -> str:
        return self.label

    @contextmanager
    def active(self) -> Iterator[None]:
        """Run with this runtime's modules, path and environment; restore all afterwards."""
        with _LOCK:
            outer = _GUARD.active
            if outer is not None:
                outer._stash()
            saved_env = _apply(self.environment)
            _install_guard()
            _GUARD.active = self
            hidden = _hide_guarded()
            self._before.append(set(sys.modules))
            sys.modules.update(self.modules)
            sys.path[:0] = self.search_path
            if len(self._before) == 1:  # not when re-entered: a transaction may be open
                _close_connections(self.modules)
            try:
                yield
            finally:
                del sys.path[: len(self.search_path)]
                self._stash()
                self._before.pop()
                sys.modules.update(hidden)
                _GUARD.active = outer
                _restore(saved_env)
                if outer is not None:
                    sys.modules.update(outer.modules)

    def module(self, name: str) -> ModuleType:
        """The module `name` of this runtime, imported on first use."""
        with self.active():
            return importlib.import_module(name)

    def load(self, dotted: str) -> Any:
        """`module.attribute` (or `module:attribute.path`) of this runtime."""
        module_name, _, attribute = (
            dotted.partition(":") if ":" in dotted else dotted.rpartition(".")
        )
        value: Any = self.module(module_name)
        for part in attribute.split("."):
            value = getattr(value, part)
        return value

    def call(self, dotted: str, *args: Any, **kwargs: Any) -> Any:
        """Call `module.function` inside this runtime."""
        function = self.load(dotted)
        with self.active():
            return function(*args, **kwargs)

    def has_module(self, name: str) -> bool:
        """Whether `name` can be imported from this runtime's own folders."""
        found = self._found.get(name)
        if found is None:
            found = self._found[name] = self._find(name)
        return found

    def _find(self, name: str) -> bool:
        top = name.partition(".")[0]
        if importlib.machinery.PathFinder.find_spec(top, self.search_path) is None:
            return False
        with self.active():
            try:
                return importlib.util.find_spec(name) is not None
            except ImportError:
                return False

    def _owns(self, module: ModuleType) -> bool:
        if module.__name__.partition(".")[0] in PER_RUNTIME:
            return True
        places = [getattr(module, "__file__", None) or ""]
        places += list(getattr(module, "__path__", []) or [])
        return any(_under(str(place), self.folders) for place in places if place)

    def _stash(self) -> None:
        """Take this runtime's modules out of `sys.modules`, keeping them for next time.

        Only names that appeared since the runtime was activated can be its own: the
        modules it brought in, and those its code imported.
        """
        for name in set(sys.modules) - self._before[-1]:
            module = sys.modules[name]
            if module is not None and self._owns(module):
                self.modules[name] = module
                del sys.modules[name]


def _close_connections(modules: Mapping[str, ModuleType]) -> None:
    """Close the runtime's Django database connections (Django opens them again on first use).

    Django keeps a thread's connection open between calls, but the database file may have been
    replaced since (`splitter verify` gives every run a fresh copy): a connection kept open
    would go on reading the old file.
    """
    db = modules.get("django.db")
    if db is not None:
        db.connections.close_all()


def _under(place: str, folders: Sequence[Path]) -> bool:
    return any(place == str(folder) or place.startswith(str(folder) + os.sep) for folder in folders)


def _hide_guarded() -> dict[str, ModuleType]:
    """Take out of `sys.modules` what the host process imported under a guarded name (the
    monolith imported by a test suite, say): a runtime finds such names in its own folders.
    Modules of the libraries each runtime loads for itself (`PER_RUNTIME`) go out too."""
    names, prefixes = _GUARD.hidden, _GUARD.prefixes
    hidden = {
        name: module
        for name, module in sys.modules.items()
        if name.startswith(prefixes) and (name in names or name.partition(".")[0] in names)
    }
    for name in hidden:
        del sys.modules[name]
    return hidden


def _install_guard() -> None:
    if _GUARD not in sys.meta_path:
        sys.meta_path.insert(0, _GUARD)


def _apply(environment: Mapping[str, str]) -> dict[str, str | None]:
    saved = {name: os.environ.get(name) for name in environment}
    os.environ.update(environment)
    return saved


def _restore(saved: Mapping[str, str | None]) -> None:
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def lock() -> threading.RLock:
    """The lock every runtime switch holds: one function runs at a time."""
    return _LOCK


def guarded_names() -> frozenset[str]:
    """The top-level names some runtime's folders (or the monolith) provide."""
    return _GUARD.guarded

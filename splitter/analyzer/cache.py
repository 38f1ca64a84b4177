"""The on-disk cache of per-file facts, keyed by content hash so unchanged files are not re-read.

Entries are pickles, and the default cache directory sits inside the analyzed code base, which
is not trusted: a planted entry must not run code. Entries therefore hold plain tuples, strings
and numbers only (`plain_fields`), loaded by an unpickler that builds no class at all; the facts
are rebuilt from them. Plain data is also pickled and unpickled several times faster than the
facts' own classes, and worker processes send their facts to the parent in the same form.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import io
import os
import pickle
import re
import tempfile
import time
from collections.abc import Collection
from concurrent.futures import Future
from functools import partial
from operator import attrgetter
from pathlib import Path
from typing import Any

from splitter import __version__
from splitter.analyzer import facts
from splitter.analyzer.copied import without_copied
from splitter.analyzer.facts import FACTS_VERSION, RECORD_CLASSES, FileFacts, FileProblem

CACHE_DIR_NAME = ".splitter-cache"
"""The cache's folder inside the analyzed root when no other is given."""

_CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by splitter.\n"
    "# For information about cache directory tags see https://bford.info/cachedir/\n"
)
_MARKERS = {"CACHEDIR.TAG": _CACHEDIR_TAG, ".gitignore": "*\n"}
_STALE_TEMP_SECONDS = 3600.0
_TEMP_PREFIX, _TEMP_SUFFIX = ".", ".tmp"
_KEY = re.compile(r"[0-9a-f]{64}")

CachedResult = FileFacts | FileProblem


def cache_key(sha256: str, *, path: str, module: str, is_package: bool, extractor: str) -> str:
    """The key of one file's entry: it changes when anything that shapes the facts changes.

    Args:
        sha256: the hash of the file's bytes.
        path: the file's path as reported; the facts carry it, so a moved file is a miss.
        module: the module name the file is analyzed as.
        is_package: whether the file is a package's `__init__.py`.
        extractor: the dotted name of the function that extracts the facts, so facts from a
            stand-in extractor and the real one never mix.
    """
    fields = (sha256, path, module, str(is_package), str(FACTS_VERSION), __version__, extractor)
    return hashlib.sha256("\0".join(fields).encode()).hexdigest()


def with_digest(result: CachedResult) -> CachedResult:
    """`result` with its `digest` filled in when it is facts (see `FileFacts.digest`)."""
    if not isinstance(result, FileFacts) or result.digest:
        return result
    return dataclasses.replace(result, digest=facts_digest(result))


def facts_digest(facts: FileFacts) -> str:
    """The digest of `facts` (see `FileFacts.digest`), computed when it is not filled in.

    It hashes the facts' `plain_fields` but `sha256`, `lines` and `digest`, and without the
    lines of their records or the docstrings of their definitions (`copied.without_copied`,
    what resolution only copies into its records): plain tuples, strings and numbers
    pickled without a memo, so every value is spelled out and nothing else shows (a pickle's
    memo records which objects are the same one). It is several times faster than hashing
    their `repr`, which is kept for facts that cannot be pickled so (and keeps their lines).
    """
    if facts.digest:
        return facts.digest
    return _digest(facts, plain_fields(facts))


def _digest(facts: FileFacts, fields: tuple[Any, ...]) -> str:
    """The digest of `facts`, whose `plain_fields` are `fields`."""
    try:
        stripped = without_copied(fields)
        encoded = _pickled_by_value(tuple(stripped[index] for index in _DIGESTED))
    except (pickle.PicklingError, ValueError, RecursionError):
        encoded = repr(dataclasses.replace(facts, sha256="", lines=0)).encode()
    return hashlib.sha256(encoded).hexdigest()


def _pickled_by_value(value: object) -> bytes:
    stream = io.BytesIO()
    pickler = pickle.Pickler(stream, protocol=_DIGEST_PROTOCOL)
    pickler.fast = True  # no memo: each value is written in full wherever it appears
    pickler.dump(value)
    return stream.getvalue()


_DIGEST_PROTOCOL = 5
"""Fixed, so the digest does not change with the default protocol of a later Python."""


def plain_fields(facts: FileFacts) -> tuple[Any, ...]:
    """Every field of `facts`, in the order of their declaration, as plain tuples: each record
    (a definition, a call site...) becomes the tuple of its fields, so only values and their
    places remain. `facts_from_plain` makes the facts again."""
    return tuple(
        _records(value) if name in RECORD_CLASSES else value
        for name, value in zip(_FIELDS, _field_values(facts), strict=True)
    )


def facts_from_plain(fields: tuple[Any, ...]) -> FileFacts:
    """The facts whose `plain_fields` are `fields`.

    Raises:
        ValueError, TypeError: `fields` are not the plain fields of any facts.
    """
    values = list(fields)
    if len(values) != len(_FIELDS):
        raise ValueError("not the fields of facts")
    for index, cls in _RECORD_INDEXES:
        values[index] = _rebuilt(cls, values[index])
    return FileFacts(*values)


def _records(records: tuple[tuple[Any, ...], ...]) -> tuple[tuple[Any, ...], ...]:
    # Records are named tuples, which would be pickled with their class: made plain here.
    if records and isinstance(records[0], facts.Definition):
        return tuple(_definition_values(d) for d in records)  # type: ignore[arg-type]
    return tuple(map(tuple, records))


def _definition_values(definition: facts.Definition) -> tuple[Any, ...]:
    # Its parameters are records too; they are the one nested field.
    params = tuple(map(tuple, definition.params))
    return (*definition[:_PARAMS], params, *definition[_PARAMS + 1 :])


def _rebuilt(cls: type[tuple[Any, ...]], records: tuple[tuple[Any, ...], ...]) -> tuple[Any, ...]:
    """`records`, plain tuples, as instances of the named tuple `cls` (built in C, checked for
    their length only, as the classes' own constructors check nothing more)."""
    if not set(map(len, records)) <= {len(cls._fields)}:  # type: ignore[attr-defined]
        raise ValueError(f"not {cls.__name__} records")
    if cls is facts.Definition:
        records = tuple(map(_definition_with_params, records))
    return tuple(map(partial(tuple.__new__, cls), records))


def _definition_with_params(values: tuple[Any, ...]) -> tuple[Any, ...]:
    params = _rebuilt(facts.Param, values[_PARAMS])
    return (*values[:_PARAMS], params, *values[_PARAMS + 1 :])


_PARAMS = facts.Definition._fields.index("params")
_FIELDS = tuple(f.name for f in dataclasses.fields(FileFacts))
_field_values = attrgetter(*_FIELDS)
_DIGEST_INDEX = _FIELDS.index("digest")
_DIGESTED = tuple(
    index for index, name in enumerate(_FIELDS) if name not in ("sha256", "lines", "digest")
)
_RECORD_INDEXES = tuple(
    (index, RECORD_CLASSES[name]) for index, name in enumerate(_FIELDS) if name in RECORD_CLASSES
)


class FactsCache:
    """A directory of facts, one file per key in a fan-out folder named by its first two digits.

    Writes are atomic (a temporary file in the same directory, then `os.replace`), so runs that
    share the cache may write the same key at once. Anything wrong with an entry makes it a
    miss; anything wrong with the directory makes the cache a no-op. The object remembers the
    keys it was asked for, so `prune` after a run drops the entries that run did not use.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self._used: set[str] = set()
        self._stored_elsewhere: list[Future[None]] = []

    def __repr__(self) -> str:
        return f"FactsCache({str(self.root)!r})"

    def entry_path(self, key: str) -> Path:
        """Where the entry for `key` is stored."""
        # One level of 256 folders, as git does: a second level would cost a mkdir for nearly
        # every new key, which takes as long as writing the entry itself.
        return self.root / key[:2] / key

    def get(self, key: str) -> CachedResult | None:
        """The stored result for `key`, or None when it is missing, damaged or foreign."""
        self._used.add(key)
        try:
            entry = self.entry_path(key).read_bytes()
        except OSError:
            return None
        return decode_entry(entry, key)

    def put(self, key: str, result: CachedResult) -> None:
        """Store `result` under `key`; a failure only costs the next run some time."""
        self.put_encoded(key, encode_entry(key, result))

    def put_encoded(self, key: str, entry: bytes) -> None:
        """Store an entry that `encode_entry` made, as `put` does."""
        self._used.add(key)
        write_entry(self.root, self.entry_path(key), entry)

    def temporary_file(self, key: str) -> tuple[int, str]:
        """A new temporary file (descriptor, path) in the folder of `key`'s entry, named as the
        ones entries are written through are, so `prune` deletes it when a run that died left
        it behind an hour ago.

        Raises:
            OSError: the file cannot be made.
        """
        folder = self.entry_path(key).parent
        try:
            return _temporary_in(folder)
        except FileNotFoundError:
            _create_layout(self.root, folder)
            return _temporary_in(folder)

    def storing_elsewhere(self, stored: Future[None]) -> None:
        """Note entries another process is storing while this one goes on (`collect_facts`
        hands them to a worker); `wait_for_stores` waits for them."""
        self._stored_elsewhere.append(stored)

    def wait_for_stores(self) -> None:
        """Wait until the entries noted by `storing_elsewhere` are stored or have failed to be;
        a failure only costs the next run some time, so it is not reported."""
        while self._stored_elsewhere:
            stored = self._stored_elsewhere.pop()
            with contextlib.suppress(Exception):
                stored.result()

    def prune(self, keep: Collection[str] | None = None) -> int:
        """Delete the entries not in `keep` (default: the keys this object was asked for).

        Returns:
            The number of files deleted; stray temporary files an hour old are among them.
        """
        wanted = self._used if keep is None else keep
        removed = 0
        for entry in self.root.glob("[0-9a-f][0-9a-f]/*"):
            if _is_unwanted(entry, wanted):
                with contextlib.suppress(OSError):
                    entry.unlink()
                    removed += 1
        return removed


def write_entry(cache_root: Path, target: Path, entry: bytes) -> None:
    """Write `entry` to `target`, a file in a folder of the cache at `cache_root`, atomically.

    The folders and the cache's marker files are made when they are missing. A failure only
    costs the next run some time, so it is not reported.
    """
    try:
        _write_atomically(target, entry)
    except FileNotFoundError:
        with contextlib.suppress(OSError):
            _create_layout(cache_root, target.parent)
            _write_atomically(target, entry)
    except OSError:
        pass


def _create_layout(cache_root: Path, folder: Path) -> None:
    cache_root.mkdir(parents=True, exist_ok=True)
    for name, text in _MARKERS.items():
        marker = cache_root / name
        if not marker.exists():
            _write_atomically(marker, text.encode())
    folder.mkdir(parents=True, exist_ok=True)


def _temporary_in(folder: Path) -> tuple[int, str]:
    """A new temporary file (descriptor, path) in `folder`, named as `is_stale_temporary`
    knows the cache's temporary files."""
    return tempfile.mkstemp(prefix=_TEMP_PREFIX, suffix=_TEMP_SUFFIX, dir=folder)


def is_stale_temporary(entry: Path) -> bool:
    """Whether `entry` is a temporary file of the cache left behind an hour ago or more."""
    if not (entry.name.startswith(_TEMP_PREFIX) and entry.name.endswith(_TEMP_SUFFIX)):
        return False
    # A temporary file may belong to a run still writing it; only old ones are litter.
    with contextlib.suppress(OSError):
        return time.time() - entry.stat().st_mtime > _STALE_TEMP_SECONDS
    return False


def _is_unwanted(entry: Path, wanted: Collection[str]) -> bool:
    # Only names the cache makes are touched, whatever folder it was pointed at.
    if _KEY.fullmatch(entry.name):
        return entry.name not in wanted
    return is_stale_temporary(entry)


def _write_atomically(target: Path, data: bytes) -> None:
    descriptor, temporary = _temporary_in(target.parent)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


class _PlainUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> type:
        raise pickle.UnpicklingError(f"{module}.{name}: an entry holds no class")


def load_plain(entry: bytes) -> Any:
    """Unpickle `entry`, which may hold tuples, strings, numbers and the like but no class:
    one that names a class raises `pickle.UnpicklingError` and builds nothing."""
    return _PlainUnpickler(io.BytesIO(entry)).load()


def encode_entry(key: str, result: CachedResult) -> bytes:
    """The bytes stored for `result` under `key`; they carry the key, to be checked on load."""
    return _encoded(key, result, with_digest=False)


def encode_with_digest(key: str, result: CachedResult) -> bytes:
    """`encode_entry(key, with_digest(result))`, turning the facts into plain fields once for
    both: what a worker process does with each file it extracts."""
    return _encoded(key, result, with_digest=True)


def _encoded(key: str, result: CachedResult, *, with_digest: bool) -> bytes:
    if isinstance(result, FileFacts):
        fields = plain_fields(result)
        if with_digest and not result.digest:
            digest = _digest(result, fields)
            fields = (*fields[:_DIGEST_INDEX], digest, *fields[_DIGEST_INDEX + 1 :])
        entry = (key, "facts", fields)
    else:
        entry = (key, "problem", (result.path, result.line, result.kind, result.reason))
    return pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL)


def decode_entry(entry: bytes, key: str) -> CachedResult | None:
    """The result in an entry that `encode_entry` made for `key`, or None if it is not one."""
    try:
        stored_key, kind, fields = load_plain(entry)
        if stored_key != key:
            return None
        if kind == "facts":
            return facts_from_plain(fields)
        if kind == "problem" and len(fields) == len(dataclasses.fields(FileProblem)):
            return FileProblem(*fields)
    except Exception:
        # Truncated, corrupt or foreign data can raise nearly anything; all of it is a miss.
        return None
    return None

"""Writing a generated tree to disk: atomically, and never over a file the user changed."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from splitter.atomic import write_text_atomic
from splitter.generator.carry import GeneratedFile

MANIFEST = "splitter-manifest.json"


@dataclass(frozen=True)
class WriteReport:
    """What a write did: files written, left as they were, and kept because the user edited
    them; files the last run generated and this one does not, removed or (edited) kept."""

    written: tuple[str, ...]
    unchanged: tuple[str, ...]
    kept_edits: tuple[str, ...]
    stale: tuple[str, ...]
    """No longer generated, but kept: the user edited them."""
    removed: tuple[str, ...] = ()
    """No longer generated and as the last run wrote them: deleted."""


def write_tree(out: Path, files: Sequence[GeneratedFile], *, force: bool = False) -> WriteReport:
    """Write `files` under `out` with a manifest of what was generated.

    A file whose content on disk differs from what the last run generated (its hash in the
    manifest) was edited by the user: it is kept, and reported, unless `force`. A file the
    last run generated and this one does not is deleted when the user did not edit it (a
    left-over copy of a module in a service's folder would hide the layer's); an edited one
    is kept, stays in the manifest and is reported on each run, unless `force`.
    """
    previous = _read_manifest(out)
    written: list[str] = []
    unchanged: list[str] = []
    kept: list[str] = []
    manifest: dict[str, str] = {}
    for file in files:
        target = out / file.path
        digest = _digest(file.content.encode("utf-8"))
        on_disk = _on_disk(target)
        if on_disk == digest:
            unchanged.append(file.path)
        elif on_disk is not None and not force and previous.get(file.path) != on_disk:
            kept.append(file.path)
            manifest[file.path] = previous.get(file.path, digest)
            continue
        else:
            write_text_atomic(target, file.content)
            written.append(file.path)
        manifest[file.path] = digest
    stale: list[str] = []
    removed: list[str] = []
    for path in sorted(set(previous) - set(manifest)):
        target = out / path
        on_disk = _on_disk(target)
        if on_disk is not None and on_disk != previous[path] and not force:
            stale.append(path)
            manifest[path] = previous[path]
            continue
        if on_disk is not None:
            target.unlink()
            _remove_empty_folders(target.parent, out)
        removed.append(path)
    write_text_atomic(out / MANIFEST, json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return WriteReport(tuple(written), tuple(unchanged), tuple(kept), tuple(stale), tuple(removed))


def _remove_empty_folders(folder: Path, out: Path) -> None:
    """Remove `folder` and its parents up to `out` while they are empty (a `__pycache__`
    left by running the code counts as empty)."""
    while folder != out and out in folder.parents:
        entries = list(folder.iterdir())
        if any(e.name != "__pycache__" for e in entries):
            return
        for cache in entries:
            shutil.rmtree(cache, ignore_errors=True)
        folder.rmdir()
        folder = folder.parent


def _read_manifest(out: Path) -> dict[str, str]:
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _on_disk(target: Path) -> str | None:
    """The digest of the file at `target`; None when there is none."""
    return _digest(target.read_bytes()) if target.is_file() else None


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()

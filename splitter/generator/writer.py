"""Writing a generated tree to disk: atomically, and never over a file the user changed."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from splitter.atomic import write_text_atomic
from splitter.generator.carry import GeneratedFile

MANIFEST = "splitter-manifest.json"


@dataclass(frozen=True)
class WriteReport:
    """What a write did: files written, left as they were, and kept because the user edited them."""

    written: tuple[str, ...]
    unchanged: tuple[str, ...]
    kept_edits: tuple[str, ...]
    stale: tuple[str, ...]


def write_tree(out: Path, files: Sequence[GeneratedFile], *, force: bool = False) -> WriteReport:
    """Write `files` under `out` with a manifest of what was generated.

    A file whose content on disk differs from what the last run generated (its hash in the
    manifest) was edited by the user: it is kept, and reported, unless `force`. Files the last
    run generated and this one does not are reported as stale, never deleted.
    """
    previous = _read_manifest(out)
    written: list[str] = []
    unchanged: list[str] = []
    kept: list[str] = []
    manifest: dict[str, str] = {}
    for file in files:
        target = out / file.path
        digest = _digest(file.content.encode("utf-8"))
        on_disk = _digest(target.read_bytes()) if target.is_file() else None
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
    stale = sorted(set(previous) - set(manifest))
    write_text_atomic(out / MANIFEST, json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return WriteReport(tuple(written), tuple(unchanged), tuple(kept), tuple(stale))


def _read_manifest(out: Path) -> dict[str, str]:
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()

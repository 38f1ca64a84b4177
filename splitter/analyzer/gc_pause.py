"""Pausing Python's cycle collector while the analyzer builds large acyclic structures."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Turn the cycle collector off for the block, and back on after it if it was on.

    Facts, value sets and analysis records are hundreds of thousands of small acyclic objects:
    the collector would scan them again and again while they are built and free nothing.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()

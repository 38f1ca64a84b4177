"""The exception hierarchy: every error splitter raises derives from `SplitterError`."""

from __future__ import annotations


class SplitterError(Exception):
    """Root of splitter's errors; carries a message and a hint of what to do next."""

    exit_code = 2

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n  hint: {self.hint}" if self.hint else self.message


class InputError(SplitterError):
    """The input given on the command line or in a file cannot be used as it is."""


class AnalysisError(SplitterError):
    """The code base as a whole cannot be analyzed (single bad files are results, not errors)."""


class PlanError(SplitterError):
    """A plan file is malformed or contradicts the analyzed code."""


class GenerationError(SplitterError):
    """The generator cannot produce the requested output."""

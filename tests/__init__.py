"""Tests for splitter, laid out like the package they check."""

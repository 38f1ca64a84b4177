"""Tests for the analyzer: call graph accuracy and per-file facts."""

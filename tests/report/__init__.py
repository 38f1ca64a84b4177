"""Tests of the review report and the diagrams."""

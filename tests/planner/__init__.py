"""Tests of the planner: proposed services, workflows and their quality figures."""

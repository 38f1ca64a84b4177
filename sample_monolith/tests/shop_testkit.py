"""Constants shared by the shop's tests (imported by conftest.py and the test modules)."""

from pathlib import Path

TESTS_DIR = Path(__file__).resolve().parent
SAMPLE_ROOT = TESTS_DIR.parent

# Monday morning after the demo data's last order.
FIXED_NOW = "2024-06-03T10:00:00"

# A card the fake acquirer always accepts.
GOOD_CARD = "4111 1111 1111 1111"

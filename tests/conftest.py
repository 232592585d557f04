"""Puts tests/ on sys.path (pytest's prepend import mode), so test folders share `replayed`; builds the scenarios.

The scenario JSON is not kept in git (tens of MB of generated datapoints): tests/scenarios/build.py writes it
at the start of every test session, only the files whose text changed, so tests always replay what the
builder makes now.
"""

from __future__ import annotations

import pytest
from builder import SCENARIOS, load_builder


def pytest_configure(config: pytest.Config) -> None:
    """Build the scenario files before collection: the scenario tests are parametrized over them."""
    load_builder().write(SCENARIOS)

"""Puts tests/ on sys.path (pytest's prepend import mode), so test folders share `replayed`; builds the scenarios.

The scenario JSON is not kept in git (tens of MB of generated datapoints): tests/scenarios/build.py writes it
at the start of every test session, only the files whose text changed, so tests always replay what the
builder makes now.

Hypothesis runs the same examples on every run by default (profile `fixed`): derandomized, a fixed budget, no
example database, so `make test` takes the same time and fails the same way everywhere. To hunt for new
failures, run with `HYPOTHESIS_PROFILE=explore` (random, many more examples, database in .hypothesis/); put any
failure it finds into the tests as an explicit example.
"""

from __future__ import annotations

import os

import pytest
from builder import SCENARIOS, load_builder
from hypothesis import settings

settings.register_profile("fixed", derandomize=True, database=None, max_examples=600, deadline=None,
                          print_blob=True)
settings.register_profile("explore", derandomize=False, max_examples=5000, deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "fixed"))


def pytest_configure(config: pytest.Config) -> None:
    """Build the scenario files before collection: the scenario tests are parametrized over them."""
    load_builder().write(SCENARIOS)

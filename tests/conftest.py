"""Puts tests/ on sys.path (pytest's prepend import mode), so test folders share `replayed`; builds the scenarios.

The scenario JSON is not kept in git (tens of MB of generated datapoints): tests/scenarios/build.py writes it
at the start of every test session, only the files whose text changed, so tests always replay what the
builder makes now.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

SCENARIOS = Path(__file__).resolve().parent / "scenarios"


def load_builder() -> object:
    """tests/scenarios/build.py as a module (it is a script, not a package)."""
    spec = importlib.util.spec_from_file_location("scenario_builder", SCENARIOS / "build.py")
    assert spec and spec.loader
    builder = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = builder  # dataclasses look their module up while the file executes
    spec.loader.exec_module(builder)
    return builder


def pytest_configure(config: pytest.Config) -> None:
    """Build the scenario files before collection: the scenario tests are parametrized over them."""
    builder = load_builder()
    builder.write(SCENARIOS)  # type: ignore[attr-defined]

"""tests/scenarios/build.py loaded as a module (it is a script, not a package), for conftest and the tests."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

SCENARIOS = Path(__file__).resolve().parent / "scenarios"


def load_builder() -> ModuleType:
    """The scenario builder module, loaded once per process."""
    if "scenario_builder" in sys.modules:
        return sys.modules["scenario_builder"]
    spec = importlib.util.spec_from_file_location("scenario_builder", SCENARIOS / "build.py")
    assert spec and spec.loader
    builder = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = builder  # dataclasses look their module up while the file executes
    spec.loader.exec_module(builder)
    return builder

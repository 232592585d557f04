"""Fixtures for the stand-in tests: the example scenario and a builder for small scenarios."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from standin_helpers import ScenarioBuilder, endpoint_setup, example, lambda_event


@pytest.fixture(scope="session")
def example_document() -> dict[str, Any]:
    """The shared example scenario, decoded (tests copy it before changing it)."""
    return json.loads(example().read_text())


@pytest.fixture
def build() -> ScenarioBuilder:
    """Builder of a small scenario dict: endpoint setup by default, any key overridable."""
    def builder(setup: list | None = None, **overrides: Any) -> dict[str, Any]:
        document = {"name": "small", "description": "test", "event": lambda_event(),
                    "setup": endpoint_setup() if setup is None else setup, "expect": {}}
        document.update(copy.deepcopy(overrides))
        return document
    return builder

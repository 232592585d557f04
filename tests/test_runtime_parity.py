"""The tests run what the Lambda runs: the same Python, the same Powertools, an SDK no newer than the runtime's."""

from __future__ import annotations

import json
import sys
import tomllib
from functools import cache
from importlib.metadata import version
from pathlib import Path
from typing import Any

import botocore.loaders
import botocore.session
import pytest
from replayed import replayed
from runtime_sdk import REPO, runtime_botocore_version, runtime_loader

from stacks.advisor import POWERTOOLS_PARAMETER, RUNTIME
from stacks.config import DEFAULT_POWERTOOLS_VERSION

SCENARIOS = sorted((REPO / "tests" / "scenarios").glob("*.json"))


def test_the_venv_runs_the_lambda_runtime_python() -> None:
    assert f"python{sys.version_info.major}.{sys.version_info.minor}" == RUNTIME.name, (
        f"the Lambda runs {RUNTIME.name}: rebuild the venv with `make clean setup`")


def test_ruff_and_requires_python_target_the_runtime() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    digits = RUNTIME.name.removeprefix("python")
    assert project["project"]["requires-python"] == f">={digits}"
    assert project["tool"]["ruff"]["target-version"] == f"py{digits.replace('.', '')}"


def test_the_powertools_layer_is_the_version_and_python_the_tests_ran() -> None:
    assert version("aws-lambda-powertools") == DEFAULT_POWERTOOLS_VERSION
    assert POWERTOOLS_PARAMETER.format(version="X") == f"/aws/service/powertools/python/arm64/{RUNTIME.name}/X"


@pytest.fixture(scope="module")
def loader(tmp_path_factory: pytest.TempPathFactory) -> botocore.loaders.Loader:
    return runtime_loader(tmp_path_factory.mktemp("runtime-botocore"))


@cache
def _current_models_version() -> str:
    return version("botocore")


def _comparable(diagnosis: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in diagnosis.items() if key != "generated_at"}


@pytest.mark.parametrize("path", SCENARIOS, ids=[path.stem for path in SCENARIOS])
def test_every_scenario_diagnoses_the_same_with_the_runtime_botocore(path: Path, loader) -> None:
    from advisor.engine import diagnose
    from standin.scenario import load_scenario
    from standin.world import replay_world

    scenario = load_scenario(path)
    with replay_world(scenario, loader) as world:
        # The advisor's clients really have the older models (fewer SageMaker operations than today's).
        older_operations = world.session.client("sagemaker").meta.service_model.operation_names
        assert len(older_operations) < len(botocore.session.get_session().get_service_model("sagemaker").operation_names)
        older = diagnose(scenario.event, session=world.session, now=world.now).to_dict()
    assert _comparable(json.loads(json.dumps(older))) == _comparable(replayed(path)), (
        f"{path.name}: the diagnosis differs with botocore {runtime_botocore_version()}'s API models (the Lambda "
        f"runtime's) from botocore {_current_models_version()}'s: bundle a newer boto3 or avoid the new field")

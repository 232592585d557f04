"""SPEC §8 for evidence: every evidence call denied or timing out, the diagnosis still comes out.

Each case replays the saturated-CPU scenario with one call failing every time, and checks that the failure is
named in `errors`, the rules that needed it are skipped (and listed), the others still run (SPEC §4a: without
the endpoint config or the model, the kind and instance count come from DescribeEndpoint and SCALE-NONE still
fires), and no more than 8 calls were made.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from advisor.engine import diagnose
from standin.scenario import load_scenario
from standin.world import replay_world

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "scale-none--saturated-cpu-no-autoscaling.json"
OPERATIONS = {
    "cloudwatch.GetMetricData": {"SCALE-NONE", "MODEL-BENCHMARK", "ERRORS"},
    "application-autoscaling.DescribeScalableTargets": {"SCALE-NONE", "SCALE-AT-MAX"},
    "sagemaker.DescribeEndpoint": {"SCALE-NONE", "MODEL-CHANGED", "ENDPOINT-NOT-IN-SERVICE", "MODEL-CPU-NO-GPU"},
    "sagemaker.DescribeEndpointConfig": {"MODEL-CPU-NO-GPU", "MODEL-CHANGED"},
    "sagemaker.DescribeModel": {"MODEL-CPU-NO-GPU", "MODEL-INFERENTIA", "MODEL-NEO"},
}
# What must still fire with that call failing (the scenario's SCALE-NONE, on less evidence).
STILL_FIRES = {
    "sagemaker.DescribeEndpointConfig": {"SCALE-NONE"},
    "sagemaker.DescribeModel": {"SCALE-NONE"},
}
FAULTS = {"AccessDeniedException": "AccessDeniedException", "Timeout": "Timeout"}


@pytest.fixture(scope="module")
def document() -> dict:
    return json.loads(SCENARIO.read_text())


@pytest.mark.parametrize("fault", sorted(FAULTS))
@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_one_failing_evidence_call(document: dict, operation: str, fault: str) -> None:
    scenario = load_scenario({**document, "faults": [{"operation": operation, "error": fault, "times": -1}]})
    with replay_world(scenario) as world:
        result = diagnose(scenario.event, session=world.session, now=world.now).to_dict()

    assert result["findings"], "an ALARM always gets findings, UNEXPLAINED at worst"
    failed = [e for e in result["errors"] if e["evidence"] == operation]
    assert len(failed) == 1 and failed[0]["code"] == FAULTS[fault]
    skipped = set(failed[0]["skipped"])
    assert OPERATIONS[operation] <= skipped, f"{operation} failing must skip {OPERATIONS[operation] - skipped}"
    rules = {f["rule"] for f in result["findings"]}
    assert not skipped & rules, "a skipped rule cannot also fire"
    assert STILL_FIRES.get(operation, set()) <= rules, f"{operation} failing must not stop {rules}"
    assert result["api_calls"]["total"] <= 8
    if operation == "sagemaker.DescribeEndpoint":
        assert result["api_calls"]["by_operation"].get("sagemaker.DescribeEndpointConfig") is None
        assert result["endpoint"]["status"] is None
    else:
        assert result["endpoint"]["status"] == "InService"


def test_describe_endpoint_validation_error_means_the_endpoint_is_gone(document: dict) -> None:
    """SageMaker answers DescribeEndpoint for a missing endpoint with ValidationException ("Could not find")."""
    fault = {"operation": "sagemaker.DescribeEndpoint", "error": "ValidationException", "times": -1}
    scenario = load_scenario({**document, "faults": [fault]})
    with replay_world(scenario) as world:
        result = diagnose(scenario.event, session=world.session, now=world.now).to_dict()
    assert [f["rule"] for f in result["findings"]] == ["ENDPOINT-NOT-FOUND"]
    assert result["errors"] == [] and result["endpoint"]["status"] == "NotFound"


def test_a_refused_per_instance_search_costs_only_the_per_instance_series(document: dict) -> None:
    """CloudWatch refusing the request that carries the SEARCH expressions: the metrics come without them."""
    fault = {"operation": "cloudwatch.GetMetricData", "error": "ValidationError", "times": 1}
    scenario = load_scenario({**document, "faults": [fault]})
    with replay_world(scenario) as world:
        result = diagnose(scenario.event, session=world.session, now=world.now).to_dict()
    assert "SCALE-NONE" in {f["rule"] for f in result["findings"]}  # the metrics arrived
    [error] = result["errors"]
    assert error["evidence"] == "cloudwatch.GetMetricData" and error["code"] == "ValidationError"
    assert "per-instance SEARCH refused" in error["message"] and error["skipped"] == ["INSTANCE-IMBALANCE"]
    assert result["api_calls"]["by_operation"]["cloudwatch.GetMetricData"] == 2
    assert result["api_calls"]["total"] <= 8

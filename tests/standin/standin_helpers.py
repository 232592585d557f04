"""Helpers for the stand-in tests: the example scenario's path and pieces of small scenarios."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

_EXAMPLE_NAME = "example-cpu-tensorflow-overloaded.json"
_SHARED_EXAMPLE = Path(__file__).resolve().parents[2].parent / "shared" / "scenarios" / _EXAMPLE_NAME
# The repository's copy once the lead adds it to tests/scenarios/, else the shared original (660 KB, not copied).
_EXAMPLE = next((path for path in (Path(__file__).resolve().parents[1] / "scenarios" / _EXAMPLE_NAME,
                                   _SHARED_EXAMPLE) if path.exists()), None)
T_TEXT = "2026-11-20T12:00:00.000+0000"
ENDPOINT = "image-tagger"
DIMENSIONS = [{"Name": "EndpointName", "Value": ENDPOINT}, {"Name": "VariantName", "Value": "AllTraffic"}]

ScenarioBuilder = Callable[..., dict[str, Any]]


def example() -> Path:
    """The shared example scenario; the calling test is reported as skipped, saying why, when it is absent."""
    if _EXAMPLE is None:
        pytest.skip(f"the shared example scenario is not beside the repository ({_SHARED_EXAMPLE} absent)")
    return _EXAMPLE


def lambda_event(timestamp: str = T_TEXT, region: str = "us-east-1") -> dict[str, Any]:
    """A CloudWatch alarm Lambda-action payload for a ModelLatency p90 alarm on image-tagger."""
    return {
        "source": "aws.cloudwatch",
        "alarmArn": f"arn:aws:cloudwatch:{region}:111122223333:alarm:sagemaker-image-tagger-ModelLatency",
        "accountId": "111122223333", "time": timestamp, "region": region,
        "alarmData": {
            "alarmName": "sagemaker-image-tagger-ModelLatency",
            "state": {"value": "ALARM", "reason": "Threshold Crossed", "timestamp": timestamp},
            "previousState": {"value": "OK", "reason": "Threshold Crossed", "timestamp": timestamp},
            "configuration": {"metrics": [{"id": "m1", "returnData": True, "metricStat": {
                "metric": {"namespace": "AWS/SageMaker", "name": "ModelLatency",
                           "dimensions": {"EndpointName": ENDPOINT, "VariantName": "AllTraffic"}},
                "period": 60, "stat": "p90"}}]},
        },
    }


def endpoint_setup(instance_type: str = "ml.m5.2xlarge", count: int = 2) -> list[dict[str, Any]]:
    """CreateModel, CreateEndpointConfig, CreateEndpoint (a day before T) for image-tagger."""
    return [
        {"service": "sagemaker", "operation": "CreateModel", "params": {
            "ModelName": "model", "ExecutionRoleArn": "arn:aws:iam::111122223333:role/sm",
            "PrimaryContainer": {"Image": "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.3-cpu"}}},
        {"service": "sagemaker", "operation": "CreateEndpointConfig", "params": {
            "EndpointConfigName": "config", "ProductionVariants": [{
                "VariantName": "AllTraffic", "ModelName": "model", "InstanceType": instance_type,
                "InitialInstanceCount": count}]}},
        {"service": "sagemaker", "operation": "CreateEndpoint", "at": -86400,
         "params": {"EndpointName": ENDPOINT, "EndpointConfigName": "config"}},
    ]


def datum(name: str, offset: int, namespace: str = "AWS/SageMaker", dimensions: list | None = None,
          **fields: Any) -> dict[str, Any]:
    """A PutMetricData setup call with one datum (Values/Counts, Value or StatisticValues in `fields`)."""
    return {"service": "cloudwatch", "operation": "PutMetricData", "params": {
        "Namespace": namespace, "MetricData": [
            {"MetricName": name, "Dimensions": DIMENSIONS if dimensions is None else dimensions,
             "Timestamp": offset, **fields}]}}

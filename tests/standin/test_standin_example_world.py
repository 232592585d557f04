"""The shared example scenario's world answers the advisor's calls with the numbers in the file."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from standin_helpers import DIMENSIONS, example

from standin.scenario import load_scenario
from standin.world import World, replay_world

T = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    with replay_world(load_scenario(example())) as opened:
        yield opened


def file_datums(document: dict[str, Any], namespace: str, name: str) -> list[dict[str, Any]]:
    """The example's raw datums for one metric, straight from the JSON (Timestamp still an offset)."""
    return [entry for call in document["setup"] if call["operation"] == "PutMetricData"
            and call["params"]["Namespace"] == namespace
            for entry in call["params"]["MetricData"] if entry["MetricName"] == name]


def query(qid: str, namespace: str, name: str, stat: str, period: int = 60) -> dict[str, Any]:
    return {"Id": qid, "MetricStat": {"Metric": {"Namespace": namespace, "MetricName": name, "Dimensions": DIMENSIONS},
                                      "Period": period, "Stat": stat}}


def test_clock_and_region(world: World) -> None:
    assert world.now == T + timedelta(seconds=30)
    assert (world.region, world.session.region_name, world.account) == ("us-east-1", "us-east-1", "123456789012")


def test_describe_endpoint(world: World) -> None:
    endpoint = world.session.client("sagemaker").describe_endpoint(EndpointName="image-tagger")
    assert endpoint["EndpointStatus"] == "InService"
    assert endpoint["EndpointConfigName"] == "image-tagger-config"
    assert endpoint["CreationTime"] == endpoint["LastModifiedTime"] == T - timedelta(days=30)
    [variant] = endpoint["ProductionVariants"]
    assert (variant["VariantName"], variant["CurrentInstanceCount"], variant["DesiredInstanceCount"]) == (
        "AllTraffic", 2, 2)
    config = world.session.client("sagemaker").describe_endpoint_config(EndpointConfigName="image-tagger-config")
    assert config["ProductionVariants"][0]["InstanceType"] == "ml.m5.2xlarge"


def test_cpu_average_over_the_incident_matches_the_file(world: World, example_document: dict) -> None:
    expected = [d["Value"] for d in file_datums(example_document, "/aws/sagemaker/Endpoints", "CPUUtilization")
                if -900 <= d["Timestamp"] < 0]
    assert len(expected) == 15
    response = world.session.client("cloudwatch").get_metric_data(
        StartTime=T - timedelta(minutes=15), EndTime=T,
        MetricDataQueries=[query("cpu", "/aws/sagemaker/Endpoints", "CPUUtilization", "Average", period=900)])
    [result] = response["MetricDataResults"]
    assert result["Timestamps"] == [T - timedelta(minutes=15)]
    assert result["Values"] == [pytest.approx(sum(expected) / len(expected))]


def test_latency_percentiles_per_minute_match_the_file(world: World, example_document: dict) -> None:
    by_offset = {d["Timestamp"]: d for d in file_datums(example_document, "AWS/SageMaker", "ModelLatency")}
    response = world.session.client("cloudwatch").get_metric_data(
        StartTime=T - timedelta(minutes=15), EndTime=T, ScanBy="TimestampAscending",
        MetricDataQueries=[query("p90", "AWS/SageMaker", "ModelLatency", "p90"),
                           query("avg", "AWS/SageMaker", "ModelLatency", "Average")])
    p90, average = response["MetricDataResults"]
    assert p90["Timestamps"] == [T - timedelta(minutes=15 - i) for i in range(15)]
    for moment, got_p90, got_average in zip(p90["Timestamps"], p90["Values"], average["Values"], strict=True):
        entry = by_offset[int((moment - T).total_seconds())]
        expanded = sorted(v for v, c in zip(entry["Values"], entry["Counts"], strict=True) for _ in range(c))
        assert got_p90 == expanded[math.ceil(0.9 * len(expanded)) - 1]
        assert got_average == pytest.approx(sum(expanded) / len(expanded))


def test_forty_queries_in_one_call(world: World, example_document: dict) -> None:
    metrics = [("AWS/SageMaker", "ModelLatency"), ("AWS/SageMaker", "OverheadLatency"),
               ("AWS/SageMaker", "Invocations"), ("AWS/SageMaker", "InvocationsPerInstance"),
               ("AWS/SageMaker", "Invocation5XXErrors"), ("AWS/SageMaker", "ModelError"),
               ("/aws/sagemaker/Endpoints", "CPUUtilization"), ("/aws/sagemaker/Endpoints", "MemoryUtilization")]
    stats = ["Average", "Sum", "SampleCount", "Maximum", "Minimum"]
    queries = [query(f"q{i}_{j}", ns, name, stat) for i, (ns, name) in enumerate(metrics)
               for j, stat in enumerate(stats)]
    response = world.session.client("cloudwatch").get_metric_data(
        StartTime=T - timedelta(minutes=195), EndTime=T, MetricDataQueries=queries)
    results = response["MetricDataResults"]
    assert [r["Id"] for r in results] == [q["Id"] for q in queries]
    assert {r["StatusCode"] for r in results} == {"Complete"}
    invocations_sum = results[2 * len(stats) + 1]
    assert invocations_sum["Id"] == "q2_1"
    file_values = {d["Timestamp"]: d["Value"] for d in file_datums(example_document, "AWS/SageMaker", "Invocations")
                   if -195 * 60 <= d["Timestamp"] < 0}
    assert len(invocations_sum["Values"]) == len(file_values) == 195
    # Default ScanBy is TimestampDescending, as in CloudWatch.
    assert invocations_sum["Timestamps"][0] == T - timedelta(minutes=1)
    assert dict(zip([int((t - T).total_seconds()) for t in invocations_sum["Timestamps"]],
                    invocations_sum["Values"], strict=True)) == file_values

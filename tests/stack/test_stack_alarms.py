"""The endpoint alarms: the metrics each kind gets, their settings, units, names, tags and descriptions."""

from __future__ import annotations

from collections import defaultdict

import pytest

DEFAULT_RUNBOOK = "https://docs.aws.amazon.com/sagemaker/latest/dg/monitoring-cloudwatch.html"
# The documented defaults, in the unit CloudWatch compares (microseconds; the cache-hit rate as is).
DEFAULT_THRESHOLDS = {
    "ModelLatency": 500_000, "OverheadLatency": 100_000, "ModelLoadingWaitTime": 1_000_000,
    "ModelDownloadingTime": 5_000_000, "ModelLoadingTime": 5_000_000, "ModelSetupTime": 5_000_000,
    "ModelCacheHit": 0.8,
}


def _by_endpoint(alarms: dict) -> dict[tuple[str, str], dict[str, dict]]:
    """Alarm properties grouped by (EndpointName, VariantName) dimension values, then by metric."""
    grouped: dict[tuple[str, str], dict[str, dict]] = defaultdict(dict)
    for props in alarms.values():
        dims = {d["Name"]: d["Value"] for d in props["Dimensions"]}
        grouped[(dims["EndpointName"], dims["VariantName"])][props["MetricName"]] = props
    return grouped


@pytest.mark.parametrize("name", ["example", "overrides", "mixed-10"])
def test_each_endpoint_gets_one_alarm_per_metric_its_kind_emits(synthesized, expected_metrics, name):
    synth = synthesized(name)
    grouped = _by_endpoint(synth.endpoint_alarms())
    assert set(grouped) == {(e.name, e.variant) for e in synth.config.endpoints}
    for endpoint in synth.config.endpoints:
        assert set(grouped[(endpoint.name, endpoint.variant)]) == expected_metrics[endpoint.kind], endpoint


def test_example_covers_three_kinds_with_eleven_alarms(example):
    assert sorted(e.kind for e in example.config.endpoints) == ["multi-model", "real-time", "serverless"]
    assert len(example.endpoint_alarms()) == 2 + 6 + 3


def test_async_endpoints_get_no_overhead_alarm(overrides):
    metrics = {p["MetricName"] for p in overrides.endpoint_alarms().values()
               if {"Name": "EndpointName", "Value": "Batch-Scorer"} in p["Dimensions"]}
    assert metrics == {"ModelLatency", "TimeInBacklog"}


def test_default_alarm_settings(example):
    for name, props in example.endpoint_alarms().items():
        assert props["Namespace"] == "AWS/SageMaker"
        assert [d["Name"] for d in props["Dimensions"]] == ["EndpointName", "VariantName"], name
        assert props["TreatMissingData"] == "notBreaching"
        assert (props["DatapointsToAlarm"], props["EvaluationPeriods"], props["Period"]) == (3, 5, 60)
        assert props["Threshold"] == DEFAULT_THRESHOLDS[props["MetricName"]], name
        assert "AlarmActions" not in props and "OKActions" not in props, "EventBridge routes state changes"


def test_p90_only_where_aws_documents_percentiles_and_cache_hit_uses_average_below(example):
    for props in example.endpoint_alarms().values():
        if props["MetricName"] == "ModelCacheHit":
            assert (props["Statistic"], props["ComparisonOperator"]) == ("Average", "LessThanThreshold")
        elif props["MetricName"] in ("ModelLatency", "ModelSetupTime"):
            assert (props["ExtendedStatistic"], props["ComparisonOperator"]) == ("p90", "GreaterThanThreshold")
        else:
            assert (props["Statistic"], props["ComparisonOperator"]) == ("Average", "GreaterThanThreshold")


def test_alarm_names_descriptions_and_tags_name_the_endpoint(example):
    for name, props in example.endpoint_alarms().items():
        dims = {d["Name"]: d["Value"] for d in props["Dimensions"]}
        assert name == f"SageMakerLatencyAdvisor/{dims['EndpointName']}/{dims['VariantName']}/{props['MetricName']}"
        description = props["AlarmDescription"]
        assert dims["EndpointName"] in description and f"Runbook: {DEFAULT_RUNBOOK}" in description
        assert "SNS topic and Slack" in description
        assert len(description) <= 1024
        tags = {t["Key"]: t["Value"] for t in props["Tags"]}
        assert tags["latency-advisor:endpoint"] == dims["EndpointName"]
        assert tags["latency-advisor:variant"] == dims["VariantName"]


def test_global_and_per_endpoint_overrides_apply_in_that_order(overrides):
    grouped = _by_endpoint(overrides.endpoint_alarms())
    resnet = grouped[("resnet50-cpu", "AllTraffic")]
    assert resnet["OverheadLatency"]["Threshold"] == 50_000  # global thresholds.OverheadLatency.ms = 50
    latency = resnet["ModelLatency"]
    assert (latency["ExtendedStatistic"], latency["Threshold"]) == ("p99", 250_000)
    assert (latency["DatapointsToAlarm"], latency["EvaluationPeriods"]) == (2, 3)
    assert grouped[("Batch-Scorer", "Blue")]["ModelLatency"]["Threshold"] == 60_000_000  # async default 60 s
    green = grouped[("Batch-Scorer", "Green")]["ModelLatency"]
    assert (green["Threshold"], green["Period"]) == (120_000_000, 300)
    assert grouped[("tenant-models", "AllTraffic")]["ModelCacheHit"]["Threshold"] == 0.9
    assert grouped[("fast-lane", "AllTraffic")]["OverheadLatency"]["Period"] == 10


def test_descriptions_carry_the_configured_runbook_and_sinks(overrides):
    for props in overrides.endpoint_alarms().values():
        assert props["AlarmDescription"].endswith("Runbook: https://wiki.example.com/runbooks/sagemaker-latency")
        assert "SNS topic and Slack" in props["AlarmDescription"]
        assert {"Key": "team", "Value": "ml-platform"} in props["Tags"]

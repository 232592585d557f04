"""Scenario loading: the alarm time from each event form, offsets resolved, one-line errors naming the place."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from standin_helpers import ScenarioBuilder, datum, example, lambda_event

from standin.scenario import ScenarioError, load_scenario

T = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
ALARM_ARN = "arn:aws:cloudwatch:eu-west-1:111122223333:alarm:latency"


def eventbridge_event(timestamp: str) -> dict[str, Any]:
    return {"version": "0", "detail-type": "CloudWatch Alarm State Change", "source": "aws.cloudwatch",
            "account": "111122223333", "time": "2026-11-20T12:00:05Z", "region": "eu-west-1",
            "resources": [ALARM_ARN],
            "detail": {"alarmName": "latency", "state": {"value": "ALARM", "timestamp": timestamp}}}


def sns_event(timestamp: str) -> dict[str, Any]:
    message = {"AlarmName": "latency", "AlarmArn": ALARM_ARN, "NewStateValue": "ALARM",
               "StateChangeTime": timestamp}
    return {"Records": [{"EventSource": "aws:sns", "Sns": {
        "TopicArn": "arn:aws:sns:eu-west-1:111122223333:alarms", "Timestamp": "2026-11-20T12:00:09.000Z",
        "Message": json.dumps(message)}}]}


def test_example_loads_with_offsets_resolved() -> None:
    scenario = load_scenario(example())
    assert scenario.name == "example-cpu-tensorflow-overloaded"
    assert scenario.source == example().name
    assert (scenario.alarm_time, scenario.region, scenario.account) == (T, "us-east-1", "123456789012")
    create_endpoint = next(call for call in scenario.setup if call.operation == "CreateEndpoint")
    assert create_endpoint.at == T - timedelta(days=30)
    create_model = next(call for call in scenario.setup if call.operation == "CreateModel")
    assert create_model.at == T - timedelta(days=30)  # the default for Create*/Update* calls
    first_datum = next(call for call in scenario.setup if call.operation == "PutMetricData").params["MetricData"][0]
    assert first_datum["Timestamp"] == T - timedelta(seconds=14400)
    assert scenario.expect["rules"] == ["MODEL-CPU-NO-GPU", "SCALE-NONE"]
    assert scenario.faults == ()


@pytest.mark.parametrize(("event", "region", "account"), [
    (lambda_event("2026-11-20T12:00:00.000+0000"), "us-east-1", "111122223333"),
    (lambda_event("2026-11-20T12:00:00Z"), "us-east-1", "111122223333"),
    (eventbridge_event("2026-11-20T12:00:00.000+0000"), "eu-west-1", "111122223333"),
    (eventbridge_event("2026-11-20T12:00:00+00:00"), "eu-west-1", "111122223333"),
    (sns_event("2026-11-20T12:00:00.000+0000"), "eu-west-1", "111122223333"),
    (sns_event("2026-11-20T12:00:00"), "eu-west-1", "111122223333"),
])
def test_alarm_time_region_and_account_from_each_event_form(build: ScenarioBuilder, event: dict, region: str,
                                                           account: str) -> None:
    scenario = load_scenario(build(setup=[], event=event))
    assert (scenario.alarm_time, scenario.region, scenario.account) == (T, region, account)


def test_malformed_event_still_loads_with_the_envelope_time(build: ScenarioBuilder) -> None:
    # Scenarios for SPEC §8's "malformed event" need a world too: T falls back to the event's own time.
    event = {"source": "aws.ec2", "detail-type": "EC2 Instance State-change Notification",
             "time": "2026-11-20T12:00:00Z", "region": "ap-south-1", "detail": {}}
    scenario = load_scenario(build(setup=[], event=event))
    assert (scenario.alarm_time, scenario.region) == (T, "ap-south-1")


def test_faults_default_to_one_time(build: ScenarioBuilder) -> None:
    scenario = load_scenario(build(faults=[{"operation": "cloudwatch.GetMetricData", "error": "Throttling"},
                                           {"operation": "sagemaker.DescribeEndpoint", "error": "Timeout",
                                            "times": -1}]))
    assert [(f.service, f.operation, f.error, f.times) for f in scenario.faults] == [
        ("cloudwatch", "GetMetricData", "Throttling", 1), ("sagemaker", "DescribeEndpoint", "Timeout", -1)]


BAD = [
    ({"event": []}, "scenario: event: expected an object, got list"),
    ({"event": {"source": "x"}}, "scenario: event: no alarm time: expected alarmData.state.timestamp"),
    ({"event": {"time": "2026-11-20T12:00:00Z"}}, "scenario: event: no region: expected the alarm ARN"),
    ({"fault": []}, "scenario: fault: unknown key (did you mean 'faults'?); a scenario has description, event,"),
    ({"name": ""}, "scenario: name: expected a non-empty string, got str"),
    ({"setup": {}}, "scenario: setup: expected a list, got dict"),
    ({"setup": ["CreateModel"]}, "scenario: setup[0]: expected an object, got str"),
    ({"setup": [{"service": "sagemakr", "operation": "CreateModel"}]},
     "scenario: setup[0].service: 'sagemakr' is not an AWS service known to boto3 (did you mean 'sagemaker'?)"),
    ({"setup": [{"service": "cloudwatch", "operation": "PutMetric"}]},
     "scenario: setup[0].operation: 'PutMetric' is not a cloudwatch operation (did you mean 'PutMetricData'?)"),
    ({"setup": [{"service": "sagemaker", "operation": "DescribeEndpoint", "params": {"EndpointName": "e"},
                 "at": -60}]},
     "scenario: setup[0].at: only Create*/Update* calls take 'at' (this is sagemaker.DescribeEndpoint)"),
    ({"setup": [{"service": "sagemaker", "operation": "DeleteEndpoint", "parms": {}}]},
     "scenario: setup[0].parms: unknown key (did you mean 'params'?); a setup call has at, operation, params,"),
    ({"setup": [{"service": "sagemaker", "operation": "CreateEndpoint", "at": "yesterday",
                 "params": {"EndpointName": "e", "EndpointConfigName": "c"}}]},
     "scenario: setup[0].at: expected an offset in seconds relative to the alarm time, got 'yesterday'"),
    ({"setup": [datum("ModelLatency", offset="2026-11-20T11:59:00Z", Value=1.0)]},  # type: ignore[arg-type]
     "scenario: setup[0].params.MetricData[0].Timestamp: expected an offset in seconds relative to the alarm "
     "time, got '2026-11-20T11:59:00Z'"),
    ({"setup": [{"service": "cloudwatch", "operation": "PutMetricData",
                 "params": {"Namespace": "N", "MetricData": [{"MetricName": "M", "Value": 1}]}}]},
     "scenario: setup[0].params.MetricData[0].Timestamp: missing: a scenario's datapoints need an offset"),
    ({"setup": [datum("ModelLatency", -60, Value="slow")]},
     "scenario: setup[0].params: Invalid type for parameter MetricData[0].Value, value: slow"),
    ({"setup": [{"service": "sagemaker", "operation": "CreateEndpoint", "params": {"EndpointName": "e"}}]},
     "scenario: setup[0].params: Missing required parameter in input: \"EndpointConfigName\""),
    ({"faults": {}}, "scenario: faults: expected a list, got dict"),
    ({"faults": [{"operation": "GetMetricData", "error": "ThrottlingException"}]},
     "scenario: faults[0].operation: must be service.Operation (e.g. cloudwatch.GetMetricData), got "
     "'GetMetricData'"),
    ({"faults": [{"operation": "cloudwatch.GetMetrics", "error": "ThrottlingException"}]},
     "scenario: faults[0].operation: 'GetMetrics' is not a cloudwatch operation"),
    ({"faults": [{"operation": "cloudwatch.GetMetricData", "error": "ThrottlingException", "times": 0}]},
     "scenario: faults[0].times: expected a positive count or -1 (always), got 0"),
    ({"faults": [{"operation": "cloudwatch.GetMetricData"}]}, "scenario: faults[0].error: missing"),
    ({"faults": [{"operation": "cloudwatch.GetMetricData", "error": "rate exceeded"}]},
     "scenario: faults[0].error: expected an AWS error code (ThrottlingException, AccessDeniedException, ...) or "
     "Timeout / ConnectTimeout, got 'rate exceeded'"),
    ({"faults": [{"operation": "cloudwatch.GetMetricData", "error": "Throttling", "retries": 2}]},
     "scenario: faults[0].retries: unknown key"),
]


@pytest.mark.parametrize(("change", "message"), BAD, ids=[message.split(":")[1].strip() for _, message in BAD])
def test_bad_scenarios_fail_with_one_line_naming_the_place(build: ScenarioBuilder, change: dict,
                                                           message: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(build(**change))
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def test_missing_required_key(build: ScenarioBuilder) -> None:
    document = build()
    del document["setup"]
    with pytest.raises(ScenarioError, match=r"^scenario: setup: missing$"):
        load_scenario(document)


def test_file_errors_name_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{\n  "name": "x",\n    "event" {}\n}')
    with pytest.raises(ScenarioError, match=r"^broken\.json: not JSON: line 3 column 13: Expecting ':' delimiter$"):
        load_scenario(broken)
    with pytest.raises(ScenarioError, match=r"^absent\.json: cannot read: No such file or directory$"):
        load_scenario(tmp_path / "absent.json")
    listed = tmp_path / "list.json"
    listed.write_text("[]")
    with pytest.raises(ScenarioError, match=r"^list\.json: expected a JSON object, got list$"):
        load_scenario(listed)

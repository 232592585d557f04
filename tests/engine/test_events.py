"""The three event forms parse to one AlarmEvent; anything else is a one-line EventError, never a crash."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.events import EventError, parse_alarm_event

ARN = "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:sagemaker-resnet-ModelLatency"
STAMP = "2026-11-20T12:00:00.000+0000"
METRIC = {"namespace": "AWS/SageMaker", "name": "ModelLatency",
          "dimensions": {"EndpointName": "resnet", "VariantName": "AllTraffic"}}
ALARM_DATA = {
    "alarmName": "sagemaker-resnet-ModelLatency",
    "state": {"value": "ALARM", "timestamp": STAMP,
              "reason": "Threshold Crossed: 3 out of the last 5 datapoints were greater than the threshold (500000.0)."},
    "previousState": {"value": "OK", "timestamp": "2026-11-20T09:00:00.000+0000", "reason": "ok"},
    "configuration": {"description": "ModelLatency p90 on resnet",
                      "metrics": [{"id": "m1", "returnData": True,
                                   "metricStat": {"metric": METRIC, "period": 60, "stat": "p90"}}]},
}
LAMBDA_ACTION = {"source": "aws.cloudwatch", "alarmArn": ARN, "accountId": "123456789012", "time": STAMP,
                 "region": "eu-west-1", "alarmData": ALARM_DATA}
EVENTBRIDGE = {"version": "0", "id": "c4c1c1c9-6542-e61b-6ef0-8c4d36933a92",
               "detail-type": "CloudWatch Alarm State Change", "source": "aws.cloudwatch",
               "account": "123456789012", "time": "2026-11-20T12:00:00Z", "region": "eu-west-1",
               "resources": [ARN], "detail": ALARM_DATA}
SNS_MESSAGE = {
    "AlarmName": "sagemaker-resnet-ModelLatency", "AlarmDescription": "ModelLatency p90 on resnet",
    "AWSAccountId": "123456789012", "NewStateValue": "ALARM", "OldStateValue": "OK",
    "NewStateReason": "Threshold Crossed: 3 out of the last 5 datapoints were greater than the threshold (500000.0).",
    "StateChangeTime": STAMP, "Region": "EU (Ireland)", "AlarmArn": ARN,
    "Trigger": {"MetricName": "ModelLatency", "Namespace": "AWS/SageMaker", "StatisticType": "ExtendedStatistic",
                "ExtendedStatistic": "p90", "Unit": None, "Period": 60, "EvaluationPeriods": 5,
                "DatapointsToAlarm": 3, "ComparisonOperator": "GreaterThanThreshold", "Threshold": 500000.0,
                "TreatMissingData": "notBreaching", "EvaluateLowSampleCountPercentile": "",
                "Dimensions": [{"value": "resnet", "name": "EndpointName"},
                               {"value": "AllTraffic", "name": "VariantName"}]},
}
SNS = {"Records": [{"EventSource": "aws:sns", "EventVersion": "1.0",
                    "Sns": {"Type": "Notification", "TopicArn": "arn:aws:sns:eu-west-1:123456789012:alarms",
                            "Subject": "ALARM: sagemaker-resnet-ModelLatency", "Message": json.dumps(SNS_MESSAGE)}}]}


@pytest.mark.parametrize("event", [LAMBDA_ACTION, EVENTBRIDGE, SNS], ids=["lambda-action", "eventbridge", "sns"])
def test_every_form_gives_the_same_alarm(event):
    alarm = parse_alarm_event(event)
    assert (alarm.endpoint, alarm.variant, alarm.metric, alarm.stat) == ("resnet", "AllTraffic", "ModelLatency", "p90")
    assert (alarm.region, alarm.account, alarm.state) == ("eu-west-1", "123456789012", "ALARM")
    assert alarm.time == datetime(2026, 11, 20, 12, tzinfo=UTC)
    assert alarm.period_s == 60 and alarm.evaluation_periods == 5 and alarm.threshold == 500000.0
    assert alarm.key == parse_alarm_event(LAMBDA_ACTION).key


def _with(event: dict[str, Any], path: list[Any], value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(event)
    target = changed
    for key in path[:-1]:
        target = target[key]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return changed


_DELETE = object()
METRICS_PATH = ["alarmData", "configuration", "metrics"]


@pytest.mark.parametrize(("path", "value", "message"), [
    (METRICS_PATH, [{"id": "e1", "expression": "m1/m2"}, {"id": "m1", "metricStat": {}}], "metric-math alarm"),
    ([*METRICS_PATH, 0, "metricStat", "metric", "namespace"], "AWS/EC2", "not a SageMaker endpoint latency alarm"),
    ([*METRICS_PATH, 0, "metricStat", "metric", "name"], "CPUUtilization", "not a SageMaker endpoint latency"),
    ([*METRICS_PATH, 0, "metricStat", "metric", "dimensions", "VariantName"], _DELETE, "no VariantName dimension"),
    (["alarmData", "state", "timestamp"], "yesterday", "alarmData.state.timestamp: 'yesterday' is not an ISO-8601"),
    (["alarmData", "state", "value"], "BROKEN", "is not one of ALARM, OK, INSUFFICIENT_DATA"),
    (["alarmArn"], "arn:aws:sns:us-east-1:1:topic", "is not a CloudWatch alarm ARN"),
    (["alarmData", "configuration"], {"alarmRule": "ALARM(a) OR ALARM(b)"}, "composite alarm"),
])
def test_clear_errors(path, value, message):
    with pytest.raises(EventError, match=message) as caught:
        parse_alarm_event(_with(LAMBDA_ACTION, path, value))
    assert "\n" not in str(caught.value)


def test_non_utc_timestamps_are_normalised():
    event = _with(LAMBDA_ACTION, ["alarmData", "state", "timestamp"], "2026-11-20T13:30:00+01:30")
    assert parse_alarm_event(event).time == datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def test_sns_with_truncated_message_is_an_event_error():
    broken = copy.deepcopy(SNS)
    broken["Records"][0]["Sns"]["Message"] = broken["Records"][0]["Sns"]["Message"][:57]
    with pytest.raises(EventError, match="not JSON"):
        parse_alarm_event(broken)


def _outcome(event: Any) -> None:
    """Parsing either succeeds or raises a one-line EventError; any other exception fails the test."""
    try:
        alarm = parse_alarm_event(event)
    except EventError as exc:
        assert "\n" not in str(exc) and len(str(exc)) < 1000
    else:
        assert alarm.endpoint and alarm.variant and alarm.time.tzinfo is not None


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=50),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12)
# Examples per test, derandomization and database come from the profile in tests/conftest.py (`fixed` by default).
FUZZ = settings(suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(json_values)
def test_fuzz_random_json(value):
    _outcome(value)


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, child in node.items():
            found += _paths(child, (*prefix, key))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            found += _paths(child, (*prefix, index))
    return found


def _mutate(event: dict[str, Any], path: tuple, value: Any, delete: bool) -> dict[str, Any]:
    changed = copy.deepcopy(event)
    target = changed
    for key in path[:-1]:
        target = target[key]
    if delete and isinstance(target, dict):
        target.pop(path[-1], None)
    else:
        target[path[-1]] = value
    return changed


huge_strings = st.tuples(st.sampled_from("aZ9\n<@é"), st.integers(5000, 100_000)).map(lambda p: p[0] * p[1])
odd_values = (json_values | huge_strings
              | st.sampled_from(["2026-02-30T25:61:00Z", "1970-01-01T00:00:00-12:00", "", "  ", "\x00",
                                 "arn:aws:cloudwatch:::alarm:", "AWS/SageMaker\n", "p99.9", "-60"]))


@FUZZ
@given(st.sampled_from([LAMBDA_ACTION, EVENTBRIDGE]), st.data(), odd_values, st.booleans())
def test_fuzz_mutated_events(event, data, value, delete):
    path = data.draw(st.sampled_from(_paths(event)))
    _outcome(_mutate(event, path, value, delete))


@FUZZ
@given(st.data(), odd_values, st.booleans())
def test_fuzz_mutated_sns_messages(data, value, delete):
    path = data.draw(st.sampled_from(_paths(SNS_MESSAGE)))
    message = _mutate(SNS_MESSAGE, path, value, delete)
    event = copy.deepcopy(SNS)
    event["Records"][0]["Sns"]["Message"] = json.dumps(message)
    _outcome(event)


@FUZZ
@given(st.integers(min_value=0, max_value=len(json.dumps(SNS_MESSAGE))))
def test_fuzz_truncated_sns_payloads(cut):
    event = copy.deepcopy(SNS)
    event["Records"][0]["Sns"]["Message"] = json.dumps(SNS_MESSAGE)[:cut]
    _outcome(event)


def _on(metric: str, dimensions: dict[str, str]) -> dict[str, Any]:
    """The Lambda action event for an alarm on `metric` with `dimensions`."""
    event = copy.deepcopy(LAMBDA_ACTION)
    event["alarmData"]["configuration"]["metrics"][0]["metricStat"]["metric"] = {
        "namespace": "AWS/SageMaker", "name": metric, "dimensions": dimensions}
    return event


def test_an_inference_component_alarm_names_the_component():
    alarm = parse_alarm_event(_on("ModelLatency", {"InferenceComponentName": "support-chat-ic"}))
    assert (alarm.inference_component, alarm.endpoint, alarm.variant) == ("support-chat-ic", "", "")
    scaled_to_zero = parse_alarm_event(_on("NoCapacityInvocationFailures",
                                           {"InferenceComponentName": "support-chat-ic"}))
    assert scaled_to_zero.inference_component == "support-chat-ic"
    assert parse_alarm_event(LAMBDA_ACTION).inference_component is None


@pytest.mark.parametrize(("metric", "dimensions", "message"), [
    ("ModelSetupTime", {"InferenceComponentName": "chat"}, "ModelSetupTime is not published per inference component"),
    ("ModelLatency", {"InferenceComponentName": ""}, "its InferenceComponentName dimension is empty"),
    ("NoCapacityInvocationFailures", {"EndpointName": "resnet", "VariantName": "AllTraffic"},
     "published per inference component only"),
])
def test_inference_component_dimension_only_where_aws_publishes_it(metric, dimensions, message):
    with pytest.raises(EventError, match=message):
        parse_alarm_event(_on(metric, dimensions))

"""The engine takes an event already parsed (the handler's one parse) or a raw one (the CLI)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest

from advisor import engine
from advisor.events import parse_alarm_event

NOW = datetime(2026, 11, 20, 12, 5, tzinfo=UTC)
# An OK transition: the engine answers it without AWS, so only the parsing is under test.
RESOLVED_EVENT = {
    "source": "aws.cloudwatch", "region": "us-east-1", "accountId": "123456789012",
    "time": "2026-11-20T12:00:00.000+0000",
    "alarmArn": "arn:aws:cloudwatch:us-east-1:123456789012:alarm:sagemaker-image-tagger-ModelLatency",
    "alarmData": {
        "alarmName": "sagemaker-image-tagger-ModelLatency",
        "state": {"value": "OK", "reason": "back", "timestamp": "2026-11-20T12:00:00.000+0000"},
        "previousState": {"value": "ALARM", "timestamp": "2026-11-20T11:00:00.000+0000"},
        "configuration": {"metrics": [{"id": "m1", "returnData": True, "metricStat": {
            "metric": {"namespace": "AWS/SageMaker", "name": "ModelLatency",
                       "dimensions": {"EndpointName": "image-tagger", "VariantName": "AllTraffic"}},
            "period": 60, "stat": "p90"}}]},
    },
}


def test_a_parsed_alarm_is_not_parsed_again(monkeypatch: pytest.MonkeyPatch) -> None:
    alarm = parse_alarm_event(copy.deepcopy(RESOLVED_EVENT))

    def refuse(event: object) -> None:
        raise AssertionError("diagnose parsed an event that was already an AlarmEvent")

    monkeypatch.setattr(engine, "parse_alarm_event", refuse)
    diagnosis = engine.diagnose(alarm, now=NOW)
    assert diagnosis.alarm is alarm
    assert diagnosis.resolved["summary"] == "ModelLatency on image-tagger/AllTraffic back to OK after 1 h"


def test_a_raw_event_is_parsed_as_before() -> None:
    from_raw = engine.diagnose(copy.deepcopy(RESOLVED_EVENT), now=NOW).to_dict()
    from_parsed = engine.diagnose(parse_alarm_event(copy.deepcopy(RESOLVED_EVENT)), now=NOW).to_dict()
    assert from_raw == from_parsed

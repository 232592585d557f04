"""The coverage watchdog in the stack: schedule, environment, least-privilege role, config errors."""

from __future__ import annotations

import json

import pytest
from cfnlint.api import lint

from stacks.config import ConfigError, parse_config

DISCOVER = {"tags": {"team": "ml"}, "name_prefix": "prod-", "kinds": ["real-time"]}
WITH_DISCOVER = {"stack_name": "Fleet", "endpoints": [{"name": "prod-a", "kind": "real-time"}],
                 "discover": DISCOVER, "watchdog": {"schedule": "rate(6 hours)"}, "notify": {"slack": True}}


def _watchdog(synth) -> dict:
    (function,) = [r for _, logical_id, r in synth.resources("AWS::Lambda::Function")
                   if logical_id.startswith("WatchdogFunction")]
    return function["Properties"]


def _watchdog_statements(synth) -> list[dict]:
    return [s for _, logical_id, r in synth.resources("AWS::IAM::Policy") if logical_id.startswith("WatchdogRole")
            for s in r["Properties"]["PolicyDocument"]["Statement"]]


def test_hourly_by_default_with_the_stack_prefix(example) -> None:
    (rule,) = [r["Properties"] for _, logical_id, r in example.resources("AWS::Events::Rule")
               if logical_id.startswith("WatchdogSchedule")]
    assert rule["ScheduleExpression"] == "rate(1 hour)"
    environment = _watchdog(example)["Environment"]["Variables"]
    assert environment["ALARM_PREFIX"] == "SageMakerLatencyAdvisor/" and environment["DISCOVER_FILTER"] == "{}"
    assert _watchdog(example)["Handler"] == "watchdog.lambda_handler"


def test_describe_alarms_only_on_the_stack_prefix_and_state_only_under_its_key(example) -> None:
    statements = {s["Action"] if isinstance(s["Action"], str) else tuple(s["Action"]): s
                  for s in _watchdog_statements(example)}
    alarms = json.dumps(statements["cloudwatch:DescribeAlarms"]["Resource"])
    assert ":alarm:SageMakerLatencyAdvisor/*" in alarms
    assert statements[("cloudwatch:GetMetricData", "sagemaker:ListEndpoints")]["Resource"] == "*"
    state = statements[("dynamodb:GetItem", "dynamodb:PutItem")]
    assert state["Condition"] == {"ForAllValues:StringEquals": {
        "dynamodb:LeadingKeys": ["coverage#SageMakerLatencyAdvisor/"]}}
    # No tag or kind filter: no endpoint-wide read at all; DescribeEndpoint comes from the advisor's exact policies.
    assert not [s for s in _watchdog_statements(example) if "endpoint/*" in json.dumps(s["Resource"])]


def test_discover_filter_adds_only_what_it_needs(synthesized) -> None:
    synth = synthesized("watchdog-discover", WITH_DISCOVER)
    environment = _watchdog(synth)["Environment"]["Variables"]
    assert json.loads(environment["DISCOVER_FILTER"]) == DISCOVER
    actions = {s["Action"] for s in _watchdog_statements(synth) if "endpoint/*" in json.dumps(s["Resource"])}
    assert actions == {"sagemaker:ListTags", "sagemaker:DescribeEndpoint"}
    (rule,) = [r["Properties"] for _, logical_id, r in synth.resources("AWS::Events::Rule")
               if logical_id.startswith("WatchdogSchedule")]
    assert rule["ScheduleExpression"] == "rate(6 hours)"
    for path, template in synth.templates.items():
        assert [f"{m.rule.id} {m.message}" for m in lint(json.dumps(template))] == [], path
    report = json.loads((synth.outdir / "validation-report.json").read_text())
    assert [v for plugin in report["pluginReports"] for v in plugin["violations"]] == []


def test_watchdog_can_be_turned_off(synthesized) -> None:
    synth = synthesized("watchdog-off", {"endpoints": [{"name": "a", "kind": "real-time"}],
                                         "watchdog": {"schedule": False}})
    assert not [i for _, i, _ in synth.resources("AWS::Lambda::Function") if i.startswith("Watchdog")]
    assert len(list(synth.resources("AWS::IAM::Role"))) == 1


@pytest.mark.parametrize(("raw", "message"), [
    ({"watchdog": {"schedule": "every hour"}}, "watchdog.schedule: \"every hour\" is not false nor"),
    ({"watchdog": {"schedule": "rate(1 hours)"}}, "watchdog.schedule"),
    ({"watchdog": {"schedule": True}}, "watchdog.schedule: true is not false nor"),
    ({"watchdog": {"interval": "rate(1 hour)"}}, "watchdog.interval: unknown key"),
    ({"discover": {"tag": {"team": "ml"}}}, "discover.tag: unknown key"),
    ({"discover": {"tags": {"aws:x": "y"}}}, "discover.tags.aws:x: not a tag key"),
])
def test_bad_watchdog_or_discover_is_one_line(raw: dict, message: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse_config({"endpoints": [{"name": "a", "kind": "real-time"}], **raw}, "w.json")
    assert str(error.value).startswith(f"w.json: {message}") and "\n" not in str(error.value)


def test_endpoints_may_be_left_to_discover() -> None:
    config = parse_config({"discover": {"tags": {"team": "ml"}}}, "d.json")
    assert config.endpoints == () and config.discover is not None
    with pytest.raises(ConfigError, match="endpoints: is missing"):
        parse_config({}, "d.json")

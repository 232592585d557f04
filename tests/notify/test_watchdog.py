"""The coverage watchdog Lambda: notifies SNS and Slack when the set of problems changes, and only then."""

from __future__ import annotations

import functools
from collections.abc import Callable
from types import ModuleType

import boto3
import pytest
from conftest import LAMBDAS, REGION, FakeClock, Output, deny

from advisor import sinks
from standin.demo import NotificationTargets, Reply, WebhookReceiver

PREFIX = "Watched/"


@pytest.fixture
def load_watchdog(aws: NotificationTargets, output: Output, clock: FakeClock,
                  monkeypatch: pytest.MonkeyPatch) -> Callable[[], ModuleType]:
    """lambdas/watchdog.py with a new execution environment (a cold start) built from the stack's settings."""
    for name, value in {"POWERTOOLS_SERVICE_NAME": "latency-advisor-watchdog",
                        "POWERTOOLS_METRICS_NAMESPACE": "SageMakerLatencyAdvisor",
                        "AWS_LAMBDA_FUNCTION_NAME": "watchdog", "ALARM_PREFIX": PREFIX,
                        "DISCOVER_FILTER": "{}"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.syspath_prepend(str(LAMBDAS))
    import watchdog

    import handler

    handler.logger.registered_handler.setStream(output.logs)

    def load() -> ModuleType:
        env = {"TOPIC_ARN": aws.topic_arn, "SLACK_SECRET_ARN": aws.secret_arn,
               "IDEMPOTENCY_TABLE": NotificationTargets.TABLE, "ADVISOR_SLACK_BUDGET_S": "5"}
        post_slack = functools.partial(sinks.post_slack, clock=clock, sleep=clock.sleep)
        monkeypatch.setattr(handler, "ENVIRONMENT", handler.build_environment(env, post_slack=post_slack))
        watchdog._dynamodb.cache_clear()  # a new execution environment builds its clients again
        return watchdog

    return load


def put_alarm(endpoint: str) -> None:
    boto3.client("cloudwatch", region_name=REGION).put_metric_alarm(
        AlarmName=f"{PREFIX}{endpoint}/AllTraffic/ModelLatency", Namespace="AWS/SageMaker",
        MetricName="ModelLatency", ExtendedStatistic="p90", Period=60, EvaluationPeriods=1, Threshold=1.0,
        ComparisonOperator="GreaterThanThreshold",
        Dimensions=[{"Name": "EndpointName", "Value": endpoint}, {"Name": "VariantName", "Value": "AllTraffic"}])


def test_notifies_on_change_only(load_watchdog, aws: NotificationTargets, webhook: WebhookReceiver, context) -> None:
    watchdog = load_watchdog()
    first = watchdog.lambda_handler({}, context)
    assert first["changed"] is False and aws.messages() == [] and webhook.received == []  # clean start: silent

    put_alarm("deleted-endpoint")  # its endpoint does not exist: orphaned
    second = watchdog.lambda_handler({}, context)
    assert second["changed"] is True and second["notified"] == ["sns", "slack"] and second["orphaned"] == 1
    [message] = aws.messages()
    assert "orphaned" in message["Subject"] and f"{PREFIX}deleted-endpoint/AllTraffic/ModelLatency" in message["Message"]
    assert len(webhook.received) == 1 and "orphaned" in webhook.received[0]["text"]

    third = watchdog.lambda_handler({}, context)  # nothing changed: no message
    assert third["changed"] is False and aws.messages() == [] and len(webhook.received) == 1

    boto3.client("cloudwatch", region_name=REGION).delete_alarms(
        AlarmNames=[f"{PREFIX}deleted-endpoint/AllTraffic/ModelLatency"])
    fourth = watchdog.lambda_handler({}, context)  # fixed: one message saying so
    assert fourth["changed"] is True
    [fixed] = aws.messages()
    assert "no problems" in fixed["Subject"] and "Fixed since the last report" in fixed["Message"]


def test_state_survives_a_cold_start(load_watchdog, aws: NotificationTargets, context) -> None:
    put_alarm("gone")
    assert load_watchdog().lambda_handler({}, context)["changed"] is True
    assert len(aws.messages()) == 1
    assert load_watchdog().lambda_handler({}, context)["changed"] is False  # a new execution environment
    assert aws.messages() == []


def test_failed_delivery_saves_nothing_so_the_next_run_notifies(load_watchdog, aws: NotificationTargets,
                                                                webhook: WebhookReceiver, context) -> None:
    watchdog = load_watchdog()
    put_alarm("gone")
    deny(watchdog.handler.ENVIRONMENT.sns, "Publish")
    webhook.script(Reply(404, "no_service"))
    with pytest.raises(watchdog.handler.NotificationFailed):
        watchdog.lambda_handler({}, context)
    retried = load_watchdog().lambda_handler({}, context)  # next run, sinks healthy again
    assert retried["changed"] is True and retried["notified"] == ["sns", "slack"]


def test_slack_payload_fits_block_kit_with_many_problems(load_watchdog, webhook: WebhookReceiver, context) -> None:
    for i in range(60):
        put_alarm(f"gone-{i:02d}")
    assert load_watchdog().lambda_handler({}, context)["orphaned"] == 60
    [payload] = webhook.received
    assert len(payload["blocks"]) <= 50 and len(payload["blocks"][0]["text"]["text"]) <= 150
    assert all(len(b.get("text", {}).get("text", "")) <= 3000 for b in payload["blocks"])
    [section] = [b["text"]["text"] for b in payload["blocks"] if b["type"] == "section"]
    shown = section.count("\n• ")
    assert 0 < shown <= 20 and f"…and {60 - shown} more in the e-mail" in section
    assert section.count("<") == section.count(">")  # no link cut in half

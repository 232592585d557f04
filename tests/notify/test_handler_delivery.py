"""The handler's delivery contract (SPEC §8), in process: idempotency, sink failures, secrets, the DLQ path.

AWS is moto in process, Slack is a local receiver, the engine is replaced by a hand-written diagnosis. The
Slack sink waits on a fake clock (`clock`), so Retry-After, backoff and budgets are checked exactly and cost no
wall time. The `output` fixture checks after every test that the webhook URL appeared nowhere in the output.
"""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest
from conftest import FakeClock, Output, deny
from samples import EVENTBRIDGE_EVENT, LAMBDA_ACTION_EVENT, OVERLOADED, RESOLVED, SNS_EVENT

from advisor import render, sinks
from advisor.events import AlarmEvent
from standin.demo import NotificationTargets, Reply, WebhookReceiver


def _errors(output: Output) -> list[str]:
    return [r["message"] for r in output.log_records() if r["level"] == "ERROR"]


def _warnings(output: Output) -> list[str]:
    return [r["message"] for r in output.log_records() if r["level"] == "WARNING"]


def test_alarm_reaches_sns_and_slack_as_rendered(load_handler, aws: NotificationTargets, webhook: WebhookReceiver, context,
                                                 output: Output) -> None:
    handler = load_handler()
    outcome = handler.handler(LAMBDA_ACTION_EVENT, context)
    assert outcome["delivered"] == ["sns", "slack"] and outcome["failed"] == []
    [message] = aws.messages()
    expected = render.render_sns(OVERLOADED)
    assert message["Subject"] == expected.subject
    assert message["Message"] == expected.body
    assert {name: a["Value"] for name, a in message["MessageAttributes"].items()} == {
        name: a["StringValue"] for name, a in expected.attributes.items()}
    assert webhook.received == [render.render_slack(OVERLOADED)]
    metrics = output.metrics()
    assert metrics["Diagnoses"] == 1
    assert metrics["Findings:SCALE-NONE"] == 1 and metrics["Findings:MODEL-CPU-NO-GPU"] == 1
    assert "NotificationFailures" not in metrics
    records = [r for r in output.log_records() if r["message"].startswith("sns notification sent")]
    assert records and records[0]["alarm"] == "sagemaker-image-tagger-ModelLatency"
    assert records[0]["endpoint"] == "image-tagger"
    assert records[0]["correlation_id"].endswith("#ALARM#2026-11-20T12:00:00+00:00")


def test_resolved_notice_is_delivered(load_handler, aws: NotificationTargets, webhook: WebhookReceiver, context, output) -> None:
    load_handler(RESOLVED).handler(LAMBDA_ACTION_EVENT, context)
    [message] = aws.messages()
    assert message["Subject"].startswith("OK image-tagger: ") and "1 h 5 min" in message["Subject"]
    assert webhook.received == [render.render_slack(RESOLVED)]


def test_same_state_change_in_all_three_forms_notifies_once(load_handler, aws: NotificationTargets, webhook: WebhookReceiver,
                                                            context, output: Output) -> None:
    handler = load_handler()
    first = handler.handler(LAMBDA_ACTION_EVENT, context)
    again = [handler.handler(event, context) for event in (LAMBDA_ACTION_EVENT, EVENTBRIDGE_EVENT, SNS_EVENT)]
    assert "duplicate" not in first
    assert all(outcome["duplicate"] and outcome["delivered"] == ["sns", "slack"] for outcome in again)
    assert len(aws.messages()) == 1
    assert len(webhook.received) == 1
    assert output.metrics()["DuplicateEvents"] == 3


def test_redelivery_to_a_new_execution_environment_notifies_once(load_handler, aws: NotificationTargets, webhook, context,
                                                                 output) -> None:
    load_handler().handler(EVENTBRIDGE_EVENT, context)
    outcome = load_handler().handler(SNS_EVENT, context)  # a cold start: only the table remembers
    assert outcome["duplicate"]
    assert len(aws.messages()) == 1 and len(webhook.received) == 1


def test_the_engine_gets_the_alarm_the_handler_parsed(load_handler, aws, webhook, context,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    handler = load_handler()
    seen: list[Any] = []
    environment = handler.build_environment(
        {"TOPIC_ARN": aws.topic_arn}, diagnose=lambda alarm: seen.append(alarm) or json.loads(json.dumps(OVERLOADED)))
    monkeypatch.setattr(handler, "ENVIRONMENT", environment)
    outcome = handler.handler(SNS_EVENT, context)
    [alarm] = seen
    assert isinstance(alarm, AlarmEvent) and outcome["alarm"] == alarm.key
    assert alarm.endpoint == "image-tagger" and alarm.state == "ALARM"


def test_slack_429_is_retried_after_retry_after(load_handler, aws: NotificationTargets, webhook: WebhookReceiver, context,
                                                clock: FakeClock, output) -> None:
    webhook.script(Reply(429, "rate_limited", {"Retry-After": "1"}))
    outcome = load_handler().handler(LAMBDA_ACTION_EVENT, context)
    assert clock.slept == [1.0]  # exactly the Retry-After, over the real loopback network
    assert outcome["delivered"] == ["sns", "slack"]
    assert len(webhook.received) == 1
    assert any(r["message"] == "slack notification sent (2 attempt(s))" for r in output.log_records())


def test_retry_after_beyond_the_budget_gives_up_at_once_and_sns_is_sent(load_handler, aws: NotificationTargets, webhook, context,
                                                                       clock: FakeClock, output: Output) -> None:
    webhook.script(Reply(429, "rate_limited", {"Retry-After": "60"}))
    outcome = load_handler().handler(LAMBDA_ACTION_EVENT, context)
    assert clock.slept == []  # no point waiting 60 s with a 5 s budget
    assert len(webhook.received) == 0
    assert outcome["delivered"] == ["sns"] and outcome["failed"] == ["slack"]
    assert "HTTP 429 rate_limited" in _errors(output)[0]


@pytest.mark.parametrize("fault", ["5xx", "timeout", "dns"])
def test_slack_down_still_delivers_sns(fault: str, load_handler, aws: NotificationTargets, webhook: WebhookReceiver, context,
                                       clock: FakeClock, output: Output) -> None:
    urlopen = None
    if fault == "5xx":
        webhook.script(*[Reply(503, "service_unavailable")] * 10)
    elif fault == "timeout":
        def urlopen(request: urllib.request.Request, timeout: float) -> None:
            clock.now += timeout  # the attempt waited its whole timeout for a reply (see tests/notify/test_sinks.py)
            raise TimeoutError("timed out")
    else:
        aws.set_secret(f"https://hooks.slack.invalid/services/T00000000/B00000000/{webhook.token}")
    outcome = load_handler(ADVISOR_SLACK_BUDGET_S="1.5", urlopen=urlopen).handler(LAMBDA_ACTION_EVENT, context)
    assert clock.now <= 1.5  # the budget bounds the retries and the waits
    assert outcome["delivered"] == ["sns"] and outcome["failed"] == ["slack"]
    assert len(aws.messages()) == 1
    [error] = _errors(output)
    # Backoff is jittered: the budget or the attempt limit ends the retries, whichever comes first.
    assert error.startswith(("slack notification failed: Slack webhook gave up after",
                             f"slack notification failed: Slack webhook failed {sinks.MAX_ATTEMPTS} times"))
    assert {"5xx": "HTTP 503", "timeout": "timed out", "dns": "gaierror"}[fault] in error
    assert output.metrics()["NotificationFailures"] == 1


def test_sns_denied_still_delivers_slack(load_handler, aws: NotificationTargets, webhook: WebhookReceiver, context,
                                         output: Output) -> None:
    handler = load_handler()
    deny(handler.ENVIRONMENT.sns, "Publish")
    outcome = handler.handler(LAMBDA_ACTION_EVENT, context)
    assert outcome["delivered"] == ["slack"] and outcome["failed"] == ["sns"]
    assert len(webhook.received) == 1
    assert "AuthorizationError" in _errors(output)[0]


def test_both_sinks_down_raises_for_the_dead_letter_queue_and_a_retry_delivers(
        load_handler, aws: NotificationTargets, webhook: WebhookReceiver, context, output: Output) -> None:
    handler = load_handler(ADVISOR_SLACK_BUDGET_S="1")
    deny(handler.ENVIRONMENT.sns, "Publish")
    webhook.script(*[Reply(500, "rollup_error")] * 10)
    with pytest.raises(handler.NotificationFailed, match=r"every notification sink failed \(sns, slack\)") as raised:
        handler.handler(LAMBDA_ACTION_EVENT, context)
    assert webhook.token not in str(raised.value)
    assert len(_errors(output)) == 2
    # Lambda's retry of the same event (sinks back) is not mistaken for a duplicate: the record was released.
    webhook.reset()
    outcome = load_handler().handler(LAMBDA_ACTION_EVENT, context)
    assert outcome["delivered"] == ["sns", "slack"] and "duplicate" not in outcome
    assert len(aws.messages()) == 1 and len(webhook.received) == 1


MALFORMED_SECRETS = {
    "wrong-key": lambda url: json.dumps({"url": url}),
    "json-list": lambda url: json.dumps([url]),
    "trailing-words": lambda url: f"{url} (the #alerts channel)",
    "plain-http-to-a-remote-host": lambda url: url.replace("127.0.0.1", "hooks.example.com"),
    "no-scheme": lambda url: url.removeprefix("http://"),
}


@pytest.mark.parametrize("shape", MALFORMED_SECRETS)
def test_malformed_secret_fails_slack_only_without_echoing_it(shape: str, load_handler, aws: NotificationTargets,
                                                             webhook: WebhookReceiver, context, output) -> None:
    aws.set_secret(MALFORMED_SECRETS[shape](webhook.url))
    outcome = load_handler().handler(LAMBDA_ACTION_EVENT, context)
    assert outcome["delivered"] == ["sns"] and outcome["failed"] == ["slack"]
    [error] = _errors(output)
    assert "Slack secret" in error
    assert webhook.received == []


@pytest.mark.parametrize("placeholder", ["REPLACE_WITH_SLACK_WEBHOOK_URL", "TODO"])
def test_placeholder_secret_skips_slack_without_failing(placeholder: str, load_handler, aws: NotificationTargets,
                                                       context, output: Output) -> None:
    aws.set_secret(placeholder)
    outcome = load_handler().handler(LAMBDA_ACTION_EVENT, context)
    assert outcome["delivered"] == ["sns"] and outcome["failed"] == [] and outcome["skipped"] == ["slack"]
    assert _errors(output) == []
    assert "slack notification skipped: the Slack secret holds no webhook URL yet" in _warnings(output)[0]
    assert "NotificationFailures" not in output.metrics()


def test_missing_secret_fails_slack_only(load_handler, aws: NotificationTargets, context, output: Output) -> None:
    missing = "arn:aws:secretsmanager:us-east-1:123456789012:secret:latency-advisor/none-AbCdEf"
    outcome = load_handler(SLACK_SECRET_ARN=missing).handler(LAMBDA_ACTION_EVENT, context)
    assert outcome["delivered"] == ["sns"] and outcome["failed"] == ["slack"]
    assert "could not be read" in _errors(output)[0] and "ResourceNotFoundException" in _errors(output)[0]


def test_idempotency_table_unavailable_still_notifies(load_handler, aws: NotificationTargets, webhook: WebhookReceiver, context,
                                                      output: Output) -> None:
    outcome = load_handler(IDEMPOTENCY_TABLE="no-such-table").handler(LAMBDA_ACTION_EVENT, context)
    assert outcome["delivered"] == ["sns", "slack"]
    assert len(aws.messages()) == 1 and len(webhook.received) == 1
    [warning] = _warnings(output)
    assert warning.startswith("Idempotency table no-such-table unavailable") and "notifying" in warning


def test_no_sink_configured_only_logs(load_handler, aws: NotificationTargets, webhook, context, output: Output) -> None:
    outcome = load_handler(TOPIC_ARN=None, SLACK_SECRET_ARN=None).handler(LAMBDA_ACTION_EVENT, context)
    assert outcome["delivered"] == [] and outcome["failed"] == []
    assert "No sink configured" in _warnings(output)[0]


@pytest.mark.parametrize("event", [{"hello": "world"}, {"source": "aws.cloudwatch", "alarmData": "nope",
                                                        "alarmArn": "x"}, []])
def test_malformed_event_is_one_log_line_and_an_unprocessable_error(event: object, load_handler, aws: NotificationTargets,
                                                                    webhook, context, output: Output) -> None:
    handler = load_handler()
    with pytest.raises(handler.UnprocessableEvent) as raised:
        handler.handler(event, context)
    assert raised.value.__cause__ is None and raised.value.__suppress_context__
    records = output.log_records()
    [error] = [r for r in records if r["level"] == "ERROR"]
    assert error["message"].startswith("Unprocessable event, kept for the dead-letter queue: ")
    assert "\n" not in error["message"] and "exception" not in error
    assert output.metrics()["UnprocessableEvents"] == 1
    assert aws.messages() == [] and webhook.received == []


def test_lambda_result_is_json(load_handler, aws, webhook, context, output) -> None:
    outcome = load_handler().handler(SNS_EVENT, context)
    assert json.loads(json.dumps(outcome)) == outcome
    assert outcome["rules"] == ["SCALE-NONE", "MODEL-CPU-NO-GPU"]

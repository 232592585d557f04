"""The real handler under the real Lambda runtime client, against the AWS stand-in server: event in, messages out.

`python -m awslambdaric handler.handler` runs in a child process (cwd lambdas/), polling the Runtime API
stand-in; AWS_ENDPOINT_URL points its clients (engine, SNS, Secrets Manager, DynamoDB) at the stand-in
server; Slack is the local receiver. One process serves the whole module, like one warm execution environment.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from conftest import LAMBDAS, REGION
from moto.core import DEFAULT_ACCOUNT_ID

from standin.demo import NotificationTargets, Reply, WebhookReceiver
from standin.runtime_api import LambdaProcess
from standin.scenario import Scenario, load_scenario
from standin.server import StandinServer, load_setup

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


@pytest.fixture(scope="module")
def server() -> Iterator[StandinServer]:
    """The AWS stand-in on loopback for this module."""
    with StandinServer() as running:
        yield running


@pytest.fixture(scope="module")
def function(server: StandinServer, receiver: WebhookReceiver) -> Iterator[LambdaProcess]:
    """The advisor Lambda, configured as the stack configures it."""
    env = {"AWS_ENDPOINT_URL": server.endpoint_url, "AWS_ACCESS_KEY_ID": "testing",
           "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
           "ADVISOR_SLACK_BUDGET_S": "2", "POWERTOOLS_SERVICE_NAME": "latency-advisor",
           "POWERTOOLS_METRICS_NAMESPACE": "SageMakerLatencyAdvisor",
           **NotificationTargets.handler_env(REGION, DEFAULT_ACCOUNT_ID)}
    with LambdaProcess("handler.handler", LAMBDAS, env, region=REGION) as process:
        yield process
        assert receiver.token not in process.output()


def world(scenario: Scenario, server: StandinServer, receiver: WebhookReceiver) -> NotificationTargets:
    """The scenario's AWS in the server (replacing the last one), plus the notification targets."""
    load_setup(scenario, server.endpoint_url)
    receiver.reset()
    session = boto3.Session(region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing")
    return NotificationTargets.create(session, receiver.url, server.endpoint_url)


def log_records(output: str) -> list[dict]:
    """The function's structured log lines."""
    records = []
    for line in output.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict) and "level" in record:
            records.append(record)
    return records


def test_alarm_event_in_notifications_out(server, function: LambdaProcess, receiver: WebhookReceiver) -> None:
    scenario = load_scenario(SCENARIOS / "scale-none--saturated-cpu-no-autoscaling.json")
    targets = world(scenario, server, receiver)
    invocation = function.invoke(dict(scenario.event))
    assert invocation.ok, invocation.error
    assert invocation.result["delivered"] == ["sns", "slack"]
    assert "SCALE-NONE" in invocation.result["rules"]
    [message] = targets.messages()
    assert message["Subject"].startswith("ALARM ")
    assert "SCALE-NONE" in json.loads(message["MessageAttributes"]["rules"]["Value"])
    text, _, raw = message["Message"].partition("--- diagnosis (JSON) ---")
    assert "SCALE-NONE" in text and json.loads(raw)["alarm"]["state"] == "ALARM"
    [payload] = receiver.received
    assert payload["blocks"][0]["type"] == "header"
    assert any("SCALE-NONE" in block.get("text", {}).get("text", "") for block in payload["blocks"])

    # The same event again (an at-least-once redelivery) notifies nobody.
    again = function.invoke(dict(scenario.event))
    assert again.ok and again.result["duplicate"]
    assert targets.messages() == [] and len(receiver.received) == 1


def test_both_sinks_down_is_a_function_error_for_the_dead_letter_queue(server, function: LambdaProcess,
                                                                       receiver: WebhookReceiver) -> None:
    scenario = load_scenario(SCENARIOS / "model-benchmark--latency-up-without-load.json")
    targets = world(scenario, server, receiver)
    targets.client("sns").delete_topic(TopicArn=targets.topic_arn)
    receiver.script(*[Reply(500, "rollup_error")] * 10)
    invocation = function.invoke(dict(scenario.event))
    assert invocation.error["errorType"] == "NotificationFailed"
    assert "every notification sink failed (sns, slack)" in invocation.error["errorMessage"]


def test_malformed_event_is_an_unprocessable_error(server, function: LambdaProcess) -> None:
    invocation = function.invoke({"detail-type": "EC2 Instance State-change Notification", "source": "aws.ec2"})
    assert invocation.error["errorType"] == "UnprocessableEvent"
    assert "is not 'CloudWatch Alarm State Change'" in invocation.error["errorMessage"]
    errors = [r["message"] for r in log_records(function.output()) if r["level"] == "ERROR"]
    assert [message for message in errors if "Unprocessable" in message] == [
        f"Unprocessable event, kept for the dead-letter queue: {invocation.error['errorMessage']}"]

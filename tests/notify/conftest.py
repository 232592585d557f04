"""Fixtures for the notification tests: in-process AWS (moto), a local Slack webhook, a fresh handler environment."""

from __future__ import annotations

import copy
import functools
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3
import pytest
from moto import mock_aws
from samples import OVERLOADED

from advisor import sinks
from standin.demo import NotificationTargets, WebhookReceiver
from standin.runtime_api import FakeLambdaContext

LAMBDAS = Path(__file__).resolve().parents[2] / "lambdas"
REGION = "us-east-1"


@pytest.fixture(scope="session")
def receiver() -> Iterator[WebhookReceiver]:
    """One local Slack webhook for the whole run."""
    with WebhookReceiver() as running:
        yield running


@pytest.fixture
def webhook(receiver: WebhookReceiver) -> Iterator[WebhookReceiver]:
    """The webhook, with nothing received or scripted."""
    receiver.reset()
    yield receiver
    receiver.reset()


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch, webhook: WebhookReceiver) -> Iterator[NotificationTargets]:
    """Fresh in-process AWS with the notification resources."""
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        yield NotificationTargets.create(boto3.Session(region_name=REGION), webhook.url)


@dataclass
class Output:
    """Everything the handler wrote: Powertools log lines, EMF metrics (stdout), stderr."""

    capsys: pytest.CaptureFixture[str]
    logs: io.StringIO = field(default_factory=io.StringIO)
    seen: list[str] = field(default_factory=list)

    def text(self) -> str:
        """All output so far, as one string."""
        captured = self.capsys.readouterr()
        self.seen += [captured.out, captured.err]
        return self.logs.getvalue() + "".join(self.seen)

    def log_records(self) -> list[dict]:
        """The structured log lines."""
        return [json.loads(line) for line in self.logs.getvalue().splitlines() if line.strip()]

    def metrics(self) -> dict[str, float]:
        """EMF metric values by name, summed; per-rule findings appear as 'Findings:<rule>'."""
        totals: dict[str, float] = {}
        for line in self.text().splitlines():
            if not line.startswith('{"_aws"'):
                continue
            document = json.loads(line)
            for directive in document["_aws"]["CloudWatchMetrics"]:
                for metric in directive["Metrics"]:
                    name = metric["Name"] + (f":{document['rule']}" if "rule" in document else "")
                    value = document[metric["Name"]]
                    totals[name] = totals.get(name, 0) + (sum(value) if isinstance(value, list) else value)
        return totals


@pytest.fixture
def output(capsys: pytest.CaptureFixture[str], webhook: WebhookReceiver) -> Iterator[Output]:
    """The handler's output; at the end of every test, proof that the webhook URL never appeared in it."""
    captured = Output(capsys)
    yield captured
    text = captured.text()
    assert webhook.token not in text
    assert "hooks.slack.invalid/services" not in text


@dataclass
class FakeClock:
    """The Slack sink's clock in these tests: sleeping moves it on at once, so retries cost no wall time."""

    now: float = 0.0
    slept: list[float] = field(default_factory=list)

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    """A fresh fake clock for the Slack sink."""
    return FakeClock()


@pytest.fixture
def load_handler(aws: NotificationTargets, output: Output, clock: FakeClock,
                 monkeypatch: pytest.MonkeyPatch) -> Callable[..., ModuleType]:
    """lambdas/handler.py with a new execution environment (a cold start): the stack's settings plus `overrides`.

    The engine is replaced by a hand-written diagnosis (these tests are about delivery, not diagnosis), and the
    Slack sink tells time by `clock`; `urlopen` replaces its network where a test fakes a timeout, `session` the
    boto3 session the clients are built from.
    """
    # Powertools reads these when the module creates its Logger and Metrics, at the first import.
    for name, value in {"POWERTOOLS_SERVICE_NAME": "latency-advisor",
                        "POWERTOOLS_METRICS_NAMESPACE": "SageMakerLatencyAdvisor",
                        "AWS_LAMBDA_FUNCTION_NAME": "latency-advisor"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.syspath_prepend(str(LAMBDAS))
    import handler

    handler.logger.registered_handler.setStream(output.logs)

    def load(diagnosis: dict | None = None, *, urlopen: Callable[..., Any] | None = None, session: Any = None,
             **overrides: str | None) -> ModuleType:
        env = {"TOPIC_ARN": aws.topic_arn, "SLACK_SECRET_ARN": aws.secret_arn,
               "IDEMPOTENCY_TABLE": NotificationTargets.TABLE, "ADVISOR_SLACK_BUDGET_S": "5", **overrides}
        result = copy.deepcopy(diagnosis or OVERLOADED)
        post_slack = functools.partial(sinks.post_slack, clock=clock, sleep=clock.sleep,
                                       **({"urlopen": urlopen} if urlopen else {}))
        environment = handler.build_environment({name: value for name, value in env.items() if value is not None},
                                                session=session, diagnose=lambda alarm: copy.deepcopy(result),
                                                post_slack=post_slack)
        monkeypatch.setattr(handler, "ENVIRONMENT", environment)
        return handler

    return load


@pytest.fixture
def context() -> FakeLambdaContext:
    """A Lambda context with a minute left."""
    return FakeLambdaContext()


def deny(client: Any, operation: str, code: str = "AuthorizationError") -> None:
    """Make `client` fail `operation` with an AWS error, as IAM or a resource policy would."""
    from botocore.exceptions import ClientError

    def refuse(**_: Any) -> None:
        raise ClientError({"Error": {"Code": code, "Message": f"not authorized to perform {operation}"}}, operation)

    client.meta.events.register(f"before-call.{client.meta.service_model.endpoint_prefix}.{operation}", refuse)

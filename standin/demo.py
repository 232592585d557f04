"""`advisor demo`: alarm events end to end on an embedded stand-in for AWS, and a local Slack webhook receiver.

For a few built-in scenarios: the scenario's AWS world goes into a moto server on 127.0.0.1, the alarm event
goes to the real Lambda handler running under the AWS Lambda runtime client, and what arrived is printed:
the SNS message read back from an SQS queue subscribed to the topic, and the Slack payload the local webhook
received. Nothing leaves the machine.
"""

from __future__ import annotations

import html
import json
import re
import secrets
import sys
import textwrap
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import boto3

from standin.runtime_api import LambdaProcess, LoopbackServer

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "tests" / "scenarios"
REGION = "us-east-1"
# (scenario file stem, what it shows)
DEMO_SCENARIOS = (
    ("model-cpu-no-gpu--pytorch-on-c5-saturated-no-autoscaling",
     "a PyTorch model on saturated CPU instances with no autoscaling: it wants a GPU and to scale out"),
    ("overhead-cold-start--updated-40-min-before", "a cold start after a deployment"),
    ("mme-cache-thrash--hit-rate-60-percent", "a multi-model endpoint thrashing its model cache"),
    ("serverless-cold-start--setup-time-in-incident", "a serverless endpoint's cold starts"),
    ("async-backlog--queue-grows-no-autoscaling", "an asynchronous endpoint whose queue grows faster than it drains"),
    ("ic-copies-at-max--llm-copies-at-maximum",
     "an LLM on GPUs served as an inference component whose copies are at their maximum"),
    ("resolved--back-to-ok-after-65-min", "an alarm going back to OK"),
)
HANDLER_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
               "ADVISOR_SLACK_BUDGET_S": "5", "POWERTOOLS_SERVICE_NAME": "latency-advisor",
               "POWERTOOLS_METRICS_NAMESPACE": "SageMakerLatencyAdvisor"}


def _client(session: boto3.Session, endpoint_url: str | None, service: str) -> Any:
    return session.client(service, endpoint_url=endpoint_url)


@dataclass(frozen=True)
class NotificationTargets:
    """What the stack gives the advisor to notify with: the SNS topic (plus an SQS queue subscribed to it, to
    read back what subscribers get), the Slack webhook secret and the idempotency table."""

    TOPIC = "latency-advisor"
    QUEUE = "latency-advisor-inbox"
    SECRET = "latency-advisor/slack-webhook"
    TABLE = "latency-advisor-idempotency"

    topic_arn: str
    queue_url: str
    secret_arn: str
    session: boto3.Session
    endpoint_url: str | None = None

    def client(self, service: str) -> Any:
        """A client for `service` where the targets live."""
        return _client(self.session, self.endpoint_url, service)

    @classmethod
    def create(cls, session: boto3.Session, webhook_url: str, endpoint_url: str | None = None) -> NotificationTargets:
        """Create the topic, the subscribed queue, the secret (JSON form) and the table, as the stack does."""
        sns, sqs = _client(session, endpoint_url, "sns"), _client(session, endpoint_url, "sqs")
        topic_arn = sns.create_topic(Name=cls.TOPIC)["TopicArn"]
        queue_url = sqs.create_queue(QueueName=cls.QUEUE)["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)
        secret_arn = _client(session, endpoint_url, "secretsmanager").create_secret(
            Name=cls.SECRET, SecretString=json.dumps({"webhook_url": webhook_url}))["ARN"]
        _client(session, endpoint_url, "dynamodb").create_table(
            TableName=cls.TABLE, BillingMode="PAY_PER_REQUEST", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])
        return cls(topic_arn, queue_url, secret_arn, session, endpoint_url)

    @classmethod
    def handler_env(cls, region: str, account: str) -> dict[str, str]:
        """The handler's environment for targets made by `create` (known before they exist: the secret by name)."""
        return {"TOPIC_ARN": f"arn:aws:sns:{region}:{account}:{cls.TOPIC}", "SLACK_SECRET_ARN": cls.SECRET,
                "IDEMPOTENCY_TABLE": cls.TABLE}

    def messages(self) -> list[dict]:
        """The SNS notifications waiting in the queue, each SNS's JSON envelope (Subject, Message, attributes)."""
        found = self.client("sqs").receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10)
        return [json.loads(message["Body"]) for message in found.get("Messages", [])]

    def set_secret(self, value: str) -> None:
        """Store a new value in the Slack secret."""
        self.client("secretsmanager").put_secret_value(SecretId=self.secret_arn, SecretString=value)


@dataclass(frozen=True)
class Reply:
    """One scripted answer of the webhook receiver."""

    status: int = 200
    body: str = "ok"
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0


class WebhookReceiver:
    """A Slack incoming webhook on 127.0.0.1: records each payload, answers 200 "ok" or the scripted replies."""

    def __init__(self) -> None:
        self.token = secrets.token_hex(12)
        self.received: list[dict] = []
        self._script: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._server = LoopbackServer(_receiver_handler(self))

    @property
    def url(self) -> str:
        """The webhook URL, shaped like Slack's, with a random token standing for the secret part."""
        return f"http://{self._server.address}/services/T00000000/B00000000/{self.token}"

    def script(self, *replies: Reply) -> None:
        """Answer the next requests with `replies`, in order, then 200 "ok" again."""
        with self._lock:
            self._script.extend(replies)

    def reset(self) -> None:
        """Forget what was received and scripted."""
        with self._lock:
            self._script.clear()
            self.received.clear()

    def __enter__(self) -> WebhookReceiver:
        self._server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.stop()

    def _reply_for(self, path: str, payload: dict) -> Reply:
        with self._lock:
            if not path.endswith(self.token):
                return Reply(404, "no_service")
            reply = self._script.popleft() if self._script else Reply()
            if reply.status == 200:
                self.received.append(payload)
            return reply


def _receiver_handler(receiver: WebhookReceiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the caller prints what arrived."""

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                payload = json.loads(raw)
            except ValueError:
                payload = None
            reply = Reply(400, "invalid_payload") if not isinstance(payload, dict) else receiver._reply_for(
                self.path, payload)
            time.sleep(reply.delay_s)
            body = reply.body.encode()
            self.send_response(reply.status)
            for name, value in {"Content-Type": "text/html", **reply.headers}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


# ---- the demo ------------------------------------------------------------------------------------------


def _say(text: str = "", end: str = "\n") -> None:
    print(text, end=end, flush=True)


@contextmanager
def _step(text: str) -> Iterator[None]:
    """A progress line: "  text ... ok (1.2 s)"."""
    _say(f"  {text} ... ", end="")
    started = time.monotonic()
    yield
    _say(f"ok ({time.monotonic() - started:.1f} s)")


def _quoted(text: str, wrap: int | None = None) -> list[str]:
    """Text set off by a bar; `wrap` re-flows long lines (Slack text has none of its own)."""
    lines = text.splitlines()
    if wrap:
        lines = [part for line in lines
                 for part in textwrap.wrap(line, wrap, subsequent_indent="  ", break_on_hyphens=False) or [""]]
    return [f"    | {line}".rstrip() for line in lines]


_SLACK_LINK = re.compile(r"<([^|>]+)\|([^>]+)>")


def _slack_plain(mrkdwn: str) -> str:
    """Slack markup as a terminal shows it best: links as their labels, entities decoded, no zero-width spaces."""
    return html.unescape(_SLACK_LINK.sub(r"\2", mrkdwn)).replace("\u200b", "")


def slack_preview(payload: dict) -> str:
    """A Block Kit payload as terminal text: header, sections, fields, context lines, buttons."""
    lines: list[str] = []
    for block in payload.get("blocks", []):
        kind = block.get("type")
        if kind == "header":
            title = _slack_plain(block["text"]["text"])
            lines += [title, "=" * len(title)]
        elif kind == "section" and "fields" in block:
            lines += [_slack_plain(f["text"]).replace("\n", ": ", 1) for f in block["fields"]]
        elif kind == "section":
            lines += ["", *_slack_plain(block["text"]["text"]).splitlines()]
        elif kind == "context":
            lines += [_slack_plain(" ".join(e.get("text", "") for e in block["elements"]))]
        elif kind == "divider":
            lines.append("-" * 40)
        elif kind == "actions":
            lines += ["", "  ".join(f"[{e['text']['text']}]" for e in block["elements"] if e.get("type") == "button")]
    return "\n".join(lines)


def _show_sns(message: dict) -> None:
    from advisor.render import JSON_MARKER

    text, _, copy = message["Message"].partition(JSON_MARKER)
    attributes = ", ".join(f"{name}={value['Value']}" for name, value in message.get("MessageAttributes", {}).items())
    _say("  SNS message, read back from the queue subscribed to the topic:")
    _say(f"    Subject:    {message['Subject']}")
    _say(f"    Attributes: {attributes}")
    for line in _quoted(text.rstrip()):
        _say(line)
    _say(f"    | (then the diagnosis as JSON, {len(copy.encode()):,} bytes, for programs)")


def _show_slack(payloads: list[dict]) -> None:
    _say("  Slack message, as the local webhook received it:")
    for payload in payloads:
        for line in _quoted(slack_preview(payload), wrap=104):
            _say(line)


def _run_scenario(number: int, stem: str, about: str, function: LambdaProcess, server: Any,
                  receiver: WebhookReceiver) -> bool:
    from standin.scenario import load_scenario
    from standin.server import load_setup

    path = SCENARIOS / f"{stem}.json"
    _say(f"[{number}/{len(DEMO_SCENARIOS)}] {about}  ({path.relative_to(ROOT)})")
    scenario = load_scenario(path)
    _say(f"  {scenario.description}")
    with _step(f"building its AWS world ({len(scenario.setup)} API calls) and the notification targets"):
        load_setup(scenario, server.endpoint_url)
        receiver.reset()
        targets = NotificationTargets.create(boto3.Session(region_name=REGION, aws_access_key_id="testing",
                                                           aws_secret_access_key="testing"),
                                             receiver.url, server.endpoint_url)
    _say("  invoking the advisor Lambda with the alarm event ... ", end="")
    started = time.monotonic()
    invocation = function.invoke(dict(scenario.event))
    took = time.monotonic() - started
    if not invocation.ok:
        error = invocation.error or {}
        _say(f"failed in {took:.1f} s: {error.get('errorType')}: {error.get('errorMessage')}")
        return False
    _say(f"ok ({took:.1f} s)")
    result = invocation.result
    _say(f"  findings: {', '.join(result['rules']) or 'none'}; delivered to {' and '.join(result['delivered'])}")
    _say()
    for message in targets.messages():
        _show_sns(message)
    _say()
    _show_slack(receiver.received)
    _say()
    return True


def _show_coverage() -> None:
    """After the alarms: can every alarm fire at all? The watchdog's report on a fleet with one of each problem."""
    from standin.coverage import DEMO_WORLD, demo_report

    _say(f"Alarm coverage: `advisor coverage --replay {DEMO_WORLD.relative_to(ROOT)} --stack-name CoverageDemo` "
         "(the watchdog runs the same check hourly and notifies when the problems change)")
    try:
        _say("\n".join(f"  {line}" for line in demo_report().splitlines()))
    except Exception as exc:  # the coverage section is extra: the alarm demo above already stands
        _say(f"  skipped: {type(exc).__name__}: {' '.join(str(exc).split())}")
    _say()


DEPLOY = """To run it for real, next to your own endpoints:
  1. copy config/example.json to watch.json and list your endpoints (name, variant, kind), thresholds
     and who to notify;
  2. cdk deploy -c config=watch.json
  3. put your Slack webhook URL into the secret named by the stack's SlackWebhookSecretArn output, and
     confirm the e-mail subscription SNS sends you."""


def run_demo() -> int:
    """`advisor demo`: run the built-in scenarios end to end, offline; 0 when every one was delivered."""
    from moto.core import DEFAULT_ACCOUNT_ID

    from standin.scenario import ScenarioError
    from standin.server import StandinServer

    missing = [stem for stem, _ in DEMO_SCENARIOS if not (SCENARIOS / f"{stem}.json").exists()]
    if missing:
        print(f"advisor demo: the scenario files are not built ({missing[0]}.json and {len(missing) - 1} more): "
              "run `make scenarios` (or `make demo`)", file=sys.stderr)
        return 2
    _say("SageMaker latency advisor: offline demo")
    _say("A stand-in for AWS (moto) and a Slack webhook run on 127.0.0.1; the real advisor Lambda handler runs")
    _say("under the AWS Lambda runtime client. Nothing leaves this machine.")
    _say()
    started = time.monotonic()
    succeeded = 0
    try:
        with ExitStack() as running:
            with _step("starting the AWS stand-in, a Slack webhook receiver and the advisor Lambda"):
                receiver = running.enter_context(WebhookReceiver())
                server = running.enter_context(StandinServer())
                env = {**HANDLER_ENV, "AWS_ENDPOINT_URL": server.endpoint_url,
                       **NotificationTargets.handler_env(REGION, DEFAULT_ACCOUNT_ID)}
                # The runtime client starts in the background; the first invocation carries its cold start.
                function = running.enter_context(LambdaProcess("handler.handler", ROOT / "lambdas", env,
                                                               region=REGION))
            _say()
            for number, (stem, about) in enumerate(DEMO_SCENARIOS, 1):
                try:
                    succeeded += _run_scenario(number, stem, about, function, server, receiver)
                except ScenarioError as exc:
                    _say(f"\n  skipped: {exc}\n")
    except KeyboardInterrupt:
        _say("\ndemo interrupted")
        return 130
    except Exception as exc:  # the demo's promise: one readable line, never a traceback
        _say(f"\ndemo failed: {type(exc).__name__}: {' '.join(str(exc).split())}")
        return 1
    _say(f"{succeeded} of {len(DEMO_SCENARIOS)} alarms diagnosed and delivered in {time.monotonic() - started:.0f} s.")
    _say()
    _show_coverage()
    _say(DEPLOY)
    return 0 if succeeded == len(DEMO_SCENARIOS) else 1

"""Alarm storm: 50 alarms on 50 different endpoints fire in the same minute; the real handler answers them all.

The world: one standin.server moto server holding 50 endpoints, each a copy of a scenario from tests/scenarios
(every scenario whose event is an ALARM and that injects no fault, in turn) with its SageMaker names suffixed
`-sNN` (endpoint, endpoint config, model; autoscaling resource IDs and metric dimensions follow), plus the
stack's notification targets (SNS topic with an SQS subscriber, Slack secret, idempotency table) and a loopback
Slack webhook. Event NN is that copy's own alarm event under the alarm name `...-storm-NN`.

The storm: ENVIRONMENTS execution environments start at once, each `python -m awslambdaric handler.handler`
(standin.runtime_api.LambdaProcess: the real runtime client, its own interpreter, its own boto3 clients,
Powertools state and secret cache, as a Lambda execution environment has), and they drain one shared queue of
the 50 events, one event at a time each, as Lambda would hand queued async events to busy environments. The
clock starts when the environments are launched (every event has "arrived" then), so the first event of each
environment carries its cold start. Lambda would run all 50 at once; 2 cores cannot, so we run 10.

Measured: wall time to the last answer, each event's latency from arrival and its own invocation time, every
AWS request the handlers make as the stand-in receives it (retries included; counted inside the server, by the
request's signing service and operation, independently of the engine's own count), the busiest 1-second window
per API, and what was delivered: exactly one SNS message and one Slack payload per alarm (and, in this first
pass, every diagnosis as its source scenario expects), or the stage fails.

A second pass ("quota") replays the storm with a token bucket of QUOTA_GET_METRIC_DATA_TPS in front of
GetMetricData, a rate below the first pass's peak, so the quota binds: throttled requests get CloudWatch's
`Throttling` error and the advisor's adaptive retries and 25 s evidence budget have to cope.

Usage: python bench/storm.py OUT.json [GET_METRIC_DATA_TPS]   (the quota pass's rate, default 5)
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import queue
import re
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import boto3
from common import ACCOUNT, LAMBDA_ENV, LAMBDAS, REGION, SCENARIOS, distinct_event, percentile_ms, progress
from moto.moto_server.werkzeug_app import DomainDispatcherApplication

from advisor.events import parse_alarm_event
from advisor.render import JSON_MARKER
from standin.demo import NotificationTargets, WebhookReceiver
from standin.runtime_api import Invocation, LambdaProcess
from standin.scenario import Scenario, load_scenario
from standin.server import StandinServer, load_setup
from standin.world import make_session, run_setup

STORM_EVENTS = 50
ENVIRONMENTS = 10  # concurrent execution environments; 2 cores here, Lambda would run all 50 at once
# Half the first pass's GetMetricData peak: as if other readers of the account's metrics took half the quota.
QUOTA_GET_METRIC_DATA_TPS = 5.0
EVIDENCE_SERVICES = ("cloudwatch", "sagemaker", "application-autoscaling")
# Signing names that differ from the client names the engine counts under.
_CLIENT_NAME = {"monitoring": "cloudwatch"}
_RENAMED_KEYS = frozenset({"EndpointName", "EndpointConfigName", "ModelName"})


@dataclass(frozen=True)
class StormEvent:
    """One alarm of the storm: its number, event, endpoint and what its source scenario expects."""

    number: int
    event: dict[str, Any]
    endpoint: str
    expect: dict[str, Any]


def _names(value: Any) -> set[str]:
    """Every SageMaker endpoint, endpoint-config and model name in a scenario's setup calls."""
    if isinstance(value, dict):
        found = {text for key, text in value.items() if key in _RENAMED_KEYS and isinstance(text, str)}
        return found.union(*(_names(item) for item in value.values()))
    if isinstance(value, list):
        return set().union(*(_names(item) for item in value))
    return set()


def _renamed(text: str, number: int) -> Scenario:
    """The scenario file's text with its SageMaker names suffixed `-sNN`, wherever they stand as a whole string
    or a path segment (dimension values, autoscaling resource IDs, the SNS form's JSON-in-a-string included)."""
    names = sorted(_names(json.loads(text)["setup"]), key=len, reverse=True)
    pattern = re.compile(r'(?<=["/])(' + "|".join(map(re.escape, names)) + r')(?=["/\\])')
    raw = json.loads(pattern.sub(lambda match: f"{match.group(1)}-s{number:02d}", text))
    raw["name"] = f"{raw['name']}@{number:02d}"
    return load_scenario(raw)


def storm_worlds(count: int) -> tuple[list[Scenario], list[StormEvent]]:
    """`count` renamed scenario copies (ALARM events, no faults: the server injects none) and their events."""
    texts = [path.read_text() for path in sorted(SCENARIOS.glob("*.json"))]
    # Variant alarms: an inference component's alarm names no endpoint until DescribeInferenceComponent does, so
    # "one endpoint per alarm" could not be checked from the events.
    sources = [text for text, raw in zip(texts, map(json.loads, texts), strict=True)
               if not raw.get("faults") and parse_alarm_event(raw["event"]).state == "ALARM"
               and not parse_alarm_event(raw["event"]).inference_component]
    worlds, events = [], []
    for number in range(count):
        world = _renamed(sources[number % len(sources)], number)
        event = distinct_event(dict(world.event), f"storm-{number:02d}")
        worlds.append(world)
        events.append(StormEvent(number, event, parse_alarm_event(event).endpoint, dict(world.expect)))
    if len({event.endpoint for event in events}) != count:
        raise RuntimeError("storm: the renamed scenarios do not give one endpoint per alarm")
    return worlds, events


def load_worlds(worlds: Sequence[Scenario], endpoint_url: str) -> None:
    """All the worlds side by side in the running stand-in (load_setup empties it first)."""
    first, *rest = worlds
    load_setup(first, endpoint_url)
    for world in rest:
        run_setup(world, make_session(world.region), ACCOUNT, endpoint_url=endpoint_url)


# ---- what the stand-in receives --------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    """One HTTP request as the stand-in received it."""

    at: float  # perf_counter
    operation: str  # "cloudwatch.GetMetricData"
    throttled: bool


class _TokenBucket:
    """`rate` requests per second, bursts of up to `rate` (the usual shape of an AWS TPS quota)."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self._tokens = rate
        self._last = time.monotonic()
        self._lock = threading.Lock()

    def take(self) -> bool:
        """True if a request may pass now."""
        with self._lock:
            now = time.monotonic()
            self._tokens = min(self.rate, self._tokens + (now - self._last) * self.rate)
            self._last = now
            if self._tokens >= 1:
                self._tokens -= 1
                return True
            return False


def _operation(environ: dict[str, Any]) -> str:
    """service.Operation of a request: signing service from the credential scope, operation from the JSON
    protocols' X-Amz-Target or the query protocol's Action (SNS), whose body is put back for moto."""
    scope = environ.get("HTTP_AUTHORIZATION", "").split("Credential=", 1)[-1].split(",", 1)[0].split("/")
    service = _CLIENT_NAME.get(scope[3], scope[3]) if len(scope) > 3 else "?"
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return f"{service}.{target.rsplit('.', 1)[-1]}"
    body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    environ["wsgi.input"] = io.BytesIO(body)
    action = parse_qs(body.decode(errors="replace")).get("Action", ["?"])[0]
    return f"{service}.{action}"


def _throttled(start_response: Callable[..., Any]) -> list[bytes]:
    """CloudWatch's answer over its JSON protocol to a request over quota (the query error code in a header)."""
    body = json.dumps({"__type": "Throttling", "message": "Rate exceeded"}).encode()
    start_response("400 Bad Request", [("Content-Type", "application/x-amz-json-1.0"),
                                       ("x-amzn-query-error", "Throttling;Sender"),
                                       ("x-amzn-RequestId", str(uuid.uuid4())),
                                       ("Content-Length", str(len(body)))])
    return [body]


@contextlib.contextmanager
def requests_seen(get_metric_data_tps: float | None = None) -> Iterator[list[Request]]:
    """Every request the in-process stand-in receives meanwhile; GetMetricData over the quota is throttled."""
    seen: list[Request] = []
    bucket = _TokenBucket(get_metric_data_tps) if get_metric_data_tps else None
    original = DomainDispatcherApplication.__call__

    def counted(app: DomainDispatcherApplication, environ: dict[str, Any], start_response: Any) -> Any:
        at, operation = time.perf_counter(), _operation(environ)
        over = bucket is not None and operation == "cloudwatch.GetMetricData" and not bucket.take()
        seen.append(Request(at, operation, over))  # list.append is atomic: the server runs a thread per request
        return _throttled(start_response) if over else original(app, environ, start_response)

    # Patched on the class: werkzeug looks __call__ up on the type, and the app object is the server's own.
    DomainDispatcherApplication.__call__ = counted  # type: ignore[method-assign,assignment]
    try:
        yield seen
    finally:
        DomainDispatcherApplication.__call__ = original  # type: ignore[method-assign]


def peak_per_second(times: Sequence[float]) -> int:
    """The most requests in any 1-second window."""
    ordered, start, best = sorted(times), 0, 0
    for end, at in enumerate(ordered):
        while at - ordered[start] >= 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


# ---- the storm -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """What one environment answered for one event, and when (perf_counter)."""

    number: int
    handed_over: float
    answered: float
    invocation: Invocation


@dataclass
class Storm:
    """One pass: the answers, the requests, and what reached SNS and Slack."""

    started: float
    answers: list[Answer] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)
    sns: list[dict[str, Any]] = field(default_factory=list)  # the diagnosis JSON of each SNS message
    slack: list[dict[str, Any]] = field(default_factory=list)


def _environment(runtime_env: dict[str, str], events: queue.Queue[StormEvent], answers: list[Answer]) -> None:
    """One execution environment: cold start, then events from the shared queue until it is empty."""
    with LambdaProcess("handler.handler", LAMBDAS, runtime_env, region=REGION) as runtime:
        while True:
            try:
                event = events.get_nowait()
            except queue.Empty:
                return
            handed_over = time.perf_counter()
            invocation = runtime.invoke(event.event)
            answers.append(Answer(event.number, handed_over, time.perf_counter(), invocation))


def _take_messages(targets: NotificationTargets) -> list[dict[str, Any]]:
    """Every SNS envelope waiting in the subscribed queue, deleted as read (the next pass counts only its own)."""
    sqs, envelopes = targets.client("sqs"), []
    while found := sqs.receive_message(QueueUrl=targets.queue_url, MaxNumberOfMessages=10).get("Messages"):
        envelopes += [json.loads(message["Body"]) for message in found]
        sqs.delete_message_batch(QueueUrl=targets.queue_url, Entries=[
            {"Id": str(number), "ReceiptHandle": message["ReceiptHandle"]} for number, message in enumerate(found)])
    return envelopes


def _diagnosis(sns_envelope: dict[str, Any]) -> dict[str, Any]:
    """The diagnosis JSON an SNS notification carries after its marker line."""
    return json.loads(sns_envelope["Message"].split(f"{JSON_MARKER}\n", 1)[1])


def run_storm(events: Sequence[StormEvent], runtime_env: dict[str, str], targets: NotificationTargets,
              webhook: WebhookReceiver, *, get_metric_data_tps: float | None = None) -> Storm:
    """Launch the environments, let them drain the events, then collect what reached SNS and Slack."""
    pending: queue.Queue[StormEvent] = queue.Queue()
    for event in events:
        pending.put(event)
    webhook.reset()
    with requests_seen(get_metric_data_tps) as seen:
        storm = Storm(started=time.perf_counter())
        workers = [threading.Thread(target=_environment, args=(runtime_env, pending, storm.answers), daemon=True)
                   for _ in range(ENVIRONMENTS)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        storm.requests = list(seen)
    storm.sns = [_diagnosis(message) for message in _take_messages(targets)]
    storm.slack = list(webhook.received)
    return storm


# ---- checks and figures ----------------------------------------------------------------------------------


def _numbers(items: Sequence[Any], tag: str) -> Counter[int]:
    """How many times each alarm number appears among the notifications (one number per notification)."""
    found: Counter[int] = Counter()
    for item in items:
        numbers = set(re.findall(rf"{tag}-(\d{{2}})\b", json.dumps(item)))
        if len(numbers) != 1:
            raise RuntimeError(f"storm: a notification names {len(numbers)} alarms of the storm: {sorted(numbers)}")
        found[int(numbers.pop())] += 1
    return found


def check_delivery(storm: Storm, events: Sequence[StormEvent], tag: str) -> dict[str, Any]:
    """Every alarm answered and notified exactly once on each sink; the counts, or RuntimeError."""
    failed = [answer for answer in storm.answers if not answer.invocation.ok
              or sorted(answer.invocation.result.get("delivered", [])) != ["slack", "sns"]
              or answer.invocation.result.get("duplicate")]
    if failed or len(storm.answers) != len(events):
        raise RuntimeError(f"storm: {len(storm.answers)} answers for {len(events)} events; not delivered to both "
                           f"sinks: {[(a.number, a.invocation.error or a.invocation.result) for a in failed][:3]}")
    delivered = {}
    for sink, items in (("sns", storm.sns), ("slack", storm.slack)):
        counts = _numbers(items, tag)
        lost = sorted(set(range(len(events))) - set(counts))
        duplicated = sorted(number for number, times in counts.items() if times > 1)
        if lost or duplicated:
            raise RuntimeError(f"storm: {sink}: alarms lost {lost}, notified more than once {duplicated}")
        delivered[sink] = len(items)
    return {"delivered": delivered, "lost": 0, "duplicates": 0}


def _as_expected(diagnosis: dict[str, Any], expect: dict[str, Any]) -> bool:
    found = {finding["rule"] for finding in diagnosis["findings"]}
    return set(expect.get("rules", [])) <= found and not found & set(expect.get("absent", []))


def check_diagnoses(storm: Storm, events: Sequence[StormEvent]) -> int:
    """How many diagnoses found what their source scenario expects (its rules present, its `absent` ones not)."""
    expect = {event.endpoint: event.expect for event in events}
    return sum(_as_expected(diagnosis, expect[diagnosis["alarm"]["endpoint"]]) for diagnosis in storm.sns)


def figures(storm: Storm) -> dict[str, Any]:
    """Wall time, latencies, requests by API and their busiest second, what the engine itself counted."""
    last = max(answer.answered for answer in storm.answers)
    from_arrival = [answer.answered - storm.started for answer in storm.answers]
    invocation = [answer.answered - answer.handed_over for answer in storm.answers]
    by_operation: dict[str, list[float]] = defaultdict(list)
    for request in storm.requests:
        by_operation[request.operation].append(request.at)
    evidence = [r for r in storm.requests if r.operation.split(".", 1)[0] in EVIDENCE_SERVICES]
    missing = Counter(error["evidence"] for diagnosis in storm.sns for error in diagnosis.get("errors") or [])
    return {
        "wall_s": round(last - storm.started, 2),
        "latency_from_arrival_ms": {"p50": percentile_ms(from_arrival, 50), "p95": percentile_ms(from_arrival, 95),
                                    "max": round(max(from_arrival) * 1000, 1)},
        "invocation_ms": {"p50": percentile_ms(invocation, 50), "p95": percentile_ms(invocation, 95),
                          "max": round(max(invocation) * 1000, 1)},
        "aws_requests": len(storm.requests),
        "aws_requests_by_operation": {name: len(times) for name, times in sorted(by_operation.items())},
        "evidence_requests": len(evidence),
        "evidence_requests_throttled": sum(request.throttled for request in evidence),
        "engine_counted_calls": sum(diagnosis["api_calls"]["total"] for diagnosis in storm.sns),
        "peak_requests_per_s": peak_per_second([request.at for request in storm.requests]),
        "peak_requests_per_s_by_operation": {name: peak_per_second(times)
                                             for name, times in sorted(by_operation.items())},
        "diagnoses_missing_evidence": dict(sorted(missing.items())),
    }


def measure(get_metric_data_tps: float = QUOTA_GET_METRIC_DATA_TPS) -> dict[str, Any]:
    """Build the 50 worlds, run the storm, then the storm again under a GetMetricData quota."""
    began = time.perf_counter()
    worlds, events = storm_worlds(STORM_EVENTS)
    result: dict[str, Any] = {
        "events": STORM_EVENTS, "environments": ENVIRONMENTS,
        "source_scenarios": len({world.name.split("@")[0] for world in worlds}),
        "lambda_would_run": f"up to {STORM_EVENTS} environments at once (account concurrency 1,000 by default)"}
    with StandinServer() as server, WebhookReceiver() as webhook:
        env = {**LAMBDA_ENV, "AWS_ENDPOINT_URL": server.endpoint_url,
               **NotificationTargets.handler_env(REGION, ACCOUNT)}
        os.environ.update(env)  # this process's own clients (the targets) reach the stand-in too
        progress(f"storm: loading {STORM_EVENTS} endpoints ({result['source_scenarios']} scenarios) into the stand-in")
        load_worlds(worlds, server.endpoint_url)
        targets = NotificationTargets.create(boto3.Session(), webhook.url, server.endpoint_url)
        result["setup_s"] = round(time.perf_counter() - began, 1)

        progress(f"storm: {STORM_EVENTS} alarms, {ENVIRONMENTS} execution environments (awslambdaric)")
        storm = run_storm(events, env, targets, webhook)
        result["storm"] = {**figures(storm), **check_delivery(storm, events, "storm"),
                           "diagnosed_as_expected": check_diagnoses(storm, events)}
        if result["storm"]["diagnosed_as_expected"] != STORM_EVENTS:
            raise RuntimeError(f"storm: only {result['storm']['diagnosed_as_expected']} of {STORM_EVENTS} diagnoses "
                               "found what their scenario expects")

        progress(f"storm: again with GetMetricData limited to {get_metric_data_tps:g}/s (token bucket)")
        quota_events = [StormEvent(e.number, distinct_event(dict(w.event), f"quota-{e.number:02d}"), e.endpoint,
                                   e.expect) for e, w in zip(events, worlds, strict=True)]
        quota = run_storm(quota_events, env, targets, webhook, get_metric_data_tps=get_metric_data_tps)
        result["quota"] = {"get_metric_data_tps": get_metric_data_tps, **figures(quota),
                           **check_delivery(quota, quota_events, "quota"),
                           "diagnosed_as_expected": check_diagnoses(quota, quota_events)}
    result["stage_s"] = round(time.perf_counter() - began, 1)
    return result


if __name__ == "__main__":
    Path(sys.argv[1]).write_text(json.dumps(measure(*map(float, sys.argv[2:3])), indent=1))

"""The real handler against the local AWS stand-in over loopback: warm diagnosis time, peak memory, end to end.

One moto server (standin.server) holds the biggest scenario's world plus the stack's notification targets
(SNS topic with an SQS subscriber, Slack secret, idempotency table); Slack is a loopback webhook receiver.
Every event is the scenario's own alarm event under a distinct alarm name, so idempotency never answers
from its record: each call diagnoses and notifies.

- warm: the handler imported in this process; first call discarded, then timed calls of `handler()`;
  also per-AWS-operation client-side times and the share spent in the engine's `diagnose`.
- peak RSS: bench/handler_child.py in a fresh interpreter (only the handler in it; the server stays here).
- end to end (the demo's setting and scenarios): the handler under the real Lambda runtime client
  (awslambdaric) fed by the stand-in Runtime API; time from handing over the event to the Slack payload
  arriving (SNS is published before Slack, so by then both notifications are out), and to the answer.

Usage: python bench/loopback.py OUT.json
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
from botocore.client import BaseClient
from common import (
    ACCOUNT,
    BENCH,
    LAMBDA_ENV,
    LAMBDAS,
    PYTHON,
    REGION,
    SCENARIOS,
    biggest_scenario,
    distinct_event,
    median_ms,
    percentile_ms,
    progress,
)

from standin.demo import DEMO_SCENARIOS, NotificationTargets, WebhookReceiver
from standin.runtime_api import FakeLambdaContext, LambdaProcess
from standin.scenario import Scenario, load_scenario
from standin.server import StandinServer, load_setup

WARM_SAMPLES = 40
TYPICAL_SAMPLES = 15
CHILD_EVENTS = 11  # one cold, ten warm
BUDGET_MS = 250
# A plain real-time endpoint, for a second, typical-size warm figure next to the biggest scenario's.
TYPICAL_SCENARIO = SCENARIOS / "scale-none--saturated-cpu-no-autoscaling.json"


class _Stage:
    """The running stand-in and webhook, and the environment the handler gets to reach them."""

    def __init__(self, server: StandinServer, webhook: WebhookReceiver) -> None:
        self.server = server
        self.webhook = webhook
        self.env = {**LAMBDA_ENV, "AWS_ENDPOINT_URL": server.endpoint_url,
                    **NotificationTargets.handler_env(REGION, ACCOUNT)}
        # This process is the stage's own: its clients (targets, the in-process handler) reach the stand-in.
        os.environ.update(self.env)
        self.targets: NotificationTargets | None = None

    def load(self, scenario: Scenario) -> None:
        """Replace the stand-in's state with the scenario's world plus the notification targets."""
        load_setup(scenario, self.server.endpoint_url)
        self.targets = NotificationTargets.create(boto3.Session(), self.webhook.url, self.server.endpoint_url)

    def sns_messages(self) -> int:
        """How many notifications reached the topic's SQS subscriber since the last look."""
        assert self.targets is not None
        count = 0
        while batch := self.targets.messages():
            count += len(batch)
        return count


def _events(scenario: Scenario, tag: str, count: int) -> list[dict[str, Any]]:
    return [distinct_event(dict(scenario.event), f"{tag}-{number}") for number in range(count)]


def _check_delivered(results: list[dict[str, Any]], where: str) -> None:
    """A figure is only worth reporting if every call really diagnosed and notified both sinks."""
    for result in results:
        if sorted(result.get("delivered", [])) != ["slack", "sns"] or result.get("duplicate"):
            raise RuntimeError(f"{where}: the handler did not notify both sinks: {result}")


def peak_rss(stage: _Stage, scenario: Scenario) -> dict[str, Any]:
    """The handler alone in a fresh interpreter: peak RSS, cold init, warm call times."""
    with tempfile.TemporaryDirectory(prefix="bench-child-") as tmp:
        events, out = Path(tmp) / "events.json", Path(tmp) / "out.json"
        events.write_text(json.dumps(_events(scenario, "child", CHILD_EVENTS)))
        env = {**os.environ, "PYTHONPATH": str(LAMBDAS)}  # the stage's environment already is the Lambda's
        # Linux carries ru_maxrss across exec, and a child spawned straight from this process (moto and all,
        # ~250 MB) would report this process's size. A shell that forks the child resets it (a fork starts
        # a fresh count) and is itself only a few MB.
        completed = subprocess.run(["/bin/sh", "-c", '"$@" & wait $!', "launcher",
                                    PYTHON, str(BENCH / "handler_child.py"), str(events), str(out)],
                                   cwd=LAMBDAS, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                   text=True, timeout=180, check=False)
        if completed.returncode != 0:
            raise RuntimeError(f"handler child failed: {completed.stderr.strip()[-2000:]}")
        child = json.loads(out.read_text())
    _check_delivered(child["results"], "handler child")
    warm = child["times_s"][1:]
    return {"peak_rss_mb": child["peak_rss_mb"], "vm_hwm_mb": child["vm_hwm_mb"], "rss_mb_by_phase": child["rss_mb"],
            "init_ms": round(child["init_s"] * 1000, 1), "first_call_ms": round(child["times_s"][0] * 1000, 1),
            "warm_ms_p50_out_of_process": median_ms(warm), "events": len(child["times_s"])}


@contextlib.contextmanager
def _arrivals(webhook: WebhookReceiver) -> Iterator[list[float]]:
    """perf_counter times at which Slack payloads arrive (the receiver runs in this process)."""
    times: list[float] = []
    stop = threading.Event()

    def watch() -> None:
        seen = len(webhook.received)
        while not stop.is_set():
            while len(webhook.received) > seen:
                seen += 1
                times.append(time.perf_counter())
            time.sleep(0.001)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        yield times
    finally:
        stop.set()
        watcher.join()


def _time_to_notification(runtime: LambdaProcess, stage: _Stage, arrivals: list[float], stem: str,
                          event: dict[str, Any], started: float) -> dict[str, float]:
    """Invoke the runtime with one event; ms from `started` to the Slack payload and to the runtime's answer."""
    slack_before = len(arrivals)
    invocation = runtime.invoke(event)
    to_response = time.perf_counter() - started
    if not invocation.ok:
        raise RuntimeError(f"end to end: {stem}: the handler failed under awslambdaric: {invocation.error}")
    _check_delivered([invocation.result], f"end to end: {stem}")
    deadline = time.monotonic() + 5
    while len(arrivals) == slack_before and time.monotonic() < deadline:
        time.sleep(0.001)
    if len(arrivals) == slack_before:
        raise RuntimeError(f"end to end: {stem}: the Slack payload never arrived")
    if stage.sns_messages() != 1:
        raise RuntimeError(f"end to end: {stem}: expected exactly one SNS notification")
    return {"ms_to_notification": round((arrivals[slack_before] - started) * 1000, 1),
            "ms_to_response": round(to_response * 1000, 1)}


def end_to_end(stage: _Stage) -> dict[str, Any]:
    """Alarm event to notification under the real Lambda runtime client, for the demo's scenarios in its order.

    The first event carries the cold start: its clock starts with the runtime process.
    """
    scenarios = {stem: load_scenario(SCENARIOS / f"{stem}.json") for stem, _ in DEMO_SCENARIOS}
    per_scenario: dict[str, dict[str, float]] = {}
    stage.load(next(iter(scenarios.values())))
    with _arrivals(stage.webhook) as arrivals:
        started = time.perf_counter()
        with LambdaProcess("handler.handler", LAMBDAS, stage.env, region=REGION) as runtime:
            for stem, scenario in scenarios.items():
                if per_scenario:
                    stage.load(scenario)
                    started = time.perf_counter()
                per_scenario[stem] = _time_to_notification(runtime, stage, arrivals, stem, dict(scenario.event),
                                                           started)
    first, *rest = per_scenario.values()
    return {"cold_ms_to_notification": first["ms_to_notification"],
            "warm_ms_to_notification_p50": round(statistics.median(r["ms_to_notification"] for r in rest), 1),
            "warm_ms_to_notification_max": max(r["ms_to_notification"] for r in rest),
            "per_scenario": per_scenario,
            "cold_includes": "runtime process start, handler import, first diagnosis, SNS + Slack"}


class _Timings:
    """Wall time of the engine's diagnose and of every AWS operation, gathered during the warm calls."""

    def __init__(self) -> None:
        self.diagnose: list[float] = []
        self.operations: dict[str, list[float]] = defaultdict(list)

    def timed_diagnose(self, diagnose: Callable[[Any], dict]) -> Callable[[Any], dict]:
        def timed(event: Any) -> dict:
            began = time.perf_counter()
            try:
                return diagnose(event)
            finally:
                self.diagnose.append(time.perf_counter() - began)
        return timed

    def timed_api_call(self, make_api_call: Callable[..., Any]) -> Callable[..., Any]:
        def timed(client: BaseClient, operation: str, params: dict) -> Any:
            began = time.perf_counter()
            try:
                return make_api_call(client, operation, params)
            finally:
                name = f"{client.meta.service_model.service_name}.{operation}"
                self.operations[name].append(time.perf_counter() - began)
        return timed

    def reset(self) -> None:
        self.diagnose.clear()
        self.operations.clear()


class _Caller:
    """Calls the in-process handler with a fresh copy of the scenario's event each time."""

    def __init__(self, handler: Any, scenario: Scenario) -> None:
        self.handler = handler
        self.scenario = scenario
        self.count = 0
        self.results: list[dict[str, Any]] = []

    def __call__(self) -> None:
        self.count += 1
        event = distinct_event(dict(self.scenario.event), f"warm-{self.scenario.name}-{self.count}")
        self.results.append(self.handler.handler(event, FakeLambdaContext()))


def warm_in_process(caller: _Caller, samples: int, timings: _Timings) -> dict[str, Any]:
    """Median of `samples` warm handler() calls (after one discarded) on the loaded scenario."""
    times: list[float] = []
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):  # EMF metric lines
        caller()
        timings.reset()
        for _ in range(samples):
            began = time.perf_counter()
            caller()
            times.append(time.perf_counter() - began)
    _check_delivered(caller.results, f"warm calls on {caller.scenario.name}")
    return {"samples": samples, "warm_ms_p50": median_ms(times), "warm_ms_p90": percentile_ms(times, 90),
            "warm_ms_min": round(min(times) * 1000, 1), "diagnose_ms_p50": median_ms(timings.diagnose),
            "aws_operation_ms_p50": {name: median_ms(spent) for name, spent in sorted(timings.operations.items())}}


def profile_warm(caller: _Caller, repeat: int = 10) -> str:
    """pyinstrument's call tree over `repeat` warm calls, trimmed to the frames that matter."""
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005)
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
        profiler.start()
        for _ in range(repeat):
            caller()
        profiler.stop()
    _check_delivered(caller.results, "profiled warm calls")
    text = profiler.output_text(unicode=False, color=False, show_all=False)
    return "\n".join(text.splitlines()[:80])


def _import_handler(timings: _Timings, log_sink: Any) -> Any:
    """The handler module imported here, its logs silenced, diagnose and AWS calls timed."""
    sys.path.insert(0, str(LAMBDAS))
    import handler

    handler.logger.registered_handler.setStream(log_sink)  # type: ignore[attr-defined]  # a StreamHandler
    handler.ENVIRONMENT = dataclasses.replace(
        handler.ENVIRONMENT, diagnose=timings.timed_diagnose(handler.ENVIRONMENT.diagnose))
    BaseClient._make_api_call = timings.timed_api_call(BaseClient._make_api_call)
    return handler


def measure() -> dict[str, Any]:
    """Every loopback figure, the biggest scenario first."""
    path = biggest_scenario()
    scenario = load_scenario(path)
    typical = load_scenario(TYPICAL_SCENARIO)
    result: dict[str, Any] = {"scenario": path.stem}
    with StandinServer() as server, WebhookReceiver() as webhook, open(os.devnull, "w") as log_sink:
        stage = _Stage(server, webhook)
        progress(f"loopback: stand-in on {server.endpoint_url}, loading {path.name}")
        stage.load(scenario)
        progress(f"loopback: peak RSS of a handler process, {CHILD_EVENTS} events")
        result["memory"] = peak_rss(stage, scenario)
        progress(f"loopback: end to end under awslambdaric, the demo's {len(DEMO_SCENARIOS)} scenarios")
        result["end_to_end"] = end_to_end(stage)
        stage.load(scenario)
        progress(f"loopback: warm diagnosis in process, {WARM_SAMPLES} samples")
        timings = _Timings()
        handler = _import_handler(timings, log_sink)
        biggest = _Caller(handler, scenario)
        result["warm"] = warm_in_process(biggest, WARM_SAMPLES, timings)
        if result["warm"]["warm_ms_p50"] > BUDGET_MS:
            progress("loopback: warm budget missed, profiling 10 more calls with pyinstrument")
            result["warm"]["profile"] = profile_warm(biggest)
        progress(f"loopback: warm diagnosis on a typical scenario ({typical.name}), {TYPICAL_SAMPLES} samples")
        stage.load(typical)
        result["warm_typical"] = {"scenario": TYPICAL_SCENARIO.stem,
                                  **warm_in_process(_Caller(handler, typical), TYPICAL_SAMPLES, timings)}
    return result


if __name__ == "__main__":
    Path(sys.argv[1]).write_text(json.dumps(measure(), indent=1))

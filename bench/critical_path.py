"""A warm diagnosis against the physical floor: the stand-in answers each AWS call after a realistic delay.

The stand-in (standin.server, in this process) is wrapped so that each request is answered no sooner than
DELAYS_MS after it arrived (GetMetricData 150 ms, every Describe* 50 ms): what AWS itself would take. The advisor
then cannot be faster than its critical path, the slowest chain of calls that depend on each other, each at its
delay. `ratio` is the warm diagnosis time (event parsing, then `handler.ENVIRONMENT.diagnose`: evidence, rules;
p50) over that floor; whatever is above 1 is ours (client creation, threads, serialization, parsing, rules, or
calls run one after another that need not be).

The critical path is computed from the calls actually made, not from a constant: every AWS call of a diagnosis is
recorded client side (operation, thread, start, end, parameters, response). Call B depends on call A when A ended
before B began and one of B's parameter values (one not already in the alarm event) first appeared in A's response,
e.g. DescribeEndpointConfig's EndpointConfigName from DescribeEndpoint. The floor is the longest chain of
dependent calls, each weighted by its injected delay; the chain is reported with the figure.

Usage: python bench/critical_path.py OUT.json
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore.client import BaseClient
from common import (
    ACCOUNT,
    BENCH,
    LAMBDA_ENV,
    LAMBDAS,
    PYTHON,
    REGION,
    ROOT,
    SCENARIOS,
    distinct_event,
    median_ms,
    progress,
)
from moto.moto_server.werkzeug_app import DomainDispatcherApplication
from storm import _operation

from standin.demo import NotificationTargets
from standin.scenario import load_scenario
from standin.server import StandinServer, load_setup

SCENARIO = SCENARIOS / "scale-none--saturated-cpu-no-autoscaling.json"
SAMPLES = 25
BUDGET_RATIO = 1.15
GET_METRIC_DATA_MS = 150.0
DESCRIBE_MS = 50.0
STANDIN_SWITCH_INTERVAL_S = 0.0001


def delay_ms(operation: str) -> float:
    """What AWS takes to answer `service.Operation` (ours, not measured: see bench/README.md)."""
    name = operation.split(".", 1)[1]
    if name == "GetMetricData":
        return GET_METRIC_DATA_MS
    return DESCRIBE_MS if name.startswith("Describe") else 0.0


@contextmanager
def answered_after_delay(work: list[tuple[str, float]] | None = None) -> Iterator[None]:
    """Every stand-in request answered no sooner than its delay after it arrived (the server's thread waits).

    `work` gets (operation, ms the stand-in itself took): where that exceeds the delay, the stand-in, not the
    advisor, made the answer late, and the ratio overstates the advisor's overhead.
    """
    original = DomainDispatcherApplication.__call__

    def delayed(app: DomainDispatcherApplication, environ: dict[str, Any], start_response: Any) -> Any:
        arrived = time.perf_counter()
        operation = _operation(environ)
        answer = original(app, environ, start_response)
        took = time.perf_counter() - arrived
        if work is not None:
            work.append((operation, took * 1000))  # list.append is atomic
        time.sleep(max(0.0, delay_ms(operation) / 1000 - took))
        return answer

    DomainDispatcherApplication.__call__ = delayed  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        DomainDispatcherApplication.__call__ = original  # type: ignore[method-assign]


@dataclass
class Call:
    operation: str
    thread: int
    began: float
    ended: float
    params: dict[str, Any]
    response: Any


class Recorder:
    """Every AWS call made through botocore in this process, client side."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self._lock = threading.Lock()

    @contextmanager
    def recording(self) -> Iterator[None]:
        original = BaseClient._make_api_call
        recorder = self

        def recorded(client: BaseClient, operation: str, params: dict[str, Any]) -> Any:
            began, response = time.perf_counter(), None
            try:
                response = original(client, operation, params)
                return response
            finally:
                call = Call(f"{client.meta.service_model.service_name}.{operation}", threading.get_ident(),
                            began, time.perf_counter(), params, response)
                with recorder._lock:
                    recorder.calls.append(call)

        BaseClient._make_api_call = recorded
        try:
            yield
        finally:
            BaseClient._make_api_call = original


def _leaves(value: Any) -> set[str]:
    """Every string and number in a JSON-like value, as strings."""
    if isinstance(value, dict):
        return set().union(*(_leaves(v) for v in value.values())) if value else set()
    if isinstance(value, list | tuple):
        return set().union(*(_leaves(v) for v in value)) if value else set()
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return {str(value)}
    return set()


def critical_path(calls: list[Call], event: dict[str, Any]) -> tuple[float, list[str]]:
    """(ms, operations) of the longest chain of dependent calls, each weighted by its injected delay."""
    known = _leaves(event)
    ordered = sorted(calls, key=lambda c: c.began)
    best: list[tuple[float, list[str]]] = []
    for index, call in enumerate(ordered):
        needs = _leaves(call.params) - known
        chain: tuple[float, list[str]] = (0.0, [])
        for before, (ms, names) in zip(ordered[:index], best, strict=False):
            if before.ended <= call.began and needs & _leaves(before.response) and ms > chain[0]:
                chain = (ms, names)
        best.append((chain[0] + delay_ms(call.operation), [*chain[1], call.operation]))
    # Of equally long chains, the one with the most calls (it has the most client-side overhead to add).
    return max(best, default=(0.0, []), key=lambda item: (round(item[0], 6), len(item[1])))


def serve(scenario_path: Path, work_out: Path) -> None:
    """The delayed stand-in holding the scenario's world, until stdin closes: its URL is the one line printed.

    It runs in a process of its own, as AWS would: moto's work on a request (computing GetMetricData, say) then
    cannot hold the advisor's interpreter lock while the advisor's other threads wait for their answers.
    """
    work: list[tuple[str, float]] = []
    # The stand-in's threads share one interpreter lock, which AWS does not have: while one request computes
    # GetMetricData (~70 ms of Python), a DescribeEndpoint waiting on I/O would wait up to the default 5 ms
    # switch interval each time it needs the lock again and answer late. A short interval keeps the stand-in's
    # answers at their delays; the advisor's process runs as in Lambda (handler.py sets its own interval).
    sys.setswitchinterval(STANDIN_SWITCH_INTERVAL_S)
    with StandinServer() as server:
        load_setup(load_scenario(scenario_path), server.endpoint_url)
        with answered_after_delay(work):
            print(server.endpoint_url, flush=True)
            sys.stdin.read()
    work_out.write_text(json.dumps(work))


@contextmanager
def delayed_standin(scenario_path: Path, work: list[tuple[str, float]]) -> Iterator[str]:
    """The URL of a delayed stand-in in a child process (in this one with BENCH_STANDIN_IN_PROCESS=1), stopped on
    exit."""
    if os.environ.get("BENCH_STANDIN_IN_PROCESS") == "1":
        with StandinServer() as server:
            load_setup(load_scenario(scenario_path), server.endpoint_url)
            with answered_after_delay(work):
                yield server.endpoint_url
        return
    work_out = Path(tempfile.mkdtemp(prefix="bench-floor-")) / "work.json"
    command = [PYTHON, str(Path(__file__).resolve()), "--serve", str(scenario_path), str(work_out)]
    env = {**os.environ, "PYTHONPATH": f"{BENCH}:{ROOT}"}
    child = subprocess.Popen(command, cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        url = child.stdout.readline().strip()
        if not url.startswith("http://"):
            raise RuntimeError(f"the delayed stand-in did not start (exit status {child.wait(timeout=30)})")
        yield url
    finally:
        if child.stdin:
            child.stdin.close()
        child.wait(timeout=60)
    if work_out.exists():
        work += [(operation, ms) for operation, ms in json.loads(work_out.read_text())]


def measure() -> dict[str, Any]:
    scenario = load_scenario(SCENARIO)
    work: list[tuple[str, float]] = []
    with delayed_standin(SCENARIO, work) as url:
        os.environ.update({**LAMBDA_ENV, "AWS_ENDPOINT_URL": url, **NotificationTargets.handler_env(REGION, ACCOUNT)})
        sys.path.insert(0, str(LAMBDAS))
        import handler
        from advisor.events import parse_alarm_event

        recorder = Recorder()
        times: list[float] = []
        floors: list[tuple[float, list[str]]] = []
        threads: list[int] = []
        before_calls: list[float] = []
        after_calls: list[float] = []
        overhead: dict[str, list[float]] = {}
        with recorder.recording():
            progress(f"critical path: {SAMPLES} warm diagnoses of {SCENARIO.stem}, AWS answering after "
                     f"{GET_METRIC_DATA_MS:g} / {DESCRIBE_MS:g} ms")
            for number in range(SAMPLES + 2):  # the first two build clients and import the engine
                event = distinct_event(dict(scenario.event), f"floor-{number}")
                recorder.calls.clear()
                began = time.perf_counter()
                handler.ENVIRONMENT.diagnose(parse_alarm_event(event))
                elapsed = time.perf_counter() - began
                if number >= 2:
                    times.append(elapsed)
                    floors.append(critical_path(recorder.calls, event))
                    threads.append(len({c.thread for c in recorder.calls}))
                    last_calls = list(recorder.calls)
                    before_calls.append(min(c.began for c in last_calls) - began)
                    after_calls.append(began + elapsed - max(c.ended for c in last_calls))
                    for c in last_calls:
                        overhead.setdefault(c.operation, []).append(c.ended - c.began - delay_ms(c.operation) / 1000)
        floor_ms, chain = max(floors, key=lambda f: f[0])
        if len({round(f[0], 3) for f in floors}) != 1:
            raise RuntimeError(f"the critical path changed between diagnoses: {sorted(set(f[0] for f in floors))}")
    warm_ms = median_ms(times)
    standin_ms: dict[str, list[float]] = {}
    for operation, ms in work:
        standin_ms.setdefault(operation, []).append(ms)
    start = min(c.began for c in last_calls)
    return {
        "scenario": SCENARIO.stem, "samples": SAMPLES,
        "delays_ms": {"GetMetricData": GET_METRIC_DATA_MS, "Describe*": DESCRIBE_MS},
        "warm_diagnosis_ms_p50": warm_ms, "warm_diagnosis_ms_min": round(min(times) * 1000, 1),
        "critical_path_ms": floor_ms, "critical_path": chain,
        "ratio": round(warm_ms / floor_ms, 3) if floor_ms else None,
        "ratio_min": round(min(times) * 1000 / floor_ms, 3) if floor_ms else None,
        "threads_with_calls": statistics.median(threads),
        # Where the time above the floor goes, p50 ms: before the first call (event parsing, clients, windows),
        # after the last (rules, rendering the result), and each call's client-side time beyond its delay.
        "before_first_call_ms_p50": median_ms(before_calls), "after_last_call_ms_p50": median_ms(after_calls),
        "call_ms_beyond_delay_p50": {op: median_ms(values) for op, values in sorted(overhead.items())},
        # The stand-in's own time per request (first two diagnoses included): over the delay, it made answers late.
        "standin_ms_p50": {op: round(statistics.median(v), 1) for op, v in sorted(standin_ms.items())},
        "standin_answers_later_than_delay": sum(ms > delay_ms(op) for op, ms in work),
        "last_diagnosis_calls_ms": [
            {"operation": c.operation, "start": round((c.began - start) * 1000, 1),
             "end": round((c.ended - start) * 1000, 1)} for c in sorted(last_calls, key=lambda c: c.began)],
    }


if __name__ == "__main__":
    if sys.argv[1] == "--serve":
        serve(Path(sys.argv[2]), Path(sys.argv[3]))
    else:
        Path(sys.argv[1]).write_text(json.dumps(measure(), indent=1))

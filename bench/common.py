"""What every benchmark stage shares: paths, the Lambda's environment, a fake context, child processes."""

from __future__ import annotations

import copy
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
LAMBDAS = ROOT / "lambdas"
SCENARIOS = ROOT / "tests" / "scenarios"
# Absolute: children run with cwd lambdas/, and PATH may hold a relative .venv/bin.
PYTHON = os.path.abspath(sys.executable)
REGION = "us-east-1"
ACCOUNT = "123456789012"
TOOL_PATH = f"{ROOT / '.venv' / 'bin'}:{ROOT / 'node_modules' / '.bin'}"

# The Lambda's environment as the stack sets it (interfaces.md), with fake credentials.
LAMBDA_ENV = {
    "AWS_REGION": REGION, "AWS_DEFAULT_REGION": REGION,
    "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
    "TOPIC_ARN": f"arn:aws:sns:{REGION}:{ACCOUNT}:latency-advisor",
    "SLACK_SECRET_ARN": f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:latency-advisor/slack-webhook-AbCdEf",
    "IDEMPOTENCY_TABLE": "latency-advisor-idempotency",
    "POWERTOOLS_SERVICE_NAME": "latency-advisor", "POWERTOOLS_METRICS_NAMESPACE": "SageMakerLatencyAdvisor",
    "AWS_LAMBDA_FUNCTION_NAME": "latency-advisor",
}


def progress(message: str) -> None:
    """One progress line on stderr, flushed at once (make shows it while the stage runs)."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def clean_env(**overrides: str) -> dict[str, str]:
    """This process's environment minus anything AWS- or Powertools-specific, plus `overrides`."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("AWS_", "POWERTOOLS_", "TOPIC_ARN", "SLACK_SECRET_ARN", "IDEMPOTENCY_TABLE"))}
    return {**env, **overrides}


def lambda_env(**overrides: str) -> dict[str, str]:
    """The environment of a child that imports the handler from lambdas/, as the Lambda would have it."""
    return clean_env(**LAMBDA_ENV, PYTHONPATH=str(LAMBDAS), **overrides)


def dead_endpoint_url() -> str:
    """http://127.0.0.1:PORT where nothing listens (a port just released), so no AWS call can succeed."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def biggest_scenario() -> Path:
    """The largest scenario file in tests/scenarios/ (the most metric datapoints to read and reduce)."""
    return max(SCENARIOS.glob("*.json"), key=lambda path: (path.stat().st_size, path.name))


def distinct_event(event: dict[str, Any], tag: str) -> dict[str, Any]:
    """The same alarm event under another alarm name, so the handler's idempotency sees a new state change.

    Only the alarm's name and ARN change: the endpoint, metric and time (and so the diagnosis) stay the same.
    """
    new = copy.deepcopy(event)
    if "alarmData" in new:
        new["alarmArn"] += f"-{tag}"
        new["alarmData"]["alarmName"] += f"-{tag}"
    elif "detail" in new:
        new["resources"][0] += f"-{tag}"
        new["detail"]["alarmName"] += f"-{tag}"
    else:
        record = new["Records"][0]["Sns"]
        message = json.loads(record["Message"])
        message["AlarmArn"] += f"-{tag}"
        message["AlarmName"] += f"-{tag}"
        record["Message"] = json.dumps(message)
    return new


def median_ms(seconds: Sequence[float]) -> float:
    """Median of durations in seconds, in milliseconds rounded to 0.1."""
    return round(statistics.median(seconds) * 1000, 1)


def percentile_ms(seconds: Sequence[float], q: int) -> float:
    """The q-th percentile (1..99) of durations in seconds, in milliseconds rounded to 0.1."""
    return round(statistics.quantiles(seconds, n=100, method="inclusive")[q - 1] * 1000, 1)


def run_stage(script: str, out: Path, *, env: dict[str, str] | None = None, timeout_s: float = 300) -> dict:
    """Run bench/<script> in its own interpreter (its own moto state and environment); return its JSON result."""
    completed = subprocess.run([PYTHON, str(BENCH / script), str(out)], cwd=ROOT, env=env or clean_env(),
                               stdout=subprocess.DEVNULL, timeout=timeout_s, check=False)
    if completed.returncode != 0:
        raise RuntimeError(f"bench/{script} exited with status {completed.returncode} (its stderr is above)")
    return json.loads(out.read_text())

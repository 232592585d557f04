"""Cold start: import the handler and build its clients, against `import boto3` and the same clients.

Each sample is a fresh `python -c` (cwd lambdas/, the Lambda's environment, AWS_ENDPOINT_URL on a dead
loopback port so nothing is called) timing itself with perf_counter from just before the first import to
just after the last client is built; interpreter start-up is outside both. Handler and baseline samples
alternate, so drift in machine load falls on both.

The handler builds sns, secretsmanager and dynamodb clients at import (lambdas/handler.py) and the
engine's cloudwatch, sagemaker and application-autoscaling clients on first use
(advisor.evidence.advisor_clients); the baseline builds the same six with the same configs.
`check_same_clients` verifies that list against what the handler really builds.
"""

from __future__ import annotations

import re
import subprocess
from collections import defaultdict
from typing import Any

from common import LAMBDAS, PYTHON, REGION, dead_endpoint_url, lambda_env, median_ms, progress

HANDLER_CLIENTS = ("sns", "secretsmanager", "dynamodb")
ENGINE_CLIENTS = ("cloudwatch", "sagemaker", "application-autoscaling")

# Prints: total, import-handler and engine-clients seconds.
HANDLER_SAMPLE = f"""
import time
t0 = time.perf_counter()
import handler
t1 = time.perf_counter()
from advisor.evidence import advisor_clients
advisor_clients(handler.ENVIRONMENT.session, {REGION!r})
t2 = time.perf_counter()
print(t2 - t0, t1 - t0, t2 - t1)
"""

# The same clients with the same botocore configs as lambdas/handler.py and advisor/evidence.py.
BASELINE_SAMPLE = f"""
import time
t0 = time.perf_counter()
import boto3
from botocore.config import Config
session = boto3.Session()
handler_config = Config(connect_timeout=3, read_timeout=10, retries={{"mode": "standard", "max_attempts": 3}})
engine_config = Config(retries={{"mode": "adaptive", "max_attempts": 4}}, connect_timeout=3, read_timeout=10,
                       user_agent_extra="sagemaker-latency-advisor")
clients = [session.client(name, region_name={REGION!r}, config=handler_config) for name in {HANDLER_CLIENTS!r}]
clients += [session.client(name, region_name={REGION!r}, config=engine_config) for name in {ENGINE_CLIENTS!r}]
t1 = time.perf_counter()
print(t1 - t0, t1 - t0, 0.0)
"""

# Untimed: which clients the handler sample really builds.
CLIENTS_BUILT = f"""
import botocore.session
built = []
create = botocore.session.Session.create_client
def recording(self, service_name, *args, **kwargs):
    built.append(service_name)
    return create(self, service_name, *args, **kwargs)
botocore.session.Session.create_client = recording
import handler
from advisor.evidence import advisor_clients
advisor_clients(handler.ENVIRONMENT.session, {REGION!r})
print(" ".join(built))
"""


def _run(code: str, *flags: str) -> subprocess.CompletedProcess[str]:
    env = lambda_env(AWS_ENDPOINT_URL=dead_endpoint_url())
    completed = subprocess.run([PYTHON, *flags, "-c", code], cwd=LAMBDAS, env=env, capture_output=True,
                               text=True, timeout=120, check=False)
    if completed.returncode != 0:
        raise RuntimeError(f"cold-start sample failed: {completed.stderr.strip()[-2000:]}")
    return completed


def _sample(code: str) -> tuple[float, float, float]:
    total, first, second = (float(x) for x in _run(code).stdout.split())
    return total, first, second


def check_same_clients() -> list[str]:
    """The services whose clients the handler builds (import + first use), in order."""
    return _run(CLIENTS_BUILT).stdout.split()


def import_profile(code: str) -> dict[str, float]:
    """Self import time per top-level package (ms), from `python -X importtime`."""
    stderr = _run(code, "-X", "importtime").stderr
    per_package: dict[str, float] = defaultdict(float)
    for line in stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|\s+(\S.*)$", line)
        if match:
            per_package[match.group(3).strip().split(".")[0]] += int(match.group(1)) / 1000
    return dict(per_package)


def import_breakdown() -> dict[str, Any]:
    """Where the handler's start-up goes beyond the baseline's imports: per package, from one -X importtime run.

    The handler module's own line is its body: it builds the sns, secretsmanager and dynamodb clients and
    the Powertools objects at import, work the baseline does outside any import.
    """
    handler = import_profile(HANDLER_SAMPLE)
    baseline = import_profile(BASELINE_SAMPLE)
    extra = {package: round(ms - baseline.get(package, 0.0), 1) for package, ms in handler.items()}
    top = dict(sorted(((p, ms) for p, ms in extra.items() if ms > 1.0), key=lambda item: -item[1])[:12])
    return {"handler_imports_ms": round(sum(handler.values()), 1),
            "baseline_imports_ms": round(sum(baseline.values()), 1),
            "extra_ms_by_package": top}


def measure(samples: int = 21) -> dict[str, Any]:
    """Median cold-start times of handler and baseline, alternated, and their ratio."""
    built = check_same_clients()
    expected = [*HANDLER_CLIENTS, *ENGINE_CLIENTS]
    if sorted(built) != sorted(expected):
        raise RuntimeError(f"the handler builds clients {built}, the baseline {expected}: update bench/cold_start.py")
    handler: list[tuple[float, float, float]] = []
    baseline: list[tuple[float, float, float]] = []
    progress(f"cold start: {samples} handler and {samples} bare-boto3 interpreters, alternating")
    for number in range(samples):
        handler.append(_sample(HANDLER_SAMPLE))
        baseline.append(_sample(BASELINE_SAMPLE))
        if (number + 1) % 7 == 0:
            progress(f"cold start: {number + 1}/{samples} pairs")
    handler_ms = median_ms([s[0] for s in handler])
    baseline_ms = median_ms([s[0] for s in baseline])
    return {"samples_each": samples, "clients": built,
            "handler_ms_p50": handler_ms, "baseline_ms_p50": baseline_ms,
            "handler_import_ms_p50": median_ms([s[1] for s in handler]),
            "handler_engine_clients_ms_p50": median_ms([s[2] for s in handler]),
            "handler_ms_all": [round(s[0] * 1000, 1) for s in handler],
            "baseline_ms_all": [round(s[0] * 1000, 1) for s in baseline],
            "ratio": round(handler_ms / baseline_ms, 3)}


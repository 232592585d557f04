#!/usr/bin/env python3
"""Build the scenario suite: for every rule of SPEC §4 a scenario where it fires and a near miss where it must not.

A scenario is one SageMaker endpoint plus 200 minutes of one-per-minute CloudWatch data before the alarm
time T (the 3 h baseline, the 15 min incident window and a little lead-in), made from a short description
of the endpoint and of its traffic. A near miss reuses its partner's description with the one fact the rule
depends on changed, and every such fact sits far from its threshold so that any faithful reading of the
SPEC gives the same answer. The JSON is not kept in git: the test session builds it at start (tests/conftest.py),
and `make scenarios` builds it for `advisor replay` and the demo, deterministically:

    python tests/scenarios/build.py                       # write tests/scenarios/*.json (only what changed)
    python tests/scenarios/build.py --out DIR NAME...     # write the named scenarios into DIR
    python tests/scenarios/build.py --facts               # print the numbers each rule looks at, per scenario

Alarm names, descriptions and statistics are the stack's own (stacks.config and stacks.alarms), so the events
replayed here are the ones a deployed stack delivers.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
if str(REPO) not in sys.path:  # the stack's own alarm naming, when run as a script
    sys.path.insert(0, str(REPO))

from stacks.config import Config, parse_config  # noqa: E402
from stacks.naming import alarm_description  # noqa: E402
from stacks.naming import alarm_name as stack_alarm_name  # noqa: E402
from stacks.thresholds import AlarmSpec  # noqa: E402

STACK_NAME = "SageMakerLatencyAdvisor"
ACCOUNT = "123456789012"
REGION = "us-east-1"
REGION_NAME = "US East (N. Virginia)"
MINUTE = 60
FIRST_MINUTE = -200 * MINUTE  # datapoints at -12000 .. -60 s: the baseline (-11700 .. -900) and lead-in
INCIDENT_START = -15 * MINUTE
BASELINE_START = INCIDENT_START - 3 * 3600
ROLE = f"arn:aws:iam::{ACCOUNT}:role/service-role/AmazonSageMaker-ExecutionRole-20260301T101500"
BUCKET = f"s3://sagemaker-{REGION}-{ACCOUNT}"
ADVISOR_FUNCTION = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:sagemaker-latency-advisor"
ALARM_TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:sagemaker-latency-alarms"
MAX_FILE_BYTES = 1_500_000

# Images as AWS publishes them (Deep Learning Containers, SageMaker first-party and Neo registries).
DLC = f"763104351884.dkr.ecr.{REGION}.amazonaws.com"
FIRST_PARTY = f"683313688378.dkr.ecr.{REGION}.amazonaws.com"
NEO = f"785573368785.dkr.ecr.{REGION}.amazonaws.com"
PYTORCH_CPU = f"{DLC}/pytorch-inference:2.3.0-cpu-py311-ubuntu20.04-sagemaker"
PYTORCH_GPU = f"{DLC}/pytorch-inference:2.3.0-gpu-py311-cu121-ubuntu20.04-sagemaker"
PYTORCH_NEURONX = f"{DLC}/pytorch-inference-neuronx:2.1.2-neuronx-py310-sdk2.20.2-ubuntu20.04"
PYTORCH_NEO = f"{NEO}/sagemaker-inference-pytorch:1.8-cpu-py3"
TENSORFLOW_CPU = f"{DLC}/tensorflow-inference:2.14.1-cpu"
MXNET_CPU = f"{DLC}/mxnet-inference:1.9.0-cpu-py38"
MXNET_1_8_CPU = f"{DLC}/mxnet-inference:1.8.0-cpu-py37-ubuntu16.04"
PYTORCH_1_13_CPU = f"{DLC}/pytorch-inference:1.13.1-cpu-py39-ubuntu20.04-sagemaker"
HF_PYTORCH_GPU = f"{DLC}/huggingface-pytorch-inference:2.1.0-transformers4.37.0-gpu-py310-cu118-ubuntu20.04"
HF_PYTORCH_CPU = f"{DLC}/huggingface-pytorch-inference:2.1.0-transformers4.37.0-cpu-py310-ubuntu22.04"
TGI = f"{DLC}/huggingface-pytorch-tgi-inference:2.1.1-tgi2.0.0-gpu-py310-cu121-ubuntu22.04"
DJL_LMI = f"{DLC}/djl-inference:0.28.0-lmi10.0.0-cu124"
DJL_LMI_17 = f"{DLC}/djl-inference:0.35.0-lmi17.0.0-cu128"
VLLM_DLC = f"{DLC}/vllm:0.11.0-gpu-py312-cu128-ubuntu22.04-sagemaker"
TRITON = f"{DLC}/sagemaker-tritonserver:24.03-py3"
SKLEARN = f"{FIRST_PARTY}/sagemaker-scikit-learn:1.2-1-cpu-py3"
XGBOOST_GRAVITON = f"{FIRST_PARTY}/sagemaker-xgboost:1.5-1-arm64"

# vCPUs and GPUs per instance (AWS instance specifications); utilisation metrics are per core / per GPU.
INSTANCES: dict[str, tuple[int, int]] = {
    "ml.c5.xlarge": (4, 0), "ml.c5.2xlarge": (8, 0), "ml.m5.xlarge": (4, 0), "ml.m5.2xlarge": (8, 0),
    "ml.c7g.2xlarge": (8, 0), "ml.inf2.xlarge": (4, 0), "ml.g5.xlarge": (4, 1), "ml.g5.2xlarge": (8, 1),
    "ml.g5.12xlarge": (48, 4), "ml.g6.2xlarge": (8, 1), "ml.p4d.24xlarge": (96, 8),
}

# Share of requests at each multiple of the latency centre: p50 = 0.8x, p90 = 1.8x, p99 = 3x, mean = 1.04x.
LATENCY_SHAPE = ((0.6, 0.22), (0.8, 0.30), (1.0, 0.23), (1.3, 0.12), (1.8, 0.09), (3.0, 0.04))


@dataclass(frozen=True)
class Traffic:
    """One minute of an endpoint: request rate, latency centres (ms), utilisation per core/GPU (%), rates (0-1)."""

    rpm: float
    model_ms: float
    overhead_ms: float = 4.0
    cpu: float = 30.0
    gpu: float = 0.0
    gpu_memory: float = 71.0  # per GPU (%)
    memory: float = 40.0
    error_rate: float = 0.0005  # Invocation5XXErrors and InvocationModelErrors
    client_error_rate: float = 0.002  # Invocation4XXErrors
    slowest_ms: float = 0.0  # one request this slow (LLM generations near the 60 s limit)
    cache_hit: float = 1.0  # multi-model: share of requests whose model was loaded
    wait_ms: float = 0.0  # multi-model: ModelLoadingWaitTime of a cache miss
    download_ms: float = 0.0
    load_ms: float = 0.0
    loaded_models: int = 0
    cold_starts: int = 0  # serverless: containers started this minute
    setup_ms: float = 0.0  # serverless: ModelSetupTime of each
    concurrency: float = 0.2  # serverless: peak concurrent executions / MaxConcurrency this minute
    spillover: int = 0  # serverless: requests beyond the provisioned concurrency this minute
    no_capacity: int = 0  # IC: requests this minute that found no instance (NoCapacityInvocationFailures)
    backlog_per_instance: float = 0.0  # async: ApproximateBacklogSizePerInstance
    oldest_age_s: float = 0.0  # async: ApproximateAgeOfOldestRequest


Profile = Callable[[int], Traffic | None]  # minute offset -> traffic, None for a minute without requests


def phases(first: Traffic, *changes: tuple[int, Traffic]) -> Profile:
    """`first` until the first change's offset, then each change's traffic until the next one."""
    def at(minute: int) -> Traffic:
        current = first
        for start, traffic in changes:
            if minute >= start:
                current = traffic
        return current
    return at


def two_phase(baseline: Traffic, incident: Traffic) -> Profile:
    """Baseline traffic, then the incident's from the start of the incident window."""
    return phases(baseline, (INCIDENT_START, incident))


def idle_during(profile: Profile, idle: Callable[[int], bool]) -> Profile:
    """No requests in the minutes where `idle` holds (instance metrics go on)."""
    return lambda minute: None if idle(minute) else profile(minute)


def on_minutes(profile: Profile, minutes: frozenset[int], **changes: Any) -> Profile:
    """The same traffic with `changes` applied in the given minutes only."""
    def at(minute: int) -> Traffic | None:
        traffic = profile(minute)
        return replace(traffic, **changes) if traffic is not None and minute in minutes else traffic
    return at


@dataclass(frozen=True)
class Component:
    """An inference component on an IC endpoint's variant: its model, reservation and copy-count scaling."""

    name: str
    model: str
    image: str
    environment: Mapping[str, str] = field(default_factory=dict)
    accelerators: int = 1  # NumberOfAcceleratorDevicesRequired per copy
    cpu_cores: float = 4.0
    memory_mb: int = 32_768
    copies: int = 1  # CopyCount at creation
    autoscaling: tuple[int, int] | None = None  # (MinCapacity, MaxCapacity) of the copy count
    scaling_policy: bool = True
    scaled: tuple[tuple[int, int], ...] = ()  # (offset, copy count) of UpdateInferenceComponentRuntimeConfig
    scale_to_zero: bool = False  # the stack alarms on NoCapacityInvocationFailures

    @property
    def copies_at_end(self) -> int:
        """The desired copy count at T."""
        return self.scaled[-1][1] if self.scaled else self.copies


@dataclass(frozen=True)
class Endpoint:
    """The endpoint as deployed: one variant, AllTraffic (with `component`, a variant hosting that IC)."""

    name: str
    model: str
    image: str
    instance_type: str | None = None  # None: serverless
    count: int = 1
    memory_mb: int = 0  # serverless MemorySizeInMB
    multi_model: bool = False
    environment: Mapping[str, str] = field(default_factory=dict)
    autoscaling: tuple[int, int] | None = None  # (MinCapacity, MaxCapacity) of the scalable target
    scaling_policy: bool = True  # a target-tracking policy on the scalable target (False: target alone)
    updated_at: int | None = None  # offset of an UpdateEndpoint to the model's next version
    scaled: tuple[tuple[int, int], ...] = ()  # (offset, instance count) of UpdateEndpointWeightsAndCapacities
    deleted: bool = False
    variant: str = "AllTraffic"
    asynchronous: bool = False  # an AsyncInferenceConfig in the endpoint config
    max_concurrency: int = 20  # serverless MaxConcurrency
    provisioned: int | None = None  # serverless ProvisionedConcurrency
    component: Component | None = None  # the alarmed IC on this variant
    managed_scaling: tuple[int, int] | None = None  # ManagedInstanceScaling (Min, MaxInstanceCount), ENABLED
    enhanced: bool = False  # MetricsConfig.EnableEnhancedMetrics: per-instance series (InstanceId) as well
    routing: str | None = None  # RoutingConfig.RoutingStrategy of the variant (None: not set)
    # With enhanced metrics, each instance's weight in the incident window (equal before it; () all equal):
    # `work` shares out the utilisation, `requests` the invocations (each normalised to the variant's average).
    work: tuple[float, ...] = ()
    requests: tuple[float, ...] = ()

    @property
    def kind(self) -> str:
        """The endpoint kind as the stack's config names it."""
        if self.component is not None:
            return "inference-components"
        if self.serverless:
            return "serverless"
        if self.asynchronous:
            return "async"
        return "multi-model" if self.multi_model else "real-time"

    @property
    def vcpus(self) -> int:
        """vCPUs per instance (0 for serverless)."""
        return INSTANCES[self.instance_type][0] if self.instance_type else 0

    @property
    def gpus(self) -> int:
        """GPUs per instance."""
        return INSTANCES[self.instance_type][1] if self.instance_type else 0

    @property
    def serverless(self) -> bool:
        """Whether the variant has a ServerlessConfig instead of instances."""
        return self.instance_type is None


@dataclass(frozen=True)
class Alarm:
    """The alarm whose state change the event reports (p90 over one-minute periods, 3 of 3 to alarm)."""

    metric: str
    threshold_ms: float
    form: str = "lambda"  # lambda | eventbridge | sns
    state: str = "ALARM"
    previous_since_s: int = 2 * 86400 + 7 * 3600  # how long the previous state had lasted
    period_s: int = 60
    evaluation_periods: int = 3


@dataclass(frozen=True)
class Spec:
    """One scenario file: what it shows and what the advisor finds.

    Exact: `rules` must fire, `allowed` may (each with the reason it is right there), nothing else may; `absent`
    names the rules this scenario is the near miss of (it must not fire them, and they are in neither list).
    """

    file: str
    description: str
    endpoint: Endpoint
    traffic: Profile
    alarm: Alarm
    alarm_time: str
    rules: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()
    allowed: tuple[str, ...] = ()
    errors: tuple[str, ...] | None = ()  # evidence the advisor must report missing; None: not checked
    faults: tuple[dict[str, Any], ...] = ()
    resolved_in_alarm_s: int | None = None


# -- metric data --

def dimensions(endpoint: Endpoint, *, variant: bool = True) -> list[dict[str, str]]:
    """EndpointName + VariantName, the dimensions of SageMaker endpoint metrics (async backlog: EndpointName)."""
    named = [{"Name": "EndpointName", "Value": endpoint.name}]
    return [*named, {"Name": "VariantName", "Value": endpoint.variant}] if variant else named


def alarmed_dimensions(endpoint: Endpoint) -> list[dict[str, str]]:
    """The alarmed metric's dimensions: the IC's name for an IC, else the endpoint and variant."""
    if endpoint.component is not None:
        return [{"Name": "InferenceComponentName", "Value": endpoint.component.name}]
    return dimensions(endpoint)


def latency_distribution(centre_ms: float, n: int, rng: random.Random) -> tuple[list[int], list[int]]:
    """Values (µs) and Counts for n requests around centre_ms, in the fixed LATENCY_SHAPE."""
    jitter = rng.uniform(0.95, 1.05)
    if n >= 25:
        exact = [n * share for _, share in LATENCY_SHAPE]
        counts = [math.floor(x) for x in exact]
        for i in sorted(range(len(exact)), key=lambda i: counts[i] - exact[i])[: n - sum(counts)]:
            counts[i] += 1
        factors = [factor for factor, _ in LATENCY_SHAPE]
    else:  # a handful of requests: request i sits at quantile (i + 0.5) / n of the shape
        drawn = [quantile_factor((i + 0.5) / n) for i in range(n)]
        factors = sorted(set(drawn))
        counts = [drawn.count(f) for f in factors]
    pairs = [(round(centre_ms * f * jitter * 1000), c) for f, c in zip(factors, counts, strict=True) if c]
    return [v for v, _ in pairs], [c for _, c in pairs]


def quantile_factor(q: float) -> float:
    """The LATENCY_SHAPE multiple at quantile q."""
    cumulative = 0.0
    for factor, share in LATENCY_SHAPE:
        cumulative += share
        if q <= cumulative:
            return factor
    return LATENCY_SHAPE[-1][0]


def with_extra(values: list[int], counts: list[int], value_ms: float, count: int) -> tuple[list[int], list[int]]:
    """The distribution plus `count` requests at value_ms."""
    extra = round(value_ms * 1000)
    if extra in values:
        counts = [c + count if v == extra else c for v, c in zip(values, counts, strict=True)]
        return values, counts
    return [*values, extra], [*counts, count]


def zero_one(ones: int, n: int) -> dict[str, Any]:
    """A 0/1 metric for n events of which `ones` were 1 (Average = rate), as SageMaker emits errors."""
    values, counts = [0, 1], [n - ones, ones]
    return {"Values": [v for v, c in zip(values, counts, strict=True) if c],
            "Counts": [c for c in counts if c]}


class Carry:
    """Turns fractional per-minute amounts into whole counts whose running total stays exact."""

    def __init__(self) -> None:
        self.owed = 0.0

    def take(self, amount: float) -> int:
        """This minute's whole count for `amount`, carrying the fraction over."""
        self.owed += amount
        whole = int(self.owed + 1e-9)
        self.owed -= whole
        return whole


def metric_series(endpoint: Endpoint, profile: Profile, seed: str) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """(namespace, metric) -> datums, one per minute from FIRST_MINUTE to T-60 s, as the endpoint emits them."""
    rng = random.Random(seed)
    series: dict[tuple[str, str], list[dict[str, Any]]] = {}
    errors, models, clients, misses = Carry(), Carry(), Carry(), Carry()
    instance_backed = not endpoint.serverless

    component = endpoint.component

    def put(namespace: str, metric: str, unit: str, minute: int, *, variant: bool = True,
            dims: list[dict[str, str]] | None = None, **value: Any) -> None:
        # An IC's invocation metrics are published per IC (aws-metrics-facts §6), its host's per variant; `dims`
        # names a per-instance or per-copy series (enhanced metrics).
        if dims is None:
            dims = (alarmed_dimensions(endpoint) if component is not None and namespace != "/aws/sagemaker/Endpoints"
                    else dimensions(endpoint, variant=variant))
        series.setdefault((namespace, metric), []).append(
            {"MetricName": metric, "Dimensions": dims, "Unit": unit, "Timestamp": minute, **value})

    def put_per_instance(minute: int, shape: Traffic, wobble: float, n: int | None) -> None:
        # enhanced metrics: the same metrics with an InstanceId (aws-metrics-facts §7), from the instance weights
        incident = minute >= INCIDENT_START
        for i in range(endpoint.count):
            named = [*dimensions(endpoint)[:1], {"Name": "InstanceId", "Value": instance_id(endpoint, i)},
                     dimensions(endpoint)[1]]
            work = share(endpoint.work, endpoint.count, i, incident) * endpoint.count
            for metric, level, units in (("CPUUtilization", shape.cpu, endpoint.vcpus),
                                         ("GPUUtilization", shape.gpu, endpoint.gpus)):
                if units:
                    put("/aws/sagemaker/Endpoints", metric, "Percent", minute, dims=named,
                        Value=round(min(100.0, level * work * wobble * rng.uniform(0.97, 1.03)) * units, 2))
            if n is not None:
                put("AWS/SageMaker", "Invocations", "None", minute, dims=named,
                    Value=round(n * share(endpoint.requests, endpoint.count, i, incident)))

    for minute in range(FIRST_MINUTE, 0, MINUTE):
        traffic = profile(minute)
        shape = traffic or profile_at_rest(profile, minute)
        wobble = 1 + 0.05 * math.sin(2 * math.pi * minute / 10800)  # slow swell over the 3 h baseline
        if endpoint.enhanced and traffic is None and component is None:
            put_per_instance(minute, shape, wobble, None)
        if instance_backed:
            put("/aws/sagemaker/Endpoints", "CPUUtilization", "Percent", minute,
                Value=round(min(100.0, shape.cpu * wobble * rng.uniform(0.96, 1.04)) * endpoint.vcpus, 2))
            put("/aws/sagemaker/Endpoints", "MemoryUtilization", "Percent", minute,
                Value=round(shape.memory * rng.uniform(0.99, 1.01), 2))
            put("/aws/sagemaker/Endpoints", "DiskUtilization", "Percent", minute,
                Value=round(14.0 + rng.uniform(-0.2, 0.2), 2))
            if endpoint.gpus:
                put("/aws/sagemaker/Endpoints", "GPUUtilization", "Percent", minute,
                    Value=round(min(100.0, shape.gpu * wobble * rng.uniform(0.96, 1.04)) * endpoint.gpus, 2))
                put("/aws/sagemaker/Endpoints", "GPUMemoryUtilization", "Percent", minute,
                    Value=round(shape.gpu_memory * rng.uniform(0.99, 1.01) * endpoint.gpus, 2))
        if component is not None:  # per copy, against the copy's reservation
            for metric, value in (("CPUUtilizationNormalized", shape.cpu), ("GPUUtilizationNormalized", shape.gpu),
                                  ("GPUMemoryUtilizationNormalized", shape.gpu_memory),
                                  ("MemoryUtilizationNormalized", shape.memory)):
                put("/aws/sagemaker/InferenceComponents", metric, "Percent", minute,
                    Value=round(min(100.0, value * rng.uniform(0.98, 1.02)), 2))
        if endpoint.multi_model:  # per instance, in the instance namespace
            put("/aws/sagemaker/Endpoints", "LoadedModelCount", "None", minute, Value=shape.loaded_models)
        if endpoint.asynchronous:  # the queue is measured whether or not requests finish this minute
            put("AWS/SageMaker", "ApproximateBacklogSizePerInstance", "Count", minute, variant=False,
                Value=round(shape.backlog_per_instance, 2))
            put("AWS/SageMaker", "ApproximateAgeOfOldestRequest", "Seconds", minute, variant=False,
                Value=round(shape.oldest_age_s, 1))
        if traffic is None:
            continue
        n = max(1, round(traffic.rpm * wobble * rng.uniform(0.96, 1.04)))
        model = latency_distribution(traffic.model_ms, n, rng)
        if traffic.slowest_ms:
            model = with_extra(*model, traffic.slowest_ms, 1)
        put("AWS/SageMaker", "ModelLatency", "Microseconds", minute, Values=model[0], Counts=model[1])
        failed = errors.take(n * traffic.error_rate)
        rejected = clients.take(n * traffic.client_error_rate)
        put("AWS/SageMaker", "Invocation4XXErrors", "None", minute, **zero_one(rejected, n))
        put("AWS/SageMaker", "Invocation5XXErrors", "None", minute, **zero_one(failed, n))
        if endpoint.asynchronous:  # no OverheadLatency, Invocations or InvocationsPerInstance for async
            waited = latency_distribution(max(1.0, traffic.oldest_age_s * 500), n, rng)
            put("AWS/SageMaker", "TimeInBacklog", "Microseconds", minute, Values=waited[0], Counts=waited[1])
            continue
        overhead = latency_distribution(traffic.overhead_ms, n, rng)
        if traffic.cold_starts:  # requests that waited for a new container carry its setup time as overhead
            overhead = with_extra(*overhead, traffic.setup_ms * rng.uniform(0.9, 1.1), traffic.cold_starts)
        put("AWS/SageMaker", "OverheadLatency", "Microseconds", minute, Values=overhead[0], Counts=overhead[1])
        put("AWS/SageMaker", "Invocations", "None", minute, Value=n)
        if endpoint.enhanced and component is None:
            put_per_instance(minute, shape, wobble, n)
        if component is not None:
            # copies that fit on the instances serve; the rest wait unplaced
            room = (endpoint.gpus * endpoint.count // component.accelerators if component.accelerators
                    else int(endpoint.vcpus * endpoint.count // component.cpu_cores))
            copies = max(1, min(copies_at(component, minute), room))
            put("AWS/SageMaker", "InvocationsPerCopy", "None", minute, Value=round(n / copies, 2))
            if endpoint.enhanced:  # per copy: ContainerId and its InstanceId (copies placed round-robin)
                for j in range(copies):
                    named = [{"Name": "ContainerId", "Value": f"{component.name}-container-{j}"},
                             *dimensions(endpoint)[:1], {"Name": "InferenceComponentName", "Value": component.name},
                             {"Name": "InstanceId", "Value": instance_id(endpoint, j % endpoint.count)},
                             dimensions(endpoint)[1]]
                    weights = endpoint.requests if len(endpoint.requests) == copies else ()
                    put("AWS/SageMaker", "Invocations", "None", minute, dims=named,
                        Value=round(n * share(weights, copies, j, minute >= INCIDENT_START)))
            # Little's law: requests in flight = arrival rate x time in the model, shared by the copies
            in_flight = n / 60 * traffic.model_ms / 1000 / copies
            put("AWS/SageMaker", "ConcurrentRequestsPerCopy", "None", minute,
                Value=round(in_flight * rng.uniform(1.1, 1.3), 1))
            put("AWS/SageMaker", "InvocationModelErrors", "None", minute,
                **zero_one(models.take(n * traffic.error_rate), n))
            if component.scale_to_zero:
                put("AWS/SageMaker", "NoCapacityInvocationFailures", "None", minute, Value=traffic.no_capacity)
        elif instance_backed:
            put("AWS/SageMaker", "InvocationsPerInstance", "None", minute, Value=round(n / endpoint.count, 2))
            # real-time and multi-model only: the serverless and async metric lists have no InvocationModelErrors
            put("AWS/SageMaker", "InvocationModelErrors", "None", minute,
                **zero_one(models.take(n * traffic.error_rate), n))
        else:
            put("AWS/SageMaker", "ServerlessConcurrentExecutionsUtilization", "None", minute,
                Value=round(min(1.0, traffic.concurrency * rng.uniform(0.95, 1.05)), 3))
            if endpoint.provisioned:
                put("AWS/SageMaker", "ServerlessProvisionedConcurrencySpilloverInvocations", "Count", minute,
                    Value=traffic.spillover)
        if endpoint.multi_model:
            missed = misses.take(n * (1 - traffic.cache_hit))
            put("AWS/SageMaker", "ModelCacheHit", "None", minute, **zero_one(n - missed, n))
            if missed:
                loads = max(1, round(missed * 0.8))  # requests for a model already being loaded share the load
                for metric, centre, count in (("ModelLoadingWaitTime", traffic.wait_ms, missed),
                                              ("ModelDownloadingTime", traffic.download_ms, loads),
                                              ("ModelLoadingTime", traffic.load_ms, loads)):
                    values, counts = latency_distribution(centre, count, rng)
                    put("AWS/SageMaker", metric, "Microseconds", minute, Values=values, Counts=counts)
        if traffic.cold_starts and endpoint.serverless:
            values, counts = latency_distribution(traffic.setup_ms, traffic.cold_starts, rng)
            put("AWS/SageMaker", "ModelSetupTime", "Microseconds", minute, Values=values, Counts=counts)
        if endpoint.serverless:
            put("/aws/sagemaker/Endpoints", "MemoryUtilization", "Percent", minute,
                Value=round(traffic.memory * rng.uniform(0.98, 1.02), 2))
    return series


def instance_id(endpoint: Endpoint, index: int) -> str:
    """A stable instance id for the i-th instance of an endpoint's variant (the InstanceId dimension's value)."""
    return f"i-0{uuid.uuid5(uuid.NAMESPACE_DNS, f'{endpoint.name}/{index}').hex[:16]}"


def share(weights: tuple[float, ...], count: int, index: int, incident: bool) -> float:
    """The i-th of `count` instances' share of the variant's work: equal outside the incident or without weights."""
    return weights[index] / sum(weights) if incident and weights else 1 / count


def copies_at(component: Component, minute: int) -> int:
    """The IC's desired copy count at a minute offset."""
    copies = component.copies
    for offset, count in component.scaled:
        if minute >= offset:
            copies = count
    return copies


def profile_at_rest(profile: Profile, minute: int) -> Traffic:
    """Instance metrics of an idle minute: the nearest busy minute's state with the CPU/GPU mostly idle."""
    for offset in range(MINUTE, 4 * 3600, MINUTE):
        for neighbour in (minute - offset, minute + offset):
            traffic = profile(neighbour)
            if traffic is not None:
                return replace(traffic, cpu=min(traffic.cpu, 3.0), gpu=min(traffic.gpu, 1.0))
    raise ValueError("a profile needs at least one busy minute")


def nearest_rank(values: list[int], counts: list[int], q: float) -> float:
    """The q-quantile of a Values/Counts distribution by nearest rank, as the stand-in computes percentiles."""
    rank = math.ceil(q * sum(counts))
    for value, count in sorted(zip(values, counts, strict=True)):
        rank -= count
        if rank <= 0:
            return float(value)
    return float(max(values))


# -- events (SPEC §3): the three forms, with the shapes AWS documents --

def iso_ms(moment: datetime) -> str:
    """CloudWatch's timestamp format in alarm payloads: 2026-11-20T14:00:00.000+0000."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def stack_config(endpoint: Endpoint, alarm: Alarm) -> tuple[Config, Any, AlarmSpec]:
    """The stack's config for this endpoint, with the alarm's threshold and period: (config, endpoint, spec)."""
    override = {"ms": alarm.threshold_ms, "period_s": alarm.period_s, "evaluation_periods": alarm.evaluation_periods,
                "datapoints": alarm.evaluation_periods}
    entry: dict[str, Any] = {"name": endpoint.name, "variant": endpoint.variant, "kind": endpoint.kind}
    if endpoint.component is not None:
        entry["inference_components"] = [{"name": endpoint.component.name, "thresholds": {alarm.metric: override},
                                          "scale_to_zero": endpoint.component.scale_to_zero}]
    else:
        entry["thresholds"] = {alarm.metric: override}
    config = parse_config({"stack_name": STACK_NAME, "endpoints": [entry]}, "scenario")
    watched = config.endpoints[0]
    alarms = watched.components[0].alarms if watched.components else watched.alarms
    spec = next(spec for spec in alarms if spec.metric == alarm.metric)
    return config, watched, spec


def stack_component(watched: Any) -> Any:
    """The config's IC of an IC endpoint (None for other kinds): alarm names and descriptions name it."""
    return watched.components[0] if watched.components else None


def alarm_name(endpoint: Endpoint, alarm: Alarm) -> str:
    """The alarm name the stack gives this metric of this endpoint: <stack>/<endpoint>/<variant>/[<ic>/]<metric>."""
    config, watched, spec = stack_config(endpoint, alarm)
    return stack_alarm_name(config, watched, spec, stack_component(watched))


def alarm_stat(endpoint: Endpoint, alarm: Alarm) -> str:
    """The statistic the stack's alarm on this metric uses (p90 where AWS documents percentiles, else Average)."""
    return stack_config(endpoint, alarm)[2].stat


def statistic(values: list[int], counts: list[int], stat: str) -> float:
    """One period's value of the alarm's statistic over a Values/Counts datum, as CloudWatch computes it."""
    if stat.startswith("p"):
        return nearest_rank(values, counts, float(stat[1:]) / 100)
    if stat == "Average":
        return sum(v * c for v, c in zip(values, counts, strict=True)) / sum(counts)
    raise ValueError(f"the scenario builder computes p-percentiles and Average, not {stat}")


def evaluated_datapoints(spec: Spec, series: Mapping[tuple[str, str], list[dict[str, Any]]],
                         t: datetime) -> list[tuple[datetime, float]]:
    """The alarm's last evaluation: its statistic (µs) over the most recent periods with data, newest first."""
    stat = alarm_stat(spec.endpoint, spec.alarm)
    datums = series[("AWS/SageMaker", spec.alarm.metric)][-spec.alarm.evaluation_periods:]
    return [(t + timedelta(seconds=d["Timestamp"]), statistic(d["Values"], d["Counts"], stat))
            for d in reversed(datums)]


def state_reason(spec: Spec, points: list[tuple[datetime, float]]) -> str:
    """CloudWatch's human-readable reason for the transition, quoting the evaluated datapoints."""
    n = spec.alarm.evaluation_periods
    shown = ", ".join(f"{value:.1f} ({moment:%d/%m/%y %H:%M:%S})" for moment, value in points)
    verb, transition = ("were greater", "OK -> ALARM") if spec.alarm.state == "ALARM" else \
        ("were not greater", "ALARM -> OK")
    return (f"Threshold Crossed: {n} out of the last {n} datapoints [{shown}] {verb} than the threshold "
            f"({spec.alarm.threshold_ms * 1000:.1f}) (minimum {n} datapoints for {transition} transition).")


def reason_data(spec: Spec, points: list[tuple[datetime, float]], t: datetime) -> str:
    """CloudWatch's machine-readable reasonData (a JSON string) for the transition."""
    return json.dumps({
        "version": "1.0", "queryDate": iso_ms(t), "startDate": iso_ms(points[-1][0]),
        "period": spec.alarm.period_s, "recentDatapoints": [round(v, 1) for _, v in reversed(points)],
        "threshold": float(spec.alarm.threshold_ms * 1000),
        "evaluatedDatapoints": [{"timestamp": iso_ms(m), "value": round(v, 1)} for m, v in points],
    }, separators=(",", ":"))


def build_event(spec: Spec, series: Mapping[tuple[str, str], list[dict[str, Any]]]) -> dict[str, Any]:
    """The alarm's state change as delivered in the spec's form: Lambda action, EventBridge or SNS."""
    endpoint, alarm = spec.endpoint, spec.alarm
    t = parse_time(spec.alarm_time)
    config, watched, alarm_spec = stack_config(endpoint, alarm)
    name = stack_alarm_name(config, watched, alarm_spec, stack_component(watched))
    stat = alarm_spec.stat
    arn = f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{name}"
    points = evaluated_datapoints(spec, series, t)
    previous = "OK" if alarm.state == "ALARM" else "ALARM"
    since = t - timedelta(seconds=alarm.previous_since_s)
    description = alarm_description(config, watched, alarm_spec, stack_component(watched))
    statistic_fields = ({"StatisticType": "ExtendedStatistic", "ExtendedStatistic": stat} if stat.startswith("p")
                        else {"StatisticType": "Statistic", "Statistic": stat.upper()})
    ids = uuid.uuid5(uuid.NAMESPACE_URL, spec.file)
    if alarm.form == "sns":
        message = {
            "AlarmName": name, "AlarmDescription": description, "AWSAccountId": ACCOUNT,
            "AlarmConfigurationUpdatedTimestamp": iso_ms(t - timedelta(days=41, seconds=1234.567)),
            "NewStateValue": alarm.state, "NewStateReason": state_reason(spec, points),
            "StateChangeTime": iso_ms(t), "Region": REGION_NAME, "AlarmArn": arn, "OldStateValue": previous,
            "OKActions": [ALARM_TOPIC], "AlarmActions": [ALARM_TOPIC], "InsufficientDataActions": [],
            "Trigger": {
                "MetricName": alarm.metric, "Namespace": "AWS/SageMaker", **statistic_fields, "Unit": None,
                "Dimensions": [{"value": d["Value"], "name": d["Name"]} for d in alarmed_dimensions(endpoint)],
                "Period": alarm.period_s, "EvaluationPeriods": alarm.evaluation_periods,
                "ComparisonOperator": "GreaterThanThreshold", "Threshold": float(alarm.threshold_ms * 1000),
                "TreatMissingData": "notBreaching", "EvaluateLowSampleCountPercentile": "",
            },
        }
        subscription = f"{ALARM_TOPIC}:{uuid.uuid5(ids, 'subscription')}"
        return {"Records": [{
            "EventSource": "aws:sns", "EventVersion": "1.0", "EventSubscriptionArn": subscription,
            "Sns": {
                "Type": "Notification", "MessageId": str(ids), "TopicArn": ALARM_TOPIC,
                "Subject": f'{alarm.state}: "{name}" in {REGION_NAME}'[:100],
                "Message": json.dumps(message, separators=(",", ":")),
                "Timestamp": (t + timedelta(milliseconds=412)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
                "SignatureVersion": "1",
                "Signature": "EXAMPLEpH+DcEwjAPg8O9mY8dReBSwksfg2S7WKQcikcNKWLQjwu6A4VbeS0QHVCkhRS7fUQvi2egU3N858fiTDN6"
                             "bkkOxYDVrY0Ad8L10Hs3zH81mtnPk5uvvolIC1CXGu43obcgFxeL3khZl8IKvO61GWB6jI9b5+gLPoBc1Q=",
                "SigningCertUrl": f"https://sns.{REGION}.amazonaws.com/"
                                  "SimpleNotificationService-9c6465fa7f48f5cacd23014631ec1136.pem",
                "UnsubscribeUrl": f"https://sns.{REGION}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn="
                                  f"{subscription}",
                "MessageAttributes": {},
            },
        }]}
    body = {
        "alarmName": name,
        "state": {"value": alarm.state, "reason": state_reason(spec, points),
                  "reasonData": reason_data(spec, points, t), "timestamp": iso_ms(t)},
        "previousState": {"value": previous, "reason": "Threshold Crossed", "timestamp": iso_ms(since)},
        "configuration": {"description": description, "metrics": [{
            "id": str(uuid.uuid5(ids, "metric")),
            "metricStat": {"metric": {"namespace": "AWS/SageMaker", "name": alarm.metric,
                                      "dimensions": {d["Name"]: d["Value"] for d in alarmed_dimensions(endpoint)}},
                           "period": alarm.period_s, "stat": stat},
            "returnData": True}]},
    }
    if alarm.form == "eventbridge":
        return {"version": "0", "id": str(ids), "detail-type": "CloudWatch Alarm State Change",
                "source": "aws.cloudwatch", "account": ACCOUNT, "time": t.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "region": REGION, "resources": [arn], "detail": body}
    return {"source": "aws.cloudwatch", "alarmArn": arn, "accountId": ACCOUNT, "time": iso_ms(t),
            "region": REGION, "alarmData": body}


def parse_time(text: str) -> datetime:
    """A spec's alarm time (naive ISO, UTC) as an aware datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# -- the world: the boto3 calls that build it (SPEC §6) --

def model_calls(endpoint: Endpoint, version: int, at: int | None) -> Iterator[dict[str, Any]]:
    """CreateModel and CreateEndpointConfig for one version of the endpoint's model."""
    model = f"{endpoint.model}-v{version}"
    container: dict[str, Any] = {"Image": endpoint.image}
    if endpoint.multi_model:
        container |= {"Mode": "MultiModel", "ModelDataUrl": f"{BUCKET}/{endpoint.name}/models/"}
    else:
        container["ModelDataUrl"] = f"{BUCKET}/{endpoint.name}/v{version}/model.tar.gz"
    if endpoint.environment:
        container["Environment"] = dict(endpoint.environment)
    variant: dict[str, Any] = {"VariantName": endpoint.variant, "ModelName": model}
    if endpoint.serverless:
        variant["ServerlessConfig"] = {"MemorySizeInMB": endpoint.memory_mb, "MaxConcurrency": endpoint.max_concurrency}
        if endpoint.provisioned:
            variant["ServerlessConfig"]["ProvisionedConcurrency"] = endpoint.provisioned
    else:
        variant |= {"InstanceType": endpoint.instance_type, "InitialInstanceCount": endpoint.count,
                    "InitialVariantWeight": 1.0}
        if endpoint.routing:
            variant["RoutingConfig"] = {"RoutingStrategy": endpoint.routing}
    config: dict[str, Any] = {"EndpointConfigName": f"{endpoint.name}-config-v{version}", "ProductionVariants": [variant]}
    if endpoint.enhanced:
        config["MetricsConfig"] = {"EnableEnhancedMetrics": True}
    if endpoint.asynchronous:
        config["AsyncInferenceConfig"] = {"OutputConfig": {"S3OutputPath": f"{BUCKET}/{endpoint.name}/async-out/"},
                                          "ClientConfig": {"MaxConcurrentInvocationsPerInstance": 4}}
    timing = {} if at is None else {"at": at}
    yield {"service": "sagemaker", "operation": "CreateModel", **timing,
           "params": {"ModelName": model, "PrimaryContainer": container, "ExecutionRoleArn": ROLE}}
    yield {"service": "sagemaker", "operation": "CreateEndpointConfig", **timing, "params": config}


def component_host_calls(endpoint: Endpoint) -> Iterator[dict[str, Any]]:
    """CreateModel for the IC's model and the IC host's endpoint config: a variant with instances, no model."""
    component = endpoint.component
    assert component is not None
    container: dict[str, Any] = {"Image": component.image,
                                 "ModelDataUrl": f"{BUCKET}/{component.name}/v1/model.tar.gz"}
    if component.environment:
        container["Environment"] = dict(component.environment)
    yield {"service": "sagemaker", "operation": "CreateModel",
           "params": {"ModelName": component.model, "PrimaryContainer": container, "ExecutionRoleArn": ROLE}}
    variant: dict[str, Any] = {"VariantName": endpoint.variant, "InstanceType": endpoint.instance_type,
                               "InitialInstanceCount": endpoint.count,
                               "RoutingConfig": {"RoutingStrategy": endpoint.routing or "LEAST_OUTSTANDING_REQUESTS"}}
    if endpoint.managed_scaling is not None:
        low, high = endpoint.managed_scaling
        variant["ManagedInstanceScaling"] = {"Status": "ENABLED", "MinInstanceCount": low, "MaxInstanceCount": high}
    metrics = {"MetricsConfig": {"EnableEnhancedMetrics": True}} if endpoint.enhanced else {}
    yield {"service": "sagemaker", "operation": "CreateEndpointConfig", "params": {
        "EndpointConfigName": f"{endpoint.name}-config-v1", "ExecutionRoleArn": ROLE, "ProductionVariants": [variant],
        **metrics}}


def component_calls(endpoint: Endpoint, component: Component) -> Iterator[dict[str, Any]]:
    """CreateInferenceComponent, its copy-count scaling, and the copy-count changes that scaling made."""
    yield {"service": "sagemaker", "operation": "CreateInferenceComponent", "at": -20 * 86400, "params": {
        "InferenceComponentName": component.name, "EndpointName": endpoint.name, "VariantName": endpoint.variant,
        "Specification": {"ModelName": component.model, "ComputeResourceRequirements": {
            # a CPU-only copy reserves no accelerators (the API's minimum is 1 when the field is given)
            **({"NumberOfAcceleratorDevicesRequired": component.accelerators} if component.accelerators else {}),
            "NumberOfCpuCoresRequired": component.cpu_cores, "MinMemoryRequiredInMb": component.memory_mb}},
        "RuntimeConfig": {"CopyCount": component.copies}}}
    if component.autoscaling:
        target = {"ServiceNamespace": "sagemaker", "ResourceId": f"inference-component/{component.name}",
                  "ScalableDimension": "sagemaker:inference-component:DesiredCopyCount"}
        low, high = component.autoscaling
        yield {"service": "application-autoscaling", "operation": "RegisterScalableTarget",
               "params": {**target, "MinCapacity": low, "MaxCapacity": high}}
        if component.scaling_policy:
            yield {"service": "application-autoscaling", "operation": "PutScalingPolicy", "params": {
                **target, "PolicyName": f"{component.name}-concurrency-per-copy", "PolicyType": "TargetTrackingScaling",
                "TargetTrackingScalingPolicyConfiguration": {
                    "TargetValue": 4.0, "ScaleInCooldown": 300, "ScaleOutCooldown": 60,
                    "PredefinedMetricSpecification": {"PredefinedMetricType":
                                                      "SageMakerInferenceComponentConcurrentRequestsPerCopyHighResolution"},
                }}}
    for offset, copies in component.scaled:
        yield {"service": "sagemaker", "operation": "UpdateInferenceComponentRuntimeConfig", "at": offset,
               "params": {"InferenceComponentName": component.name, "DesiredRuntimeConfig": {"CopyCount": copies}}}


def setup_calls(spec: Spec, series: Mapping[tuple[str, str], list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Models, configs, endpoint, autoscaling, the alarm and its metric data, in the order AWS would see them."""
    endpoint, alarm = spec.endpoint, spec.alarm
    calls = list(model_calls(endpoint, 1, None) if endpoint.component is None else component_host_calls(endpoint))
    calls.append({"service": "sagemaker", "operation": "CreateEndpoint", "at": -30 * 86400,
                  "params": {"EndpointName": endpoint.name, "EndpointConfigName": f"{endpoint.name}-config-v1"}})
    if endpoint.component is not None:
        calls += component_calls(endpoint, endpoint.component)
    if endpoint.updated_at is not None:
        calls += model_calls(endpoint, 2, endpoint.updated_at - 600)
        calls.append({"service": "sagemaker", "operation": "UpdateEndpoint", "at": endpoint.updated_at,
                      "params": {"EndpointName": endpoint.name, "EndpointConfigName": f"{endpoint.name}-config-v2"}})
    if endpoint.autoscaling:
        target = {"ServiceNamespace": "sagemaker", "ResourceId": f"endpoint/{endpoint.name}/variant/{endpoint.variant}",
                  "ScalableDimension": "sagemaker:variant:DesiredInstanceCount"}
        low, high = endpoint.autoscaling
        calls.append({"service": "application-autoscaling", "operation": "RegisterScalableTarget",
                      "params": {**target, "MinCapacity": low, "MaxCapacity": high}})
        if endpoint.scaling_policy:
            calls.append({"service": "application-autoscaling", "operation": "PutScalingPolicy", "params": {
                **target, "PolicyName": f"{endpoint.name}-invocations-per-instance",
                "PolicyType": "TargetTrackingScaling",
                "TargetTrackingScalingPolicyConfiguration": {
                    "TargetValue": 1000.0, "ScaleInCooldown": 600, "ScaleOutCooldown": 120,
                    "PredefinedMetricSpecification": {"PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"},
                }}})
    for offset, count in endpoint.scaled:  # what the target-tracking policy did (the stand-in records the activity)
        calls.append({"service": "sagemaker", "operation": "UpdateEndpointWeightsAndCapacities", "at": offset,
                      "params": {"EndpointName": endpoint.name, "DesiredWeightsAndCapacities": [
                          {"VariantName": endpoint.variant, "DesiredInstanceCount": count}]}})
    config, watched, alarm_spec = stack_config(endpoint, alarm)
    component = stack_component(watched)
    stat = {"ExtendedStatistic": alarm_spec.stat} if alarm_spec.stat.startswith("p") else {"Statistic": alarm_spec.stat}
    actions = {"lambda": [ADVISOR_FUNCTION], "sns": [ALARM_TOPIC], "eventbridge": []}[alarm.form]
    calls.append({"service": "cloudwatch", "operation": "PutMetricAlarm", "params": {
        "AlarmName": stack_alarm_name(config, watched, alarm_spec, component),
        "AlarmDescription": alarm_description(config, watched, alarm_spec, component),
        "ActionsEnabled": True, "OKActions": actions, "AlarmActions": actions,
        "MetricName": alarm.metric, "Namespace": "AWS/SageMaker", **stat,
        "Dimensions": alarmed_dimensions(endpoint), "Period": alarm.period_s, "EvaluationPeriods": alarm.evaluation_periods,
        "DatapointsToAlarm": alarm.evaluation_periods, "Threshold": float(alarm.threshold_ms * 1000),
        "ComparisonOperator": "GreaterThanThreshold", "TreatMissingData": "notBreaching"}})
    for (namespace, _), datums in series.items():
        calls.append({"service": "cloudwatch", "operation": "PutMetricData",
                      "params": {"Namespace": namespace, "MetricData": datums}})
    if endpoint.deleted:
        calls.append({"service": "sagemaker", "operation": "DeleteEndpoint", "params": {"EndpointName": endpoint.name}})
    return calls


def check_alarm(spec: Spec, series: Mapping[tuple[str, str], list[dict[str, Any]]]) -> None:
    """The event must agree with the data: every evaluated datapoint on the right side of the threshold."""
    points = evaluated_datapoints(spec, series, parse_time(spec.alarm_time))
    breaching = [value > spec.alarm.threshold_ms * 1000 for _, value in points]
    if breaching != [spec.alarm.state == "ALARM"] * len(points):
        stat = alarm_stat(spec.endpoint, spec.alarm)
        raise SystemExit(f"{spec.file}: alarm {spec.alarm.state} disagrees with the data: "
                         f"{stat} {[round(v / 1000) for _, v in points]} ms vs {spec.alarm.threshold_ms} ms")


def build(spec: Spec) -> dict[str, Any]:
    """The scenario document for one spec."""
    series = metric_series(spec.endpoint, spec.traffic, spec.file)
    check_alarm(spec, series)
    overlap = set(spec.absent) & (set(spec.rules) | set(spec.allowed))
    if overlap:
        raise SystemExit(f"{spec.file}: {sorted(overlap)} both expected (or allowed) and absent")
    expect: dict[str, Any] = {"rules": list(spec.rules), "allowed": list(spec.allowed), "absent": list(spec.absent)}
    if spec.errors is not None:
        expect["errors"] = list(spec.errors)
    if spec.resolved_in_alarm_s is not None:
        expect["resolved"] = {"in_alarm_s": spec.resolved_in_alarm_s}
    document: dict[str, Any] = {"name": spec.file, "description": spec.description,
                                "event": build_event(spec, series), "setup": setup_calls(spec, series)}
    if spec.faults:
        document["faults"] = list(spec.faults)
    document["expect"] = expect
    return document


def render(document: Mapping[str, Any]) -> str:
    """Compact JSON with one setup call per line, so a diff shows which call changed."""
    compact = {"separators": (",", ":"), "ensure_ascii": False}
    head = ",\n ".join(f"{json.dumps(k)}: {json.dumps(document[k], **compact)}"
                       for k in ("name", "description", "event"))
    calls = ",\n  ".join(json.dumps(call, **compact) for call in document["setup"])
    tail = "".join(f',\n {json.dumps(k)}: {json.dumps(document[k], **compact)}'
                   for k in ("faults", "expect") if k in document)
    return f'{{{head},\n "setup": [\n  {calls}\n ]{tail}}}\n'


# -- the suite --

CALM = Traffic(rpm=1600, model_ms=24, overhead_ms=3, cpu=42, memory=38)
SATURATED = Traffic(rpm=3900, model_ms=95, overhead_ms=6, cpu=91, memory=44)
SLOW_NO_LOAD = replace(CALM, rpm=1650, model_ms=95, cpu=44)
CHURN = Endpoint("churn-scorer", "churn-scorer-sklearn", SKLEARN, "ml.c5.2xlarge", count=2,
                 environment={"SAGEMAKER_PROGRAM": "inference.py",
                              "SAGEMAKER_SUBMIT_DIRECTORY": f"{BUCKET}/churn-scorer/code/sourcedir.tar.gz"})
CHURN_ALARM = Alarm("ModelLatency", threshold_ms=100)
IMBALANCED = replace(CHURN, count=3, enhanced=True, work=(1.0, 1.0, 2.6), requests=(1.0, 1.0, 1.6))

EMBEDDER_TRAFFIC = two_phase(Traffic(rpm=400, model_ms=110, overhead_ms=4, cpu=55, memory=52),
                             Traffic(rpm=420, model_ms=420, overhead_ms=5, cpu=58, memory=53))
EMBEDDER = Endpoint("product-image-embedder", "product-image-embedder-resnet50", PYTORCH_CPU, "ml.c5.2xlarge",
                    count=2, environment={"SAGEMAKER_PROGRAM": "inference.py", "TS_DEFAULT_WORKERS_PER_MODEL": "2"})
EMBEDDER_ALARM = Alarm("ModelLatency", threshold_ms=300)
EMBEDDER_GPU_TRAFFIC = two_phase(Traffic(rpm=400, model_ms=18, overhead_ms=4, cpu=12, gpu=30, memory=35),
                                 Traffic(rpm=420, model_ms=75, overhead_ms=5, cpu=13, gpu=34, memory=36))
EMBEDDER_GPU = replace(EMBEDDER, image=PYTORCH_GPU, instance_type="ml.g5.xlarge")
EMBEDDER_GPU_ALARM = Alarm("ModelLatency", threshold_ms=60)

FRAUD_CALM = Traffic(rpm=2400, model_ms=6, overhead_ms=4, cpu=35, memory=30)
FRAUD_SLOW = replace(FRAUD_CALM, model_ms=7, overhead_ms=45)
FRAUD = Endpoint("fraud-scorer", "fraud-scorer-xgboost", XGBOOST_GRAVITON, "ml.c7g.2xlarge", count=2)
FRAUD_ALARM = Alarm("OverheadLatency", threshold_ms=40)
FRAUD_INCIDENT = two_phase(FRAUD_CALM, FRAUD_SLOW)

RANKER = Endpoint("recsys-ranker", "recsys-ranker-dlrm", PYTORCH_GPU, "ml.g6.2xlarge", count=2,
                  environment={"SAGEMAKER_PROGRAM": "serve.py"})
RANKER_CALM = Traffic(rpm=1200, model_ms=22, overhead_ms=4, cpu=20, gpu=40, memory=48)
RANKER_SLOW = Traffic(rpm=1250, model_ms=70, overhead_ms=5, cpu=21, gpu=44, memory=49)
RANKER_TRAFFIC = two_phase(RANKER_CALM, RANKER_SLOW)
RANKER_ALARM = Alarm("ModelLatency", threshold_ms=60)

LLM = Endpoint("support-chat-llm", "support-chat-llama3-8b", TGI, "ml.g5.12xlarge", environment={
    "HF_MODEL_ID": "/opt/ml/model", "SM_NUM_GPUS": "4", "MAX_INPUT_LENGTH": "6144", "MAX_TOTAL_TOKENS": "8192"})
LLM_CALM = Traffic(rpm=30, model_ms=2000, overhead_ms=9, cpu=8, gpu=55, memory=30)
LLM_BUSY = replace(LLM_CALM, rpm=33, model_ms=10000, gpu=62)
LLM_TRAFFIC = two_phase(LLM_CALM, LLM_BUSY)
LONG_GENERATIONS = frozenset({-840, -600, -420, -180})
LLM_ALARM = Alarm("ModelLatency", threshold_ms=15000)
VLLM_LLM = replace(LLM, name="support-chat-vllm", image=VLLM_DLC, environment={"SM_VLLM_MODEL": "/opt/ml/model"})
LMI_LLM = replace(LLM, name="support-chat-lmi", image=DJL_LMI, environment={
    "HF_MODEL_ID": "/opt/ml/model", "OPTION_ROLLING_BATCH": "disable", "TENSOR_PARALLEL_DEGREE": "max"})

DETECTOR = Endpoint("video-frame-detector", "video-frame-detector-ensemble", TRITON, "ml.p4d.24xlarge",
                    environment={"SAGEMAKER_TRITON_DEFAULT_MODEL_NAME": "detector_ensemble"})
DETECTOR_CALM = Traffic(rpm=6000, model_ms=30, overhead_ms=5, cpu=10, gpu=50, memory=45)
DETECTOR_ALARM = Alarm("ModelLatency", threshold_ms=100)

TENANTS = Endpoint("tenant-churn-models", "tenant-churn-models-sklearn", SKLEARN, "ml.m5.2xlarge", count=2,
                   multi_model=True)
TENANTS_CALM = Traffic(rpm=900, model_ms=12, overhead_ms=6, cpu=35, memory=62, cache_hit=0.97, wait_ms=1400,
                       download_ms=500, load_ms=450, loaded_models=140)
TENANTS_ALARM = Alarm("ModelLoadingWaitTime", threshold_ms=2000)

FAQ = Endpoint("faq-embedder", "faq-embedder-minilm", HF_PYTORCH_CPU, memory_mb=4096, environment={
    "HF_MODEL_ID": "sentence-transformers/all-MiniLM-L6-v2", "HF_TASK": "feature-extraction"})
FAQ_CALM = Traffic(rpm=120, model_ms=250, overhead_ms=25, memory=48)
FAQ_SLOW = replace(FAQ_CALM, rpm=132, model_ms=1000, memory=52)
FAQ_BASELINE_COLD = frozenset({-9000, -6600, -4200, -2700})
FAQ_INCIDENT_COLD = frozenset({-780, -600, -420, -300, -180, -120})
FAQ_WARM = on_minutes(two_phase(FAQ_CALM, FAQ_SLOW), FAQ_BASELINE_COLD, cold_starts=2, setup_ms=6500)
FAQ_ALARM = Alarm("ModelLatency", threshold_ms=1200)

SUMMARIZER = Endpoint("doc-summarizer", "doc-summarizer-mistral-7b", DJL_LMI, "ml.g6.2xlarge", environment={
    "HF_MODEL_ID": "/opt/ml/model", "OPTION_ROLLING_BATCH": "vllm", "OPTION_MAX_MODEL_LEN": "8192"})
SUMMARIZER_CALM = Traffic(rpm=90, model_ms=2000, overhead_ms=8, cpu=15, gpu=60, memory=40, error_rate=0.001)
SUMMARIZER_ALARM = Alarm("ModelLatency", threshold_ms=6000)

# An internal tool used now and then: requests in 3 minutes of every 10 (never more than 2 idle in a row),
# or, busier, in 7 of every 10; the same density in the incident window as in the baseline.
SPARSE_MINUTES = frozenset(m for m in range(FIRST_MINUTE, 0, MINUTE) if (-m // MINUTE) % 10 in (1, 4, 7))
BUSY_MINUTES = frozenset(m for m in range(FIRST_MINUTE, 0, MINUTE) if (-m // MINUTE) % 10 not in (2, 5, 8))
CLAUSES = Endpoint("contract-clause-classifier", "contract-clause-classifier-deberta", HF_PYTORCH_CPU,
                   "ml.m5.xlarge", environment={"HF_MODEL_ID": "/opt/ml/model", "HF_TASK": "text-classification"})
CLAUSES_TRAFFIC = two_phase(Traffic(rpm=4, model_ms=180, overhead_ms=90, cpu=6, memory=55),
                            Traffic(rpm=4, model_ms=185, overhead_ms=190, cpu=6, memory=55))
CLAUSES_ALARM = Alarm("OverheadLatency", threshold_ms=150)

SENTIMENT = replace(EMBEDDER, name="review-sentiment", model="review-sentiment-gluon", image=MXNET_1_8_CPU,
                    instance_type="ml.c5.xlarge", count=1, environment={"SAGEMAKER_PROGRAM": "inference.py"})
SENTIMENT_TRAFFIC = two_phase(Traffic(rpm=300, model_ms=40, overhead_ms=4, cpu=38, memory=45),
                              Traffic(rpm=310, model_ms=160, overhead_ms=4, cpu=41, memory=46))
SENTIMENT_ALARM = Alarm("ModelLatency", threshold_ms=150, form="eventbridge")

# MODEL-SERVER-QUEUEING: 1.6x the requests per instance, latency 4x, CPU 12 % per core and GPU 30 %: the requests
# wait for one of the 2 TorchServe workers, not for the hardware.
QUEUE_BASE = Traffic(rpm=400, model_ms=18, overhead_ms=4, cpu=12, gpu=30, memory=35)
QUEUE_SURGE = replace(QUEUE_BASE, rpm=640, model_ms=75, cpu=13, gpu=31)

# Async: a Whisper transcriber on GPUs; the queue per instance and the oldest request's age
TRANSCRIBER = Endpoint("call-transcriber", "call-transcriber-whisper", HF_PYTORCH_GPU, "ml.g5.2xlarge", count=2,
                       asynchronous=True, environment={"HF_MODEL_ID": "openai/whisper-large-v3",
                                                       "HF_TASK": "automatic-speech-recognition"})
TRANSCRIBER_CALM = Traffic(rpm=40, model_ms=9000, overhead_ms=0, cpu=20, gpu=60, memory=50,
                           backlog_per_instance=1.0, oldest_age_s=40)


def growing_queue(minute: int) -> Traffic:
    """The transcriber's queue: steady for 3 h, then 8 per instance with the oldest request ageing 2 -> 16 min."""
    if minute < INCIDENT_START:
        return TRANSCRIBER_CALM
    into = (minute - INCIDENT_START) // MINUTE
    return replace(TRANSCRIBER_CALM, rpm=44, gpu=93, cpu=35, backlog_per_instance=8.0 + into * 0.5,
                   oldest_age_s=120.0 + into * 60)


TRANSCRIBER_BACKLOG_ALARM = Alarm("TimeInBacklog", threshold_ms=60_000)

# Serverless concurrency and provisioned-concurrency spill-over on the FAQ embedder
FAQ_BUSY = replace(FAQ_CALM, rpm=300, model_ms=1000, concurrency=0.93)

TAGGER = Endpoint("legacy-image-tagger", "legacy-image-tagger-inception", TENSORFLOW_CPU, "ml.m5.xlarge", deleted=True)

MODEL_RULES = ("MODEL-CPU-NO-GPU", "MODEL-INFERENTIA", "MODEL-NEO")

# Inference components: a TGI IC (one GPU per copy) on one ml.g5.12xlarge (4 GPUs) with managed instance scaling
CHAT = Component("support-chat-ic", "support-chat-llama3-8b", TGI, copies=4, autoscaling=(1, 4), environment={
    "HF_MODEL_ID": "/opt/ml/model", "SM_NUM_GPUS": "1", "MAX_INPUT_LENGTH": "6144", "MAX_TOTAL_TOKENS": "8192"})
CHAT_HOST = Endpoint("genai-host", "support-chat-llama3-8b", TGI, "ml.g5.12xlarge", component=CHAT,
                     managed_scaling=(1, 2))
CHAT_CALM = Traffic(rpm=30, model_ms=2000, overhead_ms=9, cpu=8, gpu=45, gpu_memory=92, memory=30)
CHAT_SURGE = two_phase(CHAT_CALM, replace(CHAT_CALM, rpm=70, model_ms=9000, gpu=90))
CHAT_ALARM = Alarm("ModelLatency", threshold_ms=15000)
# A CPU-capable PyTorch model as an IC on CPU instances (no accelerators per copy), and on GPUs
EMBED_IC = Component("image-embedder-ic", "image-embedder-resnet50", PYTORCH_CPU, copies=2, accelerators=0,
                     cpu_cores=2.0, memory_mb=4096, autoscaling=(1, 8))
EMBED_IC_HOST = Endpoint("cpu-host", "image-embedder-resnet50", PYTORCH_CPU, "ml.c5.2xlarge", component=EMBED_IC,
                         managed_scaling=(1, 2))
EMBED_IC_ON_GPU = replace(EMBED_IC_HOST, name="gpu-host", image=PYTORCH_GPU, instance_type="ml.g5.2xlarge",
                          component=replace(EMBED_IC, image=PYTORCH_GPU, accelerators=1, copies=1))
# GPU rules on inference components: a PyTorch reranker IC (no KV cache) and whole-instance LLM copies
RERANK_IC = Component("reranker-ic", "reranker-bge-large", PYTORCH_GPU, copies=2, autoscaling=(1, 8),
                      cpu_cores=4.0, memory_mb=16_384)
RERANK_IC_HOST = Endpoint("rerank-host", "reranker-bge-large", PYTORCH_GPU, "ml.g5.12xlarge", component=RERANK_IC,
                          managed_scaling=(1, 2))
RERANK_CALM = Traffic(rpm=600, model_ms=40, overhead_ms=5, cpu=20, gpu=35, gpu_memory=70, memory=30)
RERANK_ALARM = Alarm("ModelLatency", threshold_ms=100)
WHOLE_GPU_CHAT = replace(CHAT, copies=1, accelerators=4, autoscaling=(1, 2), environment={
    **CHAT.environment, "SM_NUM_GPUS": "4"})
LMI_CHAT = replace(WHOLE_GPU_CHAT, image=DJL_LMI, environment={
    "HF_MODEL_ID": "/opt/ml/model", "OPTION_ROLLING_BATCH": "disable", "TENSOR_PARALLEL_DEGREE": "max"})
WHOLE_GPU_SLOW = two_phase(CHAT_CALM, replace(CHAT_CALM, rpm=31, model_ms=9000, gpu=50))
IMBALANCED_CHAT = replace(CHAT_HOST, count=2, component=replace(CHAT, autoscaling=(1, 8)), enhanced=True,
                          routing="RANDOM", requests=(1.0, 1.0, 1.0, 3.0))
# 6 copies wanted on one 4-GPU instance: 2 wait unplaced
CHAT_CROWDED = replace(CHAT_HOST, component=replace(CHAT, autoscaling=(1, 8), scaled=((-600, 6),)),
                       managed_scaling=None)
# Scaled to zero while idle (-100 min), woken by the first requests at -13 min: they fail, then run cold
CHAT_IDLE = frozenset(range(-110 * MINUTE, -13 * MINUTE, MINUTE))
CHAT_WOKEN = idle_during(phases(CHAT_CALM, (-13 * MINUTE, replace(CHAT_CALM, model_ms=9000, no_capacity=3)),
                                (-11 * MINUTE, replace(CHAT_CALM, model_ms=9000, gpu=60))),
                         lambda minute: minute in CHAT_IDLE)
CHAT_KEPT_WARM = idle_during(phases(CHAT_CALM, (-13 * MINUTE, replace(CHAT_CALM, model_ms=9000, gpu=60))),
                             lambda minute: minute in CHAT_IDLE)
CHAT_TO_ZERO = replace(CHAT, copies=1, autoscaling=(0, 4), scaled=((-100 * MINUTE, 0), (-12 * MINUTE, 1)),
                       scale_to_zero=True)


def specs() -> list[Spec]:
    """Every scenario of the suite; near misses sit next to the scenario they mirror."""
    at_max = replace(CHURN, autoscaling=(1, 2))
    no_autoscaling_load = two_phase(CALM, SATURATED)
    return [
        # SCALE-NONE / SCALE-AT-MAX / UNEXPLAINED / MODEL-BENCHMARK on one saturated scikit-learn endpoint
        Spec("scale-none--saturated-cpu-no-autoscaling",
             "scikit-learn on 2x ml.c5.2xlarge: traffic 2.4x baseline, CPU 91 % per core, no scalable target",
             CHURN, no_autoscaling_load, CHURN_ALARM, "2026-11-03T09:42:00",
             rules=("SCALE-NONE",), absent=("SCALE-AT-MAX", "MODEL-BENCHMARK", "UNEXPLAINED", *MODEL_RULES)),
        Spec("scale-at-max--saturated-at-max-capacity",
             "The same saturation with target tracking whose MaxCapacity (2) is already reached",
             at_max, no_autoscaling_load, CHURN_ALARM, "2026-11-03T09:42:00",
             rules=("SCALE-AT-MAX",), absent=("SCALE-NONE", "MODEL-BENCHMARK", "UNEXPLAINED")),
        Spec("unexplained--saturated-with-autoscaling-headroom",
             "Near miss of SCALE-NONE and SCALE-AT-MAX: the same saturation, target tracking with MaxCapacity 8 "
             "(room to scale out); nothing else applies, so UNEXPLAINED",
             replace(CHURN, autoscaling=(2, 8)), no_autoscaling_load, CHURN_ALARM, "2026-11-03T09:42:00",
             rules=("UNEXPLAINED",), absent=("SCALE-NONE", "SCALE-AT-MAX", "MODEL-BENCHMARK", *MODEL_RULES)),
        Spec("model-benchmark--latency-up-without-load",
             "Near miss of SCALE-NONE: ModelLatency 4x with flat traffic (1.03x) and CPU 44 % per core; "
             "the time is inside the model",
             CHURN, two_phase(CALM, SLOW_NO_LOAD), CHURN_ALARM, "2026-11-05T16:17:00",
             rules=("MODEL-BENCHMARK",), absent=("SCALE-NONE", "SCALE-AT-MAX", "UNEXPLAINED")),
        # INSTANCE-IMBALANCE (enhanced metrics: per-instance series), and its near misses
        Spec("instance-imbalance--one-of-3-instances-hot-random-routing",
             "churn-scorer on 3 instances with enhanced metrics and no routing set (random): in the incident one "
             "instance gets 1.6x the requests and works 2.6x as hard as each other one; ModelLatency 4x",
             IMBALANCED, two_phase(CALM, SLOW_NO_LOAD), CHURN_ALARM, "2026-11-05T16:17:00",
             rules=("INSTANCE-IMBALANCE",), absent=("SCALE-NONE", "UNEXPLAINED"), allowed=("MODEL-BENCHMARK",)),
        Spec("instance-imbalance--degraded-instance-least-outstanding",
             "The same endpoint routing by least outstanding requests: one instance works 2.5x as hard for 0.8x "
             "the requests (a degraded instance)",
             replace(IMBALANCED, routing="LEAST_OUTSTANDING_REQUESTS", work=(1.0, 1.0, 2.5), requests=(1.0, 1.0, 0.8)),
             two_phase(CALM, SLOW_NO_LOAD), CHURN_ALARM, "2026-11-05T16:17:00",
             rules=("INSTANCE-IMBALANCE",), absent=("SCALE-NONE", "UNEXPLAINED"), allowed=("MODEL-BENCHMARK",)),
        Spec("instance-imbalance--near-miss-hot-instance-at-1-4x",
             "The random-routing incident with the hot instance at 1.4x the others' work and 1.2x their requests",
             replace(IMBALANCED, work=(1.0, 1.0, 1.4), requests=(1.0, 1.0, 1.2)),
             two_phase(CALM, SLOW_NO_LOAD), CHURN_ALARM, "2026-11-05T16:17:00",
             rules=("MODEL-BENCHMARK",), absent=("INSTANCE-IMBALANCE", "UNEXPLAINED")),
        Spec("instance-imbalance--near-miss-enhanced-metrics-off",
             "The random-routing incident without enhanced metrics: no per-instance series to compare",
             replace(IMBALANCED, enhanced=False), two_phase(CALM, SLOW_NO_LOAD), CHURN_ALARM, "2026-11-05T16:17:00",
             rules=("MODEL-BENCHMARK",), absent=("INSTANCE-IMBALANCE", "UNEXPLAINED")),
        Spec("event-form--lambda-alarm-action",
             "The saturated endpoint, delivered as a CloudWatch alarm Lambda action payload",
             CHURN, no_autoscaling_load, replace(CHURN_ALARM, form="lambda"), "2026-11-07T11:05:00",
             rules=("SCALE-NONE",), absent=("MODEL-BENCHMARK", "UNEXPLAINED")),
        Spec("event-form--eventbridge-state-change",
             "The saturated endpoint, delivered as an EventBridge 'CloudWatch Alarm State Change' event",
             CHURN, no_autoscaling_load, replace(CHURN_ALARM, form="eventbridge"), "2026-11-07T11:05:00",
             rules=("SCALE-NONE",), absent=("MODEL-BENCHMARK", "UNEXPLAINED")),
        Spec("event-form--sns-notification",
             "The saturated endpoint, delivered as an SNS record carrying the CloudWatch alarm notification",
             CHURN, no_autoscaling_load, replace(CHURN_ALARM, form="sns"), "2026-11-07T11:05:00",
             rules=("SCALE-NONE",), absent=("MODEL-BENCHMARK", "UNEXPLAINED")),
        Spec("resolved--back-to-ok-after-65-min",
             "ModelLatency back to OK 65 min after a load spike ended: a resolved notice, no findings",
             CHURN, phases(CALM, (-4200, SATURATED), (-1080, CALM)),
             replace(CHURN_ALARM, state="OK", previous_since_s=3900), "2026-11-09T10:30:00",
             absent=("UNEXPLAINED", "SCALE-NONE"), resolved_in_alarm_s=3900),

        # GPU saturation: the load signal from GPUUtilization alone (per GPU, 8 GPUs; CPU raw 960 % = 10 % per core)
        Spec("scale-none--gpu-saturated-no-autoscaling",
             "Triton on ml.p4d.24xlarge: GPU 92 % per GPU with traffic only 1.2x, no scalable target",
             DETECTOR, two_phase(DETECTOR_CALM, replace(DETECTOR_CALM, rpm=7200, model_ms=120, gpu=92)),
             DETECTOR_ALARM, "2026-11-12T20:11:00",
             rules=("SCALE-NONE",), absent=("MODEL-BENCHMARK", "SCALE-AT-MAX", "MODEL-CPU-NO-GPU")),
        Spec("scale-none--near-miss-gpu-at-56-percent",
             "The same endpoint and latency with GPU 56 % per GPU (448 % over 8 GPUs): no load signal",
             DETECTOR, two_phase(DETECTOR_CALM, replace(DETECTOR_CALM, rpm=7200, model_ms=120, gpu=56)),
             DETECTOR_ALARM, "2026-11-12T20:11:00",
             rules=("MODEL-BENCHMARK",), absent=("SCALE-NONE", "SCALE-AT-MAX")),

        # Instance choice: MODEL-CPU-NO-GPU, MODEL-INFERENTIA, MODEL-NEO
        Spec("model-cpu-no-gpu--pytorch-on-c5",
             "PyTorch ResNet-50 on 2x ml.c5.2xlarge (CPU only): ModelLatency 3.8x with flat traffic",
             EMBEDDER, EMBEDDER_TRAFFIC, EMBEDDER_ALARM, "2026-11-10T08:55:00",
             rules=("MODEL-CPU-NO-GPU", "MODEL-INFERENTIA"),
             absent=("MODEL-NEO", "SCALE-NONE", "UNEXPLAINED"), allowed=("MODEL-BENCHMARK",)),
        Spec("model-cpu-no-gpu--pytorch-on-c5-saturated-no-autoscaling",
             "PyTorch ResNet-50 on 2x ml.c5.2xlarge under 2.5x traffic: CPU 93 % per core, no scalable target; "
             "it needs a GPU and autoscaling",
             EMBEDDER, two_phase(Traffic(rpm=400, model_ms=110, overhead_ms=4, cpu=40, memory=52),
                                 Traffic(rpm=1000, model_ms=420, overhead_ms=6, cpu=93, memory=55)),
             EMBEDDER_ALARM, "2026-11-18T14:20:00",
             rules=("MODEL-CPU-NO-GPU", "SCALE-NONE"), absent=("MODEL-BENCHMARK", "SCALE-AT-MAX", "UNEXPLAINED"), allowed=("MODEL-INFERENTIA",)),
        Spec("model-cpu-no-gpu--near-miss-pytorch-on-g5",
             "The same PyTorch model on 2x ml.g5.xlarge with the GPU image: already on a GPU",
             EMBEDDER_GPU, EMBEDDER_GPU_TRAFFIC, EMBEDDER_GPU_ALARM, "2026-11-10T08:55:00",
             rules=("MODEL-INFERENTIA",), absent=("MODEL-CPU-NO-GPU", "SCALE-NONE", "UNEXPLAINED"), allowed=("MODEL-BENCHMARK",)),
        Spec("model-inferentia--near-miss-neuronx-on-inf2",
             "The same PyTorch model compiled with Neuron on 2x ml.inf2.xlarge: already on Inferentia2",
             replace(EMBEDDER, image=PYTORCH_NEURONX, instance_type="ml.inf2.xlarge"),
             two_phase(Traffic(rpm=400, model_ms=9, overhead_ms=4, cpu=25, memory=40),
                       Traffic(rpm=420, model_ms=40, overhead_ms=5, cpu=27, memory=41)),
             Alarm("ModelLatency", threshold_ms=30), "2026-11-10T08:55:00",
             absent=("MODEL-INFERENTIA", "MODEL-NEO", "MODEL-CPU-NO-GPU", "SCALE-NONE"), allowed=("MODEL-BENCHMARK",)),
        Spec("model-neo--near-miss-neo-compiled-pytorch-on-c5",
             "The CPU endpoint serving the model compiled by Neo for ml_c5 (sagemaker-inference-pytorch image)",
             replace(EMBEDDER, image=PYTORCH_NEO), EMBEDDER_TRAFFIC, EMBEDDER_ALARM, "2026-11-10T08:55:00",
             absent=("MODEL-NEO", "SCALE-NONE"), allowed=("MODEL-BENCHMARK", "MODEL-CPU-NO-GPU")),
        Spec("model-neo--mxnet-1-8-on-c5",
             "MXNet 1.8 Gluon model on ml.c5.xlarge, not compiled: Neo compiles MXNet 1.8 for ml_c5; Inferentia "
             "(PyTorch/TensorFlow) does not apply",
             SENTIMENT, SENTIMENT_TRAFFIC, SENTIMENT_ALARM, "2026-11-14T13:26:00",
             rules=("MODEL-NEO", "MODEL-CPU-NO-GPU"), absent=("MODEL-INFERENTIA",), allowed=("MODEL-BENCHMARK",)),
        Spec("model-neo--near-miss-mxnet-1-9-on-c5",
             "The same model on the MXNet 1.9 image: Neo compiles MXNet 1.8 only, so no Neo advice",
             replace(SENTIMENT, image=MXNET_CPU), SENTIMENT_TRAFFIC, SENTIMENT_ALARM, "2026-11-14T13:26:00",
             rules=("MODEL-CPU-NO-GPU",), absent=("MODEL-NEO", "MODEL-INFERENTIA"), allowed=("MODEL-BENCHMARK",)),
        Spec("model-neo--pytorch-1-13-on-c5",
             "The ResNet-50 on the PyTorch 1.13 CPU image (a version Neo compiles): Neo, GPU and Inferentia advice",
             replace(EMBEDDER, image=PYTORCH_1_13_CPU), EMBEDDER_TRAFFIC, EMBEDDER_ALARM, "2026-11-10T08:55:00",
             rules=("MODEL-NEO", "MODEL-CPU-NO-GPU", "MODEL-INFERENTIA"), absent=("SCALE-NONE", "UNEXPLAINED"), allowed=("MODEL-BENCHMARK",)),

        # MODEL-TIMEOUTS
        Spec("model-timeouts--max-55-s",
             "TGI Llama 3 8B on ml.g5.12xlarge: p90 18 s and four generations of 55 s near the 60 s limit",
             LLM, on_minutes(LLM_TRAFFIC, LONG_GENERATIONS, slowest_ms=55000),
             LLM_ALARM, "2026-11-16T18:48:00", rules=("MODEL-TIMEOUTS",), absent=("MODEL-CPU-NO-GPU",), allowed=("MODEL-BENCHMARK",)),
        Spec("model-timeouts--near-miss-max-32-s",
             "The same LLM incident with the slowest generations at 30-32 s, well inside the limit",
             LLM, on_minutes(LLM_TRAFFIC, LONG_GENERATIONS, slowest_ms=30000),
             LLM_ALARM, "2026-11-16T18:48:00", absent=("MODEL-TIMEOUTS", "MODEL-CPU-NO-GPU", "LLM-GPUS-UNUSED"),
             allowed=("MODEL-BENCHMARK",)),
        # LLM-GPUS-UNUSED (near miss: the incident above, TGI sharded over all 4 GPUs with SM_NUM_GPUS=4)
        Spec("llm-gpus-unused--tgi-on-1-of-4-gpus",
             "The same TGI incident with SM_NUM_GPUS=1 on ml.g5.12xlarge: the model is sharded over 1 of 4 GPUs",
             replace(LLM, environment={**LLM.environment, "SM_NUM_GPUS": "1"}),
             on_minutes(LLM_TRAFFIC, LONG_GENERATIONS, slowest_ms=30000),
             LLM_ALARM, "2026-11-16T18:48:00", rules=("LLM-GPUS-UNUSED",),
             absent=("MODEL-TIMEOUTS", "MODEL-CPU-NO-GPU", "GPU-MEMORY-PRESSURE"), allowed=("MODEL-BENCHMARK",)),
        Spec("llm-gpus-unused--vllm-tensor-parallel-unset-on-4-gpus",
             "The LLM incident served by the SageMaker vLLM container without SM_VLLM_TENSOR_PARALLEL_SIZE on "
             "ml.g5.12xlarge: vLLM's default tensor parallel size 1 uses 1 of 4 GPUs",
             VLLM_LLM, LLM_TRAFFIC, LLM_ALARM, "2026-11-16T18:48:00",
             rules=("LLM-GPUS-UNUSED",), absent=("GPU-MEMORY-PRESSURE", "MODEL-CPU-NO-GPU"),
             allowed=("MODEL-BENCHMARK",)),
        Spec("llm-gpus-unused--near-miss-vllm-tensor-parallel-4",
             "The same vLLM incident with SM_VLLM_TENSOR_PARALLEL_SIZE=4: the model spans all 4 GPUs",
             replace(VLLM_LLM, environment={**VLLM_LLM.environment, "SM_VLLM_TENSOR_PARALLEL_SIZE": "4"}),
             LLM_TRAFFIC, LLM_ALARM, "2026-11-16T18:48:00",
             rules=("MODEL-BENCHMARK",), absent=("LLM-GPUS-UNUSED", "GPU-MEMORY-PRESSURE", "UNEXPLAINED")),
        # LLM-NO-CONTINUOUS-BATCHING: LMI with rolling batching off, and its near misses
        Spec("llm-no-continuous-batching--lmi-v10-rolling-batch-disabled",
             "The LLM incident on LMI v10 (DJL 0.28) with OPTION_ROLLING_BATCH=disable: ~5 requests in flight "
             "per instance served one batch at a time",
             LMI_LLM, LLM_TRAFFIC, LLM_ALARM, "2026-11-16T18:48:00",
             rules=("LLM-NO-CONTINUOUS-BATCHING",), absent=("LLM-GPUS-UNUSED", "GPU-MEMORY-PRESSURE"),
             allowed=("MODEL-BENCHMARK",)),
        Spec("llm-no-continuous-batching--near-miss-lmi-v17-async-default",
             "The same settings on LMI v17, whose vLLM handler runs async mode (continuous batching) by default",
             replace(LMI_LLM, image=DJL_LMI_17), LLM_TRAFFIC, LLM_ALARM, "2026-11-16T18:48:00",
             rules=("MODEL-BENCHMARK",), absent=("LLM-NO-CONTINUOUS-BATCHING", "UNEXPLAINED")),
        Spec("llm-no-continuous-batching--near-miss-one-request-at-a-time",
             "LMI v10 with rolling batching off but 4 requests a minute of ~13 s: 0.9 in flight, nothing to batch",
             LMI_LLM, two_phase(replace(LLM_CALM, rpm=4), replace(LLM_BUSY, rpm=4, model_ms=13000)), LLM_ALARM,
             "2026-11-16T18:48:00", absent=("LLM-NO-CONTINUOUS-BATCHING",), allowed=("MODEL-BENCHMARK",)),
        # GPU-MEMORY-PRESSURE on a PyTorch GPU variant (not an LLM server), and its near miss
        Spec("gpu-memory-pressure--ranker-memory-95",
             "recsys-ranker (PyTorch on ml.g6.2xlarge): GPU memory 71 % -> 96 % per GPU while latency triples",
             RANKER, two_phase(RANKER_CALM, replace(RANKER_SLOW, gpu_memory=96)), RANKER_ALARM,
             "2026-11-18T10:03:00", rules=("GPU-MEMORY-PRESSURE",), absent=("LLM-GPUS-UNUSED", "UNEXPLAINED"),
             allowed=("MODEL-BENCHMARK", "MODEL-INFERENTIA")),
        Spec("gpu-memory-pressure--near-miss-memory-84",
             "The same latency rise with GPU memory 71 % -> 84 % per GPU: under 90 % and 13 points up",
             RANKER, two_phase(RANKER_CALM, replace(RANKER_SLOW, gpu_memory=84)), RANKER_ALARM,
             "2026-11-18T10:03:00", absent=("GPU-MEMORY-PRESSURE", "LLM-GPUS-UNUSED"),
             allowed=("MODEL-BENCHMARK", "MODEL-INFERENTIA")),

        # MODEL-CHANGED, and the recent-deploy trigger of OVERHEAD-COLD-START
        Spec("model-changed--new-version-90-min-before",
             "recsys-ranker updated to model v2 90 min before the alarm (after 30 days in service); latency 3x",
             replace(RANKER, updated_at=-5400), RANKER_TRAFFIC, RANKER_ALARM, "2026-11-18T10:03:00",
             rules=("MODEL-CHANGED",), absent=("OVERHEAD-COLD-START", "ENDPOINT-NOT-IN-SERVICE", "UNEXPLAINED"), allowed=("MODEL-BENCHMARK", "MODEL-INFERENTIA")),
        Spec("model-changed--near-miss-new-version-3-h-before",
             "The same latency rise with the update 3 h before the alarm, outside the 2 h window",
             replace(RANKER, updated_at=-10800), RANKER_TRAFFIC, RANKER_ALARM, "2026-11-18T10:03:00",
             absent=("MODEL-CHANGED", "OVERHEAD-COLD-START"), allowed=("MODEL-BENCHMARK", "MODEL-INFERENTIA")),
        Spec("endpoint-not-in-service--update-in-progress",
             "recsys-ranker alarms 4 min into an UpdateEndpoint to model v2 (blue/green still Updating)",
             replace(RANKER, updated_at=-240), RANKER_TRAFFIC, RANKER_ALARM, "2026-11-18T10:03:00",
             rules=("ENDPOINT-NOT-IN-SERVICE",), absent=("ENDPOINT-NOT-FOUND", "UNEXPLAINED"), allowed=("MODEL-BENCHMARK", "MODEL-INFERENTIA")),

        # OVERHEAD-*: one XGBoost endpoint on Graviton whose OverheadLatency rose 11x with steady traffic
        Spec("overhead-payload--steady-traffic-overhead-11x",
             "XGBoost on 2x ml.c7g.2xlarge: OverheadLatency p90 7 -> 81 ms with steady traffic, no deploy",
             FRAUD, FRAUD_INCIDENT, FRAUD_ALARM, "2026-11-19T15:31:00",
             rules=("OVERHEAD-PAYLOAD",),
             absent=("OVERHEAD-COLD-START", "OVERHEAD-INFREQUENT", "MODEL-CHANGED", "UNEXPLAINED")),
        Spec("overhead-cold-start--updated-40-min-before",
             "The same overhead rise 40 min after an UpdateEndpoint to model v2: cold start, not payload",
             replace(FRAUD, updated_at=-2400), FRAUD_INCIDENT, FRAUD_ALARM, "2026-11-19T15:31:00",
             rules=("OVERHEAD-COLD-START", "MODEL-CHANGED"), absent=("OVERHEAD-PAYLOAD", "OVERHEAD-INFREQUENT")),
        Spec("overhead-cold-start--near-miss-updated-90-min-before",
             "The same overhead rise 90 min after the update: past the 60 min cold-start window",
             replace(FRAUD, updated_at=-5400), FRAUD_INCIDENT, FRAUD_ALARM, "2026-11-19T15:31:00",
             rules=("MODEL-CHANGED",), absent=("OVERHEAD-COLD-START", "OVERHEAD-INFREQUENT"), allowed=("OVERHEAD-PAYLOAD",)),
        Spec("overhead-cold-start--traffic-resumed-after-41-min-idle",
             "Traffic stopped for 41 min (no datapoints) and resumed 9 min before the alarm with high overhead",
             FRAUD, idle_during(FRAUD_INCIDENT, lambda m: -3000 <= m <= -600),
             replace(FRAUD_ALARM, form="eventbridge"), "2026-11-21T07:12:00",
             rules=("OVERHEAD-COLD-START",), absent=("OVERHEAD-PAYLOAD", "OVERHEAD-INFREQUENT")),
        Spec("overhead-cold-start--near-miss-traffic-paused-8-min",
             "Traffic paused for only 8 min before resuming in the incident window",
             FRAUD, idle_during(FRAUD_INCIDENT, lambda m: -960 <= m <= -540),
             replace(FRAUD_ALARM, form="eventbridge"), "2026-11-21T07:12:00",
             absent=("OVERHEAD-COLD-START", "OVERHEAD-INFREQUENT"), allowed=("OVERHEAD-PAYLOAD",)),
        Spec("overhead-infrequent--requests-in-30-percent-of-minutes",
             "Internal tool on ml.m5.xlarge: requests in 3 minutes of 10 (70 % of minutes without a datapoint)",
             CLAUSES, idle_during(CLAUSES_TRAFFIC, lambda m: m not in SPARSE_MINUTES), CLAUSES_ALARM,
             "2026-11-22T11:48:00",
             rules=("OVERHEAD-INFREQUENT",), absent=("OVERHEAD-PAYLOAD", "OVERHEAD-COLD-START")),
        Spec("overhead-infrequent--near-miss-requests-in-70-percent-of-minutes",
             "The same tool busier: requests in 7 minutes of 10 (30 % of minutes idle)",
             CLAUSES, idle_during(CLAUSES_TRAFFIC, lambda m: m not in BUSY_MINUTES), CLAUSES_ALARM,
             "2026-11-22T11:48:00", absent=("OVERHEAD-INFREQUENT", "OVERHEAD-COLD-START"), allowed=("OVERHEAD-PAYLOAD",)),

        # MME-*: scikit-learn multi-model endpoint, alarm on ModelLoadingWaitTime
        Spec("mme-cache-thrash--hit-rate-60-percent",
             "Multi-model endpoint: cache hit rate 0.97 -> 0.60, models evicted and reloaded",
             TENANTS, two_phase(TENANTS_CALM, replace(TENANTS_CALM, cache_hit=0.60, wait_ms=2500, download_ms=900,
                                                      load_ms=800, loaded_models=152, cpu=48)),
             TENANTS_ALARM, "2026-11-23T17:20:00",
             rules=("MME-CACHE-THRASH",), absent=("MME-COLD-MODELS", "MME-SLOW-DOWNLOAD", "MME-SLOW-LOAD")),
        Spec("mme-cache-thrash--near-miss-hit-rate-95-percent",
             "The same wait times with hit rate 0.95: first-time loads, not thrashing",
             TENANTS, two_phase(TENANTS_CALM, replace(TENANTS_CALM, cache_hit=0.95, wait_ms=2500, download_ms=900,
                                                      load_ms=800, loaded_models=146)),
             TENANTS_ALARM, "2026-11-23T17:20:00",
             rules=("MME-COLD-MODELS",), absent=("MME-CACHE-THRASH", "MME-SLOW-DOWNLOAD", "MME-SLOW-LOAD")),
        Spec("mme-slow-download--download-75-percent-of-wait",
             "Hit rate 0.90; ModelDownloadingTime 2.2 s of a 3 s ModelLoadingWaitTime (large artifacts)",
             TENANTS, two_phase(TENANTS_CALM, replace(TENANTS_CALM, cache_hit=0.90, wait_ms=3000, download_ms=2200,
                                                      load_ms=400, loaded_models=141)),
             TENANTS_ALARM, "2026-11-24T09:09:00",
             rules=("MME-SLOW-DOWNLOAD",), absent=("MME-SLOW-LOAD", "MME-CACHE-THRASH"), allowed=("MME-COLD-MODELS",)),
        Spec("mme-slow-load--load-75-percent-of-wait",
             "Near miss of MME-SLOW-DOWNLOAD: the same wait, with ModelLoadingTime 2.3 s and download 0.35 s",
             TENANTS, two_phase(TENANTS_CALM, replace(TENANTS_CALM, cache_hit=0.90, wait_ms=3000, download_ms=350,
                                                      load_ms=2300, loaded_models=141)),
             TENANTS_ALARM, "2026-11-24T09:09:00",
             rules=("MME-SLOW-LOAD",), absent=("MME-SLOW-DOWNLOAD", "MME-CACHE-THRASH"), allowed=("MME-COLD-MODELS",)),
        Spec("mme-cold-models--near-miss-all-cache-hits",
             "ModelLatency 5x on the multi-model endpoint with every request a cache hit: no model loads at all",
             TENANTS, two_phase(TENANTS_CALM, replace(TENANTS_CALM, model_ms=60, cache_hit=1.0, loaded_models=140)),
             Alarm("ModelLatency", threshold_ms=50), "2026-11-24T21:37:00",
             rules=("MODEL-BENCHMARK",),
             absent=("MME-COLD-MODELS", "MME-CACHE-THRASH", "MME-SLOW-DOWNLOAD", "MME-SLOW-LOAD", *MODEL_RULES)),

        # SERVERLESS-*: Hugging Face on serverless; MODEL-* instance rules never apply
        Spec("serverless-cold-start--setup-time-in-incident",
             "Serverless 4096 MB: ModelSetupTime in 6 of the last 15 minutes (new containers)",
             FAQ, on_minutes(FAQ_WARM, FAQ_INCIDENT_COLD, cold_starts=3, setup_ms=7000), FAQ_ALARM,
             "2026-11-25T12:14:00",
             rules=("SERVERLESS-COLD-START",), absent=("SERVERLESS-MEMORY", "SCALE-NONE", *MODEL_RULES), allowed=("MODEL-BENCHMARK",)),
        Spec("serverless-cold-start--near-miss-warm",
             "The same serverless endpoint with its last cold start 45 min before the alarm",
             FAQ, FAQ_WARM, replace(FAQ_ALARM, form="eventbridge"), "2026-11-25T12:14:00",
             absent=("SERVERLESS-COLD-START", "SERVERLESS-MEMORY", "SCALE-NONE", *MODEL_RULES), allowed=("MODEL-BENCHMARK",)),
        Spec("serverless-memory--2048-mb",
             "Near miss of the warm case with MemorySizeInMB 2048 instead of 4096",
             replace(FAQ, memory_mb=2048), FAQ_WARM, replace(FAQ_ALARM, form="sns"), "2026-11-25T12:14:00",
             rules=("SERVERLESS-MEMORY",), absent=("SERVERLESS-COLD-START", *MODEL_RULES), allowed=("MODEL-BENCHMARK",)),

        # ERRORS
        Spec("errors--5xx-at-3-percent",
             "DJL LMI on ml.g6.2xlarge: Invocation5XXErrors and ModelError at 3 % in the incident window",
             SUMMARIZER, two_phase(SUMMARIZER_CALM, replace(SUMMARIZER_CALM, rpm=95, model_ms=8000, error_rate=0.03)),
             SUMMARIZER_ALARM, "2026-11-26T03:58:00", rules=("ERRORS",), absent=("UNEXPLAINED",), allowed=("MODEL-BENCHMARK",)),
        Spec("errors--near-miss-5xx-at-half-percent",
             "The same latency rise with 5XX and ModelError at 0.5 %",
             SUMMARIZER, two_phase(SUMMARIZER_CALM, replace(SUMMARIZER_CALM, rpm=95, model_ms=8000, error_rate=0.005)),
             SUMMARIZER_ALARM, "2026-11-26T03:58:00", absent=("ERRORS",), allowed=("MODEL-BENCHMARK",)),

        # ENDPOINT-NOT-FOUND
        Spec("endpoint-not-found--deleted-endpoint",
             "The endpoint was deleted after its ModelLatency alarm fired; its metrics remain",
             TAGGER, two_phase(Traffic(rpm=200, model_ms=60, cpu=30), Traffic(rpm=210, model_ms=150, cpu=32)),
             Alarm("ModelLatency", threshold_ms=120), "2026-11-27T19:01:00", errors=None,
             rules=("ENDPOINT-NOT-FOUND",), absent=("UNEXPLAINED", "ENDPOINT-NOT-IN-SERVICE")),

        # SPEC §4a: scale-outs are not deployments; they are new (cold) capacity
        Spec("model-changed--near-miss-scale-out-90-min-before",
             "recsys-ranker scaled out from 2 to 3 instances 90 min before the alarm (LastModifiedTime moved, "
             "no new endpoint config): not a deployment, nothing to roll back",
             replace(RANKER, autoscaling=(2, 6), scaled=((-5400, 3),)), RANKER_TRAFFIC, RANKER_ALARM,
             "2026-11-18T10:03:00", absent=("MODEL-CHANGED", "OVERHEAD-COLD-START", "ENDPOINT-NOT-IN-SERVICE"), allowed=("MODEL-BENCHMARK", "MODEL-INFERENTIA")),
        Spec("overhead-cold-start--scale-out-25-min-before",
             "fraud-scorer scaled out from 2 to 4 instances 25 min before the alarm: the new instances are cold",
             replace(FRAUD, autoscaling=(2, 6), scaled=((-1500, 4),)), FRAUD_INCIDENT, FRAUD_ALARM,
             "2026-11-19T15:31:00",
             rules=("OVERHEAD-COLD-START",), absent=("MODEL-CHANGED", "OVERHEAD-PAYLOAD")),
        Spec("overhead-cold-start--near-miss-scale-in-25-min-before",
             "The same overhead rise after a scale-in from 4 to 2 instances 25 min before: no new capacity",
             replace(FRAUD, autoscaling=(2, 6), scaled=((-9000, 4), (-1500, 2))), FRAUD_INCIDENT, FRAUD_ALARM,
             "2026-11-19T15:31:00",
             rules=("OVERHEAD-PAYLOAD",), absent=("OVERHEAD-COLD-START", "MODEL-CHANGED")),
        Spec("endpoint-not-in-service--scale-out-in-progress",
             "The saturated scikit-learn endpoint 4 min into a scale-out from 2 to 4 instances (Updating)",
             replace(CHURN, autoscaling=(2, 8), scaled=((-240, 4),)), no_autoscaling_load, CHURN_ALARM,
             "2026-11-03T09:42:00",
             rules=("ENDPOINT-NOT-IN-SERVICE",), absent=("MODEL-CHANGED", "SCALE-NONE", "SCALE-AT-MAX")),

        # SPEC §4a: a scalable target without a policy never scales
        Spec("scale-none--scalable-target-without-policy",
             "The saturated endpoint registered as a scalable target (2-8) with no scaling policy attached",
             replace(CHURN, autoscaling=(2, 8), scaling_policy=False), no_autoscaling_load, CHURN_ALARM,
             "2026-11-03T09:42:00", rules=("SCALE-NONE",), absent=("SCALE-AT-MAX", "UNEXPLAINED")),

        # SPEC §4a: multi-model endpoints run on GPUs only with Triton
        Spec("model-cpu-no-gpu--near-miss-pytorch-mme-on-c5",
             "A PyTorch multi-model endpoint on ml.c5.2xlarge: MME has GPU support only with Triton, so no GPU advice",
             replace(EMBEDDER, name="tenant-embedders", model="tenant-embedders-pytorch", multi_model=True),
             EMBEDDER_TRAFFIC, EMBEDDER_ALARM, "2026-11-10T08:55:00",
             absent=("MODEL-CPU-NO-GPU", "MODEL-INFERENTIA", "MODEL-NEO"), allowed=("MODEL-BENCHMARK",)),
        Spec("model-cpu-no-gpu--triton-mme-on-c5",
             "The same multi-model endpoint on the Triton image: Triton serves MMEs on GPUs",
             replace(EMBEDDER, name="tenant-embedders", model="tenant-embedders-triton", image=TRITON, multi_model=True,
                     environment={"SAGEMAKER_TRITON_DEFAULT_MODEL_NAME": "embedder"}),
             EMBEDDER_TRAFFIC, EMBEDDER_ALARM, "2026-11-10T08:55:00", rules=("MODEL-CPU-NO-GPU",), allowed=("MODEL-BENCHMARK",)),

        # SPEC §4a: async requests may run 1 h; the 60 s limit is not theirs
        Spec("model-timeouts--near-miss-async-55-s",
             "The TGI generations of 55 s served by an asynchronous endpoint: no timeout to be near",
             replace(LLM, name="support-chat-llm-async", asynchronous=True),
             on_minutes(LLM_TRAFFIC, LONG_GENERATIONS, slowest_ms=55000),
             LLM_ALARM, "2026-11-16T18:48:00", absent=("MODEL-TIMEOUTS", "SCALE-NONE"), allowed=("MODEL-BENCHMARK",)),

        # MODEL-SERVER-QUEUEING
        Spec("model-server-queueing--workers-busy-hardware-idle",
             "PyTorch on 2x ml.g5.xlarge with 2 TorchServe workers: 1.6x the requests, latency 4x, GPU at 31 %",
             EMBEDDER_GPU, two_phase(QUEUE_BASE, QUEUE_SURGE), EMBEDDER_GPU_ALARM, "2026-11-20T09:12:00",
             rules=("MODEL-SERVER-QUEUEING",), absent=("MODEL-BENCHMARK", "MODEL-CPU-NO-GPU"), allowed=("MODEL-INFERENTIA", "SCALE-NONE")),
        Spec("model-server-queueing--near-miss-gpu-busy",
             "The same surge with the GPU at 88 %: the hardware is the bottleneck, not the workers",
             EMBEDDER_GPU, two_phase(QUEUE_BASE, replace(QUEUE_SURGE, gpu=88)), EMBEDDER_GPU_ALARM,
             "2026-11-20T09:12:00", rules=("SCALE-NONE",), absent=("MODEL-SERVER-QUEUEING", "MODEL-BENCHMARK"), allowed=("MODEL-INFERENTIA",)),

        # ASYNC-BACKLOG (and SCALE-* never for async)
        Spec("async-backlog--queue-grows-no-autoscaling",
             "Async Whisper on 2x ml.g5.2xlarge: 8-15 requests queued per instance, the oldest ageing 2 -> 16 min",
             TRANSCRIBER, growing_queue, TRANSCRIBER_BACKLOG_ALARM, "2026-11-21T16:40:00",
             rules=("ASYNC-BACKLOG",), absent=("SCALE-NONE", "SCALE-AT-MAX", "MODEL-TIMEOUTS")),
        Spec("async-backlog--near-miss-steady-queue",
             "The transcriber with slower transcriptions but a steady queue (1 per instance, oldest 40 s)",
             TRANSCRIBER, two_phase(TRANSCRIBER_CALM, replace(TRANSCRIBER_CALM, model_ms=30000)),
             Alarm("ModelLatency", threshold_ms=20000), "2026-11-21T16:40:00",
             absent=("ASYNC-BACKLOG", "SCALE-NONE", "MODEL-TIMEOUTS"), allowed=("MODEL-BENCHMARK", "MODEL-INFERENTIA")),

        # SERVERLESS-CONCURRENCY / SERVERLESS-SPILLOVER
        Spec("serverless-concurrency--at-max-concurrency",
             "Serverless embedder: traffic 2.5x, concurrent executions at 93 % of MaxConcurrency 20",
             FAQ, two_phase(FAQ_CALM, FAQ_BUSY), FAQ_ALARM, "2026-11-25T12:14:00",
             rules=("SERVERLESS-CONCURRENCY",), absent=("SERVERLESS-SPILLOVER", "SCALE-NONE", *MODEL_RULES)),
        Spec("serverless-concurrency--near-miss-half-used",
             "The same latency rise with concurrent executions at 50 % of MaxConcurrency",
             FAQ, two_phase(FAQ_CALM, replace(FAQ_BUSY, concurrency=0.5)), FAQ_ALARM, "2026-11-25T12:14:00",
             absent=("SERVERLESS-CONCURRENCY", "SERVERLESS-SPILLOVER", "SCALE-NONE"), allowed=("UNEXPLAINED",)),
        Spec("serverless-spillover--beyond-provisioned-concurrency",
             "Serverless embedder with ProvisionedConcurrency 4: 2-4 requests a minute spill over to cold capacity",
             replace(FAQ, provisioned=4), two_phase(FAQ_CALM, replace(FAQ_BUSY, concurrency=0.5, spillover=3)),
             FAQ_ALARM, "2026-11-25T12:14:00", rules=("SERVERLESS-SPILLOVER",), absent=("SERVERLESS-CONCURRENCY",)),
        Spec("serverless-spillover--near-miss-within-provisioned",
             "The same endpoint and latency with every request served by the provisioned concurrency",
             replace(FAQ, provisioned=4), two_phase(FAQ_CALM, replace(FAQ_BUSY, concurrency=0.5)),
             FAQ_ALARM, "2026-11-25T12:14:00", absent=("SERVERLESS-SPILLOVER", "SERVERLESS-CONCURRENCY"), allowed=("UNEXPLAINED",)),

        # ERRORS on Invocation4XXErrors (clients refused and retrying)
        Spec("errors--4xx-at-8-percent",
             "The DJL endpoint refusing 8 % of requests (4XX) during the latency rise",
             SUMMARIZER, two_phase(SUMMARIZER_CALM, replace(SUMMARIZER_CALM, rpm=95, model_ms=8000,
                                                            client_error_rate=0.08)),
             SUMMARIZER_ALARM, "2026-11-26T03:58:00", rules=("ERRORS",), absent=("UNEXPLAINED",), allowed=("MODEL-BENCHMARK",)),
        Spec("errors--near-miss-4xx-at-3-percent",
             "The same rise with 3 % of requests refused: client noise, under the 5 % bar",
             SUMMARIZER, two_phase(SUMMARIZER_CALM, replace(SUMMARIZER_CALM, rpm=95, model_ms=8000,
                                                            client_error_rate=0.03)),
             SUMMARIZER_ALARM, "2026-11-26T03:58:00", absent=("ERRORS",), allowed=("MODEL-BENCHMARK",)),

        # Faults: one evidence call failing at a time (SPEC §8)
        Spec("fault--describe-endpoint-config-denied-still-scales",
             "DescribeEndpointConfig denied on the saturated endpoint: DescribeEndpoint's instance count and the "
             "invocations per instance still show the load, so SCALE-NONE still runs",
             CHURN, no_autoscaling_load, CHURN_ALARM, "2026-11-28T08:30:00",
             faults=({"operation": "sagemaker.DescribeEndpointConfig", "error": "AccessDeniedException",
                      "times": -1},),
             rules=("SCALE-NONE",), errors=("sagemaker.DescribeEndpointConfig",)),
        Spec("fault--get-metric-data-throttled",
             "GetMetricData throttled on every attempt: the diagnosis comes out from configuration alone",
             EMBEDDER, EMBEDDER_TRAFFIC, EMBEDDER_ALARM, "2026-11-28T08:30:00",
             faults=({"operation": "cloudwatch.GetMetricData", "error": "ThrottlingException", "times": -1},),
             rules=("MODEL-CPU-NO-GPU",), absent=("UNEXPLAINED", "SCALE-NONE", "MODEL-BENCHMARK"),
             errors=("cloudwatch.GetMetricData",), allowed=("MODEL-INFERENTIA",)),
        Spec("fault--describe-endpoint-access-denied",
             "DescribeEndpoint denied by IAM: not the same as a deleted endpoint",
             CHURN, no_autoscaling_load, CHURN_ALARM, "2026-11-28T08:30:00",
             faults=({"operation": "sagemaker.DescribeEndpoint", "error": "AccessDeniedException", "times": -1},),
             absent=("ENDPOINT-NOT-FOUND", "ENDPOINT-NOT-IN-SERVICE"), errors=("sagemaker.DescribeEndpoint",), allowed=("UNEXPLAINED",)),
        Spec("fault--describe-endpoint-config-throttled",
             "DescribeEndpointConfig throttled on every attempt: the diagnosis goes on without the configuration",
             EMBEDDER, EMBEDDER_TRAFFIC, EMBEDDER_ALARM, "2026-11-28T08:30:00",
             faults=({"operation": "sagemaker.DescribeEndpointConfig", "error": "ThrottlingException",
                      "times": -1},),
             absent=("ENDPOINT-NOT-FOUND",), errors=("sagemaker.DescribeEndpointConfig",), allowed=("MODEL-BENCHMARK",)),
        Spec("fault--describe-model-access-denied",
             "DescribeModel denied by IAM: the diagnosis goes on without the model description",
             EMBEDDER, EMBEDDER_TRAFFIC, EMBEDDER_ALARM, "2026-11-28T08:30:00",
             faults=({"operation": "sagemaker.DescribeModel", "error": "AccessDeniedException", "times": -1},),
             absent=("ENDPOINT-NOT-FOUND",), errors=("sagemaker.DescribeModel",), allowed=("MODEL-BENCHMARK",)),
        Spec("fault--describe-scalable-targets-throttled-twice",
             "DescribeScalableTargets throttled twice then answered: retried, no missing evidence",
             at_max, no_autoscaling_load, CHURN_ALARM, "2026-11-28T08:30:00",
             faults=({"operation": "application-autoscaling.DescribeScalableTargets", "error": "ThrottlingException",
                      "times": 2},),
             rules=("SCALE-AT-MAX",), absent=("SCALE-NONE",), errors=()),
        Spec("fault--describe-scalable-targets-access-denied",
             "DescribeScalableTargets denied: unknown autoscaling is not 'no autoscaling'",
             CHURN, no_autoscaling_load, CHURN_ALARM, "2026-11-28T08:30:00",
             faults=({"operation": "application-autoscaling.DescribeScalableTargets",
                      "error": "AccessDeniedException", "times": -1},),
             absent=("SCALE-NONE", "SCALE-AT-MAX"), errors=("application-autoscaling.DescribeScalableTargets",), allowed=("UNEXPLAINED",)),
        # Inference components (SPEC §4b): a Llama 3 8B on TGI as an IC, one GPU per copy, on a 4-GPU ml.g5.12xlarge
        Spec("ic-copies-at-max--llm-copies-at-maximum",
             "TGI IC with copy-count target tracking at its MaxCapacity (4 copies on 4 GPUs): concurrency per copy "
             "10x baseline, GPU 90 % of the reservation",
             CHAT_HOST, CHAT_SURGE, CHAT_ALARM, "2026-11-18T14:12:00",
             rules=("IC-COPIES-AT-MAX",), absent=("IC-NO-AUTOSCALING", "SCALE-AT-MAX", "SCALE-NONE", "MODEL-NEO",
                                                  "MODEL-BENCHMARK", "UNEXPLAINED")),
        Spec("unexplained--tgi-ic-copies-with-headroom",
             "Near miss of IC-COPIES-AT-MAX: the same surge with the copy count's MaxCapacity at 8 (room to add "
             "copies); nothing else applies",
             replace(CHAT_HOST, component=replace(CHAT, autoscaling=(1, 8))), CHAT_SURGE, CHAT_ALARM,
             "2026-11-18T14:12:00",
             rules=("UNEXPLAINED",), absent=("IC-COPIES-AT-MAX", "IC-NO-AUTOSCALING", "SCALE-AT-MAX")),
        Spec("instance-imbalance--ic-copy-gets-3x-random-routing",
             "The TGI IC's surge on 2 instances with enhanced metrics and random routing: one of its 4 copies "
             "serves 3x the requests of each other one",
             IMBALANCED_CHAT, CHAT_SURGE, CHAT_ALARM, "2026-11-18T14:12:00",
             rules=("INSTANCE-IMBALANCE",), absent=("IC-COPIES-AT-MAX", "IC-NO-AUTOSCALING", "UNEXPLAINED")),
        Spec("instance-imbalance--near-miss-ic-copy-at-1-5x",
             "The same IC with the busiest copy at 1.5x the others' requests: nothing else applies",
             replace(IMBALANCED_CHAT, requests=(1.0, 1.0, 1.0, 1.5)), CHAT_SURGE, CHAT_ALARM, "2026-11-18T14:12:00",
             rules=("UNEXPLAINED",), absent=("INSTANCE-IMBALANCE", "IC-COPIES-AT-MAX")),
        # The instance-choice rules read an IC's image and instance type (SPEC §4b)
        Spec("model-cpu-no-gpu--pytorch-ic-on-c5",
             "PyTorch ResNet-50 as an inference component on ml.c5.2xlarge (2 cores per copy, no accelerator): "
             "ModelLatency 110 -> 420 ms at flat traffic",
             EMBED_IC_HOST, EMBEDDER_TRAFFIC, EMBEDDER_ALARM, "2026-11-12T08:30:00",
             rules=("MODEL-CPU-NO-GPU",), absent=("IC-NO-AUTOSCALING", "IC-COPIES-AT-MAX", "SCALE-NONE"),
             allowed=("MODEL-INFERENTIA", "MODEL-BENCHMARK")),
        Spec("model-cpu-no-gpu--near-miss-pytorch-ic-on-g5",
             "The same inference component with the GPU image on ml.g5.2xlarge, one copy with one accelerator",
             EMBED_IC_ON_GPU, EMBEDDER_GPU_TRAFFIC, EMBEDDER_GPU_ALARM, "2026-11-12T08:30:00",
             absent=("MODEL-CPU-NO-GPU", "IC-COPIES-AT-MAX"), allowed=("MODEL-INFERENTIA", "MODEL-BENCHMARK")),
        # GPU-MEMORY-PRESSURE, LLM-GPUS-UNUSED and LLM-NO-CONTINUOUS-BATCHING on inference components
        Spec("gpu-memory-pressure--reranker-ic-memory-96",
             "A PyTorch reranker IC (1 GPU per copy): GPU memory normalized to the reservation 70 % -> 96 % while "
             "latency triples at flat traffic",
             RERANK_IC_HOST, two_phase(RERANK_CALM, replace(RERANK_CALM, model_ms=130, gpu_memory=96)),
             RERANK_ALARM, "2026-11-19T09:20:00", rules=("GPU-MEMORY-PRESSURE",),
             absent=("IC-NO-AUTOSCALING", "IC-COPIES-AT-MAX", "UNEXPLAINED"),
             allowed=("MODEL-BENCHMARK", "MODEL-INFERENTIA")),
        Spec("gpu-memory-pressure--near-miss-reranker-ic-memory-82",
             "The same IC with GPU memory 70 % -> 82 %: under 90 % and 12 points up",
             RERANK_IC_HOST, two_phase(RERANK_CALM, replace(RERANK_CALM, model_ms=130, gpu_memory=82)),
             RERANK_ALARM, "2026-11-19T09:20:00", absent=("GPU-MEMORY-PRESSURE", "UNEXPLAINED"),
             allowed=("MODEL-BENCHMARK", "MODEL-INFERENTIA")),
        Spec("llm-gpus-unused--tgi-ic-on-1-of-4-reserved-gpus",
             "A TGI IC whose copy reserves 4 accelerators with SM_NUM_GPUS=1: the model is sharded over 1",
             replace(CHAT_HOST, component=replace(WHOLE_GPU_CHAT, environment={**WHOLE_GPU_CHAT.environment,
                                                                               "SM_NUM_GPUS": "1"})),
             WHOLE_GPU_SLOW, CHAT_ALARM, "2026-11-18T14:12:00", rules=("LLM-GPUS-UNUSED",),
             absent=("GPU-MEMORY-PRESSURE", "UNEXPLAINED"), allowed=("MODEL-BENCHMARK",)),
        Spec("llm-gpus-unused--near-miss-tgi-ic-on-4-of-4",
             "The same IC with SM_NUM_GPUS=4: the model spans all 4 reserved accelerators",
             replace(CHAT_HOST, component=WHOLE_GPU_CHAT), WHOLE_GPU_SLOW, CHAT_ALARM, "2026-11-18T14:12:00",
             absent=("LLM-GPUS-UNUSED", "GPU-MEMORY-PRESSURE"), allowed=("MODEL-BENCHMARK", "UNEXPLAINED")),
        Spec("llm-no-continuous-batching--lmi-v10-ic",
             "An LMI v10 IC (4 accelerators per copy) with OPTION_ROLLING_BATCH=disable and ~5 concurrent requests "
             "per copy",
             replace(CHAT_HOST, component=LMI_CHAT), WHOLE_GPU_SLOW, CHAT_ALARM, "2026-11-18T14:12:00",
             rules=("LLM-NO-CONTINUOUS-BATCHING",), absent=("LLM-GPUS-UNUSED", "UNEXPLAINED"),
             allowed=("MODEL-BENCHMARK",)),
        Spec("llm-no-continuous-batching--near-miss-lmi-v17-ic",
             "The same IC on LMI v17, whose vLLM handler batches continuously (async mode) by default",
             replace(CHAT_HOST, component=replace(LMI_CHAT, image=DJL_LMI_17)), WHOLE_GPU_SLOW, CHAT_ALARM,
             "2026-11-18T14:12:00", absent=("LLM-NO-CONTINUOUS-BATCHING",), allowed=("MODEL-BENCHMARK", "UNEXPLAINED")),
        Spec("ic-no-room--llm-copies-waiting-for-instances",
             "TGI IC scaled to 6 copies on one 4-GPU instance without managed instance scaling: 2 copies wait "
             "unplaced during the surge",
             CHAT_CROWDED, CHAT_SURGE, CHAT_ALARM, "2026-11-18T14:12:00",
             rules=("IC-NO-ROOM",), absent=("IC-COPIES-AT-MAX", "IC-NO-AUTOSCALING", "SCALE-AT-MAX", "UNEXPLAINED")),
        Spec("unexplained--tgi-ic-copies-wait-for-managed-scaling",
             "Near miss of IC-NO-ROOM: the same 2 copies waiting, with managed instance scaling on and room to "
             "add an instance (1 of MaxInstanceCount 2)",
             replace(CHAT_CROWDED, managed_scaling=(1, 2)), CHAT_SURGE, CHAT_ALARM, "2026-11-18T14:12:00",
             rules=("UNEXPLAINED",), absent=("IC-NO-ROOM", "IC-COPIES-AT-MAX", "IC-NO-AUTOSCALING")),
        Spec("ic-scaled-from-zero--llm-woken-by-first-requests",
             "TGI IC that may scale to zero: copies 0 while idle, woken at -12 min; the first requests fail with "
             "NoCapacityInvocationFailures, then run cold",
             replace(CHAT_HOST, component=CHAT_TO_ZERO, managed_scaling=(0, 2)), CHAT_WOKEN, CHAT_ALARM,
             "2026-11-18T14:12:00",
             rules=("IC-SCALED-FROM-ZERO",), absent=("IC-NO-AUTOSCALING", "IC-COPIES-AT-MAX", "IC-NO-ROOM",
                                                     "UNEXPLAINED")),
        Spec("unexplained--tgi-ic-idle-kept-warm",
             "Near miss of IC-SCALED-FROM-ZERO: the same idle spell and slow return, with the copy count kept at "
             "1 (MinCapacity 1): no request failed for want of capacity",
             replace(CHAT_HOST, component=replace(CHAT, copies=1, autoscaling=(1, 4))), CHAT_KEPT_WARM, CHAT_ALARM,
             "2026-11-18T14:12:00",
             rules=("UNEXPLAINED",), absent=("IC-SCALED-FROM-ZERO", "IC-NO-AUTOSCALING", "IC-COPIES-AT-MAX")),
        Spec("ic-no-autoscaling--llm-fixed-copies",
             "TGI IC with 2 fixed copies and no scalable target on its copy count: concurrency per copy 10x "
             "baseline, GPU 90 %",
             replace(CHAT_HOST, component=replace(CHAT, copies=2, autoscaling=None)), CHAT_SURGE, CHAT_ALARM,
             "2026-11-18T14:12:00",
             rules=("IC-NO-AUTOSCALING",), absent=("IC-COPIES-AT-MAX", "SCALE-NONE", "MODEL-BENCHMARK",
                                                   "UNEXPLAINED")),
Spec("unexplained--tgi-ic-copies-can-scale-out",
             "Near miss of IC-NO-AUTOSCALING: the same surge on 2 copies whose copy count has target tracking "
             "(MaxCapacity 8, room to add copies); nothing else applies",
             replace(CHAT_HOST, component=replace(CHAT, copies=2, autoscaling=(1, 8))), CHAT_SURGE, CHAT_ALARM,
             "2026-11-18T14:12:00",
             rules=("UNEXPLAINED",), absent=("IC-NO-AUTOSCALING", "IC-COPIES-AT-MAX", "SCALE-NONE")),
    ]


# -- facts: the numbers each rule compares, for reviewing margins --

def facts(document: Mapping[str, Any]) -> dict[str, str]:
    """Incident vs baseline figures computed from a scenario's own datapoints."""
    t_series: dict[str, list[dict[str, Any]]] = {}
    for call in document["setup"]:
        if call["operation"] == "PutMetricData":
            for datum in call["params"]["MetricData"]:
                t_series.setdefault(datum["MetricName"], []).append(datum)

    def window(metric: str, incident: bool) -> list[dict[str, Any]]:
        lo, hi = (INCIDENT_START, 0) if incident else (BASELINE_START, INCIDENT_START)
        return [d for d in t_series.get(metric, []) if lo <= d["Timestamp"] < hi]

    def mean(metric: str, incident: bool) -> float | None:
        total = n = 0.0
        for d in window(metric, incident):
            values, counts = d.get("Values", [d.get("Value")]), d.get("Counts", [1])
            total += sum(v * c for v, c in zip(values, counts, strict=True))
            n += sum(counts)
        return total / n if n else None

    def per_minute(metric: str, incident: bool) -> float:
        minutes = 15 if incident else 180
        return sum(d["Value"] for d in window(metric, incident)) / minutes

    out: dict[str, str] = {}
    busy = {d["Timestamp"] for d in t_series.get("Invocations", []) if d["Timestamp"] >= BASELINE_START}
    out["idle minutes"] = f"{195 - len(busy)}/195"
    gaps, previous = [], BASELINE_START - MINUTE
    for minute in sorted(busy):
        gaps.append((minute - previous) // MINUTE - 1)
        previous = minute
    out["longest idle run"] = f"{max(gaps, default=0)} min"
    if "InvocationsPerInstance" in t_series:
        ratio = per_minute("InvocationsPerInstance", True) / per_minute("InvocationsPerInstance", False)
        out["invocations/instance"] = f"{ratio:.2f}x"
    for metric, unit in (("CPUUtilization", "raw %"), ("GPUUtilization", "raw %")):
        if metric in t_series:
            out[metric] = f"{mean(metric, True):.0f} {unit} (baseline {mean(metric, False):.0f})"
    for metric in ("ModelLatency", "OverheadLatency"):
        base = [v for d in window(metric, False) for v, c in zip(d["Values"], d["Counts"], strict=True)
                for _ in range(c)]
        if base:
            p90 = sorted(base)[math.ceil(0.9 * len(base)) - 1] / 1000
            peak = max(max(d["Values"]) for d in window(metric, True)) / 1000
            out[metric] = f"mean {mean(metric, True) / 1000:.0f} ms vs baseline p90 {p90:.0f} ms, max {peak:.0f} ms"
    for metric in ("Invocation5XXErrors", "InvocationModelErrors", "Invocation4XXErrors", "ModelCacheHit"):
        if metric in t_series:
            out[metric] = f"{mean(metric, True):.4f}"
    wait = mean("ModelLoadingWaitTime", True)
    if wait:
        out["download/wait"] = f"{mean('ModelDownloadingTime', True) / wait:.2f}"
        out["load/wait"] = f"{mean('ModelLoadingTime', True) / wait:.2f}"
    out["ModelSetupTime in incident"] = str(len(window("ModelSetupTime", True)))
    return out


def render_all(names: Iterable[str] = ()) -> dict[str, str]:
    """File name -> the exact text of every scenario file (or only the named ones)."""
    wanted = {name.removesuffix(".json") for name in names}
    chosen = [spec for spec in specs() if not wanted or spec.file in wanted]
    unknown = wanted - {spec.file for spec in chosen}
    if unknown:
        raise SystemExit(f"no such scenario: {', '.join(sorted(unknown))}")
    built = {}
    for spec in chosen:
        text = render(build(spec))
        if len(text.encode()) > MAX_FILE_BYTES:
            raise SystemExit(f"{spec.file}: {len(text.encode())} bytes, over {MAX_FILE_BYTES}")
        built[f"{spec.file}.json"] = text
    return built


def write(out: Path, names: Iterable[str] = ()) -> tuple[int, int]:
    """Write the scenarios into `out` (only files whose text changed, and stale ones removed when all are built).

    Returns (scenarios, files written).
    """
    names = list(names)
    built = render_all(names)
    out.mkdir(parents=True, exist_ok=True)
    if not names:  # a full build: files of scenarios that no longer exist would be replayed as if current
        for old in out.glob("*.json"):
            if old.name not in built:
                old.unlink()
    stale = [name for name, text in built.items()
             if not (out / name).exists() or (out / name).read_text(encoding="utf-8") != text]
    for name in stale:
        (out / name).write_text(built[name], encoding="utf-8")
    return len(built), len(stale)


def main(argv: list[str] | None = None) -> int:
    """Write or summarise the scenario files."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("names", nargs="*", help="scenario names (default: all)")
    parser.add_argument("--out", type=Path, default=HERE, help="folder to write into (default: tests/scenarios)")
    parser.add_argument("--facts", action="store_true", help="print the figures each scenario's rules compare")
    args = parser.parse_args(argv)
    if args.facts:
        for name, text in render_all(args.names).items():
            print(name)
            for key, value in facts(json.loads(text)).items():
                print(f"    {key}: {value}")
        return 0
    count, written = write(args.out, args.names)
    print(f"{count} scenarios in {args.out}, {written} written")
    return 0


if __name__ == "__main__":
    sys.exit(main())

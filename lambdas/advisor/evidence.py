"""Gather the evidence for one alarm in a handful of AWS calls (the only module here that does I/O).

Five calls in the common case, three of them in parallel branches: one batched GetMetricData for every
series the rules need, DescribeScalableTargets, and DescribeEndpoint → DescribeEndpointConfig →
DescribeModel. A call that fails (denied, throttled past the adaptive retries, timed out) is recorded and
the diagnosis goes on without it.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from advisor.events import AlarmEvent
from advisor.frameworks import identify_image
from advisor.instances import instance_spec
from advisor.snapshot import (
    MICROSECOND_METRICS,
    MINUTE,
    EndpointKind,
    EndpointState,
    Evidence,
    EvidenceError,
    MetricData,
    ScalingState,
    Series,
    VariantState,
    Windows,
)
from advisor.thresholds import DEFAULT, Thresholds

SAGEMAKER = "AWS/SageMaker"
INSTANCE_NAMESPACE = "/aws/sagemaker/Endpoints"

# (namespace, metric, statistics): every series any rule reads, fetched in one GetMetricData call.
METRIC_QUERIES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (SAGEMAKER, "ModelLatency", ("Sum", "SampleCount", "Maximum", "p90")),
    (SAGEMAKER, "OverheadLatency", ("Sum", "SampleCount", "p90")),
    (SAGEMAKER, "Invocations", ("Sum",)),
    (SAGEMAKER, "InvocationsPerInstance", ("Sum",)),
    (SAGEMAKER, "Invocation5XXErrors", ("Sum", "SampleCount")),
    (SAGEMAKER, "ModelError", ("Sum", "SampleCount")),
    (SAGEMAKER, "ModelLoadingWaitTime", ("Sum", "SampleCount")),
    (SAGEMAKER, "ModelDownloadingTime", ("Sum", "SampleCount")),
    (SAGEMAKER, "ModelLoadingTime", ("Sum", "SampleCount")),
    (SAGEMAKER, "ModelCacheHit", ("Sum", "SampleCount")),
    (SAGEMAKER, "LoadedModelCount", ("Maximum",)),
    (SAGEMAKER, "ModelSetupTime", ("Sum", "SampleCount", "Maximum")),
    (INSTANCE_NAMESPACE, "CPUUtilization", ("Average",)),
    (INSTANCE_NAMESPACE, "GPUUtilization", ("Average",)),
    (INSTANCE_NAMESPACE, "MemoryUtilization", ("Average",)),
)

_RETRY_CONFIG = {"mode": "adaptive", "max_attempts": 4}


class ApiCallCounter:
    """Counts every API operation the advisor's clients make (botocore `before-call`, retries excluded)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.calls: Counter[str] = Counter()

    def __call__(self, model: Any, **_: Any) -> None:
        with self._lock:
            self.calls[f"{model.service_model.service_name}.{model.name}"] += 1

    def reset(self) -> None:
        """Start counting a new diagnosis."""
        with self._lock:
            self.calls.clear()

    def snapshot(self) -> dict[str, Any]:
        """The SPEC §5 `api_calls` object."""
        with self._lock:
            return {"total": sum(self.calls.values()), "by_operation": dict(sorted(self.calls.items()))}


@dataclass(frozen=True)
class AdvisorClients:
    """The three clients the advisor uses in one region, and the counter attached to them."""

    cloudwatch: Any
    sagemaker: Any
    autoscaling: Any
    counter: ApiCallCounter


def _utc_timestamp(value: Any) -> datetime:
    """botocore's timestamp parsing without dateutil: epoch numbers straight to aware UTC datetimes.

    The default builds a dateutil tzlocal() per value: ~85 ms for a 5,000-point GetMetricData (bench/README.md).
    """
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    from botocore.utils import parse_timestamp

    return parse_timestamp(value)


@lru_cache(maxsize=8)
def advisor_clients(session: Any, region: str) -> AdvisorClients:
    """Clients built once per session and region (reused across warm Lambda invocations)."""
    from botocore.config import Config

    # A client takes its response parser when it is built, so this comes first (as the AWS CLI does).
    botocore_session = getattr(session, "_session", session)
    botocore_session.get_component("response_parser_factory").set_parser_defaults(timestamp_parser=_utc_timestamp)
    config = Config(retries=_RETRY_CONFIG, connect_timeout=3, read_timeout=10,
                    user_agent_extra="sagemaker-latency-advisor")
    counter = ApiCallCounter()
    clients = [session.client(name, region_name=region, config=config)
               for name in ("cloudwatch", "sagemaker", "application-autoscaling")]
    for client in clients:
        client.meta.events.register("before-call.*.*", counter)
    return AdvisorClients(*clients, counter=counter)


def _error_of(exc: BaseException) -> tuple[str, str]:
    """(code, message) of a failed AWS call, for the diagnosis' `errors`."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict) and "Error" in response:
        error = response["Error"]
        return str(error.get("Code", "Unknown")), str(error.get("Message", ""))[:300]
    name = type(exc).__name__
    code = "Timeout" if "Timeout" in name else name
    return code, str(exc)[:300]


def _queries(alarm: AlarmEvent) -> list[tuple[str, str, str]]:
    """(namespace, metric, stat) triples, plus the alarm's own statistic on its own metric."""
    wanted = [(ns, metric, stat) for ns, metric, stats in METRIC_QUERIES for stat in stats]
    if (SAGEMAKER, alarm.metric, alarm.stat) not in wanted:
        wanted.append((SAGEMAKER, alarm.metric, alarm.stat))
    return wanted


def fetch_metrics(cloudwatch: Any, alarm: AlarmEvent, windows: Windows) -> MetricData:
    """One batched GetMetricData (paginated only past 100,800 datapoints) for every series the rules read."""
    dimensions = [{"Name": "EndpointName", "Value": alarm.endpoint},
                  {"Name": "VariantName", "Value": alarm.variant}]
    wanted = _queries(alarm)
    queries = [{"Id": f"q{i}", "ReturnData": True,
                "MetricStat": {"Metric": {"Namespace": ns, "MetricName": metric, "Dimensions": dimensions},
                               "Period": MINUTE, "Stat": stat}}
               for i, (ns, metric, stat) in enumerate(wanted)]
    anchor = windows.anchor
    request: dict[str, Any] = {"MetricDataQueries": queries, "StartTime": windows.start, "EndTime": anchor,
                               "ScanBy": "TimestampAscending"}
    points: dict[str, dict[int, float]] = {q["Id"]: {} for q in queries}
    while True:
        page = cloudwatch.get_metric_data(**request)
        for result in page.get("MetricDataResults", []):
            target = points.setdefault(result["Id"], {})
            for ts, value in zip(result.get("Timestamps", []), result.get("Values", []), strict=False):
                if value is None:
                    continue
                offset = int((ts - anchor).total_seconds() // MINUTE) * MINUTE
                target[offset] = float(value)
        if not page.get("NextToken"):
            break
        request["NextToken"] = page["NextToken"]
    series: dict[tuple[str, str], Series] = {}
    for query, (_, metric, stat) in zip(queries, wanted, strict=True):
        values = points[query["Id"]]
        if metric in MICROSECOND_METRICS and stat != "SampleCount":
            values = {t: v / 1000.0 for t, v in values.items()}
        series[(metric, stat)] = Series(values)
    return MetricData(series, windows)


def fetch_scaling(autoscaling: Any, alarm: AlarmEvent) -> ScalingState:
    """The variant's scalable target, if any."""
    resource_id = f"endpoint/{alarm.endpoint}/variant/{alarm.variant}"
    page = autoscaling.describe_scalable_targets(ServiceNamespace="sagemaker", ResourceIds=[resource_id])
    for target in page.get("ScalableTargets", []):
        if target.get("ResourceId") == resource_id and target.get("ScalableDimension", "").startswith(
                "sagemaker:variant:DesiredInstanceCount"):
            return ScalingState(True, target.get("MinCapacity"), target.get("MaxCapacity"))
    return ScalingState(False)


def _is_not_found(code: str) -> bool:
    # DescribeEndpoint's one parameter is the name, so its ValidationException ("Could not find endpoint ...",
    # or a name no endpoint can have) means there is no such endpoint.
    return code in ("ValidationException", "ResourceNotFound", "ResourceNotFoundException")


def _container(model: dict[str, Any]) -> dict[str, Any]:
    """The model's serving container: PrimaryContainer, else the first of an inference pipeline's Containers."""
    return model.get("PrimaryContainer") or (model.get("Containers") or [{}])[0]


def _kind(config: dict[str, Any] | None, variant_config: dict[str, Any] | None,
          model: dict[str, Any] | None, summary: dict[str, Any]) -> EndpointKind | None:
    if (variant_config or {}).get("ServerlessConfig") or summary.get("CurrentServerlessConfig"):
        return "serverless"
    if config is not None and config.get("AsyncInferenceConfig"):
        return "async"
    if model is not None:
        return "multi-model" if _container(model).get("Mode") == "MultiModel" else "real-time"
    return None


class _EndpointReader:
    """DescribeEndpoint → DescribeEndpointConfig → DescribeModel, recording what failed."""

    def __init__(self, sagemaker: Any, alarm: AlarmEvent, errors: list[EvidenceError]) -> None:
        self.sagemaker = sagemaker
        self.alarm = alarm
        self.errors = errors
        self.missing: set[str] = set()
        self.not_found = False

    def _call(self, evidence: str, operation: str, fn: Callable[[], dict[str, Any]]) -> dict[str, Any] | None:
        try:
            return fn()
        except Exception as exc:  # any failure of one call is evidence missing, never the end of a diagnosis
            code, message = _error_of(exc)
            if operation == "DescribeEndpoint" and _is_not_found(code):
                self.not_found = True
            else:
                self.errors.append(EvidenceError(f"sagemaker.{operation}", code, message))
            self.missing.add(evidence)
            return None

    def read(self) -> EndpointState | None:
        alarm = self.alarm
        endpoint = self._call("endpoint", "DescribeEndpoint",
                              lambda: self.sagemaker.describe_endpoint(EndpointName=alarm.endpoint))
        if endpoint is None:
            self.missing.update({"config", "model"})
            return None
        summary = next((v for v in endpoint.get("ProductionVariants") or []
                        if v.get("VariantName") == alarm.variant), {})
        config_name = endpoint.get("EndpointConfigName")
        config = self._call("config", "DescribeEndpointConfig",
                            lambda: self.sagemaker.describe_endpoint_config(EndpointConfigName=config_name))
        variant_config = next((v for v in (config or {}).get("ProductionVariants") or []
                               if v.get("VariantName") == alarm.variant), None)
        if config is not None and variant_config is None:
            self.errors.append(EvidenceError("sagemaker.DescribeEndpointConfig", "VariantNotFound",
                                             f"variant {alarm.variant!r} is not in {config_name}"))
            self.missing.add("config")
        model = None
        if variant_config and variant_config.get("ModelName"):
            model = self._call("model", "DescribeModel",
                               lambda: self.sagemaker.describe_model(ModelName=variant_config["ModelName"]))
        else:
            self.missing.add("model")
        return self._state(endpoint, summary, config, variant_config or {}, model)

    def _state(self, endpoint: dict[str, Any], summary: dict[str, Any], config: dict[str, Any] | None,
               variant_config: dict[str, Any], model: dict[str, Any] | None) -> EndpointState:
        serverless = summary.get("CurrentServerlessConfig") or variant_config.get("ServerlessConfig") or {}
        instance_type = variant_config.get("InstanceType")
        image = None
        if model is not None:
            image = _container(model).get("Image")
        if image is None:
            deployed = summary.get("DeployedImages") or [{}]
            image = deployed[0].get("SpecifiedImage") or deployed[0].get("ResolvedImage")
        variant = VariantState(
            name=self.alarm.variant, instance_type=instance_type,
            instance=instance_spec(instance_type) if instance_type else None,
            current_instance_count=summary.get("CurrentInstanceCount"),
            model_name=variant_config.get("ModelName"),
            serverless_memory_mb=serverless.get("MemorySizeInMB"),
            serverless_max_concurrency=serverless.get("MaxConcurrency"),
            provisioned_concurrency=serverless.get("ProvisionedConcurrency"),
        )
        return EndpointState(
            name=self.alarm.endpoint, arn=endpoint.get("EndpointArn"),
            status=str(endpoint.get("EndpointStatus", "Unknown")), failure_reason=endpoint.get("FailureReason"),
            creation_time=endpoint.get("CreationTime"), last_modified_time=endpoint.get("LastModifiedTime"),
            config_name=endpoint.get("EndpointConfigName"),
            kind=_kind(config, variant_config if config else None, model, summary),
            variant=variant, image=identify_image(image) if image else None,
            async_config=bool((config or {}).get("AsyncInferenceConfig")),
        )


def gather_evidence(alarm: AlarmEvent, clients: AdvisorClients, *, budget_s: float = 25.0,
                    thresholds: Thresholds = DEFAULT) -> Evidence:
    """Fill the evidence snapshot for an alarm; independent calls run in parallel within a time budget."""
    windows = Windows.for_alarm(alarm, thresholds)
    errors: list[EvidenceError] = []
    reader = _EndpointReader(clients.sagemaker, alarm, errors)
    missing: set[str] = set()
    results: dict[str, Any] = {}
    jobs: dict[str, tuple[str, Callable[[], Any]]] = {
        "metrics": ("cloudwatch.GetMetricData", lambda: fetch_metrics(clients.cloudwatch, alarm, windows)),
        "scaling": ("application-autoscaling.DescribeScalableTargets",
                    lambda: fetch_scaling(clients.autoscaling, alarm)),
        "endpoint": ("sagemaker.DescribeEndpoint", reader.read),
    }
    pool = ThreadPoolExecutor(max_workers=len(jobs), thread_name_prefix="evidence")
    futures = {key: pool.submit(fn) for key, (_, fn) in jobs.items()}
    deadline = time.monotonic() + budget_s
    for key, future in futures.items():
        operation = jobs[key][0]
        try:
            results[key] = future.result(timeout=max(0.0, deadline - time.monotonic()))
        except FutureTimeout:
            errors.append(EvidenceError(operation, "Timeout", f"no answer within the {budget_s:.0f} s budget"))
            missing.add(key)
        except Exception as exc:  # recorded as missing evidence; the diagnosis goes on
            code, message = _error_of(exc)
            errors.append(EvidenceError(operation, code, message))
            missing.add(key)
    pool.shutdown(wait=False, cancel_futures=True)
    missing |= reader.missing
    return Evidence(alarm=alarm, windows=windows, endpoint=results.get("endpoint"),
                    endpoint_missing=reader.not_found, scaling=results.get("scaling"),
                    metrics=results.get("metrics"), errors=tuple(errors), missing=frozenset(missing),
                    thresholds=thresholds)

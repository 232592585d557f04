"""Gather the evidence for one alarm in a handful of AWS calls (the only module here that does I/O).

Five calls in the common case, three of them in parallel branches: one batched GetMetricData for every
series the rules need, DescribeScalableTargets, and DescribeEndpoint → DescribeEndpointConfig →
DescribeModel. An alarm on an inference component (IC) metric reads the IC's metrics and its copy-count
scalable target (both need only the IC's name), and DescribeInferenceComponent → DescribeEndpoint →
DescribeEndpointConfig (→ DescribeModel only when the IC names no image): at most 8 calls. Per-instance
series (enhanced metrics) come from SEARCH expressions in the same GetMetricData call. A call that
fails (denied, throttled past the adaptive retries, timed out) is recorded and
the diagnosis goes on without it.
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from advisor.catalogue import CATALOGUE, COMPONENT_ONLY, Kind, metric, per_instance_measures
from advisor.events import AlarmEvent
from advisor.frameworks import identify_image
from advisor.instances import instance_spec
from advisor.snapshot import (
    MINUTE,
    ComponentState,
    EndpointState,
    Evidence,
    EvidenceError,
    ManagedScaling,
    MetricData,
    ScalingActivity,
    ScalingPolicy,
    ScalingState,
    Series,
    Source,
    VariantState,
    Windows,
)
from advisor.thresholds import DEFAULT, Thresholds

# Every (metric, statistic) any rule reads, from the catalogue: fetched in one GetMetricData call. A variant's
# alarm reads the variant's metrics; an IC's alarm reads the metrics AWS publishes per IC.
METRIC_QUERIES: tuple[tuple[str, str], ...] = tuple(
    (entry.name, stat) for entry in CATALOGUE.values() if entry.dimensions_for(None) for stat in entry.stats)
COMPONENT_QUERIES: tuple[tuple[str, str], ...] = tuple(
    (entry.name, stat) for entry in CATALOGUE.values() if entry.dimensions_for(Kind.INFERENCE_COMPONENTS)
    for stat in entry.stats)
SCALABLE_DIMENSION = "sagemaker:variant:DesiredInstanceCount"
COPY_COUNT_DIMENSION = "sagemaker:inference-component:DesiredCopyCount"
# "Setting desired instance count to 4." (the Description Application Auto Scaling writes for SageMaker variants;
# "desired copy count" for inference components)
_DESIRED = re.compile(r"desired [a-z ]*count to (\d+)", re.IGNORECASE)
# Activities newer than this matter to the rules (cold starts, deployments vs scale-outs): 6 h back at most.
ACTIVITIES_MAX = 20

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
    cloudwatch, sagemaker, autoscaling = (session.client(name, region_name=region, config=config)
                                          for name in ("cloudwatch", "sagemaker", "application-autoscaling"))
    for client in (cloudwatch, sagemaker, autoscaling):
        client.meta.events.register("before-call.*.*", counter)
    return AdvisorClients(cloudwatch, sagemaker, autoscaling, counter=counter)


def _error_of(exc: BaseException) -> tuple[str, str]:
    """(code, message) of a failed AWS call, for the diagnosis' `errors`."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict) and "Error" in response:
        error = response["Error"]
        return str(error.get("Code", "Unknown")), str(error.get("Message", ""))[:300]
    name = type(exc).__name__
    code = "Timeout" if "Timeout" in name else name
    return code, str(exc)[:300]


def _queries(alarm: AlarmEvent) -> list[tuple[str, str]]:
    """(metric, stat) pairs, plus the alarm's own statistic on its own metric."""
    wanted = list(COMPONENT_QUERIES if alarm.inference_component else METRIC_QUERIES)
    if (alarm.metric, alarm.stat) not in wanted:
        wanted.append((alarm.metric, alarm.stat))
    return wanted


# Answers to a request CloudWatch refused as malformed: if it names the per-instance SEARCH, the metrics are
# fetched again without it rather than lost.
_REFUSED = frozenset({"ValidationError", "InvalidParameterValue", "InvalidParameterCombination",
                      "MissingRequiredParameter"})


def fetch_metrics(cloudwatch: Any, alarm: AlarmEvent, windows: Windows,
                  errors: list[EvidenceError] | None = None) -> MetricData:
    """One batched GetMetricData (paginated only past 100,800 datapoints) for every series the rules read.

    Each metric is queried in its own namespace with exactly the dimensions SageMaker publishes it with. The
    per-instance SEARCH expressions ride along; should CloudWatch refuse them, the call is made once more
    without them (recorded in `errors`), so a search can cost INSTANCE-IMBALANCE its evidence but never the
    diagnosis its metrics.
    """
    try:
        return _fetch_metrics(cloudwatch, alarm, windows, search=True)
    except Exception as exc:
        code, message = _error_of(exc)
        if code not in _REFUSED:
            raise
        data = _fetch_metrics(cloudwatch, alarm, windows, search=False)  # a failure of its own is the call's
        if errors is not None:
            errors.append(EvidenceError("cloudwatch.GetMetricData", code,
                                        f"per-instance SEARCH refused, metrics fetched without it: {message}"[:300]))
        return data


def _fetch_metrics(cloudwatch: Any, alarm: AlarmEvent, windows: Windows, *, search: bool) -> MetricData:
    values = {"EndpointName": alarm.endpoint, "VariantName": alarm.variant,
              COMPONENT_ONLY[0]: alarm.inference_component or ""}
    kind = Kind.INFERENCE_COMPONENTS if alarm.inference_component else None
    wanted = _queries(alarm)
    queries: list[dict[str, Any]] = []
    for i, (name, stat) in enumerate(wanted):
        entry = metric(name)
        assert entry is not None, name  # the parser accepts only catalogued metrics
        published = entry.dimensions_for(kind) or entry.dimensions
        dimensions = [{"Name": d, "Value": values[d]} for d in published]
        queries.append({"Id": f"q{i}", "ReturnData": True, "MetricStat": {
            "Metric": {"Namespace": entry.namespace.value, "MetricName": name, "Dimensions": dimensions},
            "Period": MINUTE, "Stat": stat}})
    # Per-instance series (enhanced metrics), found by SEARCH in the same call; none when they are off.
    searched = {f"s{i}": each for i, each in enumerate(per_instance_measures(alarm.inference_component))
                if search}
    queries += [{"Id": query_id, "ReturnData": True, "Expression": each.search(values, MINUTE), "Label": each.label}
                for query_id, each in searched.items()]
    anchor = windows.anchor
    request: dict[str, Any] = {"MetricDataQueries": queries, "StartTime": windows.start, "EndTime": anchor,
                               "ScanBy": "TimestampAscending"}
    # A search returns one result per series, all under the search's Id, each with its own label.
    points: dict[tuple[str, str], dict[int, float]] = {}
    while True:
        page = cloudwatch.get_metric_data(**request)
        for result in page.get("MetricDataResults", []):
            label = str(result.get("Label", "")) if result["Id"] in searched else ""
            target = points.setdefault((result["Id"], label), {})
            for ts, value in zip(result.get("Timestamps", []), result.get("Values", []), strict=False):
                if value is None:
                    continue
                offset = int((ts - anchor).total_seconds() // MINUTE) * MINUTE
                target[offset] = float(value)
        if not page.get("NextToken"):
            break
        request["NextToken"] = page["NextToken"]
    series: dict[tuple[str, str], Series] = {}
    for query, (name, stat) in zip(queries[:len(wanted)], wanted, strict=True):
        entry = metric(name)
        assert entry is not None
        raw = points.get((query["Id"], ""), {})
        series[(name, stat)] = Series({t: entry.to_snapshot(v, stat) for t, v in raw.items()})
    per_instance: dict[tuple[str, str], dict[str, Series]] = {
        (each.metric.value, each.stat): {} for each in searched.values()}
    for (query_id, label), raw in points.items():
        if query_id in searched and raw:
            per_instance[(searched[query_id].metric.value, searched[query_id].stat)][label] = Series(dict(raw))
    return MetricData(series, windows, per_instance, per_instance_searched=search)


def _policy(raw: dict[str, Any]) -> ScalingPolicy:
    tracking = raw.get("TargetTrackingScalingPolicyConfiguration") or {}
    predefined = (tracking.get("PredefinedMetricSpecification") or {}).get("PredefinedMetricType")
    customized = (tracking.get("CustomizedMetricSpecification") or {}).get("MetricName")
    return ScalingPolicy(str(raw.get("PolicyName", "?")), str(raw.get("PolicyType", "?")),
                         tracking.get("TargetValue"), predefined or customized)


def _activity(raw: dict[str, Any]) -> ScalingActivity:
    description = str(raw.get("Description") or "")
    desired = _DESIRED.search(description)
    return ScalingActivity(str(raw.get("StatusCode", "?")), raw.get("StartTime"), raw.get("EndTime"),
                           description[:300], str(raw.get("Cause") or "")[:300],
                           int(desired.group(1)) if desired else None)


class _ScalingReader:
    """DescribeScalableTargets, then (only when there is a target) its policies and activities in parallel.

    The target is the variant's instance count, or for an IC alarm the IC's copy count.
    """

    def __init__(self, autoscaling: Any, alarm: AlarmEvent, errors: list[EvidenceError]) -> None:
        self.autoscaling = autoscaling
        if alarm.inference_component:
            self.resource_id = f"inference-component/{alarm.inference_component}"
            self.dimension = COPY_COUNT_DIMENSION
        else:
            self.resource_id = f"endpoint/{alarm.endpoint}/variant/{alarm.variant}"
            self.dimension = SCALABLE_DIMENSION
        self.errors = errors
        self.missing: set[Source] = set()

    def _detail(self, source: Source, operation: str, fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except Exception as exc:  # detail only: the target itself is known, the rules go on without it
            code, message = _error_of(exc)
            self.errors.append(EvidenceError(f"application-autoscaling.{operation}", code, message))
            self.missing.add(source)
            return None

    def _policies(self) -> tuple[ScalingPolicy, ...]:
        page = self.autoscaling.describe_scaling_policies(
            ServiceNamespace="sagemaker", ResourceId=self.resource_id, ScalableDimension=self.dimension)
        return tuple(_policy(p) for p in page.get("ScalingPolicies", []))

    def _activities(self) -> tuple[ScalingActivity, ...]:
        page = self.autoscaling.describe_scaling_activities(
            ServiceNamespace="sagemaker", ResourceId=self.resource_id, ScalableDimension=self.dimension,
            MaxResults=ACTIVITIES_MAX)
        return tuple(_activity(a) for a in page.get("ScalingActivities", []))

    def read(self) -> ScalingState:
        page = self.autoscaling.describe_scalable_targets(ServiceNamespace="sagemaker",
                                                          ResourceIds=[self.resource_id],
                                                          ScalableDimension=self.dimension)
        target = next((t for t in page.get("ScalableTargets", []) if t.get("ResourceId") == self.resource_id),
                      None)
        if target is None:
            return ScalingState(False)
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="scaling") as pool:
            policies = pool.submit(self._detail, Source.SCALING_POLICIES, "DescribeScalingPolicies",
                                   self._policies)
            activities = pool.submit(self._detail, Source.SCALING_ACTIVITIES, "DescribeScalingActivities",
                                     self._activities)
            return ScalingState(True, target.get("MinCapacity"), target.get("MaxCapacity"),
                                policies.result(), activities.result())


def _is_not_found(code: str) -> bool:
    # DescribeEndpoint's one parameter is the name, so its ValidationException ("Could not find endpoint ...",
    # or a name no endpoint can have) means there is no such endpoint.
    return code in ("ValidationException", "ResourceNotFound", "ResourceNotFoundException")


def _container(model: dict[str, Any]) -> dict[str, Any]:
    """The model's serving container: PrimaryContainer, else the first of an inference pipeline's Containers."""
    return model.get("PrimaryContainer") or (model.get("Containers") or [{}])[0]


def _kind(config: dict[str, Any] | None, variant_config: dict[str, Any] | None, model: dict[str, Any] | None,
          endpoint: dict[str, Any], summary: dict[str, Any]) -> Kind | None:
    """The endpoint kind from the config and model; from DescribeEndpoint alone when they are missing."""
    if (variant_config or {}).get("ServerlessConfig") or summary.get("CurrentServerlessConfig"):
        return Kind.SERVERLESS
    if (config or {}).get("AsyncInferenceConfig") or endpoint.get("AsyncInferenceConfig"):
        return Kind.ASYNC
    if model is not None:
        return Kind.MULTI_MODEL if _container(model).get("Mode") == "MultiModel" else Kind.REAL_TIME
    if summary.get("CurrentInstanceCount") is not None:
        # Instances without the model: real-time or multi-model, which only the model says; real-time is
        # the reading that keeps every instance rule (scaling, load) running.
        return Kind.REAL_TIME
    return None


def _component(raw: dict[str, Any]) -> ComponentState:
    """DescribeInferenceComponent as the rules read it (the first of `Specifications` for multi-type ICs)."""
    spec = raw.get("Specification") or (raw.get("Specifications") or [{}])[0]
    container = spec.get("Container") or {}
    deployed = container.get("DeployedImage") or {}
    image = deployed.get("SpecifiedImage") or deployed.get("ResolvedImage")
    compute = spec.get("ComputeResourceRequirements") or {}
    runtime = raw.get("RuntimeConfig") or {}
    return ComponentState(
        name=str(raw.get("InferenceComponentName", "")), endpoint=str(raw.get("EndpointName", "")),
        variant=str(raw.get("VariantName", "")), status=str(raw.get("InferenceComponentStatus", "Unknown")),
        failure_reason=raw.get("FailureReason"), creation_time=raw.get("CreationTime"),
        last_modified_time=raw.get("LastModifiedTime"), model_name=spec.get("ModelName"),
        instance_type=spec.get("InstanceType"), image=identify_image(image) if image else None,
        environment={str(k): str(v) for k, v in (container.get("Environment") or {}).items()},
        cpu_cores=compute.get("NumberOfCpuCoresRequired"),
        accelerators=compute.get("NumberOfAcceleratorDevicesRequired"),
        min_memory_mb=compute.get("MinMemoryRequiredInMb"), desired_copies=runtime.get("DesiredCopyCount"),
        current_copies=runtime.get("CurrentCopyCount"),
        placement=tuple((str(p.get("InstanceType", "?")), int(p.get("CurrentCopyCount", 0)))
                        for p in runtime.get("PlacementStatus") or []))


class _EndpointReader:
    """(DescribeInferenceComponent →) DescribeEndpoint → DescribeEndpointConfig → DescribeModel; failures recorded."""

    def __init__(self, sagemaker: Any, alarm: AlarmEvent, errors: list[EvidenceError]) -> None:
        self.sagemaker = sagemaker
        self.alarm = alarm
        self.errors = errors
        self.missing: set[Source] = set()
        self.not_found = False
        self.component: ComponentState | None = None

    def _call(self, evidence: Source, operation: str, fn: Callable[[], dict[str, Any]]) -> dict[str, Any] | None:
        try:
            return fn()
        except Exception as exc:  # any failure of one call is evidence missing, never the end of a diagnosis
            code, message = _error_of(exc)
            if operation in ("DescribeEndpoint", "DescribeInferenceComponent") and _is_not_found(code):
                self.not_found = True
            else:
                self.errors.append(EvidenceError(f"sagemaker.{operation}", code, message))
            self.missing.add(evidence)
            return None

    def read(self) -> EndpointState | None:
        if self.alarm.inference_component:
            name = self.alarm.inference_component
            raw = self._call(Source.COMPONENT, "DescribeInferenceComponent",
                             lambda: self.sagemaker.describe_inference_component(InferenceComponentName=name))
            if raw is None:  # without the IC its endpoint is unknown
                self.missing.update({Source.ENDPOINT, Source.CONFIG, Source.MODEL})
                return None
            self.component = _component(raw)
            self.alarm = replace(self.alarm, endpoint=self.component.endpoint, variant=self.component.variant)
        alarm = self.alarm
        endpoint = self._call(Source.ENDPOINT, "DescribeEndpoint",
                              lambda: self.sagemaker.describe_endpoint(EndpointName=alarm.endpoint))
        if endpoint is None:
            self.missing.update({Source.CONFIG, Source.MODEL})
            return None
        summary: dict[str, Any] = next((v for v in endpoint.get("ProductionVariants") or []
                                        if v.get("VariantName") == alarm.variant), {})
        config_name = endpoint.get("EndpointConfigName")
        config = self._call(Source.CONFIG, "DescribeEndpointConfig",
                            lambda: self.sagemaker.describe_endpoint_config(EndpointConfigName=config_name))
        variant_config = next((v for v in (config or {}).get("ProductionVariants") or []
                               if v.get("VariantName") == alarm.variant), None)
        if config is not None and variant_config is None:
            self.errors.append(EvidenceError("sagemaker.DescribeEndpointConfig", "VariantNotFound",
                                             f"variant {alarm.variant!r} is not in {config_name}"))
            self.missing.add(Source.CONFIG)
        # An IC's image and environment come with DescribeInferenceComponent; its model is described only when
        # the IC does not show them. A variant hosting ICs has no model of its own.
        model_name = ((self.component.model_name if self.component.image is None else None) if self.component
                      else (variant_config or {}).get("ModelName"))
        model = None
        if model_name:
            model = self._call(Source.MODEL, "DescribeModel",
                               lambda: self.sagemaker.describe_model(ModelName=model_name))
        elif self.component is None:
            self.missing.add(Source.MODEL)
        return self._state(endpoint, summary, config, variant_config or {}, model)

    def _state(self, endpoint: dict[str, Any], summary: dict[str, Any], config: dict[str, Any] | None,
               variant_config: dict[str, Any], model: dict[str, Any] | None) -> EndpointState:
        serverless = summary.get("CurrentServerlessConfig") or variant_config.get("ServerlessConfig") or {}
        instance_type = variant_config.get("InstanceType") or (self.component.instance_type if self.component
                                                                else None)
        container = _container(model) if model is not None else {}
        image = container.get("Image")
        if image is None and self.component is None:
            deployed = summary.get("DeployedImages") or [{}]
            image = deployed[0].get("SpecifiedImage") or deployed[0].get("ResolvedImage")
        environment = {str(k): str(v) for k, v in (container.get("Environment") or {}).items()}
        identified = identify_image(image) if image else None
        if self.component is not None and self.component.image is not None:
            identified, environment = self.component.image, dict(self.component.environment)
        variant = VariantState(
            name=self.alarm.variant, instance_type=instance_type,
            instance=instance_spec(instance_type) if instance_type else None,
            current_instance_count=summary.get("CurrentInstanceCount"),
            model_name=variant_config.get("ModelName") or (self.component.model_name if self.component else None),
            serverless_memory_mb=serverless.get("MemorySizeInMB"),
            serverless_max_concurrency=serverless.get("MaxConcurrency"),
            provisioned_concurrency=serverless.get("ProvisionedConcurrency"),
        )
        pending = endpoint.get("PendingDeploymentSummary") or {}
        managed = variant_config.get("ManagedInstanceScaling") or summary.get("ManagedInstanceScaling")
        routing = variant_config.get("RoutingConfig") or summary.get("RoutingConfig") or {}
        kind = (Kind.INFERENCE_COMPONENTS if self.component is not None
                else _kind(config, variant_config if config else None, model, endpoint, summary))
        return EndpointState(
            name=self.alarm.endpoint, arn=endpoint.get("EndpointArn"),
            status=str(endpoint.get("EndpointStatus", "Unknown")), failure_reason=endpoint.get("FailureReason"),
            creation_time=endpoint.get("CreationTime"), last_modified_time=endpoint.get("LastModifiedTime"),
            config_name=endpoint.get("EndpointConfigName"), kind=kind,
            variant=variant, image=identified,
            async_config=bool((config or {}).get("AsyncInferenceConfig") or endpoint.get("AsyncInferenceConfig")),
            config_creation_time=(config or {}).get("CreationTime"),
            model_creation_time=(model or {}).get("CreationTime"),
            environment=environment,
            pending_config_name=pending.get("EndpointConfigName"),
            managed_scaling=ManagedScaling(managed.get("Status") == "ENABLED", managed.get("MinInstanceCount"),
                                           managed.get("MaxInstanceCount")) if managed else None,
            routing_strategy=routing.get("RoutingStrategy"),
            enhanced_metrics=bool(((config or {}).get("MetricsConfig") or {}).get("EnableEnhancedMetrics")),
        )


def gather_evidence(alarm: AlarmEvent, clients: AdvisorClients, *, budget_s: float = 25.0,
                    thresholds: Thresholds = DEFAULT) -> Evidence:
    """Fill the evidence snapshot for an alarm; independent calls run in parallel within a time budget."""
    windows = Windows.for_alarm(alarm, thresholds)
    errors: list[EvidenceError] = []
    reader = _EndpointReader(clients.sagemaker, alarm, errors)
    scaling = _ScalingReader(clients.autoscaling, alarm, errors)
    missing: set[Source] = set()
    results: dict[Source, Any] = {}
    # The endpoint chain (three calls, one after another) is the critical path: it starts first.
    jobs: dict[Source, tuple[str, Callable[[], Any]]] = {
        Source.ENDPOINT: ("sagemaker.DescribeEndpoint", reader.read),
        Source.METRICS: ("cloudwatch.GetMetricData", lambda: fetch_metrics(clients.cloudwatch, alarm, windows, errors)),
        Source.SCALING: ("application-autoscaling.DescribeScalableTargets", scaling.read),
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
    missing |= reader.missing | scaling.missing
    metrics = results.get(Source.METRICS)
    if metrics is None or not metrics.per_instance_searched:
        missing.add(Source.PER_INSTANCE)
    if alarm.inference_component and reader.component is None:
        missing |= {Source.COMPONENT, Source.ENDPOINT, Source.CONFIG, Source.MODEL}
    if Source.SCALING in missing:
        missing |= {Source.SCALING_POLICIES, Source.SCALING_ACTIVITIES}
    return Evidence(alarm=reader.alarm, windows=windows, endpoint=results.get(Source.ENDPOINT),
                    endpoint_missing=reader.not_found, scaling=results.get(Source.SCALING),
                    metrics=results.get(Source.METRICS), errors=tuple(errors), missing=frozenset(missing),
                    thresholds=thresholds, component=reader.component)

"""The metric catalogue (SPEC §2): every CloudWatch metric the product alarms on or reads, in one place.

Each entry says where the metric lives (namespace, dimensions), its unit as SageMaker publishes it, the
statistics the advisor reads, the endpoint kinds that emit it, how it is shown to people, its default alarm
per endpoint kind (if the stack makes one) and the AWS page that documents it. Event parsing, evidence
queries, the rules, the stack's alarms and its dashboard all read this module; no other product file spells a
metric name or a namespace. The stack imports it from the Lambda package, so both deploy one copy.

Facts checked against AWS's pages (links per entry) and botocore's service models; where SPEC.md and the
docs disagreed, the docs won (see the README's "Metrics" section).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum, StrEnum
from types import MappingProxyType
from typing import Literal

# AWS pages the entries cite.
MONITORING_DOC = "https://docs.aws.amazon.com/sagemaker/latest/dg/monitoring-cloudwatch.html"
MME_METRICS_DOC = "https://docs.aws.amazon.com/sagemaker/latest/dg/multi-model-endpoint-cloudwatch-metrics.html"
SERVERLESS_METRICS_DOC = "https://docs.aws.amazon.com/sagemaker/latest/dg/serverless-endpoints-monitoring.html"
ASYNC_METRICS_DOC = "https://docs.aws.amazon.com/sagemaker/latest/dg/async-inference-monitor.html"
ASYNC_SCALING_DOC = "https://docs.aws.amazon.com/sagemaker/latest/dg/async-inference-autoscale.html"
METRICS_CONFIG_DOC = "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_MetricsConfig.html"
SCALE_TO_ZERO_DOC = "https://docs.aws.amazon.com/sagemaker/latest/dg/endpoint-auto-scaling-zero-instances.html"
ENHANCED_METRICS_DOC = "https://docs.aws.amazon.com/sagemaker/latest/dg/monitoring-cloudwatch-enhanced-metrics.html"
SEARCH_SYNTAX_DOC = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/search-expression-syntax.html"
DYNAMIC_LABELS_DOC = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/graph-dynamic-labels.html"


class Namespace(StrEnum):
    """The CloudWatch namespaces SageMaker endpoints publish to."""

    SAGEMAKER = "AWS/SageMaker"
    ENDPOINT_INSTANCES = "/aws/sagemaker/Endpoints"
    INFERENCE_COMPONENTS = "/aws/sagemaker/InferenceComponents"


class Kind(StrEnum):
    """Endpoint kinds: how the variant is hosted and invoked."""

    REAL_TIME = "real-time"
    MULTI_MODEL = "multi-model"
    SERVERLESS = "serverless"
    ASYNC = "async"
    INFERENCE_COMPONENTS = "inference-components"  # an endpoint hosting ICs; its alarms are per IC (SPEC §4b)


class M(StrEnum):
    """Metric names, each spelled once."""

    MODEL_LATENCY = "ModelLatency"
    OVERHEAD_LATENCY = "OverheadLatency"
    INVOCATIONS = "Invocations"
    INVOCATIONS_PER_INSTANCE = "InvocationsPerInstance"
    INVOCATION_4XX_ERRORS = "Invocation4XXErrors"
    INVOCATION_5XX_ERRORS = "Invocation5XXErrors"
    INVOCATION_MODEL_ERRORS = "InvocationModelErrors"
    MODEL_SETUP_TIME = "ModelSetupTime"
    MODEL_LOADING_WAIT_TIME = "ModelLoadingWaitTime"
    MODEL_DOWNLOADING_TIME = "ModelDownloadingTime"
    MODEL_LOADING_TIME = "ModelLoadingTime"
    MODEL_CACHE_HIT = "ModelCacheHit"
    LOADED_MODEL_COUNT = "LoadedModelCount"
    CPU_UTILIZATION = "CPUUtilization"
    GPU_UTILIZATION = "GPUUtilization"
    GPU_MEMORY_UTILIZATION = "GPUMemoryUtilization"
    MEMORY_UTILIZATION = "MemoryUtilization"
    SERVERLESS_CONCURRENCY_UTILIZATION = "ServerlessConcurrentExecutionsUtilization"
    SERVERLESS_SPILLOVER = "ServerlessProvisionedConcurrencySpilloverInvocations"
    BACKLOG_PER_INSTANCE = "ApproximateBacklogSizePerInstance"
    OLDEST_REQUEST_AGE = "ApproximateAgeOfOldestRequest"
    BACKLOG_WITHOUT_CAPACITY = "HasBacklogWithoutCapacity"
    TIME_IN_BACKLOG = "TimeInBacklog"
    INVOCATIONS_PER_COPY = "InvocationsPerCopy"
    CONCURRENT_REQUESTS_PER_COPY = "ConcurrentRequestsPerCopy"
    NO_CAPACITY_INVOCATION_FAILURES = "NoCapacityInvocationFailures"
    CPU_UTILIZATION_NORMALIZED = "CPUUtilizationNormalized"
    GPU_UTILIZATION_NORMALIZED = "GPUUtilizationNormalized"
    GPU_MEMORY_UTILIZATION_NORMALIZED = "GPUMemoryUtilizationNormalized"
    MEMORY_UTILIZATION_NORMALIZED = "MemoryUtilizationNormalized"


class Shown(Enum):
    """How a metric's values reach people (and the rules): the snapshot holds them in these units."""

    MS_FROM_MICROSECONDS = "ms"  # published in µs, held and shown in ms
    PERCENT = "%"  # 0-100 per core / GPU, held as published
    FRACTION = "fraction"  # 0-1 (0/1 per request, Average = rate), shown as a percentage
    COUNT = "count"
    SECONDS = "s"


Breach = Literal["above", "below"]

ENDPOINT_AND_VARIANT = ("EndpointName", "VariantName")
ENDPOINT_ONLY = ("EndpointName",)
COMPONENT_ONLY = ("InferenceComponentName",)  # how AWS publishes IC metrics (without enhanced metrics)
IC = Kind.INFERENCE_COMPONENTS
# The kinds of one variant with its own model; an IC endpoint's metrics are published per IC instead.
ALL_KINDS = frozenset({Kind.REAL_TIME, Kind.MULTI_MODEL, Kind.SERVERLESS, Kind.ASYNC})
INSTANCE_KINDS = frozenset({Kind.REAL_TIME, Kind.MULTI_MODEL, Kind.ASYNC})
SYNCHRONOUS_KINDS = frozenset({Kind.REAL_TIME, Kind.MULTI_MODEL, Kind.SERVERLESS})


@dataclass(frozen=True)
class DefaultAlarm:
    """The alarm the stack makes by default: statistic, direction, and threshold per endpoint kind.

    Thresholds are in the metric's config unit: milliseconds for durations, a 0-1 rate for fractions.
    """

    stat: str
    breach: Breach
    thresholds: Mapping[Kind, float]
    meaning: str


@dataclass(frozen=True)
class Metric:
    """One catalogue entry."""

    name: M
    namespace: Namespace
    unit: str  # CloudWatch unit as published
    shown: Shown
    stats: tuple[str, ...]  # what the advisor reads (GetMetricData statistics)
    kinds: frozenset[Kind]  # endpoint kinds that emit it
    source: str  # the AWS page that documents it
    dimensions: tuple[str, ...] = ENDPOINT_AND_VARIANT
    alarm: DefaultAlarm | None = None
    documented_stats: tuple[str, ...] = field(default=(), compare=False)  # as AWS lists them, where it does
    # Dimensions of the per-IC form of a variant metric (ModelLatency with InferenceComponentName), if any.
    component_dimensions: tuple[str, ...] | None = None

    def dimensions_for(self, kind: Kind | None) -> tuple[str, ...] | None:
        """The dimensions the metric is published with for `kind`; None when that kind does not publish it."""
        if kind is IC:
            if self.component_dimensions is not None:
                return self.component_dimensions
            return self.dimensions if IC in self.kinds else None
        return self.dimensions if self.dimensions != COMPONENT_ONLY else None

    @property
    def percentiles_documented(self) -> bool:
        """Whether AWS's metric table lists percentile statistics for this metric."""
        return "Percentiles" in self.documented_stats

    def to_snapshot(self, value: float, stat: str) -> float:
        """A published value as the snapshot holds it (µs → ms; counts stay counts)."""
        if self.shown is Shown.MS_FROM_MICROSECONDS and stat != "SampleCount":
            return value / 1000.0
        return value

    def alarm_threshold_to_cloudwatch(self, threshold: float) -> float:
        """A config threshold (ms, rate) as CloudWatch compares it (µs for latencies)."""
        return threshold * 1000.0 if self.shown is Shown.MS_FROM_MICROSECONDS else threshold


_LATENCY_STATS = ("Average", "Sum", "Minimum", "Maximum", "SampleCount", "Percentiles")
_TIME_STATS = ("Average", "Sum", "Minimum", "Maximum", "SampleCount")
_RATE_STATS = ("Average", "Sum")
_MIN_MAX = ("Minimum", "Maximum")
WITH_IC = ALL_KINDS | {IC}
SYNCHRONOUS_WITH_IC = SYNCHRONOUS_KINDS | {IC}

_ENTRIES = (
    Metric(M.MODEL_LATENCY, Namespace.SAGEMAKER, "Microseconds", Shown.MS_FROM_MICROSECONDS,
           ("Sum", "SampleCount", "Maximum", "p90"), WITH_IC, MONITORING_DOC,
           alarm=DefaultAlarm("p90", "above", {Kind.REAL_TIME: 500, Kind.MULTI_MODEL: 500, Kind.SERVERLESS: 500,
                                               # async requests run for minutes by design
                                               Kind.ASYNC: 60_000, IC: 500},
                              "Time requests spend in the model container, transport to it included."),
           documented_stats=_LATENCY_STATS, component_dimensions=COMPONENT_ONLY),
    # No percentiles in AWS's table for OverheadLatency: the default alarm uses a documented statistic, so it
    # cannot be blind on an account where the percentile has no data.
    Metric(M.OVERHEAD_LATENCY, Namespace.SAGEMAKER, "Microseconds", Shown.MS_FROM_MICROSECONDS,
           ("Sum", "SampleCount", "Maximum"), SYNCHRONOUS_WITH_IC, MONITORING_DOC,
           alarm=DefaultAlarm("Average", "above", dict.fromkeys(SYNCHRONOUS_WITH_IC, 100),
                              "Time SageMaker adds around the container (payload, auth, cold instances)."),
           documented_stats=_TIME_STATS, component_dimensions=COMPONENT_ONLY),
    Metric(M.INVOCATIONS, Namespace.SAGEMAKER, "None", Shown.COUNT, ("Sum",), SYNCHRONOUS_WITH_IC, MONITORING_DOC,
           documented_stats=("Sum",), component_dimensions=COMPONENT_ONLY),
    Metric(M.INVOCATIONS_PER_INSTANCE, Namespace.SAGEMAKER, "None", Shown.COUNT, ("Sum",),
           frozenset({Kind.REAL_TIME, Kind.MULTI_MODEL}), MONITORING_DOC, documented_stats=("Sum",)),
    Metric(M.INVOCATION_4XX_ERRORS, Namespace.SAGEMAKER, "None", Shown.FRACTION, ("Sum", "SampleCount"),
           WITH_IC, MONITORING_DOC, documented_stats=_RATE_STATS, component_dimensions=COMPONENT_ONLY),
    Metric(M.INVOCATION_5XX_ERRORS, Namespace.SAGEMAKER, "None", Shown.FRACTION, ("Sum", "SampleCount"),
           WITH_IC, MONITORING_DOC, documented_stats=_RATE_STATS, component_dimensions=COMPONENT_ONLY),
    Metric(M.INVOCATION_MODEL_ERRORS, Namespace.SAGEMAKER, "None", Shown.FRACTION, ("Sum", "SampleCount"),
           frozenset({Kind.REAL_TIME, Kind.MULTI_MODEL, IC}), MONITORING_DOC, documented_stats=_RATE_STATS,
           component_dimensions=COMPONENT_ONLY),
    Metric(M.MODEL_SETUP_TIME, Namespace.SAGEMAKER, "Microseconds", Shown.MS_FROM_MICROSECONDS,
           ("Sum", "SampleCount", "Maximum"), frozenset({Kind.SERVERLESS}), SERVERLESS_METRICS_DOC,
           alarm=DefaultAlarm("p90", "above", {Kind.SERVERLESS: 5000},
                              "Time to launch serverless compute for a request (cold start)."),
           documented_stats=_LATENCY_STATS),
    Metric(M.MODEL_LOADING_WAIT_TIME, Namespace.SAGEMAKER, "Microseconds", Shown.MS_FROM_MICROSECONDS,
           ("Sum", "SampleCount"), frozenset({Kind.MULTI_MODEL}), MME_METRICS_DOC,
           alarm=DefaultAlarm("Average", "above", {Kind.MULTI_MODEL: 1000},
                              "Time requests wait for the target model to be downloaded and loaded."),
           documented_stats=_TIME_STATS),
    Metric(M.MODEL_DOWNLOADING_TIME, Namespace.SAGEMAKER, "Microseconds", Shown.MS_FROM_MICROSECONDS,
           ("Sum", "SampleCount"), frozenset({Kind.MULTI_MODEL}), MME_METRICS_DOC,
           alarm=DefaultAlarm("Average", "above", {Kind.MULTI_MODEL: 5000},
                              "Time to download model artifacts from S3."),
           documented_stats=_TIME_STATS),
    Metric(M.MODEL_LOADING_TIME, Namespace.SAGEMAKER, "Microseconds", Shown.MS_FROM_MICROSECONDS,
           ("Sum", "SampleCount"), frozenset({Kind.MULTI_MODEL}), MME_METRICS_DOC,
           alarm=DefaultAlarm("Average", "above", {Kind.MULTI_MODEL: 5000},
                              "Time to load a downloaded model into the container."),
           documented_stats=_TIME_STATS),
    Metric(M.MODEL_CACHE_HIT, Namespace.SAGEMAKER, "None", Shown.FRACTION, ("Sum", "SampleCount"),
           frozenset({Kind.MULTI_MODEL}), MME_METRICS_DOC,
           alarm=DefaultAlarm("Average", "below", {Kind.MULTI_MODEL: 0.8},
                              "Share of requests whose model was already loaded; low means models are "
                              "evicted and reloaded."),
           documented_stats=("Average", "Sum", "SampleCount")),
    # Published per instance in the instance namespace, not in AWS/SageMaker.
    Metric(M.LOADED_MODEL_COUNT, Namespace.ENDPOINT_INSTANCES, "None", Shown.COUNT, ("Maximum",),
           frozenset({Kind.MULTI_MODEL}), MME_METRICS_DOC, documented_stats=_TIME_STATS),
    # Utilisation: 0-100 % per core / GPU, summed over the instance's cores / GPUs (4 vCPUs read up to 400 %).
    Metric(M.CPU_UTILIZATION, Namespace.ENDPOINT_INSTANCES, "Percent", Shown.PERCENT, ("Average",),
           INSTANCE_KINDS, MONITORING_DOC),
    Metric(M.GPU_UTILIZATION, Namespace.ENDPOINT_INSTANCES, "Percent", Shown.PERCENT, ("Average",),
           INSTANCE_KINDS, MONITORING_DOC),
    Metric(M.GPU_MEMORY_UTILIZATION, Namespace.ENDPOINT_INSTANCES, "Percent", Shown.PERCENT, ("Average",),
           INSTANCE_KINDS, MONITORING_DOC),
    Metric(M.MEMORY_UTILIZATION, Namespace.ENDPOINT_INSTANCES, "Percent", Shown.PERCENT, ("Average",),
           ALL_KINDS, MONITORING_DOC),
    Metric(M.SERVERLESS_CONCURRENCY_UTILIZATION, Namespace.SAGEMAKER, "None", Shown.FRACTION,
           ("Maximum", "Average"), frozenset({Kind.SERVERLESS}), SERVERLESS_METRICS_DOC,
           documented_stats=("Average", "Maximum", "Minimum")),
    Metric(M.SERVERLESS_SPILLOVER, Namespace.SAGEMAKER, "Count", Shown.COUNT, ("Sum",),
           frozenset({Kind.SERVERLESS}), SERVERLESS_METRICS_DOC, documented_stats=("Sum",)),
    # Async backlog metrics are published per endpoint only (no VariantName).
    Metric(M.BACKLOG_PER_INSTANCE, Namespace.SAGEMAKER, "Count", Shown.COUNT, ("Average", "Maximum"),
           frozenset({Kind.ASYNC}), ASYNC_METRICS_DOC, dimensions=ENDPOINT_ONLY,
           documented_stats=("Average", "Maximum", "Minimum")),
    Metric(M.OLDEST_REQUEST_AGE, Namespace.SAGEMAKER, "Seconds", Shown.SECONDS, ("Maximum",),
           frozenset({Kind.ASYNC}), ASYNC_METRICS_DOC, dimensions=ENDPOINT_ONLY,
           documented_stats=("Average", "Maximum", "Minimum")),
    Metric(M.BACKLOG_WITHOUT_CAPACITY, Namespace.SAGEMAKER, "None", Shown.COUNT, ("Maximum",),
           frozenset({Kind.ASYNC}), ASYNC_SCALING_DOC, dimensions=ENDPOINT_ONLY),
    Metric(M.TIME_IN_BACKLOG, Namespace.SAGEMAKER, "Microseconds", Shown.MS_FROM_MICROSECONDS,
           ("Sum", "SampleCount", "Maximum"), frozenset({Kind.ASYNC}), ASYNC_METRICS_DOC,
           alarm=DefaultAlarm("Average", "above", {Kind.ASYNC: 60_000},
                              "Time requests wait in the endpoint's queue before processing starts."),
           documented_stats=_TIME_STATS),
    # Inference components (SPEC §4b; aws-metrics-facts §6): per IC, dimension InferenceComponentName only.
    Metric(M.INVOCATIONS_PER_COPY, Namespace.SAGEMAKER, "None", Shown.COUNT, ("Sum",), frozenset({IC}),
           MONITORING_DOC, dimensions=COMPONENT_ONLY, documented_stats=("Sum",)),
    # In-flight requests per copy, queued ones included; AWS documents only Minimum and Maximum for it.
    Metric(M.CONCURRENT_REQUESTS_PER_COPY, Namespace.SAGEMAKER, "None", Shown.COUNT, ("Maximum",),
           frozenset({IC}), MONITORING_DOC, dimensions=COMPONENT_ONLY, documented_stats=_MIN_MAX),
    # Requests that found no instance to serve them: an IC scaled to zero (or with no room) being woken up.
    # The stack alarms on it (> 0) only for ICs the config says may scale to zero.
    Metric(M.NO_CAPACITY_INVOCATION_FAILURES, Namespace.SAGEMAKER, "None", Shown.COUNT, ("Sum",),
           frozenset({IC}), SCALE_TO_ZERO_DOC, dimensions=COMPONENT_ONLY, documented_stats=("Sum",),
           alarm=DefaultAlarm("Sum", "above", {IC: 0},
                              "Requests that found no instance to serve them: the inference component was "
                              "scaled to zero (or had no room) and is being woken up.")),
    # Utilisation of one copy against its reservation, 0-100 % (already normalized per core / GPU).
    *(Metric(name, Namespace.INFERENCE_COMPONENTS, "Percent", Shown.PERCENT, ("Average",), frozenset({IC}),
             MONITORING_DOC, dimensions=COMPONENT_ONLY)
      for name in (M.CPU_UTILIZATION_NORMALIZED, M.GPU_UTILIZATION_NORMALIZED, M.GPU_MEMORY_UTILIZATION_NORMALIZED,
                   M.MEMORY_UTILIZATION_NORMALIZED)),
)

CATALOGUE: Mapping[M, Metric] = MappingProxyType({entry.name: entry for entry in _ENTRIES})

# Metrics whose alarms the advisor diagnoses: every metric the stack alarms on.
ALARMED: frozenset[M] = frozenset(m for m, entry in CATALOGUE.items() if entry.alarm is not None)
LATENCY: frozenset[M] = frozenset({M.MODEL_LATENCY, M.OVERHEAD_LATENCY})
MME_LOADING: frozenset[M] = frozenset({M.MODEL_LOADING_WAIT_TIME, M.MODEL_DOWNLOADING_TIME, M.MODEL_LOADING_TIME,
                                       M.MODEL_CACHE_HIT, M.LOADED_MODEL_COUNT})

# MetricsConfig.MetricPublishFrequencyInSeconds values (botocore's enum). Utilisation metrics follow it;
# invocation metrics only when EnableEnhancedMetrics is on, else they stay at 60 s.
PUBLISH_FREQUENCIES_S = (10, 30, 60, 120, 180, 240, 300)
DEFAULT_PUBLISH_FREQUENCY_S = 60


def metric(name: str) -> Metric | None:
    """The catalogue entry for a metric name, None for a metric the product does not know."""
    try:
        return CATALOGUE[M(name)]
    except ValueError:
        return None


def emitted_by(kind: Kind) -> tuple[Metric, ...]:
    """The catalogue entries an endpoint of `kind` publishes."""
    return tuple(entry for entry in CATALOGUE.values() if kind in entry.kinds)


def default_alarms(kind: Kind) -> tuple[Metric, ...]:
    """The entries the stack alarms on for an endpoint of `kind`, in catalogue order."""
    return tuple(entry for entry in CATALOGUE.values() if entry.alarm and kind in entry.alarm.thresholds)


@dataclass(frozen=True)
class PerInstance:
    """A metric SageMaker publishes per instance (or per IC copy) when the endpoint config enables enhanced metrics.

    Enhanced metrics (MetricsConfig.EnableEnhancedMetrics, default False) add an `InstanceId` dimension to the
    utilisation and invocation metrics of every real-time endpoint, and for inference components a `ContainerId`
    (one per copy) as well (ENHANCED_METRICS_DOC; aws-metrics-facts §6-§7: an IC's enhanced form adds EndpointName,
    VariantName, InstanceId and ContainerId). The advisor finds these series with a CloudWatch SEARCH expression
    inside its one GetMetricData call (no extra call, no ListMetrics): the schema `{namespace, dims...}` matches
    metrics with exactly these dimensions (SEARCH_SYNTAX_DOC), so per-GPU series (`AcceleratorId`) are not mixed
    in, and with enhanced metrics off the search finds nothing. Each series is labelled with its own dimension
    values by a dynamic label, `${PROP('Dim.InstanceId')}` (DYNAMIC_LABELS_DOC).
    """

    metric: M
    namespace: Namespace
    stat: str
    dimensions: tuple[str, ...]  # the exact dimension set, the SEARCH schema
    filter_by: tuple[str, ...]  # the alarm's dimensions the search pins (the IC's name for a copy)
    label_by: tuple[str, ...]  # the dimensions that tell one series from another

    def search(self, values: Mapping[str, str], period_s: int) -> str:
        """The SEARCH expression for the alarm's endpoint/variant (or IC); names are quoted exact matches."""
        # The namespace has '/' in it: quoted, as the syntax asks for names with non-alphanumeric characters.
        schema = ",".join((f'"{self.namespace.value}"', *self.dimensions))
        terms = " ".join(f'{name}="{values[name]}"' for name in self.filter_by)
        return f"SEARCH('{{{schema}}} MetricName=\"{self.metric.value}\" {terms}', '{self.stat}', {period_s})"

    @property
    def label(self) -> str:
        """The dynamic label naming each series: its instance (and copy) id."""
        return " ".join(f"${{PROP('Dim.{name}')}}" for name in self.label_by)


_PER_VARIANT_INSTANCE = ("EndpointName", "InstanceId", "VariantName")
_PER_COPY = ("ContainerId", "EndpointName", "InferenceComponentName", "InstanceId", "VariantName")
# What INSTANCE-IMBALANCE compares across a variant's instances: utilisation (per instance, % x cores / GPUs as
# the variant-level metric) and requests served.
PER_INSTANCE: tuple[PerInstance, ...] = (
    PerInstance(M.CPU_UTILIZATION, Namespace.ENDPOINT_INSTANCES, "Average", _PER_VARIANT_INSTANCE,
                ENDPOINT_AND_VARIANT, ("InstanceId",)),
    PerInstance(M.GPU_UTILIZATION, Namespace.ENDPOINT_INSTANCES, "Average", _PER_VARIANT_INSTANCE,
                ENDPOINT_AND_VARIANT, ("InstanceId",)),
    PerInstance(M.INVOCATIONS, Namespace.SAGEMAKER, "Sum", _PER_VARIANT_INSTANCE, ENDPOINT_AND_VARIANT,
                ("InstanceId",)),
)
# For an IC: requests served by each copy (an alarm on an IC names only the IC, which is all the search needs).
PER_COPY: tuple[PerInstance, ...] = (
    PerInstance(M.INVOCATIONS, Namespace.SAGEMAKER, "Sum", _PER_COPY, COMPONENT_ONLY, ("InstanceId", "ContainerId")),
)


def per_instance_measures(inference_component: str | None) -> tuple[PerInstance, ...]:
    """The per-instance series an alarm reads: per copy for an alarm on an IC, else per instance of the variant."""
    return PER_COPY if inference_component else PER_INSTANCE

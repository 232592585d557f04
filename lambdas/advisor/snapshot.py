"""The evidence for one alarm, as an immutable snapshot the rules read (no I/O here).

`evidence.gather_evidence` fills it; every rule is a pure function of it. Latencies are kept in
milliseconds and utilisation in percent, so rules never convert units.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from functools import cached_property
from typing import TYPE_CHECKING, Literal

from advisor.catalogue import Kind, metric
from advisor.events import AlarmEvent
from advisor.frameworks import ImageInfo
from advisor.instances import InstanceSpec
from advisor.thresholds import DEFAULT, Thresholds

if TYPE_CHECKING:
    from advisor.signals import Signals

MINUTE = 60


class Source(Enum):
    """A piece of evidence, as rules declare what they need (a typo is an AttributeError, not a skipped rule)."""

    METRICS = "metrics"  # GetMetricData
    ENDPOINT = "endpoint"  # DescribeEndpoint
    CONFIG = "config"  # DescribeEndpointConfig
    MODEL = "model"  # DescribeModel
    SCALING = "scaling"  # DescribeScalableTargets
    SCALING_POLICIES = "scaling policies"  # DescribeScalingPolicies (only when a scalable target exists)
    SCALING_ACTIVITIES = "scaling activities"  # DescribeScalingActivities (idem)
    COMPONENT = "inference component"  # DescribeInferenceComponent (alarms on an IC metric)
    PER_INSTANCE = "per-instance series"  # the SEARCH expressions inside GetMetricData (enhanced metrics)


@dataclass(frozen=True)
class Windows:
    """Incident and baseline windows, measured back from the alarm's state-change time T (SPEC §4)."""

    alarm_time: datetime
    incident_s: int
    baseline_s: int

    @classmethod
    def for_alarm(cls, alarm: AlarmEvent, thresholds: Thresholds = DEFAULT) -> Windows:
        """Incident = last max(15 min, period × evaluation periods); baseline = the 3 h before it."""
        evaluated = alarm.period_s * (alarm.evaluation_periods or 1)
        return cls(alarm.time, max(thresholds.incident_min_s, evaluated), thresholds.baseline_s)

    @property
    def anchor(self) -> datetime:
        """T floored to the minute: CloudWatch datapoints start on whole minutes."""
        return self.alarm_time.replace(second=0, microsecond=0)

    @property
    def start(self) -> datetime:
        """Start of the baseline window, the earliest time any rule looks at."""
        return self.anchor - timedelta(seconds=self.incident_s + self.baseline_s)

    @property
    def incident_range(self) -> tuple[int, int]:
        """The incident window as [start, end) seconds relative to the anchor."""
        return -self.incident_s, 0

    @property
    def baseline_range(self) -> tuple[int, int]:
        """The baseline window as [start, end) seconds relative to the anchor."""
        return -(self.incident_s + self.baseline_s), -self.incident_s

    @property
    def full_range(self) -> tuple[int, int]:
        """Baseline and incident together."""
        return -(self.incident_s + self.baseline_s), 0


@dataclass(frozen=True)
class Series:
    """One statistic of one metric at one-minute resolution: offset from T in seconds → value."""

    points: dict[int, float] = field(default_factory=dict)

    def between(self, start_s: int, end_s: int) -> list[float]:
        """Values whose period starts in [start_s, end_s) seconds relative to T."""
        return [v for t, v in self.points.items() if start_s <= t < end_s]

    def minutes(self, start_s: int, end_s: int) -> list[float]:
        """One value per minute in [start_s, end_s); a minute with no datapoint counts as 0."""
        return [self.points.get(t, 0.0) for t in range(start_s, end_s, MINUTE)]


@dataclass(frozen=True)
class MetricData:
    """Every series the rules need, keyed by (metric name, statistic)."""

    series: dict[tuple[str, str], Series]
    windows: Windows
    # Enhanced metrics: (metric, stat) -> one series per instance (or IC copy), keyed by its label; empty when
    # enhanced metrics are off, and not searched at all when CloudWatch refused the searches.
    per_instance: dict[tuple[str, str], dict[str, Series]] = field(default_factory=dict)
    per_instance_searched: bool = True

    def get(self, metric: str, stat: str) -> Series:
        """A series, empty when CloudWatch had no data for it."""
        return self.series.get((metric, stat), Series())

    def incident(self, metric: str, stat: str) -> list[float]:
        """Datapoints of the incident window."""
        return self.get(metric, stat).between(*self.windows.incident_range)

    def baseline(self, metric: str, stat: str) -> list[float]:
        """Datapoints of the baseline window."""
        return self.get(metric, stat).between(*self.windows.baseline_range)

    def ratio(self, metric: str, window: Literal["incident", "baseline"]) -> float | None:
        """Sum/SampleCount over a window: the true average (the hit rate for 0/1 metrics); None without data."""
        pick = self.incident if window == "incident" else self.baseline
        count = sum(pick(metric, "SampleCount"))
        return sum(pick(metric, "Sum")) / count if count > 0 else None

    def mean(self, metric: str, stat: str, window: Literal["incident", "baseline"]) -> float | None:
        """Plain mean of a statistic's datapoints over a window; None without data."""
        values = self.incident(metric, stat) if window == "incident" else self.baseline(metric, stat)
        return sum(values) / len(values) if values else None


@dataclass(frozen=True)
class VariantState:
    """The alarmed production variant as DescribeEndpoint / DescribeEndpointConfig show it."""

    name: str
    instance_type: str | None
    instance: InstanceSpec | None
    current_instance_count: int | None
    model_name: str | None
    serverless_memory_mb: int | None
    serverless_max_concurrency: int | None
    provisioned_concurrency: int | None


@dataclass(frozen=True)
class ManagedScaling:
    """A variant's ManagedInstanceScaling: SageMaker adds instances when IC copies do not fit."""

    enabled: bool
    min_instances: int | None
    max_instances: int | None


@dataclass(frozen=True)
class ComponentState:
    """DescribeInferenceComponent: the IC an alarm is about, its reservation and its copies."""

    name: str
    endpoint: str
    variant: str
    status: str
    failure_reason: str | None
    creation_time: datetime | None
    last_modified_time: datetime | None
    model_name: str | None
    instance_type: str | None
    image: ImageInfo | None
    environment: dict[str, str]
    cpu_cores: float | None  # ComputeResourceRequirements, per copy
    accelerators: float | None
    min_memory_mb: int | None
    desired_copies: int | None
    current_copies: int | None
    # (instance type, copies placed) per RuntimeConfig.PlacementStatus entry. Not shown in findings: the Lambda
    # runtime's botocore (requirements-lambda-runtime.txt) predates the field and drops it, so a finding built on
    # it would differ between the tests and production (tests/test_runtime_parity.py).
    placement: tuple[tuple[str, int], ...] = ()

    @property
    def waiting_copies(self) -> int:
        """Copies wanted but not placed (no room on the variant's instances)."""
        if self.desired_copies is None or self.current_copies is None:
            return 0
        return max(0, self.desired_copies - self.current_copies)


@dataclass(frozen=True)
class EndpointState:
    """DescribeEndpoint (+ config and model where gathered)."""

    name: str
    arn: str | None
    status: str
    failure_reason: str | None
    creation_time: datetime | None
    last_modified_time: datetime | None
    config_name: str | None
    kind: Kind | None
    variant: VariantState | None
    image: ImageInfo | None
    async_config: bool = False
    # CreationTime of the endpoint config and of the model in use: a deployment creates them, scaling does not.
    config_creation_time: datetime | None = None
    model_creation_time: datetime | None = None
    environment: dict[str, str] = field(default_factory=dict)  # the serving container's Environment
    pending_config_name: str | None = None  # the config an in-progress deployment is moving to
    managed_scaling: ManagedScaling | None = None  # the variant's ManagedInstanceScaling, when set
    routing_strategy: str | None = None  # the variant's RoutingConfig.RoutingStrategy, when set
    enhanced_metrics: bool = False  # the endpoint config's MetricsConfig.EnableEnhancedMetrics

    @property
    def deployed_time(self) -> datetime | None:
        """Creation time of the endpoint config (or model) in use when it is newer than the endpoint: a deployment.

        UpdateEndpoint needs a new endpoint config (or a new model behind one); autoscaling
        (UpdateEndpointWeightsAndCapacities) moves LastModifiedTime and the status but creates neither.
        None when the endpoint still runs what it was created with, or the config/model was not described.
        """
        if self.creation_time is None:
            return None
        created = [t for t in (self.config_creation_time, self.model_creation_time)
                   if t is not None and t > self.creation_time]
        return max(created, default=None)


@dataclass(frozen=True)
class ScalingPolicy:
    """One Application Auto Scaling policy on the variant."""

    name: str
    policy_type: str
    target_value: float | None = None
    metric: str | None = None  # predefined metric type, or the customized metric's name


@dataclass(frozen=True)
class ScalingActivity:
    """One Application Auto Scaling activity on the variant (DescribeScalingActivities)."""

    status: str  # Pending | InProgress | Successful | Overridden | Unfulfilled | Failed
    start: datetime | None
    end: datetime | None
    description: str
    cause: str
    desired: int | None  # the capacity it set, read from the description


@dataclass(frozen=True)
class ScalingState:
    """Application Auto Scaling for the variant; `registered` False means no scalable target.

    `policies` / `activities` are None when they were not gathered (no target, or the call failed).
    """

    registered: bool
    min_capacity: int | None = None
    max_capacity: int | None = None
    policies: tuple[ScalingPolicy, ...] | None = None
    activities: tuple[ScalingActivity, ...] | None = None

    @property
    def autoscaled(self) -> bool | None:
        """A scalable target with at least one policy; a target without policies never scales (None: unknown)."""
        if not self.registered:
            return False
        return None if self.policies is None else bool(self.policies)


@dataclass(frozen=True)
class EvidenceError:
    """A piece of evidence that could not be gathered, and why."""

    evidence: str
    code: str
    message: str


@dataclass(frozen=True)
class Evidence:
    """Everything known about one alarm. `None` fields were not gathered (see `errors`)."""

    alarm: AlarmEvent
    windows: Windows
    endpoint: EndpointState | None
    endpoint_missing: bool
    scaling: ScalingState | None
    metrics: MetricData | None
    errors: tuple[EvidenceError, ...] = ()
    missing: frozenset[Source] = frozenset()
    thresholds: Thresholds = DEFAULT
    component: ComponentState | None = None  # the alarmed IC, for an alarm on an IC metric

    @cached_property
    def kind(self) -> Kind | None:
        """Endpoint kind from its description, else from the alarm's metric when only one kind emits it.

        An alarm on an IC metric is about that IC, whatever else the endpoint hosts."""
        if self.alarm.inference_component:
            return Kind.INFERENCE_COMPONENTS
        if self.endpoint and self.endpoint.kind:
            return self.endpoint.kind
        entry = metric(self.alarm.metric)
        if entry is not None and len(entry.kinds) == 1:
            return next(iter(entry.kinds))
        return None

    @cached_property
    def signals(self) -> Signals:
        """Shared derived quantities (load, traffic shape, cold starts), computed once."""
        from advisor.signals import Signals

        return Signals(self)

    @property
    def variant(self) -> VariantState | None:
        """The alarmed variant, when the endpoint was described."""
        return self.endpoint.variant if self.endpoint else None

    def seconds_before_alarm(self, when: datetime | None) -> float | None:
        """How long before T a time was (negative: after T)."""
        return (self.alarm.time - when).total_seconds() if when else None

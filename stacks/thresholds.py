"""The default alarm per endpoint kind and metric (SPEC §2), derived from the metric catalogue.

advisor.catalogue is the one source of metric facts (names, namespaces, dimensions, units, kinds, default
alarms); this module only shapes them for the stack's config and alarms.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from advisor.catalogue import CATALOGUE, Kind, M, Metric, Namespace, Shown
from advisor.catalogue import default_alarms as catalogue_default_alarms

Breach = Literal["above", "below"]
Unit = Literal["ms", "rate", "count"]

KINDS: tuple[str, ...] = tuple(kind.value for kind in Kind)
PERIOD_S = 60
EVALUATION_PERIODS = 5
DATAPOINTS = 3
# How an override value of `evaluate_low_samples` reaches CloudWatch's EvaluateLowSampleCountPercentile.
LOW_SAMPLE_CHOICES = ("evaluate", "ignore")

_CONFIG_UNITS: dict[Shown, Unit] = {Shown.MS_FROM_MICROSECONDS: "ms", Shown.FRACTION: "rate", Shown.COUNT: "count"}
# Alarms an IC gets only when the config says it may scale to zero (its copy count's MinCapacity is 0).
SCALE_TO_ZERO_ONLY = frozenset({str(M.NO_CAPACITY_INVOCATION_FAILURES)})


@dataclass(frozen=True)
class MetricInfo:
    """What a SageMaker metric means and how its alarm compares; `unit` is also its config key."""

    meaning: str
    unit: Unit
    breach: Breach
    stat: str  # the default alarm's statistic


def _info(entry: Metric) -> MetricInfo:
    assert entry.alarm is not None
    unit = _CONFIG_UNITS.get(entry.shown)
    if unit is None:  # a catalogue change the config format cannot express yet
        raise ValueError(f"{entry.name}: no config unit for metrics shown as {entry.shown}")
    return MetricInfo(entry.alarm.meaning, unit, entry.alarm.breach, entry.alarm.stat)


# Every metric the stack can alarm on, in catalogue order.
METRICS: dict[str, MetricInfo] = {str(m): _info(entry) for m, entry in CATALOGUE.items() if entry.alarm}

# Default threshold per kind and metric, in the metric's config unit (ms, or a 0-1 rate); a kind's keys
# are exactly the alarmed metrics it emits.
KIND_THRESHOLDS: dict[str, dict[str, float]] = {
    kind.value: {str(entry.name): entry.alarm.thresholds[kind]
                 for entry in catalogue_default_alarms(kind) if entry.alarm}
    for kind in Kind
}


def catalogue_entry(metric: str) -> Metric:
    """The catalogue entry of an alarmed metric."""
    return CATALOGUE[M(metric)]


def follows_publish_frequency(metric: str, enhanced: bool) -> bool:
    """Whether `metric` is published at the endpoint's MetricPublishFrequencyInSeconds.

    Utilisation metrics (the instance namespace) always follow it; invocation metrics (everything the stack
    alarms on) only with EnableEnhancedMetrics, else they stay at 60 s (aws-metrics-facts §0, METRICS_CONFIG_DOC).
    """
    return enhanced or catalogue_entry(metric).namespace is Namespace.ENDPOINT_INSTANCES


@dataclass(frozen=True)
class AlarmSpec:
    """One alarm's settings; `threshold` is in the metric's config unit (ms or rate)."""

    metric: str
    stat: str
    threshold: float
    period_s: int = PERIOD_S
    datapoints: int = DATAPOINTS
    evaluation_periods: int = EVALUATION_PERIODS
    evaluate_low_samples: str | None = None  # EvaluateLowSampleCountPercentile; None leaves it unset

    @property
    def info(self) -> MetricInfo:
        """Meaning, unit and direction of the metric."""
        return METRICS[self.metric]

    @property
    def entry(self) -> Metric:
        """The metric's catalogue entry: namespace, dimensions, unit."""
        return catalogue_entry(self.metric)

    @property
    def cloudwatch_threshold(self) -> float:
        """Threshold as CloudWatch compares it (latencies are published in microseconds)."""
        return self.entry.alarm_threshold_to_cloudwatch(self.threshold)

    @property
    def threshold_text(self) -> str:
        """The threshold for people: '500 ms' or '0.8'."""
        return f"{self.threshold:g} ms" if self.info.unit == "ms" else f"{self.threshold:g}"


def default_alarms(kind: str) -> dict[str, AlarmSpec]:
    """The default alarm for every alarmed metric an endpoint of `kind` emits, keyed by metric name."""
    # One failed request is a user who got an error: the scale-to-zero alarm fires on the first period with one.
    return {metric: AlarmSpec(metric, METRICS[metric].stat, threshold,
                              datapoints=1 if metric in SCALE_TO_ZERO_ONLY else DATAPOINTS,
                              evaluation_periods=1 if metric in SCALE_TO_ZERO_ONLY else EVALUATION_PERIODS)
            for metric, threshold in KIND_THRESHOLDS[kind].items()}


def kinds_emitting(metric: str) -> list[str]:
    """Endpoint kinds that get an alarm on `metric`."""
    return [kind for kind, metrics in KIND_THRESHOLDS.items() if metric in metrics]

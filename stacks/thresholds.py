"""Which latency metrics each endpoint kind emits and the default alarm on each (SPEC §2), as data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from advisor.catalogue import CATALOGUE, Kind, Shown
from advisor.catalogue import default_alarms as catalogue_default_alarms

Breach = Literal["above", "below"]
Unit = Literal["ms", "rate"]

KINDS = ("real-time", "multi-model", "serverless", "async")
PERIOD_S = 60
EVALUATION_PERIODS = 5
DATAPOINTS = 3
DEFAULT_STAT = "p90"


@dataclass(frozen=True)
class MetricInfo:
    """What a SageMaker metric means and how its alarm compares; `unit` is also its config key."""

    meaning: str
    unit: Unit
    breach: Breach


# Derived from the metric catalogue (advisor.catalogue), the one source of metric facts.
METRICS: dict[str, MetricInfo] = {
    entry.name.value: MetricInfo(entry.alarm.meaning, "rate" if entry.shown is Shown.FRACTION else "ms",
                                 entry.alarm.breach)
    for entry in CATALOGUE.values() if entry.alarm is not None}

# Default threshold per kind and metric, in the metric's config unit (ms, or a 0-1 rate); a kind's keys
# are exactly the metrics the stack alarms on for it.
KIND_THRESHOLDS: dict[str, dict[str, float]] = {
    kind.value: {entry.name.value: entry.alarm.thresholds[kind] for entry in catalogue_default_alarms(kind)
                 if entry.alarm is not None}
    for kind in Kind}

# Default statistic per metric (p90 where AWS documents percentiles, else a documented statistic).
METRIC_STATS: dict[str, str] = {
    entry.name.value: entry.alarm.stat for entry in CATALOGUE.values() if entry.alarm is not None}


@dataclass(frozen=True)
class AlarmSpec:
    """One alarm's settings; `threshold` is in the metric's config unit (ms or rate)."""

    metric: str
    stat: str
    threshold: float
    period_s: int = PERIOD_S
    datapoints: int = DATAPOINTS
    evaluation_periods: int = EVALUATION_PERIODS

    @property
    def info(self) -> MetricInfo:
        """Meaning, unit and direction of the metric."""
        return METRICS[self.metric]

    @property
    def cloudwatch_threshold(self) -> float:
        """Threshold as CloudWatch compares it: latencies are published in microseconds."""
        return self.threshold * 1000 if self.info.unit == "ms" else self.threshold

    @property
    def threshold_text(self) -> str:
        """The threshold for people: '500 ms' or '0.8'."""
        return f"{self.threshold:g} ms" if self.info.unit == "ms" else f"{self.threshold:g}"


def default_alarms(kind: str) -> dict[str, AlarmSpec]:
    """The default alarm for every metric an endpoint of `kind` emits, keyed by metric name."""
    return {metric: AlarmSpec(metric, METRIC_STATS[metric], threshold)
            for metric, threshold in KIND_THRESHOLDS[kind].items()}


def kinds_emitting(metric: str) -> list[str]:
    """Endpoint kinds that emit `metric`."""
    return [kind for kind, metrics in KIND_THRESHOLDS.items() if metric in metrics]

"""Which latency metrics each endpoint kind emits and the default alarm on each (SPEC §2), as data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

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


METRICS: dict[str, MetricInfo] = {
    "ModelLatency": MetricInfo("Time requests spend inside the model container.", "ms", "above"),
    "OverheadLatency": MetricInfo(
        "Time SageMaker adds around the container (payload, auth, cold instances).", "ms", "above"),
    "ModelLoadingWaitTime": MetricInfo(
        "Time requests wait for the target model to be downloaded and loaded.", "ms", "above"),
    "ModelDownloadingTime": MetricInfo("Time to download model artifacts from S3.", "ms", "above"),
    "ModelLoadingTime": MetricInfo("Time to load a downloaded model into the container.", "ms", "above"),
    "ModelCacheHit": MetricInfo(
        "Share of requests whose model was already loaded; low means models are evicted and reloaded.",
        "rate", "below"),
    "ModelSetupTime": MetricInfo("Time to launch serverless compute (cold start).", "ms", "above"),
}

# Default threshold per kind and metric, in the metric's config unit (ms, or a 0-1 rate); a kind's keys
# are exactly the latency metrics it emits. Async requests run for minutes by design, hence 60 s.
KIND_THRESHOLDS: dict[str, dict[str, float]] = {
    "real-time": {"ModelLatency": 500, "OverheadLatency": 100},
    "multi-model": {"ModelLatency": 500, "OverheadLatency": 100, "ModelLoadingWaitTime": 1000,
                    "ModelDownloadingTime": 5000, "ModelLoadingTime": 5000, "ModelCacheHit": 0.8},
    "serverless": {"ModelLatency": 500, "OverheadLatency": 100, "ModelSetupTime": 5000},
    "async": {"ModelLatency": 60_000},
}

# Default statistic where p90 is not the right one: the cache-hit metric is 0/1, its Average is the rate.
METRIC_STATS: dict[str, str] = {"ModelCacheHit": "Average"}


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
    return {metric: AlarmSpec(metric, METRIC_STATS.get(metric, DEFAULT_STAT), threshold)
            for metric, threshold in KIND_THRESHOLDS[kind].items()}


def kinds_emitting(metric: str) -> list[str]:
    """Endpoint kinds that emit `metric`."""
    return [kind for kind, metrics in KIND_THRESHOLDS.items() if metric in metrics]

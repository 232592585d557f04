"""INSTANCE-IMBALANCE (SPEC §4b): one instance (or IC copy) does far more than the others.

Needs per-instance series, which exist only when the endpoint config enables enhanced metrics
(MetricsConfig.EnableEnhancedMetrics); the advisor finds them by SEARCH inside its one GetMetricData call
(advisor.catalogue.PER_INSTANCE), so without them the rule stays silent and costs nothing.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from advisor.catalogue import ENHANCED_METRICS_DOC, INSTANCE_KINDS, PerInstance, per_instance_measures
from advisor.rules.base import LATENCY, Kind, M, Source, Verdict, rule
from advisor.snapshot import MINUTE, Evidence
from advisor.units import pct, per_min, ratio

ROUTING_DOC = "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ProductionVariantRoutingConfig.html"
# "By default, SageMaker endpoints have a random routing strategy." (AWS Machine Learning Blog, Nov 2023)
ROUTING_BLOG = ("https://aws.amazon.com/blogs/machine-learning/minimize-real-time-inference-latency-by-using-"
                "amazon-sagemaker-routing-strategies/")
RANDOM, LEAST_OUTSTANDING = "RANDOM", "LEAST_OUTSTANDING_REQUESTS"
UTILISATION = frozenset({M.CPU_UTILIZATION, M.GPU_UTILIZATION})


@dataclass(frozen=True)
class Imbalance:
    """The hottest instance of one per-instance metric against the others (incident-window averages)."""

    measure: PerInstance
    hot: str  # the series' label: its InstanceId (and ContainerId for an IC copy)
    hot_value: float
    others: float  # the median of the others (the other one, for two)
    count: int

    @property
    def ratio(self) -> float:
        """How many times the others' median the hot one carries (infinite when they carry nothing)."""
        return self.hot_value / self.others if self.others > 0 else float("inf")


def _incident_means(ev: Evidence, measure: PerInstance) -> dict[str, float]:
    """Each instance's incident average: per minute for a Sum (a minute without data is zero), else per datapoint.

    Only instances that report through most of the incident: one added by a scale-out (or gone) mid-window would
    otherwise read as idle next to the others, or make them look hot.
    """
    assert ev.metrics is not None
    start, end = ev.windows.incident_range
    needed = ev.thresholds.imbalance_min_coverage * (end - start) / MINUTE
    means = {}
    for label, series in ev.metrics.per_instance.get((measure.metric.value, measure.stat), {}).items():
        if len(series.between(start, end)) < needed:
            continue
        values = series.minutes(start, end) if measure.stat == "Sum" else series.between(start, end)
        means[label] = sum(values) / len(values)
    return means


def _imbalance(ev: Evidence, measure: PerInstance) -> Imbalance | None:
    means = _incident_means(ev, measure)
    if len(means) < 2:
        return None
    hot = max(means, key=lambda label: (means[label], label))
    others = [value for label, value in means.items() if label != hot]
    return Imbalance(measure, hot, means[hot], statistics.median(others), len(means))


def _per_unit(ev: Evidence, imbalance: Imbalance, value: float) -> float:
    """A per-instance utilisation as per core / per GPU (CloudWatch sums the cores / GPUs of an instance)."""
    instance = ev.variant.instance if ev.variant else None
    if instance is None:
        return value
    units = instance.accelerators if imbalance.measure.metric == M.GPU_UTILIZATION else instance.vcpus
    return value / units if units else value


def _matters(ev: Evidence, imbalance: Imbalance) -> bool:
    """≥ the ratio (SPEC: 2x) and busy enough to matter (a 4 % instance next to 1.5 % ones does not)."""
    t = ev.thresholds
    if imbalance.ratio < t.imbalance_ratio:
        return False
    if imbalance.measure.metric in UTILISATION:
        return _per_unit(ev, imbalance, imbalance.hot_value) >= t.imbalance_min_utilisation_pct
    return imbalance.hot_value >= t.imbalance_min_invocations_per_min


def _named(label: str, copy: bool) -> str:
    """The series' instance id, or for an IC copy (labelled 'instance container') 'container <id> on <instance>'.

    Only the leading words are read: CloudWatch may append a series' default label to the query's.
    """
    words = label.split() or ["?"]
    return f"container {words[1]} on {words[0]}" if copy and len(words) > 1 else words[0]


def _shown(ev: Evidence, imbalance: Imbalance, value: float) -> str:
    if imbalance.measure.metric in UTILISATION:
        unit = "GPU" if imbalance.measure.metric == M.GPU_UTILIZATION else "core"
        return f"{pct(_per_unit(ev, imbalance, value))} per {unit}"
    return per_min(value)


@rule("INSTANCE-IMBALANCE", severity="warning", title="One instance carries far more than the others",
      docs=(ENHANCED_METRICS_DOC, ROUTING_DOC, ROUTING_BLOG), metrics=LATENCY,
      needs={Source.METRICS, Source.PER_INSTANCE},
      kinds=INSTANCE_KINDS | {Kind.INFERENCE_COMPONENTS})
def instance_imbalance(ev: Evidence) -> Verdict | None:
    """Per-instance CPU/GPU utilisation or invocations (per IC copy: invocations) ≥ 2x the median of the others
    (the other one, with two), with enhanced metrics on.

    How it reads depends on the routing: with random routing (set, or not set: AWS's default) requests of uneven
    cost pile up on one instance, and least outstanding requests is the cure. Least outstanding requests already
    sends work where there is capacity, so there only utilisation counts: an instance that works far harder for
    its share of requests is degraded. Prefix-aware routing keeps one prompt prefix on one instance on purpose.
    """
    routing = ev.endpoint.routing_strategy if ev.endpoint else None
    # Unset means AWS's default (random) only when the endpoint config was read; otherwise it is unknown.
    known = ev.endpoint is not None and Source.CONFIG not in ev.missing
    found = [found for measure in per_instance_measures(ev.alarm.inference_component)
             if (found := _imbalance(ev, measure)) is not None and _matters(ev, found)]
    if routing == LEAST_OUTSTANDING:
        found = [each for each in found if each.measure.metric in UTILISATION]
    if not found:
        return None
    worst = max(found, key=lambda each: (each.ratio, each.measure.metric.value))
    copy = ev.alarm.inference_component is not None
    what = "copy" if copy else "instance"
    metric = worst.measure.metric.value + (" per copy" if copy else "")
    evidence = {
        "Metric (per instance, enhanced metrics)": metric,
        f"Hot {what}": f"{_named(worst.hot, copy)}: {_shown(ev, worst, worst.hot_value)} (incident avg)",
        f"Median of the other {worst.count - 1}" if worst.count > 2 else "The other one":
            _shown(ev, worst, worst.others),
        "Ratio": ratio(worst.ratio) if worst.others > 0 else "the others idle",
        "Routing": routing or (f"not set ({RANDOM}, AWS's default)" if known else "unknown (endpoint config not read)"),
    }
    for each in found:
        if each is not worst:
            evidence[f"Also ({each.measure.metric.value})"] = (
                f"{_named(each.hot, copy)}: {_shown(ev, each, each.hot_value)} vs {_shown(ev, each, each.others)}")
    where, hot = f"{ev.alarm.endpoint}/{ev.alarm.variant}", _named(worst.hot, copy)
    carries = f"{hot} carries {ratio(worst.ratio) if worst.others > 0 else 'all'} of the load of the others"
    if routing == RANDOM or (routing is None and known):
        advice = (f"{carries} while requests are routed at random: requests of uneven cost pile up on one {what} "
                  f"while others idle. Route by load: set RoutingConfig.RoutingStrategy to {LEAST_OUTSTANDING} "
                  f"on the variant of {where} (a new endpoint config and UpdateEndpoint). If it stays this hot "
                  "with its share of requests, it is degraded: replace it by updating the endpoint.")
    elif routing is None:
        advice = (f"{carries}. Check the variant's RoutingConfig: with random routing (AWS's default) route by "
                  f"{LEAST_OUTSTANDING}; if it already routes that way, the {what} is likely degraded: replace it "
                  f"by updating {ev.alarm.endpoint}.")
    elif routing == LEAST_OUTSTANDING:
        advice = (f"Least-outstanding-requests routing already sends requests where there is capacity, yet "
                  f"{hot} works {ratio(worst.ratio)} harder than the others: the instance is likely "
                  "degraded (a noisy host, a failing accelerator, a stuck worker). Check its log stream, then "
                  f"replace it by updating {ev.alarm.endpoint} (UpdateEndpoint with a new endpoint config "
                  "brings up new instances).")
    else:
        advice = (f"{routing} routing keeps requests that share a prompt prefix on one {what} on purpose, and "
                  f"{hot} now carries {ratio(worst.ratio)} the others' load: a hot prefix concentrates the "
                  "work. Lower the routing's concurrency threshold so overflow moves sooner, or route by "
                  f"{LEAST_OUTSTANDING}.")
    return Verdict(evidence, advice, strength=min(worst.ratio, 10.0) / ev.thresholds.imbalance_ratio)

"""Rules for asynchronous endpoints: requests piling up in the queue faster than instances work it off."""

from __future__ import annotations

from advisor.rules.base import ANY_METRIC, Kind, M, Source, Verdict, rule
from advisor.snapshot import Evidence
from advisor.units import duration

ASYNC_DOCS = ("https://docs.aws.amazon.com/sagemaker/latest/dg/async-inference-autoscale.html",
              "https://docs.aws.amazon.com/sagemaker/latest/dg/async-inference-monitor.html")


def _oldest_rising(ev: Evidence) -> tuple[float, float] | None:
    """(first, last) age of the oldest queued request over the incident window, when it kept rising."""
    assert ev.metrics is not None
    ages = [age for _, age in sorted(ev.metrics.get(M.OLDEST_REQUEST_AGE, "Maximum").points.items())
            if ev.windows.incident_range[0] <= _ <= ev.windows.incident_range[1]]
    if len(ages) < 3:
        return None
    first, last = ages[0], ages[-1]
    t = ev.thresholds
    if last >= first * t.backlog_age_growth_ratio and last - first >= t.backlog_age_growth_s:
        return first, last
    return None


@rule("ASYNC-BACKLOG", severity="critical", title="Requests pile up in the asynchronous queue",
      docs=ASYNC_DOCS, metrics=ANY_METRIC, needs={Source.METRICS}, kinds={Kind.ASYNC})
def async_backlog(ev: Evidence) -> Verdict | None:
    """ApproximateBacklogSizePerInstance ≥ 5, or the oldest request's age rising through the incident window."""
    if ev.kind != Kind.ASYNC or ev.metrics is None:
        return None
    per_instance = ev.metrics.mean(M.BACKLOG_PER_INSTANCE, "Average", "incident")
    rising = _oldest_rising(ev)
    deep = per_instance is not None and per_instance >= ev.thresholds.backlog_per_instance_high
    if not deep and rising is None:
        return None
    evidence = {}
    if per_instance is not None:
        evidence["Backlog per instance (incident avg)"] = f"{per_instance:,.1f} requests"
    if rising is not None:
        evidence["Oldest request's age"] = f"{duration(rising[0])} → {duration(rising[1])} over the incident window"
    no_capacity = ev.metrics.incident(M.BACKLOG_WITHOUT_CAPACITY, "Maximum")
    if any(v >= 1 for v in no_capacity):
        evidence["HasBacklogWithoutCapacity"] = "1 (requests waiting with no instance running)"
    scaling = ev.scaling
    if scaling is not None:
        if not scaling.registered:
            evidence["Autoscaling"] = "no scalable target"
        else:
            evidence["Scalable target"] = f"MinCapacity {scaling.min_capacity}, MaxCapacity {scaling.max_capacity}"
            for policy in scaling.policies or ():
                evidence[f"Policy {policy.name}"] = f"{policy.policy_type} on {policy.metric or 'its metric'}"
    count = ev.variant.current_instance_count if ev.variant else None
    if count is not None:
        evidence["Instances"] = str(count)
    at_max = (scaling is not None and scaling.registered and count is not None and scaling.max_capacity is not None
              and count >= scaling.max_capacity)
    advice = ("Requests are queued faster than the instances process them. Scale the variant on the queue: "
              "target tracking on the customized metric ApproximateBacklogSizePerInstance (dimension EndpointName, "
              "statistic Average), and, if it scales to zero, a step scaling policy on HasBacklogWithoutCapacity "
              "so the first request brings an instance up without waiting for the backlog to reach the target.")
    if at_max:
        advice += f" The variant already runs its MaxCapacity of {count} instances: raise MaxCapacity."
    return Verdict(evidence, advice, strength=min(1.0, (per_instance or 0.0) / 20 + (0.5 if rising else 0.0)))

"""Rules about capacity: a loaded endpoint that cannot or does not scale out."""

from __future__ import annotations

import math

from advisor.rules.base import LATENCY, Kind, Source, Verdict, instance_backed, rule
from advisor.signals import LoadSignal
from advisor.snapshot import Evidence
from advisor.units import pct, per_min, ratio

SCALING_DOCS = ("https://docs.aws.amazon.com/sagemaker/latest/dg/endpoint-auto-scaling.html",
                "https://docs.aws.amazon.com/sagemaker/latest/dg/endpoint-auto-scaling-add-code-define.html")
# Instance-count scaling: not serverless (provisioned concurrency) and not async (ASYNC-BACKLOG covers it).
SCALED_KINDS = {Kind.REAL_TIME, Kind.MULTI_MODEL}


def _load_evidence(ev: Evidence, load: LoadSignal) -> dict[str, str]:
    evidence = {}
    if load.cpu_per_core_pct is not None:
        evidence["CPU per core (incident avg)"] = pct(load.cpu_per_core_pct)
    if load.gpu_per_gpu_pct is not None:
        evidence["GPU per GPU (incident avg)"] = pct(load.gpu_per_gpu_pct)
    if load.per_instance_per_min is not None:
        surge = f", {ratio(load.surge_ratio)} baseline" if load.surge_ratio is not None else ""
        evidence["Invocations per instance"] = f"{per_min(load.per_instance_per_min)}{surge}"
    variant = ev.variant
    count = variant.current_instance_count if variant else None
    if variant is not None and (variant.instance_type or count is not None):
        evidence["Instances"] = f"{count if count is not None else '?'} x {variant.instance_type or 'unknown type'}"
    return evidence


def _strength(load: LoadSignal, ev: Evidence) -> float:
    t = ev.thresholds
    hot = max(load.cpu_per_core_pct or 0.0, load.gpu_per_gpu_pct or 0.0) / t.utilisation_high_pct
    return max(hot, (load.surge_ratio or 0.0) / t.invocations_surge_ratio)


def suggested_target(load: LoadSignal, ev: Evidence) -> float | None:
    """Invocations per instance per minute to track: what one instance served, scaled to ~70 % utilisation."""
    observed = load.per_instance_per_min
    if not observed:
        return None
    headroom = ev.thresholds.scaling_target_headroom
    busiest = max(load.cpu_per_core_pct or 0.0, load.gpu_per_gpu_pct or 0.0)
    if busiest > 0:
        return observed * min(1.0, headroom * 100.0 / busiest)
    return observed * headroom


@rule("SCALE-NONE", severity="critical", title="Endpoint is under load and has no autoscaling",
      docs=SCALING_DOCS, metrics=LATENCY, needs={Source.METRICS, Source.SCALING, Source.ENDPOINT},
      kinds=SCALED_KINDS)
def no_autoscaling(ev: Evidence) -> Verdict | None:
    """Load signal and no scalable target for the variant, or a target without any scaling policy."""
    load = ev.signals.load
    scaling = ev.scaling
    if not load.present or not instance_backed(ev) or scaling is None or scaling.autoscaled is not False:
        return None
    evidence = _load_evidence(ev, load)
    resource = f"endpoint/{ev.alarm.endpoint}/variant/{ev.alarm.variant}"
    if scaling.registered:
        evidence["Autoscaling"] = (f"scalable target {resource} (MinCapacity {scaling.min_capacity}, MaxCapacity "
                                   f"{scaling.max_capacity}) with no scaling policy: it never scales")
        advice = "The variant is registered with Application Auto Scaling but has no policy, so it never scales: add"
    else:
        evidence["Autoscaling"] = f"no scalable target for {resource}"
        advice = ("Register the variant with Application Auto Scaling (ScalableDimension "
                  "sagemaker:variant:DesiredInstanceCount) and add")
    advice += " a target-tracking policy on SageMakerVariantInvocationsPerInstance"
    target = suggested_target(load, ev)
    count = (ev.variant.current_instance_count if ev.variant else None) or 1
    if target and load.per_instance_per_min:
        needed = math.ceil(load.per_instance_per_min * count / target)
        advice += (f" with a target of about {target:,.0f} invocations per instance per minute (each instance now "
                   f"serves {per_min(load.per_instance_per_min)}); MinCapacity {count}, MaxCapacity at least "
                   f"{max(needed * 2, count + 1)} ({needed} instances carry today's peak at that target)")
    return Verdict(evidence, advice + ".", strength=_strength(load, ev))


@rule("SCALE-AT-MAX", severity="critical", title="Autoscaling is already at its maximum capacity",
      docs=SCALING_DOCS, metrics=LATENCY, needs={Source.METRICS, Source.SCALING, Source.ENDPOINT},
      kinds=SCALED_KINDS)
def at_max_capacity(ev: Evidence) -> Verdict | None:
    """Load signal and the current instance count at the scalable target's MaxCapacity."""
    load = ev.signals.load
    scaling = ev.scaling
    if (not load.present or not instance_backed(ev) or scaling is None or not scaling.registered
            or scaling.max_capacity is None or ev.variant is None):
        return None
    count = ev.variant.current_instance_count
    if count is None or count < scaling.max_capacity:
        return None
    evidence = _load_evidence(ev, load)
    evidence["Scalable target"] = f"MinCapacity {scaling.min_capacity}, MaxCapacity {scaling.max_capacity}"
    policies = ""
    for policy in scaling.policies or ():
        target = f"target {policy.target_value:g} on " if policy.target_value is not None else ""
        evidence[f"Policy {policy.name}"] = f"{policy.policy_type}, {target}{policy.metric or 'its metric'}"
    if scaling.policies:
        named = "; ".join(f"{p.name} ({p.target_value:g} on {p.metric})" if p.target_value is not None
                          else p.name for p in scaling.policies)
        policies = f" Its policy ({named}) asks for more, but the target's maximum stops it."
    instance = ev.variant.instance_type or "this instance type"
    return Verdict(
        evidence,
        f"Autoscaling cannot add capacity: the variant already runs {count} instances, its MaxCapacity.{policies} "
        f"Raise MaxCapacity (RegisterScalableTarget) to at least {count * 2}, check the account's instance quota "
        f"for {instance}, or move to a larger instance size.",
        strength=_strength(load, ev),
    )

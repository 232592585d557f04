"""Rules about capacity: a loaded endpoint that cannot or does not scale out."""

from __future__ import annotations

import math

from advisor.rules.base import LATENCY, Verdict, instance_backed, rule
from advisor.signals import LoadSignal
from advisor.snapshot import Evidence
from advisor.units import pct, per_min, ratio

SCALING_DOCS = ("https://docs.aws.amazon.com/sagemaker/latest/dg/endpoint-auto-scaling.html",
                "https://docs.aws.amazon.com/sagemaker/latest/dg/endpoint-auto-scaling-add-code-define.html")


def _load_evidence(ev: Evidence, load: LoadSignal) -> dict[str, str]:
    evidence = {}
    if load.cpu_per_core_pct is not None:
        evidence["CPU per core (incident avg)"] = pct(load.cpu_per_core_pct)
    if load.gpu_per_gpu_pct is not None:
        evidence["GPU per GPU (incident avg)"] = pct(load.gpu_per_gpu_pct)
    if load.per_instance_per_min is not None:
        surge = f", {ratio(load.surge_ratio)} baseline" if load.surge_ratio is not None else ""
        evidence["Invocations per instance"] = f"{per_min(load.per_instance_per_min)}{surge}"
    count = ev.variant.current_instance_count if ev.variant else None
    if ev.variant and ev.variant.instance_type:
        evidence["Instances"] = f"{count if count is not None else '?'} x {ev.variant.instance_type}"
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
      docs=SCALING_DOCS, metrics=LATENCY, needs={"metrics", "scaling", "config"})
def no_autoscaling(ev: Evidence) -> Verdict | None:
    """Load signal and no Application Auto Scaling target for the variant."""
    load = ev.signals.load
    if not load.present or not instance_backed(ev) or ev.scaling.registered:
        return None
    evidence = _load_evidence(ev, load)
    evidence["Autoscaling"] = f"no scalable target for endpoint/{ev.alarm.endpoint}/variant/{ev.alarm.variant}"
    target = suggested_target(load, ev)
    count = ev.variant.current_instance_count or 1
    advice = ("Register the variant with Application Auto Scaling (ScalableDimension "
              "sagemaker:variant:DesiredInstanceCount) and add a target-tracking policy on "
              "SageMakerVariantInvocationsPerInstance")
    if target:
        needed = math.ceil(load.per_instance_per_min * count / target)
        advice += (f" with a target of about {target:,.0f} invocations per instance per minute (each instance now "
                   f"serves {per_min(load.per_instance_per_min)}); MinCapacity {count}, MaxCapacity at least "
                   f"{max(needed * 2, count + 1)} ({needed} instances carry today's peak at that target)")
    return Verdict(evidence, advice + ".", strength=_strength(load, ev))


@rule("SCALE-AT-MAX", severity="critical", title="Autoscaling is already at its maximum capacity",
      docs=SCALING_DOCS, metrics=LATENCY, needs={"metrics", "scaling", "config"})
def at_max_capacity(ev: Evidence) -> Verdict | None:
    """Load signal and the current instance count at the scalable target's MaxCapacity."""
    load = ev.signals.load
    scaling = ev.scaling
    if not load.present or not instance_backed(ev) or not scaling.registered or scaling.max_capacity is None:
        return None
    count = ev.variant.current_instance_count
    if count is None or count < scaling.max_capacity:
        return None
    evidence = _load_evidence(ev, load)
    evidence["Scalable target"] = f"MinCapacity {scaling.min_capacity}, MaxCapacity {scaling.max_capacity}"
    return Verdict(
        evidence,
        f"Autoscaling cannot add capacity: the variant already runs {count} instances, its MaxCapacity. Raise "
        f"MaxCapacity (RegisterScalableTarget) to at least {count * 2}, check the account's instance quota for "
        f"{ev.variant.instance_type}, or move to a larger instance size.",
        strength=_strength(load, ev),
    )

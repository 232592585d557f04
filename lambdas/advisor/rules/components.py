"""Rules about inference components (SPEC §4b): copies that cannot or do not scale with the load.

SCALE-NONE / SCALE-AT-MAX are about a variant's instance count; an IC scales its copy count
(`sagemaker:inference-component:DesiredCopyCount`) and its copies need room on the endpoint's instances.
"""

from __future__ import annotations

import math

from advisor.catalogue import SCALE_TO_ZERO_DOC
from advisor.rules.base import LATENCY, Kind, M, Source, Verdict, rule
from advisor.signals import LoadSignal
from advisor.snapshot import ComponentState, Evidence
from advisor.units import pct, per_min, ratio

IC_SCALING_DOCS = (
    "https://docs.aws.amazon.com/sagemaker/latest/dg/endpoint-auto-scaling-add-code-define.html",
    "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ProductionVariantManagedInstanceScaling.html",
)
IC_ONLY = {Kind.INFERENCE_COMPONENTS}
CONCURRENCY_METRIC = "SageMakerInferenceComponentConcurrentRequestsPerCopyHighResolution"


def copies_text(component: ComponentState, max_copies: int | None = None) -> str:
    """'3 current / 5 desired / 4 max', with '?' for what is unknown."""
    def shown(value: int | None) -> str:
        return "?" if value is None else str(value)
    text = f"{shown(component.current_copies)} current / {shown(component.desired_copies)} desired"
    return text + (f" / {max_copies} max" if max_copies is not None else "")


def reservation_text(component: ComponentState) -> str:
    """The copy's reserved compute: accelerators, CPU cores, memory."""
    parts = []
    if component.accelerators:
        parts.append(f"{component.accelerators:g} accelerator(s)")
    if component.cpu_cores:
        parts.append(f"{component.cpu_cores:g} CPU core(s)")
    if component.min_memory_mb:
        parts.append(f"{component.min_memory_mb:,} MB memory")
    return ", ".join(parts) or "none declared"


def component_evidence(ev: Evidence, load: LoadSignal, max_copies: int | None = None) -> dict[str, str]:
    """The IC load signal's numbers, the copies and the reservation, as every IC finding shows them."""
    evidence: dict[str, str] = {}
    component = ev.component
    if component is not None:
        evidence["Inference component"] = f"{component.name} on {component.endpoint}/{component.variant}"
        evidence["Copies"] = copies_text(component, max_copies)
        evidence["Reservation per copy"] = reservation_text(component)
    if load.cpu_per_core_pct is not None:
        evidence["CPU utilisation normalized (incident avg)"] = pct(load.cpu_per_core_pct)
    if load.gpu_per_gpu_pct is not None:
        evidence["GPU utilisation normalized (incident avg)"] = pct(load.gpu_per_gpu_pct)
    if load.per_instance_per_min is not None:
        surge = f", {ratio(load.surge_ratio)} baseline" if load.surge_ratio is not None else ""
        evidence["Invocations per copy"] = f"{per_min(load.per_instance_per_min)}{surge}"
    if load.concurrency_per_copy is not None:
        surge = f", {ratio(load.concurrency_ratio)} baseline" if load.concurrency_ratio is not None else ""
        evidence["Concurrent requests per copy (max per minute, avg)"] = f"{load.concurrency_per_copy:.1f}{surge}"
    return evidence


def _strength(ev: Evidence, load: LoadSignal) -> float:
    t = ev.thresholds
    hot = max(load.cpu_per_core_pct or 0.0, load.gpu_per_gpu_pct or 0.0) / t.utilisation_high_pct
    surge = max(load.surge_ratio or 0.0, load.concurrency_ratio or 0.0) / t.invocations_surge_ratio
    return max(hot, surge)


def suggested_concurrency(ev: Evidence, load: LoadSignal) -> int | None:
    """Concurrent requests per copy to track: what a copy held in the baseline, else ~70 % of today's."""
    if load.baseline_concurrency_per_copy:
        return max(1, math.floor(load.baseline_concurrency_per_copy))
    if load.concurrency_per_copy:
        return max(1, math.floor(load.concurrency_per_copy * ev.thresholds.scaling_target_headroom))
    return None


@rule("IC-NO-AUTOSCALING", severity="critical", title="Inference component is under load and its copies do not scale",
      docs=IC_SCALING_DOCS, metrics=LATENCY, needs={Source.METRICS, Source.SCALING, Source.COMPONENT},
      kinds=IC_ONLY)
def component_not_autoscaled(ev: Evidence) -> Verdict | None:
    """IC load signal and no scalable target (or a target without a policy) on the IC's copy count."""
    load, scaling, component = ev.signals.load, ev.scaling, ev.component
    if not load.present or scaling is None or component is None or scaling.autoscaled is not False:
        return None
    evidence = component_evidence(ev, load)
    resource = f"inference-component/{component.name}"
    if scaling.registered:
        evidence["Autoscaling"] = (f"scalable target {resource} (MinCapacity {scaling.min_capacity}, MaxCapacity "
                                   f"{scaling.max_capacity}) with no scaling policy: the copy count never changes")
        advice = "The copy count is registered with Application Auto Scaling but has no policy: add"
    else:
        evidence["Autoscaling"] = f"no scalable target for {resource}"
        advice = ("Register the copy count with Application Auto Scaling (ResourceId "
                  f"{resource}, ScalableDimension sagemaker:inference-component:DesiredCopyCount) and add")
    advice += f" a target-tracking policy on {CONCURRENCY_METRIC}"
    target = suggested_concurrency(ev, load)
    if target is not None:
        advice += f" with a target of about {target} concurrent requests per copy"
    managed = ev.endpoint.managed_scaling if ev.endpoint else None
    if managed is None or not managed.enabled:
        advice += ("; turn on managed instance scaling on the endpoint's variant (ManagedInstanceScaling "
                   "Status ENABLED, with a MaxInstanceCount above today's count) so new copies find room")
    else:
        advice += (f"; managed instance scaling is on (MaxInstanceCount {managed.max_instances}), so new copies "
                   "get instances as long as that maximum allows")
    return Verdict(evidence, advice + ".", strength=_strength(ev, load))


@rule("IC-COPIES-AT-MAX", severity="critical", title="Inference component copies are at their maximum",
      docs=IC_SCALING_DOCS, metrics=LATENCY, needs={Source.METRICS, Source.SCALING, Source.COMPONENT},
      kinds=IC_ONLY)
def copies_at_max(ev: Evidence) -> Verdict | None:
    """IC load signal and the current copy count at the copy-count target's MaxCapacity."""
    load, scaling, component = ev.signals.load, ev.scaling, ev.component
    if (not load.present or scaling is None or component is None or not scaling.registered
            or scaling.max_capacity is None or component.current_copies is None
            or component.current_copies < scaling.max_capacity):
        return None
    evidence = component_evidence(ev, load, scaling.max_capacity)
    evidence["Scalable target"] = f"MinCapacity {scaling.min_capacity}, MaxCapacity {scaling.max_capacity}"
    for policy in scaling.policies or ():
        target = f"target {policy.target_value:g} on " if policy.target_value is not None else ""
        evidence[f"Policy {policy.name}"] = f"{policy.policy_type}, {target}{policy.metric or 'its metric'}"
    count = component.current_copies
    advice = (f"Autoscaling cannot add copies: {component.name} already runs {count} copies, the copy count's "
              f"MaxCapacity. Raise MaxCapacity (RegisterScalableTarget on inference-component/{component.name}) "
              f"to at least {count * 2}")
    managed = ev.endpoint.managed_scaling if ev.endpoint else None
    instances = ev.variant.current_instance_count if ev.variant else None
    if managed is not None and managed.enabled and managed.max_instances is not None:
        advice += (f", and the endpoint's MaxInstanceCount ({managed.max_instances}) if the new copies will not "
                   f"fit on its instances ({instances if instances is not None else '?'} now)")
    else:
        advice += (", and give the new copies room: turn on managed instance scaling on the variant or add "
                   "instances, or they will wait unplaced")
    return Verdict(evidence, advice + ".", strength=_strength(ev, load))


@rule("IC-NO-ROOM", severity="critical", title="Inference component copies are waiting for room on the instances",
      docs=IC_SCALING_DOCS, metrics=LATENCY, needs={Source.COMPONENT, Source.ENDPOINT, Source.CONFIG},
      kinds=IC_ONLY)
def copies_without_room(ev: Evidence) -> Verdict | None:
    """Desired copies > current copies, and managed instance scaling off or the variant at MaxInstanceCount."""
    component = ev.component
    if component is None or ev.endpoint is None or component.waiting_copies <= 0:
        return None
    managed = ev.endpoint.managed_scaling
    instances = ev.variant.current_instance_count if ev.variant else None
    at_max = (managed is not None and managed.enabled and managed.max_instances is not None
              and instances is not None and instances >= managed.max_instances)
    if managed is not None and managed.enabled and not at_max:
        return None
    evidence = {"Inference component": f"{component.name} on {component.endpoint}/{component.variant}",
                "Copies": copies_text(component, ev.scaling.max_capacity if ev.scaling and ev.scaling.registered
                                      else None),
                "Copies waiting for placement": str(component.waiting_copies),
                "Reservation per copy": reservation_text(component),
                "Instances": f"{instances if instances is not None else '?'} x "
                             f"{(ev.variant.instance_type if ev.variant else None) or 'unknown type'}"}
    if at_max and managed is not None:
        evidence["Managed instance scaling"] = (f"on, at its MaxInstanceCount ({managed.max_instances}); "
                                                f"MinInstanceCount {managed.min_instances}")
        advice = (f"{component.waiting_copies} copies of {component.name} cannot be placed: the variant already runs "
                  f"its MaxInstanceCount of {managed.max_instances} instances. Raise MaxInstanceCount "
                  "(ManagedInstanceScaling on the endpoint config's variant)")
    else:
        evidence["Managed instance scaling"] = "off: SageMaker adds no instance for copies that do not fit"
        advice = (f"{component.waiting_copies} copies of {component.name} cannot be placed on the variant's "
                  "instances and nothing adds instances for them. Turn on managed instance scaling on the variant "
                  "(ManagedInstanceScaling Status ENABLED, MaxInstanceCount above today's count)")
    advice += (", or shrink the copy's reservation (ComputeResourceRequirements) so more copies fit on an "
               "instance.")
    return Verdict(evidence, advice, strength=1.0 + component.waiting_copies / max(1, component.desired_copies or 1))


def _copies_at(ev: Evidence, offset_s: int) -> int | None:
    """The desired copy count `offset_s` seconds before T, from the copy-count scaling activities."""
    activities = ev.scaling.activities if ev.scaling else None
    moment = ev.alarm.time.timestamp() - offset_s
    done = sorted((a for a in activities or () if a.start is not None and a.desired is not None
                   and a.start.timestamp() <= moment), key=lambda a: a.start.timestamp() if a.start else 0.0)
    return done[-1].desired if done else None


@rule("IC-SCALED-FROM-ZERO", severity="warning", title="The inference component was scaled to zero",
      docs=(SCALE_TO_ZERO_DOC,), metrics={*LATENCY, M.NO_CAPACITY_INVOCATION_FAILURES}, needs={Source.METRICS},
      kinds=IC_ONLY)
def scaled_from_zero(ev: Evidence) -> Verdict | None:
    """NoCapacityInvocationFailures > 0 in the incident window, or the copy count was 0 within it."""
    assert ev.metrics is not None
    failures = sum(ev.metrics.incident(str(M.NO_CAPACITY_INVOCATION_FAILURES), "Sum"))
    incident_s = ev.windows.incident_s
    zero_then = _copies_at(ev, incident_s) == 0 or any(
        a.desired == 0 and a.start is not None and 0 <= ev.alarm.time.timestamp() - a.start.timestamp() <= incident_s
        for a in (ev.scaling.activities or () if ev.scaling else ()))
    if failures <= 0 and not zero_then:
        return None
    evidence = {}
    if ev.component is not None:
        evidence["Inference component"] = (f"{ev.component.name} on {ev.component.endpoint}/"
                                           f"{ev.component.variant}")
        evidence["Copies"] = copies_text(ev.component, ev.scaling.max_capacity if ev.scaling and
                                         ev.scaling.registered else None)
    if failures > 0:
        evidence["NoCapacityInvocationFailures (incident)"] = f"{failures:,.0f} requests found no instance"
    if zero_then:
        evidence["Copy count in the incident window"] = "0 (scaled to zero)"
    if ev.scaling is not None and ev.scaling.registered:
        evidence["Copy-count MinCapacity"] = str(ev.scaling.min_capacity)
    return Verdict(
        evidence,
        "The model was scaled to zero copies: the first requests after it wait minutes for an instance and a "
        "copy to start, and fail with NoCapacityInvocationFailures until they are ready. For a latency-sensitive "
        "model keep MinCapacity >= 1 on the copy count (and ManagedInstanceScaling MinInstanceCount >= 1); to "
        "accept scale to zero, wake it on the first request with the step scaling policy AWS documents "
        "(ChangeInCapacity +1, MetricAggregationType Maximum) fired by an alarm on NoCapacityInvocationFailures.",
        strength=1.0 + min(1.0, failures / 10))

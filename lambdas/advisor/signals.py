"""Quantities several rules share (load, traffic shape, cold starts), computed once per diagnosis."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Literal

from advisor.catalogue import metric
from advisor.snapshot import MINUTE, ScalingActivity

if TYPE_CHECKING:
    from datetime import datetime

    from advisor.snapshot import Evidence


@dataclass(frozen=True)
class LoadSignal:
    """SPEC §4 load signal and the numbers behind it; `present` is None when the metrics are missing."""

    present: bool | None
    cpu_per_core_pct: float | None = None
    gpu_per_gpu_pct: float | None = None
    per_instance_per_min: float | None = None  # per copy for an IC (InvocationsPerCopy)
    baseline_per_instance_per_min: float | None = None
    concurrency_per_copy: float | None = None  # IC: ConcurrentRequestsPerCopy, mean of the per-minute Maximum
    baseline_concurrency_per_copy: float | None = None

    @property
    def concurrency_ratio(self) -> float | None:
        """Incident over baseline concurrent requests per copy (ICs)."""
        if self.concurrency_per_copy is None or not self.baseline_concurrency_per_copy:
            return None
        return self.concurrency_per_copy / self.baseline_concurrency_per_copy

    @property
    def surge_ratio(self) -> float | None:
        """Incident over baseline invocations per instance per minute."""
        if self.per_instance_per_min is None or not self.baseline_per_instance_per_min:
            return None
        return self.per_instance_per_min / self.baseline_per_instance_per_min


@dataclass(frozen=True)
class NewCapacity:
    """Capacity that started cold shortly before the alarm, and why."""

    cause: Literal["created", "deployed", "scale-out"]
    label: str
    seconds_before: float


class Signals:
    """Derived, cached views of one evidence snapshot."""

    def __init__(self, evidence: Evidence) -> None:
        self.ev = evidence
        self.incident_range = evidence.windows.incident_range
        self.baseline_range = evidence.windows.baseline_range
        self.full_range = evidence.windows.full_range

    @cached_property
    def invocation_source(self) -> tuple[str, str] | None:
        """Which series counts requests: Invocations, else the latency metrics' sample counts."""
        metrics = self.ev.metrics
        if metrics is None:
            return None
        for key in (("Invocations", "Sum"), ("ModelLatency", "SampleCount"), ("OverheadLatency", "SampleCount")):
            if metrics.get(*key).points:
                return key
        return ("Invocations", "Sum")

    def invocations_per_minute(self, window: tuple[int, int]) -> list[float] | None:
        """Requests in each minute of a window, zero where no datapoint exists."""
        if self.invocation_source is None or self.ev.metrics is None:
            return None
        return self.ev.metrics.get(*self.invocation_source).minutes(*window)

    def _per_instance_rate(self, window: tuple[int, int]) -> float | None:
        metrics = self.ev.metrics
        if metrics is None:
            return None
        per_instance = metrics.get("InvocationsPerInstance", "Sum")
        if per_instance.points:
            per_minute = per_instance.minutes(*window)
            return sum(per_minute) / len(per_minute)
        count = self.ev.variant.current_instance_count if self.ev.variant else None
        minutes = self.invocations_per_minute(window)
        if minutes is None:
            return None
        return sum(minutes) / len(minutes) / (count if count and count > 0 else 1)

    @cached_property
    def load(self) -> LoadSignal:
        """CPU/GPU ≥ 80 % per core/GPU, or per-instance invocations ≥ 1.5 × baseline (baseline > 0).

        For an alarm on an IC, the IC load signal of SPEC §4b instead.
        """
        metrics = self.ev.metrics
        if metrics is None:
            return LoadSignal(None)
        if self.ev.alarm.inference_component:
            return self._component_load()
        t = self.ev.thresholds
        instance = self.ev.variant.instance if self.ev.variant else None
        cpu = metrics.mean("CPUUtilization", "Average", "incident")
        gpu = metrics.mean("GPUUtilization", "Average", "incident")
        cpu_per_core = cpu / instance.vcpus if cpu is not None and instance else None
        gpu_per_gpu = (gpu / instance.accelerators if gpu is not None and instance and instance.has_gpu
                       else None)
        rate = self._per_instance_rate(self.incident_range)
        baseline = self._per_instance_rate(self.baseline_range)
        surge = bool(rate is not None and baseline and rate >= t.invocations_surge_ratio * baseline)
        hot = any(v is not None and v >= t.utilisation_high_pct for v in (cpu_per_core, gpu_per_gpu))
        return LoadSignal(hot or surge, cpu_per_core, gpu_per_gpu, rate, baseline)

    def _component_load(self) -> LoadSignal:
        """CPU or GPU utilisation normalized ≥ 80 %, or InvocationsPerCopy (Sum per minute) or
        ConcurrentRequestsPerCopy (Maximum per minute) ≥ 1.5 × baseline (SPEC §4b)."""
        metrics = self.ev.metrics
        assert metrics is not None
        t = self.ev.thresholds
        cpu = metrics.mean("CPUUtilizationNormalized", "Average", "incident")
        gpu = metrics.mean("GPUUtilizationNormalized", "Average", "incident")
        per_copy = metrics.get("InvocationsPerCopy", "Sum")
        rate = baseline = None
        if per_copy.points:
            incident, before = per_copy.minutes(*self.incident_range), per_copy.minutes(*self.baseline_range)
            rate, baseline = sum(incident) / len(incident), sum(before) / len(before)
        concurrency = metrics.mean("ConcurrentRequestsPerCopy", "Maximum", "incident")
        concurrency_before = metrics.mean("ConcurrentRequestsPerCopy", "Maximum", "baseline")
        surge = any(now is not None and before and now >= t.invocations_surge_ratio * before
                    for now, before in ((rate, baseline), (concurrency, concurrency_before)))
        hot = any(v is not None and v >= t.utilisation_high_pct for v in (cpu, gpu))
        return LoadSignal(hot or surge, cpu, gpu, rate, baseline, concurrency, concurrency_before)

    @cached_property
    def lifetime_range(self) -> tuple[int, int]:
        """Baseline + incident, from the endpoint's creation when that is later: no traffic before it existed."""
        start, end = self.full_range
        created = self.ev.endpoint.creation_time if self.ev.endpoint else None
        if created is not None:
            offset = math.ceil((created - self.ev.windows.anchor).total_seconds() / MINUTE) * MINUTE
            start = min(max(start, offset), end - MINUTE)
        return start, end

    @cached_property
    def zero_minutes_ratio(self) -> float | None:
        """Share of minutes over baseline + incident (while the endpoint existed) with no invocations."""
        minutes = self.invocations_per_minute(self.lifetime_range)
        if not minutes:
            return None
        return sum(1 for v in minutes if v <= 0) / len(minutes)

    @property
    def infrequent(self) -> bool | None:
        """≥ 50 % of the minutes without invocations (None without traffic data): not steady traffic."""
        zero = self.zero_minutes_ratio
        return None if zero is None else zero >= self.ev.thresholds.infrequent_zero_minutes_ratio

    @cached_property
    def resumed_after_idle_s(self) -> int | None:
        """Offset (s from T) of the first minute in the incident window whose traffic follows ≥ 15 idle minutes."""
        start = self.lifetime_range[0]
        minutes = self.invocations_per_minute(self.lifetime_range)
        if not minutes:
            return None
        idle_needed = self.ev.thresholds.idle_before_resume_min
        idle = 0
        for index, value in enumerate(minutes):
            if value > 0:
                if start + index * MINUTE >= self.incident_range[0] and idle >= idle_needed:
                    return start + index * MINUTE
                idle = 0
            else:
                idle += 1
        return None

    def scale_outs(self, within_s: float) -> list[tuple[float, ScalingActivity]]:
        """(seconds before T, activity) of successful scale-outs that ended within `within_s` before T, newest first.

        An activity is a scale-out when it set more capacity than the activity before it; for the oldest one
        listed, when its cause is a target-tracking AlarmHigh (the alarm that scales out) or it set more than
        the target's MinCapacity.
        """
        scaling = self.ev.scaling
        if scaling is None or not scaling.activities:
            return []
        done = sorted((a for a in scaling.activities if a.status == "Successful" and a.start is not None),
                      key=lambda a: a.start.timestamp() if a.start else 0.0, reverse=True)
        found = []
        for index, activity in enumerate(done):
            older = done[index + 1] if index + 1 < len(done) else None
            if activity.desired is None:
                grew = "AlarmHigh" in activity.cause
            elif older is not None and older.desired is not None:
                grew = activity.desired > older.desired
            else:
                grew = "AlarmHigh" in activity.cause or activity.desired > (scaling.min_capacity or 0)
            age = self.ev.seconds_before_alarm(activity.end or activity.start)
            if grew and age is not None and 0 <= age <= within_s:
                found.append((age, activity))
        return found

    @property
    def scaling_in_progress(self) -> ScalingActivity | None:
        """A scaling activity still running (capacity being added or removed), if any."""
        scaling = self.ev.scaling
        return next((a for a in scaling.activities or () if a.status in ("InProgress", "Pending")), None) \
            if scaling else None

    @cached_property
    def new_capacity(self) -> list[NewCapacity]:
        """Why capacity was cold within the cold-start window, newest first: the endpoint created, a new config
        or model deployed onto it, or instances added by a scale-out."""
        endpoint = self.ev.endpoint
        if endpoint is None:
            return []
        limit = self.ev.thresholds.cold_start_recent_s
        causes = []
        candidates: tuple[tuple[Literal["created", "deployed"], str, datetime | None], ...] = (
            ("created", "Endpoint created", endpoint.creation_time),
            ("deployed", "New endpoint config or model", endpoint.deployed_time))
        for cause, label, moment in candidates:
            age = self.ev.seconds_before_alarm(moment)
            if age is not None and 0 <= age <= limit:
                causes.append(NewCapacity(cause, label, age))
        for age, activity in self.scale_outs(limit)[:1]:
            count = f" to {activity.desired} instances" if activity.desired is not None else ""
            causes.append(NewCapacity("scale-out", f"Scale-out{count}", age))
        return sorted(causes, key=lambda cause: cause.seconds_before)

    @property
    def cold_start(self) -> bool:
        """Either cold-start trigger of OVERHEAD-COLD-START."""
        return bool(self.new_capacity) or self.resumed_after_idle_s is not None

    @cached_property
    def serverless_setup_ms(self) -> float | None:
        """Average ModelSetupTime over the incident window's cold starts, None when there were none."""
        metrics = self.ev.metrics
        if metrics is None:
            return None
        maxima = metrics.incident("ModelSetupTime", "Maximum")
        average = metrics.ratio("ModelSetupTime", "incident")
        if (average or 0) > 0 or any(v > 0 for v in maxima):
            return average if average else max(maxima)
        return None

    @cached_property
    def latency_ms(self) -> float | None:
        """Incident-window average ModelLatency (Sum / SampleCount)."""
        return self.ev.metrics.ratio("ModelLatency", "incident") if self.ev.metrics else None

    @cached_property
    def baseline_p90_ms(self) -> float | None:
        """Baseline ModelLatency p90: mean of the per-minute p90 datapoints."""
        return self.ev.metrics.mean("ModelLatency", "p90", "baseline") if self.ev.metrics else None

    @cached_property
    def over_threshold(self) -> tuple[float, float] | None:
        """(worst value, threshold) when the alarm's own statistic crossed its threshold in the evaluation window.

        The window is what CloudWatch evaluated: the last period × evaluation periods before T.
        """
        metrics, alarm = self.ev.metrics, self.ev.alarm
        threshold = self.threshold_in_snapshot_units
        if metrics is None or threshold is None:
            return None
        evaluated = max(MINUTE, alarm.period_s * (alarm.evaluation_periods or 1))
        values = metrics.get(alarm.metric, alarm.stat).between(-evaluated, 0)
        worst = max(values, default=None)
        return (worst, threshold) if worst is not None and worst > threshold else None

    @property
    def threshold_in_snapshot_units(self) -> float | None:
        """The alarm threshold converted like the snapshot (µs → ms for latency metrics)."""
        threshold, entry = self.ev.alarm.threshold, metric(self.ev.alarm.metric)
        if threshold is None or entry is None:
            return None
        return entry.to_snapshot(threshold, self.ev.alarm.stat)

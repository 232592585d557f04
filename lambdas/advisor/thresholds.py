"""Every threshold the rules use, in one place (SPEC §4 and §4a defaults)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Thresholds:
    """Rule thresholds; times in seconds, latencies in milliseconds, rates as fractions."""

    incident_min_s: int = 15 * 60
    baseline_s: int = 3 * 60 * 60
    utilisation_high_pct: float = 80.0
    invocations_surge_ratio: float = 1.5
    latency_vs_baseline_p90_ratio: float = 2.0
    recent_change_s: int = 2 * 60 * 60
    # LastModifiedTime this long after CreationTime means an update, not the first deployment.
    update_after_creation_s: int = 30 * 60
    timeout_near_ms: float = 50_000.0
    cold_start_recent_s: int = 60 * 60
    idle_before_resume_min: int = 15
    infrequent_zero_minutes_ratio: float = 0.5
    overhead_vs_baseline_ratio: float = 2.0
    cache_hit_low: float = 0.8
    mme_share_of_wait: float = 0.5
    serverless_small_memory_mb: int = 2048
    error_rate_high: float = 0.01
    client_error_rate_high: float = 0.05
    # MODEL-SERVER-QUEUEING: CPU per core and GPU per GPU both below this while requests queue.
    queueing_idle_pct: float = 40.0
    serverless_concurrency_high: float = 0.8
    backlog_per_instance_high: float = 5.0
    # ASYNC-BACKLOG: the oldest request's age at the end of the incident window vs its start.
    backlog_age_growth_ratio: float = 1.5
    backlog_age_growth_s: float = 60.0
    # Suggested autoscaling target: this fraction of the per-instance rate the endpoint handled at baseline.
    scaling_target_headroom: float = 0.7
    # GPU-MEMORY-PRESSURE: GPU memory per GPU at least this high in the incident, and this many points over baseline.
    gpu_memory_high_pct: float = 90.0
    gpu_memory_rise_points: float = 15.0
    # INSTANCE-IMBALANCE: the hot instance vs the median of the others (SPEC §4b), and how busy it must be to
    # matter (per core / GPU; requests per minute) so that 4 % next to 1.5 % is not called an imbalance.
    imbalance_ratio: float = 2.0
    imbalance_min_utilisation_pct: float = 20.0
    imbalance_min_invocations_per_min: float = 1.0
    # ... comparing only instances with datapoints in this share of the incident's minutes (not scaled in or out).
    imbalance_min_coverage: float = 0.8


DEFAULT = Thresholds()

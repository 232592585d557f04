"""Rules for multi-model endpoints: model cache, downloads and loads."""

from __future__ import annotations

from advisor.rules.base import LATENCY, MME_LOADING, TROUBLESHOOTING, Kind, M, Source, Verdict, rule
from advisor.snapshot import Evidence
from advisor.units import ms, pct

MME_ALARMS = MME_LOADING | LATENCY
MME = {Kind.MULTI_MODEL}
MME_DOCS = (TROUBLESHOOTING, "https://docs.aws.amazon.com/sagemaker/latest/dg/multi-model-endpoints.html",
            "https://docs.aws.amazon.com/sagemaker/latest/dg/multi-model-endpoint-cloudwatch-metrics.html")


def _loading(ev: Evidence) -> dict[str, float | None] | None:
    """Incident-window averages of the loading metrics and the cache hit rate; None unless an MME with metrics."""
    if ev.kind != Kind.MULTI_MODEL or ev.metrics is None:
        return None
    return {name: ev.metrics.ratio(name, "incident")
            for name in ("ModelLoadingWaitTime", "ModelDownloadingTime", "ModelLoadingTime", "ModelCacheHit")}


def _evidence(ev: Evidence, values: dict[str, float | None]) -> dict[str, str]:
    evidence = {}
    if values["ModelCacheHit"] is not None:
        evidence["Cache hit rate (incident)"] = pct(values["ModelCacheHit"], fraction=True)
    for name in ("ModelLoadingWaitTime", "ModelDownloadingTime", "ModelLoadingTime"):
        if values[name] is not None:
            evidence[f"{name} avg (incident)"] = ms(values[name])
    assert ev.metrics is not None
    loaded = ev.metrics.incident(M.LOADED_MODEL_COUNT, "Maximum")
    if loaded:
        evidence["Loaded models (max)"] = f"{max(loaded):.0f}"
    if ev.variant and ev.variant.instance_type:
        evidence["Instances"] = f"{ev.variant.current_instance_count or '?'} x {ev.variant.instance_type}"
    return evidence


def _dominant_part(ev: Evidence, part: str, label: str, advice: str) -> Verdict | None:
    """A verdict when `part` (download or load time) is at least half of ModelLoadingWaitTime."""
    values = _loading(ev)
    wait = values["ModelLoadingWaitTime"] if values else None
    spent = values[part] if values else None
    if values is None or not wait or spent is None:
        return None
    share = spent / wait
    if share < ev.thresholds.mme_share_of_wait:
        return None
    return Verdict(_evidence(ev, values) | {f"{label} share of the wait": pct(share, fraction=True)}, advice,
                   strength=share)


@rule("MME-CACHE-THRASH", severity="critical", title="Models are evicted and reloaded (cache thrash)",
      docs=MME_DOCS, metrics=MME_ALARMS, needs={Source.METRICS}, kinds=MME)
def cache_thrash(ev: Evidence) -> Verdict | None:
    """ModelCacheHit average < 0.8 in the incident window."""
    values = _loading(ev)
    hit = values["ModelCacheHit"] if values else None
    if values is None or hit is None or hit >= ev.thresholds.cache_hit_low:
        return None
    return Verdict(
        _evidence(ev, values),
        f"Only {pct(hit, fraction=True)} of requests found their model loaded: models are evicted to make room "
        "and reloaded on the next request. Give the working set more memory (a larger or memory-optimised "
        "instance such as ml.r6i), add instances, or host fewer or smaller models per endpoint (move the hottest "
        "models to their own endpoint).",
        strength=1.0 - hit,
    )


@rule("MME-SLOW-DOWNLOAD", severity="warning", title="Model downloads from S3 dominate the wait",
      docs=MME_DOCS, metrics=MME_ALARMS, needs={Source.METRICS}, kinds=MME)
def slow_download(ev: Evidence) -> Verdict | None:
    """ModelDownloadingTime ≥ 50 % of ModelLoadingWaitTime."""
    return _dominant_part(
        ev, "ModelDownloadingTime", "Download",
        "Most of the wait is the S3 download: the artifacts are too large or too far. Shrink them (quantise, "
        "drop optimizer state and unused files), compress model.tar.gz, and keep the bucket in the endpoint's "
        "region.")


@rule("MME-SLOW-LOAD", severity="warning", title="Loading models into the container dominates the wait",
      docs=MME_DOCS, metrics=MME_ALARMS, needs={Source.METRICS}, kinds=MME)
def slow_load(ev: Evidence) -> Verdict | None:
    """ModelLoadingTime ≥ 50 % of ModelLoadingWaitTime."""
    return _dominant_part(
        ev, "ModelLoadingTime", "Load",
        "Most of the wait is loading the model into the container. Use a faster serialization format "
        "(safetensors, TorchScript, ONNX instead of pickle), avoid work at load time, and prefer a lighter "
        "runtime or model server.")


@rule("MME-COLD-MODELS", severity="warning", title="First-time model loads on a healthy cache",
      docs=MME_DOCS, metrics=MME_ALARMS, needs={Source.METRICS}, kinds=MME)
def cold_models(ev: Evidence) -> Verdict | None:
    """ModelLoadingWaitTime > 0 and cache hit rate ≥ 0.8."""
    values = _loading(ev)
    if values is None:
        return None
    wait, hit = values["ModelLoadingWaitTime"], values["ModelCacheHit"]
    if not wait or wait <= 0 or hit is None or hit < ev.thresholds.cache_hit_low:
        return None
    return Verdict(
        _evidence(ev, values),
        "The cache is healthy, so the waits are first-time loads of models not yet requested on this instance. "
        "Pre-warm the hot models after every deployment or scale-out by invoking each with TargetModel.",
        strength=0.6,
    )

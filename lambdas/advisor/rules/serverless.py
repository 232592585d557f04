"""Rules for serverless endpoints: cold starts, memory (which brings vCPU), concurrency and its spill-over."""

from __future__ import annotations

from advisor.rules.base import LATENCY, Kind, M, Source, Verdict, rule
from advisor.snapshot import Evidence
from advisor.units import ms, pct

SERVERLESS_DOCS = ("https://docs.aws.amazon.com/sagemaker/latest/dg/serverless-endpoints.html",
                   "https://docs.aws.amazon.com/sagemaker/latest/dg/serverless-endpoints-provisioned.html")
MONITORING_DOC = "https://docs.aws.amazon.com/sagemaker/latest/dg/serverless-endpoints-monitoring.html"
SERVERLESS_ALARMS = LATENCY | {M.MODEL_SETUP_TIME}
SERVERLESS = {Kind.SERVERLESS}
MAX_MEMORY_MB = 6144  # ProductionVariantServerlessConfig: 1024-6144 MB in 1 GB steps
MAX_CONCURRENCY = 200  # ProductionVariantServerlessConfig.MaxConcurrency: 1-200


@rule("SERVERLESS-COLD-START", severity="warning", title="Serverless cold starts in the incident window",
      docs=SERVERLESS_DOCS, metrics=SERVERLESS_ALARMS, needs={Source.METRICS}, kinds=SERVERLESS)
def serverless_cold_start(ev: Evidence) -> Verdict | None:
    """ModelSetupTime > 0 in the incident window."""
    if ev.kind != Kind.SERVERLESS or ev.metrics is None:
        return None
    setup = ev.signals.serverless_setup_ms
    if setup is None:
        return None
    starts = sum(ev.metrics.incident(M.MODEL_SETUP_TIME, "SampleCount"))
    evidence = {"ModelSetupTime avg (incident)": ms(setup),
                "ModelSetupTime max (incident)": ms(max(ev.metrics.incident(M.MODEL_SETUP_TIME, "Maximum"),
                                                        default=setup))}
    if starts:
        evidence["Cold starts (incident)"] = f"{starts:.0f}"
    provisioned = ev.variant.provisioned_concurrency if ev.variant else None
    evidence["Provisioned concurrency"] = str(provisioned or "none")
    return Verdict(
        evidence,
        "New compute was launched for requests (cold starts). Set ProvisionedConcurrency in the serverless config "
        "to keep that many instances warm for the busy hours (it can be scaled on a schedule), or send scheduled "
        "keep-warm requests.",
        strength=min(1.0, setup / 5000.0) + 0.5,
    )


@rule("SERVERLESS-MEMORY", severity="info", title="Serverless endpoint has little memory (and so little vCPU)",
      docs=SERVERLESS_DOCS, metrics=SERVERLESS_ALARMS, needs={Source.ENDPOINT}, kinds=SERVERLESS)
def serverless_memory(ev: Evidence) -> Verdict | None:
    """MemorySizeInMB ≤ 2048 on a serverless variant."""
    variant = ev.variant
    if ev.kind != Kind.SERVERLESS or variant is None or variant.serverless_memory_mb is None:
        return None
    memory = variant.serverless_memory_mb
    if memory > ev.thresholds.serverless_small_memory_mb:
        return None
    return Verdict(
        {"MemorySizeInMB": f"{memory:,} MB", "MaxConcurrency": str(variant.serverless_max_concurrency or "?")},
        f"Serverless endpoints get vCPU in proportion to memory; at {memory:,} MB the model has little CPU. "
        f"Raise MemorySizeInMB (up to {MAX_MEMORY_MB} MB) and compare ModelLatency.",
        strength=1.0 - memory / MAX_MEMORY_MB,
    )


@rule("SERVERLESS-CONCURRENCY", severity="critical", title="Serverless endpoint at its maximum concurrency",
      docs=(*SERVERLESS_DOCS, MONITORING_DOC), metrics=LATENCY, needs={Source.METRICS}, kinds=SERVERLESS)
def serverless_concurrency(ev: Evidence) -> Verdict | None:
    """ServerlessConcurrentExecutionsUtilization ≥ 0.8 (incident mean of the per-minute maxima)."""
    if ev.kind != Kind.SERVERLESS or ev.metrics is None:
        return None
    peak = ev.metrics.mean(M.SERVERLESS_CONCURRENCY_UTILIZATION, "Maximum", "incident")
    if peak is None or peak < ev.thresholds.serverless_concurrency_high:
        return None
    maximum = ev.variant.serverless_max_concurrency if ev.variant else None
    evidence = {"Concurrent executions / MaxConcurrency (incident, per-minute peak)": pct(peak, fraction=True),
                "MaxConcurrency": str(maximum or "?")}
    raise_to = f" from {maximum} (up to {MAX_CONCURRENCY}, account quota permitting)" if maximum else ""
    return Verdict(
        evidence,
        "Requests wait for a free serverless execution: the endpoint runs at its MaxConcurrency. Raise "
        f"MaxConcurrency{raise_to} with a new endpoint config, or move the model to instances with autoscaling "
        "if the traffic is steady.",
        strength=min(1.0, peak),
    )


@rule("SERVERLESS-SPILLOVER", severity="warning", title="Traffic spills over the provisioned concurrency",
      docs=(*SERVERLESS_DOCS, MONITORING_DOC), metrics=SERVERLESS_ALARMS, needs={Source.METRICS}, kinds=SERVERLESS)
def serverless_spillover(ev: Evidence) -> Verdict | None:
    """ServerlessProvisionedConcurrencySpilloverInvocations > 0 in the incident window."""
    if ev.kind != Kind.SERVERLESS or ev.metrics is None:
        return None
    spilled = sum(ev.metrics.incident(M.SERVERLESS_SPILLOVER, "Sum"))
    if spilled <= 0:
        return None
    provisioned = ev.variant.provisioned_concurrency if ev.variant else None
    return Verdict(
        {"Requests beyond provisioned concurrency (incident)": f"{spilled:,.0f}",
         "Provisioned concurrency": str(provisioned or "?")},
        "Requests beyond the provisioned concurrency ran on on-demand capacity, which starts cold. Raise "
        "ProvisionedConcurrency (it must stay at or below MaxConcurrency), or scale it on a schedule or with "
        "target tracking on SageMakerVariantProvisionedConcurrencyUtilization for the busy hours.",
        strength=min(1.0, 0.5 + spilled / 100),
    )

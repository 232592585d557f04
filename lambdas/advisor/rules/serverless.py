"""Rules for serverless endpoints: cold starts of compute, and memory (which brings vCPU)."""

from __future__ import annotations

from advisor.rules.base import LATENCY, Verdict, rule
from advisor.snapshot import Evidence
from advisor.units import ms

SERVERLESS_DOCS = ("https://docs.aws.amazon.com/sagemaker/latest/dg/serverless-endpoints.html",
                   "https://docs.aws.amazon.com/sagemaker/latest/dg/serverless-endpoints-provisioned.html")
SERVERLESS_ALARMS = LATENCY | {"ModelSetupTime"}


@rule("SERVERLESS-COLD-START", severity="warning", title="Serverless cold starts in the incident window",
      docs=SERVERLESS_DOCS, metrics=SERVERLESS_ALARMS, needs={"metrics"})
def serverless_cold_start(ev: Evidence) -> Verdict | None:
    """ModelSetupTime > 0 in the incident window."""
    if ev.kind != "serverless":
        return None
    setup = ev.signals.serverless_setup_ms
    if setup is None:
        return None
    starts = sum(ev.metrics.incident("ModelSetupTime", "SampleCount"))
    evidence = {"ModelSetupTime avg (incident)": ms(setup),
                "ModelSetupTime max (incident)": ms(max(ev.metrics.incident("ModelSetupTime", "Maximum"),
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
      docs=SERVERLESS_DOCS, metrics=SERVERLESS_ALARMS, needs={"endpoint"})
def serverless_memory(ev: Evidence) -> Verdict | None:
    """MemorySizeInMB ≤ 2048 on a serverless variant."""
    variant = ev.variant
    if ev.kind != "serverless" or variant is None or variant.serverless_memory_mb is None:
        return None
    memory = variant.serverless_memory_mb
    if memory > ev.thresholds.serverless_small_memory_mb:
        return None
    return Verdict(
        {"MemorySizeInMB": f"{memory:,} MB", "MaxConcurrency": str(variant.serverless_max_concurrency or "?")},
        f"Serverless endpoints get vCPU in proportion to memory; at {memory:,} MB the model has little CPU. "
        "Raise MemorySizeInMB (up to 6144 MB) and compare ModelLatency.",
        strength=1.0 - memory / 6144,
    )

"""Rules about OverheadLatency: time SageMaker spends around the model (cold starts, traffic, payloads)."""

from __future__ import annotations

from advisor.rules.base import LATENCY, TROUBLESHOOTING, Verdict, rule
from advisor.snapshot import Evidence
from advisor.units import duration, ms, pct, per_min, ratio

OVERHEAD = frozenset({"OverheadLatency"})


def _overhead_evidence(ev: Evidence) -> dict[str, str]:
    if ev.metrics is None:
        return {}
    evidence = {}
    now = ev.metrics.ratio("OverheadLatency", "incident")
    before = ev.metrics.ratio("OverheadLatency", "baseline")
    if now is not None:
        evidence["OverheadLatency avg (incident)"] = ms(now)
    if before is not None:
        evidence["OverheadLatency avg (baseline)"] = ms(before)
    return evidence


@rule("OVERHEAD-COLD-START", severity="warning", title="Cold start after a deployment or an idle period",
      docs=(TROUBLESHOOTING, "https://docs.aws.amazon.com/sagemaker/latest/dg/realtime-endpoints-deploy-models.html"),
      metrics=LATENCY)
def cold_start(ev: Evidence) -> Verdict | None:
    """Endpoint created/updated within 60 min before T, or traffic resumed after ≥ 15 idle minutes."""
    s = ev.signals
    if not s.cold_start:
        return None
    evidence = {}
    if s.deployed_s_before is not None:
        evidence["Endpoint created/updated"] = f"{duration(s.deployed_s_before)} before the alarm"
    if s.resumed_after_idle_s is not None:
        evidence["Traffic resumed"] = (f"{duration(-s.resumed_after_idle_s)} before the alarm, after ≥ "
                                       f"{ev.thresholds.idle_before_resume_min} min with no invocations")
    evidence |= _overhead_evidence(ev)
    return Verdict(
        evidence,
        "Cold start is expected on the first requests after a deployment, a scale-out or an idle period: the "
        "container, model and connections are not warm yet. Pre-warm with a few test invocations after each "
        "deployment (a post-deploy pipeline step) before shifting production traffic, and keep idle endpoints "
        "warm with scheduled requests.",
        strength=1.0 if s.deployed_s_before is not None and s.resumed_after_idle_s is not None else 0.8,
    )


@rule("OVERHEAD-INFREQUENT", severity="warning", title="Infrequent traffic raises overhead latency",
      docs=(TROUBLESHOOTING, "https://docs.aws.amazon.com/sagemaker/latest/dg/serverless-endpoints.html"),
      metrics=OVERHEAD, needs={"metrics"})
def infrequent_traffic(ev: Evidence) -> Verdict | None:
    """≥ 50 % of minutes over baseline + incident have no invocations."""
    s = ev.signals
    if not s.infrequent:
        return None
    zero = s.zero_minutes_ratio
    minutes = s.invocations_per_minute(s.lifetime_range) or []
    busy = [v for v in minutes if v > 0]
    evidence = {"Minutes with no invocations": f"{pct(zero, fraction=True)} of {duration(len(minutes) * 60)}",
                "Invocations in busy minutes": per_min(sum(busy) / len(busy)) if busy else "none"}
    return Verdict(
        evidence | _overhead_evidence(ev),
        "Traffic is sparse, so connections and caches go cold between requests and overhead rises. Send "
        "scheduled keep-warm requests (for example an EventBridge Scheduler rule every minute), or, if the "
        "traffic stays sparse, move to serverless inference with provisioned concurrency.",
        strength=zero,
    )


@rule("OVERHEAD-PAYLOAD", severity="warning", title="Overhead is high under steady traffic",
      docs=(TROUBLESHOOTING, "https://docs.aws.amazon.com/sagemaker/latest/dg/async-inference.html"),
      metrics=OVERHEAD, needs={"metrics"})
def payload_and_frequency(ev: Evidence) -> Verdict | None:
    """OverheadLatency high with steady traffic and neither cold-start rule firing."""
    s = ev.signals
    if s.infrequent is not False or s.cold_start:
        return None
    if ev.kind == "serverless" and s.serverless_setup_ms is not None:
        return None
    now = ev.metrics.ratio("OverheadLatency", "incident")
    before = ev.metrics.ratio("OverheadLatency", "baseline")
    over_baseline = now is not None and before and now >= ev.thresholds.overhead_vs_baseline_ratio * before
    over_threshold = s.over_threshold is not None
    if not (over_baseline or over_threshold):
        return None
    evidence = _overhead_evidence(ev)
    if over_baseline:
        evidence["Increase over baseline"] = ratio(now / before)
    minutes = s.invocations_per_minute(s.incident_range) or []
    evidence["Invocations (incident avg)"] = per_min(sum(minutes) / len(minutes)) if minutes else "n/a"
    return Verdict(
        evidence,
        "Traffic is steady and nothing is cold, so look at what every request carries: measure request and "
        "response sizes at the client, compress them or switch to a binary format, and use asynchronous inference "
        f"for payloads above {ev.thresholds.async_payload_mb} MB. Check request frequency and bursts, and "
        "authentication cost: reuse one SDK client and its HTTP keep-alive connections instead of creating a "
        "client (and signing handshake) per request.",
        strength=min(1.0, (now / before) / 4) if over_baseline else 0.5,
    )

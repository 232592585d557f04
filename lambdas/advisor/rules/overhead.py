"""Rules about OverheadLatency: time SageMaker spends around the model (cold starts, traffic, payloads)."""

from __future__ import annotations

from advisor.catalogue import SYNCHRONOUS_KINDS
from advisor.rules.base import LATENCY, OVERHEAD, TROUBLESHOOTING, Kind, M, Source, Verdict, rule
from advisor.snapshot import Evidence
from advisor.units import duration, ms, pct, per_min, ratio

SCALING_DOC = "https://docs.aws.amazon.com/sagemaker/latest/dg/endpoint-auto-scaling.html"
HEALTH_CHECK_DOC = "https://docs.aws.amazon.com/sagemaker/latest/dg/your-algorithms-inference-code.html"
SERVERLESS_DOC = "https://docs.aws.amazon.com/sagemaker/latest/dg/serverless-endpoints.html"
PROVISIONED_DOC = "https://docs.aws.amazon.com/sagemaker/latest/dg/serverless-endpoints-provisioned.html"
ASYNC_DOC = "https://docs.aws.amazon.com/sagemaker/latest/dg/async-inference.html"
INVOKE_DOC = "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_runtime_InvokeEndpoint.html"
SERVERLESS_INVOKE_DOC = "https://docs.aws.amazon.com/sagemaker/latest/dg/serverless-endpoints-invoke.html"
# Request body limits: InvokeEndpoint 6 MB (6,291,456 bytes in the API model); serverless endpoints 4 MB;
# beyond them the request fails with a 4xx, it is not slowed. Async inference takes up to 1 GB through S3.
PAYLOAD_LIMIT_MB = {Kind.REAL_TIME: 6, Kind.MULTI_MODEL: 6, Kind.SERVERLESS: 4}
ASYNC_PAYLOAD_GB = 1


def _overhead_evidence(ev: Evidence) -> dict[str, str]:
    if ev.metrics is None:
        return {}
    evidence = {}
    now = ev.metrics.ratio(M.OVERHEAD_LATENCY, "incident")
    before = ev.metrics.ratio(M.OVERHEAD_LATENCY, "baseline")
    if now is not None:
        evidence["OverheadLatency avg (incident)"] = ms(now)
    if before is not None:
        evidence["OverheadLatency avg (baseline)"] = ms(before)
    return evidence


@rule("OVERHEAD-COLD-START", severity="warning", title="Cold start: new capacity or traffic after an idle period",
      docs=(TROUBLESHOOTING, SCALING_DOC, HEALTH_CHECK_DOC), metrics=LATENCY, kinds=SYNCHRONOUS_KINDS)
def cold_start(ev: Evidence) -> Verdict | None:
    """Endpoint created, deployed or scaled out within 60 min before T, or traffic resumed after ≥ 15 idle min."""
    s = ev.signals
    if not s.cold_start:
        return None
    evidence = {new.label: f"{duration(new.seconds_before)} before the alarm" for new in s.new_capacity}
    if s.resumed_after_idle_s is not None:
        evidence["Traffic resumed"] = (f"{duration(-s.resumed_after_idle_s)} before the alarm, after ≥ "
                                       f"{ev.thresholds.idle_before_resume_min} min with no invocations")
    evidence |= _overhead_evidence(ev)
    causes = {new.cause for new in s.new_capacity}
    advice = []
    if causes & {"created", "deployed"}:
        advice.append("After a deployment the container, model and connections are not warm yet: pre-warm with "
                      "a few test invocations (a post-deploy pipeline step) before shifting production traffic.")
    if "scale-out" in causes:
        advice.append("New instances from the scale-out took traffic while still warming up: make the container's "
                      "/ping answer healthy only once the model is loaded (raise ContainerStartupHealthCheck"
                      "TimeoutInSeconds if loading takes long), and scale out earlier with a lower target value "
                      "so new capacity is warm before the load peaks.")
    if s.resumed_after_idle_s is not None:
        advice.append("Traffic came back after an idle period: keep the endpoint warm with scheduled requests "
                      "during expected quiet spells.")
    return Verdict(evidence, " ".join(advice),
                   strength=1.0 if s.new_capacity and s.resumed_after_idle_s is not None else 0.8)


@rule("OVERHEAD-INFREQUENT", severity="warning", title="Infrequent traffic raises overhead latency",
      docs=(TROUBLESHOOTING, SERVERLESS_DOC, PROVISIONED_DOC), metrics=OVERHEAD, needs={Source.METRICS},
      kinds=SYNCHRONOUS_KINDS)
def infrequent_traffic(ev: Evidence) -> Verdict | None:
    """≥ 50 % of minutes over baseline + incident have no invocations."""
    s = ev.signals
    if not s.infrequent or s.zero_minutes_ratio is None:
        return None
    zero = s.zero_minutes_ratio
    minutes = s.invocations_per_minute(s.lifetime_range) or []
    busy = [v for v in minutes if v > 0]
    evidence = {"Minutes with no invocations": f"{pct(zero, fraction=True)} of {duration(len(minutes) * 60)}",
                "Invocations in busy minutes": per_min(sum(busy) / len(busy)) if busy else "none"}
    if ev.kind == Kind.SERVERLESS:
        provisioned = ev.variant.provisioned_concurrency if ev.variant else None
        evidence["Provisioned concurrency"] = str(provisioned or "none")
        advice = ("Traffic is sparse, so serverless compute is released between requests and the next ones start "
                  "cold. Set ProvisionedConcurrency in the serverless config for the hours that need low latency "
                  "(scale it on a schedule), or send scheduled keep-warm requests.")
    else:
        advice = ("Traffic is sparse, so connections and caches go cold between requests and overhead rises. Send "
                  "scheduled keep-warm requests (for example an EventBridge Scheduler rule every minute), or, if "
                  "the traffic stays sparse, move to serverless inference with provisioned concurrency.")
    return Verdict(evidence | _overhead_evidence(ev), advice, strength=zero)


@rule("OVERHEAD-PAYLOAD", severity="warning", title="Overhead is high under steady traffic",
      docs=(TROUBLESHOOTING, INVOKE_DOC, ASYNC_DOC, SERVERLESS_INVOKE_DOC), metrics=OVERHEAD,
      needs={Source.METRICS}, kinds=SYNCHRONOUS_KINDS)
def payload_and_frequency(ev: Evidence) -> Verdict | None:
    """OverheadLatency high with steady traffic and neither cold-start rule firing."""
    s = ev.signals
    assert ev.metrics is not None
    if s.infrequent is not False or s.cold_start:
        return None
    if ev.kind == Kind.SERVERLESS and s.serverless_setup_ms is not None:
        return None
    now = ev.metrics.ratio(M.OVERHEAD_LATENCY, "incident")
    before = ev.metrics.ratio(M.OVERHEAD_LATENCY, "baseline")
    over_baseline = bool(now is not None and before and now >= ev.thresholds.overhead_vs_baseline_ratio * before)
    over_threshold = s.over_threshold is not None
    if not (over_baseline or over_threshold):
        return None
    evidence = _overhead_evidence(ev)
    if over_baseline and now is not None and before:
        evidence["Increase over baseline"] = ratio(now / before)
    minutes = s.invocations_per_minute(s.incident_range) or []
    evidence["Invocations (incident avg)"] = per_min(sum(minutes) / len(minutes)) if minutes else "n/a"
    limit = PAYLOAD_LIMIT_MB.get(ev.kind or Kind.REAL_TIME, 6)
    return Verdict(
        evidence,
        "Traffic is steady and nothing is cold, so look at what every request carries: measure request and "
        "response sizes at the client and compress them or switch to a binary format. Bodies are capped at "
        f"{limit} MB on this endpoint (larger requests fail, they are not slowed); for large or slow payloads use "
        f"asynchronous inference (up to {ASYNC_PAYLOAD_GB} GB through S3). Check request frequency and bursts, and "
        "authentication cost: reuse one SDK client and its HTTP keep-alive connections instead of creating a "
        "client (and signing handshake) per request.",
        strength=min(1.0, (now / before) / 4) if over_baseline and now is not None and before else 0.5,
    )

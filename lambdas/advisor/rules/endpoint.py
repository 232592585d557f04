"""Rules about the endpoint itself: gone, not in service, or failing requests."""

from __future__ import annotations

from advisor.links import console_links
from advisor.rules.base import ANY_METRIC, METRICS_DOC, TROUBLESHOOTING, Finding, Verdict, rule
from advisor.snapshot import Evidence
from advisor.units import ms, pct

LOGS_DOC = "https://docs.aws.amazon.com/sagemaker/latest/dg/logging-cloudwatch.html"
DESCRIBE_DOC = "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_DescribeEndpoint.html"

STATUS_MEANING = {
    "OutOfService": "the endpoint is not available to take requests",
    "Creating": "CreateEndpoint is still provisioning instances and loading the model",
    "Updating": "UpdateEndpoint is switching to a new endpoint config; capacity may be reduced meanwhile",
    "SystemUpdating": "SageMaker is patching or replacing instances; it cannot be updated or deleted meanwhile",
    "RollingBack": "an update failed and SageMaker is rolling back to the previous config",
    "Deleting": "DeleteEndpoint is in progress",
    "Failed": "the endpoint could not be created or updated; FailureReason says why",
    "UpdateRollbackFailed": "an update failed and the rollback failed too; the endpoint needs manual repair",
}
_SEVERE_STATUSES = {"Failed", "OutOfService", "UpdateRollbackFailed"}


def error_rate(ev: Evidence, metric: str) -> tuple[float, float] | None:
    """(rate, errors) in the incident window; errors are emitted 0/1 per request, so rate = Sum / requests."""
    m = ev.metrics
    errors = sum(m.incident(metric, "Sum"))
    requests = max(sum(m.incident(metric, "SampleCount")), sum(m.incident("Invocations", "Sum")))
    return (errors / requests, errors) if requests > 0 else None


@rule("ERRORS", severity="critical", title="Errors accompany the latency",
      docs=(LOGS_DOC, TROUBLESHOOTING), metrics=ANY_METRIC, needs={"metrics"})
def errors(ev: Evidence) -> Verdict | None:
    """Invocation5XXErrors or ModelError rate > 1 % in the incident window."""
    evidence, worst = {}, 0.0
    for metric in ("Invocation5XXErrors", "ModelError"):
        measured = error_rate(ev, metric)
        if measured is None:
            continue
        rate, count = measured
        evidence[f"{metric} rate (incident)"] = f"{pct(rate, fraction=True)} ({count:,.0f} errors)"
        worst = max(worst, rate)
    if worst <= ev.thresholds.error_rate_high:
        return None
    evidence["Container logs"] = f"/aws/sagemaker/Endpoints/{ev.alarm.endpoint}"
    logs = console_links(ev.alarm.region, None, ev.alarm.endpoint)["Logs"]
    return Verdict(
        evidence,
        f"Requests are failing as well as slowing down. Read the container logs in /aws/sagemaker/Endpoints/"
        f"{ev.alarm.endpoint} ({logs}) around the alarm time for exceptions, out-of-memory kills and timeouts; "
        "ModelError points at the inference code, Invocation5XXErrors at the container or instance.",
        strength=min(1.0, worst * 10),
    )


@rule("ENDPOINT-NOT-FOUND", severity="warning", title="The endpoint no longer exists",
      docs=(DESCRIBE_DOC,), metrics=ANY_METRIC)
def not_found(ev: Evidence) -> Verdict | None:
    """DescribeEndpoint says the endpoint does not exist."""
    if not ev.endpoint_missing:
        return None
    return Verdict(
        {"Endpoint": ev.alarm.endpoint, "DescribeEndpoint": "Could not find endpoint"},
        f"Endpoint {ev.alarm.endpoint} has been deleted. If that was intended, remove alarm {ev.alarm.name} (and "
        "the endpoint from the advisor's config); if not, recreate it from its last endpoint config.",
    )


@rule("ENDPOINT-NOT-IN-SERVICE", severity="warning", title="The endpoint is not InService",
      docs=(DESCRIBE_DOC, TROUBLESHOOTING), metrics=ANY_METRIC, needs={"endpoint"})
def not_in_service(ev: Evidence) -> Verdict | None:
    """Endpoint status other than InService."""
    status = ev.endpoint.status if ev.endpoint else "InService"
    if status == "InService":
        return None
    evidence = {"Status": status, "Meaning": STATUS_MEANING.get(status, "not a status this advisor knows")}
    if ev.endpoint.failure_reason:
        evidence["FailureReason"] = ev.endpoint.failure_reason[:500]
    return Verdict(
        evidence,
        f"Endpoint {ev.alarm.endpoint} is {status}: {evidence['Meaning']}. Latency and errors are expected until "
        "it is InService again; check its events in the SageMaker console and the FailureReason, and wait for or "
        "fix the update before tuning anything else.",
        severity="critical" if status in _SEVERE_STATUSES else None,
        title=f"The endpoint is {status}, not InService",
    )


UNEXPLAINED_ID = "UNEXPLAINED"


def unexplained(ev: Evidence, checked: list[str], skipped: list[str]) -> Finding:
    """The finding for an ALARM no rule explains: what was gathered and what was checked."""
    s = ev.signals
    evidence = {"Rules checked": ", ".join(checked) or "none"}
    if skipped:
        evidence["Rules skipped (missing evidence)"] = ", ".join(skipped)
    if ev.endpoint is not None:
        variant = ev.variant
        evidence["Endpoint"] = f"{ev.kind or 'unknown kind'}, {ev.endpoint.status}"
        if variant and variant.instance_type:
            evidence["Instances"] = f"{variant.current_instance_count or '?'} x {variant.instance_type}"
    if ev.metrics is not None:
        if s.latency_ms is not None:
            evidence["ModelLatency avg (incident)"] = ms(s.latency_ms)
        if s.baseline_p90_ms is not None:
            evidence["ModelLatency p90 (baseline)"] = ms(s.baseline_p90_ms)
        overhead = ev.metrics.ratio("OverheadLatency", "incident")
        if overhead is not None:
            evidence["OverheadLatency avg (incident)"] = ms(overhead)
    if ev.errors:
        evidence["Evidence missing"] = ", ".join(e.evidence for e in ev.errors)
    return Finding(
        UNEXPLAINED_ID, "info", "No rule explains this alarm",
        evidence,
        "None of the diagnostic rules matched the evidence. Look at the metrics around the alarm time in the "
        "console, the container logs, and recent changes to the clients calling the endpoint; if the alarm "
        "threshold is too tight for normal traffic, raise it.",
        (TROUBLESHOOTING, METRICS_DOC),
        strength=0.0,
    )


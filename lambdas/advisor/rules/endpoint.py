"""Rules about the endpoint itself: gone, not in service, or failing requests."""

from __future__ import annotations

from advisor.links import console_links
from advisor.rules.base import ANY_METRIC, METRICS_DOC, TROUBLESHOOTING, Finding, M, Source, Verdict, rule
from advisor.snapshot import Evidence
from advisor.units import duration, ms, pct

LOGS_DOC = "https://docs.aws.amazon.com/sagemaker/latest/dg/logging-cloudwatch.html"
DESCRIBE_DOC = "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_DescribeEndpoint.html"
SCALING_ACTIVITIES_DOC = ("https://docs.aws.amazon.com/autoscaling/application/APIReference/"
                          "API_DescribeScalingActivities.html")

STATUS_MEANING = {
    "OutOfService": "the endpoint is not available to take requests",
    "Creating": "CreateEndpoint is still provisioning instances and loading the model",
    "Updating": "the endpoint is changing: a deployment (UpdateEndpoint) or a change of instance count or weights",
    "SystemUpdating": "SageMaker is patching or replacing instances; it cannot be updated or deleted meanwhile",
    "RollingBack": "an update or a scaling change failed and SageMaker is rolling back",
    "Deleting": "DeleteEndpoint is in progress",
    "Failed": "the endpoint could not be created or updated; FailureReason says why",
    "UpdateRollbackFailed": "an update failed and the rollback failed too; the endpoint needs manual repair",
}
_SEVERE_STATUSES = {"Failed", "OutOfService", "UpdateRollbackFailed"}
# (metric, rate above which it fires, what it points at). 4XX: clients are refused and retry (a body over the
# 6 MB limit, throttling, a bad request); a few percent are normal client noise, hence the higher bar.
ERROR_METRICS = (
    (M.INVOCATION_5XX_ERRORS, "error_rate_high", "the container or the instance"),
    (M.INVOCATION_MODEL_ERRORS, "error_rate_high", "the inference code (non-2xx answers, timeouts, broken sockets)"),
    (M.INVOCATION_4XX_ERRORS, "client_error_rate_high", "the requests: refused bodies (over the size limit), "
                                                       "throttling or bad input, which clients then retry"),
)


def error_rate(ev: Evidence, metric: str) -> tuple[float, float] | None:
    """(rate, errors) in the incident window; errors are emitted 0/1 per request, so rate = Sum / requests."""
    m = ev.metrics
    assert m is not None
    errors = sum(m.incident(metric, "Sum"))
    requests = max(sum(m.incident(metric, "SampleCount")), sum(m.incident(M.INVOCATIONS, "Sum")))
    return (errors / requests, errors) if requests > 0 else None


@rule("ERRORS", severity="critical", title="Errors accompany the latency",
      docs=(LOGS_DOC, TROUBLESHOOTING, METRICS_DOC), metrics=ANY_METRIC, needs={Source.METRICS})
def errors(ev: Evidence) -> Verdict | None:
    """Invocation5XXErrors or InvocationModelErrors rate > 1 %, or Invocation4XXErrors > 5 %, in the incident."""
    evidence: dict[str, str] = {}
    over: list[str] = []
    worst = 0.0
    for metric, limit_name, meaning in ERROR_METRICS:
        measured = error_rate(ev, metric)
        if measured is None:
            continue
        rate, count = measured
        evidence[f"{metric} rate (incident)"] = f"{pct(rate, fraction=True)} ({count:,.0f} errors)"
        limit = getattr(ev.thresholds, limit_name)
        if rate > limit:
            over.append(f"{metric} points at {meaning}")
            worst = max(worst, rate / limit)
    if not over:
        return None
    group = f"/aws/sagemaker/Endpoints/{ev.alarm.endpoint}"
    evidence["Container logs"] = group
    logs = console_links(ev.alarm.region, None, ev.alarm.endpoint)["Logs"]
    return Verdict(
        evidence,
        f"Requests are failing as well as slowing down: {'; '.join(over)}. Read the container logs in {group} "
        f"({logs}) around the alarm time for exceptions, out-of-memory kills and timeouts.",
        strength=min(1.0, worst / 10),
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


def _updating(ev: Evidence, evidence: dict[str, str]) -> str:
    """What an `Updating` endpoint is doing, for the advice: a scaling activity or a deployment."""
    endpoint = ev.endpoint
    assert endpoint is not None
    activity = ev.signals.scaling_in_progress
    if activity is not None:
        evidence["Scaling activity"] = f"{activity.status}: {activity.description or 'no description'}"
        if activity.start is not None:
            evidence["Scaling started"] = f"{duration(ev.seconds_before_alarm(activity.start))} before the alarm"
        return ("Application Auto Scaling is changing the instance count; new instances take minutes to start "
                "and load the model. Latency should fall once they are InService; if this keeps happening, scale "
                "out earlier (a lower target value) so capacity arrives before the load does.")
    if endpoint.pending_config_name:
        evidence["Deploying endpoint config"] = endpoint.pending_config_name
    if ev.scaling is not None and ev.scaling.registered and ev.scaling.activities is None:
        evidence["Scaling activities"] = "not known (the call failed)"
        return ("The endpoint is updating: a deployment or a scaling change (the scaling activities could not be "
                "read to tell which). Wait for it to finish; if it is a deployment and it keeps failing, roll back "
                "to the previous endpoint config.")
    target = f" to {endpoint.pending_config_name}" if endpoint.pending_config_name else ""
    return (f"A deployment is in progress{target}: capacity may be reduced while instances are replaced. Wait "
            "for it to finish and watch the alarm; if the new version is the cause or the update fails, roll back "
            "with UpdateEndpoint to the previous endpoint config.")


@rule("ENDPOINT-NOT-IN-SERVICE", severity="warning", title="The endpoint is not InService",
      docs=(DESCRIBE_DOC, TROUBLESHOOTING, SCALING_ACTIVITIES_DOC), metrics=ANY_METRIC, needs={Source.ENDPOINT})
def not_in_service(ev: Evidence) -> Verdict | None:
    """Endpoint status other than InService; for Updating, whether scaling or a deployment is under way."""
    endpoint = ev.endpoint
    if endpoint is None or endpoint.status == "InService":
        return None
    status = endpoint.status
    evidence = {"Status": status, "Meaning": STATUS_MEANING.get(status, "not a status this advisor knows")}
    if endpoint.failure_reason:
        evidence["FailureReason"] = endpoint.failure_reason[:500]
    if status == "Updating":
        advice = _updating(ev, evidence)
        title = ("The endpoint is scaling, not InService" if ev.signals.scaling_in_progress
                 else "The endpoint is updating, not InService")
    else:
        advice = (f"Endpoint {ev.alarm.endpoint} is {status}: {evidence['Meaning']}. Latency and errors are "
                  "expected until it is InService again; check its events in the SageMaker console and the "
                  "FailureReason, and wait for or fix the update before tuning anything else.")
        title = f"The endpoint is {status}, not InService"
    return Verdict(evidence, advice, severity="critical" if status in _SEVERE_STATUSES else None, title=title)


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
        overhead = ev.metrics.ratio(M.OVERHEAD_LATENCY, "incident")
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

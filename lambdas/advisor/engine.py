"""One diagnosis: alarm event in, SPEC §5 object out. Shared by the Lambda handler and the CLI."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from advisor.catalogue import Shown, metric
from advisor.events import AlarmEvent, parse_alarm_event
from advisor.rules import run_rules
from advisor.rules.base import Finding
from advisor.snapshot import Evidence, Source
from advisor.thresholds import DEFAULT, Thresholds
from advisor.units import duration, ms, pct

# Which evidence each failed call takes away (a failed DescribeEndpoint also hides its config and model).
_EVIDENCE_LOST = {
    "cloudwatch.GetMetricData": (Source.METRICS, Source.PER_INSTANCE),
    "application-autoscaling.DescribeScalableTargets": (Source.SCALING, Source.SCALING_POLICIES,
                                                        Source.SCALING_ACTIVITIES),
    "application-autoscaling.DescribeScalingPolicies": (Source.SCALING_POLICIES,),
    "application-autoscaling.DescribeScalingActivities": (Source.SCALING_ACTIVITIES,),
    "sagemaker.DescribeEndpoint": (Source.ENDPOINT, Source.CONFIG, Source.MODEL),
    "sagemaker.DescribeEndpointConfig": (Source.CONFIG, Source.MODEL),
    "sagemaker.DescribeModel": (Source.MODEL,),
}


def _threshold_text(alarm: AlarmEvent) -> str | None:
    entry = metric(alarm.metric)
    if alarm.threshold is None or entry is None:
        return None
    if entry.shown is Shown.MS_FROM_MICROSECONDS:
        return ms(entry.to_snapshot(alarm.threshold, alarm.stat))
    if entry.shown is Shown.FRACTION:
        return pct(alarm.threshold, fraction=True)
    return f"{alarm.threshold:g}"


def alarm_summary(alarm: AlarmEvent) -> dict[str, Any]:
    """The `alarm` object of SPEC §5."""
    return {"name": alarm.name, "state": alarm.state, "previous_state": alarm.previous_state,
            "metric": alarm.metric, "stat": alarm.stat, "threshold": _threshold_text(alarm),
            "period_s": alarm.period_s, "endpoint": alarm.endpoint, "variant": alarm.variant,
            "time": alarm.time.isoformat(), "region": alarm.region, "account": alarm.account, "arn": alarm.arn,
            "reason": alarm.reason, "description": alarm.description,
            **({"inference_component": alarm.inference_component} if alarm.inference_component else {})}


def endpoint_summary(evidence: Evidence | None) -> dict[str, Any]:
    """The `endpoint` object of SPEC §5; unknown values are null."""
    summary: dict[str, Any] = {"kind": None, "instance_type": None, "instance_count": None, "status": None,
                               "framework": None, "image": None, "memory_mb": None}
    if evidence is None:
        return summary
    summary["kind"] = evidence.kind
    if evidence.endpoint_missing:
        summary["status"] = "NotFound"
    endpoint = evidence.endpoint
    if endpoint is None:
        return summary
    variant = endpoint.variant
    summary |= {"status": endpoint.status,
                "instance_type": variant.instance_type if variant else None,
                "instance_count": variant.current_instance_count if variant else None,
                "memory_mb": variant.serverless_memory_mb if variant else None}
    if endpoint.image is not None:
        summary["image"] = endpoint.image.uri
        summary["framework"] = endpoint.image.framework.name if endpoint.image.framework else None
    component = evidence.component
    if component is not None:  # copies and reservation, next to the utilisation figures in the messages
        scaling = evidence.scaling
        summary["inference_component"] = {
            "name": component.name, "status": component.status, "current_copies": component.current_copies,
            "desired_copies": component.desired_copies,
            "max_copies": scaling.max_capacity if scaling is not None and scaling.registered else None,
            "accelerators": component.accelerators, "cpu_cores": component.cpu_cores,
            "min_memory_mb": component.min_memory_mb}
    return summary


@dataclass(frozen=True)
class Diagnosis:
    """The advisor's answer to one alarm event."""

    alarm: AlarmEvent
    evidence: Evidence | None
    findings: list[Finding]
    api_calls: dict[str, Any]
    errors: list[dict[str, Any]]
    resolved: dict[str, Any] | None = None
    generated_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def to_dict(self) -> dict[str, Any]:
        """The SPEC §5 JSON object."""
        return {"alarm": alarm_summary(self.alarm), "endpoint": endpoint_summary(self.evidence),
                "findings": [f.to_dict() for f in self.findings], "resolved": self.resolved,
                "api_calls": self.api_calls, "errors": self.errors,
                "generated_at": self.generated_at.isoformat()}


def _resolved_notice(alarm: AlarmEvent) -> dict[str, Any]:
    """The short notice for OK (and INSUFFICIENT_DATA) transitions."""
    where = (f"{alarm.metric} on inference component {alarm.inference_component}" if alarm.inference_component
             else f"{alarm.metric} on {alarm.endpoint}/{alarm.variant}")
    if alarm.state == "INSUFFICIENT_DATA":
        return {"in_alarm_s": None, "summary": f"{where} has insufficient data (no recent datapoints)"}
    seconds = None
    if alarm.previous_state == "ALARM" and alarm.previous_time is not None:
        seconds = max(0.0, (alarm.time - alarm.previous_time).total_seconds())
    lasted = f" after {duration(seconds)}" if seconds is not None else ""
    return {"in_alarm_s": seconds, "summary": f"{where} back to OK{lasted}"}


def _error_entries(evidence: Evidence, skipped: dict[Source, list[str]]) -> list[dict[str, Any]]:
    entries = []
    for error in evidence.errors:
        lost = _EVIDENCE_LOST.get(error.evidence, ())
        rules = sorted({rule_id for key in lost for rule_id in skipped.get(key, [])})
        entries.append({"evidence": error.evidence, "code": error.code, "message": error.message,
                        "skipped": rules})
    return entries


_default_session: Any = None


def _session() -> Any:
    global _default_session
    if _default_session is None:
        import boto3

        _default_session = boto3.Session()
    return _default_session


def diagnose(event: AlarmEvent | Any, *, session: Any = None, now: datetime | None = None,
             thresholds: Thresholds = DEFAULT, budget_s: float | None = None) -> Diagnosis:
    """Gather the evidence for the alarm and run the rules.

    `event` is an AlarmEvent the caller has parsed (the handler parses each event once, at the edge) or a raw
    event (the CLI), parsed here; EventError for a raw event it cannot diagnose.
    """
    alarm = event if isinstance(event, AlarmEvent) else parse_alarm_event(event)
    now = now or datetime.now(UTC)
    if alarm.state != "ALARM":
        return Diagnosis(alarm, None, [], {"total": 0, "by_operation": {}}, [], _resolved_notice(alarm), now)
    from advisor.evidence import advisor_clients, gather_evidence

    clients = advisor_clients(session or _session(), alarm.region)
    clients.counter.reset()
    budget = budget_s if budget_s is not None else float(os.environ.get("ADVISOR_EVIDENCE_BUDGET_S", "25"))
    evidence = gather_evidence(alarm, clients, budget_s=budget, thresholds=thresholds)
    run = run_rules(evidence)
    # evidence.alarm names the endpoint and variant of an IC alarm (its event names only the IC).
    return Diagnosis(evidence.alarm, evidence, run.findings, clients.counter.snapshot(),
                     _error_entries(evidence, run.skipped), None, now)

"""The three alarm event forms of SPEC §3, parsed at the edge into one typed `AlarmEvent`.

Nothing downstream knows which form arrived. Anything that is not a state change of a single-metric alarm on
a SageMaker endpoint metric raises `EventError` with one line saying why.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from advisor.catalogue import ALARMED, COMPONENT_ONLY, metric

# The metrics the stack alarms on; an alarm on anything else is not one this advisor diagnoses.
DIAGNOSABLE_METRICS = frozenset(m.value for m in ALARMED)
STATES = frozenset({"ALARM", "OK", "INSUFFICIENT_DATA"})
_MAX_TEXT = 4096
_MAX_MESSAGE = 500
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")

_DATAPOINTS = re.compile(r"(\d+) out of the last (\d+) datapoints")
_THRESHOLD = re.compile(r"threshold \((-?[0-9.]+(?:[eE][-+]?[0-9]+)?)\)")


class EventError(ValueError):
    """The event is not an alarm the advisor can diagnose; the message is one line for a human."""

    def __init__(self, message: str) -> None:
        # Messages echo parts of untrusted input: keep them one printable line, whatever arrived.
        super().__init__(_CONTROL.sub(" ", message)[:_MAX_MESSAGE])


@dataclass(frozen=True)
class AlarmEvent:
    """One alarm state change, whatever form it arrived in. Times are aware UTC datetimes."""

    form: str
    name: str
    arn: str
    region: str
    account: str
    state: str
    previous_state: str | None
    time: datetime
    previous_time: datetime | None
    reason: str
    description: str
    namespace: str
    metric: str
    stat: str
    period_s: int
    evaluation_periods: int | None
    threshold: float | None
    endpoint: str  # empty for an alarm on an IC metric until the evidence names the IC's endpoint
    variant: str
    inference_component: str | None = None  # the InferenceComponentName dimension of an IC alarm

    @property
    def key(self) -> str:
        """Identity of this state change: the same for every delivery of it (idempotency key)."""
        return f"{self.arn}#{self.state}#{self.time.isoformat()}"


def _text(value: Any, where: str, *, required: bool = True) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise EventError(f"{where}: expected a non-empty string, got {_kind(value)}")
    return value[:_MAX_TEXT]


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, str):
        return "an empty string" if not value.strip() else "a string"
    return f"a {type(value).__name__}"


def _mapping(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise EventError(f"{where}: expected an object, got {_kind(value)}")
    return value


def parse_time(value: Any, where: str) -> datetime:
    """An ISO-8601 timestamp as CloudWatch writes it ('2026-11-20T12:00:00.000+0000'), as aware UTC."""
    text = _text(value, where)
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        raise EventError(f"{where}: {text[:60]!r} is not an ISO-8601 time") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _region_and_account(arn: str, where: str) -> tuple[str, str]:
    parts = arn.split(":")
    if len(parts) < 7 or parts[0] != "arn" or parts[2] != "cloudwatch" or parts[5] != "alarm":
        raise EventError(f"{where}: {arn[:120]!r} is not a CloudWatch alarm ARN")
    return parts[3], parts[4]


def _evaluation_from_reason(reason: str) -> int | None:
    match = _DATAPOINTS.search(reason)
    return int(match.group(2)) if match else None


def _threshold_from_state(state: dict[str, Any]) -> float | None:
    reason_data = state.get("reasonData")
    if isinstance(reason_data, str):
        try:
            decoded = json.loads(reason_data)
        except ValueError:
            decoded = None
        if isinstance(decoded, dict) and isinstance(decoded.get("threshold"), int | float):
            return float(decoded["threshold"])
    match = _THRESHOLD.search(str(state.get("reason") or ""))
    return float(match.group(1)) if match else None


def _from_alarm_data(form: str, data: dict[str, Any], arn: str, where: str) -> AlarmEvent:
    """Lambda alarm action `alarmData` and EventBridge `detail` share one shape."""
    state = _mapping(data.get("state"), f"{where}.state")
    previous: dict[str, Any] = data["previousState"] if isinstance(data.get("previousState"), dict) else {}
    configuration = _mapping(data.get("configuration"), f"{where}.configuration")
    metrics = configuration.get("metrics")
    if not isinstance(metrics, list) or not metrics:
        if configuration.get("alarmRule"):
            raise EventError(f"{where}: composite alarm: not a SageMaker endpoint latency alarm")
        raise EventError(f"{where}.configuration.metrics: expected a non-empty list, got {_kind(metrics)}")
    if len(metrics) != 1 or not isinstance(metrics[0], dict) or "metricStat" not in metrics[0]:
        raise EventError(f"{where}: metric-math alarm ({len(metrics)} metrics/expressions): "
                         "not a SageMaker endpoint latency alarm")
    stat_block = _mapping(metrics[0]["metricStat"], f"{where}.configuration.metrics[0].metricStat")
    metric = _mapping(stat_block.get("metric"), f"{where}.configuration.metrics[0].metricStat.metric")
    dimensions = _mapping(metric.get("dimensions", {}), f"{where}.configuration.metrics[0].metricStat.metric"
                          ".dimensions")
    region, account = _region_and_account(arn, "alarm ARN")
    reason = _text(state.get("reason"), f"{where}.state.reason", required=False)
    return _build(
        form=form, name=_text(data.get("alarmName"), f"{where}.alarmName"), arn=arn, region=region,
        account=account, state=_text(state.get("value"), f"{where}.state.value"),
        previous_state=previous.get("value") if isinstance(previous.get("value"), str) else None,
        time=parse_time(state.get("timestamp"), f"{where}.state.timestamp"),
        previous_time=(parse_time(previous["timestamp"], f"{where}.previousState.timestamp")
                       if previous.get("timestamp") is not None else None),
        reason=reason,
        description=_text(configuration.get("description"), f"{where}.configuration.description", required=False),
        namespace=_text(metric.get("namespace"), f"{where}.configuration.metrics[0].metricStat.metric.namespace"),
        metric=_text(metric.get("name"), f"{where}.configuration.metrics[0].metricStat.metric.name"),
        stat=_text(stat_block.get("stat"), f"{where}.configuration.metrics[0].metricStat.stat"),
        period=stat_block.get("period"),
        evaluation_periods=_evaluation_from_reason(reason),
        threshold=_threshold_from_state(state),
        dimensions=dimensions,
    )


def _from_sns(record: dict[str, Any]) -> AlarmEvent:
    sns = _mapping(record.get("Sns"), "Records[0].Sns")
    raw = _text(sns.get("Message"), "Records[0].Sns.Message")
    try:
        message = json.loads(raw)
    except ValueError:
        raise EventError("Records[0].Sns.Message: not JSON, so not a CloudWatch alarm notification") from None
    message = _mapping(message, "Records[0].Sns.Message")
    where = "Records[0].Sns.Message"
    trigger = _mapping(message.get("Trigger"), f"{where}.Trigger")
    if trigger.get("Metrics"):
        raise EventError(f"{where}: metric-math alarm: not a SageMaker endpoint latency alarm")
    arn = _text(message.get("AlarmArn"), f"{where}.AlarmArn")
    region, account = _region_and_account(arn, f"{where}.AlarmArn")
    raw_dimensions = trigger.get("Dimensions") or []
    if not isinstance(raw_dimensions, list):
        raise EventError(f"{where}.Trigger.Dimensions: expected a list, got {_kind(raw_dimensions)}")
    dimensions = {}
    for item in raw_dimensions:
        item = _mapping(item, f"{where}.Trigger.Dimensions[]")
        dimensions[str(item.get("name", item.get("Name")))] = item.get("value", item.get("Value"))
    stat = trigger.get("ExtendedStatistic") or str(trigger.get("Statistic") or "").title().replace("count", "Count")
    threshold = trigger.get("Threshold")
    evaluation = trigger.get("EvaluationPeriods")
    reason = _text(message.get("NewStateReason"), f"{where}.NewStateReason", required=False)
    return _build(
        form="sns", name=_text(message.get("AlarmName"), f"{where}.AlarmName"), arn=arn, region=region,
        account=account, state=_text(message.get("NewStateValue"), f"{where}.NewStateValue"),
        previous_state=message.get("OldStateValue") if isinstance(message.get("OldStateValue"), str) else None,
        time=parse_time(message.get("StateChangeTime"), f"{where}.StateChangeTime"),
        previous_time=None, reason=reason,
        description=_text(message.get("AlarmDescription"), f"{where}.AlarmDescription", required=False),
        namespace=_text(trigger.get("Namespace"), f"{where}.Trigger.Namespace"),
        metric=_text(trigger.get("MetricName"), f"{where}.Trigger.MetricName"),
        stat=_text(stat, f"{where}.Trigger.Statistic"),
        period=trigger.get("Period"),
        evaluation_periods=(evaluation if isinstance(evaluation, int) and not isinstance(evaluation, bool)
                            else _evaluation_from_reason(reason)),
        threshold=float(threshold) if isinstance(threshold, int | float) and not isinstance(threshold, bool)
        else None,
        dimensions=dimensions,
    )


def _build(*, form: str, period: Any, dimensions: dict[str, Any], **fields: Any) -> AlarmEvent:
    """Check what every form must carry, then make the event."""
    if fields["state"] not in STATES:
        raise EventError(f"state {fields['state'][:40]!r} is not one of ALARM, OK, INSUFFICIENT_DATA")
    entry = metric(fields["metric"]) if fields["metric"] in DIAGNOSABLE_METRICS else None
    if entry is None or fields["namespace"] != entry.namespace:
        raise EventError(f"alarm {fields['name'][:120]!r} watches {fields['namespace'][:60]}/"
                         f"{fields['metric'][:60]}: not a SageMaker endpoint latency alarm")
    if not isinstance(period, int) or isinstance(period, bool) or period <= 0:
        raise EventError(f"alarm {fields['name'][:120]!r}: metric period {period!r} is not a positive integer")
    component = dimensions.get(COMPONENT_ONLY[0])
    if component is not None and (not isinstance(component, str) or not component
                                  or (entry.component_dimensions is None and entry.dimensions != COMPONENT_ONLY)):
        raise EventError(f"alarm {fields['name'][:120]!r}: {fields['metric'][:60]} is not published per "
                         f"inference component, or its {COMPONENT_ONLY[0]} dimension is empty")
    if component is None and entry.dimensions == COMPONENT_ONLY:
        raise EventError(f"alarm {fields['name'][:120]!r}: {fields['metric'][:60]} is published per inference "
                         f"component only, and the alarm has no {COMPONENT_ONLY[0]} dimension")
    if component is None:
        for dimension in ("EndpointName", "VariantName"):
            value = dimensions.get(dimension)
            if not isinstance(value, str) or not value:
                raise EventError(f"alarm {fields['name'][:120]!r} has no {dimension} dimension: SageMaker "
                                 "publishes endpoint metrics with EndpointName and VariantName (inference "
                                 "component metrics with InferenceComponentName), so it cannot be diagnosed")
    evaluation = fields.pop("evaluation_periods")
    endpoint, variant = dimensions.get("EndpointName"), dimensions.get("VariantName")
    return AlarmEvent(form=form, period_s=period,
                      endpoint=endpoint[:_MAX_TEXT] if isinstance(endpoint, str) else "",
                      variant=variant[:_MAX_TEXT] if isinstance(variant, str) else "",
                      evaluation_periods=evaluation if isinstance(evaluation, int) and evaluation > 0 else None,
                      inference_component=component[:_MAX_TEXT] if component else None, **fields)


def parse_alarm_event(event: Any) -> AlarmEvent:
    """Parse a Lambda alarm action, an EventBridge state change or an SNS-wrapped alarm notification."""
    if not isinstance(event, dict):
        raise EventError(f"event: expected a JSON object, got {_kind(event)}")
    if "alarmData" in event:
        if event.get("source") != "aws.cloudwatch":
            raise EventError(f"source: {str(event.get('source'))[:60]!r} is not aws.cloudwatch")
        arn = _text(event.get("alarmArn"), "alarmArn")
        return _from_alarm_data("lambda-action", _mapping(event["alarmData"], "alarmData"), arn, "alarmData")
    if "detail-type" in event:
        if event.get("detail-type") != "CloudWatch Alarm State Change":
            raise EventError(f"detail-type: {str(event['detail-type'])[:80]!r} is not "
                             "'CloudWatch Alarm State Change'")
        resources = event.get("resources")
        if not isinstance(resources, list) or not resources:
            raise EventError(f"resources: expected the alarm ARN in a list, got {_kind(resources)}")
        arn = _text(resources[0], "resources[0]")
        return _from_alarm_data("eventbridge", _mapping(event.get("detail"), "detail"), arn, "detail")
    records = event.get("Records")
    if isinstance(records, list) and records:
        if len(records) != 1:
            raise EventError(f"Records: expected one SNS record, got {len(records)}")
        record = _mapping(records[0], "Records[0]")
        if record.get("EventSource") not in ("aws:sns", None) and "Sns" not in record:
            raise EventError(f"Records[0].EventSource: {str(record.get('EventSource'))[:40]!r} is not aws:sns")
        return _from_sns(record)
    keys = ", ".join(sorted(str(k)[:40] for k in event)[:8]) or "no keys"
    raise EventError(f"event: not a CloudWatch alarm event (Lambda action, EventBridge or SNS); it has {keys}")

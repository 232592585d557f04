"""The coverage watchdog Lambda: on a schedule, check the stack's alarms and notify when the problems change.

Same package and Powertools set-up as the advisor (handler.py: logger, metrics, SNS client, Slack secret).
Environment, besides the advisor's TOPIC_ARN / SLACK_SECRET_ARN / IDEMPOTENCY_TABLE: ALARM_PREFIX (the
stack's `<stack_name>/`) and DISCOVER_FILTER (the config's `discover` as JSON, `{}` without one).

The last set of problems is kept in the idempotency table under the item `coverage#<prefix>` (no expiration
attribute, so DynamoDB's TTL never removes it). A run notifies only when its set differs from the stored
one, and stores the new set only once a sink took the message (or none is configured): a failed delivery is
retried by the next run. The first run with no problems stays silent.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit

import handler
from advisor import coverage_render, sinks
from advisor.coverage import PROBLEMS, parse_discover
from advisor.evidence import advisor_clients
from advisor.fleet import check_coverage

ALARM_PREFIX = os.environ.get("ALARM_PREFIX", "")
DISCOVER = parse_discover(json.loads(os.environ.get("DISCOVER_FILTER") or "{}"))
STATE_KEY = f"coverage#{ALARM_PREFIX}"
logger, metrics = handler.logger, handler.metrics
_DYNAMODB = (handler._SESSION.client("dynamodb", config=handler._CONFIG) if handler.IDEMPOTENCY_TABLE else None)


def load_state() -> list[list[str]] | None:
    """The problem set of the last notification; None if never stored or unreadable (then: notify)."""
    if _DYNAMODB is None:
        return None
    item = _DYNAMODB.get_item(TableName=handler.IDEMPOTENCY_TABLE, Key={"id": {"S": STATE_KEY}},
                              ConsistentRead=True).get("Item")
    return json.loads(item["problems"]["S"]) if item else None


def save_state(signature: list[list[str]], at: datetime) -> None:
    """Remember the set just notified."""
    if _DYNAMODB is not None:
        _DYNAMODB.put_item(TableName=handler.IDEMPOTENCY_TABLE, Item={
            "id": {"S": STATE_KEY}, "problems": {"S": json.dumps(signature)}, "updated": {"S": at.isoformat()}})


def changes(previous: list[list[str]] | None, current: list[list[str]]) -> dict[str, list[list[str]]]:
    """Problems new since the last notification, and those fixed."""
    before = {tuple(p) for p in previous or []}
    now = {tuple(p) for p in current}
    return {"new": sorted(list(p) for p in now - before), "fixed": sorted(list(p) for p in before - now)}


def _deliver(report: dict, delta: dict[str, list[list[str]]], context: Any) -> tuple[list[str], list[str]]:
    delivered, failed = [], []
    senders = []
    if handler._SNS is not None:
        senders.append(("sns", lambda: sinks.publish_sns(handler._SNS, handler.TOPIC_ARN,
                                                         coverage_render.render_sns(report, delta))))
    if handler._SECRETS is not None:
        budget = min(handler.SLACK_BUDGET_S, context.get_remaining_time_in_millis() / 1000 - handler.RESERVE_S)
        senders.append(("slack", lambda: sinks.post_slack(handler._webhook_url(),
                                                          coverage_render.render_slack(report, delta),
                                                          budget_s=budget)))
    for name, send in senders:
        try:
            send()
        except sinks.SinkSkipped as exc:
            logger.warning(f"{name} coverage notification skipped: {exc}", extra={"sink": name})
        except Exception as exc:  # one sink failing must not cost the other its message
            failed.append(name)
            logger.error(f"{name} coverage notification failed: {sinks.redact(str(exc))}", extra={"sink": name})
        else:
            delivered.append(name)
    return delivered, failed


@metrics.log_metrics
@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict, context: Any) -> dict:
    """Lambda entry point (any event: the schedule's payload is not read)."""
    now = datetime.now(UTC)
    region = handler._SESSION.region_name or os.environ.get("AWS_REGION", "")
    report = check_coverage(advisor_clients(handler._SESSION, region), ALARM_PREFIX, region, discover=DISCOVER,
                            now=now)
    data = report.to_dict()
    for problem in PROBLEMS:
        metrics.add_metric(name=f"Coverage{problem.capitalize()}", unit=MetricUnit.Count, value=len(data[problem]))
    logger.info(f"Coverage of {ALARM_PREFIX}*: {coverage_render.summary(data)}", extra={
        "api_calls": data["api_calls"]["total"], **{p: len(data[p]) for p in PROBLEMS}, "errors": data["errors"]})
    try:
        previous = load_state()
    except Exception as exc:  # an unreadable table must not silence the watchdog: notify, as if changed
        logger.warning(f"Coverage state unreadable ({type(exc).__name__}: {exc}); notifying as if changed")
        previous = None
    delta = changes(previous, report.signature)
    if not delta["new"] and not delta["fixed"]:  # a first run with no problems lands here too
        logger.info("Coverage problems unchanged since the last notification: not notifying")
        if previous is None:
            save_state(report.signature, now)
        return {"changed": False, "notified": [], **{p: len(data[p]) for p in PROBLEMS}}
    delivered, failed = _deliver(data, delta, context)
    if failed and not delivered:
        raise handler.NotificationFailed(f"every coverage notification sink failed ({', '.join(failed)})")
    save_state(report.signature, now)
    return {"changed": True, "notified": delivered, "failed": failed, **{p: len(data[p]) for p in PROBLEMS}}

"""The coverage watchdog Lambda: on a schedule, check the stack's alarms and notify when the problems change.

Same package and Powertools set-up as the advisor: handler.py's logger and metrics, and its environment
(`handler.ENVIRONMENT`: session, SNS client, Slack secret, table, made by `handler.build_environment`, which
tests replace). Environment variables besides the advisor's TOPIC_ARN / SLACK_SECRET_ARN / IDEMPOTENCY_TABLE:
ALARM_PREFIX (the stack's `<stack_name>/`) and DISCOVER_FILTER (the config's `discover` as JSON, `{}` without
one), read at each run.

The last set of problems is kept in the idempotency table under the item `coverage#<prefix>` (no expiration
attribute, so DynamoDB's TTL never removes it). A run notifies only when its set differs from the stored
one, and stores the new set only once a sink took the message (or none is configured): a failed delivery is
retried by the next run. The first run with no problems stays silent.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit

import handler
from advisor import coverage_render, sinks
from advisor.coverage import PROBLEMS, DiscoverFilter, parse_discover
from advisor.evidence import advisor_clients
from advisor.fleet import check_coverage

logger, metrics = handler.logger, handler.metrics


def settings() -> tuple[str, DiscoverFilter]:
    """The stack's alarm prefix and discover filter, from the function's environment."""
    return (os.environ.get("ALARM_PREFIX", ""),
            parse_discover(json.loads(os.environ.get("DISCOVER_FILTER") or "{}")))


@lru_cache(maxsize=4)
def _dynamodb(session: Any) -> Any:
    """A DynamoDB client per session, built once per execution environment."""
    return session.client("dynamodb", config=handler.CLIENT_CONFIG)


def load_state(prefix: str) -> list[list[str]] | None:
    """The problem set of the last notification; None if never stored or unreadable (then: notify)."""
    environment = handler.ENVIRONMENT
    if not environment.idempotency_table:
        return None
    item = _dynamodb(environment.session).get_item(TableName=environment.idempotency_table,
                                                   Key={"id": {"S": f"coverage#{prefix}"}},
                                                   ConsistentRead=True).get("Item")
    return json.loads(item["problems"]["S"]) if item else None


def save_state(prefix: str, signature: list[list[str]], at: datetime) -> None:
    """Remember the set just notified."""
    environment = handler.ENVIRONMENT
    if environment.idempotency_table:
        _dynamodb(environment.session).put_item(TableName=environment.idempotency_table, Item={
            "id": {"S": f"coverage#{prefix}"}, "problems": {"S": json.dumps(signature)},
            "updated": {"S": at.isoformat()}})


def changes(previous: list[list[str]] | None, current: list[list[str]]) -> dict[str, list[list[str]]]:
    """Problems new since the last notification, and those fixed."""
    before = {tuple(p) for p in previous or []}
    now = {tuple(p) for p in current}
    return {"new": sorted(list(p) for p in now - before), "fixed": sorted(list(p) for p in before - now)}


def _deliver(report: dict, delta: dict[str, list[list[str]]], context: Any) -> tuple[list[str], list[str]]:
    environment = handler.ENVIRONMENT
    delivered, failed = [], []
    senders: list[tuple[str, Callable[[], object]]] = []
    if environment.sns is not None:
        senders.append(("sns", lambda: sinks.publish_sns(environment.sns, environment.topic_arn,
                                                         coverage_render.render_sns(report, delta))))
    if environment.secrets is not None:
        budget = min(environment.slack_budget_s,
                     context.get_remaining_time_in_millis() / 1000 - handler.RESERVE_S)
        senders.append(("slack", lambda: environment.post_slack(handler._webhook_url(environment),
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
    prefix, discover = settings()
    session = handler.ENVIRONMENT.session
    region = session.region_name or os.environ.get("AWS_REGION", "")
    report = check_coverage(advisor_clients(session, region), prefix, region, discover=discover, now=now)
    data = report.to_dict()
    for problem in PROBLEMS:
        metrics.add_metric(name=f"Coverage{problem.capitalize()}", unit=MetricUnit.Count, value=len(data[problem]))
    logger.info(f"Coverage of {prefix}*: {coverage_render.summary(data)}", extra={
        "api_calls": data["api_calls"]["total"], **{p: len(data[p]) for p in PROBLEMS}, "errors": data["errors"]})
    try:
        previous = load_state(prefix)
    except Exception as exc:  # an unreadable table must not silence the watchdog: notify, as if changed
        logger.warning(f"Coverage state unreadable ({type(exc).__name__}: {exc}); notifying as if changed")
        previous = None
    delta = changes(previous, report.signature)
    if not delta["new"] and not delta["fixed"]:  # a first run with no problems lands here too
        logger.info("Coverage problems unchanged since the last notification: not notifying")
        if previous is None:
            save_state(prefix, report.signature, now)
        return {"changed": False, "notified": [], **{p: len(data[p]) for p in PROBLEMS}}
    delivered, failed = _deliver(data, delta, context)
    if failed and not delivered:
        raise handler.NotificationFailed(f"every coverage notification sink failed ({', '.join(failed)})")
    save_state(prefix, report.signature, now)
    return {"changed": True, "notified": delivered, "failed": failed, **{p: len(data[p]) for p in PROBLEMS}}

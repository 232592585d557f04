"""The advisor Lambda: diagnose a SageMaker latency alarm, then notify SNS and Slack once per alarm state change.

Environment: TOPIC_ARN and SLACK_SECRET_ARN (each optional; the secret holds the bare webhook URL or
{"webhook_url": "..."}), IDEMPOTENCY_TABLE, ADVISOR_SLACK_BUDGET_S (default 20), POWERTOOLS_SERVICE_NAME,
POWERTOOLS_METRICS_NAMESPACE.

Failure contract (SPEC §8), completed by the stack's async-invoke settings (retry attempts, on-failure
destination = the dead-letter queue):
- Malformed or unknown event: one log line, then `UnprocessableEvent` is raised. Lambda retries every function
  error alike (async invoke has no non-retryable error type), so the stack keeps the retry attempts low; the
  retries are cheap (the event is parsed before any AWS call) and the event then lands in the dead-letter
  queue, where `errorType: UnprocessableEvent` in the record says why.
- One sink fails: the others still run. Every configured sink fails: `NotificationFailed` is raised, the
  idempotency record is released, Lambda retries and finally keeps the event in the dead-letter queue.
- The same state change delivered twice: the idempotency record (key: `AlarmEvent.key`, the same for all three
  event forms) answers the second delivery with the first one's outcome, without diagnosing or notifying.
- Idempotency table unreachable: notify anyway and log a warning; a duplicate message beats a lost alert.
- The webhook URL is a secret: it is never logged, and every log line is passed through `sinks.redact`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Metrics, single_metric
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyPersistenceLayerError,
)
from aws_lambda_powertools.utilities.parameters import SecretsProvider
from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError
from botocore.config import Config

from advisor import render, sinks
from advisor.events import AlarmEvent, EventError, parse_alarm_event

SECRET_MAX_AGE_S = 300
RESERVE_S = 5.0  # left at the end of the invocation for the idempotency record and the metrics flush
IDEMPOTENCY_EXPIRY_S = 24 * 3600  # longer than Lambda's 6 h async retry window; the key changes per transition
# Short timeouts and standard retries keep a slow dependency from eating the invocation's time.
CLIENT_CONFIG = Config(connect_timeout=3, read_timeout=10, retries={"mode": "standard", "max_attempts": 3})


class UnprocessableEvent(Exception):
    """The event is not an alarm the advisor can diagnose; retrying will not help (it goes to the DLQ)."""


class NotificationFailed(Exception):
    """No configured sink took the notification; raised so Lambda retries and then keeps the event in the DLQ."""


class _RedactingFormatter(LambdaPowertoolsFormatter):
    """Powertools JSON log lines with Slack webhook URLs masked, whatever path a URL took into a record."""

    def format(self, record: Any) -> str:
        """Format as Powertools does, then redact."""
        return sinks.redact(super().format(record))


logger = Logger(logger_formatter=_RedactingFormatter())
metrics = Metrics()
_IDEMPOTENCY = IdempotencyConfig(event_key_jmespath="key", raise_on_no_idempotency_key=True,
                                 expires_after_seconds=IDEMPOTENCY_EXPIRY_S, use_local_cache=True)


@dataclass(frozen=True)
class Environment:
    """What one execution environment builds once and every invocation reuses: its settings and AWS clients.

    `build_environment` is the one place they are made; tests build their own (their environment variables, a
    hand-written diagnosis, a Slack sink on a fake clock) and put it in `handler.ENVIRONMENT`.
    """

    topic_arn: str
    slack_secret_arn: str
    idempotency_table: str
    slack_budget_s: float
    session: Any
    sns: Any | None
    secrets: SecretsProvider | None
    process_once: Callable[..., dict]
    diagnose: Callable[[AlarmEvent], dict]
    post_slack: Callable[..., int]


def _region(arn: str) -> str | None:
    parts = arn.split(":")
    return parts[3] if len(parts) > 5 and parts[0] == "arn" else None


def _engine(session: Any) -> Callable[[AlarmEvent], dict]:
    def diagnose(alarm: AlarmEvent) -> dict:
        # Imported on first use (30-60 ms of rules and evidence code): malformed events and duplicate deliveries
        # never need it, and the execution environment's init stays short.
        from advisor.engine import diagnose as run_engine

        return run_engine(alarm, session=session).to_dict()

    return diagnose


def build_environment(env: Mapping[str, str] = os.environ, *, session: Any = None,
                      diagnose: Callable[[AlarmEvent], dict] | None = None,
                      post_slack: Callable[..., int] = sinks.post_slack) -> Environment:
    """Settings from `env` (TOPIC_ARN, SLACK_SECRET_ARN, IDEMPOTENCY_TABLE, ADVISOR_SLACK_BUDGET_S) and the
    clients they call for; `diagnose` defaults to the advisor engine on `session`."""
    session = session or boto3.Session()
    topic_arn = env.get("TOPIC_ARN", "")
    secret_arn = env.get("SLACK_SECRET_ARN", "")
    table = env.get("IDEMPOTENCY_TABLE", "")
    sns = session.client("sns", region_name=_region(topic_arn), config=CLIENT_CONFIG) if topic_arn else None
    secrets = (SecretsProvider(boto3_client=session.client("secretsmanager", region_name=_region(secret_arn),
                                                           config=CLIENT_CONFIG))
               if secret_arn else None)
    process_once: Callable[..., dict] = _process_once_body
    if table:
        persistence = DynamoDBPersistenceLayer(table_name=table,
                                               boto3_client=session.client("dynamodb", config=CLIENT_CONFIG))
        process_once = idempotent_function(_process_once_body, data_keyword_argument="state_change",
                                           persistence_store=persistence, config=_IDEMPOTENCY)
    return Environment(topic_arn=topic_arn, slack_secret_arn=secret_arn, idempotency_table=table,
                       slack_budget_s=float(env.get("ADVISOR_SLACK_BUDGET_S", "20")), session=session, sns=sns,
                       secrets=secrets, process_once=process_once, diagnose=diagnose or _engine(session),
                       post_slack=post_slack)


def _webhook_url(environment: Environment) -> str:
    if environment.secrets is None:
        raise sinks.SinkSkipped("no Slack secret is configured (SLACK_SECRET_ARN)")
    try:
        secret = environment.secrets.get(environment.slack_secret_arn, max_age=SECRET_MAX_AGE_S)
    except GetParameterError as exc:
        raise sinks.SinkError(f"Slack webhook secret {environment.slack_secret_arn} could not be read: "
                              f"{exc}") from None
    if not isinstance(secret, str):
        raise sinks.SinkError("the Slack secret is binary; store the webhook URL as a secret string")
    return sinks.webhook_url(secret)


def _send_sns(environment: Environment, diagnosis: dict, context: Any) -> str:
    message_id = sinks.publish_sns(environment.sns, environment.topic_arn, render.render_sns(diagnosis))
    return f"message {message_id}"


def _send_slack(environment: Environment, diagnosis: dict, context: Any) -> str:
    url = _webhook_url(environment)
    budget = min(environment.slack_budget_s, context.get_remaining_time_in_millis() / 1000 - RESERVE_S)
    attempts = environment.post_slack(url, render.render_slack(diagnosis), budget_s=budget)
    return f"{attempts} attempt(s)"


def _sinks(environment: Environment) -> list[tuple[str, Any]]:
    # SNS first: it is fast and carries the full diagnosis, so Slack retries never delay it.
    return [(name, send) for name, send, configured in (
        ("sns", _send_sns, environment.sns is not None),
        ("slack", _send_slack, environment.secrets is not None)) if configured]


def _process(environment: Environment, alarm: AlarmEvent, context: Any) -> dict:
    """Diagnose, then deliver to every configured sink; raise NotificationFailed if none took it."""
    diagnosis = environment.diagnose(alarm)
    rules = [f["rule"] for f in diagnosis.get("findings") or []]
    metrics.add_metric(name="Diagnoses", unit=MetricUnit.Count, value=1)
    for rule in rules:
        with single_metric(name="Findings", unit=MetricUnit.Count, value=1, namespace=metrics.namespace,
                           default_dimensions={"service": str(metrics.service)}) as metric:
            metric.add_dimension(name="rule", value=rule)
    logger.info(f"Diagnosed: {', '.join(rules) or 'no findings'}", extra={
        "rules": rules, "api_calls": (diagnosis.get("api_calls") or {}).get("total"),
        "evidence_errors": [e.get("evidence") for e in diagnosis.get("errors") or []]})

    delivered, failed, skipped = [], [], []
    for name, send in _sinks(environment):
        try:
            detail = send(environment, diagnosis, context)
        except sinks.SinkSkipped as exc:
            skipped.append(name)
            logger.warning(f"{name} notification skipped: {exc}", extra={"sink": name})
        except sinks.SinkError as exc:
            failed.append(name)
            logger.error(f"{name} notification failed: {exc}", extra={"sink": name})
        except Exception as exc:  # a bug in one sink must not cost the other one its message
            failed.append(name)
            logger.exception(f"{name} notification failed unexpectedly: {type(exc).__name__}", extra={"sink": name})
        else:
            delivered.append(name)
            logger.info(f"{name} notification sent ({detail})", extra={"sink": name})
    if failed:
        metrics.add_metric(name="NotificationFailures", unit=MetricUnit.Count, value=len(failed))
    if not delivered and failed:
        raise NotificationFailed(f"every notification sink failed ({', '.join(failed)}); see the log lines above")
    if not delivered:
        logger.warning("No sink configured or set up (TOPIC_ARN, SLACK_SECRET_ARN): the diagnosis is only in this log")
    return {"rules": rules, "delivered": delivered, "failed": failed, "skipped": skipped}


@dataclass
class _Run:
    """What the idempotent body did, so an idempotency-table failure can be placed before or after it."""

    started: bool = False
    outcome: dict | None = None
    error: Exception | None = None


def _process_once_body(*, state_change: dict, environment: Environment, alarm: AlarmEvent, context: Any,
                       run: _Run) -> dict:
    # `state_change` ({"key": alarm.key}) is what the idempotency record is keyed on; the body needs only `alarm`.
    run.started = True
    try:
        run.outcome = _process(environment, alarm, context)
    except Exception as exc:
        run.error = exc
        raise
    return run.outcome


def _notify_once(environment: Environment, alarm: AlarmEvent, context: Any) -> dict:
    run = _Run()
    try:
        outcome = environment.process_once(state_change={"key": alarm.key}, environment=environment, alarm=alarm,
                                           context=context, run=run)
    except IdempotencyAlreadyInProgressError:
        # Another invocation holds this state change; it raises (and so retries) if it cannot deliver.
        logger.info("Duplicate delivery while the first one is still running: not notifying twice")
        metrics.add_metric(name="DuplicateEvents", unit=MetricUnit.Count, value=1)
        return {"duplicate": True}
    except IdempotencyPersistenceLayerError as exc:
        if not run.started:
            logger.warning(f"Idempotency table {environment.idempotency_table} unavailable ({exc}); notifying "
                           "without the duplicate check rather than risk losing the alert")
            return _process(environment, alarm, context)
        logger.warning(f"Idempotency table {environment.idempotency_table} unavailable after processing ({exc}); "
                       "a redelivery of this event may notify again")
        if run.error is not None:
            raise run.error from None
        assert run.outcome is not None  # the body ran to its end
        return run.outcome
    if not run.started:
        logger.info("Duplicate delivery of an alarm state change already notified: not notifying twice")
        metrics.add_metric(name="DuplicateEvents", unit=MetricUnit.Count, value=1)
        return {**outcome, "duplicate": True}
    return outcome


@metrics.log_metrics(capture_cold_start_metric=True)
@logger.inject_lambda_context(clear_state=True)
def handler(event: dict, context: Any) -> dict:
    """Lambda entry point: one alarm state change in, one set of notifications out."""
    try:
        alarm = parse_alarm_event(event)
    except EventError as exc:
        logger.error(f"Unprocessable event, kept for the dead-letter queue: {exc}")
        metrics.add_metric(name="UnprocessableEvents", unit=MetricUnit.Count, value=1)
        raise UnprocessableEvent(str(exc)) from None
    # Every delivery and retry of one state change shares this correlation id: grep one id, see the whole story.
    logger.set_correlation_id(alarm.key)
    logger.append_keys(alarm=alarm.name, endpoint=alarm.endpoint, variant=alarm.variant, state=alarm.state)
    _IDEMPOTENCY.register_lambda_context(context)
    return {"alarm": alarm.key, **_notify_once(ENVIRONMENT, alarm, context)}


# Built at import, in Lambda's init phase, and reused by every invocation of this execution environment.
# A diagnosis waits on three chains of AWS calls at once, in threads (advisor.evidence). With Python's default
# 5 ms switch interval a thread whose answer has arrived waits for the one parsing a large GetMetricData answer,
# at every step of the endpoint chain (the critical path); at 1 ms it waits a fifth as long (bench/README.md,
# "critical path"). The Lambda process runs nothing else.
SWITCH_INTERVAL_S = 0.001
sys.setswitchinterval(SWITCH_INTERVAL_S)
ENVIRONMENT = build_environment()

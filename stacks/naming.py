"""Alarm names and descriptions, without CDK: the stack makes them, and the scenario builder uses the same."""

from __future__ import annotations

from stacks.config import Config, Endpoint
from stacks.thresholds import AlarmSpec


def alarm_name(config: Config, endpoint: Endpoint, spec: AlarmSpec) -> str:
    """`<stack>/<endpoint>/<variant>/<metric>`: readable, and prefix-matched by the EventBridge rule."""
    return f"{config.alarm_prefix}{endpoint.name}/{endpoint.variant}/{spec.metric}"


def alarm_description(config: Config, endpoint: Endpoint, spec: AlarmSpec) -> str:
    """What the alarm means, where the diagnosis goes and where the runbook is."""
    sinks = "the SNS topic and Slack" if config.notify.uses_slack else "the SNS topic"
    return (f"{spec.metric} {spec.stat} {spec.info.breach} {spec.threshold_text} in {spec.datapoints} of "
            f"{spec.evaluation_periods} periods of {spec.period_s} s on SageMaker endpoint {endpoint.name}, "
            f"variant {endpoint.variant} ({endpoint.kind}). {spec.info.meaning} The latency advisor posts a "
            f"diagnosis (cause, evidence, what to do) to {sinks}. Runbook: {config.runbook_url}")

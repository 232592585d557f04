"""Alarm names and descriptions, without CDK: the stack makes them, and the scenario builder uses the same."""

from __future__ import annotations

from stacks.config import Component, Config, Endpoint
from stacks.thresholds import AlarmSpec


def alarm_name(config: Config, endpoint: Endpoint, spec: AlarmSpec, component: Component | None = None) -> str:
    """`<stack>/<endpoint>/<variant>/<metric>` (`.../<variant>/<ic>/<metric>` for an inference component):
    readable, and prefix-matched by the EventBridge rule."""
    within = f"{component.name}/" if component is not None else ""
    return f"{config.alarm_prefix}{endpoint.name}/{endpoint.variant}/{within}{spec.metric}"


def alarm_description(config: Config, endpoint: Endpoint, spec: AlarmSpec, component: Component | None = None) -> str:
    """What the alarm means, where the diagnosis goes and where the runbook is."""
    sinks = "the SNS topic and Slack" if config.notify.uses_slack else "the SNS topic"
    on = (f"inference component {component.name} on SageMaker endpoint {endpoint.name}, variant "
          f"{endpoint.variant}" if component is not None else
          f"SageMaker endpoint {endpoint.name}, variant {endpoint.variant} ({endpoint.kind})")
    return (f"{spec.metric} {spec.stat} {spec.info.breach} {spec.threshold_text} in {spec.datapoints} of "
            f"{spec.evaluation_periods} periods of {spec.period_s} s on {on}. {spec.info.meaning} The latency "
            f"advisor posts a diagnosis (cause, evidence, what to do) to {sinks}. Runbook: {config.runbook_url}")

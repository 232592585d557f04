"""Endpoint alarms, split into nested stacks by a stable hash of the endpoint name.

An endpoint's nested stack depends only on its own name, so adding or removing endpoints never moves
another endpoint's alarms (a move would let CloudFormation delete an alarm it had just re-created under
the same name in the other stack). All ALARM_STACKS nested stacks exist whatever the fleet, so the stack's
resource count grows by an endpoint's alarms and nothing else. Alarms have no actions: EventBridge routes
their state changes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from aws_cdk import Duration, NestedStack, Tags
from aws_cdk import aws_cloudformation as cfn
from aws_cdk import aws_cloudwatch as cw
from constructs import Construct

from advisor.catalogue import Kind
from stacks.config import Component, Config, Endpoint
from stacks.naming import alarm_description, alarm_name
from stacks.thresholds import AlarmSpec

# Fixed for the life of a deployment: changing it re-homes alarms. 16 slots of up to 500 resources
# hold thousands of alarms; a slot that overflows fails synth with the scale-out advice.
ALARM_STACKS = 16
TAG_PREFIX = "latency-advisor"
COMPARISON = {"above": cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
              "below": cw.ComparisonOperator.LESS_THAN_THRESHOLD}


def alarm_stack_slot(endpoint_name: str) -> int:
    """The nested-stack slot of an endpoint: a hash of its name, stable across runs and configs."""
    digest = hashlib.sha256(endpoint_name.encode()).digest()
    return int.from_bytes(digest[:8], "big") % ALARM_STACKS


def plan_alarm_stacks(endpoints: Iterable[Endpoint]) -> dict[int, list[Endpoint]]:
    """Endpoints grouped by slot: every one of the ALARM_STACKS slots, in order, empty ones included."""
    slots: dict[int, list[Endpoint]] = {slot: [] for slot in range(ALARM_STACKS)}
    for endpoint in endpoints:
        slots[alarm_stack_slot(endpoint.name)].append(endpoint)
    return slots


class AlarmStack(NestedStack):
    """The alarms of the endpoints in one slot, plus one fixed placeholder: nothing per endpoint but alarms."""

    def __init__(self, scope: Construct, slot: int, endpoints: list[Endpoint], config: Config) -> None:
        super().__init__(scope, f"Alarms{slot:02d}",
                         description=f"SageMaker latency alarms, slot {slot} of {ALARM_STACKS}")
        # CloudFormation rejects a template without resources, and a slot may hold no endpoint. A no-op wait
        # condition handle (no cost, no permissions, nothing to wait on) keeps it valid; it sits in every slot,
        # not only the empty ones, so filling a slot neither removes it nor changes the resource count.
        cfn.CfnWaitConditionHandle(self, "Placeholder")
        for endpoint in endpoints:
            # '.' cannot occur in SageMaker names, so name.variant is unique per endpoint variant.
            group = Construct(self, f"{endpoint.name}.{endpoint.variant}")
            for key, value in (("endpoint", endpoint.name), ("variant", endpoint.variant),
                               ("kind", endpoint.kind)):
                Tags.of(group).add(f"{TAG_PREFIX}:{key}", value)
            for spec in endpoint.alarms:
                _alarm(group, config, endpoint, spec)
            for component in endpoint.components:
                # SageMaker names are unique per account and region, ICs included, so the name is a stable id.
                scope = Construct(group, component.name)
                Tags.of(scope).add(f"{TAG_PREFIX}:inference-component", component.name)
                for spec in component.alarms:
                    _alarm(scope, config, endpoint, spec, component)


def _alarm(scope: Construct, config: Config, endpoint: Endpoint, spec: AlarmSpec,
           component: Component | None = None) -> cw.Alarm:
    entry = spec.entry  # namespace and dimensions as the catalogue documents them
    values = {"EndpointName": endpoint.name, "VariantName": endpoint.variant,
              "InferenceComponentName": component.name if component else ""}
    published = entry.dimensions_for(Kind.INFERENCE_COMPONENTS if component else None) or entry.dimensions
    metric = cw.Metric(
        namespace=entry.namespace.value,
        metric_name=entry.name.value,
        dimensions_map={dimension: values[dimension] for dimension in published},
        statistic=spec.stat,
        period=Duration.seconds(spec.period_s),
    )
    return cw.Alarm(
        scope, spec.metric,
        metric=metric,
        threshold=spec.cloudwatch_threshold,
        comparison_operator=COMPARISON[spec.info.breach],
        evaluation_periods=spec.evaluation_periods,
        datapoints_to_alarm=spec.datapoints,
        treat_missing_data=cw.TreatMissingData.NOT_BREACHING,
        evaluate_low_sample_count_percentile=spec.evaluate_low_samples,
        alarm_name=alarm_name(config, endpoint, spec, component),
        alarm_description=alarm_description(config, endpoint, spec, component),
    )

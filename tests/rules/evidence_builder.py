"""Hand-built evidence snapshots: rules are pure functions, so no AWS (real or mocked) is needed here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from advisor.catalogue import Kind
from advisor.events import AlarmEvent
from advisor.frameworks import identify_image
from advisor.instances import instance_spec
from advisor.snapshot import (
    ComponentState,
    EndpointState,
    Evidence,
    ManagedScaling,
    MetricData,
    ScalingState,
    Series,
    Source,
    VariantState,
    Windows,
)

T = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
NO_SCALING = ScalingState(False)
PYTORCH_CPU = "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.3.0-cpu-py311-ubuntu20.04-sagemaker"


def alarm(metric: str = "ModelLatency", stat: str = "p90", threshold: float | None = 500_000.0) -> AlarmEvent:
    """An ALARM on image-tagger/AllTraffic at T."""
    return AlarmEvent(
        form="lambda-action", name=f"image-tagger-{metric}", region="us-east-1", account="123456789012",
        arn=f"arn:aws:cloudwatch:us-east-1:123456789012:alarm:image-tagger-{metric}", state="ALARM",
        previous_state="OK", time=T, previous_time=T - timedelta(days=1), reason="Threshold Crossed",
        description="", namespace="AWS/SageMaker", metric=metric, stat=stat, period_s=60, evaluation_periods=5,
        threshold=threshold, endpoint="image-tagger", variant="AllTraffic")


def flat(baseline: float | None, incident: float | None, *, every: int = 1) -> Series:
    """A series constant over the 3 h baseline and the 15 min incident (None: no datapoints there)."""
    points = {}
    for minute in range(-195, 0, every):
        value = incident if minute >= -15 else baseline
        if value is not None:
            points[minute * 60] = float(value)
    return Series(points)


def make_evidence(metric: str = "ModelLatency", *, series: Mapping[tuple[str, str], Series] | None = None,
                  instance_type: str | None = "ml.c5.2xlarge", count: int = 2, image: str | None = PYTORCH_CPU,
                  kind: Kind | None = Kind.REAL_TIME, status: str = "InService",
                  created: timedelta = timedelta(days=30), modified: timedelta | None = None,
                  deployed: timedelta | None = None, environment: Mapping[str, str] | None = None,
                  pending_config: str | None = None,
                  scaling: ScalingState | None = NO_SCALING, memory_mb: int | None = None,
                  max_concurrency: int | None = None, provisioned: int | None = None,
                  missing: frozenset[Source] = frozenset(), endpoint_missing: bool = False, stat: str = "p90",
                  threshold: float | None = 500_000.0) -> Evidence:
    """An evidence snapshot with sensible healthy defaults; override what the test is about.

    `deployed`: how long before T the endpoint config in use was created (a deployment onto the endpoint);
    `modified`: LastModifiedTime (also moved by autoscaling); both default to the endpoint's creation.
    """
    event = alarm(metric, stat, threshold)
    windows = Windows.for_alarm(event)
    healthy = {
        ("ModelLatency", "Sum"): flat(100 * 500, 100 * 500), ("ModelLatency", "SampleCount"): flat(500, 500),
        ("ModelLatency", "p90"): flat(150, 150), ("ModelLatency", "Maximum"): flat(400, 400),
        ("OverheadLatency", "Sum"): flat(5 * 500, 5 * 500), ("OverheadLatency", "SampleCount"): flat(500, 500),
        ("Invocations", "Sum"): flat(500, 500), ("InvocationsPerInstance", "Sum"): flat(250, 250),
        ("CPUUtilization", "Average"): flat(240, 240),
    }
    healthy |= series or {}
    endpoint = None
    if not endpoint_missing and Source.ENDPOINT not in missing:
        spec = instance_spec(instance_type) if instance_type else None
        variant = VariantState("AllTraffic", instance_type, spec, None if kind == Kind.SERVERLESS else count,
                               "image-tagger-model", memory_mb,
                               max_concurrency or (20 if memory_mb else None), provisioned)
        config_created = T - (deployed if deployed is not None else created + timedelta(minutes=5))
        endpoint = EndpointState(
            name="image-tagger", arn=None, status=status, failure_reason=None, creation_time=T - created,
            last_modified_time=T - (modified if modified is not None else deployed or created),
            config_name="image-tagger-config", kind=kind, variant=variant,
            image=identify_image(image) if image else None,
            config_creation_time=None if Source.CONFIG in missing else config_created,
            model_creation_time=None if Source.MODEL in missing else config_created,
            environment=dict(environment or {}), pending_config_name=pending_config)
    return Evidence(alarm=event, windows=windows, endpoint=endpoint, endpoint_missing=endpoint_missing,
                    scaling=None if Source.SCALING in missing else scaling,
                    metrics=None if Source.METRICS in missing else MetricData(dict(healthy), windows),
                    missing=missing)


MANAGED = ManagedScaling(True, 1, 4)
TGI_IMAGE = ("763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:"
             "2.1.1-tgi2.0.0-gpu-py310-cu121-ubuntu22.04")


def make_component_evidence(metric: str = "ModelLatency", *, series: Mapping[tuple[str, str], Series] | None = None,
                            desired: int = 2, current: int = 2, accelerators: float = 1,
                            instance_type: str = "ml.g5.12xlarge", instances: int = 1,
                            managed: ManagedScaling | None = MANAGED,
                            image: str = TGI_IMAGE, environment: Mapping[str, str] | None = None,
                            scaling: ScalingState | None = NO_SCALING, stat: str = "p90",
                            threshold: float | None = 500_000.0,
                            missing: frozenset[Source] = frozenset()) -> Evidence:
    """An alarm on the IC chat-llm (endpoint llm-host, variant AllTraffic) with calm IC metrics by default."""
    base = make_evidence(metric, instance_type=instance_type, count=instances, image=image, scaling=scaling,
                         missing=missing, environment=environment, stat=stat, threshold=threshold)
    event = replace(base.alarm, name=f"chat-llm-{metric}", endpoint="llm-host", inference_component="chat-llm")
    calm = {
        ("ModelLatency", "Sum"): flat(800 * 20, 800 * 20), ("ModelLatency", "SampleCount"): flat(20, 20),
        ("ModelLatency", "p90"): flat(1200, 1200), ("Invocations", "Sum"): flat(20, 20),
        ("InvocationsPerCopy", "Sum"): flat(10, 10), ("ConcurrentRequestsPerCopy", "Maximum"): flat(4, 4),
        ("GPUUtilizationNormalized", "Average"): flat(45, 45), ("CPUUtilizationNormalized", "Average"): flat(20, 20),
        ("GPUMemoryUtilizationNormalized", "Average"): flat(60, 60),
    }
    calm |= series or {}
    component = ComponentState(
        name="chat-llm", endpoint="llm-host", variant="AllTraffic", status="InService", failure_reason=None,
        creation_time=T - timedelta(days=30), last_modified_time=T - timedelta(days=30), model_name="chat-llm-model",
        instance_type=None, image=identify_image(image), environment=dict(environment or {}), cpu_cores=4,
        accelerators=accelerators, min_memory_mb=32_768, desired_copies=desired, current_copies=current,
        placement=((instance_type, current),))
    endpoint = (replace(base.endpoint, name="llm-host", kind=Kind.INFERENCE_COMPONENTS, managed_scaling=managed,
                        environment=dict(environment or {})) if base.endpoint else None)
    return replace(base, alarm=event, endpoint=endpoint,
                   metrics=None if Source.METRICS in missing else MetricData(dict(calm), base.windows),
                   component=None if Source.COMPONENT in missing else component)

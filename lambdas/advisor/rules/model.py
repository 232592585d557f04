"""Rules about the model and its instance: ModelLatency, the time spent inside the container."""

from __future__ import annotations

from advisor.rules.base import ANY_METRIC, TROUBLESHOOTING, Verdict, instance_backed, rule
from advisor.snapshot import MICROSECOND_METRICS, Evidence
from advisor.units import duration, ms, pct, per_min, ratio

MODEL_LATENCY = frozenset({"ModelLatency"})
INVOKE_LIMIT_MS = 60_000.0

# Instance families SageMaker Neo compiles for (its ml_* target devices).
NEO_TARGET_FAMILIES = ("c4", "c5", "c6g", "m4", "m5", "m6g", "r6g", "p2", "p3", "g4dn", "inf1")

# A GPU size close in vCPUs to the CPU instance being replaced.
_GPU_BY_VCPUS = ((4, "ml.g5.xlarge"), (8, "ml.g5.2xlarge"), (16, "ml.g5.4xlarge"), (32, "ml.g5.8xlarge"),
                 (64, "ml.g5.16xlarge"))


def _latency_evidence(ev: Evidence) -> dict[str, str]:
    s = ev.signals
    found = {}
    if s.latency_ms is not None:
        found["ModelLatency avg (incident)"] = ms(s.latency_ms)
    if s.baseline_p90_ms is not None:
        found["ModelLatency p90 (baseline)"] = ms(s.baseline_p90_ms)
    return found


@rule("MODEL-CPU-NO-GPU", severity="warning", title="GPU-capable model running on a CPU-only instance",
      docs=(TROUBLESHOOTING, "https://docs.aws.amazon.com/sagemaker/latest/dg/inference-recommender.html"),
      metrics=MODEL_LATENCY, needs={"config", "model"})
def cpu_without_gpu(ev: Evidence) -> Verdict | None:
    """A deep-learning framework with GPU builds served from a c/m/r/t instance."""
    if not instance_backed(ev) or ev.endpoint is None or ev.endpoint.image is None:
        return None
    instance = ev.variant.instance
    framework = ev.endpoint.image.framework
    if instance.processor != "cpu" or framework is None or not framework.gpu_builds:
        return None
    suggestion = next((name for vcpus, name in _GPU_BY_VCPUS if vcpus >= instance.vcpus), "ml.g5.16xlarge")
    evidence = {"Instance": instance.describe(), "Framework": f"{framework.name} ({ev.endpoint.image.uri})"}
    evidence |= _latency_evidence(ev)
    cpu = ev.signals.load.cpu_per_core_pct
    if cpu is not None:
        evidence["CPU per core (incident avg)"] = pct(cpu)
    return Verdict(
        evidence,
        f"{framework.name} has GPU builds, but this variant runs on {instance.name}, which has no GPU. Move it to a "
        f"GPU instance such as {suggestion} or the ml.g6 equivalent (NVIDIA A10G / L4) with the GPU build of the "
        "image: deploy it as a second production variant with a small traffic weight, compare ModelLatency, "
        "then shift traffic.",
        strength=0.9 if cpu is not None and cpu >= ev.thresholds.utilisation_high_pct else 0.7,
    )


@rule("MODEL-INFERENTIA", severity="info", title="Model could be compiled for AWS Inferentia2",
      docs=(TROUBLESHOOTING, "https://docs.aws.amazon.com/sagemaker/latest/dg/neo-supported-cloud.html"),
      metrics=MODEL_LATENCY, needs={"config", "model"})
def inferentia_candidate(ev: Evidence) -> Verdict | None:
    """PyTorch or TensorFlow (incl. Hugging Face on them) on a non-Neuron instance."""
    if not instance_backed(ev) or ev.endpoint is None or ev.endpoint.image is None:
        return None
    instance = ev.variant.instance
    framework = ev.endpoint.image.framework
    if instance.processor in ("inferentia", "trainium") or framework is None or not framework.inferentia_candidate:
        return None
    return Verdict(
        {"Instance": instance.describe(), "Framework": framework.name} | _latency_evidence(ev),
        f"Compile the {framework.name} model for Inferentia2 with the AWS Neuron SDK (torch-neuronx / "
        "tensorflow-neuronx, or a Neo compilation job targeting ml_inf2) and serve it on ml.inf2.xlarge or larger: "
        "up to 3x higher throughput and up to 45 % lower cost per inference than comparable GPU instances.",
        strength=0.5,
    )


@rule("MODEL-NEO", severity="info", title="Model could be compiled with SageMaker Neo",
      docs=(TROUBLESHOOTING, "https://docs.aws.amazon.com/sagemaker/latest/dg/neo.html"),
      metrics=MODEL_LATENCY, needs={"config", "model"})
def neo_candidate(ev: Evidence) -> Verdict | None:
    """A Neo-supported framework whose image is not already Neo/Neuron compiled."""
    if not instance_backed(ev) or ev.endpoint is None or ev.endpoint.image is None:
        return None
    image = ev.endpoint.image
    if image.framework is None or not image.framework.neo_supported or image.compiled:
        return None
    family = ev.variant.instance.family
    targets = ", ".join(f"ml_{f}" for f in NEO_TARGET_FAMILIES)
    here = (f"{ev.variant.instance_type} is a Neo target (ml_{family})" if family in NEO_TARGET_FAMILIES
            else f"{ev.variant.instance_type} is not a Neo target; pick one of the families below")
    return Verdict(
        {"Framework": image.framework.name, "Image": image.uri, "Compiled": "no (not a Neo or Neuron image)"}
        | _latency_evidence(ev),
        f"Compile the {image.framework.name} model with SageMaker Neo (CreateCompilationJob) and deploy it with the "
        f"Neo inference image: up to 2x faster with less than a tenth of the memory footprint, no loss in accuracy. "
        f"{here}. Neo targets the instance families {targets}.",
        strength=0.4,
    )


@rule("MODEL-BENCHMARK", severity="warning", title="Latency is inside the model, not caused by load",
      docs=(TROUBLESHOOTING, "https://docs.aws.amazon.com/sagemaker/latest/dg/inference-recommender.html"),
      metrics=MODEL_LATENCY, needs={"metrics", "config"})
def benchmark_model(ev: Evidence) -> Verdict | None:
    """ModelLatency ≥ 2 × baseline p90, or over the alarm threshold, without a load signal."""
    s = ev.signals
    load = s.load
    if load.present is not False or s.latency_ms is None:
        return None
    over_baseline = (s.baseline_p90_ms is not None and s.baseline_p90_ms > 0
                     and s.latency_ms >= ev.thresholds.latency_vs_baseline_p90_ratio * s.baseline_p90_ms)
    over_threshold = s.over_threshold
    if not (over_baseline or over_threshold):
        return None
    evidence = _latency_evidence(ev)
    if over_baseline:
        evidence["Increase over baseline p90"] = ratio(s.latency_ms / s.baseline_p90_ms)
    if over_threshold:
        evidence[f"ModelLatency {ev.alarm.stat} vs alarm threshold"] = (f"{ms(over_threshold[0])} > "
                                                                        f"{ms(over_threshold[1])}")
    if load.cpu_per_core_pct is not None:
        evidence["CPU per core (incident avg)"] = pct(load.cpu_per_core_pct)
    if load.per_instance_per_min is not None:
        evidence["Invocations per instance"] = (f"{per_min(load.per_instance_per_min)} "
                                                f"(baseline {per_min(load.baseline_per_instance_per_min)})")
    return Verdict(
        evidence,
        "Traffic and utilisation are normal, so the time is spent inside the model or the inference code. "
        "Benchmark the model outside SageMaker on the same instance type with a recorded payload, profile the "
        "handler (input_fn / predict_fn / output_fn: pre- and post-processing, tokenisation, model loaded per "
        "request, batch size), and load-test candidate configurations with SageMaker Inference Recommender.",
        strength=min(3.0, s.latency_ms / s.baseline_p90_ms) / 3 if over_baseline else 0.5,
    )


@rule("MODEL-CHANGED", severity="warning", title="A deployment coincides with the latency change",
      docs=(TROUBLESHOOTING, "https://docs.aws.amazon.com/sagemaker/latest/dg/deployment-guardrails.html"),
      metrics=ANY_METRIC, needs={"endpoint"})
def recent_change(ev: Evidence) -> Verdict | None:
    """Endpoint updated within 2 h before T, after having been in service before."""
    endpoint = ev.endpoint
    if endpoint is None or endpoint.last_modified_time is None or endpoint.creation_time is None:
        return None
    age = ev.seconds_before_alarm(endpoint.last_modified_time)
    in_service_for = (endpoint.last_modified_time - endpoint.creation_time).total_seconds()
    t = ev.thresholds
    if age is None or not 0 <= age <= t.recent_change_s or in_service_for < t.update_after_creation_s:
        return None
    evidence = {"Endpoint updated": f"{duration(age)} before the alarm ({endpoint.last_modified_time:%Y-%m-%d %H:%M} "
                                    "UTC)",
                "Endpoint created": f"{duration(ev.seconds_before_alarm(endpoint.creation_time))} before the alarm",
                "Current endpoint config": endpoint.config_name or "unknown"}
    if ev.metrics is not None:
        before = ev.metrics.ratio(ev.alarm.metric, "baseline")
        after = ev.metrics.ratio(ev.alarm.metric, "incident")
        if before is not None and after is not None and ev.alarm.metric in MICROSECOND_METRICS:
            evidence[f"{ev.alarm.metric} avg, baseline → incident"] = f"{ms(before)} → {ms(after)}"
    return Verdict(
        evidence,
        f"The endpoint was updated {duration(age)} before the alarm. Compare endpoint config "
        f"{endpoint.config_name or '(current)'} and its model with the previous ones (image tag, instance type and "
        "count, model artifact, environment variables); if the new version is slower, roll back with "
        "UpdateEndpoint to the previous endpoint config, and use deployment guardrails (canary or linear traffic "
        "shifting with auto-rollback on this alarm) for the next release.",
        strength=1.0 - age / t.recent_change_s / 2,
    )


@rule("MODEL-TIMEOUTS", severity="critical", title="Requests are close to the 60 s invocation timeout",
      docs=("https://docs.aws.amazon.com/sagemaker/latest/dg/async-inference.html",
            "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_runtime_InvokeEndpoint.html"),
      metrics=MODEL_LATENCY, needs={"metrics"})
def near_timeout(ev: Evidence) -> Verdict | None:
    """ModelLatency Maximum ≥ 50 s in the incident window."""
    maxima = ev.metrics.incident("ModelLatency", "Maximum")
    worst = max(maxima, default=0.0)
    if worst < ev.thresholds.timeout_near_ms:
        return None
    near = sum(1 for v in maxima if v >= ev.thresholds.timeout_near_ms)
    return Verdict(
        {"ModelLatency max (incident)": ms(worst), "Minutes with a request ≥ 50 s": str(near),
         "InvokeEndpoint limit": ms(INVOKE_LIMIT_MS)},
        f"The slowest requests take {ms(worst)}, close to the 60 s InvokeEndpoint limit after which they fail. "
        "Send long-running requests to asynchronous inference (up to 1 h and 1 GB payloads), split large batches "
        "into smaller requests, or stream the response with InvokeEndpointWithResponseStream.",
        strength=min(1.0, worst / INVOKE_LIMIT_MS) + near / max(1, len(maxima)),
    )


"""Rules about the model and its instance: ModelLatency, the time spent inside the container."""

from __future__ import annotations

from advisor.catalogue import SYNCHRONOUS_KINDS, Shown, metric
from advisor.frameworks import NEO_CLOUD_DOC, NEO_TARGET_DEVICES, NEO_VERSIONS
from advisor.rules.base import (
    ANY_METRIC,
    METRICS_DOC,
    MODEL_LATENCY,
    TROUBLESHOOTING,
    Kind,
    Source,
    Verdict,
    known_instance,
    rule,
)
from advisor.snapshot import Evidence
from advisor.units import duration, ms, pct, per_min, ratio

INVOKE_LIMIT_MS = 60_000.0  # InvokeEndpoint: the container must answer within 60 s (API_runtime_InvokeEndpoint)
INFERENCE_RECOMMENDER_DOC = "https://docs.aws.amazon.com/sagemaker/latest/dg/inference-recommender.html"
MME_DOC = "https://docs.aws.amazon.com/sagemaker/latest/dg/multi-model-endpoints.html"
INF2_BLOG = ("https://aws.amazon.com/blogs/machine-learning/aws-inferentia2-builds-on-aws-inferentia1-by-"
             "delivering-4x-higher-throughput-and-10x-lower-latency/")

# A GPU size close in vCPUs to the CPU instance being replaced.
_GPU_BY_VCPUS = ((4, "ml.g5.xlarge"), (8, "ml.g5.2xlarge"), (16, "ml.g5.4xlarge"), (32, "ml.g5.8xlarge"),
                 (64, "ml.g5.16xlarge"))

# Model-server worker settings, as the containers document them: (environment variable, what it sets and its
# default when unset, source).
TOOLKIT_DOC = "https://github.com/aws/sagemaker-inference-toolkit"
TORCHSERVE_DOC = "https://pytorch.org/serve/configuration.html"
TFS_DOC = "https://github.com/aws/sagemaker-tensorflow-serving-container"
WORKER_SETTINGS = (
    ("SAGEMAKER_MODEL_SERVER_WORKERS", "model-server workers of the SageMaker inference toolkit (PyTorch, MXNet "
     "and Hugging Face images); unset, the server starts one per vCPU or GPU", TOOLKIT_DOC),
    ("TS_DEFAULT_WORKERS_PER_MODEL", "TorchServe workers per model; unset, one per GPU or else per vCPU",
     TORCHSERVE_DOC),
    ("SAGEMAKER_GUNICORN_WORKERS", "gunicorn workers of the TensorFlow Serving image; unset, 1", TFS_DOC),
    ("SAGEMAKER_TFS_INSTANCE_COUNT", "TensorFlow Serving processes; unset, 1", TFS_DOC),
)


def _latency_evidence(ev: Evidence) -> dict[str, str]:
    s = ev.signals
    found = {}
    if s.latency_ms is not None:
        found["ModelLatency avg (incident)"] = ms(s.latency_ms)
    if s.baseline_p90_ms is not None:
        found["ModelLatency p90 (baseline)"] = ms(s.baseline_p90_ms)
    return found


@rule("MODEL-CPU-NO-GPU", severity="warning", title="GPU-capable model running on a CPU-only instance",
      docs=(TROUBLESHOOTING, INFERENCE_RECOMMENDER_DOC, MME_DOC), metrics=MODEL_LATENCY,
      needs={Source.CONFIG, Source.MODEL},
      kinds={Kind.REAL_TIME, Kind.MULTI_MODEL, Kind.ASYNC, Kind.INFERENCE_COMPONENTS})
def cpu_without_gpu(ev: Evidence) -> Verdict | None:
    """A deep-learning framework with GPU builds served from a c/m/r/t instance (on an MME: only Triton)."""
    if not known_instance(ev) or ev.endpoint is None or ev.endpoint.image is None or ev.variant is None:
        return None
    instance = ev.variant.instance
    framework = ev.endpoint.image.framework
    if instance is None or instance.processor != "cpu" or framework is None or not framework.gpu_builds:
        return None
    if ev.kind == Kind.MULTI_MODEL and not framework.triton:  # MME serves GPUs only with Triton
        return None
    suggestion = next((name for vcpus, name in _GPU_BY_VCPUS if vcpus >= instance.vcpus), "ml.g5.16xlarge")
    evidence = {"Instance": instance.describe(), "Framework": f"{framework.name} ({ev.endpoint.image.uri})"}
    evidence |= _latency_evidence(ev)
    cpu = ev.signals.load.cpu_per_core_pct
    if cpu is not None:
        evidence["CPU per core (incident avg)"] = pct(cpu)
    mme = (" Multi-model endpoints run on GPUs only with the Triton container, which this endpoint uses."
           if ev.kind == Kind.MULTI_MODEL else "")
    if ev.component is not None:
        what = f"inference component {ev.component.name}"
        how = ("create it on an endpoint with GPU instances, reserving accelerators per copy "
               "(NumberOfAcceleratorDevicesRequired), compare ModelLatency, then move traffic")
    else:
        what = "variant"
        how = ("deploy it as a second production variant with a small traffic weight, compare ModelLatency, "
               "then shift traffic")
    return Verdict(
        evidence,
        f"{framework.name} has GPU builds, but this {what} runs on {instance.name}, which has no GPU. Move it to a "
        f"GPU instance such as {suggestion} or the ml.g6 equivalent (NVIDIA A10G / L4) with the GPU build of the "
        f"image: {how}; Inference Recommender load-tests candidate instance types for you.{mme}",
        strength=0.9 if cpu is not None and cpu >= ev.thresholds.utilisation_high_pct else 0.7,
    )


@rule("MODEL-INFERENTIA", severity="info", title="Model could be compiled for AWS Inferentia2",
      docs=(TROUBLESHOOTING, "https://docs.aws.amazon.com/sagemaker/latest/dg/neo-supported-cloud.html", INF2_BLOG),
      metrics=MODEL_LATENCY, needs={Source.CONFIG, Source.MODEL},
      kinds={Kind.REAL_TIME, Kind.ASYNC, Kind.INFERENCE_COMPONENTS})
def inferentia_candidate(ev: Evidence) -> Verdict | None:
    """PyTorch or TensorFlow (incl. Hugging Face on them) on a non-Neuron instance, not already Neuron-built."""
    if not known_instance(ev) or ev.endpoint is None or ev.endpoint.image is None or ev.variant is None:
        return None
    instance = ev.variant.instance
    image = ev.endpoint.image
    framework = image.framework
    if (instance is None or instance.processor in ("inferentia", "trainium") or framework is None
            or not framework.inferentia_candidate or image.compiled):
        return None
    return Verdict(
        {"Instance": instance.describe(), "Framework": framework.name} | _latency_evidence(ev),
        f"Compile the {framework.name} model for Inferentia2 with the AWS Neuron SDK (torch-neuronx / "
        "tensorflow-neuronx) and serve it on ml.inf2.xlarge or larger with a Neuron image. AWS quotes "
        "Inferentia2 at up to 4x the throughput and up to 10x lower latency of first-generation Inferentia "
        "(Inf1); benchmark your model on both before moving traffic.",
        strength=0.5,
    )


@rule("MODEL-NEO", severity="info", title="Model could be compiled with SageMaker Neo",
      docs=(TROUBLESHOOTING, NEO_CLOUD_DOC, "https://docs.aws.amazon.com/sagemaker/latest/dg/neo.html"),
      metrics=MODEL_LATENCY, needs={Source.CONFIG, Source.MODEL},
      kinds={Kind.REAL_TIME, Kind.ASYNC, Kind.INFERENCE_COMPONENTS})
def neo_candidate(ev: Evidence) -> Verdict | None:
    """A framework image whose framework and version Neo compiles for cloud instances, not yet compiled."""
    if not known_instance(ev) or ev.endpoint is None or ev.endpoint.image is None or ev.variant is None:
        return None
    image = ev.endpoint.image
    if not image.neo_compilable or image.framework is None or image.version is None or image.framework.neo is None:
        return None
    instance = ev.variant.instance
    assert instance is not None
    device = f"ml_{instance.family}"
    targets = ", ".join(NEO_TARGET_DEVICES)
    here = (f"{ev.variant.instance_type} is a Neo target ({device})" if device in NEO_TARGET_DEVICES
            else f"{ev.variant.instance_type} is not a Neo target; compile for one of the devices below")
    versions = ", ".join(f"{a}.{b}" for a, b in sorted(NEO_VERSIONS[image.framework.neo]))
    major, minor = image.version
    return Verdict(
        {"Framework": f"{image.framework.name} {major}.{minor}", "Image": image.uri,
         "Neo compiles": f"{image.framework.neo} {versions}", "Compiled": "no (not a Neo or Neuron image)"}
        | _latency_evidence(ev),
        f"Compile the {image.framework.name} {major}.{minor} model with SageMaker Neo (CreateCompilationJob) and "
        "deploy it with the Neo inference image: AWS quotes up to 2x faster inference with less than a tenth "
        f"of the memory footprint. {here}. Neo's cloud target devices are {targets}.",
        strength=0.4,
    )


@rule("MODEL-BENCHMARK", severity="warning", title="Latency is inside the model, not caused by load",
      docs=(TROUBLESHOOTING, INFERENCE_RECOMMENDER_DOC), metrics=MODEL_LATENCY, needs={Source.METRICS})
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
    if over_baseline and s.baseline_p90_ms:
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
        strength=min(3.0, s.latency_ms / s.baseline_p90_ms) / 3 if over_baseline and s.baseline_p90_ms else 0.5,
    )


@rule("MODEL-SERVER-QUEUEING", severity="warning", title="Requests queue in the model server while the hardware idles",
      docs=(TROUBLESHOOTING, METRICS_DOC, TOOLKIT_DOC, TORCHSERVE_DOC, TFS_DOC), metrics=MODEL_LATENCY,
      needs={Source.METRICS, Source.ENDPOINT}, kinds={Kind.REAL_TIME, Kind.MULTI_MODEL, Kind.ASYNC})
def model_server_queueing(ev: Evidence) -> Verdict | None:
    """ModelLatency ≥ 2 × baseline p90 and invocations per instance ≥ 1.5 × baseline, yet CPU and GPU < 40 %."""
    s, t = ev.signals, ev.thresholds
    load = s.load
    if (s.latency_ms is None or not s.baseline_p90_ms
            or s.latency_ms < t.latency_vs_baseline_p90_ratio * s.baseline_p90_ms
            or load.surge_ratio is None or load.surge_ratio < t.invocations_surge_ratio
            or load.cpu_per_core_pct is None or load.cpu_per_core_pct >= t.queueing_idle_pct
            or (load.gpu_per_gpu_pct is not None and load.gpu_per_gpu_pct >= t.queueing_idle_pct)):
        return None
    evidence = _latency_evidence(ev) | {
        "Increase over baseline p90": ratio(s.latency_ms / s.baseline_p90_ms),
        "Invocations per instance": f"{per_min(load.per_instance_per_min)}, {ratio(load.surge_ratio)} baseline",
        "CPU per core (incident avg)": pct(load.cpu_per_core_pct)}
    if load.gpu_per_gpu_pct is not None:
        evidence["GPU per GPU (incident avg)"] = pct(load.gpu_per_gpu_pct)
    environment = ev.endpoint.environment if ev.endpoint else {}
    found = [(name, meaning) for name, meaning, _ in WORKER_SETTINGS if name in environment]
    for name, _ in found:
        evidence[name] = environment[name]
    if found:
        setting = "; ".join(f"{name}={environment[name]} ({meaning})" for name, meaning in found)
        where = f"The container sets {setting}: raise it"
    else:
        setting = "; ".join(f"{name} ({meaning})" for name, meaning, _ in WORKER_SETTINGS)
        where = f"No worker setting is in the container's environment; the one for its server is among: {setting}"
    return Verdict(
        evidence,
        "Latency rose with the request rate while CPU and GPU stayed mostly idle: requests wait in the model "
        f"server's queue for a free worker, not for the hardware. {where}, so more requests run at once, and "
        "batch requests where the server supports it (dynamic batching), before adding instances.",
        strength=min(1.0, load.surge_ratio / 3 + 0.3),
    )


@rule("MODEL-CHANGED", severity="warning", title="A deployment coincides with the latency change",
      docs=(TROUBLESHOOTING, "https://docs.aws.amazon.com/sagemaker/latest/dg/deployment-guardrails.html"),
      metrics=ANY_METRIC, needs={Source.ENDPOINT, Source.CONFIG})
def recent_change(ev: Evidence) -> Verdict | None:
    """The endpoint config (or model) in use was created within 2 h before T, after the endpoint itself."""
    endpoint = ev.endpoint
    if endpoint is None or endpoint.deployed_time is None:
        return None
    age = ev.seconds_before_alarm(endpoint.deployed_time)
    t = ev.thresholds
    if age is None or not 0 <= age <= t.recent_change_s:
        return None
    evidence = {"New config or model": f"created {duration(age)} before the alarm "
                                       f"({endpoint.deployed_time:%Y-%m-%d %H:%M} UTC)",
                "Endpoint created": f"{duration(ev.seconds_before_alarm(endpoint.creation_time))} before the alarm",
                "Current endpoint config": endpoint.config_name or "unknown"}
    entry = metric(ev.alarm.metric)
    if ev.metrics is not None and entry is not None and entry.shown is Shown.MS_FROM_MICROSECONDS:
        before = ev.metrics.ratio(ev.alarm.metric, "baseline")
        after = ev.metrics.ratio(ev.alarm.metric, "incident")
        if before is not None and after is not None:
            evidence[f"{ev.alarm.metric} avg, baseline → incident"] = f"{ms(before)} → {ms(after)}"
    return Verdict(
        evidence,
        f"A new version was deployed: endpoint config {endpoint.config_name or '(current)'} or its model was "
        f"created {duration(age)} before the alarm. Compare them with the previous ones (image tag, instance type "
        "and count, model artifact, environment variables); if the new version is slower, roll back with "
        "UpdateEndpoint to the previous endpoint config, and use deployment guardrails (canary or linear traffic "
        "shifting with auto-rollback on this alarm) for the next release.",
        strength=1.0 - age / t.recent_change_s / 2,
    )


@rule("MODEL-TIMEOUTS", severity="critical", title="Requests are close to the 60 s invocation timeout",
      docs=("https://docs.aws.amazon.com/sagemaker/latest/dg/async-inference.html",
            "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_runtime_InvokeEndpoint.html"),
      metrics=MODEL_LATENCY, needs={Source.METRICS}, kinds=SYNCHRONOUS_KINDS)
def near_timeout(ev: Evidence) -> Verdict | None:
    """ModelLatency Maximum ≥ 50 s in the incident window (synchronous endpoints: async requests may run 1 h)."""
    assert ev.metrics is not None
    maxima = ev.metrics.incident("ModelLatency", "Maximum")
    worst = max(maxima, default=0.0)
    if worst < ev.thresholds.timeout_near_ms:
        return None
    near = sum(1 for v in maxima if v >= ev.thresholds.timeout_near_ms)
    serverless = " (serverless endpoints too)" if ev.kind == Kind.SERVERLESS else ""
    return Verdict(
        {"ModelLatency max (incident)": ms(worst), "Minutes with a request ≥ 50 s": str(near),
         "InvokeEndpoint limit": ms(INVOKE_LIMIT_MS)},
        f"The slowest requests take {ms(worst)}, close to the 60 s limit within which the container must answer "
        f"InvokeEndpoint{serverless}; past it they fail. Send long-running requests to asynchronous inference "
        "(up to 1 h per request and 1 GB payloads), split large batches into smaller requests, or stream the "
        "response with InvokeEndpointWithResponseStream.",
        strength=min(1.0, worst / INVOKE_LIMIT_MS) + near / max(1, len(maxima)),
    )

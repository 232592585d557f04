"""Rules about GPU serving (SPEC §4b): memory that grows with the work, and LLM servers that leave GPUs idle.

Container settings are read from the serving container's environment (the model's, or the IC's), each name
and default taken from the container's own documentation, cited beside the code that reads it.
"""

from __future__ import annotations

import re
from typing import Literal

from advisor.catalogue import M
from advisor.rules.base import MODEL_LATENCY, Kind, Source, Verdict, rule
from advisor.snapshot import Evidence
from advisor.units import ms, pct, per_min

GPU_KINDS = {Kind.REAL_TIME, Kind.MULTI_MODEL, Kind.ASYNC, Kind.INFERENCE_COMPONENTS}
# LLM servers that size their KV cache to fill the GPU read > 90 % GPU memory when idle (SPEC §4b). LMI is left
# out whatever its engine: which LMI engines pre-allocate could not be confirmed per version, so the rule stays
# silent rather than flag an idle LMI container.
PREALLOCATING_SERVERS = frozenset({"Hugging Face TGI", "DJL / LMI", "vLLM", "TensorRT-LLM"})
GPU_DOCS = ("https://docs.aws.amazon.com/sagemaker/latest/dg/monitoring-cloudwatch.html",)
# TGI on SageMaker: the container's entrypoint exports SM_NUM_GPUS as NUM_SHARD
# (https://github.com/huggingface/text-generation-inference/blob/main/sagemaker-entrypoint.sh); the launcher
# shards over every visible GPU unless NUM_SHARD says fewer, and SHARDED=false turns sharding off
# (https://huggingface.co/docs/text-generation-inference/reference/launcher).
DESCRIBE_IC_DOC = "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_DescribeInferenceComponent.html"
TGI_LAUNCHER_DOC = "https://huggingface.co/docs/text-generation-inference/reference/launcher"
TGI_SAGEMAKER_ENTRYPOINT = ("https://github.com/huggingface/text-generation-inference/blob/main/"
                            "sagemaker-entrypoint.sh")


def _gpu_memory_per_gpu(ev: Evidence, window: Literal["incident", "baseline"]) -> float | None:
    """GPU memory in use (% per GPU): normalized for an IC, GPUMemoryUtilization ÷ GPUs for a variant."""
    assert ev.metrics is not None
    if ev.alarm.inference_component:
        return ev.metrics.mean(str(M.GPU_MEMORY_UTILIZATION_NORMALIZED), "Average", window)
    instance = ev.variant.instance if ev.variant else None
    raw = ev.metrics.mean(str(M.GPU_MEMORY_UTILIZATION), "Average", window)
    if raw is None or instance is None or not instance.has_gpu or not instance.accelerators:
        return None
    return raw / instance.accelerators


@rule("GPU-MEMORY-PRESSURE", severity="warning", title="GPU memory filled up with the work",
      docs=GPU_DOCS, metrics=MODEL_LATENCY, needs={Source.METRICS}, kinds=GPU_KINDS)
def gpu_memory_pressure(ev: Evidence) -> Verdict | None:
    """GPU memory ≥ 90 % per GPU in the incident and ≥ 15 points above its baseline, on a container that does
    not pre-allocate GPU memory."""
    image = ev.endpoint.image if ev.endpoint else None
    if image is None or (image.framework is not None and image.framework.name in PREALLOCATING_SERVERS):
        return None
    t = ev.thresholds
    now, before = _gpu_memory_per_gpu(ev, "incident"), _gpu_memory_per_gpu(ev, "baseline")
    if now is None or before is None or now < t.gpu_memory_high_pct or now - before < t.gpu_memory_rise_points:
        return None
    measure = "normalized to the copy's GPUs" if ev.alarm.inference_component else "per GPU"
    evidence = {f"GPU memory ({measure}, incident avg)": pct(now), "Baseline avg": pct(before),
                "Container": image.framework.name if image.framework else image.uri}
    if ev.component is not None and ev.component.accelerators:
        evidence["Accelerators per copy"] = f"{ev.component.accelerators:g}"
    return Verdict(
        evidence,
        f"GPU memory rose from {pct(before)} to {pct(now)} with the work (bigger inputs or batches), so requests "
        "wait for memory or fall back to smaller batches. Cap the batch size and the input size the model "
        "accepts, give each copy more accelerators (NumberOfAcceleratorDevicesRequired) or move to a GPU with "
        "more memory.",
        strength=1.0 + (now - before) / 100)


# vLLM in AWS's vLLM Deep Learning Container for SageMaker (repository `vllm`, tags ending in `-sagemaker[-vN]`): the
# entrypoint turns every SM_VLLM_<NAME> variable into the engine argument --<name> (SM_VLLM_TENSOR_PARALLEL_SIZE=4 ->
# --tensor-parallel-size 4) (aws/deep-learning-containers scripts/docker/vllm/sagemaker_args.py, docs/vllm/
# configuration.md); unset, vLLM's tensor_parallel_size is 1 (vllm/config/parallel.py; VLLM_ENGINE_ARGS_DOC).
VLLM_DLC_CONFIG_DOC = "https://github.com/aws/deep-learning-containers/blob/master/docs/vllm/configuration.md"
VLLM_ENGINE_ARGS_DOC = "https://docs.vllm.ai/en/latest/configuration/engine_args.html"
VLLM_TENSOR_PARALLEL = "SM_VLLM_TENSOR_PARALLEL_SIZE"


def vllm_dlc(uri: str) -> bool:
    """AWS's vLLM DLC for SageMaker (whose entrypoint reads SM_VLLM_*), not any image with vllm in its name."""
    repository, _, tag = uri.rsplit("/", 1)[-1].partition(":")
    return repository == "vllm" and "sagemaker" in tag


def vllm_tensor_parallel(environment: dict[str, str]) -> int:
    """GPUs vLLM splits the model over in the SageMaker vLLM DLC: SM_VLLM_TENSOR_PARALLEL_SIZE, default 1."""
    value = environment.get(VLLM_TENSOR_PARALLEL, "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else 1


def tgi_shards(environment: dict[str, str]) -> int | None:
    """GPUs a TGI container shards the model over; None means every GPU it can see (the launcher's default)."""
    if environment.get("SHARDED", "").lower() == "false":
        return 1
    for name in ("SM_NUM_GPUS", "NUM_SHARD"):  # SM_NUM_GPUS becomes NUM_SHARD in the SageMaker entrypoint
        value = environment.get(name, "").strip()
        if value.isdigit() and int(value) > 0:
            return int(value)
    return None


@rule("LLM-GPUS-UNUSED", severity="warning", title="The LLM runs on fewer GPUs than it has",
      docs=(DESCRIBE_IC_DOC, TGI_LAUNCHER_DOC, TGI_SAGEMAKER_ENTRYPOINT, VLLM_DLC_CONFIG_DOC, VLLM_ENGINE_ARGS_DOC),
      metrics=MODEL_LATENCY, needs={Source.ENDPOINT}, kinds=GPU_KINDS)
def llm_gpus_unused(ev: Evidence) -> Verdict | None:
    """A TGI or vLLM container split over fewer GPUs than the copy reserves (IC) or the instance has (variant).

    Not LMI: a lower degree there starts more model workers instead of idling GPUs (SPEC §4b).
    """
    endpoint = ev.endpoint
    if endpoint is None or endpoint.image is None or endpoint.image.framework is None:
        return None
    env = endpoint.environment
    if endpoint.image.framework.name == "vLLM" and vllm_dlc(endpoint.image.uri):
        value = env.get(VLLM_TENSOR_PARALLEL)
        return _gpus_left_idle(ev, "vLLM (SageMaker DLC)", "vLLM splits", vllm_tensor_parallel(env),
                               f"{VLLM_TENSOR_PARALLEL}={value}" if value
                               else f"{VLLM_TENSOR_PARALLEL} not set (vLLM's default: 1)",
                               VLLM_TENSOR_PARALLEL, "to vLLM as --tensor-parallel-size")
    if endpoint.image.framework.name == "Hugging Face TGI":
        setting = next((f"{name}={env[name]}" for name in ("SHARDED", "SM_NUM_GPUS", "NUM_SHARD") if name in env), "")
        return _gpus_left_idle(ev, "Hugging Face TGI", "TGI shards", tgi_shards(env), setting, "SM_NUM_GPUS",
                               "to TGI as NUM_SHARD")
    return None


def _gpus_left_idle(ev: Evidence, container: str, server_splits: str, used: int | None, setting: str,
                    variable: str, passed: str) -> Verdict | None:
    """The finding when a server splits the model over `used` GPUs (None: all it sees) of more it has."""
    available, where = _gpus_available(ev)
    if used is None or available <= 1 or used >= available:
        return None
    return Verdict(
        {"Container": container, "Setting": setting, "GPUs used by the model": str(used),
         "GPUs available": str(available)},
        f"{server_splits} the model over {used} GPU(s) ({setting}) while it has {where}: the rest sit idle while "
        f"requests queue. Set {variable} to {available} (the SageMaker container passes it {passed}), or reserve "
        "fewer accelerators per copy and run more copies.",
        strength=available / used)


def _gpus_available(ev: Evidence) -> tuple[int, str]:
    """GPUs the server may use: the copy's NumberOfAcceleratorDevicesRequired (IC), else the instance's GPUs."""
    if ev.component is not None:
        available = int(ev.component.accelerators or 0)
        return available, f"the {available} accelerators each copy of {ev.component.name} reserves"
    instance = ev.variant.instance if ev.variant else None
    available = instance.accelerators if instance is not None and instance.has_gpu else 0
    return available, f"the {available} GPUs of {ev.variant.instance_type if ev.variant else 'the instance'}"


# LMI (DJL Serving) batching. OPTION_ROLLING_BATCH=disable turns continuous ("rolling") batching off: requests are
# served by DJL's dynamic batcher one batch at a time (batch_size, max_batch_delay). From LMI v15 (DJL 0.33) the
# vLLM handler has an async mode (OPTION_ASYNC_MODE=true, OPTION_ENTRYPOINT=djl_python.lmi_vllm.vllm_async_service)
# that sets OPTION_ROLLING_BATCH=disable while vLLM's engine batches continuously, and from LMI v17 the container
# itself picks async mode (LMI_RELEASE_NOTES; LMI_VLLM_GUIDE; LMI_RECOMMENDER's setRollingBatch). Left unset, LMI
# v9+ chooses a rolling-batch engine for text-generation models, so only an explicit `disable` is read as static.
# Image tags name the LMI version (djl-inference:0.28.0-lmi10.0.0-cu124); older ones only the DJL version, which
# is LMI's + 18 from DJL 0.26 = LMI v8 (release notes).
LMI_RELEASE_NOTES = "https://github.com/deepjavalibrary/djl-serving/blob/master/serving/docs/lmi/release_notes.md"
LMI_VLLM_GUIDE = ("https://github.com/deepjavalibrary/djl-serving/blob/master/serving/docs/lmi/user_guides/"
                  "vllm_user_guide.md")
LMI_RECOMMENDER = ("https://github.com/deepjavalibrary/djl-serving/blob/master/wlm/src/main/java/ai/djl/serving/"
                   "wlm/LmiConfigRecommender.java")
ASYNC_MODE_SINCE, ASYNC_DEFAULT_SINCE = 15, 17
_LMI_TAG = re.compile(r"-lmi(\d+)\.")
_DJL_TAG = re.compile(r"^0\.(\d+)\.")


def lmi_version(uri: str) -> int | None:
    """The LMI major version of an LMI (vLLM / lmi-dist) image; None for other images and LMI families
    (TensorRT-LLM, Neuron, CPU) whose batching this rule does not judge."""
    repository, _, tag = uri.rsplit("/", 1)[-1].partition(":")
    if repository != "djl-inference" or any(f in tag for f in ("tensorrtllm", "trtllm", "neuron", "cpu")):
        return None
    named = _LMI_TAG.search(tag)
    if named:
        return int(named.group(1))
    djl = _DJL_TAG.match(tag)
    return int(djl.group(1)) - 18 if djl and 22 <= int(djl.group(1)) <= 35 else None


def _concurrency(ev: Evidence) -> tuple[float, str] | None:
    """Requests in flight per copy (IC: ConcurrentRequestsPerCopy) or per instance (estimated, Little's law)."""
    assert ev.metrics is not None
    load = ev.signals.load
    if ev.alarm.inference_component:
        value = load.concurrency_per_copy
        return (value, f"{value:.1f} per copy (ConcurrentRequestsPerCopy, max per minute, incident avg)") \
            if value is not None else None
    latency_ms = ev.metrics.ratio(str(M.MODEL_LATENCY), "incident")
    if load.per_instance_per_min is None or latency_ms is None:
        return None
    value = load.per_instance_per_min / 60 * latency_ms / 1000
    return value, (f"{value:.1f} (estimated: {per_min(load.per_instance_per_min)} per instance x "
                   f"{ms(latency_ms)} each, Little's law)")


@rule("LLM-NO-CONTINUOUS-BATCHING", severity="warning", title="The LLM server serves one batch at a time",
      docs=(*GPU_DOCS, LMI_VLLM_GUIDE, LMI_RELEASE_NOTES, LMI_RECOMMENDER), metrics=MODEL_LATENCY,
      needs={Source.ENDPOINT, Source.METRICS}, kinds=GPU_KINDS)
def llm_no_continuous_batching(ev: Evidence) -> Verdict | None:
    """An LMI container with OPTION_ROLLING_BATCH=disable where that means static batching, serving > 1 request at
    a time per copy / instance."""
    endpoint = ev.endpoint
    if endpoint is None or endpoint.image is None:
        return None
    version = lmi_version(endpoint.image.uri)
    env = endpoint.environment
    if version is None or version >= ASYNC_DEFAULT_SINCE or env.get("OPTION_ROLLING_BATCH", "").lower() != "disable":
        return None
    entrypoint = env.get("OPTION_ENTRYPOINT", "")
    if env.get("OPTION_ASYNC_MODE", "").lower() == "true" or "async" in entrypoint:
        return None
    if version >= ASYNC_MODE_SINCE and not entrypoint:
        # later v15/v16 image patches pick the async service themselves when no entrypoint is named: not judged
        return None
    concurrency = _concurrency(ev)
    if concurrency is None or concurrency[0] <= 1:
        return None
    value, shown = concurrency
    # DJL Serving's dynamic batcher: `batch_size` (default 1), as SERVING_BATCH_SIZE in the environment
    # (djl-serving serving/docs/configurations_model.md; LMI deployment_guide/configurations.md)
    batch = env.get("SERVING_BATCH_SIZE", "").strip()
    if batch.isdigit() and int(batch) > 1:
        how, shown_batch = f"in batches of up to {batch}, one batch at a time", batch
    else:
        how, shown_batch = "one request at a time", f"{batch or 1}" + ("" if batch else " (SERVING_BATCH_SIZE unset)")
    return Verdict(
        {"Container": f"LMI v{version} ({endpoint.image.uri.rsplit(':', 1)[-1]})",
         "Setting": "OPTION_ROLLING_BATCH=disable", "Dynamic batch size": shown_batch, "Requests in flight": shown},
        f"With OPTION_ROLLING_BATCH=disable, LMI v{version} generates {how}: a request that arrives meanwhile "
        f"waits for the running generation to finish, and {value:.1f} requests are in flight at once. Turn "
        "continuous batching on (remove OPTION_ROLLING_BATCH or set it to vllm / lmi-dist), or move to LMI v17 or "
        "later, whose vLLM handler batches continuously by default.",
        strength=value)

"""Rules about GPU serving (SPEC §4b): memory that grows with the work, and LLM servers that leave GPUs idle.

Container settings are read from the serving container's environment (the model's, or the IC's), each name
and default taken from the container's own documentation, cited beside the code that reads it.
"""

from __future__ import annotations

from typing import Literal

from advisor.catalogue import M
from advisor.rules.base import MODEL_LATENCY, Kind, Source, Verdict, rule
from advisor.snapshot import Evidence
from advisor.units import pct

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
      docs=(DESCRIBE_IC_DOC, TGI_LAUNCHER_DOC, TGI_SAGEMAKER_ENTRYPOINT), metrics=MODEL_LATENCY,
      needs={Source.ENDPOINT},
      kinds=GPU_KINDS)
def llm_gpus_unused(ev: Evidence) -> Verdict | None:
    """A TGI container sharded over fewer GPUs than the copy reserves (IC) or the instance has (variant).

    Only TGI so far: vLLM's tensor-parallel setting in SageMaker's containers could not be confirmed from their
    documentation, and LMI starts more model workers with a lower degree instead of idling GPUs (SPEC §4b).
    """
    endpoint = ev.endpoint
    if endpoint is None or endpoint.image is None or endpoint.image.framework is None \
            or endpoint.image.framework.name != "Hugging Face TGI":
        return None
    if ev.component is not None:
        available = int(ev.component.accelerators or 0)
        where = f"the {available} accelerators each copy of {ev.component.name} reserves"
    else:
        instance = ev.variant.instance if ev.variant else None
        available = instance.accelerators if instance is not None and instance.has_gpu else 0
        where = f"the {available} GPUs of {ev.variant.instance_type if ev.variant else 'the instance'}"
    shards = tgi_shards(endpoint.environment)
    if shards is None or available <= 1 or shards >= available:
        return None
    setting = next((f"{name}={endpoint.environment[name]}" for name in ("SHARDED", "SM_NUM_GPUS", "NUM_SHARD")
                    if name in endpoint.environment), "")
    return Verdict(
        {"Container": "Hugging Face TGI", "Setting": setting, "GPUs used by the model": str(shards),
         "GPUs available": str(available)},
        f"TGI shards the model over {shards} GPU(s) ({setting}) while it has {where}: the rest sit idle while "
        f"requests queue. Set SM_NUM_GPUS to {available} (the SageMaker container passes it to TGI as NUM_SHARD), "
        "or reserve fewer accelerators per copy and run more copies.",
        strength=available / shards)

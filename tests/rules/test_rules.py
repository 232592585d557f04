"""Each rule fires on its evidence and stays silent on a near miss that differs in one fact."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from evidence_builder import T, flat, make_component_evidence, make_evidence

from advisor.catalogue import Kind
from advisor.rules import CATALOGUE_IDS, run_rules
from advisor.rules.base import REGISTRY
from advisor.snapshot import Evidence, ManagedScaling, ScalingActivity, ScalingPolicy, ScalingState, Series, Source

TF_GPU = "763104351884.dkr.ecr.us-east-1.amazonaws.com/tensorflow-inference:2.14.1-gpu"
NEURON = "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference-neuronx:2.1.2-neuronx-py310-sdk2.18.2-ubuntu20.04"
SKLEARN = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
TGI = "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:2.1.1-tgi2.0.0-gpu-py310-cu121-ubuntu22.04"
XGBOOST = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"

HOT_CPU = {("CPUUtilization", "Average"): flat(240, 720)}  # 8 vCPU: 30 % → 90 % per core
SLOW = {("ModelLatency", "Sum"): flat(100 * 500, 450 * 500), ("ModelLatency", "p90"): flat(150, 600)}
MME_SERIES = {
    ("ModelLoadingWaitTime", "Sum"): flat(0, 800 * 100), ("ModelLoadingWaitTime", "SampleCount"): flat(0, 100),
    ("ModelDownloadingTime", "Sum"): flat(0, 200 * 100), ("ModelDownloadingTime", "SampleCount"): flat(0, 100),
    ("ModelLoadingTime", "Sum"): flat(0, 300 * 100), ("ModelLoadingTime", "SampleCount"): flat(0, 100),
}


def fired(ev) -> set[str]:
    return {f.rule for f in run_rules(ev).findings}


def check(rule_id: str, ev) -> bool:
    """Whether the rule fires: it applies to the alarm and endpoint kind, and its check finds its evidence."""
    candidate = REGISTRY[rule_id]
    return candidate.applies_to(ev) and candidate.evaluate(ev) is not None


TRITON = "763104351884.dkr.ecr.us-east-1.amazonaws.com/sagemaker-tritonserver:24.03-py3"
PYTORCH_1_13 = "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:1.13.1-cpu-py39-ubuntu20.04-sagemaker"
PYTORCH_NEO = "785573368785.dkr.ecr.us-east-1.amazonaws.com/sagemaker-inference-pytorch:1.13-cpu-py3"
XGBOOST_1_3 = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.3-1"
SURGE = {("InvocationsPerInstance", "Sum"): flat(250, 400)}  # 1.6x baseline per instance
POLICY = ScalingPolicy("ipi-target", "TargetTrackingScaling", 1000.0, "SageMakerVariantInvocationsPerInstance")
SCALED = ScalingState(True, 2, 8, (POLICY,), ())
MS_TO_NOW = timedelta(minutes=1)


def activity(minutes_ago: float, desired: int, *, status: str = "Successful", high: bool = True) -> ScalingActivity:
    """A scaling activity as Application Auto Scaling reports it for a SageMaker variant."""
    start = T - timedelta(minutes=minutes_ago)
    alarm_name = "TargetTracking-endpoint/image-tagger/variant/AllTraffic-Alarm" + ("High" if high else "Low")
    return ScalingActivity(status, start, start + timedelta(minutes=6) if status == "Successful" else None,
                           f"Setting desired instance count to {desired}.",
                           f"monitor alarm {alarm_name}-1 in state ALARM triggered policy ipi-target", desired)


def scaled(*activities: ScalingActivity) -> ScalingState:
    return ScalingState(True, 2, 8, (POLICY,), activities)


@pytest.mark.parametrize(("rule_id", "fire", "near_miss"), [
    ("MODEL-CPU-NO-GPU", {}, {"instance_type": "ml.g5.2xlarge"}),
    ("MODEL-CPU-NO-GPU", {}, {"image": SKLEARN}),
    ("MODEL-CPU-NO-GPU", {"image": TGI}, {"image": TGI, "instance_type": "ml.g6.2xlarge"}),
    # multi-model endpoints run on GPUs only with Triton
    ("MODEL-CPU-NO-GPU", {"kind": Kind.MULTI_MODEL, "image": TRITON}, {"kind": Kind.MULTI_MODEL}),
    ("MODEL-INFERENTIA", {"instance_type": "ml.g5.xlarge"}, {"instance_type": "ml.inf2.xlarge", "image": NEURON}),
    ("MODEL-INFERENTIA", {}, {"image": XGBOOST}),
    ("MODEL-INFERENTIA", {}, {"image": NEURON}),  # already built for Neuron
    # Neo: framework *and version* (PyTorch 1.13 yes, 2.3 no); never an already compiled or an LLM image
    ("MODEL-NEO", {"image": PYTORCH_1_13}, {}),
    ("MODEL-NEO", {"image": PYTORCH_1_13}, {"image": PYTORCH_NEO}),
    ("MODEL-NEO", {"image": XGBOOST_1_3}, {"image": XGBOOST}),
    ("MODEL-NEO", {"image": PYTORCH_1_13, "instance_type": "ml.g4dn.xlarge"},
     {"image": TGI, "instance_type": "ml.g4dn.xlarge"}),
    ("MODEL-BENCHMARK", {"series": SLOW}, {"series": SLOW | HOT_CPU}),
    ("MODEL-BENCHMARK", {"series": SLOW}, {"series": SLOW | SURGE}),
    # a deployment is a new endpoint config; LastModifiedTime alone (a scale-out) is not one
    ("MODEL-CHANGED", {"deployed": timedelta(minutes=50)}, {"deployed": timedelta(hours=3)}),
    ("MODEL-CHANGED", {"deployed": timedelta(minutes=50)}, {"modified": timedelta(minutes=50)}),
    ("MODEL-CHANGED", {"deployed": timedelta(minutes=50)},
     {"deployed": timedelta(minutes=50), "created": timedelta(minutes=45)}),
    ("MODEL-TIMEOUTS", {"series": {("ModelLatency", "Maximum"): flat(2_000, 55_000)}},
     {"series": {("ModelLatency", "Maximum"): flat(2_000, 30_000)}}),
    ("MODEL-TIMEOUTS", {"series": {("ModelLatency", "Maximum"): flat(2_000, 55_000)}},
     {"series": {("ModelLatency", "Maximum"): flat(2_000, 55_000)}, "kind": Kind.ASYNC}),
    ("MODEL-SERVER-QUEUEING", {"series": SLOW | SURGE}, {"series": SLOW | SURGE | HOT_CPU}),
    ("MODEL-SERVER-QUEUEING", {"series": SLOW | SURGE}, {"series": SLOW}),
    ("SCALE-NONE", {"series": HOT_CPU}, {"series": HOT_CPU, "scaling": SCALED}),
    ("SCALE-NONE", {"series": HOT_CPU, "scaling": ScalingState(True, 2, 8, (), ())},  # target, no policy
     {"series": HOT_CPU, "scaling": SCALED}),
    ("SCALE-NONE", {"series": SURGE}, {"series": {("InvocationsPerInstance", "Sum"): flat(250, 360)}}),
    ("SCALE-NONE", {"series": HOT_CPU}, {"series": HOT_CPU, "kind": Kind.ASYNC}),
    ("SCALE-AT-MAX", {"series": HOT_CPU, "scaling": ScalingState(True, 1, 2, (POLICY,), ())},
     {"series": HOT_CPU, "scaling": ScalingState(True, 1, 4, (POLICY,), ())}),
    ("ERRORS", {"series": {("Invocation5XXErrors", "Sum"): flat(0, 15), ("Invocation5XXErrors", "SampleCount"):
                           flat(500, 500)}},
     {"series": {("Invocation5XXErrors", "Sum"): flat(0, 2), ("Invocation5XXErrors", "SampleCount"):
                 flat(500, 500)}}),
    ("ERRORS", {"series": {("InvocationModelErrors", "Sum"): flat(0, 15),
                           ("InvocationModelErrors", "SampleCount"): flat(500, 500)}},
     {"series": {("InvocationModelErrors", "Sum"): flat(0, 4),
                 ("InvocationModelErrors", "SampleCount"): flat(500, 500)}}),
    ("ERRORS", {"series": {("Invocation4XXErrors", "Sum"): flat(0, 35), ("Invocation4XXErrors", "SampleCount"):
                           flat(500, 500)}},
     {"series": {("Invocation4XXErrors", "Sum"): flat(0, 20), ("Invocation4XXErrors", "SampleCount"):
                 flat(500, 500)}}),
    ("ENDPOINT-NOT-IN-SERVICE", {"status": "Updating"}, {"status": "InService"}),
    ("ASYNC-BACKLOG", {"kind": Kind.ASYNC, "series": {("ApproximateBacklogSizePerInstance", "Average"): flat(1, 8)}},
     {"kind": Kind.ASYNC, "series": {("ApproximateBacklogSizePerInstance", "Average"): flat(1, 3)}}),
    ("ASYNC-BACKLOG", {"kind": Kind.ASYNC, "series": {("ApproximateAgeOfOldestRequest", "Maximum"): Series(
        {-60 * m: 60.0 + 20 * (15 - m) for m in range(15, 0, -1)})}},
     {"kind": Kind.ASYNC, "series": {("ApproximateAgeOfOldestRequest", "Maximum"): flat(60, 70)}}),
    ("SERVERLESS-CONCURRENCY", {"kind": Kind.SERVERLESS, "instance_type": None, "memory_mb": 4096,
                                "series": {("ServerlessConcurrentExecutionsUtilization", "Maximum"): flat(0.3, 0.9)}},
     {"kind": Kind.SERVERLESS, "instance_type": None, "memory_mb": 4096,
      "series": {("ServerlessConcurrentExecutionsUtilization", "Maximum"): flat(0.3, 0.6)}}),
    ("SERVERLESS-SPILLOVER", {"kind": Kind.SERVERLESS, "instance_type": None, "memory_mb": 4096, "provisioned": 2,
                              "series": {("ServerlessProvisionedConcurrencySpilloverInvocations", "Sum"):
                                         flat(0, 3)}},
     {"kind": Kind.SERVERLESS, "instance_type": None, "memory_mb": 4096, "provisioned": 2,
      "series": {("ServerlessProvisionedConcurrencySpilloverInvocations", "Sum"): flat(2, 0)}}),
])
def test_rule_fires_and_near_miss_does_not(rule_id, fire, near_miss):
    assert check(rule_id, make_evidence(**fire)), f"{rule_id} should fire on {fire}"
    assert not check(rule_id, make_evidence(**near_miss)), f"{rule_id} should not fire on {near_miss}"


def test_model_rules_never_apply_to_serverless():
    ev = make_evidence(kind=Kind.SERVERLESS, instance_type=None, memory_mb=2048)
    assert not {"MODEL-CPU-NO-GPU", "MODEL-INFERENTIA", "MODEL-NEO"} & fired(ev)


def test_overhead_cold_start_after_deploy_and_after_idle():
    deployed = make_evidence("OverheadLatency", deployed=timedelta(minutes=40))
    assert "OVERHEAD-COLD-START" in fired(deployed)
    # 20 idle minutes, then traffic again 5 minutes before T
    idle = {("Invocations", "Sum"): flat(500, 500)}
    points = {t: v for t, v in idle[("Invocations", "Sum")].points.items() if not -25 * 60 <= t < -5 * 60}
    resumed = make_evidence("OverheadLatency", series={("Invocations", "Sum"): Series(points)})
    assert "OVERHEAD-COLD-START" in fired(resumed)
    short_gap = {t: v for t, v in idle[("Invocations", "Sum")].points.items() if not -15 * 60 <= t < -5 * 60}
    assert "OVERHEAD-COLD-START" not in fired(make_evidence("OverheadLatency",
                                                            series={("Invocations", "Sum"): Series(short_gap)}))
    assert "OVERHEAD-COLD-START" not in fired(make_evidence("OverheadLatency", deployed=timedelta(minutes=70)))


def test_infrequent_versus_payload():
    sparse = {("Invocations", "Sum"): flat(30, 30, every=3),
              ("OverheadLatency", "Sum"): flat(5 * 500, 40 * 500)}
    steady = {("OverheadLatency", "Sum"): flat(5 * 500, 40 * 500)}
    assert {"OVERHEAD-INFREQUENT"} <= fired(make_evidence("OverheadLatency", series=sparse))
    assert "OVERHEAD-PAYLOAD" not in fired(make_evidence("OverheadLatency", series=sparse))
    steady_findings = fired(make_evidence("OverheadLatency", series=steady))
    assert "OVERHEAD-PAYLOAD" in steady_findings and "OVERHEAD-INFREQUENT" not in steady_findings
    # same overhead right after a deployment: cold start explains it, not the payload
    recent = fired(make_evidence("OverheadLatency", series=steady, deployed=timedelta(minutes=30)))
    assert "OVERHEAD-PAYLOAD" not in recent and "OVERHEAD-COLD-START" in recent


@pytest.mark.parametrize(("hits", "expect", "absent"), [
    (60, {"MME-CACHE-THRASH"}, {"MME-COLD-MODELS"}),
    (95, {"MME-COLD-MODELS"}, {"MME-CACHE-THRASH"}),
])
def test_mme_cache(hits, expect, absent):
    series = MME_SERIES | {("ModelCacheHit", "Sum"): flat(95, hits), ("ModelCacheHit", "SampleCount"): flat(100, 100)}
    found = fired(make_evidence("ModelLoadingWaitTime", kind=Kind.MULTI_MODEL, series=series))
    assert expect <= found and not absent & found


def test_mme_download_versus_load_share():
    series = MME_SERIES | {("ModelCacheHit", "Sum"): flat(95, 95), ("ModelCacheHit", "SampleCount"): flat(100, 100)}
    found = fired(make_evidence("ModelLatency", kind=Kind.MULTI_MODEL, series=series))
    assert "MME-SLOW-LOAD" not in found and "MME-SLOW-DOWNLOAD" not in found  # 25 % and 37.5 % of the wait
    series |= {("ModelDownloadingTime", "Sum"): flat(0, 600 * 100)}
    assert "MME-SLOW-DOWNLOAD" in fired(make_evidence("ModelLatency", kind=Kind.MULTI_MODEL, series=series))
    assert "MME-SLOW-DOWNLOAD" not in fired(make_evidence("ModelLatency", kind=Kind.REAL_TIME, series=series))


def test_serverless_rules():
    setup = {("ModelSetupTime", "Sum"): flat(None, 4_000), ("ModelSetupTime", "SampleCount"): flat(None, 1),
             ("ModelSetupTime", "Maximum"): flat(None, 4_000)}
    cold = fired(make_evidence("ModelSetupTime", kind=Kind.SERVERLESS, instance_type=None, memory_mb=4096,
                               series=setup))
    assert "SERVERLESS-COLD-START" in cold and "SERVERLESS-MEMORY" not in cold
    warm = fired(make_evidence("ModelLatency", kind=Kind.SERVERLESS, instance_type=None, memory_mb=2048))
    assert "SERVERLESS-MEMORY" in warm and "SERVERLESS-COLD-START" not in warm


def test_deleted_endpoint_gives_only_not_found():
    assert fired(make_evidence(endpoint_missing=True)) == {"ENDPOINT-NOT-FOUND"}


def test_unexplained_only_when_nothing_else_fires():
    healthy = make_evidence("OverheadLatency", image=SKLEARN)
    assert fired(healthy) == {"UNEXPLAINED"}
    assert "UNEXPLAINED" not in fired(make_evidence(status="Failed"))


def test_missing_evidence_skips_the_rules_that_need_it():
    run = run_rules(make_evidence(series=HOT_CPU, missing=frozenset({Source.SCALING})))
    assert "SCALE-NONE" in run.skipped[Source.SCALING] and "SCALE-NONE" not in {f.rule for f in run.findings}
    assert "MODEL-CPU-NO-GPU" in {f.rule for f in run.findings}


def test_findings_are_ordered_by_severity_then_strength():
    findings = run_rules(make_evidence(series=HOT_CPU | SLOW, status="Updating")).findings
    order = [{"critical": 0, "warning": 1, "info": 2}[f.severity] for f in findings]
    assert order == sorted(order) and findings[0].severity == "critical"


UNIT_BY_KEY = (  # (words in an evidence key, a pattern its value must match): the units a person reads
    (("Latency", "Time", "latency"), re.compile(r"\d(\.\d+)? (ms|s|min)\b")),
    (("CPU", "GPU", "rate", "hit rate", "utilisation", "no invocations"), re.compile(r"\d(\.\d)? %")),
    (("Invocations per instance", "Invocations (incident avg)"), re.compile(r"/min")),
    (("MemorySizeInMB",), re.compile(r"\d MB$")),
)


def test_every_finding_carries_units_and_docs():
    evidence = [make_evidence(series=HOT_CPU | SLOW | SURGE),
                make_evidence("OverheadLatency", series={("OverheadLatency", "Sum"): flat(5 * 500, 40 * 500)}),
                make_evidence(kind=Kind.SERVERLESS, instance_type=None, memory_mb=2048,
                              series={("ServerlessConcurrentExecutionsUtilization", "Maximum"): flat(0.3, 0.9)})]
    checked = 0
    for ev in evidence:
        for f in run_rules(ev).findings:
            assert f.docs and all(d.startswith("https://") for d in f.docs)
            assert f.recommendation and f.title
            assert f.evidence and all(isinstance(v, str) for v in f.evidence.values())
            for key, value in f.evidence.items():
                for words, unit in UNIT_BY_KEY:
                    if any(word in key for word in words) and any(c.isdigit() for c in value):
                        assert unit.search(value), f"{f.rule}: {key!r} = {value!r} has no unit"
                        checked += 1
    assert checked >= 10  # the check saw real figures, not an empty list


def test_catalogue_matches_spec():
    from pathlib import Path

    spec = Path(__file__).resolve().parents[1] / "SPEC.md"  # the copy, kept in sync by tests/test_spec_copy.py
    ids = set(re.findall(r"^\| ([A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*) \|", spec.read_text(), re.M)) - {"ID"}
    assert ids == set(CATALOGUE_IDS)


def test_minutes_before_the_endpoint_existed_are_not_idle_traffic():
    # Created 90 min before T, busy every minute since: 54 % of the 3 h 15 min window predates it.
    since_creation = {("Invocations", "Sum"): Series({t: v for t, v in flat(500, 500).points.items()
                                                       if t >= -90 * 60}),
                      ("OverheadLatency", "Sum"): flat(5 * 500, 40 * 500)}
    young = fired(make_evidence("OverheadLatency", series=since_creation, created=timedelta(minutes=90)))
    assert "OVERHEAD-INFREQUENT" not in young and "OVERHEAD-COLD-START" not in young
    old = fired(make_evidence("OverheadLatency", series=since_creation))  # same traffic, endpoint 30 d old
    assert "OVERHEAD-INFREQUENT" in old


def finding(rule_id: str, ev):
    return next(f for f in run_rules(ev).findings if f.rule == rule_id)


def test_scale_out_is_cold_capacity_not_a_deployment():
    steady = {("OverheadLatency", "Sum"): flat(5 * 500, 40 * 500)}
    out = make_evidence("OverheadLatency", series=steady, modified=timedelta(minutes=20),
                        scaling=scaled(activity(120, 3), activity(26, 5)))
    found = fired(out)
    assert "OVERHEAD-COLD-START" in found and "MODEL-CHANGED" not in found and "OVERHEAD-PAYLOAD" not in found
    cold = finding("OVERHEAD-COLD-START", out)
    assert "Scale-out to 5 instances" in cold.evidence and "/ping" in cold.recommendation
    # the same LastModifiedTime from a scale-in adds no cold capacity
    scale_in = make_evidence("OverheadLatency", series=steady, modified=timedelta(minutes=20),
                             scaling=scaled(activity(120, 5), activity(26, 3, high=False)))
    assert "OVERHEAD-COLD-START" not in fired(scale_in) and "OVERHEAD-PAYLOAD" in fired(scale_in)


def test_updating_says_scaling_or_deployment():
    scaling = make_evidence(status="Updating", modified=MS_TO_NOW,
                            scaling=scaled(activity(4, 4, status="InProgress")))
    during_scaling = finding("ENDPOINT-NOT-IN-SERVICE", scaling)
    assert "scaling" in during_scaling.title and "Scaling activity" in during_scaling.evidence
    assert "roll back" not in during_scaling.recommendation
    deploying = finding("ENDPOINT-NOT-IN-SERVICE", make_evidence(status="Updating", pending_config="tagger-v2",
                                                                 scaling=SCALED))
    assert "updating" in deploying.title and "roll back" in deploying.recommendation
    assert deploying.evidence["Deploying endpoint config"] == "tagger-v2"


def test_infrequent_serverless_is_not_told_to_move_to_serverless():
    sparse = {("Invocations", "Sum"): flat(30, 30, every=3), ("OverheadLatency", "Sum"): flat(5 * 500, 40 * 500)}
    serverless = finding("OVERHEAD-INFREQUENT", make_evidence("OverheadLatency", kind=Kind.SERVERLESS,
                                                              instance_type=None, memory_mb=4096, series=sparse))
    assert "move to serverless" not in serverless.recommendation
    assert "ProvisionedConcurrency" in serverless.recommendation
    real_time = finding("OVERHEAD-INFREQUENT", make_evidence("OverheadLatency", series=sparse))
    assert "serverless" in real_time.recommendation


def test_payload_advice_names_the_body_limit_of_the_kind():
    steady = {("OverheadLatency", "Sum"): flat(5 * 500, 40 * 500)}
    assert "6 MB" in finding("OVERHEAD-PAYLOAD", make_evidence("OverheadLatency", series=steady)).recommendation
    serverless = make_evidence("OverheadLatency", kind=Kind.SERVERLESS, instance_type=None, memory_mb=4096,
                               series=steady)
    assert "4 MB" in finding("OVERHEAD-PAYLOAD", serverless).recommendation


def test_scaling_rules_run_on_degraded_evidence():
    # DescribeEndpointConfig and DescribeModel failed: no instance type, but DescribeEndpoint's instance
    # count and the invocations per instance still show the load.
    degraded = make_evidence(instance_type=None, image=None, series=SURGE,
                             missing=frozenset({Source.CONFIG, Source.MODEL}))
    assert "SCALE-NONE" in fired(degraded)
    at_max = make_evidence(instance_type=None, image=None, series=SURGE, count=2,
                           scaling=ScalingState(True, 1, 2, (POLICY,), ()),
                           missing=frozenset({Source.CONFIG, Source.MODEL}))
    assert "SCALE-AT-MAX" in fired(at_max)


def test_scale_at_max_names_the_policy_target():
    ev = make_evidence(series=HOT_CPU, scaling=ScalingState(True, 1, 2, (POLICY,), ()))
    found = finding("SCALE-AT-MAX", ev)
    assert found.evidence["Policy ipi-target"] == ("TargetTrackingScaling, target 1000 on "
                                                   "SageMakerVariantInvocationsPerInstance")


def test_queueing_names_the_worker_setting_in_the_environment():
    ev = make_evidence(series=SLOW | SURGE, environment={"SAGEMAKER_MODEL_SERVER_WORKERS": "1"})
    found = finding("MODEL-SERVER-QUEUEING", ev)
    assert found.evidence["SAGEMAKER_MODEL_SERVER_WORKERS"] == "1"
    assert "SAGEMAKER_MODEL_SERVER_WORKERS=1" in found.recommendation
    unset = finding("MODEL-SERVER-QUEUEING", make_evidence(series=SLOW | SURGE))
    assert "No worker setting" in unset.recommendation and "TS_DEFAULT_WORKERS_PER_MODEL" in unset.recommendation


def test_neo_target_devices_are_the_api_enum():
    import botocore.session

    from advisor.frameworks import NEO_TARGET_DEVICES

    enum = botocore.session.get_session().get_service_model("sagemaker").shape_for("TargetDevice").enum
    assert sorted(NEO_TARGET_DEVICES) == sorted(d for d in enum if d.startswith("ml_"))


def test_rules_declare_typed_evidence_and_metrics():
    from advisor.catalogue import M
    from advisor.rules.base import rule

    with pytest.raises(TypeError, match="not Source members"):
        rule("X-TYPO", severity="info", title="t", docs=(), metrics={M.MODEL_LATENCY}, needs={"metrics"})
    with pytest.raises(TypeError, match="not M members"):
        rule("X-TYPO", severity="info", title="t", docs=(), metrics={"ModelLatncy"})
    for registered in REGISTRY.values():
        assert all(isinstance(m, M) for m in registered.metrics)
        assert all(isinstance(n, Source) for n in registered.needs)


# -- inference components (SPEC §4b) --

IC_BUSY = {("ConcurrentRequestsPerCopy", "Maximum"): flat(4, 9)}  # 2.2x the baseline concurrency per copy
IC_HOT_GPU = {("GPUUtilizationNormalized", "Average"): flat(45, 92)}
COPY_POLICY = ScalingPolicy("ic-concurrency", "TargetTrackingScaling", 4.0,
                            "SageMakerInferenceComponentConcurrentRequestsPerCopyHighResolution")


@pytest.mark.parametrize(("rule_id", "fire", "near_miss"), [
    ("IC-NO-AUTOSCALING", {"series": IC_BUSY}, {}),  # calm: no IC load signal
    ("IC-NO-AUTOSCALING", {"series": IC_HOT_GPU}, {"series": IC_HOT_GPU,
                                                  "scaling": ScalingState(True, 1, 8, (COPY_POLICY,), ())}),
    ("IC-NO-AUTOSCALING", {"series": IC_BUSY, "scaling": ScalingState(True, 1, 8, (), ())},
     {"series": IC_BUSY, "scaling": ScalingState(True, 1, 8, (COPY_POLICY,), ())}),
    ("IC-COPIES-AT-MAX", {"series": IC_BUSY, "current": 4, "desired": 4,
                          "scaling": ScalingState(True, 1, 4, (COPY_POLICY,), ())},
     {"series": IC_BUSY, "current": 3, "desired": 3, "scaling": ScalingState(True, 1, 4, (COPY_POLICY,), ())}),
    ("IC-COPIES-AT-MAX", {"series": IC_BUSY, "current": 4, "desired": 4,
                          "scaling": ScalingState(True, 1, 4, (COPY_POLICY,), ())},
     {"current": 4, "desired": 4, "scaling": ScalingState(True, 1, 4, (COPY_POLICY,), ())}),
])
def test_component_rule_fires_and_near_miss_does_not(rule_id, fire, near_miss):
    assert check(rule_id, make_component_evidence(**fire))
    assert not check(rule_id, make_component_evidence(**near_miss))


def test_variant_scaling_rules_never_fire_for_a_component():
    ev = make_component_evidence(series=IC_BUSY | IC_HOT_GPU)
    assert {"SCALE-NONE", "SCALE-AT-MAX"}.isdisjoint(fired(ev))
    assert "IC-NO-AUTOSCALING" in fired(ev)


def test_component_finding_shows_copies_and_reservation():
    ev = make_component_evidence(series=IC_BUSY, current=4, desired=4,
                                 scaling=ScalingState(True, 1, 4, (COPY_POLICY,), ()))
    finding = REGISTRY["IC-COPIES-AT-MAX"].evaluate(ev)
    assert finding is not None
    assert finding.evidence["Copies"] == "4 current / 4 desired / 4 max"
    assert finding.evidence["Inference component"] == "chat-llm on llm-host/AllTraffic"
    assert "1 accelerator(s)" in finding.evidence["Reservation per copy"]


def test_component_rules_skip_without_the_component():
    run = run_rules(make_component_evidence(series=IC_BUSY, missing=frozenset({Source.COMPONENT})))
    assert "IC-NO-AUTOSCALING" in run.skipped[Source.COMPONENT]


def copy_activity(minutes_ago: float, copies: int) -> ScalingActivity:
    """A copy-count scaling activity as Application Auto Scaling reports it for an IC."""
    start = T - timedelta(minutes=minutes_ago)
    return ScalingActivity("Successful", start, start + timedelta(minutes=3),
                           f"Setting desired copy count to {copies}.", "monitor alarm ... triggered policy", copies)


FROM_ZERO = ScalingState(True, 0, 4, (COPY_POLICY,), (copy_activity(100, 0), copy_activity(12, 1)))
NO_CAPACITY = {("NoCapacityInvocationFailures", "Sum"): flat(None, 3)}


@pytest.mark.parametrize(("rule_id", "fire", "near_miss"), [
    # 6 copies wanted, 4 placed, no managed instance scaling; near miss: managed scaling with room (1 of 4)
    ("IC-NO-ROOM", {"desired": 6, "current": 4, "managed": None}, {"desired": 6, "current": 4}),
    ("IC-NO-ROOM", {"desired": 6, "current": 4, "managed": ManagedScaling(True, 1, 1)},
     {"desired": 4, "current": 4, "managed": None}),
    ("IC-SCALED-FROM-ZERO", {"scaling": FROM_ZERO}, {"scaling": ScalingState(True, 1, 4, (COPY_POLICY,), (
        copy_activity(100, 1),))}),
    ("IC-SCALED-FROM-ZERO", {"series": NO_CAPACITY}, {}),
])
def test_component_capacity_rule_fires_and_near_miss_does_not(rule_id, fire, near_miss):
    assert check(rule_id, make_component_evidence(**fire))
    assert not check(rule_id, make_component_evidence(**near_miss))


def test_scaled_from_zero_applies_to_the_no_capacity_alarm():
    ev = make_component_evidence("NoCapacityInvocationFailures", series=NO_CAPACITY, stat="Sum", threshold=0.0)
    assert "IC-SCALED-FROM-ZERO" in fired(ev)


# -- GPU memory and LLM containers (SPEC §4b) --

PYTORCH_GPU = "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.3.0-gpu-py311-cu121-ubuntu20.04-sagemaker"
GPU_MEMORY_UP = {("GPUMemoryUtilization", "Average"): flat(4 * 60, 4 * 95)}  # ml.g5.12xlarge: 60 % → 95 % per GPU
IC_GPU_MEMORY_UP = {("GPUMemoryUtilizationNormalized", "Average"): flat(60, 95)}


@pytest.mark.parametrize(("rule_id", "fire", "near_miss"), [
    ("GPU-MEMORY-PRESSURE", {"image": PYTORCH_GPU, "instance_type": "ml.g5.12xlarge", "series": GPU_MEMORY_UP},
     {"image": PYTORCH_GPU, "instance_type": "ml.g5.12xlarge",
      "series": {("GPUMemoryUtilization", "Average"): flat(4 * 85, 4 * 95)}}),  # high all along: +10 points
    ("GPU-MEMORY-PRESSURE", {"image": PYTORCH_GPU, "instance_type": "ml.g5.12xlarge", "series": GPU_MEMORY_UP},
     {"image": TGI, "instance_type": "ml.g5.12xlarge", "series": GPU_MEMORY_UP}),  # TGI fills memory by design
    ("LLM-GPUS-UNUSED", {"image": TGI, "instance_type": "ml.g5.12xlarge", "environment": {"SM_NUM_GPUS": "1"}},
     {"image": TGI, "instance_type": "ml.g5.12xlarge", "environment": {"SM_NUM_GPUS": "4"}}),
    ("LLM-GPUS-UNUSED", {"image": TGI, "instance_type": "ml.g5.12xlarge", "environment": {"SHARDED": "false"}},
     {"image": TGI, "instance_type": "ml.g5.12xlarge", "environment": {}}),  # unset: every visible GPU
])
def test_gpu_rule_fires_and_near_miss_does_not(rule_id, fire, near_miss):
    assert check(rule_id, make_evidence(**fire))
    assert not check(rule_id, make_evidence(**near_miss))


@pytest.mark.parametrize(("rule_id", "fire", "near_miss"), [
    ("GPU-MEMORY-PRESSURE", {"image": PYTORCH_GPU, "series": IC_GPU_MEMORY_UP}, {"image": PYTORCH_GPU}),
    ("LLM-GPUS-UNUSED", {"accelerators": 2, "environment": {"SM_NUM_GPUS": "1"}},
     {"accelerators": 1, "environment": {"SM_NUM_GPUS": "1"}}),
])
def test_gpu_rule_on_a_component(rule_id, fire, near_miss):
    assert check(rule_id, make_component_evidence(**fire))
    assert not check(rule_id, make_component_evidence(**near_miss))


# -- INSTANCE-IMBALANCE (per-instance series from enhanced metrics) --

def _per_instance(cpu: Mapping[str, float] | None = None, invocations: Mapping[str, float] | None = None,
                  routing: str | None = None, **overrides: Any) -> Evidence:
    """make_evidence on 3 x ml.c5.2xlarge with per-instance series (CPU summed over the 8 cores, requests/min)."""
    ev = make_evidence(count=3, **overrides)
    assert ev.metrics is not None and ev.endpoint is not None
    per_instance = {
        ("CPUUtilization", "Average"): {name: flat(value, value) for name, value in (cpu or {}).items()},
        ("Invocations", "Sum"): {name: flat(value, value) for name, value in (invocations or {}).items()}}
    return replace(ev, metrics=replace(ev.metrics, per_instance=per_instance),
                   endpoint=replace(ev.endpoint, routing_strategy=routing))


def test_imbalance_compares_the_hot_instance_with_the_median_of_the_others():
    # CPU per core 60 % against 25 % and 20 % (median 22.5 %): 2.7x; 40 % against the same: 1.8x.
    hot = REGISTRY["INSTANCE-IMBALANCE"].evaluate(_per_instance(cpu={"i-a": 480, "i-b": 200, "i-c": 160}))
    assert hot is not None and "i-a" in hot.evidence["Hot instance"] and hot.evidence["Ratio"] == "2.7x"
    assert "LEAST_OUTSTANDING_REQUESTS" in hot.recommendation
    assert REGISTRY["INSTANCE-IMBALANCE"].evaluate(_per_instance(cpu={"i-a": 320, "i-b": 200, "i-c": 160})) is None


def test_imbalance_with_two_instances_compares_with_the_other_one():
    assert check("INSTANCE-IMBALANCE", _per_instance(invocations={"i-a": 900, "i-b": 400}))
    assert not check("INSTANCE-IMBALANCE", _per_instance(invocations={"i-a": 700, "i-b": 400}))


def test_imbalance_needs_per_instance_series_and_a_busy_hot_instance():
    assert not check("INSTANCE-IMBALANCE", _per_instance())  # enhanced metrics off: no series
    assert not check("INSTANCE-IMBALANCE", _per_instance(cpu={"i-a": 480}))  # one instance
    # 10 % per core next to 3 %: 3.3x, but nothing that matters
    assert not check("INSTANCE-IMBALANCE", _per_instance(cpu={"i-a": 80, "i-b": 24, "i-c": 24}))


def test_imbalance_under_least_outstanding_requests_reads_utilisation_only():
    lor = "LEAST_OUTSTANDING_REQUESTS"
    # routing by capacity sends more requests to the faster instances: an uneven request count is not a fault
    assert not check("INSTANCE-IMBALANCE", _per_instance(invocations={"i-a": 900, "i-b": 300, "i-c": 300},
                                                         routing=lor))
    degraded = REGISTRY["INSTANCE-IMBALANCE"].evaluate(
        _per_instance(cpu={"i-a": 560, "i-b": 200, "i-c": 200}, routing=lor))
    assert degraded is not None and "degraded" in degraded.recommendation


# -- LLM containers: versions and settings read from the image and its environment --

@pytest.mark.parametrize(("tag", "version"), [
    ("djl-inference:0.28.0-lmi10.0.0-cu124", 10), ("djl-inference:0.36.0-lmi20.0.0-cu128-v1.0", 20),
    ("djl-inference:0.27.0-deepspeed0.12.6-cu121", 9), ("djl-inference:0.26.0-deepspeed0.12.6-cu121", 8),
    ("djl-inference:0.33.0-tensorrtllm0.21.0-cu128", None), ("djl-inference:0.29.0-neuronx-sdk2.19.1", None),
    ("pytorch-inference:2.3.0-gpu-py311", None)])
def test_lmi_version_from_the_image_tag(tag: str, version: int | None):
    from advisor.rules.llm import lmi_version
    assert lmi_version(f"763104351884.dkr.ecr.us-east-1.amazonaws.com/{tag}") == version


def _lmi(tag: str, **environment: str) -> Evidence:
    """An LMI variant on ml.g5.12xlarge with ~5 requests in flight per instance (33/min of ~9 s each)."""
    image = f"763104351884.dkr.ecr.us-east-1.amazonaws.com/djl-inference:{tag}"
    return make_evidence(instance_type="ml.g5.12xlarge", count=1, image=image, environment=environment, series={
        ("ModelLatency", "Sum"): flat(33 * 9000, 33 * 9000), ("ModelLatency", "SampleCount"): flat(33, 33),
        ("InvocationsPerInstance", "Sum"): flat(33, 33), ("Invocations", "Sum"): flat(33, 33)})


def test_lmi_rolling_batch_disabled_is_static_batching_only_before_async_mode():
    off = {"OPTION_ROLLING_BATCH": "disable"}
    assert check("LLM-NO-CONTINUOUS-BATCHING", _lmi("0.28.0-lmi10.0.0-cu124", **off))
    assert not check("LLM-NO-CONTINUOUS-BATCHING", _lmi("0.28.0-lmi10.0.0-cu124"))  # unset: LMI picks a rolling batcher
    assert not check("LLM-NO-CONTINUOUS-BATCHING", _lmi("0.35.0-lmi17.0.0-cu128", **off))  # v17: async by default
    # v15/v16: async mode when asked for; a named synchronous entrypoint is static batching
    assert not check("LLM-NO-CONTINUOUS-BATCHING", _lmi("0.33.0-lmi15.0.0-cu128", **off, OPTION_ASYNC_MODE="true"))
    assert check("LLM-NO-CONTINUOUS-BATCHING",
                 _lmi("0.33.0-lmi15.0.0-cu128", **off, OPTION_ENTRYPOINT="djl_python.huggingface"))


def test_vllm_tensor_parallel_default_is_one_gpu():
    vllm = "763104351884.dkr.ecr.us-east-1.amazonaws.com/vllm:0.11.0-gpu-py312-cu128-ubuntu22.04-sagemaker"
    on_four = {"instance_type": "ml.g5.12xlarge", "count": 1, "image": vllm}
    assert check("LLM-GPUS-UNUSED", make_evidence(**on_four))
    assert not check("LLM-GPUS-UNUSED", make_evidence(**on_four, environment={"SM_VLLM_TENSOR_PARALLEL_SIZE": "4"}))
    # an image that is not AWS's SageMaker vLLM container: its settings are not in the environment
    assert not check("LLM-GPUS-UNUSED", make_evidence(**{**on_four, "image": "docker.io/vllm/vllm-openai:v0.11.0"}))


def test_imbalance_leaves_out_instances_that_joined_mid_incident():
    # A scale-out 5 minutes before T: two new instances at 12.5 % per core next to the old ones at 60 %. Without
    # them there is no imbalance; with them the old ones would read 4.8x "hot".
    ev = _per_instance(cpu={"i-old-1": 480, "i-old-2": 480})
    assert ev.metrics is not None
    joined = Series({minute * 60: 100.0 for minute in range(-5, 0)})
    cpu = {**ev.metrics.per_instance[("CPUUtilization", "Average")], "i-new-1": joined, "i-new-2": joined}
    ev = replace(ev, metrics=replace(ev.metrics, per_instance={("CPUUtilization", "Average"): cpu}))
    assert not check("INSTANCE-IMBALANCE", ev)


def test_imbalance_without_the_endpoint_config_does_not_assume_random_routing():
    hot = {"i-a": 480, "i-b": 200, "i-c": 160}
    finding = REGISTRY["INSTANCE-IMBALANCE"].evaluate(_per_instance(cpu=hot, missing=frozenset({Source.CONFIG})))
    assert finding is not None and finding.evidence["Routing"] == "unknown (endpoint config not read)"
    assert "Check the variant's RoutingConfig" in finding.recommendation

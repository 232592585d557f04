"""Each rule fires on its evidence and stays silent on a near miss that differs in one fact."""

from __future__ import annotations

from datetime import timedelta

import pytest
from evidence_builder import flat, make_evidence

from advisor.rules import CATALOGUE_IDS, run_rules
from advisor.rules.base import REGISTRY
from advisor.snapshot import ScalingState, Series

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
    return REGISTRY[rule_id].evaluate(ev) is not None


@pytest.mark.parametrize(("rule_id", "fire", "near_miss"), [
    ("MODEL-CPU-NO-GPU", {}, {"instance_type": "ml.g5.2xlarge"}),
    ("MODEL-CPU-NO-GPU", {}, {"image": SKLEARN}),
    ("MODEL-CPU-NO-GPU", {"image": TGI}, {"image": TGI, "instance_type": "ml.g6.2xlarge"}),
    ("MODEL-INFERENTIA", {"instance_type": "ml.g5.xlarge"}, {"instance_type": "ml.inf2.xlarge", "image": NEURON}),
    ("MODEL-INFERENTIA", {}, {"image": XGBOOST}),
    ("MODEL-NEO", {"image": TF_GPU, "instance_type": "ml.g4dn.xlarge"}, {"image": NEURON,
                                                                        "instance_type": "ml.inf2.xlarge"}),
    ("MODEL-NEO", {"image": XGBOOST}, {"image": SKLEARN}),
    ("MODEL-BENCHMARK", {"series": SLOW}, {"series": SLOW | HOT_CPU}),
    ("MODEL-BENCHMARK", {"series": SLOW}, {"series": SLOW | {("InvocationsPerInstance", "Sum"): flat(250, 400)}}),
    ("MODEL-CHANGED", {"modified": timedelta(minutes=50)}, {"modified": timedelta(hours=3)}),
    ("MODEL-CHANGED", {"modified": timedelta(minutes=50)},
     {"modified": timedelta(minutes=50), "created": timedelta(minutes=55)}),
    ("MODEL-TIMEOUTS", {"series": {("ModelLatency", "Maximum"): flat(2_000, 55_000)}},
     {"series": {("ModelLatency", "Maximum"): flat(2_000, 30_000)}}),
    ("SCALE-NONE", {"series": HOT_CPU}, {"series": HOT_CPU, "scaling": ScalingState(True, 2, 8)}),
    ("SCALE-NONE", {"series": {("InvocationsPerInstance", "Sum"): flat(250, 400)}},
     {"series": {("InvocationsPerInstance", "Sum"): flat(250, 360)}}),
    ("SCALE-AT-MAX", {"series": HOT_CPU, "scaling": ScalingState(True, 1, 2)},
     {"series": HOT_CPU, "scaling": ScalingState(True, 1, 4)}),
    ("ERRORS", {"series": {("Invocation5XXErrors", "Sum"): flat(0, 15), ("Invocation5XXErrors", "SampleCount"):
                           flat(500, 500)}},
     {"series": {("Invocation5XXErrors", "Sum"): flat(0, 2), ("Invocation5XXErrors", "SampleCount"):
                 flat(500, 500)}}),
    ("ENDPOINT-NOT-IN-SERVICE", {"status": "Updating"}, {"status": "InService"}),
])
def test_rule_fires_and_near_miss_does_not(rule_id, fire, near_miss):
    assert check(rule_id, make_evidence(**fire)), f"{rule_id} should fire on {fire}"
    assert not check(rule_id, make_evidence(**near_miss)), f"{rule_id} should not fire on {near_miss}"


def test_model_rules_never_apply_to_serverless():
    ev = make_evidence(kind="serverless", instance_type=None, memory_mb=2048)
    assert not {"MODEL-CPU-NO-GPU", "MODEL-INFERENTIA", "MODEL-NEO"} & fired(ev)


def test_overhead_cold_start_after_deploy_and_after_idle():
    deployed = make_evidence("OverheadLatency", modified=timedelta(minutes=40), created=timedelta(minutes=40))
    assert "OVERHEAD-COLD-START" in fired(deployed)
    # 20 idle minutes, then traffic again 5 minutes before T
    idle = {("Invocations", "Sum"): flat(500, 500)}
    points = {t: v for t, v in idle[("Invocations", "Sum")].points.items() if not -25 * 60 <= t < -5 * 60}
    resumed = make_evidence("OverheadLatency", series={("Invocations", "Sum"): Series(points)})
    assert "OVERHEAD-COLD-START" in fired(resumed)
    short_gap = {t: v for t, v in idle[("Invocations", "Sum")].points.items() if not -15 * 60 <= t < -5 * 60}
    assert "OVERHEAD-COLD-START" not in fired(make_evidence("OverheadLatency",
                                                            series={("Invocations", "Sum"): Series(short_gap)}))
    assert "OVERHEAD-COLD-START" not in fired(make_evidence("OverheadLatency", modified=timedelta(minutes=70)))


def test_infrequent_versus_payload():
    sparse = {("Invocations", "Sum"): flat(30, 30, every=3),
              ("OverheadLatency", "Sum"): flat(5 * 500, 40 * 500)}
    steady = {("OverheadLatency", "Sum"): flat(5 * 500, 40 * 500)}
    assert {"OVERHEAD-INFREQUENT"} <= fired(make_evidence("OverheadLatency", series=sparse))
    assert "OVERHEAD-PAYLOAD" not in fired(make_evidence("OverheadLatency", series=sparse))
    steady_findings = fired(make_evidence("OverheadLatency", series=steady))
    assert "OVERHEAD-PAYLOAD" in steady_findings and "OVERHEAD-INFREQUENT" not in steady_findings
    # same overhead right after a deployment: cold start explains it, not the payload
    recent = fired(make_evidence("OverheadLatency", series=steady, modified=timedelta(minutes=30),
                                 created=timedelta(minutes=30)))
    assert "OVERHEAD-PAYLOAD" not in recent and "OVERHEAD-COLD-START" in recent


@pytest.mark.parametrize(("hits", "expect", "absent"), [
    (60, {"MME-CACHE-THRASH"}, {"MME-COLD-MODELS"}),
    (95, {"MME-COLD-MODELS"}, {"MME-CACHE-THRASH"}),
])
def test_mme_cache(hits, expect, absent):
    series = MME_SERIES | {("ModelCacheHit", "Sum"): flat(95, hits), ("ModelCacheHit", "SampleCount"): flat(100, 100)}
    found = fired(make_evidence("ModelLoadingWaitTime", kind="multi-model", series=series))
    assert expect <= found and not absent & found


def test_mme_download_versus_load_share():
    series = MME_SERIES | {("ModelCacheHit", "Sum"): flat(95, 95), ("ModelCacheHit", "SampleCount"): flat(100, 100)}
    found = fired(make_evidence("ModelLatency", kind="multi-model", series=series))
    assert "MME-SLOW-LOAD" not in found and "MME-SLOW-DOWNLOAD" not in found  # 25 % and 37.5 % of the wait
    series |= {("ModelDownloadingTime", "Sum"): flat(0, 600 * 100)}
    assert "MME-SLOW-DOWNLOAD" in fired(make_evidence("ModelLatency", kind="multi-model", series=series))
    assert "MME-SLOW-DOWNLOAD" not in fired(make_evidence("ModelLatency", kind="real-time", series=series))


def test_serverless_rules():
    setup = {("ModelSetupTime", "Sum"): flat(None, 4_000), ("ModelSetupTime", "SampleCount"): flat(None, 1),
             ("ModelSetupTime", "Maximum"): flat(None, 4_000)}
    cold = fired(make_evidence("ModelSetupTime", kind="serverless", instance_type=None, memory_mb=4096,
                               series=setup))
    assert "SERVERLESS-COLD-START" in cold and "SERVERLESS-MEMORY" not in cold
    warm = fired(make_evidence("ModelLatency", kind="serverless", instance_type=None, memory_mb=2048))
    assert "SERVERLESS-MEMORY" in warm and "SERVERLESS-COLD-START" not in warm


def test_deleted_endpoint_gives_only_not_found():
    assert fired(make_evidence(endpoint_missing=True)) == {"ENDPOINT-NOT-FOUND"}


def test_unexplained_only_when_nothing_else_fires():
    healthy = make_evidence("OverheadLatency", image=SKLEARN)
    assert fired(healthy) == {"UNEXPLAINED"}
    assert "UNEXPLAINED" not in fired(make_evidence(status="Failed"))


def test_missing_evidence_skips_the_rules_that_need_it():
    run = run_rules(make_evidence(series=HOT_CPU, missing=frozenset({"scaling"})))
    assert "SCALE-NONE" in run.skipped["scaling"] and "SCALE-NONE" not in {f.rule for f in run.findings}
    assert "MODEL-CPU-NO-GPU" in {f.rule for f in run.findings}


def test_findings_are_ordered_by_severity_then_strength():
    findings = run_rules(make_evidence(series=HOT_CPU | SLOW, status="Updating")).findings
    order = [{"critical": 0, "warning": 1, "info": 2}[f.severity] for f in findings]
    assert order == sorted(order) and findings[0].severity == "critical"


def test_every_finding_carries_units_and_docs():
    for f in run_rules(make_evidence(series=HOT_CPU | SLOW)).findings:
        assert f.docs and all(d.startswith("https://") for d in f.docs)
        assert f.recommendation and f.title
        assert f.evidence and all(isinstance(v, str) for v in f.evidence.values())


def test_catalogue_matches_spec():
    import re
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

"""Inference components in the stack: alarms per IC with its dimension, exact IAM, a dashboard view, stable slots."""

from __future__ import annotations

import json

ARN_PREFIX = "arn:${AWS::Partition}:sagemaker:${AWS::Region}:${AWS::AccountId}:inference-component/"


def _alarm_placement(synth) -> dict[str, tuple[str, str, str]]:
    """Alarm name → (nested stack, logical id, properties as JSON) for every endpoint alarm."""
    return {r["Properties"]["AlarmName"]: (path, logical_id, json.dumps(r["Properties"], sort_keys=True))
            for path, template in synth.nested.items() for logical_id, r in template["Resources"].items()
            if r["Type"] == "AWS::CloudWatch::Alarm"}


def test_ic_alarms_carry_only_the_inference_component_name(synthesized):
    alarms = synthesized("every-kind").endpoint_alarms()
    chat = {name.rsplit("/", 1)[1]: props for name, props in alarms.items()
            if name.startswith("SageMakerLatencyAdvisor/genai-host/AllTraffic/support-chat-ic/")}
    assert set(chat) == {"ModelLatency", "OverheadLatency", "NoCapacityInvocationFailures"}
    for props in chat.values():
        assert props["Dimensions"] == [{"Name": "InferenceComponentName", "Value": "support-chat-ic"}]
        assert props["Namespace"] == "AWS/SageMaker"
    assert chat["ModelLatency"]["ExtendedStatistic"] == "p90" and chat["ModelLatency"]["Threshold"] == 15_000_000
    no_capacity = chat["NoCapacityInvocationFailures"]
    assert (no_capacity["Statistic"], no_capacity["Threshold"], no_capacity["ComparisonOperator"],
            no_capacity["EvaluationPeriods"]) == ("Sum", 0, "GreaterThanThreshold", 1)


def test_only_ics_that_may_scale_to_zero_get_the_no_capacity_alarm(synthesized):
    names = synthesized("every-kind").endpoint_alarms()
    shared = sorted(n.removeprefix("SageMakerLatencyAdvisor/shared-host/Blue/") for n in names
                    if n.startswith("SageMakerLatencyAdvisor/shared-host/"))
    assert shared == ["classifier-ic/ModelLatency", "classifier-ic/OverheadLatency", "embedder-ic/ModelLatency",
                      "embedder-ic/OverheadLatency"]
    assert all(names[f"SageMakerLatencyAdvisor/shared-host/Blue/{n}"]["Threshold"] == 40_000
               for n in shared if n.endswith("OverheadLatency"))


def test_adding_an_ic_moves_no_other_alarm(synthesized):
    before, after = _alarm_placement(synthesized("every-kind")), _alarm_placement(synthesized("every-kind-plus-ic"))
    added = set(after) - set(before)
    assert added == {f"SageMakerLatencyAdvisor/shared-host/Blue/reranker-ic/{m}"
                     for m in ("ModelLatency", "OverheadLatency")}
    assert {name: after[name] for name in before} == before


def test_describe_inference_component_on_exactly_the_watched_ics(any_synth):
    wanted = sorted(component.name for endpoint in any_synth.config.endpoints for component in endpoint.components)
    granted = sorted(resource["Fn::Join"][1][-1].removeprefix(":inference-component/") if "Fn::Join" in resource
                     else resource
                     for props in any_synth.props("AWS::IAM::ManagedPolicy")
                     for statement in props["PolicyDocument"]["Statement"]
                     if "sagemaker:DescribeInferenceComponent" in json.dumps(statement["Action"])
                     for resource in statement["Resource"] if isinstance(statement["Resource"], list))
    assert granted == wanted
    assert "ListInferenceComponents" not in json.dumps(any_synth.templates)


def test_dashboard_gains_an_ic_picker_and_graphs_only_with_ics(synthesized):
    def body(name: str) -> str:
        (props,) = synthesized(name).props("AWS::CloudWatch::Dashboard")
        return json.dumps(props["DashboardBody"])

    with_ics, without = body("every-kind"), body("example")
    for text in ("InferenceComponentName", "ConcurrentRequestsPerCopy", "GPUUtilizationNormalized",
                 "/aws/sagemaker/InferenceComponents", "NoCapacityInvocationFailures"):
        assert text in with_ics
        assert text not in without

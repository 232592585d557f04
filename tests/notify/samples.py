"""Hand-written inputs for the notification tests: diagnosis dicts (SPEC §5 plus the extra keys the engine adds)
and one alarm state change in each of the three event forms of SPEC §3."""

from __future__ import annotations

import copy
import json

ALARM = {
    "name": "sagemaker-image-tagger-ModelLatency", "state": "ALARM", "previous_state": "OK",
    "metric": "ModelLatency", "stat": "p90", "threshold": "300 ms", "period_s": 60,
    "endpoint": "image-tagger", "variant": "AllTraffic", "time": "2026-11-20T12:00:00+00:00",
    "region": "us-east-1", "account": "123456789012",
    "arn": "arn:aws:cloudwatch:us-east-1:123456789012:alarm:sagemaker-image-tagger-ModelLatency",
    "reason": "Threshold Crossed: 3 out of the last 3 datapoints were greater than the threshold (300000).",
    "description": "ModelLatency on image-tagger",
}

OVERLOADED = {
    "alarm": ALARM,
    "endpoint": {"kind": "real-time", "instance_type": "ml.m5.2xlarge", "instance_count": 2, "status": "InService",
                 "framework": "TensorFlow",
                 "image": "763104351884.dkr.ecr.us-east-1.amazonaws.com/tensorflow-inference:2.14.1-cpu",
                 "memory_mb": None},
    "findings": [
        {"rule": "SCALE-NONE", "severity": "critical", "title": "Endpoint saturated and no autoscaling",
         "evidence": {"CPU per core (incident avg)": "88.8 %",
                      "Invocations per instance": "1,300/min (2.6x baseline)"},
         "recommendation": "Add target tracking on SageMakerVariantInvocationsPerInstance with a target of about "
                           "700/min per instance (baseline 500/min, 1.4x headroom).",
         "docs": ["https://docs.aws.amazon.com/sagemaker/latest/dg/endpoint-auto-scaling.html"]},
        {"rule": "MODEL-CPU-NO-GPU", "severity": "warning", "title": "TensorFlow model served on CPU instances",
         "evidence": {"Instance type": "ml.m5.2xlarge (8 vCPU, no GPU)", "Framework": "TensorFlow 2.14.1 (cpu)"},
         "recommendation": "Move the variant to a GPU instance such as ml.g5.xlarge or ml.g6.xlarge.",
         "docs": ["https://docs.aws.amazon.com/sagemaker/latest/dg/instance-types-az.html",
                  "https://aws.amazon.com/sagemaker/pricing/"]},
    ],
    "resolved": None,
    "api_calls": {"total": 5, "by_operation": {"sagemaker.DescribeEndpoint": 1, "cloudwatch.GetMetricData": 2}},
    "errors": [{"evidence": "application-autoscaling.DescribeScalableTargets", "code": "AccessDeniedException",
                "message": "not authorized", "skipped": ["SCALE-AT-MAX"]}],
}

RESOLVED = {
    "alarm": {**ALARM, "state": "OK", "previous_state": "ALARM", "time": "2026-11-20T13:05:00+00:00",
              "reason": "Threshold Crossed: 3 out of the last 3 datapoints were not greater than the threshold."},
    "endpoint": {"kind": None, "instance_type": None, "instance_count": None, "status": None, "framework": None,
                 "image": None, "memory_mb": None},
    "findings": [],
    "resolved": {"in_alarm_s": 3900.0,
                 "summary": "ModelLatency on image-tagger/AllTraffic back to OK after 1 h 5 min"},
    "api_calls": {"total": 0, "by_operation": {}},
    "errors": [],
}

NOT_FOUND = {
    "alarm": {**ALARM, "endpoint": "old-model"},
    "endpoint": {"kind": None, "instance_type": None, "instance_count": None, "status": None, "framework": None,
                 "image": None, "memory_mb": None},
    "findings": [{"rule": "ENDPOINT-NOT-FOUND", "severity": "warning", "title": "Endpoint old-model no longer exists",
                  "evidence": {"DescribeEndpoint": "ValidationException: Could not find endpoint"},
                  "recommendation": "The alarm watches an endpoint that was deleted; remove the alarm.",
                  "docs": ["https://docs.aws.amazon.com/sagemaker/latest/dg/realtime-endpoints-delete-resources.html"]}],
    "resolved": None,
    "api_calls": {"total": 1, "by_operation": {"sagemaker.DescribeEndpoint": 1}},
    "errors": [],
}

# Outside text trying to break out: Slack mentions and links, SNS header injection, non-ASCII, control characters.
HOSTILE_TEXT = "évil <!channel> @here <@U123> <https://evil.example|click> & co\r\nSubject: forged\x07"


def hostile() -> dict:
    """OVERLOADED with attacker-controlled text in every field that echoes outside input."""
    d = copy.deepcopy(OVERLOADED)
    d["alarm"].update(name=HOSTILE_TEXT, description=HOSTILE_TEXT, reason=HOSTILE_TEXT, endpoint="image-tagger")
    d["findings"][0]["evidence"] = {HOSTILE_TEXT: HOSTILE_TEXT}
    d["findings"][0]["title"] = HOSTILE_TEXT
    return d


def huge() -> dict:
    """Far past every Block Kit and SNS limit: 60 findings with very long text and 30 evidence items each."""
    d = copy.deepcopy(OVERLOADED)
    long = "x" * 5000
    d["alarm"].update(name="n" * 300, reason=long, description=long, endpoint="e" * 63, variant="v" * 63)
    d["findings"] = [{"rule": f"RULE-{i}", "severity": "info", "title": long,
                      "evidence": {f"{long}{j}": long for j in range(30)}, "recommendation": long * 4,
                      "docs": ["https://docs.aws.amazon.com/" + "p" * 120 + ".html"] * 5 + ["https://" + long]}
                     for i in range(60)]
    return d


_STATE = {"value": "ALARM", "timestamp": "2026-11-20T12:00:00.000+0000",
          "reason": "Threshold Crossed: 3 out of the last 3 datapoints were greater than the threshold (300000)."}
_CONFIGURATION = {"description": "ModelLatency on image-tagger", "metrics": [{"id": "m1", "returnData": True, "metricStat": {
    "metric": {"namespace": "AWS/SageMaker", "name": "ModelLatency",
               "dimensions": {"EndpointName": "image-tagger", "VariantName": "AllTraffic"}},
    "period": 60, "stat": "p90"}}]}
_ALARM_DATA = {"alarmName": ALARM["name"], "state": _STATE, "configuration": _CONFIGURATION,
               "previousState": {"value": "OK", "reason": "Threshold Crossed", "timestamp": "2026-11-19T08:00:00.000+0000"}}

LAMBDA_ACTION_EVENT = {"source": "aws.cloudwatch", "alarmArn": ALARM["arn"], "accountId": ALARM["account"],
                       "time": "2026-11-20T12:00:00.000+0000", "region": "us-east-1", "alarmData": _ALARM_DATA}
EVENTBRIDGE_EVENT = {"version": "0", "id": "c4c1c1c9-6542-e61b-6ef0-8c4d36933a92",
                     "detail-type": "CloudWatch Alarm State Change", "source": "aws.cloudwatch",
                     "account": ALARM["account"], "time": "2026-11-20T12:00:01Z", "region": "us-east-1",
                     "resources": [ALARM["arn"]], "detail": _ALARM_DATA}
SNS_EVENT = {"Records": [{"EventSource": "aws:sns", "EventVersion": "1.0", "Sns": {
    "Type": "Notification", "Subject": 'ALARM: "sagemaker-image-tagger-ModelLatency" in US East (N. Virginia)',
    "Message": json.dumps({
        "AlarmName": ALARM["name"], "AlarmDescription": "ModelLatency on image-tagger",
        "AWSAccountId": ALARM["account"], "NewStateValue": "ALARM", "NewStateReason": _STATE["reason"],
        "StateChangeTime": "2026-11-20T12:00:00.000+0000", "Region": "US East (N. Virginia)",
        "AlarmArn": ALARM["arn"], "OldStateValue": "OK",
        "Trigger": {"MetricName": "ModelLatency", "Namespace": "AWS/SageMaker", "StatisticType": "ExtendedStatistic",
                    "ExtendedStatistic": "p90", "Unit": None, "Period": 60, "EvaluationPeriods": 3,
                    "ComparisonOperator": "GreaterThanThreshold", "Threshold": 300000.0,
                    "Dimensions": [{"value": "image-tagger", "name": "EndpointName"},
                                   {"value": "AllTraffic", "name": "VariantName"}]}})}}]}

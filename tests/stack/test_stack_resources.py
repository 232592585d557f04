"""The shared resources: one route to one advisor, its dead letters, topic, secret, table and dashboard."""

from __future__ import annotations

import json

import pytest
from aws_cdk.assertions import Match, Template

POWERTOOLS_PARAMETER = "/aws/service/powertools/python/arm64/python3.13/"


@pytest.fixture(scope="module")
def main(example):
    return Template.from_json(example.main)


def _logical_id(synth, resource_type: str) -> str:
    (found,) = [logical_id for _, logical_id, _ in synth.resources(resource_type)
                if not logical_id.startswith("Watchdog")]
    return found


def _advisor_props(synth, resource_type: str) -> list[dict]:
    """Properties of the resources of `resource_type` outside the coverage watchdog (tests/stack/test_stack_watchdog)."""
    return [r.get("Properties", {}) for _, logical_id, r in synth.resources(resource_type)
            if not logical_id.startswith("Watchdog")]


def _flatten(value) -> str:
    """A Fn::Join'ed string with its tokens dropped, for searching a dashboard body."""
    if isinstance(value, dict) and "Fn::Join" in value:
        return "".join(part for part in value["Fn::Join"][1] if isinstance(part, str))
    return value


@pytest.mark.parametrize("name", ["example", "overrides", "mixed-300"])
def test_one_rule_and_one_lambda_permission_whatever_the_alarm_count(synthesized, name):
    synth = synthesized(name)
    assert len(_advisor_props(synth, "AWS::Events::Rule")) == 1
    (permission,) = _advisor_props(synth, "AWS::Lambda::Permission")
    assert permission["Principal"] == "events.amazonaws.com"
    assert permission["SourceArn"] == {"Fn::GetAtt": [_logical_id(synth, "AWS::Events::Rule"), "Arn"]}
    assert len(_advisor_props(synth, "AWS::Lambda::Function")) == 1


def test_rule_matches_the_stacks_alarm_prefix_on_alarm_and_on_return_to_ok(example):
    (rule,) = _advisor_props(example, "AWS::Events::Rule")
    pattern = rule["EventPattern"]
    assert pattern["source"] == ["aws.cloudwatch"]
    assert pattern["detail-type"] == ["CloudWatch Alarm State Change"]
    assert pattern["detail"]["alarmName"] == [{"prefix": "SageMakerLatencyAdvisor/"}]
    assert pattern["detail"]["$or"] == [
        {"state": {"value": ["ALARM"]}},
        {"state": {"value": ["OK"]}, "previousState": {"value": ["ALARM"]}},
    ]
    assert len(json.dumps(pattern)) < 400, "the pattern must not grow with the number of alarms"
    queue = _logical_id(example, "AWS::SQS::Queue")
    (target,) = rule["Targets"]
    assert target["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": [queue, "Arn"]}}
    assert target["RetryPolicy"]["MaximumRetryAttempts"] > 0


def test_every_endpoint_alarm_name_matches_the_rule_and_the_dead_letter_alarm_does_not(example):
    assert all(name.startswith("SageMakerLatencyAdvisor/") for name in example.endpoint_alarms())
    (dead_letter_alarm,) = [r["Properties"] for r in example.main["Resources"].values()
                            if r["Type"] == "AWS::CloudWatch::Alarm"]
    assert not dead_letter_alarm["AlarmName"].startswith("SageMakerLatencyAdvisor/")


def test_advisor_function(main):
    main.has_resource_properties("AWS::Lambda::Function", {
        "Runtime": "python3.13",
        "Architectures": ["arm64"],
        "Handler": "handler.handler",
        "MemorySize": 256,
        "Timeout": 60,
        "Layers": [{"Ref": Match.string_like_regexp("^SsmParameterValueawsservicepowertools")}],
        "Environment": {"Variables": {
            "TOPIC_ARN": {"Ref": Match.any_value()},
            "IDEMPOTENCY_TABLE": {"Ref": Match.any_value()},
            "SLACK_SECRET_ARN": {"Ref": Match.any_value()},
            "POWERTOOLS_SERVICE_NAME": "latency-advisor",
            "POWERTOOLS_METRICS_NAMESPACE": "SageMakerLatencyAdvisor",
        }},
        "ReservedConcurrentExecutions": Match.absent(),
    })


def test_powertools_layer_is_resolved_from_ssm_at_deploy_time(example, overrides):
    for synth, version in ((example, "3.37.0"), (overrides, "3.36.0")):  # the default: requirements.txt's pin
        parameters = [p for p in synth.main["Parameters"].values()
                      if p.get("Default", "").startswith(POWERTOOLS_PARAMETER)]
        assert parameters == [{"Type": "AWS::SSM::Parameter::Value<String>",
                               "Default": POWERTOOLS_PARAMETER + version}]


def test_failed_invocations_retry_twice_then_land_in_the_encrypted_tls_only_queue(example, main):
    queue = _logical_id(example, "AWS::SQS::Queue")
    main.has_resource_properties("AWS::Lambda::EventInvokeConfig", {
        "MaximumRetryAttempts": 2,
        "MaximumEventAgeInSeconds": Match.any_value(),
        "DestinationConfig": {"OnFailure": {"Destination": {"Fn::GetAtt": [queue, "Arn"]}}},
    })
    main.has_resource_properties("AWS::SQS::Queue", {"SqsManagedSseEnabled": True})
    main.has_resource_properties("AWS::SQS::QueuePolicy", {"PolicyDocument": {"Statement": Match.array_with([
        Match.object_like({"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}})])}})


def test_dead_letters_alarm_notifies_the_topic(example, main):
    topic = _logical_id(example, "AWS::SNS::Topic")
    main.has_resource_properties("AWS::CloudWatch::Alarm", {
        "Namespace": "AWS/SQS",
        "MetricName": "ApproximateNumberOfMessagesVisible",
        "Threshold": 0,
        "ComparisonOperator": "GreaterThanThreshold",
        "AlarmActions": [{"Ref": topic}],
    })


def test_topic_is_kms_encrypted_with_a_rotating_key_and_tls_only(example, main):
    key = _logical_id(example, "AWS::KMS::Key")
    main.has_resource_properties("AWS::SNS::Topic", {"KmsMasterKeyId": {"Fn::GetAtt": [key, "Arn"]}})
    main.has_resource_properties("AWS::KMS::Key", {"EnableKeyRotation": True})
    main.has_resource_properties("AWS::SNS::TopicPolicy", {"PolicyDocument": {"Statement": Match.array_with([
        Match.object_like({"Effect": "Deny", "Principal": "*",
                           "Condition": {"Bool": {"aws:SecureTransport": "false"}}})])}})
    main.has_resource_properties("AWS::SNS::Subscription", {"Protocol": "email",
                                                            "Endpoint": "oncall@example.com"})


def test_idempotency_table(main):
    main.has_resource_properties("AWS::DynamoDB::Table", {
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
        "BillingMode": "PAY_PER_REQUEST",
        "TimeToLiveSpecification": {"AttributeName": "expiration", "Enabled": True},
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
    })


def test_slack_true_creates_the_secret_the_function_reads(example):
    secret = _logical_id(example, "AWS::SecretsManager::Secret")
    (function,) = _advisor_props(example, "AWS::Lambda::Function")
    assert function["Environment"]["Variables"]["SLACK_SECRET_ARN"] == {"Ref": secret}


def test_an_existing_secret_is_used_as_named_and_nothing_is_created(overrides):
    arn = overrides.config.notify.slack_secret_arn
    assert overrides.props("AWS::SecretsManager::Secret") == []
    (function,) = _advisor_props(overrides, "AWS::Lambda::Function")
    assert function["Environment"]["Variables"]["SLACK_SECRET_ARN"] == arn
    assert function["ReservedConcurrentExecutions"] == 5
    assert overrides.props("AWS::SNS::Subscription") == []


def test_one_dashboard_with_an_endpoint_picker_and_the_advisor_health(example, overrides):
    for synth in (example, overrides):
        (dashboard,) = synth.props("AWS::CloudWatch::Dashboard")
        body = _flatten(dashboard["DashboardBody"])
        variables = {v["property"]: [x["value"] for x in v["values"]] for v in json.loads(body)["variables"]}
        assert variables["EndpointName"] == list(dict.fromkeys(e.name for e in synth.config.endpoints))
        assert set(variables["VariantName"]) == {e.variant for e in synth.config.endpoints}
        for text in ("ModelLatency p50", "ModelLatency p90", "ModelLatency p99", "OverheadLatency Average",
                     '"Invocations"', "ModelCacheHit", "ModelLoadingWaitTime", "ModelDownloadingTime",
                     "ModelLoadingTime", "ModelSetupTime", '"Errors"', '"Duration"', '"Throttles"',
                     "ApproximateNumberOfMessagesVisible"):
            assert text in body, text

"""Least privilege, checked on every synthesized template of every config."""

from __future__ import annotations

import json
import re

import pytest

from stacks.advisor import DESCRIBE_ENDPOINT_POLICIES
from stacks.alarms import alarm_stack_slot
from stacks.config import SAGEMAKER_NAME

IDENTITY_POLICY_TYPES = {"AWS::IAM::Policy": "PolicyDocument", "AWS::IAM::ManagedPolicy": "PolicyDocument"}
RESOURCE_POLICY_TYPES = {"AWS::SNS::TopicPolicy": "PolicyDocument", "AWS::SQS::QueuePolicy": "PolicyDocument",
                         "AWS::KMS::Key": "KeyPolicy"}
# Actions that take no resource ARN, or whose resource names are only known at run time.
WILDCARD_OK = {"cloudwatch:GetMetricData", "cloudwatch:ListMetrics", "application-autoscaling:DescribeScalableTargets",
               "application-autoscaling:DescribeScalingPolicies", "application-autoscaling:DescribeScalingActivities",
               "sagemaker:DescribeEndpointConfig", "sagemaker:DescribeModel",
               # the coverage watchdog: no resource type; DescribeAlarms on the stack's alarm-name prefix only
               "sagemaker:ListEndpoints", "cloudwatch:DescribeAlarms"}
WRITE_VERB = re.compile(r":(Put|Update|Delete|Create|Send|Publish|Start|Invoke|Tag|Untag|Attach|Modify|Set)")
# What a managed policy's ARNs resolve to at worst, to measure its size as IAM will.
WORST_CASE = {"AWS::Partition": "aws-us-gov", "AWS::Region": "ap-southeast-5", "AWS::AccountId": "123456789012"}
MANAGED_POLICY_MAX_CHARS = 6_144
# GOLDEN VALUES: which DescribeEndpoint managed policy holds which endpoint (lower-cased name hash slot % 8). Computed
# once (issue 12) and written as literals on purpose: they must NEVER change, since a different hash would move
# every endpoint's grant between policies in a deployed stack. If this fails, fix the hash, not the table.
GOLDEN_POLICY_GROUPS = {
    "example": {0: {"resnet50-cpu"}, 1: {"sentiment-serverless"}, 3: {"tenant-models"}},
    "overrides": {0: {"resnet50-cpu"}, 3: {"tenant-models", "fast-lane"}, 7: {"batch-scorer"}},
}
# Written out rather than imported so a placeholder that could name an endpoint fails the tests.
NO_ENDPOINT = "endpoint/.none"


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def _statements(synth, types: dict[str, str]):
    for resource_type, key in types.items():
        for props in synth.props(resource_type):
            for statement in props[key]["Statement"]:
                yield resource_type, statement


def _resolve(value) -> str:
    """A resource as IAM will see it, with pseudo parameters at their longest."""
    if isinstance(value, str):
        return value
    if "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return separator.join(_resolve(part) for part in parts)
    if "Ref" in value:
        return WORST_CASE.get(value["Ref"], value["Ref"])
    return json.dumps(value)


def _policy_index(logical_id: str) -> int:
    """The group number in a DescribeEndpoint policy's logical id, AdvisorDescribeEndpoints<n><hash>."""
    match = re.fullmatch(r"AdvisorDescribeEndpoints(\d+)[0-9A-F]{8}", logical_id)
    assert match, logical_id
    return int(match.group(1))


def test_identity_policies_name_every_action_and_scope_every_write(any_synth):
    statements = list(_statements(any_synth, IDENTITY_POLICY_TYPES))
    assert statements
    for _, statement in statements:
        assert statement["Effect"] == "Allow"
        assert "NotAction" not in statement and "NotResource" not in statement
        actions = _as_list(statement["Action"])
        assert not [a for a in actions if "*" in a], statement
        wildcard = [r for r in map(_resolve, _as_list(statement["Resource"])) if "*" in r]
        if wildcard:
            assert set(actions) <= WILDCARD_OK, statement
            assert not [a for a in actions if WRITE_VERB.search(a)], statement


def test_describe_endpoint_is_granted_on_exactly_the_watched_endpoints(any_synth):
    granted = {_resolve(resource).rsplit(":", 1)[1]
               for _, statement in _statements(any_synth, IDENTITY_POLICY_TYPES)
               if "sagemaker:DescribeEndpoint" in _as_list(statement["Action"])
               for resource in _as_list(statement["Resource"])}
    watched = {f"endpoint/{e.name.lower()}" for e in any_synth.config.endpoints}
    assert granted - {NO_ENDPOINT} == watched
    assert not SAGEMAKER_NAME.match(NO_ENDPOINT.removeprefix("endpoint/")), "the placeholder must never match"


def test_describe_endpoint_lives_in_a_fixed_number_of_policies_each_holding_one_hash_group(any_synth):
    policies = {logical_id: [_resolve(r).rsplit("/", 1)[1] for r in _as_list(statement["Resource"])]
                for _, logical_id, resource in any_synth.resources("AWS::IAM::ManagedPolicy")
                for statement in resource["Properties"]["PolicyDocument"]["Statement"]
                if statement["Action"] == "sagemaker:DescribeEndpoint"}
    has_components = any(endpoint.components for endpoint in any_synth.config.endpoints)
    assert len(policies) == DESCRIBE_ENDPOINT_POLICIES
    assert len(any_synth.props("AWS::IAM::ManagedPolicy")) == DESCRIBE_ENDPOINT_POLICIES + has_components
    groups = {alarm_stack_slot(e.name.lower()) % DESCRIBE_ENDPOINT_POLICIES for e in any_synth.config.endpoints}
    for logical_id, names in policies.items():
        index = _policy_index(logical_id)
        if index in groups:
            assert {alarm_stack_slot(name) % DESCRIBE_ENDPOINT_POLICIES for name in names} == {index}, logical_id
            assert len(names) == len(set(names)), logical_id
        else:  # IAM needs a resource in every statement; an empty group gets the one that matches nothing
            assert names == [NO_ENDPOINT.removeprefix("endpoint/")], logical_id


@pytest.mark.parametrize("name", sorted(GOLDEN_POLICY_GROUPS))
def test_describe_endpoint_policy_groups_are_the_golden_ones(synthesized, name):
    synth = synthesized(name)
    groups = {}
    for _, logical_id, resource in synth.resources("AWS::IAM::ManagedPolicy"):
        for statement in resource["Properties"]["PolicyDocument"]["Statement"]:
            if statement["Action"] == "sagemaker:DescribeEndpoint":
                names = {_resolve(r).rsplit("/", 1)[1] for r in _as_list(statement["Resource"])}
                index = _policy_index(logical_id)
                groups[index] = names - {NO_ENDPOINT.removeprefix("endpoint/")}
    assert {index: names for index, names in groups.items() if names} == GOLDEN_POLICY_GROUPS[name]


def test_role_stays_under_the_ten_managed_policies_a_role_takes(any_synth):
    roles = [logical_id for _, logical_id, _ in any_synth.resources("AWS::IAM::Role")]
    assert len(roles) == 2  # the advisor's and the coverage watchdog's
    has_components = any(endpoint.components for endpoint in any_synth.config.endpoints)
    for role in roles:
        attached = [props for props in any_synth.props("AWS::IAM::ManagedPolicy") if {"Ref": role} in props["Roles"]]
        # DescribeInferenceComponent is the advisor's alone (the watchdog does not read inference components)
        extra = has_components if "Watchdog" not in role else 0
        assert len(attached) == DESCRIBE_ENDPOINT_POLICIES + extra < 10, role


def test_managed_policies_fit_iam_size_limit(any_synth):
    for props in any_synth.props("AWS::IAM::ManagedPolicy"):
        resolved = json.dumps({**props["PolicyDocument"], "Statement": [
            {**s, "Resource": [_resolve(r) for r in _as_list(s["Resource"])]}
            for s in props["PolicyDocument"]["Statement"]]}, separators=(",", ":"))
        assert len(resolved) <= MANAGED_POLICY_MAX_CHARS, len(resolved)


def test_role_has_no_aws_managed_policies_and_only_lambda_assumes_it(any_synth):
    for role in any_synth.props("AWS::IAM::Role"):
        assert "ManagedPolicyArns" not in role
        (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
        assert trust["Principal"] == {"Service": "lambda.amazonaws.com"}


def test_secret_access_is_only_the_slack_secret(any_synth):
    granted = [statement for _, statement in _statements(any_synth, IDENTITY_POLICY_TYPES)
               if any(a.startswith("secretsmanager:") for a in _as_list(statement["Action"]))]
    if not any_synth.config.notify.uses_slack:
        assert granted == []
        return
    assert len(granted) == 2  # the advisor and the coverage watchdog
    for statement in granted:
        assert statement["Action"] == "secretsmanager:GetSecretValue"
        expected = any_synth.config.notify.slack_secret_arn
        assert statement["Resource"] == (expected or {"Ref": next(
            logical_id for _, logical_id, _ in any_synth.resources("AWS::SecretsManager::Secret"))})


def test_resource_policies_allow_only_services_or_the_account(any_synth):
    for resource_type, statement in _statements(any_synth, RESOURCE_POLICY_TYPES):
        if statement["Effect"] == "Deny":
            assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
            continue
        principal = statement["Principal"]
        assert principal != "*" and principal.get("AWS") != "*", statement
        if "Service" in principal and resource_type == "AWS::SQS::QueuePolicy":
            assert "aws:SourceArn" in statement["Condition"]["ArnEquals"], "only our rule may send dead letters"
        if "AWS" in principal:  # the account-root statement every KMS key needs to stay manageable
            assert resource_type == "AWS::KMS::Key" and _resolve(principal["AWS"]).endswith(":root")

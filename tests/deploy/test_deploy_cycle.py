"""`cdk bootstrap`, `cdk deploy`, redeploy, update, `cdk destroy`: the real CDK CLI against the stand-in.

One stand-in server for the module; the tests run in file order, each a step of the cycle, and check what was
deployed through the AWS APIs (not the template). Slow by nature (each CLI call synthesizes the app); the
cycle takes about 90 s on two cores.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from stacks.advisor import POWERTOOLS_PARAMETER, RUNTIME
from stacks.config import DEFAULT_POWERTOOLS_VERSION
from standin import deploy_local
from standin.server import StandinServer

STACK = "SageMakerLatencyAdvisor"
PREFIX = f"{STACK}/"
EMAIL = "oncall@example.com"
RT = {"name": "resnet50-cpu", "kind": "real-time"}
MME = {"name": "tenant-models", "kind": "multi-model", "thresholds": {"ModelCacheHit": {"rate": 0.9}}}
SLS = {"name": "sentiment-serverless", "kind": "serverless"}
ADDED = {"name": "fraud-scorer", "variant": "Blue", "kind": "real-time"}
# SPEC §2 defaults, written out: metric -> (statistic, threshold as CloudWatch compares it, operator).
ABOVE, BELOW = "GreaterThanThreshold", "LessThanThreshold"
DEFAULTS = {
    # p90 where AWS documents percentiles (ModelLatency, ModelSetupTime), Average elsewhere (see the README).
    "real-time": {"ModelLatency": ("p90", 500_000, ABOVE), "OverheadLatency": ("Average", 100_000, ABOVE)},
    "multi-model": {"ModelLatency": ("p90", 500_000, ABOVE), "OverheadLatency": ("Average", 100_000, ABOVE),
                    "ModelLoadingWaitTime": ("Average", 1_000_000, ABOVE),
                    "ModelDownloadingTime": ("Average", 5_000_000, ABOVE),
                    "ModelLoadingTime": ("Average", 5_000_000, ABOVE), "ModelCacheHit": ("Average", 0.9, BELOW)},
    "serverless": {"ModelLatency": ("p90", 500_000, ABOVE), "OverheadLatency": ("Average", 100_000, ABOVE),
                   "ModelSetupTime": ("p90", 5_000_000, ABOVE)},
}


class Cycle:
    """The running stand-in, clients on it, and the config file the steps rewrite."""

    def __init__(self, server: StandinServer, workdir: Path) -> None:
        self.url = server.endpoint_url
        self.workdir = workdir
        self.config = workdir / "watch.json"
        self.session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                     region_name=deploy_local.REGION)

    def client(self, service: str) -> Any:
        return self.session.client(service, endpoint_url=self.url)

    def write(self, *endpoints: dict[str, Any]) -> None:
        self.config.write_text(json.dumps({"endpoints": list(endpoints), "notify": {"email": [EMAIL],
                                                                                    "slack": True}}))

    def alarms(self) -> dict[str, dict[str, Any]]:
        pages = self.client("cloudwatch").get_paginator("describe_alarms").paginate()
        return {alarm["AlarmName"]: alarm for page in pages for alarm in page["MetricAlarms"]}

    def stack_resources(self) -> dict[tuple[str, str], str]:
        """(stack name, logical id) -> physical id of every resource, nested stacks included."""
        cfn = self.client("cloudformation")
        found: dict[tuple[str, str], str] = {}
        pending = [STACK]
        while pending:
            name = pending.pop()
            for resource in cfn.list_stack_resources(StackName=name)["StackResourceSummaries"]:
                found[name, resource["LogicalResourceId"]] = resource["PhysicalResourceId"]
                if resource["ResourceType"] == "AWS::CloudFormation::Stack":
                    pending.append(resource["PhysicalResourceId"])
        return found

    def physical_id(self, resource_type: str, construct: str = "Advisor") -> str:
        """The one resource of this type in the main stack under `construct` (the watchdog has a function too)."""
        cfn = self.client("cloudformation")
        [physical] = [r["PhysicalResourceId"] for r in cfn.list_stack_resources(StackName=STACK)[
            "StackResourceSummaries"] if r["ResourceType"] == resource_type
            and r["LogicalResourceId"].startswith(construct)]
        return physical


@pytest.fixture(scope="module")
def cycle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cycle]:
    """A fresh stand-in server for the whole cycle."""
    with StandinServer() as server:
        yield Cycle(server, tmp_path_factory.mktemp("deploy-cycle"))


@pytest.fixture(scope="module")
def first_deploy(cycle: Cycle) -> tuple[str, dict[str, str]]:
    """Bootstrap, then deploy the three-endpoint config: the CLI's output and the outputs it wrote."""
    deploy_local.bootstrap(cycle.url)
    cycle.write(RT, MME, SLS)
    result, outputs = deploy_local.deploy(cycle.config, cycle.url, cycle.workdir)
    return result.stdout + result.stderr, outputs


def expected_alarms(*endpoints: dict[str, Any]) -> dict[str, tuple[dict[str, Any], str, tuple[str, float, str]]]:
    return {f"{PREFIX}{e['name']}/{e.get('variant', 'AllTraffic')}/{metric}": (e, metric, spec)
            for e in endpoints for metric, spec in DEFAULTS[e["kind"]].items()}


def test_deploy_creates_every_alarm_as_configured(cycle: Cycle, first_deploy: tuple[str, dict[str, str]]) -> None:
    alarms = cycle.alarms()
    expected = expected_alarms(RT, MME, SLS)
    assert set(alarms) == {*expected, f"{STACK}-advisor-dead-letters"}
    for name, (endpoint, metric, (stat, threshold, operator)) in expected.items():
        alarm = alarms[name]
        assert alarm["Namespace"] == "AWS/SageMaker"
        assert alarm["MetricName"] == metric
        assert sorted((d["Name"], d["Value"]) for d in alarm["Dimensions"]) == [
            ("EndpointName", endpoint["name"]), ("VariantName", endpoint.get("variant", "AllTraffic"))]
        assert alarm.get("ExtendedStatistic", alarm.get("Statistic")) == stat, name
        assert alarm["Threshold"] == threshold, name
        assert alarm["ComparisonOperator"] == operator
        assert (alarm["Period"], alarm["EvaluationPeriods"], alarm["DatapointsToAlarm"]) == (60, 5, 3)
        assert alarm["TreatMissingData"] == "notBreaching"
        assert alarm["AlarmActions"] == []
        assert f"SageMaker endpoint {endpoint['name']}" in alarm["AlarmDescription"]
        tags = {t["Key"]: t["Value"] for t in cycle.client("cloudwatch").list_tags_for_resource(
            ResourceARN=alarm["AlarmArn"])["Tags"]}
        assert tags["latency-advisor:endpoint"] == endpoint["name"]
        assert tags["latency-advisor:kind"] == endpoint["kind"]
    dead_letters = alarms[f"{STACK}-advisor-dead-letters"]
    assert dead_letters["MetricName"] == "ApproximateNumberOfMessagesVisible"
    assert dead_letters["AlarmActions"] == [first_deploy[1]["NotifyTopicArn9D82515B"]]


def test_deploy_prints_the_outputs(cycle: Cycle, first_deploy: tuple[str, dict[str, str]]) -> None:
    printed, outputs = first_deploy
    by_name = {key.rstrip("0123456789ABCDEF"): value for key, value in outputs.items()}
    assert set(by_name) == {"NotifyTopicArn", "NotifySlackWebhookSecretArn", "DashboardDashboardUrl"}
    for key, value in outputs.items():
        assert f"{STACK}.{key} = {value}" in printed
    topic = by_name["NotifyTopicArn"]
    assert cycle.client("sns").get_topic_attributes(TopicArn=topic)["Attributes"]["KmsMasterKeyId"]
    [subscription] = cycle.client("sns").list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert (subscription["Protocol"], subscription["Endpoint"]) == ("email", EMAIL)
    policy = json.loads(cycle.client("sns").get_topic_attributes(TopicArn=topic)["Attributes"]["Policy"])
    assert any(s.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") == "false"
               for s in policy["Statement"])
    secret = cycle.client("secretsmanager").get_secret_value(SecretId=by_name["NotifySlackWebhookSecretArn"])
    assert secret["SecretString"] == "REPLACE_WITH_SLACK_WEBHOOK_URL"
    assert by_name["DashboardDashboardUrl"].endswith(f"#dashboards/dashboard/{STACK}-us-east-1")
    cycle.client("cloudwatch").get_dashboard(DashboardName=f"{STACK}-us-east-1")
    assert cycle.client("cloudformation").describe_stacks(StackName=STACK)["Stacks"][0]["StackStatus"] in (
        "CREATE_COMPLETE", "UPDATE_COMPLETE")


def test_deploy_routes_alarms_to_the_advisor(cycle: Cycle, first_deploy: tuple[str, dict[str, str]]) -> None:
    function_name = cycle.physical_id("AWS::Lambda::Function")
    queue_url = cycle.physical_id("AWS::SQS::Queue")
    queue_arn = cycle.client("sqs").get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"]["QueueArn"]
    function = cycle.client("lambda").get_function(FunctionName=function_name)["Configuration"]
    assert (function["Runtime"], function["Architectures"], function["MemorySize"], function["Timeout"]) == (
        RUNTIME.name, ["arm64"], 256, 60)
    layer = cycle.client("ssm").get_parameter(Name=POWERTOOLS_PARAMETER.format(version=DEFAULT_POWERTOOLS_VERSION))
    assert [lay["Arn"] for lay in function["Layers"]] == [layer["Parameter"]["Value"]]
    assert function["Environment"]["Variables"]["TOPIC_ARN"] == first_deploy[1]["NotifyTopicArn9D82515B"]
    invoke = cycle.client("lambda").get_function_event_invoke_config(FunctionName=function_name)
    assert (invoke["MaximumRetryAttempts"], invoke["MaximumEventAgeInSeconds"]) == (2, 6 * 3600)
    assert invoke["DestinationConfig"]["OnFailure"]["Destination"] == queue_arn

    events = cycle.client("events")
    # The alarm route (an event pattern); the watchdog's schedule is the other rule.
    [rule] = [r for r in events.list_rules()["Rules"] if "EventPattern" in r]
    pattern = json.loads(rule["EventPattern"])
    assert pattern["detail"]["alarmName"] == [{"prefix": PREFIX}]
    [target] = events.list_targets_by_rule(Rule=rule["Name"])["Targets"]
    assert target["Arn"] == function["FunctionArn"]
    assert target["DeadLetterConfig"] == {"Arn": queue_arn}
    assert target["RetryPolicy"] == {"MaximumRetryAttempts": 8, "MaximumEventAgeInSeconds": 7200}
    policy = json.loads(cycle.client("lambda").get_policy(FunctionName=function_name)["Policy"])
    assert [s["Principal"] for s in policy["Statement"]] == [{"Service": "events.amazonaws.com"}]
    queue_policy = cycle.client("sqs").get_queue_attributes(QueueUrl=queue_url, AttributeNames=["Policy"])
    assert "events.amazonaws.com" in queue_policy["Attributes"]["Policy"]


def test_idempotency_table(cycle: Cycle, first_deploy: Any) -> None:
    dynamodb = cycle.client("dynamodb")
    table = cycle.physical_id("AWS::DynamoDB::Table")
    assert dynamodb.describe_table(TableName=table)["Table"]["BillingModeSummary"]["BillingMode"] == (
        "PAY_PER_REQUEST")
    ttl = dynamodb.describe_time_to_live(TableName=table)["TimeToLiveDescription"]
    assert (ttl["TimeToLiveStatus"], ttl["AttributeName"]) == ("ENABLED", "expiration")
    backups = dynamodb.describe_continuous_backups(TableName=table)["ContinuousBackupsDescription"]
    assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"


def describe_endpoint_arns(cycle: Cycle) -> set[str]:
    iam = cycle.client("iam")
    role = cycle.physical_id("AWS::IAM::Role")
    arns: set[str] = set()
    for attached in iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]:
        policy = iam.get_policy(PolicyArn=attached["PolicyArn"])["Policy"]
        document = iam.get_policy_version(PolicyArn=policy["Arn"], VersionId=policy["DefaultVersionId"])
        for statement in document["PolicyVersion"]["Document"]["Statement"]:
            if statement["Action"] == "sagemaker:DescribeEndpoint":
                resources = statement["Resource"]
                arns.update([resources] if isinstance(resources, str) else resources)
    return {arn.rsplit("/", 1)[-1] for arn in arns} - {".none"}


def test_advisor_may_describe_exactly_the_watched_endpoints(cycle: Cycle, first_deploy: Any) -> None:
    assert describe_endpoint_arns(cycle) == {RT["name"], MME["name"], SLS["name"]}


def test_redeploy_without_change_replaces_nothing(cycle: Cycle, first_deploy: Any) -> None:
    resources, alarms = cycle.stack_resources(), cycle.alarms()
    result, _ = deploy_local.deploy(cycle.config, cycle.url, cycle.workdir)
    assert f"{STACK} (no changes)" in result.stdout + result.stderr
    assert cycle.stack_resources() == resources
    assert cycle.alarms() == alarms


def test_update_changes_only_the_alarms_of_the_endpoints_changed(cycle: Cycle, first_deploy: Any) -> None:
    resources, alarms = cycle.stack_resources(), cycle.alarms()
    cycle.write(RT, MME, ADDED)
    deploy_local.deploy(cycle.config, cycle.url, cycle.workdir)
    after = cycle.alarms()
    removed, added = expected_alarms(SLS), expected_alarms(ADDED)
    assert set(after) == (set(alarms) - set(removed)) | set(added)
    for name in set(alarms) - set(removed):  # untouched: same configuration, same update time
        assert after[name] == alarms[name], name
    for name, (_, _, (_, threshold, _)) in added.items():
        assert after[name]["Threshold"] == threshold
    now = cycle.stack_resources()
    # Nothing but alarms came or went, and no resource that stayed was replaced.
    kept = set(resources) & set(now)
    assert {key for key in kept if resources[key] != now[key]} == set()
    assert {resources[key] for key in set(resources) - kept} | {now[key] for key in set(now) - kept} == (
        set(removed) | set(added))
    assert describe_endpoint_arns(cycle) == {RT["name"], MME["name"], ADDED["name"].lower()}


def test_threshold_change_updates_that_alarm_in_place(cycle: Cycle, first_deploy: Any) -> None:
    resources, alarms = cycle.stack_resources(), cycle.alarms()
    cycle.write({**RT, "thresholds": {"ModelLatency": {"ms": 250}}}, MME, ADDED)
    deploy_local.deploy(cycle.config, cycle.url, cycle.workdir)
    after = cycle.alarms()
    changed = f"{PREFIX}{RT['name']}/AllTraffic/ModelLatency"
    assert after[changed]["Threshold"] == 250_000
    assert after[changed]["AlarmArn"] == alarms[changed]["AlarmArn"]
    assert "250 ms" in after[changed]["AlarmDescription"]
    assert {name for name in alarms if after.get(name) != alarms[name]} == {changed}
    assert cycle.stack_resources() == resources


def test_bad_config_fails_synth_with_one_line_before_deploying(cycle: Cycle, first_deploy: Any) -> None:
    before = cycle.client("cloudformation").describe_stacks(StackName=STACK)["Stacks"][0]
    change_sets = cycle.client("cloudformation").list_change_sets(StackName=STACK)["Summaries"]
    bad = cycle.workdir / "bad.json"
    bad.write_text(json.dumps({"endpoints": [{"name": "resnet50-cpu", "kind": "realtime"}]}))
    result = deploy_local.cdk(["deploy", "-c", f"config={bad}", "--require-approval", "never",
                               "--output", str(cycle.workdir / "bad.out")], cycle.url, check=False)
    assert result.returncode != 0
    line = (f"{bad}: endpoints[0].kind: 'realtime' is not one of real-time, multi-model, serverless, async, "
            "inference-components")
    assert [text for text in result.stderr.splitlines() if "endpoints[0]" in text] == [line]
    assert cycle.client("cloudformation").describe_stacks(StackName=STACK)["Stacks"][0] == before
    assert cycle.client("cloudformation").list_change_sets(StackName=STACK)["Summaries"] == change_sets


def test_destroy_leaves_nothing_of_the_stack(cycle: Cycle, first_deploy: Any) -> None:
    resources = cycle.stack_resources()
    deploy_local.destroy(cycle.workdir, cycle.url)
    cfn = cycle.client("cloudformation")
    with pytest.raises(ClientError, match="does not exist"):
        cfn.describe_stacks(StackName=STACK)
    live = [s["StackName"] for s in cfn.describe_stacks()["Stacks"]]
    assert live == ["CDKToolkit"]
    assert cycle.alarms() == {}
    assert cycle.client("lambda").list_functions()["Functions"] == []
    assert cycle.client("sqs").list_queues().get("QueueUrls", []) == []
    assert cycle.client("sns").list_topics()["Topics"] == []
    assert cycle.client("sns").list_subscriptions()["Subscriptions"] == []
    assert cycle.client("secretsmanager").list_secrets()["SecretList"] == []
    assert cycle.client("dynamodb").list_tables()["TableNames"] == []
    assert cycle.client("events").list_rules()["Rules"] == []
    assert cycle.client("cloudwatch").list_dashboards()["DashboardEntries"] == []
    assert cycle.client("logs").describe_log_groups()["logGroups"] == []
    iam = cycle.client("iam")
    assert [r["RoleName"] for r in iam.list_roles()["Roles"] if r["RoleName"].startswith(STACK)] == []
    assert [p["PolicyName"] for p in iam.list_policies(Scope="Local")["Policies"]
            if p["PolicyName"].startswith(STACK)] == []
    kms = cycle.client("kms")
    keys = [key for (stack, _), key in resources.items() if stack == STACK and key in {
        k["KeyId"] for k in kms.list_keys()["Keys"]}]
    assert all(kms.describe_key(KeyId=key)["KeyMetadata"]["KeyState"] == "PendingDeletion" for key in keys)

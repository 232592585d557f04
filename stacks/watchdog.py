"""The coverage watchdog: the advisor's Lambda package on a schedule, with its own least-privilege role.

Per run it makes ceil(A/100) DescribeAlarms + ceil(E/100) ListEndpoints + one DescribeEndpoint per watched
endpoint + ceil((A + variants)/500) GetMetricData calls (A alarms, E endpoints in the region), plus one
ListTags (tag filter) or DescribeEndpoint (kind filter) per unwatched in-service candidate.
"""

from __future__ import annotations

import json

from aws_cdk import Acknowledgment, ArnFormat, Duration, RemovalPolicy, Stack, Validations
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from stacks.advisor import ASSET_EXCLUDE, LAMBDAS_DIR, METRICS_NAMESPACE, POWERTOOLS_PARAMETER, Advisor
from stacks.config import Config
from stacks.notifications import Notifications

SERVICE_NAME = "latency-advisor-watchdog"
# No resource type in the Service Authorization Reference (list_amazoncloudwatch.html, list_amazonsagemaker.html):
# IAM requires "*" for these.
UNSCOPED_ACTIONS = ("cloudwatch:GetMetricData", "sagemaker:ListEndpoints")
STATE_KEY_PREFIX = "coverage#"  # lambdas/watchdog.py STATE_KEY: the only item the role may read and write


class Watchdog(Construct):
    """Scheduled coverage check of the stack's alarms; notifies the advisor's topic and Slack on change."""

    def __init__(self, scope: Construct, construct_id: str, config: Config, advisor: Advisor,
                 notifications: Notifications) -> None:
        super().__init__(scope, construct_id)
        assert config.watchdog_schedule is not None
        # Like the advisor's: the stack's own logs go with it (CDK's default would retain them after destroy).
        self.log_group = logs.LogGroup(self, "Logs", retention=logs.RetentionDays.ONE_MONTH,
                                       removal_policy=RemovalPolicy.DESTROY)
        self.role = iam.Role(self, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
                             description="SageMaker latency advisor watchdog: read alarms and endpoints, notify")
        layer = lambda_.LayerVersion.from_layer_version_arn(
            self, "Powertools", ssm.StringParameter.value_for_string_parameter(
                self, POWERTOOLS_PARAMETER.format(version=config.advisor.powertools_version)))
        environment = {
            "TOPIC_ARN": notifications.topic.topic_arn,
            "IDEMPOTENCY_TABLE": advisor.table.table_name,
            "ALARM_PREFIX": config.alarm_prefix,
            "DISCOVER_FILTER": json.dumps(config.discover.to_dict() if config.discover else {}),
            "POWERTOOLS_SERVICE_NAME": SERVICE_NAME,
            "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
        }
        if notifications.slack_secret_arn:
            environment["SLACK_SECRET_ARN"] = notifications.slack_secret_arn
        self.function = lambda_.Function(
            self, "Function",
            description="Reports blind, orphaned, stuck alarms and unwatched endpoints when they change",
            runtime=lambda_.Runtime.PYTHON_3_12,
            architecture=lambda_.Architecture.ARM_64,
            handler="watchdog.lambda_handler",
            code=lambda_.Code.from_asset(str(LAMBDAS_DIR), exclude=ASSET_EXCLUDE),
            layers=[layer],
            role=self.role,
            log_group=self.log_group,
            timeout=Duration.seconds(120),
            memory_size=256,
            environment=environment,
            # A missed run is made good by the next one (the state is saved only after delivery).
            retry_attempts=0,
        )
        self.function.node.default_child.add_metadata("cfn-lint", {"config": {"ignore_checks": ["W3005"]}})
        Validations.of(self.function).acknowledge(Acknowledgment(
            id="AwsSolutions::AwsSolutions-L1",
            reason="Python 3.12 on purpose, as the advisor: the Powertools public layer is resolved for "
                   "python3.12/arm64 and the package is tested on it."))
        self._grant(config, advisor, notifications)
        events.Rule(self, "Schedule", description=f"Coverage check of {config.alarm_prefix}* alarms",
                    schedule=events.Schedule.expression(config.watchdog_schedule),
                    targets=[targets.LambdaFunction(self.function, retry_attempts=0)])

    def _grant(self, config: Config, advisor: Advisor, notifications: Notifications) -> None:
        """Least privilege: DescribeAlarms on the stack's alarms only, DescribeEndpoint on the watched endpoints
        (the advisor's policies), endpoint-wide reads only when the discover filter needs them."""
        stack = Stack.of(self)
        self.log_group.grant_write(self.role)
        alarms = stack.format_arn(service="cloudwatch", resource="alarm", resource_name=f"{config.alarm_prefix}*",
                                  arn_format=ArnFormat.COLON_RESOURCE_NAME)
        any_endpoint = stack.format_arn(service="sagemaker", resource="endpoint", resource_name="*")
        statements = [
            iam.PolicyStatement(actions=["cloudwatch:DescribeAlarms"], resources=[alarms]),
            iam.PolicyStatement(actions=list(UNSCOPED_ACTIONS), resources=["*"]),
            iam.PolicyStatement(actions=["sns:Publish"], resources=[notifications.topic.topic_arn]),
            iam.PolicyStatement(actions=["kms:Decrypt", "kms:GenerateDataKey"], resources=[notifications.key.key_arn]),
            iam.PolicyStatement(actions=["dynamodb:GetItem", "dynamodb:PutItem"], resources=[advisor.table.table_arn],
                                conditions={"ForAllValues:StringEquals": {
                                    "dynamodb:LeadingKeys": [f"{STATE_KEY_PREFIX}{config.alarm_prefix}"]}}),
        ]
        discover = config.discover
        if discover is not None and discover.needs_tags:
            statements.append(iam.PolicyStatement(actions=["sagemaker:ListTags"], resources=[any_endpoint]))
        if discover is not None and discover.needs_kind:
            statements += [
                iam.PolicyStatement(actions=["sagemaker:DescribeEndpoint"], resources=[any_endpoint]),
                # Only the model tells multi-model from real-time; their names are known at run time only.
                iam.PolicyStatement(actions=["sagemaker:DescribeEndpointConfig", "sagemaker:DescribeModel"],
                                    resources=[stack.format_arn(service="sagemaker", resource=resource,
                                                                resource_name="*")
                                               for resource in ("endpoint-config", "model")])]
        if notifications.slack_secret_arn:
            statements.append(iam.PolicyStatement(actions=["secretsmanager:GetSecretValue"],
                                                  resources=[notifications.slack_secret_arn]))
        for statement in statements:
            self.role.add_to_policy(statement)
        for policy in advisor.describe_endpoint_policies:
            policy.attach_to_role(self.role)
        reason = ("GetMetricData and ListEndpoints have no resource type in the Service Authorization Reference, so "
                  "IAM needs Resource *; DescribeAlarms is limited to this stack's alarm-name prefix; ListTags and "
                  "DescribeEndpoint (with DescribeEndpointConfig, DescribeModel) on endpoint/* (endpoint-config/*, "
                  "model/*) only when the discover filter names tags or kinds, since the endpoints it must judge "
                  "are only known at run time.")
        findings = ["Resource::*",
                    f"Resource::arn:<AWS::Partition>:cloudwatch:<AWS::Region>:<AWS::AccountId>:alarm:"
                    f"{config.alarm_prefix}*",
                    *(f"Resource::arn:<AWS::Partition>:sagemaker:<AWS::Region>:<AWS::AccountId>:{kind}/*"
                      for kind in ("endpoint", "endpoint-config", "model"))]
        Validations.of(self.role).acknowledge(*(
            Acknowledgment(id=f"AwsSolutions::AwsSolutions-IAM5[{finding}]", reason=reason) for finding in findings))


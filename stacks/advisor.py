"""The advisor Lambda, the one EventBridge route to it, its idempotency table and its dead-letter queue."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from aws_cdk import Acknowledgment, Duration, RemovalPolicy, Stack, Validations
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from stacks.alarms import alarm_stack_slot
from stacks.config import Config, ConfigError
from stacks.notifications import Notifications

LAMBDAS_DIR = Path(__file__).resolve().parent.parent / "lambdas"
# The CLI is not part of the Lambda, and bytecode caches would change the asset hash for nothing.
ASSET_EXCLUDE = ["advisor/cli.py", "advisor/coverage_cli.py", "**/__pycache__", "**/*.pyc"]
# The Lambda's Python. `make setup` builds .venv with the same one (Makefile LAMBDA_PYTHON), so the tests run the
# advisor on what production runs; tests/test_runtime_parity.py holds the two, and the Powertools layer, together.
RUNTIME = lambda_.Runtime.PYTHON_3_13
POWERTOOLS_PARAMETER = f"/aws/service/powertools/python/arm64/{RUNTIME.name}/{{version}}"
SERVICE_NAME = "latency-advisor"
METRICS_NAMESPACE = "SageMakerLatencyAdvisor"

# IAM's limit on a managed policy's size; the document around the ARNs takes far less than the overhead.
POLICY_CHARS = 6_144
POLICY_OVERHEAD_CHARS = 300
# DescribeEndpoint is granted in this many customer-managed policies whatever the fleet (a role takes 10), so the
# resource count never grows with it. It divides ALARM_STACKS, so each policy takes the same share of hash slots.
# Fixed for the life of a deployment: changing it regroups every ARN.
DESCRIBE_ENDPOINT_POLICIES = 8
# IAM needs a resource in every statement, and a policy may have no endpoint in its group. SageMaker endpoint
# names match ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}, so `endpoint/.none` can never exist: granting on it grants nothing.
NO_ENDPOINT = ".none"
# The fullest of the hash groups reaches the size limit at about 85 % of an even share (simulated on random names).
HASH_FILL = 0.85
# Read-only actions that take no resource ARN, granted on "*" in one statement (see _grant).
# cloudwatch:ListMetrics: the one GetMetricData call carries SEARCH expressions for per-instance series (enhanced
# metrics; advisor.catalogue.PER_INSTANCE). AWS's pages do not say whether a search inside GetMetricData needs it;
# a denied search would cost the whole call, every metric of the diagnosis, so the read-only action is granted.
UNSCOPED_ACTIONS = ("cloudwatch:GetMetricData", "cloudwatch:ListMetrics",
                    "application-autoscaling:DescribeScalableTargets",
                    "application-autoscaling:DescribeScalingPolicies",
                    "application-autoscaling:DescribeScalingActivities")
# The wildcard resources the advisor needs (see _grant), as cdk-nag names its findings.
WILDCARD_FINDINGS = ("Resource::*",
                     "Resource::arn:<AWS::Partition>:sagemaker:<AWS::Region>:<AWS::AccountId>:endpoint-config/*",
                     "Resource::arn:<AWS::Partition>:sagemaker:<AWS::Region>:<AWS::AccountId>:model/*")
# The longest partition/region/account an ARN can resolve to, so the size estimate never falls short.
LONGEST_ENDPOINT_ARN_PREFIX = "arn:aws-us-gov:sagemaker:ap-southeast-5:123456789012:endpoint/"
LONGEST_COMPONENT_ARN_PREFIX = "arn:aws-us-gov:sagemaker:ap-southeast-5:123456789012:inference-component/"


def lambda_code() -> lambda_.Code:
    """The Lambda's code: lambdas/ without the CLI (tests/test_packaging.py lists what this ships)."""
    return lambda_.Code.from_asset(str(LAMBDAS_DIR), exclude=ASSET_EXCLUDE)


def describe_endpoint_groups(names: Iterable[str]) -> list[list[str]]:
    """Endpoint names (lower-cased, once each) per DescribeEndpoint policy: the name's hash slot % policy count.

    A name's policy depends on that name alone, so adding or removing an endpoint changes only its own policy.
    """
    groups: list[list[str]] = [[] for _ in range(DESCRIBE_ENDPOINT_POLICIES)]
    # SageMaker names are case-insensitive and it authorizes against the lower-cased endpoint ARN.
    for name in dict.fromkeys(name.lower() for name in names):
        groups[alarm_stack_slot(name) % DESCRIBE_ENDPOINT_POLICIES].append(name)
    return groups


def _arn_chars(name_length: int, prefix: str) -> int:
    """One ARN in a policy's Resource list at its longest, quotes and comma included."""
    return len(prefix) + name_length + 3


def policy_chars(names: list[str], prefix: str = LONGEST_ENDPOINT_ARN_PREFIX) -> int:
    """Size of a Describe* policy on these names, its ARNs at their longest."""
    return POLICY_OVERHEAD_CHARS + sum(_arn_chars(len(name), prefix) for name in names)


def arns_per_policy(names: list[str], prefix: str = LONGEST_ENDPOINT_ARN_PREFIX) -> int:
    """How many ARNs with names as long as these (on average) fit one managed policy."""
    return (POLICY_CHARS - POLICY_OVERHEAD_CHARS) // _arn_chars(round(sum(map(len, names)) / len(names)), prefix)


def fleet_capacity(names: list[str]) -> int:
    """Roughly how many endpoints with names as long as these one stack takes before a DescribeEndpoint policy is
    full.

    About 490 with 16-character names, 415 with 30 and 300 with 63 (the longest SageMaker allows).
    """
    return round(HASH_FILL * DESCRIBE_ENDPOINT_POLICIES * arns_per_policy(names))


class Advisor(Construct):
    """Everything between an alarm state change and a published diagnosis."""

    def __init__(self, scope: Construct, construct_id: str, config: Config, notifications: Notifications) -> None:
        super().__init__(scope, construct_id)
        self.dead_letters = sqs.Queue(
            self, "DeadLetters",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=Duration.days(14),
        )
        Validations.of(self.dead_letters).acknowledge(Acknowledgment(
            id="AwsSolutions::AwsSolutions-SQS3",
            reason="This queue is itself the dead-letter destination of the advisor and its EventBridge route."))
        self.table = dynamodb.Table(
            self, "Idempotency",
            partition_key=dynamodb.Attribute(name="id", type=dynamodb.AttributeType.STRING),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            time_to_live_attribute="expiration",
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True),
            # Records live minutes (Powertools idempotency); nothing to keep when the stack goes.
            removal_policy=RemovalPolicy.DESTROY,
        )
        # The stack's own logs go with it on `cdk destroy` (CDK's default would keep the group, orphaned).
        self.log_group = logs.LogGroup(self, "Logs", retention=logs.RetentionDays.ONE_MONTH,
                                       removal_policy=RemovalPolicy.DESTROY)
        self.role = iam.Role(self, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
                             description="SageMaker latency advisor: read evidence, publish diagnoses")
        self.function = lambda_.Function(
            self, "Function",
            description="Diagnoses SageMaker latency alarms and posts the findings",
            runtime=RUNTIME,
            architecture=lambda_.Architecture.ARM_64,
            handler="handler.handler",
            code=lambda_code(),
            layers=[self._powertools_layer(config.advisor.powertools_version)],
            role=self.role,
            log_group=self.log_group,
            timeout=Duration.seconds(60),
            memory_size=256,
            reserved_concurrent_executions=config.advisor.reserved_concurrency,
            environment=self._environment(notifications),
            # Lambda retries a failed diagnosis twice, then keeps the event in the dead-letter queue.
            retry_attempts=2,
            max_event_age=Duration.hours(6),
            on_failure=destinations.SqsDestination(self.dead_letters),
        )
        # CDK makes the function depend on its role, which its Role property already implies (cfn-lint W3005).
        self.function.node.default_child.add_metadata("cfn-lint", {"config": {"ignore_checks": ["W3005"]}})
        Validations.of(self.function).acknowledge(Acknowledgment(
            id="AwsSolutions::AwsSolutions-L1",
            reason="Python 3.13 on purpose: the tests run on Python 3.13 (make setup builds .venv with it) and the "
                   "Powertools public layer is resolved for python3.13/arm64; python3.14 waits for a 3.14 "
                   "interpreter in development, and then the runtime, the venv and the layer move together."))
        self._grant(config, notifications)
        self._route(config)
        self._dead_letter_alarm(config, notifications)

    def _powertools_layer(self, version: str) -> lambda_.ILayerVersion:
        # Resolved by CloudFormation at deploy time: no account lookup at synth, no Docker build.
        arn = ssm.StringParameter.value_for_string_parameter(
            self, POWERTOOLS_PARAMETER.format(version=version))
        return lambda_.LayerVersion.from_layer_version_arn(self, "Powertools", arn)

    def _environment(self, notifications: Notifications) -> dict[str, str]:
        environment = {
            "TOPIC_ARN": notifications.topic.topic_arn,
            "IDEMPOTENCY_TABLE": self.table.table_name,
            "POWERTOOLS_SERVICE_NAME": SERVICE_NAME,
            "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
        }
        if notifications.slack_secret_arn:
            environment["SLACK_SECRET_ARN"] = notifications.slack_secret_arn
        return environment

    def _grant(self, config: Config, notifications: Notifications) -> None:
        """Least privilege: every action named, every resource scoped where the API allows it."""
        stack = Stack.of(self)
        self.log_group.grant_write(self.role)
        statements = [
            iam.PolicyStatement(
                actions=["sagemaker:DescribeEndpointConfig", "sagemaker:DescribeModel"],
                # Config and model names are only known once the endpoint is described.
                resources=[stack.format_arn(service="sagemaker", resource="endpoint-config", resource_name="*"),
                           stack.format_arn(service="sagemaker", resource="model", resource_name="*")]),
            # None of these supports resource-level permissions: the Service Authorization Reference lists no
            # resource type for them, so IAM requires "*" (https://docs.aws.amazon.com/service-authorization/
            # latest/reference/list_amazoncloudwatch.html and .../list_awsapplicationautoscaling.html). The advisor
            # reads scaling policies and activities only for a variant that has a scalable target.
            iam.PolicyStatement(actions=list(UNSCOPED_ACTIONS), resources=["*"]),
            iam.PolicyStatement(actions=["sns:Publish"], resources=[notifications.topic.topic_arn]),
            iam.PolicyStatement(actions=["kms:Decrypt", "kms:GenerateDataKey"],
                                resources=[notifications.key.key_arn]),
            iam.PolicyStatement(
                actions=["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"],
                resources=[self.table.table_arn]),
        ]
        if notifications.slack_secret_arn:
            statements.append(iam.PolicyStatement(actions=["secretsmanager:GetSecretValue"],
                                                  resources=[notifications.slack_secret_arn]))
        for statement in statements:
            self.role.add_to_policy(statement)
        self._describe_endpoint_policies(config)
        self._describe_component_policy(config)
        reason = (f"{', '.join(UNSCOPED_ACTIONS)} support no resource-level permissions (Service Authorization "
                  "Reference), so IAM needs Resource *; endpoint-config/* and model/* because their names are only "
                  "known from DescribeEndpoint at run time.")
        Validations.of(self.role).acknowledge(*(
            Acknowledgment(id=f"AwsSolutions::AwsSolutions-IAM5[{finding}]", reason=reason)
            for finding in WILDCARD_FINDINGS))

    def _describe_endpoint_policies(self, config: Config) -> None:
        """DescribeEndpoint on exactly the watched endpoints, in DESCRIBE_ENDPOINT_POLICIES managed policies.

        Fails synth when a policy would pass IAM's 6,144 characters: roughly 415 endpoints with 30-character
        names (300 with 63), see fleet_capacity; the way out is several stacks.
        """
        stack = Stack.of(self)
        self.describe_endpoint_policies: list[iam.ManagedPolicy] = []  # the watchdog's role takes them too
        names = [endpoint.name for endpoint in config.endpoints]
        for index, group in enumerate(describe_endpoint_groups(names)):
            if policy_chars(group) > POLICY_CHARS:
                raise ConfigError(
                    f"{config.source}: endpoints: DescribeEndpoint policy {index} would hold {len(group)} endpoint "
                    f"ARNs, up to {policy_chars(group):,} characters, over IAM's {POLICY_CHARS:,} per managed "
                    f"policy (one stack takes roughly {fleet_capacity(names)} endpoints with names this "
                    f"long); split the endpoints into several config files, each deployed with its own stack_name")
            policy = iam.ManagedPolicy(self, f"DescribeEndpoints{index}", roles=[self.role], statements=[
                iam.PolicyStatement(actions=["sagemaker:DescribeEndpoint"], resources=[
                    stack.format_arn(service="sagemaker", resource="endpoint", resource_name=name)
                    for name in group or [NO_ENDPOINT]])])
            self.function.node.add_dependency(policy)
            self.describe_endpoint_policies.append(policy)

    def _describe_component_policy(self, config: Config) -> None:
        """DescribeInferenceComponent on exactly the watched inference components (none: no policy).

        The advisor finds an IC's endpoint with DescribeInferenceComponent and never lists ICs, so
        ListInferenceComponents is not granted. One policy (the role takes 10 managed policies, 8 are the
        endpoints'): about 55 ICs with 30-character names, 42 with 63; past IAM's 6,144 characters synth fails
        with the way out.
        """
        stack = Stack.of(self)
        names = sorted({component.name for endpoint in config.endpoints for component in endpoint.components})
        if not names:
            return
        size = policy_chars(names, LONGEST_COMPONENT_ARN_PREFIX)
        if size > POLICY_CHARS:
            fits = arns_per_policy(names, LONGEST_COMPONENT_ARN_PREFIX)
            raise ConfigError(
                f"{config.source}: endpoints: the DescribeInferenceComponent policy would hold {len(names)} inference "
                f"component ARNs, up to {size:,} characters, over IAM's {POLICY_CHARS:,} per managed policy (one "
                f"stack takes about {fits} inference components with names this long); split the endpoints into "
                "several config files, each deployed with its own stack_name")
        policy = iam.ManagedPolicy(self, "DescribeInferenceComponents", roles=[self.role], statements=[
            iam.PolicyStatement(actions=["sagemaker:DescribeInferenceComponent"], resources=[
                stack.format_arn(service="sagemaker", resource="inference-component", resource_name=name)
                for name in names])])
        self.function.node.add_dependency(policy)

    def _route(self, config: Config) -> None:
        """One rule for all alarms: a name-prefix match, so its size does not grow with the alarm count."""
        rule = events.Rule(
            self, "AlarmStateChange",
            description=f"ALARM and back-to-OK transitions of {config.alarm_prefix}* alarms to the advisor",
            event_pattern=events.EventPattern(
                source=["aws.cloudwatch"],
                detail_type=["CloudWatch Alarm State Change"],
                detail={
                    "alarmName": [{"prefix": config.alarm_prefix}],
                    # OK only when leaving ALARM: new alarms go INSUFFICIENT_DATA -> OK on every deploy.
                    "$or": [{"state": {"value": ["ALARM"]}},
                            {"state": {"value": ["OK"]}, "previousState": {"value": ["ALARM"]}}],
                },
            ),
        )
        rule.add_target(targets.LambdaFunction(
            self.function, dead_letter_queue=self.dead_letters,
            retry_attempts=8, max_event_age=Duration.hours(2)))

    def _dead_letter_alarm(self, config: Config, notifications: Notifications) -> None:
        # Named outside the endpoint-alarm prefix so the advisor is never asked to diagnose its own failures.
        alarm = cw.Alarm(
            self, "DeadLettersAlarm",
            alarm_name=f"{config.stack_name}-advisor-dead-letters",
            alarm_description=("Alarm events the advisor failed to handle wait in its dead-letter queue (14 days): "
                               "read the advisor's logs, fix the cause, then re-send each message's event."),
            metric=self.dead_letters.metric_approximate_number_of_messages_visible(
                period=Duration.minutes(1), statistic="Maximum"),
            threshold=0,
            comparison_operator=cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluation_periods=1,
            treat_missing_data=cw.TreatMissingData.NOT_BREACHING,
        )
        alarm.add_alarm_action(cw_actions.SnsAction(notifications.topic))

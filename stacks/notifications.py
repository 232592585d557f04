"""Where diagnoses go: a KMS-encrypted, TLS-only SNS topic, e-mail subscriptions, the Slack webhook secret."""

from __future__ import annotations

from aws_cdk import Acknowledgment, CfnOutput, RemovalPolicy, SecretValue, Validations
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from stacks.config import Notify

# Not a URL on purpose: the advisor treats anything but a Slack webhook URL as "Slack not set up yet".
SLACK_PLACEHOLDER = "REPLACE_WITH_SLACK_WEBHOOK_URL"


class Notifications(Construct):
    """The topic (and its key) every diagnosis is published to, plus the optional Slack webhook secret."""

    def __init__(self, scope: Construct, construct_id: str, notify: Notify) -> None:
        super().__init__(scope, construct_id)
        # Nothing outlives the topic that needs this key, so `cdk destroy` schedules its deletion (CDK's default
        # would keep it, and its monthly charge, forever).
        self.key = kms.Key(self, "TopicKey", enable_key_rotation=True, removal_policy=RemovalPolicy.DESTROY,
                           description="Encrypts the SageMaker latency advisor's SNS topic")
        # CloudWatch alarms (the dead-letter depth alarm) publish to the topic and so need the key.
        self.key.add_to_resource_policy(iam.PolicyStatement(
            sid="AllowCloudWatchAlarmsToPublish",
            principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
            actions=["kms:Decrypt", "kms:GenerateDataKey"],
            resources=["*"],
        ))
        self.topic = sns.Topic(self, "Topic", display_name="SageMaker latency advisor",
                               master_key=self.key, enforce_ssl=True)
        for email in notify.email:
            self.topic.add_subscription(subscriptions.EmailSubscription(email))
        CfnOutput(self, "TopicArn", value=self.topic.topic_arn, description="Diagnoses are published here")

        self.slack_secret_arn = notify.slack_secret_arn
        if notify.slack:
            secret = secretsmanager.Secret(
                self, "SlackWebhook",
                description="Slack incoming-webhook URL for the SageMaker latency advisor (put the URL in)",
                secret_string_value=SecretValue.unsafe_plain_text(SLACK_PLACEHOLDER),
            )
            Validations.of(secret).acknowledge(Acknowledgment(
                id="AwsSolutions::AwsSolutions-SMG4",
                reason="A Slack webhook URL is issued by Slack and cannot be rotated by a Lambda rotator; "
                       "rotate it in Slack and put the new URL in the secret."))
            self.slack_secret_arn = secret.secret_arn
            CfnOutput(self, "SlackWebhookSecretArn", value=secret.secret_arn,
                      description="Put the Slack webhook URL into this secret")

"""What moto 5.2.5's CloudFormation lacks for `cdk bootstrap` / `cdk deploy` / `cdk destroy` of this app.

Patched in by standin.moto_gaps.gaps_applied (CLOUDFORMATION_PATCHES) only while a stand-in server or world is open.
Each fix names the gap it fills and the moto version it was written for; resource handlers call moto's own
service backends, so what CloudFormation creates is what the service APIs then describe.
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
from datetime import UTC, datetime
from typing import Any, cast
from urllib.parse import urlparse

from moto.awslambda.exceptions import UnknownEventConfig, UnknownFunctionException
from moto.awslambda.models import LambdaFunction, lambda_backends
from moto.cloudformation import models as cfn_models
from moto.cloudformation import parsing as cfn_parsing
from moto.cloudformation import responses as cfn_responses
from moto.cloudformation import utils as cfn_utils
from moto.cloudformation.exceptions import CloudFormationError, UnformattedGetAttTemplateException
from moto.cloudformation.models import ChangeSet, CloudFormationBackend, Stack
from moto.cloudwatch.models import cloudwatch_backends
from moto.dynamodb.models import dynamodb_backends
from moto.dynamodb.models.table import Table
from moto.iam.models import ManagedPolicy
from moto.secretsmanager.models import secretsmanager_backends
from moto.sns.models import sns_backends
from moto.sqs.models import sqs_backends
from moto.ssm.models import Parameter, ParameterDict
from moto.utilities.utils import get_partition

_ORIGINAL_GET_STACK_FROM_S3_URL = cfn_utils.get_stack_from_s3_url


# -- 1. Template URLs --

def _get_stack_from_s3_url(template_url: str, account_id: str, partition: str) -> str:
    # moto 5.2.5 reads path-style bucket names only from localhost URLs; the CDK hands it http://127.0.0.1:PORT/b/k.
    parts = urlparse(template_url)
    if parts.hostname in ("127.0.0.1", "::1"):
        template_url = parts._replace(netloc=f"localhost:{parts.port}").geturl()
    return _ORIGINAL_GET_STACK_FROM_S3_URL(template_url, account_id, partition)


# -- 2. Public parameters --

# What AWS publishes in every account and region: the Powertools for AWS Lambda (Python) layer, per version.
_POWERTOOLS_PARAMETER = re.compile(r"/aws/service/powertools/python/(?P<arch>arm64|x86_64)/python(?P<py>3\.\d+)/[^/]+")
# An empty zip file: the layer's content never runs in the stand-in.
_EMPTY_ZIP = base64.b64encode(b"PK\x05\x06" + bytes(18)).decode()
_ORIGINAL_CHECK_LOADING_STATUS = ParameterDict._check_loading_status


def _check_loading_status(self: ParameterDict, key: str) -> None:
    # moto 5.2.5 has no /aws/service/powertools/ parameters and refuses /aws/ names in PutParameter: publish the
    # layer the parameter names (in the caller's account: moto resolves a function's layers there) on first read.
    _ORIGINAL_CHECK_LOADING_STATUS(self, key)
    match = _POWERTOOLS_PARAMETER.fullmatch(str(key or ""))
    if match is None or dict.__contains__(self, key):
        return
    layer = lambda_backends[self.account_id][self.region_name].publish_layer_version({
        "LayerName": f"AWSLambdaPowertoolsPythonV3-python{match['py'].replace('.', '')}-{match['arch']}",
        "Description": f"Powertools for AWS Lambda (Python) [{match['arch']}] stand-in for {key}",
        "Content": {"ZipFile": _EMPTY_ZIP}, "CompatibleArchitectures": [match["arch"]],
        "CompatibleRuntimes": [f"python{match['py']}"]})
    dict.__setitem__(self, key, [])
    # moto's Parameter declares CloudFormation hooks abstract it never uses for SSM reads.
    dict.__getitem__(self, key).append(cast(Any, Parameter)(
        account_id=self.account_id, name=key, value=layer.arn, parameter_type="String", description=None,
        allowed_pattern=None, keyid=None, last_modified_date=datetime.now(UTC), version=1, data_type="text"))


# -- 3. Resource types moto's CloudFormation skips (their Ref would be None) --

class _Resource:
    """A resource moto 5.2.5's CloudFormation lacks, made through moto's own service backend.

    It has what moto's ResourceMap asks of a model: physical_resource_id (Ref), get_cfn_attribute (Fn::GetAtt),
    is_created, delete; create/update_from_cloudformation_json as classmethods.
    """

    TYPE = ""
    ATTRIBUTES: tuple[str, ...] = ()

    def __init__(self, physical_resource_id: str, properties: dict[str, Any],
                 attributes: dict[str, Any] | None = None) -> None:
        self.physical_resource_id = physical_resource_id
        self.properties = properties
        self.attributes = attributes or {}

    @classmethod
    def has_cfn_attr(cls, attribute: str) -> bool:
        return attribute in cls.ATTRIBUTES

    def get_cfn_attribute(self, attribute: str) -> Any:
        if attribute not in self.attributes:
            raise UnformattedGetAttTemplateException()
        return self.attributes[attribute]

    def is_created(self) -> bool:
        return True

    @classmethod
    def create_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any],
                                        account_id: str, region_name: str, **kwargs: Any) -> _Resource:
        return cls.create(resource_name, cloudformation_json.get("Properties") or {}, account_id, region_name)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource: _Resource, new_resource_name: str,
                                        cloudformation_json: dict[str, Any], account_id: str,
                                        region_name: str) -> _Resource:
        """Replace: delete the old resource, create the new one (types that update in place override this)."""
        original_resource.delete(account_id, region_name)
        return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)

    @classmethod
    def create(cls, name: str, properties: dict[str, Any], account_id: str, region_name: str) -> _Resource:
        raise NotImplementedError

    def delete(self, account_id: str, region_name: str) -> None:
        raise NotImplementedError


class Alarm(_Resource):
    """AWS::CloudWatch::Alarm through PutMetricAlarm; updated in place while its name stays."""

    TYPE = "AWS::CloudWatch::Alarm"
    ATTRIBUTES = ("Arn",)

    @classmethod
    def create(cls, name: str, properties: dict[str, Any], account_id: str, region_name: str) -> _Resource:
        name = properties.get("AlarmName") or name
        backend: Any = cloudwatch_backends[account_id][region_name]  # optional properties are None, as moto takes them
        alarm = backend.put_metric_alarm(
            name=name, namespace=properties.get("Namespace"), metric_name=properties.get("MetricName"),
            comparison_operator=properties["ComparisonOperator"],
            evaluation_periods=int(properties["EvaluationPeriods"]),
            period=int(properties["Period"]) if "Period" in properties else None,
            threshold=float(properties["Threshold"]) if "Threshold" in properties else None,
            statistic=properties.get("Statistic"), extended_statistic=properties.get("ExtendedStatistic"),
            description=properties.get("AlarmDescription"), dimensions=properties.get("Dimensions") or [],
            alarm_actions=properties.get("AlarmActions") or [], ok_actions=properties.get("OKActions") or [],
            insufficient_data_actions=properties.get("InsufficientDataActions") or [],
            datapoints_to_alarm=int(properties["DatapointsToAlarm"]) if "DatapointsToAlarm" in properties else None,
            unit=properties.get("Unit"), actions_enabled=properties.get("ActionsEnabled", True) in (True, "true"),
            treat_missing_data=properties.get("TreatMissingData"),
            evaluate_low_sample_count_percentile=properties.get("EvaluateLowSampleCountPercentile"),
            threshold_metric_id=properties.get("ThresholdMetricId"), tags=properties.get("Tags") or [])
        return cls(name, properties, {"Arn": alarm.alarm_arn})

    @classmethod
    def update_from_cloudformation_json(cls, original_resource: _Resource, new_resource_name: str,
                                        cloudformation_json: dict[str, Any], account_id: str,
                                        region_name: str) -> _Resource:
        properties = cloudformation_json.get("Properties") or {}
        name = properties.get("AlarmName") or original_resource.physical_resource_id
        if name != original_resource.physical_resource_id:  # a new name replaces the alarm
            original_resource.delete(account_id, region_name)
        return cls.create(name, properties, account_id, region_name)

    def delete(self, account_id: str, region_name: str) -> None:
        cloudwatch_backends[account_id][region_name].delete_alarms([self.physical_resource_id])


class Secret(_Resource):
    """AWS::SecretsManager::Secret through CreateSecret; Ref is its ARN."""

    TYPE = "AWS::SecretsManager::Secret"
    ATTRIBUTES = ("Id",)

    @classmethod
    def create(cls, name: str, properties: dict[str, Any], account_id: str, region_name: str) -> _Resource:
        backend = secretsmanager_backends[account_id][region_name]
        backend.create_secret(
            name=properties.get("Name") or name, secret_string=properties.get("SecretString"), secret_binary=None,
            description=properties.get("Description"), tags=properties.get("Tags") or [],
            kms_key_id=properties.get("KmsKeyId"), client_request_token=None,
            replica_regions=properties.get("ReplicaRegions") or [], force_overwrite=False)
        arn = backend.describe_secret(properties.get("Name") or name).arn
        return cls(arn, properties, {"Id": arn})

    def delete(self, account_id: str, region_name: str) -> None:
        secretsmanager_backends[account_id][region_name].delete_secret(
            self.physical_resource_id, recovery_window_in_days=None, force_delete_without_recovery=True)


class Subscription(_Resource):
    """AWS::SNS::Subscription through Subscribe; Ref is the subscription ARN."""

    TYPE = "AWS::SNS::Subscription"
    ATTRIBUTES = ("Arn",)

    @classmethod
    def create(cls, name: str, properties: dict[str, Any], account_id: str, region_name: str) -> _Resource:
        backend = sns_backends[account_id][region_name]
        subscription = backend.subscribe(properties["TopicArn"], properties["Endpoint"], properties["Protocol"])
        return cls(subscription.arn, properties, {"Arn": subscription.arn})

    def delete(self, account_id: str, region_name: str) -> None:
        sns_backends[account_id][region_name].unsubscribe(self.physical_resource_id)


class TopicPolicy(_Resource):
    """AWS::SNS::TopicPolicy through SetTopicAttributes(Policy)."""

    TYPE = "AWS::SNS::TopicPolicy"

    @classmethod
    def create(cls, name: str, properties: dict[str, Any], account_id: str, region_name: str) -> _Resource:
        backend = sns_backends[account_id][region_name]
        for topic_arn in properties["Topics"]:
            backend.set_topic_attribute(topic_arn, "policy", json.dumps(properties["PolicyDocument"]))
        return cls(name, properties)

    def delete(self, account_id: str, region_name: str) -> None:
        backend = sns_backends[account_id][region_name]
        for topic_arn in self.properties["Topics"]:
            if topic_arn in backend.topics:  # the topic may already be gone
                backend.topics[topic_arn]._policy_json = backend.topics[topic_arn]._create_default_topic_policy(
                    region_name, account_id, topic_arn.rsplit(":", 1)[-1])


class QueuePolicy(_Resource):
    """AWS::SQS::QueuePolicy through SetQueueAttributes(Policy)."""

    TYPE = "AWS::SQS::QueuePolicy"

    @classmethod
    def create(cls, name: str, properties: dict[str, Any], account_id: str, region_name: str) -> _Resource:
        backend = sqs_backends[account_id][region_name]
        for queue_url in properties["Queues"]:
            backend.set_queue_attributes(queue_url.rsplit("/", 1)[-1],
                                         {"Policy": json.dumps(properties["PolicyDocument"])})
        return cls(name, properties)

    def delete(self, account_id: str, region_name: str) -> None:
        backend = sqs_backends[account_id][region_name]
        for queue_url in self.properties["Queues"]:
            queue = backend.queues.get(queue_url.rsplit("/", 1)[-1])
            if queue is not None:  # the queue may already be gone
                queue.policy = None


class EventInvokeConfig(_Resource):
    """AWS::Lambda::EventInvokeConfig through PutFunctionEventInvokeConfig."""

    TYPE = "AWS::Lambda::EventInvokeConfig"

    @classmethod
    def create(cls, name: str, properties: dict[str, Any], account_id: str, region_name: str) -> _Resource:
        config: dict[str, Any] = {key: properties[key] for key in (
            "MaximumRetryAttempts", "MaximumEventAgeInSeconds", "DestinationConfig") if key in properties}
        for key in ("MaximumRetryAttempts", "MaximumEventAgeInSeconds"):
            if key in config:
                config[key] = int(config[key])
        function = properties["FunctionName"]
        lambda_backends[account_id][region_name].put_function_event_invoke_config(function, config)
        return cls(f"{function}:{properties.get('Qualifier', '$LATEST')}", properties)

    def delete(self, account_id: str, region_name: str) -> None:
        backend = lambda_backends[account_id][region_name]
        with contextlib.suppress(UnknownFunctionException, UnknownEventConfig):  # gone with its function
            backend.delete_function_event_invoke_config(self.properties["FunctionName"])


_HANDLERS: dict[str, type[_Resource]] = {handler.TYPE: handler for handler in (
    Alarm, Secret, Subscription, TopicPolicy, QueuePolicy, EventInvokeConfig)}
_ORIGINAL_RESOURCE_CLASS_FROM_TYPE = cfn_parsing.resource_class_from_type


def _resource_class_from_type(resource_type: str) -> Any:
    # moto 5.2.5 skips these types silently (Ref -> None); the handlers above make them.
    return _HANDLERS.get(resource_type) or _ORIGINAL_RESOURCE_CLASS_FROM_TYPE(resource_type)


# -- 4. Change sets and nested stacks --

class ChangeSetNotFound(CloudFormationError):
    code = "ChangeSetNotFound"

    def __init__(self, name: str) -> None:
        super().__init__(f"ChangeSet [{name}] does not exist")


def _find_change_set(backend: CloudFormationBackend, name: str) -> str:
    """The change set's id, by id or by name; ChangeSetNotFound (what AWS answers) when there is none."""
    if name in backend.change_sets:
        return name
    for change_set_id, change_set in backend.change_sets.items():
        if change_set.change_set_name == name:
            return change_set_id
    raise ChangeSetNotFound(name)


def _describe_change_set(self: CloudFormationBackend, change_set_name: str) -> ChangeSet:
    # moto 5.2.5 answers a missing change set with ValidationError "Stack with id ... does not exist", which the
    # CDK does not take for "gone" while it waits; AWS answers ChangeSetNotFound.
    return self.change_sets[_find_change_set(self, change_set_name)]


def _delete_change_set(self: CloudFormationBackend, change_set_name: str) -> None:
    # moto 5.2.5 fails with HTTP 500 (UnboundLocalError) on a missing change set; AWS deletes nothing and succeeds
    # (the CDK deletes `cdk-deploy-change-set` before every deploy, whether or not it exists).
    with contextlib.suppress(ChangeSetNotFound):
        del self.change_sets[_find_change_set(self, change_set_name)]


_ORIGINAL_CREATE_CHANGE_SET = CloudFormationBackend.create_change_set
_NO_CHANGES = ("The submitted information didn't contain changes. Submit different information to create a change "
               "set.")


def _unchanged(stack: Stack, template: str, parameters: dict[str, str]) -> bool:
    """Same template, same parameters, and every SSM-typed parameter still resolves to the value it had."""
    if not stack.has_template(template) or {**stack.stack_parameters, **parameters} != stack.stack_parameters:
        return False
    resolved = stack.resource_map.resolved_parameters
    return all(stack.resource_map.parse_ssm_parameter(name, "String") == resolved[key]
               for key in resolved if (name := _ssm_parameter_name(stack, key)) is not None)


def _create_change_set(self: CloudFormationBackend, stack_name: str, change_set_name: str, template: str,
                       parameters: dict[str, str], description: str, change_set_type: str,
                       **kwargs: Any) -> tuple[str, str]:
    # moto 5.2.5 sees changes in an unchanged stack whose SSM-typed parameters the CDK passes as UsePreviousValue
    # (it compares them with the create-time input); AWS fails such a change set as "didn't contain changes",
    # and the CDK then reports "(no changes)".
    change_set_id, stack_id = _ORIGINAL_CREATE_CHANGE_SET(
        self, stack_name, change_set_name, template, parameters, description, change_set_type, **kwargs)
    change_set = self.change_sets[change_set_id]
    if change_set_type == "UPDATE" and change_set.status != "FAILED" and _unchanged(change_set.stack, template,
                                                                                     parameters):
        change_set.status, change_set.execution_status = "FAILED", "UNAVAILABLE"
        change_set.status_reason = _NO_CHANGES
    return change_set_id, stack_id


def _apply_change_set(self: ChangeSet) -> None:
    # moto 5.2.5 updates the resources but not the stack's template or outputs (DescribeStacks shows none).
    stack = self.stack
    stack.template = self.template
    stack._parse_template()
    stack.resource_map.update(self.template_dict, self.parameters)
    stack.output_map = stack._create_output_map()
    stack.description = self.template_dict.get("Description")
    if self.parameters:
        stack.parameters = self.parameters


def _ssm_parameter_name(stack: Stack, key: str) -> str | None:
    """The SSM parameter name a template parameter of type AWS::SSM::Parameter::Value<...> was given, else None."""
    slot = (stack.template_dict.get("Parameters") or {}).get(key) or {}
    if not str(slot.get("Type", "")).startswith("AWS::SSM::Parameter::"):
        return None
    return stack.resource_map.input_parameters.get(key) or slot.get("Default")


def _stack_parameters(self: Stack) -> dict[str, Any]:
    # moto 5.2.5's UsePreviousValue hands back an SSM-typed parameter's resolved value (a layer ARN), which the
    # update then looks up in SSM as a parameter name and fails (HTTP 500); AWS keeps the name and resolves it again.
    return {key: _ssm_parameter_name(self, key) or value
            for key, value in self.resource_map.resolved_parameters.items()}


def _parameter_list(self: Stack) -> list[dict[str, Any]]:
    # moto 5.2.5 shows an SSM-typed parameter's resolved value as its ParameterValue, so the CDK sees the
    # parameter changed on every deploy and never skips an unchanged stack; AWS shows the parameter name there
    # and the value under ResolvedValue.
    listed = []
    for key, value in self.resource_map.resolved_parameters.items():
        entry = {"ParameterKey": key,
                 "ParameterValue": "****" if key in self.resource_map.no_echo_parameter_keys else value}
        name = _ssm_parameter_name(self, key)
        if name is not None:
            entry["ParameterValue"], entry["ResolvedValue"] = name, value
        listed.append(entry)
    return listed


def _update_nested_stack(cls: type[Stack], original_resource: Stack, new_resource_name: str,
                         cloudformation_json: dict[str, Any], account_id: str, region_name: str) -> Stack:
    # moto 5.2.5 updates an AWS::CloudFormation::Stack by deleting and re-creating it, so every alarm in a nested
    # stack whose template changed would be replaced; AWS updates the nested stack in place.
    properties = cloudformation_json["Properties"]
    template = _get_stack_from_s3_url(properties["TemplateURL"], account_id, get_partition(region_name))
    original_resource.update(template, parameters=properties.get("Parameters") or {})
    return original_resource


# -- 5. IAM managed policies --

def _delete_managed_policy(self: ManagedPolicy, account_id: str, region_name: str) -> None:
    # moto 5.2.5 cannot delete an AWS::IAM::ManagedPolicy (no delete), so its role is never detached and
    # `cdk destroy` fails "Cannot delete entity, must detach all policies first"; AWS detaches, then deletes.
    backend = self.backend
    entity: Any
    for entity in (*backend.roles.values(), *backend.groups.values(), *backend.users.values()):
        if self.arn in entity.managed_policies:
            self.detach_from(entity)
    backend.delete_policy(self.arn)


def _update_managed_policy(cls: type[ManagedPolicy], original_resource: ManagedPolicy, new_resource_name: str,
                           cloudformation_json: dict[str, Any], account_id: str, region_name: str) -> ManagedPolicy:
    # moto 5.2.5 cannot update an AWS::IAM::ManagedPolicy (the role keeps the old document, and the stack loses
    # track of the policy); AWS adds a new default version and re-attaches to the listed roles, groups, users.
    properties = cloudformation_json.get("Properties") or {}
    if properties.get("ManagedPolicyName", original_resource.name) != original_resource.name:
        cast(Any, original_resource).delete(account_id, region_name)  # _delete_managed_policy, patched in
        return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)
    backend = original_resource.backend
    for version in [v for v in original_resource.versions if not v.is_default]:
        backend.delete_policy_version(original_resource.arn, version.version_id)
    backend.create_policy_version(original_resource.arn, json.dumps(properties.get("PolicyDocument")),
                                  set_as_default=True)
    wanted = {"roles": set(properties.get("Roles") or []), "groups": set(properties.get("Groups") or []),
              "users": set(properties.get("Users") or [])}
    entities: dict[str, dict[str, Any]] = {"roles": {role.name: role for role in backend.roles.values()},
                "groups": dict(backend.groups), "users": dict(backend.users)}
    for kind, by_name in entities.items():
        for name, entity in by_name.items():
            attached = original_resource.arn in entity.managed_policies
            if attached and name not in wanted[kind]:
                original_resource.detach_from(entity)
            elif not attached and name in wanted[kind]:
                original_resource.attach_to(entity)
    return original_resource


# -- 6. Lambda functions --

_ORIGINAL_CREATE_FUNCTION = getattr(LambdaFunction.create_from_cloudformation_json, "__func__")  # noqa: B009


def _create_function(cls: type[LambdaFunction], resource_name: str, cloudformation_json: dict[str, Any],
                     account_id: str, region_name: str, **kwargs: Any) -> LambdaFunction:
    # moto 5.2.5 drops an AWS::Lambda::Function's Layers and Architectures (x86_64, no layer); AWS keeps them,
    # and a layer version that does not exist fails the create.
    function = _ORIGINAL_CREATE_FUNCTION(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
    properties = cloudformation_json["Properties"]
    function.layers = function._get_layers_data(properties.get("Layers") or [])
    function.architectures = properties.get("Architectures") or ["x86_64"]
    return function


# -- 7. DynamoDB tables --

_ORIGINAL_CREATE_TABLE = getattr(Table.create_from_cloudformation_json, "__func__")  # noqa: B009


def _create_table(cls: type[Table], resource_name: str, cloudformation_json: dict[str, Any], account_id: str,
                  region_name: str, **kwargs: Any) -> Table:
    # moto 5.2.5 drops an AWS::DynamoDB::Table's TimeToLiveSpecification and PointInTimeRecoverySpecification
    # (TTL and point-in-time recovery stay off); AWS turns them on as the template says.
    table = _ORIGINAL_CREATE_TABLE(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
    properties = cloudformation_json["Properties"]
    backend = dynamodb_backends[account_id][region_name]
    if properties.get("TimeToLiveSpecification"):
        ttl = properties["TimeToLiveSpecification"]
        backend.update_time_to_live(table.name, {"AttributeName": ttl.get("AttributeName"),
                                                 "Enabled": ttl.get("Enabled") in (True, "true")})
    recovery = (properties.get("PointInTimeRecoverySpecification") or {}).get("PointInTimeRecoveryEnabled")
    if recovery in (True, "true"):
        backend.update_continuous_backups(table.name, {"PointInTimeRecoveryEnabled": True})
    return table


CLOUDFORMATION_PATCHES: tuple[tuple[Any, str, Any], ...] = (
    (cfn_responses, "get_stack_from_s3_url", _get_stack_from_s3_url),
    (cfn_models, "get_stack_from_s3_url", _get_stack_from_s3_url),
    (ParameterDict, "_check_loading_status", _check_loading_status),
    (cfn_parsing, "resource_class_from_type", _resource_class_from_type),
    (CloudFormationBackend, "create_change_set", _create_change_set),
    (CloudFormationBackend, "describe_change_set", _describe_change_set),
    (CloudFormationBackend, "delete_change_set", _delete_change_set),
    (ChangeSet, "apply", _apply_change_set),
    (Stack, "stack_parameters", property(_stack_parameters)),
    (Stack, "update_from_cloudformation_json", classmethod(_update_nested_stack)),
    (Stack, "parameter_list", property(_parameter_list)),
    (ManagedPolicy, "delete", _delete_managed_policy),
    (LambdaFunction, "create_from_cloudformation_json", classmethod(_create_function)),
    (Table, "create_from_cloudformation_json", classmethod(_create_table)),
    (ManagedPolicy, "update_from_cloudformation_json", classmethod(_update_managed_policy)),
)

"""Replay worlds: the moto gap fixes, fault injection, and isolation between worlds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ReadTimeoutError
from moto import mock_aws
from moto.cloudwatch.models import CloudWatchBackend
from moto.sagemaker.models import FakeEndpointConfig
from moto.sagemaker.responses import SageMakerResponse
from standin_helpers import DIMENSIONS, ENDPOINT, ScenarioBuilder, datum, endpoint_setup

from standin.scenario import ScenarioError, load_scenario
from standin.server import StandinServer
from standin.world import World, replay_world

T = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
LATENCY = {"Unit": "Microseconds", "Values": [100.0, 200.0, 300.0, 400.0, 500.0], "Counts": [50, 30, 10, 5, 5]}


def open_world(document: dict[str, Any]) -> Any:
    return replay_world(load_scenario(document))


def metric_stat(name: str, stat: str, period: int = 60, namespace: str = "AWS/SageMaker",
                dimensions: list | None = None, **extra: Any) -> dict[str, Any]:
    return {"Metric": {"Namespace": namespace, "MetricName": name,
                       "Dimensions": DIMENSIONS if dimensions is None else dimensions},
            "Period": period, "Stat": stat, **extra}


def values(world: World, stat: dict[str, Any], start: datetime, end: datetime, **kwargs: Any) -> list[tuple]:
    """(seconds relative to T, value) of one GetMetricData query."""
    response = world.session.client("cloudwatch").get_metric_data(
        StartTime=start, EndTime=end, MetricDataQueries=[{"Id": "q", "MetricStat": stat}], **kwargs)
    [result] = response["MetricDataResults"]
    return [(int((t - T).total_seconds()), v) for t, v in zip(result["Timestamps"], result["Values"], strict=True)]


# -- CloudWatch metric data --

def test_percentiles_and_counts_through_get_metric_data(build: ScenarioBuilder) -> None:
    # Two datums in the same minute merge; numbers hand-computed in test_standin_statistics.
    split = [dict(LATENCY, Values=[100.0, 200.0], Counts=[50, 30]), dict(LATENCY, Values=[300.0, 400.0, 500.0],
                                                                          Counts=[10, 5, 5])]
    with open_world(build(setup=[datum("ModelLatency", -90, **split[0]), datum("ModelLatency", -70, **split[1])])) as w:
        window = (T - timedelta(minutes=5), T)
        expected = {"p50": 100.0, "p90": 300.0, "p95": 400.0, "p99": 500.0, "Average": 185.0, "Sum": 18500.0,
                    "SampleCount": 100.0, "Minimum": 100.0, "Maximum": 500.0, "tm90": 14000 / 90}
        for stat, value in expected.items():
            assert values(w, metric_stat("ModelLatency", stat), *window) == [(-120, pytest.approx(value))], stat


def test_statistic_sets_give_no_percentile_datapoint(build: ScenarioBuilder) -> None:
    stats = {"SampleCount": 10.0, "Sum": 1000.0, "Minimum": 50.0, "Maximum": 150.0}
    setup = [datum("ModelLatency", -300, StatisticValues=stats), datum("ModelLatency", -60, Value=70.0)]
    with open_world(build(setup=setup)) as w:
        window = (T - timedelta(minutes=10), T)
        assert values(w, metric_stat("ModelLatency", "Average"), *window) == [(-300, 100.0), (-60, 70.0)][::-1]
        assert values(w, metric_stat("ModelLatency", "p90"), *window) == [(-60, 70.0)]


def test_metric_identity_is_namespace_name_and_exact_dimensions(build: ScenarioBuilder) -> None:
    endpoint_only = [{"Name": "EndpointName", "Value": ENDPOINT}]
    setup = [datum("CPUUtilization", -60, namespace="/aws/sagemaker/Endpoints", Value=80.0),
             datum("CPUUtilization", -60, namespace="Other", Value=5.0),
             datum("CPUUtilization", -60, namespace="/aws/sagemaker/Endpoints", dimensions=endpoint_only, Value=1.0),
             datum("CPUUtilization", -60, namespace="/aws/sagemaker/Endpoints", Unit="Percent", Value=90.0)]
    with open_world(build(setup=setup)) as w:
        window = (T - timedelta(minutes=5), T)
        assert values(w, metric_stat("CPUUtilization", "Average", namespace="/aws/sagemaker/Endpoints"),
                      *window) == [(-60, 85.0)]
        assert values(w, metric_stat("CPUUtilization", "Average", namespace="/aws/sagemaker/Endpoints",
                                     dimensions=endpoint_only), *window) == [(-60, 1.0)]
        assert values(w, metric_stat("CPUUtilization", "Average", namespace="/aws/sagemaker/Endpoints",
                                     Unit="Percent"), *window) == [(-60, 90.0)]
        assert values(w, metric_stat("CPUUtilization", "Average", dimensions=[]), *window) == []


def test_start_rounded_down_end_exclusive_and_scan_order(build: ScenarioBuilder) -> None:
    setup = [datum("Invocations", offset, Value=float(offset)) for offset in (-600, -590, -300, -5, 0)]
    with open_world(build(setup=setup)) as w:
        stat = metric_stat("Invocations", "Sum", period=300)
        # StartTime T-10min+17s is rounded down to T-10min, so the datum at T-590s (and at -600) counts;
        # the datum at EndTime itself does not.
        start = T - timedelta(seconds=583)
        assert values(w, stat, start, T, ScanBy="TimestampAscending") == [(-600, -1190.0), (-300, -305.0)]
        assert values(w, stat, start, T) == [(-300, -305.0), (-600, -1190.0)]


def test_get_metric_data_rejects_what_cloudwatch_rejects(build: ScenarioBuilder) -> None:
    with open_world(build(setup=[datum("Invocations", -60, Value=1.0)])) as w:
        cloudwatch = w.session.client("cloudwatch")
        window = {"StartTime": T - timedelta(minutes=5), "EndTime": T}
        bad = [([{"Id": "Q1", "MetricStat": metric_stat("Invocations", "Sum")}], "ValidationError"),
               ([{"Id": "q", "MetricStat": metric_stat("Invocations", "Sum")},
                 {"Id": "q", "MetricStat": metric_stat("Invocations", "Sum")}], "ValidationError"),
               ([{"Id": "q", "MetricStat": metric_stat("Invocations", "p90x")}], "InvalidParameterValue"),
               ([{"Id": "e", "Expression": "SUM(METRICS())"}], "InvalidParameterValue"),
               ([{"Id": "e", "Expression": "SEARCH('{AWS/SageMaker,EndpointName} Invocations', 'Sum', 60)"}],
                "InvalidParameterValue")]
        for queries, code in bad:
            with pytest.raises(ClientError) as caught:
                cloudwatch.get_metric_data(MetricDataQueries=queries, **window)
            assert caught.value.response["Error"]["Code"] == code


def test_search_finds_series_with_exactly_the_schema_dimensions_and_labels_them(build: ScenarioBuilder) -> None:
    # Per-instance CPU of two instances, a per-GPU series (one more dimension), the variant-level series, and
    # another endpoint's instance: the search returns the two instances only, each named by its dynamic label.
    def instance(name: str, endpoint: str = ENDPOINT, **extra: str) -> list[dict[str, str]]:
        dims = {"EndpointName": endpoint, "VariantName": "AllTraffic", "InstanceId": name, **extra}
        return [{"Name": k, "Value": v} for k, v in dims.items()]
    space = "/aws/sagemaker/Endpoints"
    setup = [datum("CPUUtilization", -60, namespace=space, dimensions=instance("i-1"), Value=80.0),
             datum("CPUUtilization", -60, namespace=space, dimensions=instance("i-2"), Value=20.0),
             datum("CPUUtilization", -60, namespace=space, dimensions=instance("i-1", AcceleratorId="0"), Value=1.0),
             datum("CPUUtilization", -60, namespace=space, Value=50.0),
             datum("CPUUtilization", -60, namespace=space, dimensions=instance("i-9", endpoint="other"), Value=9.0),
             datum("GPUUtilization", -60, namespace=space, dimensions=instance("i-1"), Value=7.0)]
    with open_world(build(setup=setup)) as w:
        expression = (f'''SEARCH('{{"{space}",EndpointName,InstanceId,VariantName}} MetricName="CPUUtilization" '''
                      f'''EndpointName="{ENDPOINT}" VariantName="AllTraffic"', 'Average', 60)''')
        response = w.session.client("cloudwatch").get_metric_data(
            StartTime=T - timedelta(minutes=5), EndTime=T, ScanBy="TimestampAscending", MetricDataQueries=[
                {"Id": "s0", "Expression": expression, "Label": "${PROP('Dim.InstanceId')}"},
                {"Id": "q", "MetricStat": metric_stat("CPUUtilization", "Average", namespace=space)}])
        found = {(r["Id"], r["Label"]): r["Values"] for r in response["MetricDataResults"]}
        assert found == {("s0", "i-1"): [80.0], ("s0", "i-2"): [20.0], ("q", "CPUUtilization"): [50.0]}


def test_endpoint_config_keeps_its_metrics_config(build: ScenarioBuilder) -> None:
    setup = endpoint_setup()
    for call in setup:
        if call["operation"] == "CreateEndpointConfig":
            call["params"]["MetricsConfig"] = {"EnableEnhancedMetrics": True, "MetricPublishFrequencyInSeconds": 10}
            name = call["params"]["EndpointConfigName"]
    with open_world(build(setup=setup)) as w:
        config = w.session.client("sagemaker").describe_endpoint_config(EndpointConfigName=name)
        assert config["MetricsConfig"] == {"EnableEnhancedMetrics": True, "MetricPublishFrequencyInSeconds": 10}


def test_get_metric_statistics_with_extended_statistics(build: ScenarioBuilder) -> None:
    with open_world(build(setup=[datum("ModelLatency", -90, **LATENCY)])) as w:
        response = w.session.client("cloudwatch").get_metric_statistics(
            Namespace="AWS/SageMaker", MetricName="ModelLatency", Dimensions=DIMENSIONS,
            StartTime=T - timedelta(minutes=5), EndTime=T, Period=60, Statistics=["Average", "SampleCount"],
            ExtendedStatistics=["p90", "p99"])
        [point] = response["Datapoints"]
        assert (point["Timestamp"], point["Average"], point["SampleCount"], point["Unit"]) == (
            T - timedelta(minutes=2), 185.0, 100.0, "Microseconds")
        assert point["ExtendedStatistics"] == {"p90": 300.0, "p99": 500.0}


# -- SageMaker and Application Auto Scaling --

CURRENT_TYPES = ["ml.g5.xlarge", "ml.g5.48xlarge", "ml.g6.2xlarge", "ml.g6e.xlarge", "ml.p4d.24xlarge",
                 "ml.p5.48xlarge", "ml.p5e.48xlarge", "ml.inf2.xlarge", "ml.inf2.48xlarge", "ml.trn1.2xlarge",
                 "ml.c7g.large", "ml.c7i.4xlarge", "ml.m7i.xlarge", "ml.r7i.large", "ml.g4dn.xlarge",
                 "ml.m5.2xlarge", "ml.g7e.2xlarge", "ml.p6-b200.48xlarge"]


def test_current_instance_types_are_accepted(build: ScenarioBuilder) -> None:
    setup = endpoint_setup()[:1] + [
        {"service": "sagemaker", "operation": "CreateEndpointConfig", "params": {
            "EndpointConfigName": f"config-{i}", "ProductionVariants": [{
                "VariantName": "AllTraffic", "ModelName": "model", "InstanceType": instance_type,
                "InitialInstanceCount": 1}]}} for i, instance_type in enumerate(CURRENT_TYPES)]
    with open_world(build(setup=setup)) as w:
        sagemaker = w.session.client("sagemaker")
        assert [sagemaker.describe_endpoint_config(EndpointConfigName=f"config-{i}")["ProductionVariants"][0]
                ["InstanceType"] for i in range(len(CURRENT_TYPES))] == CURRENT_TYPES


@pytest.mark.parametrize(("instance_type", "hint"), [("ml.m5.2xlarg", " (did you mean 'ml.m5.2xlarge'?)"),
                                                     ("ml.x99.huge", "")])
def test_unknown_instance_types_are_rejected_as_aws_does(build: ScenarioBuilder, instance_type: str,
                                                         hint: str) -> None:
    with pytest.raises(ScenarioError) as caught, open_world(build(setup=endpoint_setup(instance_type))):
        pass
    assert str(caught.value) == (
        f"small: setup[1] sagemaker.CreateEndpointConfig: ValidationException: 1 validation error detected: "
        f"Value '{instance_type}' at 'instanceType' failed to satisfy constraint: Member must satisfy enum value "
        f"set of SageMaker hosting instance types{hint}".replace("small:", "scenario:"))


def test_update_endpoint_switches_config_and_sets_last_modified_time(build: ScenarioBuilder) -> None:
    setup = [
        *endpoint_setup(),
        {"service": "sagemaker", "operation": "CreateEndpointConfig", "at": -3600, "params": {
            "EndpointConfigName": "config-g5", "ProductionVariants": [{
                "VariantName": "AllTraffic", "ModelName": "model", "InstanceType": "ml.g5.xlarge",
                "InitialInstanceCount": 3}]}},
        {"service": "sagemaker", "operation": "UpdateEndpoint", "at": -1800,
         "params": {"EndpointName": ENDPOINT, "EndpointConfigName": "config-g5"}}]
    with open_world(build(setup=setup)) as w:
        sagemaker = w.session.client("sagemaker")
        endpoint = sagemaker.describe_endpoint(EndpointName=ENDPOINT)
        assert (endpoint["EndpointConfigName"], endpoint["EndpointStatus"]) == ("config-g5", "InService")
        assert endpoint["CreationTime"] == T - timedelta(days=1)
        assert endpoint["LastModifiedTime"] == T - timedelta(minutes=30)
        assert endpoint["ProductionVariants"][0]["CurrentInstanceCount"] == 3
        assert sagemaker.describe_endpoint_config(EndpointConfigName="config-g5")["CreationTime"] == T - timedelta(
            hours=1)
        assert sagemaker.describe_model(ModelName="model")["CreationTime"] == T - timedelta(days=30)
        with pytest.raises(ClientError, match="Could not find endpoint configuration"):
            sagemaker.update_endpoint(EndpointName=ENDPOINT, EndpointConfigName="absent")


def test_deployments_less_than_ten_minutes_old_are_still_in_progress(build: ScenarioBuilder) -> None:
    setup = [
        *endpoint_setup(),
        {"service": "sagemaker", "operation": "CreateEndpointConfig", "params": {
            "EndpointConfigName": "config-v2", "ProductionVariants": [{
                "VariantName": "AllTraffic", "ModelName": "model", "InstanceType": "ml.g5.xlarge",
                "InitialInstanceCount": 3}]}},
        {"service": "sagemaker", "operation": "UpdateEndpoint", "at": -240,
         "params": {"EndpointName": ENDPOINT, "EndpointConfigName": "config-v2"}},
        {"service": "sagemaker", "operation": "CreateEndpoint", "at": -500,
         "params": {"EndpointName": "newcomer", "EndpointConfigName": "config"}},
        {"service": "sagemaker", "operation": "CreateEndpoint", "at": -630,
         "params": {"EndpointName": "settled", "EndpointConfigName": "config"}}]
    with open_world(build(setup=setup)) as w:
        sagemaker = w.session.client("sagemaker")
        updating = sagemaker.describe_endpoint(EndpointName=ENDPOINT)
        assert (updating["EndpointStatus"], updating["EndpointConfigName"]) == ("Updating", "config")
        assert updating["LastModifiedTime"] == T - timedelta(minutes=4)
        assert updating["ProductionVariants"][0]["CurrentInstanceCount"] == 2  # the old config still serves
        pending = updating["PendingDeploymentSummary"]
        assert (pending["EndpointConfigName"], pending["StartTime"]) == ("config-v2", T - timedelta(minutes=4))
        assert pending["ProductionVariants"][0]["InstanceType"] == "ml.g5.xlarge"
        assert pending["ProductionVariants"][0]["DesiredInstanceCount"] == 3
        creating = sagemaker.describe_endpoint(EndpointName="newcomer")
        assert creating["EndpointStatus"] == "Creating"
        assert "ProductionVariants" not in creating
        assert creating["PendingDeploymentSummary"]["EndpointConfigName"] == "config"
        settled = sagemaker.describe_endpoint(EndpointName="settled")
        assert settled["EndpointStatus"] == "InService"
        assert "PendingDeploymentSummary" not in settled


def test_serverless_async_and_multi_model_endpoints(build: ScenarioBuilder) -> None:
    def config(name: str, variant: dict[str, Any], **extra: Any) -> dict[str, Any]:
        return {"service": "sagemaker", "operation": "CreateEndpointConfig", "params": {
            "EndpointConfigName": name, "ProductionVariants": [{"VariantName": "AllTraffic", **variant}], **extra}}

    def endpoint(name: str) -> dict[str, Any]:
        return {"service": "sagemaker", "operation": "CreateEndpoint",
                "params": {"EndpointName": name, "EndpointConfigName": name}}

    role = "arn:aws:iam::111122223333:role/sm"
    setup = [
        {"service": "sagemaker", "operation": "CreateModel", "params": {
            "ModelName": "mme", "ExecutionRoleArn": role,
            "PrimaryContainer": {"Image": "img", "Mode": "MultiModel", "ModelDataUrl": "s3://bucket/models/"}}},
        {"service": "sagemaker", "operation": "CreateModel", "params": {
            "ModelName": "pipeline", "ExecutionRoleArn": role, "Containers": [{"Image": "a"}, {"Image": "b"}]}},
        config("serverless", {"ModelName": "pipeline", "ServerlessConfig": {"MemorySizeInMB": 2048,
                                                                            "MaxConcurrency": 5}}),
        config("async", {"ModelName": "mme", "InstanceType": "ml.g5.xlarge", "InitialInstanceCount": 1},
               AsyncInferenceConfig={"OutputConfig": {"S3OutputPath": "s3://bucket/out"}}),
        endpoint("serverless"), endpoint("async")]
    with open_world(build(setup=setup)) as w:
        sagemaker = w.session.client("sagemaker")
        serverless = sagemaker.describe_endpoint(EndpointName="serverless")["ProductionVariants"][0]
        assert serverless["CurrentServerlessConfig"] == {"MemorySizeInMB": 2048, "MaxConcurrency": 5}
        assert "CurrentInstanceCount" not in serverless
        assert sagemaker.describe_endpoint(EndpointName="async")["AsyncInferenceConfig"] == {
            "OutputConfig": {"S3OutputPath": "s3://bucket/out"}}
        assert sagemaker.describe_model(ModelName="mme")["PrimaryContainer"]["Mode"] == "MultiModel"
        pipeline = sagemaker.describe_model(ModelName="pipeline")
        assert "PrimaryContainer" not in pipeline  # AWS omits it; moto sent {}
        assert [c["Image"] for c in pipeline["Containers"]] == ["a", "b"]


def test_deleted_endpoint_is_not_found(build: ScenarioBuilder) -> None:
    setup = [*endpoint_setup(), {"service": "sagemaker", "operation": "DeleteEndpoint",
                                 "params": {"EndpointName": ENDPOINT}}]
    with open_world(build(setup=setup)) as w, pytest.raises(ClientError) as caught:
        w.session.client("sagemaker").describe_endpoint(EndpointName=ENDPOINT)
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    assert caught.value.response["Error"]["Message"].startswith("Could not find endpoint")


def test_autoscaling_targets_for_sagemaker_variants(build: ScenarioBuilder) -> None:
    resource = f"endpoint/{ENDPOINT}/variant/AllTraffic"
    target = {"ServiceNamespace": "sagemaker", "ResourceId": resource}
    setup = [
        *endpoint_setup(),
        {"service": "application-autoscaling", "operation": "RegisterScalableTarget", "params": {
            **target, "ScalableDimension": "sagemaker:variant:DesiredInstanceCount", "MinCapacity": 1,
            "MaxCapacity": 2}},
        {"service": "application-autoscaling", "operation": "PutScalingPolicy", "params": {
            **target, "ScalableDimension": "sagemaker:variant:DesiredInstanceCount", "PolicyName": "invocations",
            "PolicyType": "TargetTrackingScaling", "TargetTrackingScalingPolicyConfiguration": {
                "TargetValue": 700.0, "PredefinedMetricSpecification": {
                    "PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"}}}},
        {"service": "application-autoscaling", "operation": "RegisterScalableTarget", "params": {
            **target, "ScalableDimension": "sagemaker:variant:DesiredProvisionedConcurrency", "MinCapacity": 1,
            "MaxCapacity": 4}}]
    with open_world(build(setup=setup)) as w:
        autoscaling = w.session.client("application-autoscaling")
        targets = autoscaling.describe_scalable_targets(ServiceNamespace="sagemaker", ResourceIds=[resource],
                                                        ScalableDimension="sagemaker:variant:DesiredInstanceCount")
        [found] = targets["ScalableTargets"]
        assert (found["MinCapacity"], found["MaxCapacity"]) == (1, 2)
        [policy] = autoscaling.describe_scaling_policies(ServiceNamespace="sagemaker",
                                                         ResourceId=resource)["ScalingPolicies"]
        assert policy["TargetTrackingScalingPolicyConfiguration"]["TargetValue"] == 700.0
        assert len(autoscaling.describe_scalable_targets(ServiceNamespace="sagemaker")["ScalableTargets"]) == 2


# -- faults --

def throttled_scenario(build: ScenarioBuilder, times: int, error: str = "ThrottlingException") -> dict[str, Any]:
    return build(setup=endpoint_setup(), faults=[{"operation": "sagemaker.DescribeEndpoint", "error": error,
                                                  "times": times}])


@pytest.mark.parametrize("mode", ["standard", "adaptive"])
def test_throttled_twice_succeeds_on_the_third_attempt(build: ScenarioBuilder, mode: str) -> None:
    with open_world(throttled_scenario(build, times=2)) as w:
        sagemaker = w.session.client("sagemaker", config=Config(retries={"mode": mode, "total_max_attempts": 3}))
        response = sagemaker.describe_endpoint(EndpointName=ENDPOINT)
        assert response["ResponseMetadata"]["RetryAttempts"] == 2
        assert sagemaker.describe_endpoint(EndpointName=ENDPOINT)["ResponseMetadata"]["RetryAttempts"] == 0


def test_always_failing_fault_exhausts_retries(build: ScenarioBuilder) -> None:
    with open_world(throttled_scenario(build, times=-1, error="InternalFailure")) as w:
        sagemaker = w.session.client("sagemaker", config=Config(retries={"mode": "standard",
                                                                         "total_max_attempts": 3}))
        for _ in range(2):
            with pytest.raises(ClientError) as caught:
                sagemaker.describe_endpoint(EndpointName=ENDPOINT)
            assert caught.value.response["Error"]["Code"] == "InternalFailure"
            assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
            assert caught.value.response["ResponseMetadata"]["RetryAttempts"] == 2


def test_access_denied_is_a_403_and_not_retried(build: ScenarioBuilder) -> None:
    scenario = build(setup=[], faults=[{"operation": "cloudwatch.GetMetricData", "error": "AccessDeniedException"}])
    with open_world(scenario) as w:
        cloudwatch = w.session.client("cloudwatch", config=Config(retries={"mode": "standard"}))
        request = {"StartTime": T - timedelta(minutes=5), "EndTime": T,
                   "MetricDataQueries": [{"Id": "q", "MetricStat": metric_stat("Invocations", "Sum")}]}
        with pytest.raises(ClientError) as caught:
            cloudwatch.get_metric_data(**request)
        error = caught.value.response
        assert (error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]) == ("AccessDeniedException", 403)
        assert error["ResponseMetadata"]["RetryAttempts"] == 0
        assert "cloudwatch:GetMetricData" in error["Error"]["Message"]
        assert cloudwatch.get_metric_data(**request)["MetricDataResults"][0]["Id"] == "q"  # times defaults to 1


def test_faults_on_one_operation_apply_in_order(build: ScenarioBuilder) -> None:
    faults = [{"operation": "sagemaker.DescribeEndpoint", "error": "ThrottlingException", "times": 1},
              {"operation": "sagemaker.DescribeEndpoint", "error": "AccessDeniedException", "times": 1}]
    with open_world(build(faults=faults)) as w:
        sagemaker = w.session.client("sagemaker", config=Config(retries={"mode": "standard",
                                                                         "total_max_attempts": 3}))
        with pytest.raises(ClientError) as caught:
            sagemaker.describe_endpoint(EndpointName=ENDPOINT)
        # Throttled, retried, then denied (not retried).
        assert caught.value.response["Error"]["Code"] == "AccessDeniedException"
        assert caught.value.response["ResponseMetadata"]["RetryAttempts"] == 1
        assert sagemaker.describe_endpoint(EndpointName=ENDPOINT)["EndpointName"] == ENDPOINT


def test_timeout_fault_raises_read_timeout(build: ScenarioBuilder) -> None:
    with open_world(throttled_scenario(build, times=1, error="Timeout")) as w:
        sagemaker = w.session.client("sagemaker", config=Config(retries={"total_max_attempts": 1}))
        with pytest.raises(ReadTimeoutError):
            sagemaker.describe_endpoint(EndpointName=ENDPOINT)
        assert sagemaker.describe_endpoint(EndpointName=ENDPOINT)["EndpointName"] == ENDPOINT


def test_setup_calls_are_never_faulted(build: ScenarioBuilder) -> None:
    faults = [{"operation": f"sagemaker.{op}", "error": "AccessDeniedException", "times": -1}
              for op in ("CreateModel", "CreateEndpointConfig", "CreateEndpoint")]
    with open_world(build(setup=endpoint_setup(), faults=faults)) as w:
        sagemaker = w.session.client("sagemaker")
        assert sagemaker.describe_endpoint(EndpointName=ENDPOINT)["EndpointStatus"] == "InService"
        with pytest.raises(ClientError, match="AccessDeniedException"):
            sagemaker.create_endpoint(EndpointName="another", EndpointConfigName="config")
        # The faulted request never reached moto: no second endpoint exists.
        assert [e["EndpointName"] for e in sagemaker.list_endpoints()["Endpoints"]] == [ENDPOINT]


def test_query_protocol_services_get_xml_errors(build: ScenarioBuilder) -> None:
    setup = [{"service": "sns", "operation": "CreateTopic", "params": {"Name": "alarms"}}]
    with open_world(build(setup=setup, faults=[{"operation": "sns.ListTopics", "error": "AuthorizationError"}])) as w:
        sns = w.session.client("sns")
        with pytest.raises(ClientError) as caught:
            sns.list_topics()
        assert caught.value.response["Error"]["Code"] == "AuthorizationError"
        assert [t["TopicArn"] for t in sns.list_topics()["Topics"]] == ["arn:aws:sns:us-east-1:111122223333:alarms"]


# -- isolation --

def test_worlds_share_nothing(build: ScenarioBuilder) -> None:
    first = throttled_scenario(build, times=1)
    first["setup"].append(datum("Invocations", -60, Value=5.0))
    for _ in range(2):  # the same scenario twice: fresh state and fresh fault counts each time
        with open_world(first) as w:
            sagemaker = w.session.client("sagemaker", config=Config(retries={"total_max_attempts": 1}))
            with pytest.raises(ClientError):
                sagemaker.describe_endpoint(EndpointName=ENDPOINT)
            assert len(sagemaker.list_endpoints()["Endpoints"]) == 1
            assert values(w, metric_stat("Invocations", "Sum"), T - timedelta(minutes=5), T) == [(-60, 5.0)]
    with open_world(build(setup=[])) as w:
        assert w.session.client("sagemaker").list_endpoints()["Endpoints"] == []
        assert values(w, metric_stat("Invocations", "Sum"), T - timedelta(minutes=5), T) == []


def test_patches_are_undone_and_state_released_on_exit(build: ScenarioBuilder) -> None:
    originals = (FakeEndpointConfig.validate_instance_type, CloudWatchBackend.get_metric_data)
    with pytest.raises(ScenarioError), open_world(build(setup=endpoint_setup("ml.m5.2xlarg"))):
        pass
    assert (FakeEndpointConfig.validate_instance_type, CloudWatchBackend.get_metric_data) == originals
    assert not hasattr(SageMakerResponse, "update_endpoint")
    with StandinServer():  # the failed world released moto's state
        pass


def test_worlds_do_not_nest_or_run_inside_another_mock(build: ScenarioBuilder) -> None:
    scenario = load_scenario(build(setup=[]))
    with replay_world(scenario), pytest.raises(RuntimeError, match="another moto mock is already active"), \
            replay_world(scenario):
        pass
    with mock_aws():
        boto3.client("sagemaker", region_name="us-east-1").list_endpoints()
        with pytest.raises(RuntimeError, match="another moto mock is already active"), replay_world(scenario):
            pass

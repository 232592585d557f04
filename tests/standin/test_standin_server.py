"""The stand-in server: moto over HTTP on 127.0.0.1 with the gap fixes, loaded from a scenario."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import boto3
import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError
from standin_helpers import DIMENSIONS, ENDPOINT, ScenarioBuilder, datum, endpoint_setup, example

from standin.scenario import load_scenario
from standin.server import StandinServer, load_setup
from standin.world import replay_world

T = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def client(server: StandinServer, service: str) -> BaseClient:
    return boto3.Session(aws_access_key_id="a", aws_secret_access_key="b", region_name="us-east-1").client(
        service, endpoint_url=server.endpoint_url)


def test_example_world_over_http() -> None:
    scenario = load_scenario(example())
    with StandinServer() as server:
        assert server.endpoint_url.startswith("http://127.0.0.1:")
        assert load_setup(scenario, server.endpoint_url) == T + timedelta(seconds=30)
        sagemaker = client(server, "sagemaker")
        endpoint = sagemaker.describe_endpoint(EndpointName=ENDPOINT)
        assert (endpoint["EndpointStatus"], endpoint["CreationTime"]) == ("InService", T - timedelta(days=30))
        response = client(server, "cloudwatch").get_metric_data(
            StartTime=T - timedelta(minutes=3), EndTime=T, MetricDataQueries=[{"Id": "p90", "MetricStat": {
                "Metric": {"Namespace": "AWS/SageMaker", "MetricName": "ModelLatency", "Dimensions": DIMENSIONS},
                "Period": 60, "Stat": "p90"}}])
        assert response["MetricDataResults"][0]["Values"] == [350000.0] * 3
        # The gap fixes apply over HTTP too: a current instance type and UpdateEndpoint.
        sagemaker.create_endpoint_config(EndpointConfigName="g6", ProductionVariants=[{
            "VariantName": "AllTraffic", "ModelName": "image-tagger-model", "InstanceType": "ml.g6.xlarge",
            "InitialInstanceCount": 1}])
        sagemaker.update_endpoint(EndpointName=ENDPOINT, EndpointConfigName="g6")
        assert sagemaker.describe_endpoint(EndpointName=ENDPOINT)["EndpointConfigName"] == "g6"


def test_load_setup_replaces_the_previous_world(build: ScenarioBuilder) -> None:
    with StandinServer() as server:
        load_setup(load_scenario(build(setup=[*endpoint_setup(), datum("Invocations", -60, Value=3.0)])),
                   server.endpoint_url)
        load_setup(load_scenario(build(setup=[])), server.endpoint_url)
        assert client(server, "sagemaker").list_endpoints()["Endpoints"] == []
        with pytest.raises(ClientError, match="Could not find endpoint"):
            client(server, "sagemaker").describe_endpoint(EndpointName=ENDPOINT)


def test_server_and_world_take_turns(build: ScenarioBuilder) -> None:
    scenario = load_scenario(build(setup=[]))
    server = StandinServer().start()
    try:
        with pytest.raises(RuntimeError, match="held by a stand-in server"), replay_world(scenario):
            pass
        with pytest.raises(RuntimeError, match="is not the stand-in server running in this process"):
            load_setup(scenario, "http://127.0.0.1:1")
    finally:
        server.stop()
    with pytest.raises(RuntimeError, match="not running"):
        _ = server.endpoint_url
    with replay_world(scenario) as world:
        assert world.session.client("sagemaker").list_endpoints()["Endpoints"] == []
        with pytest.raises(RuntimeError, match="held by the replay world of 'small'"):
            StandinServer().start()

"""Coverage worlds (standin.coverage format), built from the stack's own config, names and alarm specs.

`python tests/coverage/worlds.py` rewrites tests/coverage/worlds/*.json (kept in git: small, and
`advisor coverage --replay tests/coverage/worlds/blind.json` should work without a build step).
Every world is checked at T = standin.coverage.DEFAULT_TIME; offsets are seconds before T.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "lambdas")]

from advisor.catalogue import CATALOGUE, M, Shown  # noqa: E402
from stacks.config import parse_config  # noqa: E402
from stacks.naming import alarm_name  # noqa: E402

WORLDS = Path(__file__).resolve().parent / "worlds"
STACK = "CoverageDemo"
ROLE = "arn:aws:iam::123456789012:role/sagemaker-execution"
IMAGE = "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.1.0-cpu-py310"
DAY = 86_400
Call = dict[str, Any]


def endpoint(name: str, *, variant: str = "AllTraffic", kind: str = "real-time", at: int = -30 * DAY,
             tags: dict[str, str] | None = None, version: int = 1) -> list[Call]:
    """CreateModel, CreateEndpointConfig and CreateEndpoint (UpdateEndpoint for version > 1)."""
    container: dict[str, Any] = {"Image": IMAGE, "ModelDataUrl": f"s3://models/{name}/model.tar.gz"}
    if kind == "multi-model":
        container = {"Image": IMAGE, "Mode": "MultiModel", "ModelDataUrl": f"s3://models/{name}/"}
    production: dict[str, Any] = {"VariantName": variant, "ModelName": f"{name}-v{version}"}
    if kind == "serverless":
        production["ServerlessConfig"] = {"MemorySizeInMB": 4096, "MaxConcurrency": 10}
    else:
        production |= {"InstanceType": "ml.m5.xlarge", "InitialInstanceCount": 1, "InitialVariantWeight": 1.0}
    config: dict[str, Any] = {"EndpointConfigName": f"{name}-config-v{version}", "ProductionVariants": [production]}
    if kind == "async":
        config["AsyncInferenceConfig"] = {"OutputConfig": {"S3OutputPath": f"s3://models/{name}/out/"}}
    params: dict[str, Any] = {"EndpointName": name, "EndpointConfigName": config["EndpointConfigName"]}
    if tags and version == 1:
        params["Tags"] = [{"Key": k, "Value": v} for k, v in tags.items()]
    return [
        {"service": "sagemaker", "operation": "CreateModel", "at": at, "params": {
            "ModelName": f"{name}-v{version}", "PrimaryContainer": container, "ExecutionRoleArn": ROLE}},
        {"service": "sagemaker", "operation": "CreateEndpointConfig", "at": at, "params": config},
        {"service": "sagemaker", "operation": "CreateEndpoint" if version == 1 else "UpdateEndpoint", "at": at,
         "params": params},
    ]


def alarms(name: str, *, variant: str = "AllTraffic", kind: str = "real-time", state: str | None = "OK",
           at: int = -30 * DAY, state_at: int | None = None, stat: dict[str, str] | None = None,
           only: tuple[str, ...] | None = None, dimensions_variant: str | None = None) -> list[Call]:
    """The stack's alarms for one endpoint variant, as its config makes them (names, stats, thresholds)."""
    config = parse_config({"stack_name": STACK, "endpoints": [{"name": name, "variant": variant, "kind": kind}]})
    watched = config.endpoints[0]
    calls: list[Call] = []
    for spec in watched.alarms:
        if only is not None and spec.metric not in only:
            continue
        chosen = (stat or {}).get(spec.metric, spec.stat)
        statistic = {"ExtendedStatistic": chosen} if chosen.startswith("p") else {"Statistic": chosen}
        dims = {"EndpointName": name, "VariantName": dimensions_variant or variant}
        entry = spec.entry
        params = {
            "AlarmName": alarm_name(config, watched, spec), "MetricName": spec.metric,
            "Namespace": entry.namespace.value, **statistic,
            "Dimensions": [{"Name": d, "Value": dims[d]} for d in entry.dimensions],
            "Period": spec.period_s, "EvaluationPeriods": spec.evaluation_periods,
            "DatapointsToAlarm": spec.datapoints, "Threshold": spec.cloudwatch_threshold,
            "ComparisonOperator": "GreaterThanThreshold" if spec.info.breach == "above" else "LessThanThreshold",
            "TreatMissingData": "notBreaching"}
        calls.append({"service": "cloudwatch", "operation": "PutMetricAlarm", "at": at, "params": params})
        if state is not None:
            state_call: Call = {"service": "cloudwatch", "operation": "SetAlarmState", "params": {
                "AlarmName": params["AlarmName"], "StateValue": state, "StateReason": "evaluated by the world"}}
            if state_at is not None:
                state_call["at"] = state_at
            calls.append(state_call)
    return calls


def alarm_names(name: str, *, variant: str = "AllTraffic", kind: str = "real-time",
                only: tuple[str, ...] | None = None) -> list[str]:
    """The names `alarms` gives the same endpoint."""
    config = parse_config({"stack_name": STACK, "endpoints": [{"name": name, "variant": variant, "kind": kind}]})
    watched = config.endpoints[0]
    return [alarm_name(config, watched, spec) for spec in watched.alarms if only is None or spec.metric in only]


def traffic(name: str, *, variant: str = "AllTraffic", kind: str = "real-time", minutes: int = 10,
            statistic_sets: tuple[str, ...] = ()) -> list[Call]:
    """Invocations and every alarmed metric the kind emits, one datum a minute over the last `minutes`.

    Metrics in `statistic_sets` are published as StatisticValues (no percentile can come from them).
    """
    data: dict[str, list[dict[str, Any]]] = {}
    config = parse_config({"endpoints": [{"name": name, "variant": variant, "kind": kind}]})
    metrics = [CATALOGUE[M.INVOCATIONS]] + [spec.entry for spec in config.endpoints[0].alarms]
    for entry in metrics:
        dims = {"EndpointName": name, "VariantName": variant}
        base = {"MetricName": entry.name, "Dimensions": [{"Name": d, "Value": dims[d]} for d in entry.dimensions]}
        if entry.unit != "None":
            base["Unit"] = entry.unit
        for minute in range(1, minutes + 1):
            if entry.name == M.INVOCATIONS:
                value: dict[str, Any] = {"Value": 20}
            elif entry.name in statistic_sets:
                value = {"StatisticValues": {"SampleCount": 20, "Sum": 20 * 30_000, "Minimum": 10_000,
                                             "Maximum": 60_000}}
            elif entry.shown is Shown.MS_FROM_MICROSECONDS:
                value = {"Values": [20_000, 40_000], "Counts": [15, 5]}
            else:
                value = {"Values": [1, 0], "Counts": [19, 1]}
            data.setdefault(entry.namespace.value, []).append({**base, "Timestamp": -60 * minute, **value})
    return [{"service": "cloudwatch", "operation": "PutMetricData", "params": {"Namespace": ns, "MetricData": chunk}}
            for ns, datums in data.items() for chunk in (datums[i:i + 1000] for i in range(0, len(datums), 1000))]


def world(name: str, description: str, setup: list[Call], **expect: list[str]) -> dict[str, Any]:
    """A coverage world document."""
    return {"name": name, "description": description, "setup": setup,
            "expect": {problem: sorted(expect.get(problem, [])) for problem in ("blind", "orphaned", "stuck",
                                                                                 "unwatched")}}


def clean() -> dict[str, Any]:
    """Every endpoint watched, every alarm evaluated and fed."""
    setup = []
    for name, kind in (("clean-rt", "real-time"), ("clean-serverless", "serverless"), ("clean-mme", "multi-model")):
        setup += endpoint(name, kind=kind) + alarms(name, kind=kind) + traffic(name, kind=kind)
    return world("clean", "three kinds of endpoint, all watched, every alarm fed and evaluated", setup)


def blind() -> dict[str, Any]:
    """A variant typo, a statistic the metric does not support, a metric the kind does not emit."""
    setup = (endpoint("typo-rt") + traffic("typo-rt")
             # made after the endpoint, with a variant name it never had
             + alarms("typo-rt", dimensions_variant="AllTrafic", at=-3600)
             + endpoint("stat-rt") + traffic("stat-rt", statistic_sets=(M.OVERHEAD_LATENCY,))
             + alarms("stat-rt", stat={M.OVERHEAD_LATENCY: "p90"})
             + endpoint("kind-serverless", kind="serverless") + traffic("kind-serverless", kind="serverless")
             + alarms("kind-serverless", kind="serverless")
             # an MME alarm put on a serverless endpoint (it was listed with the wrong kind)
             + alarms("kind-serverless", kind="multi-model", only=(M.MODEL_LOADING_WAIT_TIME,)))
    return world("blind", "alarms that match no data while their endpoints serve traffic", setup,
                 blind=alarm_names("typo-rt") + alarm_names("stat-rt", only=(M.OVERHEAD_LATENCY,))
                 + alarm_names("kind-serverless", kind="multi-model", only=(M.MODEL_LOADING_WAIT_TIME,)))


def orphaned() -> dict[str, Any]:
    """An endpoint deleted under its alarms; a variant renamed by a later deployment."""
    setup = (endpoint("gone-rt") + alarms("gone-rt")
             + [{"service": "sagemaker", "operation": "DeleteEndpoint", "params": {"EndpointName": "gone-rt"}}]
             + endpoint("renamed-rt", variant="Blue") + alarms("renamed-rt", variant="Blue")
             + endpoint("renamed-rt", variant="Green", version=2, at=-2 * 3600) + traffic("renamed-rt", variant="Green")
             + alarms("renamed-rt", variant="Green", at=-3600))
    return world("orphaned", "an endpoint deleted, a variant renamed by a deployment", setup,
                 orphaned=alarm_names("gone-rt") + alarm_names("renamed-rt", variant="Blue"))


def stuck() -> dict[str, Any]:
    """Alarms in INSUFFICIENT_DATA for two days (no traffic), next to ones created an hour ago."""
    setup = (endpoint("idle-rt") + alarms("idle-rt", state=None, at=-2 * DAY)
             + endpoint("new-rt") + alarms("new-rt", state=None, at=-3600))
    return world("stuck", "an idle endpoint's alarms never evaluated in two days; a new endpoint's alarms", setup,
                 stuck=alarm_names("idle-rt"))


def unwatched() -> dict[str, Any]:
    """An in-service endpoint with no alarm; one still being created is not counted."""
    setup = (endpoint("watched-rt") + alarms("watched-rt") + traffic("watched-rt")
             + endpoint("pipeline-7f3a2c", tags={"team": "ml"}) + traffic("pipeline-7f3a2c")
             + endpoint("creating-rt", at=-120))
    return world("unwatched", "an endpoint made by a pipeline that no alarm watches", setup,
                 unwatched=["pipeline-7f3a2c"])


def mixed() -> dict[str, Any]:
    """One of each problem next to a healthy endpoint: the demo's coverage report."""
    setup = (endpoint("recommender") + alarms("recommender") + traffic("recommender")
             + endpoint("fraud-scorer", variant="Canary") + traffic("fraud-scorer", variant="Canary")
             + alarms("fraud-scorer", dimensions_variant="AllTraffic", at=-3600)
             + endpoint("churn-v1") + alarms("churn-v1", only=(M.MODEL_LATENCY,))
             + [{"service": "sagemaker", "operation": "DeleteEndpoint", "params": {"EndpointName": "churn-v1"}}]
             + endpoint("nightly-batch") + alarms("nightly-batch", state=None, at=-3 * DAY)
             + endpoint("pipeline-3f9a1c", tags={"team": "ml"}) + traffic("pipeline-3f9a1c"))
    return world("mixed", "one of each problem next to a healthy endpoint (the demo's coverage report)", setup,
                 blind=alarm_names("fraud-scorer"), orphaned=alarm_names("churn-v1", only=(M.MODEL_LATENCY,)),
                 stuck=alarm_names("nightly-batch"), unwatched=["pipeline-3f9a1c"])


BUILDERS = (clean, blind, orphaned, stuck, unwatched, mixed)


def write(folder: Path = WORLDS) -> list[Path]:
    """Write every world as folder/<name>.json; return the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for build in BUILDERS:
        document = build()
        path = folder / f"{document['name']}.json"
        text = json.dumps(document, indent=1) + "\n"
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
        paths.append(path)
    return paths


if __name__ == "__main__":
    for written in write():
        print(written.relative_to(ROOT))

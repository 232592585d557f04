"""What moto 5.2.5 lacks for the advisor's scenarios, patched in only while a world or a server is open.

Gaps filled (each checked against moto 5.2.5's source and behaviour):

1. SageMaker instance types. moto's CreateEndpointConfig knows 66 ml.* types and rejects g5, g6, g6e, p4d,
   p5, inf2, trn1, c7g, ... Here a type is valid exactly when the SageMaker API model shipped with botocore
   lists it (shape ProductionVariantInstanceType, the enum AWS validates against); anything else (a typo such
   as ml.m5.2xlarg) is a ValidationException. Nothing comes from the advisor's own tables: a stand-in that
   accepted what the product knows could never catch the product being wrong.
2. UpdateEndpoint, absent from moto: switches the endpoint to the new config (variants, capacity, async
   config) and sets LastModifiedTime. A scenario's CreateEndpoint / UpdateEndpoint less than DEPLOYMENT_S
   (10 min) before the replay clock is still in progress: status Creating / Updating, the new config in
   PendingDeploymentSummary and, for an update, the previous config still serving.
3. DescribeEndpoint gains AsyncInferenceConfig (from the config it was created or updated with), and
   DescribeEndpointConfig the MetricsConfig it was created with (moto drops it);
   DescribeModel drops the empty PrimaryContainer / Containers / VpcConfig that moto invents (AWS omits them).
4. CloudWatch metric data. moto expands Values/Counts into one object per count, ignores the namespace when
   a query has dimensions, matches dimensions loosely, aligns periods on the raw StartTime and computes no
   percentiles (a pNN query crashes). Here each MetricData entry is stored once with its Values/Counts, a
   query matches namespace + name + the exact dimension set (+ Unit if given), StartTime is rounded down as
   CloudWatch documents (to the minute for Period >= 60, to the period for 1/5/10/20/30 s), EndTime is
   exclusive, and every statistic comes from standin.statistics (Counts honoured, percentiles by nearest
   rank, none from statistic sets that cannot stand for raw values). GetMetricData validates query Ids and
   refuses metric math (which moto does not evaluate) instead of returning wrong numbers, except the SEARCH
   expressions the advisor sends for per-instance series (a schema plus exact Name="value" terms, one result
   per matching series under the query's Id, `${PROP('Dim.X')}` labels resolved; moto 5.2.5 has none);
   GetMetricStatistics answers ExtendedStatistics. Deviation: the rounding of StartTimes older than 15 days
   (to 5 min / 1 h) is not applied, so replays do not depend on the wall clock.
5. Application Auto Scaling accepts the SageMaker dimensions moto's enum lacks
   (sagemaker:variant:DesiredProvisionedConcurrency for serverless, sagemaker:inference-component:
   DesiredCopyCount).
7. Inference components, absent from moto: Create/Describe/List/UpdateRuntimeConfig, copies placed on the
   variant's instances, copy-count scaling activities (standin/inference_components.py).
6. Scaling: moto has no DescribeScalingActivities; a scenario's UpdateEndpointWeightsAndCapacities stands for
   the activity that made it (standin/autoscaling.py), and one less than DEPLOYMENT_S before the replay clock
   leaves the endpoint Updating with the old count current.
7. CloudWatch alarms: DescribeAlarms pages by MaxRecords / NextToken, and a new alarm starts in
   INSUFFICIENT_DATA (standin/alarms.py).

6. CloudFormation, for `cdk bootstrap` / `cdk deploy` / `cdk destroy` of the stack: standin/cloudformation.py
   (its CLOUDFORMATION_PATCHES are applied here with the rest).

moto keeps its state process-wide, so one owner at a time (a replay world or a stand-in server) holds it:
`gaps_applied(owner)` refuses a second one instead of letting two of them wipe each other's data.
"""

from __future__ import annotations

import difflib
import re
import threading
import weakref
from collections.abc import Iterable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime, timedelta
from enum import Enum
from functools import partial
from typing import Any
from unittest import mock

import botocore.session
from moto.applicationautoscaling import models as aas_models
from moto.applicationautoscaling import responses as aas_responses
from moto.cloudwatch.exceptions import InvalidParameterValue, ValidationError
from moto.cloudwatch.models import (
    CloudWatchBackend,
    MetricAggregatedDatum,
    MetricDatum,
    MetricDatumBase,
)
from moto.cloudwatch.responses import CloudWatchResponse
from moto.core.responses import ActionResult
from moto.sagemaker.exceptions import ValidationError as SageMakerValidationError
from moto.sagemaker.models import (
    FakeEndpoint,
    FakeEndpointConfig,
    Model,
    SageMakerModelBackend,
    sagemaker_backends,
)
from moto.sagemaker.responses import SageMakerResponse

from standin import alarms, autoscaling, inference_components
from standin.cloudformation import CLOUDFORMATION_PATCHES
from standin.statistics import (
    SIMPLE_STATISTICS,
    PeriodData,
    Statistic,
    StatisticError,
    StatisticSet,
    parse_statistic,
)

HOSTING_INSTANCE_TYPES: frozenset[str] = frozenset(
    botocore.session.get_session().get_service_model("sagemaker")
    .shape_for("ProductionVariantInstanceType").enum)

EXTRA_SCALABLE_DIMENSIONS = {
    "SAGEMAKER_VARIANT_DESIRED_PROVISIONED_CONCURRENCY": "sagemaker:variant:DesiredProvisionedConcurrency",
    "SAGEMAKER_INFERENCE_COMPONENT_DESIRED_COPY_COUNT": "sagemaker:inference-component:DesiredCopyCount",
}

_QUERY_ID = re.compile(r"[a-z][a-zA-Z0-9_]*")
_SUB_MINUTE_PERIODS = (1, 5, 10, 20, 30)

# A scenario's CreateEndpoint / UpdateEndpoint is still Creating / Updating this long after its `at` (deployments
# take minutes; ten is typical for an instance-backed variant), so an alarm minutes into an update sees it.
DEPLOYMENT_S = 600

_owner: str | None = None
_owner_lock = threading.Lock()
# What each endpoint served before its last UpdateEndpoint, in case that update turns out to be in progress.
_serving_before_update: weakref.WeakKeyDictionary[FakeEndpoint, tuple[Any, ...]] = weakref.WeakKeyDictionary()
# Each variant's instance count before the endpoint's last UpdateEndpointWeightsAndCapacities.
_counts_before_scaling: weakref.WeakKeyDictionary[FakeEndpoint, dict[str, int | None]] = weakref.WeakKeyDictionary()


@contextmanager
def gaps_applied(owner: str) -> Iterator[None]:
    """Hold moto's process-wide state for `owner` and patch the gaps in; undo both on exit."""
    global _owner
    with _owner_lock:
        if _owner is not None:
            raise RuntimeError(f"moto's in-process state is held by {_owner}; close it before opening {owner} "
                               "(worlds and stand-in servers share moto's backends, so only one at a time)")
        _owner = owner
    try:
        with ExitStack() as patches:
            for target, attribute, replacement in (*_PATCHES, *CLOUDFORMATION_PATCHES):
                patches.enter_context(mock.patch.object(target, attribute, replacement, create=True))
            for module in (aas_models, aas_responses):
                patches.enter_context(mock.patch.object(module, "ScalableDimensionValueSet", _SCALABLE_DIMENSIONS))
            yield
    finally:
        with _owner_lock:
            _owner = None


def utc(moment: datetime) -> datetime:
    """An aware UTC datetime (moto keeps naive UTC ones)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def stamp_resource(account: str, region: str, operation: str, params: Mapping[str, Any], when: datetime,
                   now: datetime) -> None:
    """Give the resource a sagemaker Create*/Update* call made its CreationTime / LastModifiedTime `when`.

    An endpoint created or updated less than DEPLOYMENT_S before `now` is still Creating / Updating. Other
    services' resources carry no time the advisor reads, so their calls are left as they are.
    """
    if operation in inference_components.OPERATIONS:
        inference_components.stamp_component(account, region, operation, dict(params), utc(when), now, DEPLOYMENT_S)
        return
    backend = sagemaker_backends[account][region]
    naive = utc(when).replace(tzinfo=None)
    in_progress = now - when < timedelta(seconds=DEPLOYMENT_S)
    if operation == "CreateModel":
        backend._models[params["ModelName"]].creation_time = naive
    elif operation == "CreateEndpointConfig":
        backend.endpoint_configs[params["EndpointConfigName"]].creation_time = naive
    elif operation == "CreateEndpoint":
        endpoint = backend.endpoints[params["EndpointName"]]
        endpoint.creation_time = endpoint.last_modified_time = naive
        if in_progress:
            _deployment_in_progress(backend, endpoint, "Creating", naive)
    elif operation == "UpdateEndpoint":
        endpoint = backend.endpoints[params["EndpointName"]]
        endpoint.last_modified_time = naive
        if in_progress:
            _deployment_in_progress(backend, endpoint, "Updating", naive)
    elif operation == "UpdateEndpointWeightsAndCapacities":
        endpoint = backend.endpoints[params["EndpointName"]]
        endpoint.last_modified_time = naive
        autoscaling.record_scaling(account, region, endpoint, params, _counts_before_scaling.pop(endpoint, {}),
                                   utc(when), now, DEPLOYMENT_S)


def _deployment_in_progress(backend: SageMakerModelBackend, fake: FakeEndpoint, status: str,
                            started: datetime) -> None:
    """Show the endpoint mid-deployment: the new config pending, the previous one (if any) still serving."""
    endpoint = _undeclared(fake)
    config = backend.endpoint_configs[endpoint.endpoint_config_name]
    endpoint.pending_deployment_summary = {
        "EndpointConfigName": endpoint.endpoint_config_name, "StartTime": started,
        "ProductionVariants": [{key: value for key, value in {
            "VariantName": variant["VariantName"], "InstanceType": variant.get("InstanceType"),
            "DesiredInstanceCount": variant.get("InitialInstanceCount"),
            "DesiredWeight": variant.get("InitialVariantWeight"),
            "DesiredServerlessConfig": variant.get("ServerlessConfig"),
            "VariantStatus": [{"Status": status, "StartTime": started}]}.items() if value is not None}
            for variant in config.production_variants]}
    endpoint.endpoint_status = status
    serving = _serving_before_update.pop(endpoint, None)
    if serving is None:  # Creating: nothing serves yet
        endpoint.production_variants = None
    else:
        (endpoint.endpoint_config_name, endpoint.production_variants, endpoint.data_capture_config,
         endpoint.async_inference_config) = serving


# -- SageMaker --

def _undeclared(thing: Any) -> Any:
    """A moto object seen as Any: the gap fixes give it attributes and methods moto 5.2.5 does not declare
    (AsyncInferenceConfig, PendingDeploymentSummary, UpdateEndpoint)."""
    return thing


def _validate_instance_type(self: FakeEndpointConfig, instance_type: str) -> None:
    if instance_type not in HOSTING_INSTANCE_TYPES:
        close = difflib.get_close_matches(instance_type, sorted(HOSTING_INSTANCE_TYPES), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise SageMakerValidationError(
            message=f"1 validation error detected: Value '{instance_type}' at 'instanceType' failed to satisfy "
                    f"constraint: Member must satisfy enum value set of SageMaker hosting instance types{hint}")


_ORIGINAL_CREATE_ENDPOINT = SageMakerModelBackend.create_endpoint


def _create_endpoint(self: SageMakerModelBackend, endpoint_name: str, endpoint_config_name: str,
                     tags: list[dict[str, str]]) -> FakeEndpoint:
    endpoint = _undeclared(_ORIGINAL_CREATE_ENDPOINT(self, endpoint_name, endpoint_config_name, tags))
    endpoint.async_inference_config = self.endpoint_configs[endpoint_config_name].async_inference_config
    return endpoint


def _update_endpoint(self: SageMakerModelBackend, endpoint_name: str, endpoint_config_name: str) -> FakeEndpoint:
    endpoint = _undeclared(self.endpoints.get(endpoint_name))
    if endpoint is None:
        arn = FakeEndpoint.arn_formatter(endpoint_name, self.account_id, self.region_name)
        raise SageMakerValidationError(message=f"Could not find endpoint '{arn}'.")
    config = self.describe_endpoint_config(endpoint_config_name)  # raises "Could not find endpoint configuration"
    _serving_before_update[endpoint] = (endpoint.endpoint_config_name, endpoint.production_variants,
                                        endpoint.data_capture_config, endpoint.async_inference_config)
    endpoint.endpoint_config_name = endpoint_config_name
    endpoint.production_variants = endpoint._process_production_variants(config["ProductionVariants"])
    endpoint.data_capture_config = config.get("DataCaptureConfig")
    endpoint.async_inference_config = config.get("AsyncInferenceConfig")
    endpoint.endpoint_status = "InService"
    endpoint.last_modified_time = datetime.now(UTC).replace(tzinfo=None)
    return endpoint


_ORIGINAL_CREATE_ENDPOINT_CONFIG_RESPONSE = SageMakerResponse.create_endpoint_config


def _create_endpoint_config_response(self: SageMakerResponse) -> ActionResult:
    """moto 5.2.5 drops MetricsConfig: kept on the config, so DescribeEndpointConfig returns it as AWS does."""
    result = _ORIGINAL_CREATE_ENDPOINT_CONFIG_RESPONSE(self)
    metrics = self._get_param("MetricsConfig")
    if metrics:
        config = self.sagemaker_backend.endpoint_configs[self._get_param("EndpointConfigName")]
        _undeclared(config).metrics_config = metrics  # moto's response object camel-cases every attribute
    return result


def _update_endpoint_response(self: SageMakerResponse) -> ActionResult:
    endpoint = _undeclared(self.sagemaker_backend).update_endpoint(self._get_param("EndpointName"),
                                                      self._get_param("EndpointConfigName"))
    return ActionResult({"EndpointArn": endpoint.arn})


_ORIGINAL_UPDATE_WEIGHTS = SageMakerModelBackend.update_endpoint_weights_and_capacities


def _update_endpoint_weights_and_capacities(self: SageMakerModelBackend, endpoint_name: str,
                                            desired_weights_and_capacities: list[dict[str, Any]]) -> str:
    endpoint = self.endpoints.get(endpoint_name)
    if endpoint is not None:
        _counts_before_scaling[endpoint] = {v["VariantName"]: v.get("CurrentInstanceCount")
                                            for v in endpoint.production_variants or []}
    return _ORIGINAL_UPDATE_WEIGHTS(self, endpoint_name, desired_weights_and_capacities)


def _model_response(self: Model) -> dict[str, Any]:
    response = {key: value for key, value in self.gen_response_object().items()
                if value is not None and not (isinstance(value, dict | list) and not any(value))}
    response["ModelArn"] = response.pop("Arn")
    return response


# -- CloudWatch metric data --

class PublishedDatum(MetricDatumBase):
    """One PutMetricData entry as published: its Values/Counts (or Value) together, or its StatisticValues."""

    def __init__(self, namespace: str, entry: Mapping[str, Any]) -> None:
        super().__init__(namespace, entry["MetricName"], entry.get("Dimensions") or [],
                         utc(entry["Timestamp"]) if entry.get("Timestamp") else datetime.now(UTC),
                         entry.get("Unit") or "None")
        self.values: tuple[float, ...] = ()
        self.counts: tuple[float, ...] = ()
        self.statistic_set: StatisticSet | None = None
        if entry.get("StatisticValues"):
            stats = entry["StatisticValues"]
            self.statistic_set = StatisticSet(float(stats["SampleCount"]), float(stats["Sum"]),
                                              float(stats["Minimum"]), float(stats["Maximum"]))
        elif entry.get("Values"):
            self.values = tuple(float(v) for v in entry["Values"])
            self.counts = tuple(float(c) for c in entry.get("Counts") or [1.0] * len(self.values))
        else:
            self.values, self.counts = (float(entry.get("Value", 0.0)),), (1.0,)

    def add_to(self, period: PeriodData) -> None:
        """Contribute this datum to one period's statistics."""
        if self.statistic_set is not None:
            period.add_set(self.statistic_set)
        else:
            period.add_values(self.values, self.counts)


def _as_published(datum: MetricDatumBase) -> PublishedDatum:
    """moto's own datum kinds (S3's built-in metrics) seen as published entries."""
    if isinstance(datum, PublishedDatum):
        return datum
    entry: dict[str, Any] = {"MetricName": datum.name, "Timestamp": datum.timestamp, "Unit": datum.unit,
                             "Dimensions": [{"Name": d.name, "Value": d.value} for d in datum.dimensions]}
    if isinstance(datum, MetricAggregatedDatum):
        entry["StatisticValues"] = {"SampleCount": datum.sample_count, "Sum": datum.sum, "Minimum": datum.min,
                                    "Maximum": datum.max}
    elif isinstance(datum, MetricDatum):
        entry["Value"] = datum.value
    return PublishedDatum(datum.namespace, entry)


def _metric_key(namespace: str, name: str, dimensions: Iterable[Mapping[str, str]]) -> tuple[Any, ...]:
    """CloudWatch's metric identity: namespace, name and the exact set of dimensions."""
    return namespace, name, frozenset((d["Name"], d["Value"]) for d in dimensions)


def _put_metric_data(self: CloudWatchBackend, namespace: str, metric_data: list[dict[str, Any]]) -> None:
    for number, entry in enumerate(metric_data, start=1):
        self._validate_parameters_put_metric_data(entry, number)
    self.metric_data.extend(PublishedDatum(namespace, entry) for entry in metric_data)


def _series(backend: CloudWatchBackend) -> dict[tuple[Any, ...], list[PublishedDatum]]:
    series: dict[tuple[Any, ...], list[PublishedDatum]] = {}
    for datum in map(_as_published, backend.get_all_metrics()):
        key = (datum.namespace, datum.name, frozenset((d.name, d.value) for d in datum.dimensions))
        series.setdefault(key, []).append(datum)
    return series


def _round_start(start: datetime, period: int) -> datetime:
    """CloudWatch rounds StartTime down to the minute, or to the period for 1/5/10/20/30-second periods."""
    step = period if period in _SUB_MINUTE_PERIODS else 60
    seconds = int(start.timestamp())
    return datetime.fromtimestamp(seconds - seconds % step, UTC)


def _aggregate(data: Iterable[PublishedDatum], statistic: Statistic, start: datetime, end: datetime,
               period: int, unit: str | None) -> list[tuple[datetime, float]]:
    """(period start, value) for every period in [start, end) that has data and a value for the statistic."""
    periods: dict[int, PeriodData] = {}
    for datum in data:
        if (unit is None or datum.unit == unit) and start <= datum.timestamp < end:
            index = int((datum.timestamp - start).total_seconds() // period)
            datum.add_to(periods.setdefault(index, PeriodData()))
    points = []
    for index in sorted(periods):
        value = periods[index].compute(statistic)
        if value is not None:
            points.append((start + timedelta(seconds=index * period), value))
    return points


def _statistic(text: str, place: str) -> Statistic:
    try:
        return parse_statistic(text)
    except StatisticError as error:
        raise InvalidParameterValue(f"{place}: {error}") from None


def _time_range(start_time: datetime, end_time: datetime) -> tuple[datetime, datetime]:
    start, end = utc(start_time), utc(end_time)
    if start > end:
        raise ValidationError("The parameter EndTime must be greater than StartTime.")
    if start == end:
        raise ValidationError("The parameter StartTime must not equal parameter EndTime.")
    return start, end


def _check_queries(queries: list[dict[str, Any]]) -> None:
    seen: set[str] = set()
    for number, query in enumerate(queries, start=1):
        query_id = query.get("Id", "")
        if not _QUERY_ID.fullmatch(query_id):
            raise ValidationError(f"The value {query_id} for parameter MetricDataQueries.member.{number}.Id is "
                                  "invalid: it must start with a lowercase letter and contain only letters, "
                                  "numbers and underscores.")
        if query_id in seen:
            raise ValidationError(f"The value {query_id} for parameter MetricDataQueries.member.{number}.Id is a "
                                  "duplicate.")
        seen.add(query_id)
        if "MetricStat" not in query and not _SEARCH.fullmatch(query.get("Expression", "")):
            raise InvalidParameterValue(f"MetricDataQueries.member.{number} ({query_id}): the stand-in evaluates "
                                        "SEARCH with a schema and exact Name=\"value\" terms only, no other "
                                        "metric math or Metrics Insights expressions")


# SEARCH('{Namespace,Dim,...} Name="value" ...', 'Stat', Period): the subset the advisor sends
# (search-expression-syntax: a schema matches metrics with exactly its dimensions; a quoted term an exact value).
_SEARCH = re.compile(r"""SEARCH\('\{(?P<schema>[^}]*)\}(?P<terms>(?:\s+\w+="[^"]*")*)\s*',\s*'(?P<stat>[^']+)',\s*"""
                     r"""(?P<period>\d+)\)""")
_TERM = re.compile(r'(\w+)="([^"]*)"')
_DYNAMIC_DIMENSION = re.compile(r"\$\{PROP\('Dim\.(\w+)'\)\}")


def _dimension_value(dims: Mapping[str, str], match: re.Match[str]) -> str:
    """What `${PROP('Dim.X')}` shows for a series: its value of dimension X."""
    return dims.get(match.group(1), "")


def _result(query_id: str, label: str, points: list[tuple[datetime, float]], scan_by: str) -> dict[str, Any]:
    """One MetricDataResult, in the order ScanBy asks for."""
    if scan_by == "TimestampDescending":
        points = points[::-1]
    return {"Id": query_id, "Label": label, "Timestamps": [t for t, _ in points], "Values": [v for _, v in points],
            "StatusCode": "Complete"}


def _search(series: Mapping[tuple[Any, ...], list[PublishedDatum]], query: dict[str, Any], start: datetime,
            end: datetime, number: int, scan_by: str) -> list[dict[str, Any]]:
    """One result per matching series, all under the query's Id, labelled by the query's dynamic label."""
    match = _SEARCH.fullmatch(query["Expression"])
    assert match is not None  # _check_queries let only these through
    namespace, *names = [part.strip().strip('"') for part in match["schema"].split(",")]
    terms = dict(_TERM.findall(match["terms"]))
    wanted_name = terms.pop("MetricName", None)
    statistic = _statistic(match["stat"], f"MetricDataQueries.member.{number}.Expression")
    period = int(match["period"])
    results = []
    for (space, name, dims), data in sorted(series.items(), key=lambda item: sorted(item[0][2])):
        found = dict(dims)
        if space != namespace or set(found) != set(names) or (wanted_name and name != wanted_name) \
                or any(found.get(k) != v for k, v in terms.items()):
            continue
        label = _DYNAMIC_DIMENSION.sub(partial(_dimension_value, found), query.get("Label") or name)
        points = _aggregate(data, statistic, _round_start(start, period), end, period, None)
        results.append(_result(query["Id"], label, points, scan_by))
    return results


def _get_metric_data(self: CloudWatchBackend, queries: list[dict[str, Any]], start_time: datetime,
                     end_time: datetime, scan_by: str = "TimestampDescending") -> list[dict[str, Any]]:
    start, end = _time_range(start_time, end_time)
    _check_queries(queries)
    series = _series(self)
    results = []
    for number, query in enumerate(queries, start=1):
        if not query.get("ReturnData", True):
            continue
        if "Expression" in query:
            results += _search(series, query, start, end, number, scan_by)
            continue
        metric_stat = query["MetricStat"]
        metric = metric_stat["Metric"]
        period = int(metric_stat["Period"])
        points = _aggregate(
            series.get(_metric_key(metric["Namespace"], metric["MetricName"], metric.get("Dimensions") or []), []),
            _statistic(metric_stat["Stat"], f"MetricDataQueries.member.{number}.MetricStat.Stat"),
            _round_start(start, period), end, period, metric_stat.get("Unit"))
        results.append(_result(query["Id"], query.get("Label") or metric["MetricName"], points, scan_by))
    return results


def _get_metric_statistics_response(self: CloudWatchResponse) -> ActionResult:
    names = list(self._get_param("Statistics", [])) + list(self._get_param("ExtendedStatistics", []) or [])
    if not names:
        raise ValidationError("Must specify either Statistics or ExtendedStatistics")
    start, end = _time_range(self._get_param("StartTime"), self._get_param("EndTime"))
    period = self._get_int_param("Period")
    metric_name = self._get_param("MetricName")
    data = _series(self.cloudwatch_backend).get(
        _metric_key(self._get_param("Namespace"), metric_name, self._get_param("Dimensions", [])), [])
    unit = self._get_param("Unit")
    unit_shown = unit or (data[0].unit if data else "None")
    datapoints: dict[datetime, dict[str, Any]] = {}
    for name in names:
        statistic = _statistic(name, "Statistics")
        for moment, value in _aggregate(data, statistic, _round_start(start, period), end, period, unit):
            point = datapoints.setdefault(moment, {"Timestamp": moment, "Unit": unit_shown})
            if statistic.kind in SIMPLE_STATISTICS:
                point[name] = value
            else:
                point.setdefault("ExtendedStatistics", {})[name] = value
    return ActionResult({"Label": metric_name, "Datapoints": list(datapoints.values())})


_SCALABLE_DIMENSIONS = Enum(  # type: ignore[misc]
    "ScalableDimensionValueSet",
    {**{member.name: member.value for member in aas_models.ScalableDimensionValueSet}, **EXTRA_SCALABLE_DIMENSIONS})

_PATCHES: tuple[tuple[Any, str, Any], ...] = (
    (FakeEndpointConfig, "validate_instance_type", _validate_instance_type),
    (SageMakerModelBackend, "create_endpoint", _create_endpoint),
    (SageMakerModelBackend, "update_endpoint", _update_endpoint),
    (SageMakerModelBackend, "update_endpoint_weights_and_capacities", _update_endpoint_weights_and_capacities),
    (SageMakerResponse, "update_endpoint", _update_endpoint_response),
    (SageMakerResponse, "create_endpoint_config", _create_endpoint_config_response),
    (Model, "response_object", property(_model_response)),
    (CloudWatchBackend, "put_metric_data", _put_metric_data),
    (CloudWatchBackend, "get_metric_data", _get_metric_data),
    (CloudWatchResponse, "get_metric_statistics", _get_metric_statistics_response),
    *autoscaling.PATCHES,
    *alarms.PATCHES,
    *inference_components.PATCHES,
)

"""Gather the facts of a coverage check (advisor.coverage) in batched, counted calls.

Calls per run, with A alarms of the stack, E endpoints in the region, W of them watched by an alarm and U
in-service endpoints no alarm watches:
- DescribeAlarms by name prefix, 100 a page: ceil(A / 100);
- ListEndpoints, 100 a page: ceil(E / 100);
- DescribeEndpoint for each existing watched endpoint (variants, kind, last change): W;
  and for each unwatched candidate when the discover filter names kinds: U (plus DescribeEndpointConfig and
  DescribeModel for an instance-backed one: only the model tells multi-model from real-time);
- ListTags for each unwatched candidate when the discover filter names tags: U;
- GetMetricData, up to 500 queries a call (each alarm's own query, plus Invocations per variant):
  ceil((A + variants) / 500), so 300 alarms take at most 2.
A failed call is recorded in `errors` and the check goes on with what it has; nothing is guessed from it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from advisor.catalogue import CATALOGUE, Kind, M
from advisor.coverage import (
    WINDOW,
    CoverageFacts,
    CoverageReport,
    DiscoverFilter,
    FleetEndpoint,
    WatchedAlarm,
    classify,
)
from advisor.evidence import AdvisorClients, _container, _error_of, _is_not_found, _kind

QUERIES_PER_CALL = 500  # GetMetricData's limit on MetricDataQueries
PAGE = 100  # DescribeAlarms MaxRecords and ListEndpoints MaxResults: their maximums
INVOCATIONS = CATALOGUE[M.INVOCATIONS]


def _error(errors: list[dict[str, str]], operation: str, exc: BaseException, subject: str = "") -> None:
    code, message = _error_of(exc)
    errors.append({"operation": operation, "subject": subject, "code": code, "message": message})


def _aware(value: Any, default: datetime) -> datetime:
    if not isinstance(value, datetime):
        return default
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def describe_alarms(cloudwatch: Any, prefix: str, now: datetime) -> list[WatchedAlarm]:
    """Every metric alarm whose name starts with `prefix`, page by page."""
    alarms: list[WatchedAlarm] = []
    kwargs: dict[str, Any] = {"AlarmNamePrefix": prefix, "AlarmTypes": ["MetricAlarm"], "MaxRecords": PAGE}
    while True:
        page = cloudwatch.describe_alarms(**kwargs)
        for raw in page.get("MetricAlarms", []):
            alarms.append(WatchedAlarm(
                name=raw["AlarmName"], namespace=raw.get("Namespace"), metric=raw.get("MetricName"),
                stat=raw.get("ExtendedStatistic") or raw.get("Statistic"),
                dimensions={d["Name"]: d["Value"] for d in raw.get("Dimensions", [])},
                state=raw.get("StateValue", ""),
                # The last change of StateValue (AWS); StateUpdatedTimestamp also moves with EvaluationState.
                state_since=_aware(raw.get("StateTransitionedTimestamp") or raw.get("StateUpdatedTimestamp"), now),
                configured_at=_aware(raw.get("AlarmConfigurationUpdatedTimestamp"), now)))
        token = page.get("NextToken")
        if not token:
            return alarms
        kwargs["NextToken"] = token


def list_endpoints(sagemaker: Any) -> dict[str, dict[str, Any]]:
    """Every endpoint of the region (name, ARN, status, last change), page by page."""
    endpoints: dict[str, dict[str, Any]] = {}
    kwargs: dict[str, Any] = {"MaxResults": PAGE}
    while True:
        page = sagemaker.list_endpoints(**kwargs)
        for raw in page.get("Endpoints", []):
            endpoints[raw["EndpointName"]] = raw
        token = page.get("NextToken")
        if not token:
            return endpoints
        kwargs["NextToken"] = token


def _describe(sagemaker: Any, summary: dict[str, Any], now: datetime, errors: list[dict[str, str]],
              exact_kind: bool = False) -> FleetEndpoint | None:
    """The endpoint with its variants and kind (DescribeEndpoint); None if it vanished meanwhile."""
    name = summary["EndpointName"]
    base = FleetEndpoint(name=name, status=summary.get("EndpointStatus", ""),
                         last_modified=_aware(summary.get("LastModifiedTime"), now))
    try:
        described = sagemaker.describe_endpoint(EndpointName=name)
    except Exception as exc:
        if _is_not_found(_error_of(exc)[0]):
            return None
        _error(errors, "sagemaker.DescribeEndpoint", exc, name)
        return base
    variants = described.get("ProductionVariants") or []
    kind = _kind(None, None, None, described, variants[0] if variants else {})
    endpoint = FleetEndpoint(name=name, status=described.get("EndpointStatus", base.status),
                             last_modified=_aware(described.get("LastModifiedTime"), now),
                             variants=tuple(v["VariantName"] for v in variants), kind=kind)
    if exact_kind and kind is Kind.REAL_TIME:
        return _exact_kind(sagemaker, endpoint, described["EndpointConfigName"], errors)
    return endpoint


def variant_kind(config: dict[str, Any], variant: dict[str, Any], model: dict[str, Any] | None) -> Kind:
    """A variant's kind from its endpoint config (and, for instances, its model's container mode)."""
    if variant.get("ServerlessConfig"):
        return Kind.SERVERLESS
    if config.get("AsyncInferenceConfig"):
        return Kind.ASYNC
    if model is not None and _container(model).get("Mode") == "MultiModel":
        return Kind.MULTI_MODEL
    return Kind.REAL_TIME


def needs_model(config: dict[str, Any], variant: dict[str, Any]) -> bool:
    """Only the model tells a multi-model variant from a real-time one (both run on instances)."""
    return not variant.get("ServerlessConfig") and not config.get("AsyncInferenceConfig")


def _exact_kind(sagemaker: Any, endpoint: FleetEndpoint, config_name: str,
                errors: list[dict[str, str]]) -> FleetEndpoint:
    """The kind of an instance-backed candidate, for a kind filter: DescribeEndpointConfig, DescribeModel."""
    try:
        config = sagemaker.describe_endpoint_config(EndpointConfigName=config_name)
        variant = (config.get("ProductionVariants") or [{}])[0]
        model = sagemaker.describe_model(ModelName=variant["ModelName"]) if needs_model(config, variant) else None
    except Exception as exc:
        _error(errors, "sagemaker.DescribeEndpointConfig/DescribeModel", exc, endpoint.name)
        return replace(endpoint, kind=None)  # unknown: the kind filter does not match it
    return replace(endpoint, kind=variant_kind(config, variant, model))


def _tags(sagemaker: Any, arn: str, errors: list[dict[str, str]]) -> dict[str, str] | None:
    try:
        tags: dict[str, str] = {}
        kwargs: dict[str, Any] = {"ResourceArn": arn, "MaxResults": PAGE}
        while True:
            page = sagemaker.list_tags(**kwargs)
            tags.update({t["Key"]: t["Value"] for t in page.get("Tags", [])})
            if not page.get("NextToken"):
                return tags
            kwargs["NextToken"] = page["NextToken"]
    except Exception as exc:
        _error(errors, "sagemaker.ListTags", exc, arn)
        return None


def _query(query_id: str, namespace: str, name: str, dimensions: dict[str, str], stat: str) -> dict[str, Any]:
    return {"Id": query_id, "ReturnData": True, "MetricStat": {
        "Metric": {"Namespace": namespace, "MetricName": name,
                   "Dimensions": [{"Name": k, "Value": v} for k, v in sorted(dimensions.items())]},
        "Period": int(WINDOW.total_seconds()), "Stat": stat}}


def fetch_data(cloudwatch: Any, alarms: Iterable[WatchedAlarm], variants: Iterable[tuple[str, str]],
               now: datetime, errors: list[dict[str, str]]) -> tuple[dict[str, bool], dict[tuple[str, str], float]]:
    """One window-long datapoint per alarm query and per variant's Invocations, 500 queries a call."""
    end = now.replace(second=0, microsecond=0)
    start = end - WINDOW
    queries: list[tuple[Any, dict[str, Any]]] = []
    for alarm in alarms:
        if alarm.metric and alarm.namespace and alarm.stat:
            queries.append((alarm, _query(f"a{len(queries)}", alarm.namespace, alarm.metric,
                                          dict(alarm.dimensions), alarm.stat)))
    for endpoint, variant in sorted(set(variants)):
        queries.append(((endpoint, variant), _query(
            f"i{len(queries)}", INVOCATIONS.namespace.value, INVOCATIONS.name,
            {"EndpointName": endpoint, "VariantName": variant}, "Sum")))
    has_data: dict[str, bool] = {}
    invocations: dict[tuple[str, str], float] = {}
    for first in range(0, len(queries), QUERIES_PER_CALL):
        batch = dict((q["Id"], (subject, q)) for subject, q in queries[first:first + QUERIES_PER_CALL])
        try:
            results = _get_metric_data(cloudwatch, [q for _, q in batch.values()], start, end)
        except Exception as exc:
            _error(errors, "cloudwatch.GetMetricData", exc, f"queries {first + 1}-{first + len(batch)}")
            continue
        for query_id, values in results.items():
            subject, _ = batch[query_id]
            if isinstance(subject, WatchedAlarm):
                has_data[subject.name] = bool(values)
            else:
                invocations[subject] = float(sum(values))
    return has_data, invocations


def _get_metric_data(cloudwatch: Any, queries: list[dict[str, Any]], start: datetime,
                     end: datetime) -> dict[str, list[float]]:
    values: dict[str, list[float]] = {q["Id"]: [] for q in queries}
    kwargs: dict[str, Any] = {"MetricDataQueries": queries, "StartTime": start, "EndTime": end}
    while True:
        page = cloudwatch.get_metric_data(**kwargs)
        for result in page.get("MetricDataResults", []):
            values[result["Id"]].extend(result.get("Values", []))
        if not page.get("NextToken"):
            return values
        kwargs["NextToken"] = page["NextToken"]


def gather_coverage(clients: AdvisorClients, prefix: str, region: str, *, discover: DiscoverFilter | None = None,
                    now: datetime | None = None) -> CoverageFacts:
    """Read the stack's alarms, the region's endpoints and the alarms' data; raise only if the alarms or the
    endpoints cannot be listed (without them there is nothing to report)."""
    now = now or datetime.now(UTC)
    discover = discover or DiscoverFilter()
    errors: list[dict[str, str]] = []
    alarms = describe_alarms(clients.cloudwatch, prefix, now)
    summaries = list_endpoints(clients.sagemaker)
    watched = {alarm.endpoint for alarm in alarms if alarm.endpoint}
    endpoints: dict[str, FleetEndpoint] = {}
    for name, summary in summaries.items():
        candidate = (name not in watched and summary.get("EndpointStatus") == "InService"
                     and discover.name_matches(name))
        if name in watched or (candidate and discover.needs_kind):
            described = _describe(clients.sagemaker, summary, now, errors,
                                  exact_kind=candidate and discover.needs_kind)
            if described is None:
                continue
        else:
            described = FleetEndpoint(name=name, status=summary.get("EndpointStatus", ""),
                                      last_modified=_aware(summary.get("LastModifiedTime"), now))
        if candidate and discover.needs_tags:
            described = replace(described, tags=_tags(clients.sagemaker, summary["EndpointArn"], errors))
        endpoints[name] = described
    variants = {(e.name, v) for e in endpoints.values() if e.name in watched for v in e.variants or ()}
    has_data, invocations = fetch_data(clients.cloudwatch, alarms, variants, now, errors)
    return CoverageFacts(prefix=prefix, region=region, now=now, alarms=tuple(alarms), endpoints=endpoints,
                         has_data=has_data, invocations=invocations, discover=discover, errors=tuple(errors))


def check_coverage(clients: AdvisorClients, prefix: str, region: str, *, discover: DiscoverFilter | None = None,
                   now: datetime | None = None) -> CoverageReport:
    """Gather, classify and count every AWS call made: the full coverage report."""
    clients.counter.reset()
    report = classify(gather_coverage(clients, prefix, region, discover=discover, now=now))
    return replace(report, api_calls=clients.counter.snapshot())


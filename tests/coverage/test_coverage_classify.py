"""advisor.coverage: the classification from hand-built facts, and the discover filter's validation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from advisor.catalogue import Kind
from advisor.coverage import (
    CoverageFacts,
    DiscoverError,
    DiscoverFilter,
    FleetEndpoint,
    WatchedAlarm,
    classify,
    parse_discover,
)

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
LONG_AGO = NOW - timedelta(days=30)


def alarm(name: str = "S/ep/AllTraffic/ModelLatency", *, endpoint: str = "ep", variant: str | None = "AllTraffic",
          state: str = "OK", since: datetime = LONG_AGO, configured: datetime = LONG_AGO,
          metric: str | None = "ModelLatency", stat: str = "p90") -> WatchedAlarm:
    dims = {"EndpointName": endpoint, **({"VariantName": variant} if variant else {})}
    return WatchedAlarm(name=name, namespace="AWS/SageMaker", metric=metric, stat=stat, dimensions=dims,
                        state=state, state_since=since, configured_at=configured)


def facts(*alarms: WatchedAlarm, endpoints: tuple[FleetEndpoint, ...] = (), has_data: dict | None = None,
          invocations: dict | None = None, discover: DiscoverFilter | None = None) -> CoverageFacts:
    endpoints = endpoints or (FleetEndpoint("ep", "InService", LONG_AGO, ("AllTraffic",), Kind.REAL_TIME),)
    return CoverageFacts(prefix="S/", region="us-east-1", now=NOW, alarms=alarms,
                         endpoints={e.name: e for e in endpoints},
                         has_data=has_data if has_data is not None else {a.name: True for a in alarms},
                         invocations=invocations or {}, discover=discover or DiscoverFilter())


def test_stuck_only_after_a_day_in_insufficient_data() -> None:
    report = classify(facts(alarm("a", state="INSUFFICIENT_DATA", since=NOW - timedelta(hours=25)),
                            alarm("b", state="INSUFFICIENT_DATA", since=NOW - timedelta(hours=23)),
                            alarm("c", state="OK", since=NOW - timedelta(days=3))))
    assert report.names("stuck") == ["a"]


def test_no_data_without_traffic_is_not_blind() -> None:
    assert classify(facts(alarm("a"), has_data={"a": False})).names("blind") == []
    blind = classify(facts(alarm("a"), has_data={"a": False}, invocations={("ep", "AllTraffic"): 5}))
    assert blind.names("blind") == ["a"]


def test_missing_variant_is_orphaned_when_the_endpoint_changed_after_the_alarm() -> None:
    changed = FleetEndpoint("ep", "InService", NOW - timedelta(hours=1), ("Green",), Kind.REAL_TIME)
    traffic = {("ep", "Green"): 10}
    orphaned = classify(facts(alarm("a", variant="Blue"), endpoints=(changed,), has_data={"a": False},
                              invocations=traffic))
    assert orphaned.names("orphaned") == ["a"] and orphaned.names("blind") == []
    typo = classify(facts(alarm("a", variant="Blu", configured=NOW - timedelta(minutes=5)), endpoints=(changed,),
                          has_data={"a": False}, invocations=traffic))
    assert typo.names("blind") == ["a"] and typo.names("orphaned") == []


def test_endpoint_only_dimensions_are_blind_with_the_reason() -> None:
    report = classify(facts(alarm("a", variant=None), has_data={"a": False}, invocations={("ep", "AllTraffic"): 3}))
    [detail] = report.to_dict()["details"]
    assert detail["problem"] == "blind" and "dimensions EndpointName, VariantName" in detail["reason"]


def test_unreadable_data_and_metric_math_are_not_judged() -> None:
    report = classify(facts(alarm("a"), alarm("m", metric=None), has_data={}))
    assert report.problems == () and report.checked["not_judged"] == 2


def test_unwatched_in_service_endpoints_matching_the_filter() -> None:
    endpoints = (FleetEndpoint("ep", "InService", LONG_AGO, ("AllTraffic",), Kind.REAL_TIME),
                 FleetEndpoint("prod-a", "InService", tags={"team": "ml"}),
                 FleetEndpoint("prod-b", "InService", tags={"team": "search"}),
                 FleetEndpoint("prod-c", "Creating", tags={"team": "ml"}),
                 FleetEndpoint("dev-d", "InService", tags={"team": "ml"}))
    assert classify(facts(alarm(), endpoints=endpoints)).names("unwatched") == ["dev-d", "prod-a", "prod-b"]
    wanted = DiscoverFilter(tags={"team": "ml"}, name_prefix="prod-")
    assert classify(facts(alarm(), endpoints=endpoints, discover=wanted)).names("unwatched") == ["prod-a"]


def test_signature_ignores_order_and_reasons() -> None:
    one = classify(facts(alarm("a", state="INSUFFICIENT_DATA"), alarm("b", state="INSUFFICIENT_DATA")))
    two = classify(facts(alarm("b", state="INSUFFICIENT_DATA"), alarm("a", state="INSUFFICIENT_DATA")))
    assert one.signature == two.signature == [["stuck", "a"], ["stuck", "b"]]


def test_discover_round_trips() -> None:
    raw = {"tags": {"team": "ml"}, "name_prefix": "prod-", "kinds": ["serverless", "real-time"]}
    parsed = parse_discover(raw)
    assert parse_discover(parsed.to_dict()) == parsed and parsed.kinds == {Kind.SERVERLESS, Kind.REAL_TIME}
    assert parse_discover({}) == DiscoverFilter()


@pytest.mark.parametrize(("raw", "message"), [
    ([], "discover: expected an object"),
    ({"tag": {}}, "discover.tag: unknown key"),
    ({"tags": ["team"]}, "discover.tags: expected an object"),
    ({"tags": {"aws:cloudformation:stack-name": "x"}}, "discover.tags.aws:cloudformation:stack-name"),
    ({"tags": {"team": 3}}, "discover.tags.team: expected a tag value"),
    ({"name_prefix": "prod_"}, "discover.name_prefix"),
    ({"kinds": []}, "discover.kinds: expected a non-empty list"),
    ({"kinds": ["realtime"]}, "discover.kinds[0]: 'realtime' is not one of"),
])
def test_bad_discover_is_one_line_naming_the_key(raw: object, message: str) -> None:
    with pytest.raises(DiscoverError) as error:
        parse_discover(raw)
    assert str(error.value).startswith(message) and "\n" not in str(error.value)


def test_an_endpoint_watched_only_through_its_inference_components_is_not_unwatched() -> None:
    # IC alarms carry only InferenceComponentName; the stack's alarm name says the endpoint.
    component_alarm = WatchedAlarm(name="S/llm-ep/AllTraffic/chat-ic/ModelLatency", namespace="AWS/SageMaker",
                                   metric="ModelLatency", stat="p90", dimensions={"InferenceComponentName": "chat-ic"},
                                   state="OK", state_since=LONG_AGO, configured_at=LONG_AGO)
    endpoints = (FleetEndpoint("llm-ep", "InService", LONG_AGO, ("AllTraffic",), Kind.REAL_TIME),
                 FleetEndpoint("other", "InService", LONG_AGO, ("AllTraffic",), Kind.REAL_TIME))
    report = classify(facts(component_alarm, endpoints=endpoints))
    assert report.names("unwatched") == ["other"]
    assert not report.names("blind") and not report.names("orphaned")

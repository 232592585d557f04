"""Fleet coverage (issue 11): which of a stack's alarms can never fire, and which endpoints no alarm watches.

Pure classification of facts gathered elsewhere (advisor.fleet does the AWS calls): no I/O here, so every
rule is unit-tested with hand-built facts. Four problems:

- blind: the alarm's own metric, dimensions and statistic returned no datapoint in the window while the
  endpoint served invocations (wrong variant name, a statistic the metric does not support, a metric the kind
  does not emit). With `TreatMissingData: notBreaching` such an alarm sits at OK forever.
- orphaned: the alarm's endpoint, or its variant, no longer exists.
- stuck: the alarm has been in INSUFFICIENT_DATA for more than a day.
- unwatched: an InService endpoint matching the discover filter (any endpoint without one) that no alarm of
  the stack watches.

A variant missing from an existing endpoint is told apart by time: if the endpoint changed after the alarm was
last configured, the variant went away (orphaned); otherwise the alarm was made with a name the endpoint never
had (blind, when the endpoint has traffic).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from advisor.catalogue import Kind, metric

WINDOW = timedelta(hours=24)  # blind: no datapoint in this window; stuck: INSUFFICIENT_DATA for longer
PROBLEMS = ("blind", "orphaned", "stuck", "unwatched")
IN_SERVICE = "InService"
INSUFFICIENT_DATA = "INSUFFICIENT_DATA"
DISCOVER_KEYS = ("tags", "name_prefix", "kinds")
_TAG_KEY = re.compile(r"^(?!aws:)[\w\s.:/=+\-@]{1,128}$")
_TAG_VALUE = re.compile(r"^[\w\s.:/=+\-@]{0,256}$")
_NAME_PREFIX = re.compile(r"^[a-zA-Z0-9-]{1,63}$")
_PERCENTILE = re.compile(r"^(p|tm|wm|tc|ts|pr)\d|^IQM$")


class DiscoverError(ValueError):
    """A bad discover filter: one line naming the key, e.g. `discover.tag: unknown key (...)`."""


@dataclass(frozen=True)
class DiscoverFilter:
    """Which endpoints a stack is meant to watch: all tags must match, the name start with the prefix, the kind
    be one of `kinds`. An empty filter matches every endpoint."""

    tags: Mapping[str, str] = field(default_factory=dict)
    name_prefix: str | None = None
    kinds: frozenset[Kind] | None = None

    @property
    def needs_tags(self) -> bool:
        """Whether matching needs the endpoint's tags (one ListTags call each)."""
        return bool(self.tags)

    @property
    def needs_kind(self) -> bool:
        """Whether matching needs the endpoint's kind (DescribeEndpoint, DescribeEndpointConfig)."""
        return self.kinds is not None

    def name_matches(self, name: str) -> bool:
        """The part of the filter that needs no AWS call."""
        return self.name_prefix is None or name.startswith(self.name_prefix)

    def matches(self, name: str, tags: Mapping[str, str] | None, kind: Kind | None) -> bool:
        """Whether an endpoint with this name, tags and kind is one the stack should watch."""
        if not self.name_matches(name):
            return False
        if self.tags and (tags is None or any(tags.get(k) != v for k, v in self.tags.items())):
            return False
        return self.kinds is None or (kind is not None and kind in self.kinds)

    def to_dict(self) -> dict[str, Any]:
        """The filter as config JSON (keys only where set): the watchdog's environment carries it."""
        raw: dict[str, Any] = {}
        if self.tags:
            raw["tags"] = dict(self.tags)
        if self.name_prefix is not None:
            raw["name_prefix"] = self.name_prefix
        if self.kinds is not None:
            raw["kinds"] = sorted(self.kinds)
        return raw


def parse_discover(raw: Any, where: str = "discover") -> DiscoverFilter:
    """Validate a config's `discover` object; raises DiscoverError naming the key."""
    if not isinstance(raw, dict):
        raise DiscoverError(f"{where}: expected an object with any of {', '.join(DISCOVER_KEYS)}")
    for key in raw:
        if key not in DISCOVER_KEYS:
            raise DiscoverError(f"{where}.{key}: unknown key (expected one of {', '.join(DISCOVER_KEYS)})")
    tags = raw.get("tags", {})
    if not isinstance(tags, dict):
        raise DiscoverError(f"{where}.tags: expected an object of tag key to value")
    for key, value in tags.items():
        if not _TAG_KEY.match(key):
            raise DiscoverError(f"{where}.tags.{key}: not a tag key (1-128 characters, not starting with aws:)")
        if not isinstance(value, str) or not _TAG_VALUE.match(value):
            raise DiscoverError(f"{where}.tags.{key}: expected a tag value (a string, at most 256 characters)")
    prefix = raw.get("name_prefix")
    if prefix is not None and (not isinstance(prefix, str) or not _NAME_PREFIX.match(prefix)):
        raise DiscoverError(f"{where}.name_prefix: expected the start of a SageMaker endpoint name "
                            "(letters, digits and '-')")
    kinds = raw.get("kinds")
    if kinds is not None:
        if not isinstance(kinds, list) or not kinds:
            raise DiscoverError(f"{where}.kinds: expected a non-empty list of {', '.join(Kind)}")
        for i, kind in enumerate(kinds):
            if kind not in set(Kind):
                raise DiscoverError(f"{where}.kinds[{i}]: {kind!r} is not one of {', '.join(Kind)}")
        kinds = frozenset(Kind(kind) for kind in kinds)
    return DiscoverFilter(tags=dict(tags), name_prefix=prefix, kinds=kinds)


@dataclass(frozen=True)
class WatchedAlarm:
    """One of the stack's alarms, as DescribeAlarms returns it."""

    name: str
    namespace: str | None
    metric: str | None  # None: a metric-math alarm, which coverage does not judge
    stat: str | None  # Statistic or ExtendedStatistic
    dimensions: Mapping[str, str]
    state: str
    state_since: datetime
    configured_at: datetime

    @property
    def endpoint(self) -> str | None:
        """The EndpointName dimension."""
        return self.dimensions.get("EndpointName")

    @property
    def variant(self) -> str | None:
        """The VariantName dimension."""
        return self.dimensions.get("VariantName")


@dataclass(frozen=True)
class FleetEndpoint:
    """An endpoint of the region. Variants, kind and tags are None where they were not read."""

    name: str
    status: str
    last_modified: datetime | None = None
    variants: tuple[str, ...] | None = None
    kind: Kind | None = None
    tags: Mapping[str, str] | None = None


@dataclass(frozen=True)
class CoverageFacts:
    """Everything the classification reads, gathered in a few batched calls."""

    prefix: str
    region: str
    now: datetime
    alarms: tuple[WatchedAlarm, ...]
    endpoints: Mapping[str, FleetEndpoint]  # every endpoint of the region, by name
    has_data: Mapping[str, bool]  # alarm name -> its own query returned a datapoint in the window
    invocations: Mapping[tuple[str, str], float]  # (endpoint, variant) -> Invocations Sum in the window
    discover: DiscoverFilter = DiscoverFilter()
    errors: tuple[dict[str, str], ...] = ()


@dataclass(frozen=True)
class Problem:
    """One coverage problem: its kind, the alarm (or endpoint) it names, and why."""

    problem: str
    name: str
    endpoint: str | None
    reason: str

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"problem": self.problem, "name": self.name, "endpoint": self.endpoint, "reason": self.reason}


@dataclass(frozen=True)
class CoverageReport:
    """The classified problems and what was checked."""

    problems: tuple[Problem, ...]
    checked: Mapping[str, Any]
    region: str
    prefix: str
    api_calls: Mapping[str, Any] = field(default_factory=dict)
    errors: tuple[dict[str, str], ...] = ()

    def names(self, problem: str) -> list[str]:
        """The alarm names (endpoint names for unwatched) with this problem, sorted."""
        return sorted(p.name for p in self.problems if p.problem == problem)

    @property
    def signature(self) -> list[list[str]]:
        """The set of problems, order-free: what the watchdog compares between runs."""
        return sorted([p.problem, p.name] for p in self.problems)

    def to_dict(self) -> dict[str, Any]:
        """The `advisor coverage --format json` object."""
        return {**{problem: self.names(problem) for problem in PROBLEMS},
                "checked": dict(self.checked), "api_calls": dict(self.api_calls),
                "details": [p.to_dict() for p in sorted(self.problems, key=lambda p: (p.problem, p.name))],
                "region": self.region, "prefix": self.prefix, "errors": list(self.errors)}


def is_percentile(stat: str) -> bool:
    """Percentile-like extended statistics (pNN, trimmed and winsorized means, IQM)."""
    return bool(_PERCENTILE.match(stat))


def _kinds_of(kind: Kind | None) -> tuple[Kind, ...]:
    # DescribeEndpoint alone cannot tell real-time from multi-model: both have instances.
    if kind is Kind.REAL_TIME:
        return (Kind.REAL_TIME, Kind.MULTI_MODEL)
    return (kind,) if kind is not None else ()


def blind_reason(alarm: WatchedAlarm, endpoint: FleetEndpoint) -> str:
    """Why this alarm's query can match no data, as far as the catalogue and the endpoint tell."""
    entry = metric(alarm.metric or "")
    if alarm.variant is not None and endpoint.variants is not None and alarm.variant not in endpoint.variants:
        return (f"variant {alarm.variant} does not exist on endpoint {endpoint.name} (its variants: "
                f"{', '.join(endpoint.variants) or 'none'})")
    if entry is None:
        return f"{alarm.metric} is not a metric SageMaker endpoints publish (not in the metric catalogue)"
    if alarm.namespace != entry.namespace.value:
        return f"{entry.name} is published in namespace {entry.namespace.value}, not {alarm.namespace}"
    if set(alarm.dimensions) != set(entry.dimensions):
        return (f"{entry.name} is published with dimensions {', '.join(entry.dimensions)}, the alarm has "
                f"{', '.join(sorted(alarm.dimensions)) or 'none'}")
    kinds = _kinds_of(endpoint.kind)
    if kinds and not any(kind in entry.kinds for kind in kinds):
        return (f"{' or '.join(kinds)} endpoints do not emit {entry.name} (only "
                f"{', '.join(sorted(entry.kinds))} endpoints do)")
    stat = alarm.stat or ""
    if entry.documented_stats:
        if is_percentile(stat) and not entry.percentiles_documented:
            return (f"{stat} is not a statistic AWS documents for {entry.name} "
                    f"(documented: {', '.join(entry.documented_stats)})")
        if not is_percentile(stat) and stat not in entry.documented_stats:
            return (f"{stat} is not a statistic AWS documents for {entry.name} "
                    f"(documented: {', '.join(entry.documented_stats)})")
    return f"no {entry.name} {stat} datapoint with exactly these dimensions, though the variant serves traffic"


def _traffic(facts: CoverageFacts, endpoint: FleetEndpoint, variant: str | None) -> float:
    """Invocations of the alarm's variant; of the whole endpoint when that variant does not exist."""
    if variant is not None and endpoint.variants is not None and variant in endpoint.variants:
        return facts.invocations.get((endpoint.name, variant), 0.0)
    return sum(facts.invocations.get((endpoint.name, v), 0.0) for v in endpoint.variants or ())


def _classify_alarm(alarm: WatchedAlarm, facts: CoverageFacts, counts: dict[str, int]) -> list[Problem]:
    problems = []
    if alarm.state == INSUFFICIENT_DATA and facts.now - alarm.state_since > WINDOW:
        hours = (facts.now - alarm.state_since).total_seconds() / 3600
        problems.append(Problem("stuck", alarm.name, alarm.endpoint,
                                f"in INSUFFICIENT_DATA for {hours:.0f} h (since {alarm.state_since:%Y-%m-%d %H:%M} "
                                "UTC)"))
    if alarm.endpoint is None or alarm.metric is None:
        counts["not_judged"] += 1
        return problems
    endpoint = facts.endpoints.get(alarm.endpoint)
    if endpoint is None:
        problems.append(Problem("orphaned", alarm.name, alarm.endpoint,
                                f"endpoint {alarm.endpoint} does not exist (anymore)"))
        return problems
    variant_gone = (alarm.variant is not None and endpoint.variants is not None
                    and alarm.variant not in endpoint.variants)
    if variant_gone and endpoint.last_modified is not None and endpoint.last_modified > alarm.configured_at:
        problems.append(Problem("orphaned", alarm.name, alarm.endpoint,
                                f"variant {alarm.variant} no longer exists on endpoint {endpoint.name} (its variants "
                                f"since {endpoint.last_modified:%Y-%m-%d %H:%M} UTC: "
                                f"{', '.join(endpoint.variants or ()) or 'none'})"))
        return problems
    if alarm.name not in facts.has_data:
        counts["not_judged"] += 1  # its query failed: say nothing rather than guess
        return problems
    if not facts.has_data[alarm.name]:
        traffic = _traffic(facts, endpoint, alarm.variant)
        if traffic > 0:
            problems.append(Problem("blind", alarm.name, alarm.endpoint,
                                    f"{blind_reason(alarm, endpoint)}; no datapoint in 24 h while the endpoint "
                                    f"served {traffic:.0f} invocations"))
    return problems


def classify(facts: CoverageFacts) -> CoverageReport:
    """Blind, orphaned, stuck and unwatched, from the gathered facts."""
    counts = {"not_judged": 0}
    problems: list[Problem] = []
    for alarm in facts.alarms:
        problems.extend(_classify_alarm(alarm, facts, counts))
    # An inference component's alarms carry only InferenceComponentName; their names say the endpoint
    # (<prefix><endpoint>/<variant>/<component>/<metric>), so its endpoint counts as watched.
    watched = {alarm.endpoint or alarm.name[len(facts.prefix):].split("/", 1)[0] for alarm in facts.alarms
               if alarm.endpoint or alarm.name.startswith(facts.prefix)}
    in_service = [e for e in facts.endpoints.values() if e.status == IN_SERVICE]
    for endpoint in sorted(in_service, key=lambda e: e.name):
        if endpoint.name not in watched and facts.discover.matches(endpoint.name, endpoint.tags, endpoint.kind):
            which = "matches the discover filter" if facts.discover.to_dict() else "is in service"
            problems.append(Problem("unwatched", endpoint.name, endpoint.name,
                                    f"endpoint {endpoint.name} {which} and no alarm of {facts.prefix}* watches it"))
    checked = {"alarms": len(facts.alarms), "endpoints": len(facts.endpoints),
               "in_service": len(in_service), "watched_endpoints": len(watched),
               "not_judged": counts["not_judged"], "window_hours": int(WINDOW.total_seconds() // 3600),
               "discover": facts.discover.to_dict()}
    return CoverageReport(problems=tuple(problems), checked=checked, region=facts.region, prefix=facts.prefix,
                          errors=facts.errors)


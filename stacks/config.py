"""The stack's JSON config (SPEC §7): parsed and fully validated before any construct is built.

Every problem is reported as one line, `<file>: <key>: <problem>`, e.g.
`config/watch.json: endpoints[2].kind: 'realtime' is not one of real-time, multi-model, serverless, async, ...`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from advisor.catalogue import DEFAULT_PUBLISH_FREQUENCY_S, PUBLISH_FREQUENCIES_S, Kind
from advisor.coverage import DiscoverError, DiscoverFilter, parse_discover
from stacks.thresholds import (
    KIND_THRESHOLDS,
    KINDS,
    LOW_SAMPLE_CHOICES,
    METRICS,
    SCALE_TO_ZERO_ONLY,
    AlarmSpec,
    default_alarms,
    follows_publish_frequency,
    kinds_emitting,
)

DEFAULT_STACK_NAME = "SageMakerLatencyAdvisor"
DEFAULT_VARIANT = "AllTraffic"
DEFAULT_RUNBOOK_URL = "https://docs.aws.amazon.com/sagemaker/latest/dg/monitoring-cloudwatch.html"


def _pinned_powertools() -> str:
    """The aws-lambda-powertools version requirements.txt pins: the one the tests ran, so the layer's default."""
    pins = (Path(__file__).resolve().parents[1] / "requirements.txt").read_text(encoding="utf-8")
    pinned = re.search(r"^aws-lambda-powertools==(\S+)", pins, re.MULTILINE)
    if pinned is None:
        raise ConfigError("requirements.txt: no aws-lambda-powertools==VERSION pin (the layer's default version)")
    return pinned.group(1)


# Not "latest": a layer published after the tests ran would reach production untested.
DEFAULT_POWERTOOLS_VERSION = _pinned_powertools()

SAGEMAKER_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")
# Short enough that prefix/endpoint/variant/metric stays within CloudWatch's 255-character alarm name.
STACK_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9-]{0,63}$")
PERCENTILE = re.compile(r"^p\d")  # the statistics EvaluateLowSampleCountPercentile applies to
STAT = re.compile(r"^(Average|Minimum|Maximum|Sum|SampleCount|IQM|p100|(p|tm|wm|tc|ts)\d{1,2}(\.\d+)?)$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# The complete ARN (with the 6-character suffix Secrets Manager adds), so IAM can name it exactly.
SECRET_ARN = re.compile(r"^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+-[A-Za-z0-9]{6}$")
POWERTOOLS_VERSION = re.compile(r"^(latest|\d+\.\d+\.\d+)$")
TAG_KEY = re.compile(r"^(?!aws:)[\w\s.:/=+\-@]{1,128}$")
TAG_VALUE = re.compile(r"^[\w\s.:/=+\-@]{0,256}$")
ONE_DAY_S = 86_400

TOP_KEYS = ("endpoints", "thresholds", "notify", "stack_name", "runbook_url", "advisor", "tags", "discover", "watchdog")
ENDPOINT_KEYS = ("name", "variant", "kind", "thresholds", "metrics", "inference_components")
COMPONENT_KEYS = ("name", "thresholds", "scale_to_zero")
COMPONENTS_KIND = Kind.INFERENCE_COMPONENTS.value
METRICS_KEYS = ("publish_frequency_s", "enhanced")
OVERRIDE_FIELDS = ("stat", "period_s", "datapoints", "evaluation_periods", "evaluate_low_samples")
NOTIFY_KEYS = ("email", "slack", "slack_secret_arn")
ADVISOR_KEYS = ("powertools_version", "reserved_concurrency")
WATCHDOG_KEYS = ("schedule",)
DEFAULT_WATCHDOG_SCHEDULE = "rate(1 hour)"
# EventBridge schedule expressions: rate(1 unit) singular, rate(N units) plural; cron with six fields.
SCHEDULE = re.compile(r"^(rate\((1 (minute|hour|day)|([2-9]|[1-9]\d+) (minutes|hours|days))\)|cron\(\S+( \S+){5}\))$")


class ConfigError(ValueError):
    """A bad config, as the one line synth prints: `<file>: <key>: <problem>`."""


class _Invalid(Exception):
    """A problem at one key path; turned into a ConfigError with the file name at the edge."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"{key}: {problem}" if key else problem)


@dataclass(frozen=True)
class MetricsSettings:
    """The endpoint config's MetricsConfig as declared in our config: how often SageMaker publishes."""

    publish_frequency_s: int = DEFAULT_PUBLISH_FREQUENCY_S
    enhanced: bool = False

    def frequency_s(self, metric: str) -> int:
        """Seconds between the datapoints of `metric`: invocation metrics need enhanced metrics to follow."""
        if follows_publish_frequency(metric, self.enhanced):
            return self.publish_frequency_s
        return DEFAULT_PUBLISH_FREQUENCY_S


@dataclass(frozen=True)
class Component:
    """One inference component of an `inference-components` endpoint, and its alarms."""

    name: str
    alarms: tuple[AlarmSpec, ...]
    scale_to_zero: bool = False


@dataclass(frozen=True)
class Endpoint:
    """One watched endpoint variant and the alarms it gets (per IC for an `inference-components` endpoint)."""

    name: str
    variant: str
    kind: str
    alarms: tuple[AlarmSpec, ...]
    metrics: MetricsSettings = MetricsSettings()
    components: tuple[Component, ...] = ()


@dataclass(frozen=True)
class Notify:
    """Where diagnoses go besides the SNS topic (which always exists)."""

    email: tuple[str, ...] = ()
    slack: bool = False
    slack_secret_arn: str | None = None

    @property
    def uses_slack(self) -> bool:
        """True when the advisor posts to Slack (new or existing secret)."""
        return self.slack or self.slack_secret_arn is not None


@dataclass(frozen=True)
class AdvisorSettings:
    """Knobs of the advisor Lambda."""

    powertools_version: str = DEFAULT_POWERTOOLS_VERSION
    reserved_concurrency: int | None = None


@dataclass(frozen=True)
class Config:
    """A validated config; `source` names the file for messages."""

    endpoints: tuple[Endpoint, ...]
    notify: Notify = Notify()
    advisor: AdvisorSettings = AdvisorSettings()
    stack_name: str = DEFAULT_STACK_NAME
    runbook_url: str = DEFAULT_RUNBOOK_URL
    tags: Mapping[str, str] = field(default_factory=dict)
    source: str = "config"
    discover: DiscoverFilter | None = None  # endpoints found by tag / name / kind at synth (stacks.discovery)
    watchdog_schedule: str | None = DEFAULT_WATCHDOG_SCHEDULE  # None: no coverage watchdog

    @property
    def alarm_prefix(self) -> str:
        """Every endpoint alarm name starts with this; the EventBridge rule matches on it."""
        return f"{self.stack_name}/"


def load_config(path: str | Path) -> Config:
    """Read and validate the config file at `path`; raises ConfigError."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as err:
        raise ConfigError(f"{source}: cannot read the file: {err.strerror}") from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as err:
        raise ConfigError(f"{source}: not valid JSON: {err.msg} (line {err.lineno}, column {err.colno})") from None
    return parse_config(raw, source)


def parse_config(raw: Any, source: str = "config") -> Config:
    """Validate an already-decoded config; raises ConfigError naming `source` and the key."""
    try:
        return _parse(raw, source)
    except _Invalid as err:
        raise ConfigError(f"{source}: {err}") from None


def _parse(raw: Any, source: str) -> Config:
    top = _object(raw, "", TOP_KEYS)
    overrides = _thresholds(top.get("thresholds", {}), "thresholds", list(METRICS))
    for metric, fields in overrides.items():  # checked once here, whichever endpoints they reach
        _apply(AlarmSpec(metric, METRICS[metric].stat, 0), fields, f"thresholds.{metric}")
    discover = _discover(top["discover"]) if "discover" in top else None
    raw_endpoints = _typed(top, "endpoints", "", list, "a list of endpoints", default=[],
                           required=discover is None)
    if not raw_endpoints and discover is None:
        raise _Invalid("endpoints", "is empty; list at least one endpoint (or find them with discover)")
    endpoints = tuple(_endpoint(item, f"endpoints[{i}]", overrides) for i, item in enumerate(raw_endpoints))
    _no_duplicates(endpoints)
    return Config(
        endpoints=endpoints,
        notify=_notify(top.get("notify", {})),
        advisor=_advisor(top.get("advisor", {})),
        stack_name=_matching(top, "stack_name", "", STACK_NAME, DEFAULT_STACK_NAME,
                             "must start with a letter, then letters, digits or '-', at most 64 characters"),
        runbook_url=_matching(top, "runbook_url", "", re.compile(r"^https?://\S+$"), DEFAULT_RUNBOOK_URL,
                              "must be an http(s) URL"),
        tags=_tags(top.get("tags", {})),
        source=source,
        discover=discover,
        watchdog_schedule=_watchdog(top.get("watchdog", {})),
    )


def _endpoint(raw: Any, where: str, overrides: Mapping[str, dict[str, Any]]) -> Endpoint:
    item = _object(raw, where, ENDPOINT_KEYS)
    name = _matching(item, "name", where, SAGEMAKER_NAME, None, _name_rule("endpoint"), required=True)
    variant = _matching(item, "variant", where, SAGEMAKER_NAME, DEFAULT_VARIANT, _name_rule("variant"))
    kind = _typed(item, "kind", where, str, "a string", required=True)
    if kind not in KINDS:
        raise _Invalid(f"{where}.kind", f"{kind!r} is not one of {', '.join(KINDS)}")
    emitted = list(KIND_THRESHOLDS[kind])
    own = _thresholds(item.get("thresholds", {}), f"{where}.thresholds", emitted, kind)
    metrics = _metrics(item.get("metrics"), f"{where}.metrics")
    if kind != COMPONENTS_KIND:
        if "inference_components" in item:
            raise _Invalid(f"{where}.inference_components",
                           f"only {COMPONENTS_KIND} endpoints list inference components (this one is {kind})")
        return Endpoint(name, variant, kind, _alarms(kind, overrides, own, metrics, where, where), metrics)
    raw_components = _typed(item, "inference_components", where, list, "a list of inference components",
                            required=True)
    if not raw_components:
        raise _Invalid(f"{where}.inference_components", "is empty; list at least one inference component")
    components: list[Component] = []
    for i, raw_component in enumerate(raw_components):
        place = f"{where}.inference_components[{i}]"
        entry = _object(raw_component, place, COMPONENT_KEYS)
        component = _matching(entry, "name", place, SAGEMAKER_NAME, None, _name_rule("inference component"),
                              required=True)
        if component in {c.name for c in components}:
            raise _Invalid(f"{place}.name", f"{component!r} is listed twice")
        scale_to_zero = _typed(entry, "scale_to_zero", place, bool, "true or false", default=False)
        mine = _thresholds(entry.get("thresholds", {}), f"{place}.thresholds", emitted, kind)
        if not scale_to_zero:
            for metric in sorted(SCALE_TO_ZERO_ONLY & set(mine)):
                raise _Invalid(f"{place}.thresholds.{metric}",
                               "is alarmed only for an inference component that may scale to zero: set "
                               f"{place}.scale_to_zero true")
        layered = {metric: {**own.get(metric, {}), **mine.get(metric, {})} for metric in emitted}
        alarms = tuple(spec for spec in _alarms(kind, overrides, layered, metrics, where, place)
                       if scale_to_zero or spec.metric not in SCALE_TO_ZERO_ONLY)
        components.append(Component(component, alarms, scale_to_zero))
    return Endpoint(name, variant, kind, (), metrics, tuple(components))


def _alarms(kind: str, overrides: Mapping[str, dict[str, Any]], own: Mapping[str, dict[str, Any]],
            metrics: MetricsSettings, where: str, own_where: str) -> tuple[AlarmSpec, ...]:
    """The kind's default alarms with the config's overrides, then the endpoint's (or IC's) own, applied."""
    alarms = []
    for metric, spec in default_alarms(kind).items():
        spec = _apply(spec, overrides.get(metric, {}), f"thresholds.{metric}")
        spec = _apply(spec, own.get(metric, {}), f"{own_where}.thresholds.{metric}")
        period_key = (f"{own_where}.thresholds.{metric}.period_s" if "period_s" in own.get(metric, {}) else
                      f"thresholds.{metric}.period_s" if "period_s" in overrides.get(metric, {}) else None)
        _check_period(spec, metrics, where, period_key)
        alarms.append(spec)
    return tuple(alarms)


def _metrics(raw: Any, where: str) -> MetricsSettings:
    """The endpoint's `metrics`: its endpoint config's MetricsConfig, which our alarm periods must respect."""
    if raw is None:
        return MetricsSettings()
    item = _object(raw, where, METRICS_KEYS)
    frequency = _typed(item, "publish_frequency_s", where, int, "a whole number of seconds",
                       default=DEFAULT_PUBLISH_FREQUENCY_S)
    if frequency not in PUBLISH_FREQUENCIES_S:
        raise _Invalid(f"{where}.publish_frequency_s",
                       f"{frequency} is not one of {', '.join(map(str, PUBLISH_FREQUENCIES_S))} "
                       "(MetricsConfig.MetricPublishFrequencyInSeconds)")
    enhanced = _typed(item, "enhanced", where, bool, "true or false", default=False)
    return MetricsSettings(frequency, enhanced)


def _check_period(spec: AlarmSpec, metrics: MetricsSettings, where: str, period_key: str | None) -> None:
    """An alarm period no shorter than the interval at which the endpoint publishes the metric.

    Shorter, most periods hold no datapoint: the alarm sits in INSUFFICIENT_DATA (or, with missing data
    treated as not breaching, never fires) while costing a high-resolution alarm's price.
    """
    frequency = metrics.frequency_s(spec.metric)
    if spec.period_s >= frequency:
        return
    if spec.period_s < DEFAULT_PUBLISH_FREQUENCY_S and frequency <= DEFAULT_PUBLISH_FREQUENCY_S:
        # Sub-minute: SageMaker publishes that often only when the endpoint config says so.
        applied = "" if period_key and period_key.startswith("endpoints[") else f" (applied to {where})"
        setting = json.dumps({"publish_frequency_s": spec.period_s, "enhanced": True})
        raise _Invalid(period_key or f"{where}.thresholds.{spec.metric}.period_s",
                       f"{spec.period_s} s{applied} needs the endpoint's metrics published every {spec.period_s} "
                       f"s: set {where}.metrics {setting} as in its endpoint config's MetricsConfig")
    fix = (f"set {period_key} to {frequency} or more" if period_key else
           f"set {where}.thresholds.{spec.metric}.period_s to {frequency} or more")
    applied = "" if period_key is None or period_key.startswith("endpoints[") else f" (applied to {where})"
    raise _Invalid(period_key or f"{where}.metrics.publish_frequency_s",
                   f"{spec.metric} alarm period {spec.period_s} s{applied} is shorter than the {frequency} s at "
                   f"which {where}.metrics publishes it: most periods would hold no datapoint; {fix}")


def _thresholds(raw: Any, where: str, allowed: list[str], kind: str | None = None) -> dict[str, dict[str, Any]]:
    """Per-metric overrides, each a dict of AlarmSpec field -> validated value."""
    if not isinstance(raw, dict):
        raise _Invalid(where, f"expected an object keyed by metric name, got {_show(raw)}")
    result = {}
    for metric, override in raw.items():
        key = f"{where}.{metric}"
        if metric not in allowed:
            if kind and metric in METRICS:
                raise _Invalid(key, f"{kind} endpoints do not emit {metric} (only "
                                    f"{', '.join(kinds_emitting(metric))} endpoints do)")
            raise _Invalid(key, f"unknown metric (expected one of {', '.join(allowed)})")
        result[metric] = _override(override, key, METRICS[metric].unit)
    return result


def _override(raw: Any, where: str, unit: str) -> dict[str, Any]:
    item = _object(raw, where, ("stat", unit, *OVERRIDE_FIELDS[1:]))
    fields: dict[str, Any] = {}
    if "stat" in item:
        fields["stat"] = _matching(item, "stat", where, STAT, None,
                                   "is not a CloudWatch statistic (e.g. p90, p99.9, Average, Maximum)")
    if unit in item:
        fields["threshold"] = _threshold(item[unit], f"{where}.{unit}", unit)
    if "period_s" in item:
        fields["period_s"] = _period(item["period_s"], f"{where}.period_s")
    for name in ("datapoints", "evaluation_periods"):
        if name in item:
            fields[name] = _positive_int(item[name], f"{where}.{name}")
    if "evaluate_low_samples" in item:
        value = item["evaluate_low_samples"]
        if value not in LOW_SAMPLE_CHOICES:
            raise _Invalid(f"{where}.evaluate_low_samples",
                           f"{_show(value)} is not one of {', '.join(map(repr, LOW_SAMPLE_CHOICES))}")
        fields["evaluate_low_samples"] = value
    return fields


def _apply(spec: AlarmSpec, fields: dict[str, Any], where: str) -> AlarmSpec:
    """Override `spec` with `fields`, then check the combination CloudWatch would reject."""
    if not fields:
        return spec
    spec = replace(spec, **fields)
    if spec.datapoints > spec.evaluation_periods:
        raise _Invalid(f"{where}.datapoints",
                       f"{spec.datapoints} is more than evaluation_periods ({spec.evaluation_periods})")
    if spec.evaluate_low_samples and not PERCENTILE.match(spec.stat):
        key = "evaluate_low_samples" if "evaluate_low_samples" in fields else "stat"
        raise _Invalid(f"{where}.{key}",
                       f"evaluate_low_samples {spec.evaluate_low_samples!r} applies only to percentile statistics "
                       f"(pNN), not {spec.stat}")
    if spec.period_s * spec.evaluation_periods > ONE_DAY_S:
        raise _Invalid(f"{where}.evaluation_periods",
                       f"period_s x evaluation_periods = {spec.period_s * spec.evaluation_periods} s, "
                       f"over CloudWatch's one day ({ONE_DAY_S} s)")
    return spec


def _threshold(value: Any, where: str, unit: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Invalid(where, f"expected a number, got {_show(value)}")
    if value < 0:
        raise _Invalid(where, f"{value:g} is negative; thresholds must be >= 0")
    if unit == "rate" and value > 1:
        raise _Invalid(where, f"{value:g} is not a rate between 0 and 1")
    return float(value)


def _period(value: Any, where: str) -> int:
    period = _positive_int(value, where)
    if period not in (10, 30) and period % 60:
        raise _Invalid(where, f"{period} is not 10, 30 or a multiple of 60")
    return period


def _positive_int(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Invalid(where, f"expected a whole number, got {_show(value)}")
    if value < 1:
        raise _Invalid(where, f"{value} must be at least 1")
    return value


def _notify(raw: Any) -> Notify:
    item = _object(raw, "notify", NOTIFY_KEYS)
    emails = _typed(item, "email", "notify", list, "a list of e-mail addresses", default=[])
    for i, email in enumerate(emails):
        if not isinstance(email, str) or not EMAIL.match(email):
            raise _Invalid(f"notify.email[{i}]", f"{_show(email)} is not an e-mail address")
    slack = _typed(item, "slack", "notify", bool, "true or false", default=False)
    secret_arn = _matching(item, "slack_secret_arn", "notify", SECRET_ARN, None,
                           "must be a Secrets Manager secret's complete ARN (ending in -XXXXXX)")
    if slack and secret_arn:
        raise _Invalid("notify.slack_secret_arn",
                       "cannot be combined with slack: true (true creates a new secret; the ARN names yours)")
    return Notify(tuple(emails), slack, secret_arn)


def _advisor(raw: Any) -> AdvisorSettings:
    item = _object(raw, "advisor", ADVISOR_KEYS)
    version = _matching(item, "powertools_version", "advisor", POWERTOOLS_VERSION, DEFAULT_POWERTOOLS_VERSION,
                        "must be 'latest' or a version like 3.37.0")
    reserved = item.get("reserved_concurrency")
    if reserved is not None:
        reserved = _positive_int(reserved, "advisor.reserved_concurrency")
    return AdvisorSettings(version, reserved)


def _discover(raw: Any) -> DiscoverFilter:
    try:
        return parse_discover(raw)
    except DiscoverError as err:
        raise _Invalid("", str(err)) from None


def _watchdog(raw: Any) -> str | None:
    """The coverage watchdog's schedule: an EventBridge rate/cron expression, or false for none."""
    item = _object(raw, "watchdog", WATCHDOG_KEYS)
    schedule = item.get("schedule", DEFAULT_WATCHDOG_SCHEDULE)
    if schedule is False:
        return None
    if not isinstance(schedule, str) or not SCHEDULE.match(schedule):
        raise _Invalid("watchdog.schedule", f"{_show(schedule)} is not false nor an EventBridge schedule "
                                            "expression such as rate(1 hour), rate(30 minutes), cron(0 * * * ? *)")
    return schedule


def _tags(raw: Any) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise _Invalid("tags", f"expected an object of tag name to value, got {_show(raw)}")
    for key, value in raw.items():
        if not TAG_KEY.match(key):
            raise _Invalid(f"tags.{key}", "is not a valid tag key (1-128 characters, not starting with aws:)")
        if not isinstance(value, str) or not TAG_VALUE.match(value):
            raise _Invalid(f"tags.{key}", f"{_show(value)} is not a valid tag value (a string, at most 256)")
    return dict(raw)


def _no_duplicates(endpoints: tuple[Endpoint, ...]) -> None:
    seen: dict[tuple[str, str], int] = {}
    for i, endpoint in enumerate(endpoints):
        key = (endpoint.name, endpoint.variant)
        if key in seen:
            raise _Invalid(f"endpoints[{i}]", f"repeats endpoints[{seen[key]}] ({endpoint.name}/{endpoint.variant})")
        seen[key] = i


def _object(raw: Any, where: str, allowed: tuple[str, ...]) -> dict[str, Any]:
    """`raw` as a dict with no keys outside `allowed`."""
    if not isinstance(raw, dict):
        raise _Invalid(where, f"expected an object, got {_show(raw)}")
    for key in raw:
        if key not in allowed:
            raise _Invalid(_join(where, key), f"unknown key (expected one of {', '.join(allowed)})")
    return raw


def _typed(item: dict[str, Any], key: str, where: str, kind: type, described: str,
           default: Any = None, required: bool = False) -> Any:
    """item[key] checked to be of `kind` (bools are not numbers); missing gives `default`."""
    if key not in item:
        if required:
            raise _Invalid(_join(where, key), "is missing")
        return default
    value = item[key]
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        raise _Invalid(_join(where, key), f"expected {described}, got {_show(value)}")
    return value


def _matching(item: dict[str, Any], key: str, where: str, pattern: re.Pattern[str], default: str | None,
              rule: str, required: bool = False) -> Any:
    """item[key] as a string matching `pattern`, or `default` when absent."""
    value = _typed(item, key, where, str, "a string", default, required)
    if value is not default and not pattern.match(value):
        raise _Invalid(_join(where, key), f"{value!r} {rule}")
    return value


def _name_rule(what: str) -> str:
    return f"is not a SageMaker {what} name (letters, digits and '-', 1-63 characters)"


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _show(value: Any) -> str:
    """A short rendering of a bad value for messages."""
    if isinstance(value, dict | list):
        return "an object" if isinstance(value, dict) else "a list"
    shown = json.dumps(value)
    return shown if len(shown) <= 40 else shown[:37] + "..."

"""Scenario files (SPEC §6): the alarm event plus the AWS calls that build the world it happened in.

`load_scenario` checks everything it can before any world is built, so a bad scenario fails with one line
that names the place ("example.json: setup[4].operation: 'PutMetric' is not a cloudwatch operation"), and
resolves the offsets: every `Timestamp` and `at` becomes an aware UTC datetime relative to the alarm time T.
"""

from __future__ import annotations

import copy
import difflib
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import botocore.session
from botocore.model import OperationNotFoundError, ServiceModel, Shape
from botocore.validate import ParamValidator

DEFAULT_AT_S = -30 * 86400
REPLAY_CLOCK_AFTER_ALARM = timedelta(seconds=30)  # SPEC §6: replay's clock is frozen at T + 30 s
DEFAULT_ACCOUNT = "123456789012"  # moto's default account, for events that name none

_TOP_KEYS = frozenset({"name", "description", "event", "setup", "faults", "expect"})
_SETUP_KEYS = frozenset({"service", "operation", "params", "at"})
_FAULT_KEYS = frozenset({"operation", "error", "times"})
_REQUIRED = object()
_ERROR_CODE = re.compile(r"[A-Za-z][A-Za-z0-9.]*")


def _parse_time(value: Any) -> datetime:
    """An ISO-8601 time as CloudWatch writes it ('2026-11-20T12:00:00.000+0000'), as aware UTC; ValueError if not.

    The stand-in's own reading, not the advisor's (advisor.events.parse_time): a scenario's T must not depend on
    the code under test.
    """
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not an ISO-8601 time")
    parsed = datetime.fromisoformat(value.strip())
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)


class ScenarioError(ValueError):
    """The scenario cannot be replayed; the message is one line naming the file and the place."""


@dataclass(frozen=True)
class SetupCall:
    """One boto3 call that builds the world, with its offsets already resolved against T."""

    service: str
    operation: str
    params: Mapping[str, Any]
    at: datetime | None  # CreationTime / LastModifiedTime for Create*/Update* calls, else None


@dataclass(frozen=True)
class Fault:
    """`times` requests of service.operation (-1: all) get AWS error code `error`, after earlier faults on it."""

    service: str
    operation: str
    error: str
    times: int


@dataclass(frozen=True)
class Scenario:
    """A validated scenario; `alarm_time` is T, the alarm's state-change time."""

    name: str
    description: str
    event: Mapping[str, Any]
    setup: tuple[SetupCall, ...]
    faults: tuple[Fault, ...]
    expect: Mapping[str, Any]
    alarm_time: datetime
    region: str
    account: str
    source: str = field(default="scenario", compare=False)

    @property
    def now(self) -> datetime:
        """The replay's frozen clock, T + 30 s."""
        return self.alarm_time + REPLAY_CLOCK_AFTER_ALARM


def load_scenario(path_or_dict: str | Path | Mapping[str, Any]) -> Scenario:
    """Read and validate a scenario file (or an already-decoded dict); raise ScenarioError on any problem."""
    if isinstance(path_or_dict, Mapping):
        return _Loader("scenario").load(path_or_dict)
    path = Path(path_or_dict)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ScenarioError(f"{path.name}: cannot read: {getattr(error, 'strerror', None) or error}") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ScenarioError(f"{path.name}: not JSON: line {error.lineno} column {error.colno}: {error.msg}") \
            from None
    return _Loader(path.name).load(document)


@cache
def _botocore() -> botocore.session.Session:
    return botocore.session.get_session()


@cache
def _services() -> frozenset[str]:
    return frozenset(_botocore().get_available_services())


@cache
def _service_model(service: str) -> ServiceModel:
    return _botocore().get_service_model(service)


def _suggest(word: str, choices: frozenset[str] | list[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _type_name(value: Any) -> str:
    return "null" if value is None else type(value).__name__


class _Loader:
    """Validates one scenario document; every error names the source and the place."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, place: str, problem: str) -> ScenarioError:
        return ScenarioError(f"{self.source}: {place}: {problem}")

    def load(self, document: Any) -> Scenario:
        if not isinstance(document, Mapping):
            raise ScenarioError(f"{self.source}: expected a JSON object, got {_type_name(document)}")
        unknown = sorted(set(document) - _TOP_KEYS)
        if unknown:
            raise self.fail(unknown[0], f"unknown key{_suggest(unknown[0], _TOP_KEYS)}; a scenario has "
                                        f"{', '.join(sorted(_TOP_KEYS))}")
        name = self.typed(document, "name", str, "scenario")
        description = self.typed(document, "description", str, "scenario", default="")
        event = self.typed(document, "event", Mapping, "scenario")
        expect = self.typed(document, "expect", Mapping, "scenario", default={})
        setup_list = self.typed(document, "setup", list, "scenario")
        fault_list = self.typed(document, "faults", list, "scenario", default=[])
        alarm_time = self.alarm_time(event)
        region, account = self.region_and_account(event)
        return Scenario(
            name=name, description=description, event=copy.deepcopy(event), expect=copy.deepcopy(expect),
            alarm_time=alarm_time,
            region=region, account=account, source=self.source,
            setup=tuple(self.setup_call(entry, f"setup[{i}]", alarm_time) for i, entry in enumerate(setup_list)),
            faults=tuple(self.fault(entry, f"faults[{i}]") for i, entry in enumerate(fault_list)),
        )

    def typed(self, mapping: Mapping[str, Any], key: str, kind: type, place: str, default: Any = _REQUIRED) -> Any:
        """mapping[key] checked against `kind`; a missing key takes `default`, or fails if there is none."""
        where = key if place == "scenario" else f"{place}.{key}"
        if key not in mapping:
            if default is _REQUIRED:
                raise self.fail(where, "missing")
            return default
        value = mapping[key]
        if not isinstance(value, kind) or (isinstance(value, str) and not value.strip()):
            names: dict[type, str] = {str: "a non-empty string", list: "a list", Mapping: "an object"}
            expected = names.get(kind, kind.__name__)
            raise self.fail(where, f"expected {expected}, got {_type_name(value)}")
        return value

    # -- the event: T, region and account, from whichever of the three forms (SPEC §3) it is --

    def alarm_time(self, event: Mapping[str, Any]) -> datetime:
        """The state-change time; the envelope's time when the event is deliberately malformed."""
        for candidate in (_dig(event, "alarmData", "state", "timestamp"),
                          _dig(event, "detail", "state", "timestamp"),
                          _dig(_sns_message(event), "StateChangeTime"),
                          _dig(event, "time"),
                          _dig(event, "Records", 0, "Sns", "Timestamp")):
            if candidate is not None:
                try:
                    return _parse_time(candidate)
                except ValueError:
                    continue
        raise self.fail("event", "no alarm time: expected alarmData.state.timestamp (Lambda action), "
                                 "detail.state.timestamp (EventBridge) or Records[0].Sns.Message StateChangeTime")

    def region_and_account(self, event: Mapping[str, Any]) -> tuple[str, str]:
        """From the alarm ARN; else from the event's own region/account or the SNS topic ARN."""
        for arn in (_dig(event, "alarmArn"), _dig(event, "resources", 0),
                    _dig(_sns_message(event), "AlarmArn"), _dig(event, "Records", 0, "Sns", "TopicArn")):
            parts = arn.split(":") if isinstance(arn, str) else []
            if len(parts) >= 6 and parts[0] == "arn" and parts[3]:
                return parts[3], parts[4] or DEFAULT_ACCOUNT
        region = event.get("region")
        if isinstance(region, str) and region:
            account = event.get("account") or event.get("accountId")
            return region, account if isinstance(account, str) and account else DEFAULT_ACCOUNT
        raise self.fail("event", "no region: expected the alarm ARN (alarmArn, resources[0] or the SNS "
                                 "message's AlarmArn) or a region key")

    # -- setup calls --

    def entry(self, value: Any, place: str, keys: frozenset[str], noun: str) -> Mapping[str, Any]:
        """A setup call or fault: an object with no keys but `keys`."""
        if not isinstance(value, Mapping):
            raise self.fail(place, f"expected an object, got {_type_name(value)}")
        unknown = sorted(set(value) - keys)
        if unknown:
            raise self.fail(f"{place}.{unknown[0]}", f"unknown key{_suggest(unknown[0], keys)}; {noun} has "
                                                     f"{', '.join(sorted(keys))}")
        return value

    def setup_call(self, value: Any, place: str, alarm_time: datetime) -> SetupCall:
        entry = self.entry(value, place, _SETUP_KEYS, "a setup call")
        service = self.service(self.typed(entry, "service", str, place), f"{place}.service")
        operation = self.typed(entry, "operation", str, place)
        input_shape = self.input_shape(service, operation, f"{place}.operation")
        params = self.typed(entry, "params", Mapping, place, default={})
        mutating = operation.startswith(("Create", "Update"))
        if "at" in entry:
            if not mutating:
                raise self.fail(f"{place}.at", f"only Create*/Update* calls take 'at' (this is {service}.{operation})")
            if not _is_number(entry["at"]):
                raise self.fail(f"{place}.at", f"expected an offset in seconds relative to the alarm time, got "
                                               f"{entry['at']!r}")
        resolved = self.resolve_timestamps(params, input_shape, alarm_time, f"{place}.params")
        if (service, operation) == ("cloudwatch", "PutMetricData"):
            self.require_timestamps(resolved, f"{place}.params")
        self.validate_params(resolved, input_shape, f"{place}.params")
        at = alarm_time + timedelta(seconds=entry.get("at", DEFAULT_AT_S)) if mutating else None
        return SetupCall(service=service, operation=operation, params=resolved, at=at)

    def service(self, name: str, place: str) -> str:
        if name not in _services():
            raise self.fail(place, f"{name!r} is not an AWS service known to boto3{_suggest(name, _services())}")
        return name

    def input_shape(self, service: str, operation: str, place: str) -> Shape | None:
        model = _service_model(service)
        try:
            return model.operation_model(operation).input_shape
        except OperationNotFoundError:
            raise self.fail(place, f"{operation!r} is not a {service} operation"
                                   f"{_suggest(operation, model.operation_names)}") from None

    def resolve_timestamps(self, value: Any, shape: Shape | None, alarm_time: datetime, place: str) -> Any:
        """Copy of `value` with every timestamp member named Timestamp turned from an offset into a datetime."""
        if shape is None:
            return value
        if shape.type_name == "structure" and isinstance(value, Mapping):
            resolved = {}
            for key, item in value.items():
                member = shape.members.get(key)
                if key == "Timestamp" and member is not None and member.type_name == "timestamp":
                    if not _is_number(item):
                        raise self.fail(f"{place}.Timestamp", "expected an offset in seconds relative to the alarm "
                                                              f"time, got {item!r}")
                    resolved[key] = alarm_time + timedelta(seconds=item)
                else:
                    resolved[key] = self.resolve_timestamps(item, member, alarm_time, f"{place}.{key}")
            return resolved
        if shape.type_name == "list" and isinstance(value, list):
            return [self.resolve_timestamps(item, shape.member, alarm_time, f"{place}[{i}]")
                    for i, item in enumerate(value)]
        if shape.type_name == "map" and isinstance(value, Mapping):
            return {key: self.resolve_timestamps(item, shape.value, alarm_time, f"{place}.{key}")
                    for key, item in value.items()}
        return value

    def require_timestamps(self, params: Mapping[str, Any], place: str) -> None:
        """A datum without Timestamp would land at the wall-clock time, outside every window of the replay."""
        for i, datum in enumerate(params.get("MetricData") or []):
            if isinstance(datum, Mapping) and "Timestamp" not in datum:
                raise self.fail(f"{place}.MetricData[{i}].Timestamp", "missing: a scenario's datapoints need an "
                                                                      "offset in seconds relative to the alarm time")

    def validate_params(self, params: Mapping[str, Any], shape: Shape | None, place: str) -> None:
        if shape is None:
            if params:
                raise self.fail(place, "this operation takes no parameters")
            return
        report = ParamValidator().validate(dict(params), shape)
        if report.has_errors():
            lines = report.generate_report().splitlines()
            more = f" (and {len(lines) - 1} more)" if len(lines) > 1 else ""
            raise self.fail(place, f"{lines[0]}{more}")

    # -- faults --

    def fault(self, value: Any, place: str) -> Fault:
        entry = self.entry(value, place, _FAULT_KEYS, "a fault")
        target = self.typed(entry, "operation", str, place)
        service, _, operation = target.partition(".")
        if not service or not operation:
            raise self.fail(f"{place}.operation", f"must be service.Operation (e.g. cloudwatch.GetMetricData), "
                                                  f"got {target!r}")
        self.input_shape(self.service(service, f"{place}.operation"), operation, f"{place}.operation")
        error = self.typed(entry, "error", str, place)
        if not _ERROR_CODE.fullmatch(error):
            raise self.fail(f"{place}.error", f"expected an AWS error code (ThrottlingException, "
                                              f"AccessDeniedException, ...) or Timeout / ConnectTimeout, got {error!r}")
        times = entry.get("times", 1)
        if not isinstance(times, int) or isinstance(times, bool) or (times < 1 and times != -1):
            raise self.fail(f"{place}.times", f"expected a positive count or -1 (always), got {times!r}")
        return Fault(service=service, operation=operation, error=error, times=times)


def _dig(value: Any, *path: str | int) -> Any:
    """value[path[0]][path[1]]..., or None where the path does not exist."""
    for step in path:
        if isinstance(step, int):
            value = value[step] if isinstance(value, list) and len(value) > step else None
        else:
            value = value.get(step) if isinstance(value, Mapping) else None
    return value


def _sns_message(event: Mapping[str, Any]) -> Any:
    raw = _dig(event, "Records", 0, "Sns", "Message")
    try:
        return json.loads(raw) if isinstance(raw, str) else None
    except ValueError:
        return None


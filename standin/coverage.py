"""Coverage worlds: a scenario-format file (SPEC §6) with no event, for `advisor coverage --replay`.

    {"name": "blind-variant", "description": "...", "region": "us-east-1", "time": "2026-03-01T12:00:00Z",
     "setup": [... CreateModel, CreateEndpointConfig, CreateEndpoint, PutMetricAlarm, SetAlarmState,
               PutMetricData ...],
     "expect": {"blind": ["Stack/ep/AllTraffic/ModelLatency"], "orphaned": [], "stuck": [], "unwatched": []}}

`time` is the check's time T (default DEFAULT_TIME); every offset (`Timestamp`, `at`) is relative to it and
the check runs at T. `region` defaults to us-east-1. Besides Create*/Update* calls, PutMetricAlarm and
SetAlarmState take `at`: when the alarm was configured / entered the state (default: −30 days for
PutMetricAlarm, the alarm's configuration time for SetAlarmState). moto never evaluates alarms, so a world
says each alarm's state with SetAlarmState; a new alarm starts in INSUFFICIENT_DATA as in AWS.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from moto.cloudwatch.models import cloudwatch_backends

from advisor.coverage import PROBLEMS
from advisor.events import parse_time
from standin.scenario import DEFAULT_ACCOUNT, DEFAULT_AT_S, Scenario, ScenarioError, SetupCall, _Loader, _suggest
from standin.world import World, replay_world

DEFAULT_TIME = "2026-03-01T12:00:00Z"
DEFAULT_REGION = "us-east-1"
TOP_KEYS = frozenset({"name", "description", "region", "time", "setup", "faults", "expect"})
ALARM_TIMED = frozenset({"PutMetricAlarm", "SetAlarmState"})


@dataclass(frozen=True)
class CoverageWorld:
    """A validated coverage world: the scenario to build it, and when each alarm was configured / changed."""

    scenario: Scenario
    alarm_times: tuple[tuple[str, str, datetime], ...]  # (operation, alarm name, time), in setup order


class _WorldLoader(_Loader):
    def load_world(self, document: Any) -> CoverageWorld:
        if not isinstance(document, Mapping):
            raise ScenarioError(f"{self.source}: expected a JSON object")
        unknown = sorted(set(document) - TOP_KEYS)
        if unknown:
            raise self.fail(unknown[0], f"unknown key{_suggest(unknown[0], TOP_KEYS)}; a coverage world has "
                                        f"{', '.join(sorted(TOP_KEYS))}")
        name = self.typed(document, "name", str, "scenario")
        region = self.typed(document, "region", str, "scenario", default=DEFAULT_REGION)
        try:
            now = parse_time(self.typed(document, "time", str, "scenario", default=DEFAULT_TIME), "time")
        except ValueError as error:
            raise self.fail("time", str(error)) from None
        expect = self.typed(document, "expect", Mapping, "scenario", default={})
        for key, names in expect.items():
            if key not in PROBLEMS:
                raise self.fail(f"expect.{key}", f"unknown key; expect has {', '.join(PROBLEMS)}")
            if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                raise self.fail(f"expect.{key}", "expected a list of names")
        setup: list[SetupCall] = []
        alarm_times: list[tuple[str, str, datetime]] = []
        for i, entry in enumerate(self.typed(document, "setup", list, "scenario")):
            place = f"setup[{i}]"
            timed = (isinstance(entry, Mapping) and entry.get("service") == "cloudwatch"
                     and entry.get("operation") in ALARM_TIMED)
            at = entry.get("at") if timed else None
            call = self.setup_call({k: v for k, v in entry.items() if k != "at"} if timed else entry, place, now)
            if timed:
                if at is not None and (isinstance(at, bool) or not isinstance(at, int | float)):
                    raise self.fail(f"{place}.at", f"expected an offset in seconds relative to the time, got {at!r}")
                when = now + timedelta(seconds=at) if at is not None else None
                alarm_name = call.params.get("AlarmName", "")
                if call.operation == "PutMetricAlarm" and when is None:
                    when = now + timedelta(seconds=DEFAULT_AT_S)
                if when is not None:
                    alarm_times.append((call.operation, alarm_name, when))
                elif call.operation == "SetAlarmState":
                    alarm_times.append((call.operation, alarm_name, _configured(alarm_times, alarm_name, now)))
            setup.append(call)
        faults = tuple(self.fault(entry, f"faults[{i}]")
                       for i, entry in enumerate(self.typed(document, "faults", list, "scenario", default=[])))
        # The world's clock is T: Scenario.now is alarm_time + 30 s, so the alarm time sits 30 s earlier.
        scenario = Scenario(name=name, description=self.typed(document, "description", str, "scenario", default=""),
                            event={}, setup=tuple(setup), faults=faults, expect=dict(expect),
                            alarm_time=now - timedelta(seconds=30), region=region, account=DEFAULT_ACCOUNT,
                            source=self.source)
        return CoverageWorld(scenario=scenario, alarm_times=tuple(alarm_times))


def _configured(alarm_times: list[tuple[str, str, datetime]], alarm: str, now: datetime) -> datetime:
    for operation, name, when in reversed(alarm_times):
        if name == alarm and operation == "PutMetricAlarm":
            return when
    return now + timedelta(seconds=DEFAULT_AT_S)


def load_world(path_or_dict: str | Path | Mapping[str, Any]) -> CoverageWorld:
    """Read and validate a coverage world; raise ScenarioError (one line) on any problem."""
    if isinstance(path_or_dict, Mapping):
        return _WorldLoader("world").load_world(path_or_dict)
    path = Path(path_or_dict)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ScenarioError(f"{path.name}: cannot read: {getattr(error, 'strerror', None) or error}") from None
    except json.JSONDecodeError as error:
        raise ScenarioError(f"{path.name}: not JSON: line {error.lineno} column {error.colno}: {error.msg}") \
            from None
    return _WorldLoader(path.name).load_world(document)


def stamp_alarms(world: CoverageWorld, account: str, region: str) -> None:
    """Give the alarms their configuration and state times from the setup (moto stamps the wall clock)."""
    alarms = cloudwatch_backends[account][region].alarms
    for operation, name, when in world.alarm_times:
        alarm = alarms.get(name)
        if alarm is None:
            continue
        stamp = when.astimezone(UTC).replace(tzinfo=None)  # moto keeps naive UTC times
        if operation == "PutMetricAlarm":
            alarm.configuration_updated_timestamp = stamp
        alarm.state_updated_timestamp = stamp


@contextmanager
def coverage_world(world: CoverageWorld) -> Iterator[World]:
    """Open the world (moto, gap fixes, setup calls, alarm times); the check runs at `world.now`."""
    with replay_world(world.scenario) as opened:
        stamp_alarms(world, opened.account, opened.region)
        yield opened


DEMO_WORLD = Path(__file__).resolve().parents[1] / "tests" / "coverage" / "worlds" / "mixed.json"
DEMO_STACK = "CoverageDemo"


def demo_report() -> str:
    """The demo's coverage section: `advisor coverage` on a world with one of each problem, as text."""
    from advisor.coverage_render import render_text
    from advisor.evidence import advisor_clients
    from advisor.fleet import check_coverage

    world = load_world(DEMO_WORLD)
    with coverage_world(world) as opened:
        report = check_coverage(advisor_clients(opened.session, opened.region), f"{DEMO_STACK}/", opened.region,
                                now=opened.now)
    return render_text(report.to_dict())

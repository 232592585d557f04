"""The `advisor` command line: replay a scenario, diagnose a live endpoint, or run the offline demo."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

FORMATS = ("json", "text", "slack", "sns")


def _render(diagnosis: dict[str, Any], fmt: str) -> str:
    """The diagnosis in the chosen output format."""
    if fmt == "json":
        return json.dumps(diagnosis, indent=2, ensure_ascii=False)
    from advisor import render

    if fmt == "text":
        return render.render_text(diagnosis)
    if fmt == "slack":
        return json.dumps(render.render_slack(diagnosis), indent=2, ensure_ascii=False)
    message = render.render_sns(diagnosis)
    return json.dumps({"Subject": message.subject, "Message": message.body,
                       "MessageAttributes": message.attributes}, indent=2, ensure_ascii=False)


def _fail(message: str, code: int) -> int:
    print(f"advisor: {message}", file=sys.stderr)
    return code


class StandinMissing(Exception):
    """The offline stand-in (a development package) or one of its dependencies is not installed."""


def _require_standin(command: str, *modules: str) -> None:
    """Import the stand-in's modules now: the advisor itself never needs them (nor moto, nor its kin).

    They come from the dev-only distribution in standin/ that `make setup` installs; a wheel of the advisor
    alone has `replay` and `demo` say what to install rather than fail with a traceback.
    """
    try:
        for name in modules:
            importlib.import_module(f"standin.{name}")
    except ModuleNotFoundError as exc:
        raise StandinMissing(f"{command} needs the offline stand-in (module {exc.name!r} is missing): "
                             "run `make setup` (dev dependencies)") from None


def cmd_replay(args: argparse.Namespace) -> int:
    """Run the advisor on a recorded scenario against the offline stand-in."""
    from advisor.engine import diagnose
    from advisor.events import EventError


    _require_standin("replay", "scenario", "world")
    from standin.scenario import ScenarioError, load_scenario
    from standin.world import replay_world

    try:
        scenario = load_scenario(args.scenario)
    except ScenarioError as exc:
        return _fail(f"invalid scenario: {exc}", 2)
    try:
        with replay_world(scenario) as world:
            diagnosis = diagnose(scenario.event, session=world.session, now=world.now)
    except EventError as exc:
        return _fail(f"invalid scenario: {args.scenario}: event: {exc}", 2)
    except ScenarioError as exc:
        return _fail(f"invalid scenario: {exc}", 2)
    print(_render(diagnosis.to_dict(), args.format))
    return 0


def synthetic_event(endpoint: str, variant: str, metric: str, at: datetime, region: str,
                    account: str) -> dict[str, Any]:
    """A Lambda alarm-action event for an on-demand diagnosis (as if an alarm had fired at `at`)."""
    from advisor.catalogue import M
    from advisor.catalogue import metric as catalogue_entry

    entry = catalogue_entry(metric) or catalogue_entry(M.MODEL_LATENCY)
    assert entry is not None and entry.alarm is not None
    name = f"advisor-diagnose-{endpoint}-{metric}"
    stamp = at.strftime("%Y-%m-%dT%H:%M:%S.000+0000")
    return {
        "source": "aws.cloudwatch", "region": region, "accountId": account, "time": stamp,
        "alarmArn": f"arn:aws:cloudwatch:{region}:{account}:alarm:{name}",
        "alarmData": {
            "alarmName": name,
            "state": {"value": "ALARM", "reason": "On-demand diagnosis (advisor diagnose)", "timestamp": stamp},
            "previousState": {"value": "OK", "timestamp": stamp},
            "configuration": {"description": "advisor diagnose", "metrics": [{
                "id": "m1", "returnData": True,
                "metricStat": {"metric": {"namespace": entry.namespace.value, "name": metric,
                                          "dimensions": {"EndpointName": endpoint, "VariantName": variant}},
                               "period": 60, "stat": entry.alarm.stat}}]},
        },
    }


def cmd_diagnose(args: argparse.Namespace) -> int:
    """Diagnose a live endpoint with the account's credentials."""
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    from advisor.engine import diagnose
    from advisor.events import EventError, parse_time

    try:
        at = parse_time(args.at, "--at") if args.at else datetime.now(UTC)
    except EventError as exc:
        return _fail(str(exc), 2)
    session = boto3.Session(region_name=args.region) if args.region else boto3.Session()
    region = session.region_name
    if not region:
        return _fail("no AWS region: pass --region or set AWS_REGION", 2)
    try:
        account = session.client("sts").get_caller_identity()["Account"]
    except (BotoCoreError, ClientError) as exc:
        return _fail(f"cannot reach AWS with the current credentials: {exc}", 1)
    event = synthetic_event(args.endpoint, args.variant, args.metric, at, region, account)
    diagnosis = diagnose(event, session=session)
    print(_render(diagnosis.to_dict(), args.format))
    return 0


def cmd_demo(_: argparse.Namespace) -> int:
    """The offline end-to-end demo."""
    _require_standin("demo", "demo")
    from standin.demo import run_demo

    return run_demo()


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    from advisor.events import DIAGNOSABLE_METRICS

    parser = argparse.ArgumentParser(prog="advisor", description="Diagnose slow SageMaker endpoints.")
    sub = parser.add_subparsers(dest="command", required=True)
    replay = sub.add_parser("replay", help="run the advisor on a recorded scenario (offline)")
    replay.add_argument("scenario", help="scenario JSON file (SPEC §6)")
    replay.add_argument("--format", choices=FORMATS, default="text")
    replay.set_defaults(run=cmd_replay)
    live = sub.add_parser("diagnose", help="diagnose a live endpoint with your AWS credentials")
    live.add_argument("--endpoint", required=True)
    live.add_argument("--variant", default="AllTraffic")
    live.add_argument("--metric", default="ModelLatency", choices=sorted(DIAGNOSABLE_METRICS))
    live.add_argument("--at", help="ISO time to diagnose (default: now)")
    live.add_argument("--region")
    live.add_argument("--format", choices=FORMATS, default="text")
    live.set_defaults(run=cmd_diagnose)
    demo = sub.add_parser("demo", help="offline end-to-end demo on an embedded stand-in for AWS")
    demo.set_defaults(run=cmd_demo)
    from advisor.coverage_cli import add_parser as add_coverage

    add_coverage(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `advisor` command."""
    args = build_parser().parse_args(argv)
    run: Callable[[argparse.Namespace], int] = args.run
    try:
        return run(args)
    except StandinMissing as exc:
        return _fail(str(exc), 2)
    except KeyboardInterrupt:
        return _fail("interrupted", 130)
    except BrokenPipeError:  # `advisor replay x.json | head`: the reader left; not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # never a traceback for the user; the one line says what broke
        return _fail(f"{type(exc).__name__}: {exc}", 1)


if __name__ == "__main__":
    sys.exit(main())

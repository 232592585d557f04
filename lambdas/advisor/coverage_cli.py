"""`advisor coverage`: blind, orphaned, stuck and unwatched alarms of a stack, live or on a replayed world.

    advisor coverage --replay tests/coverage/worlds/blind.json --stack-name CoverageDemo --format json
    advisor coverage --config config/example.json --region eu-west-1

Exit 0 whatever it finds; 2 on bad input (a world or config that does not parse, a bad discover filter, no
credentials or region), with one line on stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

# stacks.config.DEFAULT_STACK_NAME: the CLI is installed without the stacks package (a test keeps them equal).
DEFAULT_STACK_NAME = "SageMakerLatencyAdvisor"
FORMATS = ("json", "text")


class InputError(Exception):
    """Bad input for the command: one line, exit 2."""


def add_parser(sub: Any) -> None:
    """Register the `coverage` subcommand."""
    coverage = sub.add_parser("coverage", help="report blind, orphaned, stuck alarms and unwatched endpoints")
    coverage.add_argument("--replay", metavar="WORLD.json", help="check a coverage world offline (stand-in)")
    coverage.add_argument("--config", help="the stack's config: its stack_name and discover filter")
    coverage.add_argument("--stack-name", help=f"alarms named '<stack-name>/...' (default: the config's, else "
                                               f"{DEFAULT_STACK_NAME})")
    coverage.add_argument("--region")
    coverage.add_argument("--format", choices=FORMATS, default="text")
    coverage.set_defaults(run=cmd_coverage)


def _from_config(path: str | None) -> tuple[str | None, Any]:
    """(stack_name, discover filter) from a config file; the stack's own synth validates the rest."""
    from advisor.coverage import DiscoverError, DiscoverFilter, parse_discover

    if path is None:
        return None, DiscoverFilter()
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"{path}: cannot read the file: {exc.strerror}") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not valid JSON: {exc}") from None
    if not isinstance(raw, dict):
        raise InputError(f"{path}: expected a JSON object")
    stack_name = raw.get("stack_name")
    if stack_name is not None and not isinstance(stack_name, str):
        raise InputError(f"{path}: stack_name: expected a string")
    try:
        discover = parse_discover(raw["discover"]) if "discover" in raw else DiscoverFilter()
    except DiscoverError as exc:
        raise InputError(f"{path}: {exc}") from None
    return stack_name, discover


def _replay(path: str, prefix: str, discover: Any) -> Any:
    from advisor.evidence import advisor_clients
    from advisor.fleet import check_coverage
    from standin.coverage import coverage_world, load_world
    from standin.scenario import ScenarioError

    try:
        world = load_world(path)
        with coverage_world(world) as opened:
            clients = advisor_clients(opened.session, opened.region)
            return check_coverage(clients, prefix, opened.region, discover=discover, now=opened.now)
    except ScenarioError as exc:
        raise InputError(f"invalid world: {exc}") from None


def _live(region: str | None, prefix: str, discover: Any) -> Any:
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

    from advisor.evidence import advisor_clients
    from advisor.fleet import check_coverage

    session = boto3.Session(region_name=region) if region else boto3.Session()
    if not session.region_name:
        raise InputError("no AWS region: pass --region or set AWS_REGION")
    if session.get_credentials() is None:
        raise InputError("no AWS credentials: configure a profile or AWS_* variables, or use --replay WORLD.json")
    try:
        return check_coverage(advisor_clients(session, session.region_name), prefix, session.region_name,
                              discover=discover)
    except NoCredentialsError:
        raise InputError("no AWS credentials: configure a profile or AWS_* variables") from None
    except (BotoCoreError, ClientError) as exc:
        print(f"advisor: cannot list the alarms or endpoints: {exc}", file=sys.stderr)
        raise SystemExit(1) from None


def cmd_coverage(args: argparse.Namespace) -> int:
    """Run the coverage check and print the full report."""
    from advisor.coverage_render import render_text

    try:
        stack_name, discover = _from_config(args.config)
        prefix = f"{args.stack_name or stack_name or DEFAULT_STACK_NAME}/"
        report = _replay(args.replay, prefix, discover) if args.replay else _live(args.region, prefix, discover)
    except InputError as exc:
        print(f"advisor: {exc}", file=sys.stderr)
        return 2
    data = report.to_dict()
    print(json.dumps(data, indent=2, ensure_ascii=False) if args.format == "json" else render_text(data))
    return 0

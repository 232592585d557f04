"""A scenario's AWS, in process: moto plus the gap fixes, built from the scenario's setup calls.

    with replay_world(load_scenario("scenario.json")) as world:
        diagnosis = diagnose(world.scenario.event, session=world.session, now=world.now)

Every world starts from empty moto state and leaves none behind (moto reset, patches undone, fault counts
private to the world), so many worlds can run one after another in one process. Worlds do not nest, and a
world cannot be open while a stand-in server runs in the same process (they would share moto's state).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from types import ModuleType
from typing import Any
from unittest import mock

import boto3
import botocore.endpoint
import botocore.loaders
import botocore.retries.bucket
import botocore.session
from botocore import xform_name
from botocore.awsrequest import AWSRequest
from botocore.client import BaseClient
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from moto import mock_aws
from moto.cloudwatch.models import cloudwatch_backends
from moto.core.exceptions import ServiceException
from moto.core.models import botocore_stubber

from standin.faults import FaultInjector
from standin.moto_gaps import gaps_applied, stamp_resource
from standin.scenario import Scenario, ScenarioError, SetupCall

FAKE_ACCESS_KEY = FAKE_SECRET_KEY = "testing"
# Setup calls talk to moto only: a failure is the scenario's fault, never transient, so no retries.
_SETUP_CONFIG = Config(retries={"total_max_attempts": 1})
# One loader for every session: botocore then parses each service's JSON model once per process, not once
# per world (client creation was a third of a world's build time).
_LOADER = botocore.loaders.create_loader()


@dataclass(frozen=True)
class World:
    """The open world: `session` for the advisor's clients (faults injected), the frozen clock `now`."""

    scenario: Scenario
    session: boto3.Session
    now: datetime
    region: str
    account: str
    injector: FaultInjector  # counts every request the advisor's session sends (attempts, retries included)


def make_session(region: str, account: str | None = None, injector: FaultInjector | None = None,
                 loader: botocore.loaders.Loader | None = None) -> boto3.Session:
    """A boto3 session with fake credentials that ignores AWS_ENDPOINT_URL and profiles from the environment.

    `account` puts the session's requests in that moto account; `injector` takes moto's place on this
    session's `before-send` event, so only this session's clients see the faults; `loader` gives its clients
    other API models (an older botocore's, say) than the installed ones.
    """
    core = botocore.session.Session()
    core.register_component("data_loader", loader or _LOADER)
    core.set_config_variable("ignore_configured_endpoint_urls", True)
    core.set_credentials(FAKE_ACCESS_KEY, FAKE_SECRET_KEY)
    if account is not None:
        def in_account(request: AWSRequest, **_: object) -> None:
            request.headers["x-moto-account-id"] = account  # moto's per-request account selector

        core.register("request-created", in_account)
    if injector is not None:
        core.unregister("before-send", botocore_stubber)
        core.register("before-send", injector)
    return boto3.Session(botocore_session=core, region_name=region)


def run_setup(scenario: Scenario, session: boto3.Session, account: str, endpoint_url: str | None = None) -> None:
    """Make every setup call of the scenario, then stamp the resources with their `at` times.

    Metric data goes straight into moto's (patched) CloudWatch backend: the scenario loader has already
    validated it against the API model, and the HTTP round trips were most of a world's build time.
    """
    region = session.region_name
    clients: dict[str, BaseClient] = {}
    for number, call in enumerate(scenario.setup):
        where = f"{scenario.source}: setup[{number}] {call.service}.{call.operation}"
        if (call.service, call.operation) == ("cloudwatch", "PutMetricData"):
            try:
                cloudwatch_backends[account][region].put_metric_data(call.params["Namespace"],
                                                                     call.params["MetricData"])
            except ServiceException as error:
                raise ScenarioError(f"{where}: {error.code}: {_one_line(error.message)}") from None
            continue
        client = clients.get(call.service)
        if client is None:
            client = clients[call.service] = session.client(call.service, endpoint_url=endpoint_url,
                                                            config=_SETUP_CONFIG)
        _call(where, call, client)
        if call.service == "sagemaker" and call.at is not None:
            stamp_resource(account, region, call.operation, call.params, call.at, scenario.now)


def _call(where: str, call: SetupCall, client: BaseClient) -> None:
    try:
        getattr(client, xform_name(call.operation))(**call.params)
    except ClientError as error:
        details = error.response.get("Error", {})
        raise ScenarioError(f"{where}: {details.get('Code')}: {_one_line(details.get('Message'))}") from None
    except (BotoCoreError, NotImplementedError) as error:
        raise ScenarioError(f"{where}: {_one_line(str(error))}") from None


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())


# Replays run on a frozen clock, so how long botocore waits between retries of a faulted call changes nothing
# the advisor sees; only the waiting is shortened (back-off sleeps, and the adaptive mode's token bucket, whose
# clock runs this much faster), the retries themselves (count, order, errors, rate limiting) are real.
RETRY_WAIT_SCALE = 0.01


class _FastRetryClock(botocore.retries.bucket.Clock):
    """The adaptive retry mode's clock inside a replay world: time passes 1 / RETRY_WAIT_SCALE times faster."""

    def sleep(self, amount: float) -> None:
        time.sleep(amount * RETRY_WAIT_SCALE)

    def current_time(self) -> float:
        return time.time() / RETRY_WAIT_SCALE


def _short_bucket_wait(bucket: botocore.retries.bucket.TokenBucket, amount: float) -> float:
    return float(_ORIGINAL_SLEEP_AMOUNT(bucket, amount)) * RETRY_WAIT_SCALE


_ORIGINAL_SLEEP_AMOUNT = botocore.retries.bucket.TokenBucket._sleep_amount


class _ShortRetryWaits(ModuleType):
    """The `time` module as botocore's endpoint sees it inside a replay world: retry back-off sleeps are short."""

    def __init__(self) -> None:
        super().__init__("time")

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)

    @staticmethod
    def sleep(seconds: float) -> None:
        time.sleep(seconds * RETRY_WAIT_SCALE)


@contextmanager
def replay_world(scenario: Scenario, loader: botocore.loaders.Loader | None = None) -> Iterator[World]:
    """Open the scenario's world: moto started and patched, setup calls made; everything undone on exit.

    `loader`, if given, supplies the API models of the advisor's session (`world.session`) only.
    """
    if botocore_stubber.enabled:
        raise RuntimeError("replay_world: another moto mock is already active; a world needs moto to itself")
    injector = FaultInjector(scenario.faults, scenario.account)
    with (gaps_applied(f"the replay world of {scenario.name!r}"), mock_aws(),
          mock.patch.object(botocore.endpoint, "time", _ShortRetryWaits()),
          mock.patch.object(botocore.retries.bucket, "Clock", _FastRetryClock),
          mock.patch.object(botocore.retries.bucket.TokenBucket, "_sleep_amount", _short_bucket_wait)):
        run_setup(scenario, make_session(scenario.region, scenario.account), scenario.account)
        yield World(scenario=scenario, session=make_session(scenario.region, scenario.account, injector, loader),
                    now=scenario.now, region=scenario.region, account=scenario.account, injector=injector)

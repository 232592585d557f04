"""The handler's own AWS calls (SNS, Secrets Manager, the idempotency table) with the Lambda runtime's botocore models."""

from __future__ import annotations

from pathlib import Path

import boto3
import botocore.session
from conftest import REGION
from runtime_sdk import runtime_loader
from samples import LAMBDA_ACTION_EVENT, OVERLOADED

from advisor import render
from standin.demo import NotificationTargets, WebhookReceiver


def test_delivery_and_the_duplicate_check_work_with_the_runtime_botocore(load_handler, aws: NotificationTargets,
                                                                         webhook: WebhookReceiver, context, output,
                                                                         tmp_path: Path) -> None:
    loader = runtime_loader(tmp_path)

    def cold_start():
        core = botocore.session.Session()
        core.register_component("data_loader", loader)
        return load_handler(session=boto3.Session(botocore_session=core, region_name=REGION))

    first = cold_start().handler(LAMBDA_ACTION_EVENT, context)
    # A new execution environment has no local cache: only the table's record (PutItem, GetItem) can tell.
    again = cold_start().handler(LAMBDA_ACTION_EVENT, context)
    assert first["delivered"] == ["sns", "slack"] and "duplicate" not in first
    assert again["duplicate"] and again["delivered"] == ["sns", "slack"]
    [message] = aws.messages()
    assert message["Message"] == render.render_sns(OVERLOADED).body
    assert webhook.received == [render.render_slack(OVERLOADED)]

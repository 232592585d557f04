"""The Slack sink on the real network path (loopback): what only a real socket can show."""

from __future__ import annotations

import pytest

from advisor import sinks
from standin.demo import Reply, WebhookReceiver


def test_a_reply_slower_than_the_budget_is_a_timeout_over_a_real_socket(webhook: WebhookReceiver) -> None:
    # The receiver answers after 3 s and the budget allows one attempt of 0.3 s: the socket times out, the sink
    # says so (without the URL) and gives up. Nothing here depends on how fast the machine is.
    webhook.script(Reply(delay_s=3))
    with pytest.raises(sinks.SinkError) as raised:
        sinks.post_slack(webhook.url, {"text": "hello"}, budget_s=0.3)
    message = str(raised.value)
    assert message.startswith("Slack webhook gave up after 1 attempt(s)") and "timed out" in message
    assert webhook.token not in message
    assert len(webhook.received) == 1  # the request went out; its reply came too late

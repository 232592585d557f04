"""Where notifications go: an SNS topic, and a Slack incoming webhook with bounded retries.

Slack is posted with urllib (standard library) rather than slack_sdk's WebhookClient: slack_sdk is in neither
the Lambda runtime nor the Powertools layer, so it would have to be bundled, and its retry handlers add nothing
we need beyond the twenty lines below (Retry-After on 429, backoff on 5xx and network errors, a time budget).
"""

from __future__ import annotations

import http.client
import json
import random
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from advisor.render import SnsMessage

ATTEMPT_TIMEOUT_S = 10.0
MAX_ATTEMPTS = 5
BACKOFF_FIRST_S = 0.5
BACKOFF_MAX_S = 8.0
RETRY_AFTER_DEFAULT_S = 1.0

_SLACK_WEBHOOK = re.compile(r"https?://hooks\.slack\.com/\S*", re.IGNORECASE)
# What a secret holds before anyone puts a URL in: empty, or a word such as the stack's
# REPLACE_WITH_SLACK_WEBHOOK_URL.
_PLACEHOLDER = re.compile(r"[A-Za-z0-9_-]*")
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


class SinkError(Exception):
    """A notification was not delivered. Its message is safe to log: it never contains the webhook URL."""


class SinkSkipped(Exception):
    """The sink is not set up yet (the Slack secret holds a placeholder): nothing to deliver, nothing failed."""


def redact(text: str, *secrets: str) -> str:
    """`text` with every Slack webhook URL, and each of `secrets`, replaced by a placeholder."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[redacted]")
    return _SLACK_WEBHOOK.sub("https://hooks.slack.com/[redacted]", text)


def publish_sns(client: Any, topic_arn: str, message: SnsMessage) -> str:
    """Publish to the topic and return the message ID; the client's own retries cover throttling."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        response = client.publish(TopicArn=topic_arn, Subject=message.subject, Message=message.body,
                                  MessageAttributes=message.attributes)
    except ClientError as exc:
        error = exc.response.get("Error", {})
        raise SinkError(f"SNS publish to {topic_arn} failed: {error.get('Code')}: {error.get('Message')}") from None
    except BotoCoreError as exc:
        raise SinkError(f"SNS publish to {topic_arn} failed: {exc}") from None
    return response["MessageId"]


def webhook_url(secret: str) -> str:
    """The webhook URL in a secret that holds either the bare URL or JSON {"webhook_url": "..."}.

    Raises SinkSkipped for a placeholder, SinkError for anything else that is not a URL. Errors describe the
    shape expected, never the value found: the value is the secret.
    """
    value: Any = secret.strip()
    if _PLACEHOLDER.fullmatch(value):
        raise SinkSkipped("the Slack secret holds no webhook URL yet (a placeholder): put the URL in to use Slack")
    if value.startswith("{"):
        try:
            value = json.loads(value).get("webhook_url")
        except (ValueError, AttributeError):
            value = None
    if not isinstance(value, str):
        raise SinkError('the Slack secret is neither a webhook URL nor JSON with a "webhook_url" key')
    value = value.strip()
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        host = None
    # Whitespace or control characters would make http.client quote the URL's path (the token) in its error.
    # http:// would send the token in the clear; it is allowed only to a receiver on this machine (demo, tests).
    if (not host or not value.isprintable() or any(c.isspace() for c in value)
            or not (parts.scheme == "https" or (parts.scheme == "http" and host in _LOOPBACK))):
        raise SinkError("the Slack secret's webhook URL is not a well-formed https:// URL")
    return value


def _retry_after(header: str | None) -> float:
    try:
        return max(0.0, float(header)) if header else RETRY_AFTER_DEFAULT_S
    except ValueError:  # an HTTP-date: Slack sends seconds, so fall back rather than parse dates
        return RETRY_AFTER_DEFAULT_S


def _backoff(attempt: int) -> float:
    # Full jitter: a burst of alarms retrying in step would keep hitting the same rate limit.
    return random.uniform(0, min(BACKOFF_MAX_S, BACKOFF_FIRST_S * 2 ** attempt))


def _network_error(exc: BaseException) -> str:
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(reason, TimeoutError):
        return "timed out"
    return f"{type(reason).__name__}: {reason}"


def post_slack(url: str, payload: dict, *, budget_s: float,
               sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic,
               urlopen: Callable[..., Any] = urllib.request.urlopen) -> int:
    """POST the payload to the webhook and return the number of attempts it took.

    Retries 429 (after its Retry-After), 5xx and network errors (DNS, refused, reset, timeout) while the next
    attempt still fits in `budget_s`; other 4xx answers (invalid_blocks, no_service, ...) fail at once.
    Raises SinkError with a redacted message.

    `sleep`, `clock` and `urlopen` are the only ways it waits, tells time and reaches the network: tests pass a
    fake clock (and, for timeouts, a fake urlopen) so that retries and budgets cost no wall time.
    """
    body = json.dumps(payload).encode()
    start = clock()
    for attempt in range(1, MAX_ATTEMPTS + 1):
        remaining = budget_s - (clock() - start)
        request = urllib.request.Request(url, data=body, method="POST",
                                         headers={"Content-Type": "application/json; charset=utf-8"})
        try:
            with urlopen(request, timeout=max(0.1, min(ATTEMPT_TIMEOUT_S, remaining))) as response:
                response.read()
            return attempt
        except urllib.error.HTTPError as exc:
            detail = f"HTTP {exc.code} {exc.read(200).decode(errors='replace').strip()}".strip()
            if exc.code == 429:
                delay = _retry_after(exc.headers.get("Retry-After"))
            elif exc.code >= 500:
                delay = _backoff(attempt)
            else:
                raise SinkError(redact(f"Slack refused the message: {detail}", url)) from None
        except (OSError, http.client.HTTPException) as exc:  # URLError, TimeoutError and resets are OSErrors
            detail = _network_error(exc)
            delay = _backoff(attempt)
        remaining = budget_s - (clock() - start)
        if delay >= remaining:
            raise SinkError(redact(f"Slack webhook gave up after {attempt} attempt(s) in {clock() - start:.1f} s: "
                                   f"{detail}; the next try (in {delay:.1f} s) would pass the {budget_s:g} s "
                                   "budget", url)) from None
        sleep(delay)
    raise SinkError(redact(f"Slack webhook failed {MAX_ATTEMPTS} times in {clock() - start:.1f} s: {detail}", url))

"""A scenario's `faults`: AWS errors and timeouts answered at the HTTP level, before moto sees the request.

The injector replaces moto's botocore stubber on the advisor's session only (setup calls go through their own
session and are never faulted). Because it answers each HTTP attempt, botocore's retry logic sees the errors
exactly as it would from AWS: a throttled call with times=2 succeeds on its third attempt. A faulted request
never reaches moto, so a faulted write has no side effect.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

import botocore.session
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.exceptions import ConnectTimeoutError, ReadTimeoutError
from moto.core.botocore_stubber import MockRawResponse
from moto.core.models import botocore_stubber

from standin.scenario import Fault, ScenarioError

TIMEOUTS = {"Timeout": ReadTimeoutError, "ConnectTimeout": ConnectTimeoutError}

_THROTTLING = frozenset({"Throttling", "ThrottlingException", "ThrottledException", "RequestLimitExceeded",
                         "TooManyRequestsException", "RequestThrottled", "RequestThrottledException"})
_JSON_PROTOCOLS = frozenset({"json", "rest-json"})
_XML_PROTOCOLS = frozenset({"query", "rest-xml", "ec2"})


def http_status(code: str) -> int:
    """The HTTP status AWS sends with an error code (most client errors are 400)."""
    if code.startswith("AccessDenied") or code in ("UnauthorizedOperation", "UnrecognizedClientException"):
        return 403
    if code == "TooManyRequestsException":
        return 429
    if code.startswith("Internal"):
        return 500
    if code.startswith("ServiceUnavailable"):
        return 503
    return 400


@dataclass
class _Target:
    """One faulted operation and how many of its attempts are still to fail (-1: all)."""

    fault: Fault
    protocol: str
    query_compatible: bool
    remaining: int


class FaultInjector:
    """botocore `before-send` handler: the scenario's faults first, then moto for everything else."""

    def __init__(self, faults: Iterable[Fault], account: str) -> None:
        session = botocore.session.get_session()
        self._account = account
        self._lock = threading.Lock()
        # Every request seen, by "<service id>.<Operation>": what the stand-in was asked, counted on its side.
        self.requests: Counter[str] = Counter()
        # Several faults on one operation apply in the scenario's order: 2 throttles, then a denial, ...
        self._targets: dict[tuple[str, str], list[_Target]] = {}
        for number, fault in enumerate(faults):
            model = session.get_service_model(fault.service)
            protocol = model.resolved_protocol
            if fault.error not in TIMEOUTS and protocol not in _JSON_PROTOCOLS | _XML_PROTOCOLS:
                raise ScenarioError(f"faults[{number}]: the stand-in cannot answer {fault.service} "
                                    f"({protocol} protocol) with an error")
            # botocore names the event after the service id ("application-auto-scaling"), not the client name.
            key = (model.service_id.hyphenize(), fault.operation)
            self._targets.setdefault(key, []).append(
                _Target(fault, protocol, "awsQueryCompatible" in model.metadata, fault.times))

    def __call__(self, request: AWSPreparedRequest, event_name: str, **kwargs: Any) -> AWSResponse | None:
        """Answer with the fault if this attempt is one of the faulted ones, else let moto answer."""
        _, service_id, operation = event_name.split(".", 2)
        with self._lock:
            self.requests[f"{service_id}.{operation}"] += 1
        target = self._take((service_id, operation))
        if target is None:
            return botocore_stubber(event_name=event_name, request=request, **kwargs)
        if target.fault.error in TIMEOUTS:
            raise TIMEOUTS[target.fault.error](endpoint_url=request.url)
        return self._error_response(request, target)

    def _take(self, key: tuple[str, str]) -> _Target | None:
        """The target if this attempt fails; counts it down (locked: the advisor may call in parallel)."""
        with self._lock:
            target = next((t for t in self._targets.get(key, []) if t.remaining != 0), None)
            if target is not None and target.remaining > 0:
                target.remaining -= 1
            return target

    def _error_response(self, request: AWSPreparedRequest, target: _Target) -> AWSResponse:
        code = target.fault.error
        message = self._message(target.fault.service, target.fault.operation, code)
        request_id = str(uuid.uuid4())
        headers = {"x-amzn-RequestId": request_id}
        # Answered in the protocol the request came in, as AWS does: a client with an older API model may speak
        # another one (botocore 1.34's CloudWatch speaks query; newer ones speak JSON).
        content_type = str(request.headers.get("Content-Type") or "")
        if "json" in content_type if content_type else target.protocol in _JSON_PROTOCOLS:
            headers |= {"Content-Type": "application/x-amz-json-1.1", "x-amzn-ErrorType": code}
            if target.query_compatible:
                headers["x-amzn-query-error"] = f"{code};Sender"
            body = json.dumps({"__type": code, "message": message})
        else:
            headers["Content-Type"] = "text/xml"
            body = (f"<ErrorResponse><Error><Type>Sender</Type><Code>{escape(code)}</Code>"
                    f"<Message>{escape(message)}</Message></Error><RequestId>{request_id}</RequestId>"
                    "</ErrorResponse>")
        return AWSResponse(request.url, http_status(code), headers, MockRawResponse(body))

    def _message(self, service: str, operation: str, code: str) -> str:
        """The message AWS would send, near enough for the advisor to quote."""
        if code in _THROTTLING:
            return "Rate exceeded"
        if code.startswith("AccessDenied"):
            return (f"User: arn:aws:sts::{self._account}:assumed-role/latency-advisor/replay is not authorized "
                    f"to perform: {service}:{operation} because no identity-based policy allows the "
                    f"{service}:{operation} action")
        return f"{code} (stand-in fault for {service}.{operation})"

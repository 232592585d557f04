"""CloudWatch alarm gaps of moto 5.2.5 that the coverage check (advisor.fleet) would trip on.

1. DescribeAlarms ignores MaxRecords and NextToken: moto returns every alarm in one page, so a paging bug in
   the caller would never show. Here pages hold MaxRecords alarms (the API reference's range 1-100; it
   documents no default, 50 here when absent), in name order, with an opaque NextToken; AlarmTypes filters
   metric vs composite alarms, metric ones only when omitted (as the API reference says).
2. A new alarm starts in state OK in moto; AWS starts every new alarm in INSUFFICIENT_DATA until it has
   evaluated. moto never evaluates alarms, so a world sets states with SetAlarmState (standin.coverage
   stamps the state times from the setup's `at`).
"""

from __future__ import annotations

import base64
from typing import Any

from moto.cloudwatch.exceptions import InvalidParameterValue
from moto.cloudwatch.models import CloudWatchBackend
from moto.cloudwatch.responses import CloudWatchResponse
from moto.core.responses import ActionResult

DEFAULT_MAX_RECORDS = 50
MAX_RECORDS = 100
INITIAL_STATE = "INSUFFICIENT_DATA"
_ORIGINAL_PUT_METRIC_ALARM = CloudWatchBackend.put_metric_alarm


def _put_metric_alarm(self: CloudWatchBackend, name: str, *args: Any, **kwargs: Any) -> Any:
    """moto's PutMetricAlarm; a new alarm starts in INSUFFICIENT_DATA, as in AWS."""
    new = name not in self.alarms
    alarm = _ORIGINAL_PUT_METRIC_ALARM(self, name, *args, **kwargs)
    if new:
        alarm.state_value = INITIAL_STATE
        alarm.state_reason = "Unchecked: Initial alarm creation"
    return alarm


def _token(name: str) -> str:
    return base64.urlsafe_b64encode(name.encode()).decode()


def _after(token: str) -> str:
    try:
        return base64.urlsafe_b64decode(token.encode()).decode()
    except (ValueError, UnicodeDecodeError):
        raise InvalidParameterValue("Invalid NextToken") from None


def _describe_alarms(self: CloudWatchResponse) -> ActionResult:
    """moto's selection (prefix, names, state, action prefix), then AWS's types filter and paging."""
    backend = self.cloudwatch_backend
    action_prefix = self._get_param("ActionPrefix")
    name_prefix = self._get_param("AlarmNamePrefix")
    names = self._get_param("AlarmNames", [])
    state = self._get_param("StateValue")
    types = self._get_param("AlarmTypes", []) or ["MetricAlarm"]  # AWS: metric alarms unless asked
    max_records = int(self._get_param("MaxRecords") or DEFAULT_MAX_RECORDS)
    if not 1 <= max_records <= MAX_RECORDS:
        raise InvalidParameterValue(f"MaxRecords must be between 1 and {MAX_RECORDS}")
    alarms = list(backend.describe_alarms())
    if action_prefix:
        alarms = [a for a in alarms if any(action.startswith(action_prefix) for action in a.alarm_actions)]
    if name_prefix:
        alarms = [a for a in alarms if a.name.startswith(name_prefix)]
    if names:
        alarms = [a for a in alarms if a.name in names]
    if state:
        alarms = [a for a in alarms if a.state_value == state]
    alarms = sorted((a for a in alarms if ("CompositeAlarm" if a.rule is not None else "MetricAlarm") in types),
                    key=lambda a: a.name)
    token = self._get_param("NextToken")
    if token:
        after = _after(token)
        alarms = [a for a in alarms if a.name > after]
    page = alarms[:max_records]
    result: dict[str, Any] = {"MetricAlarms": [a for a in page if a.rule is None],
                              "CompositeAlarms": [a for a in page if a.rule is not None]}
    if len(alarms) > max_records:
        result["NextToken"] = _token(page[-1].name)
    return ActionResult(result)


PATCHES: tuple[tuple[Any, str, Any], ...] = (
    (CloudWatchBackend, "put_metric_alarm", _put_metric_alarm),
    (CloudWatchResponse, "describe_alarms", _describe_alarms),
)

"""What the stack's CloudWatch alarms cost per month (list prices, us-east-1; first 10 alarms free per account).

Percentile alarms on a 60-second period are standard-resolution metric alarms; 10- and 30-second periods
are high-resolution. Anomaly-detection alarms bill as three metrics (the metric and its band's bounds);
Metrics Insights alarms bill per metric the query analyses.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from stacks.config import Config, Endpoint
from stacks.thresholds import KINDS, SCALE_TO_ZERO_ONLY, AlarmSpec, default_alarms

HIGH_RESOLUTION_BELOW_S = 60
DEAD_LETTER_ALARMS = 1  # the advisor's own dead-letter depth alarm, a standard alarm


@dataclass(frozen=True)
class AlarmPrice:
    """Monthly price per billed metric, and how many metrics one alarm bills (None: per metric analysed)."""

    usd_per_metric: float
    metrics: int | None = 1


ALARM_PRICES: dict[str, AlarmPrice] = {
    "standard": AlarmPrice(0.10),
    "high-resolution": AlarmPrice(0.30),
    "anomaly-detection": AlarmPrice(0.10, metrics=3),
    "high-resolution-anomaly-detection": AlarmPrice(0.30, metrics=3),
    "metrics-insights": AlarmPrice(0.10, metrics=None),
}


def alarm_monthly_usd(alarm_kind: str, metrics_analysed: int = 1) -> float:
    """Monthly price of one alarm of `alarm_kind` (a key of ALARM_PRICES)."""
    price = ALARM_PRICES[alarm_kind]
    return round(price.usd_per_metric * (price.metrics or metrics_analysed), 4)


def alarm_kind(spec: AlarmSpec) -> str:
    """How CloudWatch bills one of our threshold alarms: by the period's resolution."""
    return "high-resolution" if spec.period_s < HIGH_RESOLUTION_BELOW_S else "standard"


def alarms_monthly_usd(specs: Iterable[AlarmSpec]) -> float:
    """Monthly price of a set of threshold alarms."""
    return round(sum(alarm_monthly_usd(alarm_kind(spec)) for spec in specs), 4)


def endpoint_monthly_usd(endpoint: Endpoint) -> float:
    """Monthly price of one endpoint's alarms as configured (its inference components' alarms included)."""
    return round(alarms_monthly_usd(endpoint.alarms)
                 + sum(alarms_monthly_usd(component.alarms) for component in endpoint.components), 4)


def monthly_usd_by_kind() -> dict[str, float]:
    """Monthly alarm price of one endpoint of each kind at default settings (for ICs: per IC that does not
    scale to zero; one that does adds its NoCapacityInvocationFailures alarm)."""
    return {kind: alarms_monthly_usd(spec for metric, spec in default_alarms(kind).items()
                                     if metric not in SCALE_TO_ZERO_ONLY) for kind in KINDS}


def config_monthly_usd(config: Config) -> float:
    """Monthly price of every alarm the stack for `config` creates, the dead-letter alarm included."""
    endpoints = sum(endpoint_monthly_usd(endpoint) for endpoint in config.endpoints)
    return round(endpoints + DEAD_LETTER_ALARMS * alarm_monthly_usd("standard"), 4)

"""Monthly CloudWatch alarm cost per endpoint kind, and of a whole config, checked against the template."""

from __future__ import annotations

import pytest

from stacks.costs import alarm_monthly_usd, config_monthly_usd, monthly_usd_by_kind


def test_default_monthly_cost_per_endpoint_kind():
    # 60-second percentile alarms are standard resolution: $0.10 each.
    assert monthly_usd_by_kind() == {"real-time": 0.2, "multi-model": 0.6, "serverless": 0.3, "async": 0.2,
                                     "inference-components": 0.2}


@pytest.mark.parametrize(("kind", "metrics", "usd"), [
    ("standard", 1, 0.10), ("high-resolution", 1, 0.30), ("anomaly-detection", 1, 0.30),
    ("high-resolution-anomaly-detection", 1, 0.90), ("metrics-insights", 25, 2.50),
])
def test_alarm_price_table(kind, metrics, usd):
    assert alarm_monthly_usd(kind, metrics_analysed=metrics) == pytest.approx(usd)


@pytest.mark.parametrize("name", ["example", "overrides"])
def test_config_cost_matches_the_alarms_in_the_templates(synthesized, name):
    synth = synthesized(name)
    periods = [props["Period"] for props in synth.props("AWS::CloudWatch::Alarm")]
    assert config_monthly_usd(synth.config) == pytest.approx(sum(0.30 if p < 60 else 0.10 for p in periods))

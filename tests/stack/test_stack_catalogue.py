"""The stack follows the metric catalogue: namespaces, dimensions and default stats as AWS documents them; alarm
periods no shorter than the endpoint publishes; EvaluateLowSampleCountPercentile only on percentile alarms; the
advisor's unscoped read-only actions, exactly."""

from __future__ import annotations

import copy
import json
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from aws_cdk import App
from aws_cdk.assertions import Template

from advisor.catalogue import CATALOGUE, ENDPOINT_ONLY, PUBLISH_FREQUENCIES_S, M
from stacks.advisor_stack import build
from stacks.config import ConfigError, parse_config
from stacks.costs import config_monthly_usd

REPO = Path(__file__).resolve().parents[2]
SOURCE = "config/x.json"
ALARM = "AWS::CloudWatch::Alarm"
BASE = {"endpoints": [{"name": "resnet50-cpu", "kind": "real-time"},
                      {"name": "fast-lane", "kind": "real-time"}]}
# Written out rather than imported, so a changed grant fails here.
UNSCOPED_ACTIONS = ["cloudwatch:GetMetricData", "cloudwatch:ListMetrics",
                    "application-autoscaling:DescribeScalableTargets", "application-autoscaling:DescribeScalingPolicies",
                    "application-autoscaling:DescribeScalingActivities"]


def _config(*, metrics=None, thresholds=None, top=None) -> dict:
    """BASE with endpoints[1]'s `metrics` and `thresholds`, and top-level `thresholds`, set when given."""
    raw = copy.deepcopy(BASE)
    if metrics is not None:
        raw["endpoints"][1]["metrics"] = metrics
    if thresholds is not None:
        raw["endpoints"][1]["thresholds"] = thresholds
    if top is not None:
        raw["thresholds"] = top
    return raw


def _fast(metric: str = "ModelLatency", **fields) -> dict:
    return {metric: fields}


ENHANCED_10 = {"publish_frequency_s": 10, "enhanced": True}
SUB_MINUTE = ('needs the endpoint\'s metrics published every {p} s: set endpoints[1].metrics '
              '{{"publish_frequency_s": {p}, "enhanced": true}} as in its endpoint config\'s MetricsConfig')

ERRORS = [
    pytest.param(_config(thresholds=_fast(period_s=10)),
                 "endpoints[1].thresholds.ModelLatency.period_s: 10 s " + SUB_MINUTE.format(p=10),
                 id="sub-minute-without-frequency"),
    pytest.param(_config(thresholds=_fast(period_s=30), metrics={"publish_frequency_s": 30}),
                 "endpoints[1].thresholds.ModelLatency.period_s: 30 s " + SUB_MINUTE.format(p=30),
                 id="sub-minute-frequency-without-enhanced"),
    pytest.param(_config(thresholds=_fast(period_s=10), metrics={"publish_frequency_s": 30, "enhanced": True}),
                 "endpoints[1].thresholds.ModelLatency.period_s: 10 s " + SUB_MINUTE.format(p=10),
                 id="sub-minute-below-frequency"),
    pytest.param(_config(top=_fast("OverheadLatency", period_s=10)),
                 "thresholds.OverheadLatency.period_s: 10 s (applied to endpoints[0]) needs the endpoint's metrics "
                 'published every 10 s: set endpoints[0].metrics {"publish_frequency_s": 10, "enhanced": true} as '
                 "in its endpoint config's MetricsConfig",
                 id="top-level-sub-minute"),
    pytest.param(_config(thresholds=_fast(period_s=60), metrics={"publish_frequency_s": 300, "enhanced": True}),
                 "endpoints[1].thresholds.ModelLatency.period_s: ModelLatency alarm period 60 s is shorter than the "
                 "300 s at which endpoints[1].metrics publishes it: most periods would hold no datapoint; set "
                 "endpoints[1].thresholds.ModelLatency.period_s to 300 or more",
                 id="period-below-frequency"),
    pytest.param(_config(metrics={"publish_frequency_s": 120, "enhanced": True}),
                 "endpoints[1].metrics.publish_frequency_s: ModelLatency alarm period 60 s is shorter than the 120 s "
                 "at which endpoints[1].metrics publishes it: most periods would hold no datapoint; set "
                 "endpoints[1].thresholds.ModelLatency.period_s to 120 or more",
                 id="default-period-below-frequency"),
    pytest.param(_config(metrics={"publish_frequency_s": 15}),
                 "endpoints[1].metrics.publish_frequency_s: 15 is not one of 10, 30, 60, 120, 180, 240, 300 "
                 "(MetricsConfig.MetricPublishFrequencyInSeconds)",
                 id="bad-frequency"),
    pytest.param(_config(metrics={"publish_frequency_s": "10"}),
                 'endpoints[1].metrics.publish_frequency_s: expected a whole number of seconds, got "10"',
                 id="frequency-not-a-number"),
    pytest.param(_config(metrics={"publish_frequency_s": 10, "enhanced": "yes"}),
                 'endpoints[1].metrics.enhanced: expected true or false, got "yes"', id="enhanced-not-a-bool"),
    pytest.param(_config(metrics={"frequency": 10}),
                 "endpoints[1].metrics.frequency: unknown key (expected one of publish_frequency_s, enhanced)",
                 id="metrics-unknown-key"),
    pytest.param(_config(metrics=[10]), "endpoints[1].metrics: expected an object, got a list", id="metrics-list"),
    pytest.param(_config(thresholds=_fast(period_s=20), metrics=ENHANCED_10),
                 "endpoints[1].thresholds.ModelLatency.period_s: 20 is not 10, 30 or a multiple of 60",
                 id="period-20"),
    pytest.param(_config(thresholds=_fast("OverheadLatency", evaluate_low_samples="ignore")),
                 "endpoints[1].thresholds.OverheadLatency.evaluate_low_samples: evaluate_low_samples 'ignore' "
                 "applies only to percentile statistics (pNN), not Average",
                 id="low-samples-on-average"),
    pytest.param(_config(top=_fast("ModelLatency", evaluate_low_samples="ignore"),
                         thresholds=_fast("ModelLatency", stat="Maximum")),
                 "endpoints[1].thresholds.ModelLatency.stat: evaluate_low_samples 'ignore' applies only to "
                 "percentile statistics (pNN), not Maximum",
                 id="low-samples-then-stat-not-percentile"),
    pytest.param(_config(top=_fast("OverheadLatency", evaluate_low_samples="evaluate")),
                 "thresholds.OverheadLatency.evaluate_low_samples: evaluate_low_samples 'evaluate' applies only to "
                 "percentile statistics (pNN), not Average",
                 id="top-level-low-samples-on-average"),
    pytest.param(_config(thresholds=_fast(evaluate_low_samples="skip")),
                 "endpoints[1].thresholds.ModelLatency.evaluate_low_samples: \"skip\" is not one of 'evaluate', "
                 "'ignore'",
                 id="low-samples-bad-value"),
    pytest.param(_config(thresholds=_fast(evaluate_low_samples=True)),
                 "endpoints[1].thresholds.ModelLatency.evaluate_low_samples: true is not one of 'evaluate', 'ignore'",
                 id="low-samples-bool"),
]


@pytest.mark.parametrize(("raw", "problem"), ERRORS)
def test_bad_metrics_or_low_sample_settings_are_one_line(raw, problem):
    with pytest.raises(ConfigError) as caught:
        parse_config(raw, SOURCE)
    assert str(caught.value) == f"{SOURCE}: {problem}"
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(("raw", "periods"), [
    pytest.param(_config(thresholds=_fast(period_s=10), metrics=ENHANCED_10), {"ModelLatency": 10}, id="10-at-10"),
    pytest.param(_config(thresholds=_fast(period_s=30), metrics=ENHANCED_10), {"ModelLatency": 30}, id="30-at-10"),
    pytest.param(_config(thresholds=_fast(period_s=30), metrics={"publish_frequency_s": 30, "enhanced": True}),
                 {"ModelLatency": 30}, id="30-at-30"),
    # Without enhanced metrics invocation metrics stay at 60 s whatever the frequency: 60 s alarms are right.
    pytest.param(_config(metrics={"publish_frequency_s": 300}), {"ModelLatency": 60}, id="300-not-enhanced"),
    pytest.param(_config(thresholds={"ModelLatency": {"period_s": 300}, "OverheadLatency": {"period_s": 600}},
                         metrics={"publish_frequency_s": 300, "enhanced": True}),
                 {"ModelLatency": 300, "OverheadLatency": 600}, id="300-at-300"),
    pytest.param(_config(thresholds=_fast(period_s=120), metrics={"publish_frequency_s": 120, "enhanced": True},
                         top={"OverheadLatency": {"period_s": 120}}),
                 {"ModelLatency": 120, "OverheadLatency": 120}, id="top-level-at-frequency"),
])
def test_periods_at_or_above_the_publish_frequency_are_accepted(raw, periods):
    config = parse_config(raw, SOURCE)
    alarms = {spec.metric: spec.period_s for spec in config.endpoints[1].alarms}
    assert {metric: alarms[metric] for metric in periods} == periods


def test_metrics_settings_default_to_60_s_standard_metrics():
    config = parse_config(BASE, SOURCE)
    for endpoint in config.endpoints:
        assert (endpoint.metrics.publish_frequency_s, endpoint.metrics.enhanced) == (60, False)
    assert 60 in PUBLISH_FREQUENCIES_S and 20 not in PUBLISH_FREQUENCIES_S


LOW_TRAFFIC = {
    "endpoints": [
        {"name": "rare-calls", "kind": "real-time",
         "thresholds": {"ModelLatency": {"stat": "p99", "evaluate_low_samples": "ignore", "period_s": 10}},
         "metrics": {"publish_frequency_s": 10, "enhanced": True}},
        {"name": "steady", "kind": "serverless",
         "thresholds": {"ModelSetupTime": {"evaluate_low_samples": "evaluate"},
                        "OverheadLatency": {"stat": "p90", "evaluate_low_samples": "ignore"}}},
        {"name": "Batch-Scorer", "kind": "async"},
    ],
}


@pytest.fixture(scope="module")
def low_traffic(synthesized):
    return synthesized("low-traffic", LOW_TRAFFIC)


def _alarm(synth, endpoint: str, metric: str) -> dict:
    (props,) = [p for p in synth.endpoint_alarms().values()
                if p["MetricName"] == metric and {"Name": "EndpointName", "Value": endpoint} in p["Dimensions"]]
    return props


def test_evaluate_low_samples_reaches_the_alarm_only_where_set(low_traffic):
    rare = _alarm(low_traffic, "rare-calls", "ModelLatency")
    assert (rare["ExtendedStatistic"], rare["EvaluateLowSampleCountPercentile"], rare["Period"]) == ("p99", "ignore", 10)
    assert _alarm(low_traffic, "steady", "ModelSetupTime")["EvaluateLowSampleCountPercentile"] == "evaluate"
    overhead = _alarm(low_traffic, "steady", "OverheadLatency")
    assert (overhead["ExtendedStatistic"], overhead["EvaluateLowSampleCountPercentile"]) == ("p90", "ignore")
    assert "EvaluateLowSampleCountPercentile" not in _alarm(low_traffic, "rare-calls", "OverheadLatency")
    assert "EvaluateLowSampleCountPercentile" not in _alarm(low_traffic, "Batch-Scorer", "ModelLatency")


def test_async_alarms_on_model_latency_and_time_in_backlog_with_catalogued_dimensions(low_traffic):
    latency = _alarm(low_traffic, "Batch-Scorer", "ModelLatency")
    assert (latency["ExtendedStatistic"], latency["Threshold"]) == ("p90", 60_000_000)
    backlog = _alarm(low_traffic, "Batch-Scorer", "TimeInBacklog")
    assert (backlog["Namespace"], backlog["Statistic"], backlog["Threshold"]) == ("AWS/SageMaker", "Average",
                                                                                   60_000_000)
    assert backlog["ComparisonOperator"] == "GreaterThanThreshold"
    assert [d["Name"] for d in backlog["Dimensions"]] == ["EndpointName", "VariantName"]
    assert backlog["AlarmName"] == "SageMakerLatencyAdvisor/Batch-Scorer/AllTraffic/TimeInBacklog"


def test_low_traffic_config_cost_counts_the_high_resolution_alarm(low_traffic):
    periods = [props["Period"] for props in low_traffic.props(ALARM)]
    assert sorted(p for p in periods if p < 60) == [10]
    assert config_monthly_usd(low_traffic.config) == pytest.approx(sum(0.30 if p < 60 else 0.10 for p in periods))


def test_an_endpoint_only_metric_gets_only_the_endpoint_dimension(monkeypatch):
    """Were the catalogue to document an alarmed metric per endpoint only, its alarm would carry no variant."""
    patched = dict(CATALOGUE)
    patched[M.TIME_IN_BACKLOG] = replace(CATALOGUE[M.TIME_IN_BACKLOG], dimensions=ENDPOINT_ONLY)
    monkeypatch.setattr("stacks.thresholds.CATALOGUE", patched)
    stack = build(App(), parse_config({"endpoints": [{"name": "queue", "kind": "async"}]}, SOURCE), nag=False)
    dims = {props["MetricName"]: [d["Name"] for d in props["Dimensions"]]
            for nested in stack.alarm_stacks
            for props in Template.from_stack(nested).find_resources(ALARM).values()
            for props in [props["Properties"]]}
    assert dims == {"ModelLatency": ["EndpointName", "VariantName"], "TimeInBacklog": ["EndpointName"]}


def _dashboard_metrics(synth) -> list[list]:
    """Every metric array ([namespace, name, dimension, value, ..., options]) of the dashboard's graphs."""
    (dashboard,) = synth.props("AWS::CloudWatch::Dashboard")
    body = dashboard["DashboardBody"]
    if isinstance(body, dict):  # Fn::Join around the region: tokens become a placeholder string
        body = "".join(part if isinstance(part, str) else "TOKEN" for part in body["Fn::Join"][1])
    return [metric for widget in json.loads(body)["widgets"]
            for metric in widget.get("properties", {}).get("metrics", [])]


def test_dashboard_shows_catalogue_metrics_with_their_dimensions(example):
    arrays = [[part for part in metric if isinstance(part, str)] for metric in _dashboard_metrics(example)]
    by_name = {parts[1]: parts for parts in arrays if len(parts) > 1 and parts[0] in ("AWS/SageMaker",
                                                                                        "/aws/sagemaker/Endpoints")}
    for name in ("InvocationModelErrors", "Invocation4XXErrors", "Invocation5XXErrors", "TimeInBacklog",
                 "ApproximateBacklogSizePerInstance", "ApproximateAgeOfOldestRequest",
                 "ServerlessConcurrentExecutionsUtilization", "ServerlessProvisionedConcurrencySpilloverInvocations"):
        assert by_name[name][0] == CATALOGUE[M(name)].namespace, name
        dimensions = [d for d in ("EndpointName", "VariantName") if d in by_name[name]]
        assert tuple(dimensions) == CATALOGUE[M(name)].dimensions, name
    assert "ModelError" not in by_name
    assert by_name["ApproximateAgeOfOldestRequest"][2:] == ["EndpointName", example.config.endpoints[0].name]


def test_advisor_reads_scaling_without_resource_arns_in_one_statement(any_synth):
    statements = [s for _, logical_id, r in any_synth.resources("AWS::IAM::Policy") if logical_id.startswith("Advisor")
                  for s in r["Properties"]["PolicyDocument"]["Statement"] if s["Resource"] == "*"]
    assert [s["Action"] for s in statements] == [UNSCOPED_ACTIONS]


def test_reason_for_the_wildcard_acknowledgement_names_every_unscoped_action(example):
    reasons = [reason for node in example.stack.node.find_all() for entry in node.node.metadata
               if entry.type == "aws:cdk:acknowledged-rules" for rule, reason in entry.data.items()
               if "IAM5[Resource::*]" in rule and "/Watchdog/" not in node.node.path]
    assert reasons
    for reason in reasons:
        assert all(action in reason for action in UNSCOPED_ACTIONS), reason


def _grep(*args: str) -> list[str]:
    return subprocess.run(["git", "grep", "-n", *args], cwd=REPO, capture_output=True, text=True,
                          check=False).stdout.splitlines()


def test_the_stack_spells_no_namespace_and_names_no_model_error_metric():
    # The stack's side of issue 9: every namespace and metric name comes from advisor.catalogue.
    assert _grep('"AWS/SageMaker"', "--", "stacks", "app.py") == []
    assert _grep('"/aws/sagemaker/Endpoints"', "--", "stacks", "app.py") == []
    assert _grep("-w", "ModelError", "--", "stacks", "app.py", "config") == []
    assert _grep('"AWS/SageMaker"', "--", "lambdas/advisor/catalogue.py")


def test_low_traffic_templates_pass_cfn_lint_and_cdk_nag(low_traffic):
    from cfnlint.api import lint

    for path, template in low_traffic.templates.items():
        assert [f"{m.rule.id} {m.message}" for m in lint(json.dumps(template))] == [], path
    report = json.loads((low_traffic.outdir / "validation-report.json").read_text())
    assert [v for plugin in report["pluginReports"] for v in plugin["violations"]] == []

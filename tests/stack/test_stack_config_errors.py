"""A bad config fails before any construct is built, with exactly one line naming the key and the problem."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from stacks.config import ConfigError, load_config, parse_config

REPO = Path(__file__).resolve().parents[2]
SOURCE = "config/watch.json"
VALID = {
    "endpoints": [{"name": "resnet50-cpu", "variant": "AllTraffic", "kind": "real-time"},
                  {"name": "tenant-models", "variant": "AllTraffic", "kind": "multi-model"},
                  {"name": "sentiment-serverless", "variant": "AllTraffic", "kind": "serverless"}],
    "thresholds": {"ModelLatency": {"stat": "p90", "ms": 500}},
    "notify": {"email": ["oncall@example.com"], "slack": True},
}


DELETE = object()


def _with(path: str, value) -> dict:
    """VALID with the value at a dotted path (list indexes as numbers) replaced, or removed for DELETE."""
    config = copy.deepcopy(VALID)
    *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
    node: Any = config
    for key in parents:
        node = node.setdefault(key, {}) if isinstance(node, dict) else node[key]
    if value is DELETE:
        del node[last]
    else:
        node[last] = value
    return config


IC_HOST = {"name": "llm-host", "kind": "inference-components", "inference_components": [{"name": "chat-llm"}]}

CASES = [
    (_with("endpoints.2", {**IC_HOST, "inference_components": []}),
     "endpoints[2].inference_components: is empty; list at least one inference component"),
    (_with("endpoints.2", {"name": "llm-host", "kind": "inference-components"}),
     "endpoints[2].inference_components: is missing"),
    (_with("endpoints.0.inference_components", [{"name": "chat-llm"}]),
     "endpoints[0].inference_components: only inference-components endpoints list inference components "
     "(this one is real-time)"),
    (_with("endpoints.2", {**IC_HOST, "inference_components": [{"name": "chat-llm"}, {"name": "chat-llm"}]}),
     "endpoints[2].inference_components[1].name: 'chat-llm' is listed twice"),
    (_with("endpoints.2", {**IC_HOST, "inference_components": [
        {"name": "chat-llm", "thresholds": {"NoCapacityInvocationFailures": {"count": 2}}}]}),
     "endpoints[2].inference_components[0].thresholds.NoCapacityInvocationFailures: is alarmed only for an "
     "inference component that may scale to zero: set endpoints[2].inference_components[0].scale_to_zero true"),
    (_with("endpoints.2", {**IC_HOST, "inference_components": [{"name": "chat-llm", "copies": 2}]}),
     "endpoints[2].inference_components[0].copies: unknown key (expected one of name, thresholds, scale_to_zero)"),
    (_with("endpoints.0.thresholds", {"NoCapacityInvocationFailures": {"count": 1}}),
     "endpoints[0].thresholds.NoCapacityInvocationFailures: real-time endpoints do not emit "
     "NoCapacityInvocationFailures (only inference-components endpoints do)"),
    (_with("endpoints.2.kind", "realtime"),
     "endpoints[2].kind: 'realtime' is not one of real-time, multi-model, serverless, async, "
     "inference-components"),
    (_with("endpoints.1.name", DELETE), "endpoints[1].name: is missing"),
    (_with("endpoints.0.kind", DELETE), "endpoints[0].kind: is missing"),
    (_with("thresholds.ModelLatency.ms", -5), "thresholds.ModelLatency.ms: -5 is negative; thresholds must be >= 0"),
    (_with("endpoints.0.thresholds", {"OverheadLatency": {"ms": -0.5}}),
     "endpoints[0].thresholds.OverheadLatency.ms: -0.5 is negative; thresholds must be >= 0"),
    (_with("endpoint", []), "endpoint: unknown key (expected one of endpoints, thresholds, notify, stack_name, "
                            "runbook_url, advisor, tags, discover, watchdog)"),
    (_with("endpoints.0.varient", "Blue"), "endpoints[0].varient: unknown key (expected one of name, variant, "
                                           "kind, thresholds, metrics, inference_components)"),
    (_with("thresholds.ModelLatncy", {"ms": 5}), "thresholds.ModelLatncy: unknown metric (expected one of "
     "ModelLatency, OverheadLatency, ModelSetupTime, ModelLoadingWaitTime, ModelDownloadingTime, ModelLoadingTime, "
     "ModelCacheHit, TimeInBacklog, NoCapacityInvocationFailures)"),
    (_with("endpoints.0.thresholds", {"ModelCacheHit": {"rate": 0.5}}),
     "endpoints[0].thresholds.ModelCacheHit: real-time endpoints do not emit ModelCacheHit "
     "(only multi-model endpoints do)"),
    (_with("thresholds.ModelCacheHit", {"ms": 5}), "thresholds.ModelCacheHit.ms: unknown key (expected one of stat, "
                                                   "rate, period_s, datapoints, evaluation_periods, "
                                                   "evaluate_low_samples)"),
    (_with("thresholds.ModelCacheHit", {"rate": 1.5}), "thresholds.ModelCacheHit.rate: 1.5 is not a rate between "
                                                       "0 and 1"),
    (_with("thresholds.ModelLatency.ms", "500"), 'thresholds.ModelLatency.ms: expected a number, got "500"'),
    (_with("thresholds.ModelLatency.stat", "P90"), "thresholds.ModelLatency.stat: 'P90' is not a CloudWatch "
                                                   "statistic (e.g. p90, p99.9, Average, Maximum)"),
    (_with("thresholds.ModelLatency.datapoints", 6), "thresholds.ModelLatency.datapoints: 6 is more than "
                                                     "evaluation_periods (5)"),
    (_with("thresholds.ModelLatency.period_s", 45), "thresholds.ModelLatency.period_s: 45 is not 10, 30 or a "
                                                    "multiple of 60"),
    (_with("thresholds.ModelLatency.evaluation_periods", 0), "thresholds.ModelLatency.evaluation_periods: 0 must "
                                                             "be at least 1"),
    (_with("thresholds.ModelLatency.evaluation_periods", True), "thresholds.ModelLatency.evaluation_periods: "
                                                                "expected a whole number, got true"),
    (_with("endpoints", []), "endpoints: is empty; list at least one endpoint (or find them with discover)"),
    (_with("endpoints", DELETE), "endpoints: is missing"),
    (_with("endpoints", {"name": "x"}), "endpoints: expected a list of endpoints, got an object"),
    (_with("endpoints.2", {"name": "resnet50-cpu", "kind": "serverless"}),
     "endpoints[2]: repeats endpoints[0] (resnet50-cpu/AllTraffic)"),
    (_with("endpoints.0.name", "resnet_50"), "endpoints[0].name: 'resnet_50' is not a SageMaker endpoint name "
                                             "(letters, digits and '-', 1-63 characters)"),
    (_with("notify.slack_secret_arn", "arn:aws:secretsmanager:us-east-1:123456789012:secret:slack-AbCdEf"),
     "notify.slack_secret_arn: cannot be combined with slack: true (true creates a new secret; the ARN names "
     "yours)"),
    (_with("notify", {"slack_secret_arn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:slack"}),
     "notify.slack_secret_arn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:slack' must be a Secrets "
     "Manager secret's complete ARN (ending in -XXXXXX)"),
    (_with("notify.email", ["oncall"]), 'notify.email[0]: "oncall" is not an e-mail address'),
    (_with("notify.email", "oncall@example.com"), 'notify.email: expected a list of e-mail addresses, got '
                                                  '"oncall@example.com"'),
    (_with("notify.slack", "yes"), 'notify.slack: expected true or false, got "yes"'),
    (_with("advisor", {"reserved_concurrency": 0}), "advisor.reserved_concurrency: 0 must be at least 1"),
    (_with("advisor", {"powertools_version": "v3"}), "advisor.powertools_version: 'v3' must be 'latest' or a "
                                                     "version like 3.37.0"),
    (_with("stack_name", "1-latency"), "stack_name: '1-latency' must start with a letter, then letters, digits "
                                       "or '-', at most 64 characters"),
    (_with("tags", {"aws:team": "ml"}), "tags.aws:team: is not a valid tag key (1-128 characters, not starting "
                                        "with aws:)"),
    (_with("runbook_url", "wiki/page"), "runbook_url: 'wiki/page' must be an http(s) URL"),
    ([VALID], "expected an object, got a list"),
]


@pytest.mark.parametrize(("raw", "problem"), CASES, ids=[problem.split(":")[0] for _, problem in CASES])
def test_bad_config_is_one_line_naming_file_key_and_problem(raw, problem):
    with pytest.raises(ConfigError) as caught:
        parse_config(raw, SOURCE)
    assert str(caught.value) == f"{SOURCE}: {problem}"
    assert "\n" not in str(caught.value)


def test_defaults_of_a_minimal_config():
    config = parse_config({"endpoints": [{"name": "resnet50-cpu", "kind": "real-time"}]}, SOURCE)
    (endpoint,) = config.endpoints
    assert endpoint.variant == "AllTraffic"
    assert [(a.metric, a.stat, a.threshold, a.period_s, a.datapoints, a.evaluation_periods)
            for a in endpoint.alarms] == [("ModelLatency", "p90", 500, 60, 3, 5),
                                          ("OverheadLatency", "Average", 100, 60, 3, 5)]
    assert config.stack_name == "SageMakerLatencyAdvisor"
    assert (config.notify.email, config.notify.uses_slack) == ((), False)
    assert (config.advisor.powertools_version, config.advisor.reserved_concurrency) == ("3.37.0", None)


def test_unreadable_and_malformed_files(tmp_path):
    with pytest.raises(ConfigError, match=r"^.*missing\.json: cannot read the file: No such file or directory$"):
        load_config(tmp_path / "missing.json")
    broken = tmp_path / "broken.json"
    broken.write_text('{"endpoints": [}')
    with pytest.raises(ConfigError) as caught:
        load_config(broken)
    assert str(caught.value) == f"{broken}: not valid JSON: Expecting value (line 1, column 16)"


def _run_app(config_path: Path, outdir: Path) -> subprocess.CompletedProcess[str]:
    # Version reporting asked for, as the CDK CLI does by default: app.py must switch it off regardless.
    context = {"config": str(config_path), "aws:cdk:version-reporting": True}
    env = {**os.environ, "CDK_CONTEXT_JSON": json.dumps(context), "CDK_OUTDIR": str(outdir),
           "JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION": "1"}
    return subprocess.run([sys.executable, "app.py"], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=120, check=False)


def test_app_prints_only_the_one_line_and_exits_2_on_a_bad_config(tmp_path):
    bad = tmp_path / "watch.json"
    bad.write_text(json.dumps(_with("endpoints.2.kind", "realtime")))
    result = _run_app(bad, tmp_path / "out")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [f"{bad}: endpoints[2].kind: 'realtime' is not one of real-time, "
                                          "multi-model, serverless, async, inference-components"]
    assert not (tmp_path / "out" / "manifest.json").exists()


def test_app_synthesizes_the_example_and_says_how_endpoints_were_split(tmp_path):
    result = _run_app(REPO / "config" / "example.json", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        "SageMakerLatencyAdvisor: 3 endpoint variants, 11 alarms in 3 of 16 nested alarm stacks (slot = hash of "
        "endpoint name; all 16 always exist, so adding an endpoint never moves another nor adds a stack); resources "
        "per template: largest nested 7, main 48, limit 500"]
    templates = sorted((tmp_path / "out").glob("*.template.json"))
    assert len(templates) == 1 + 16
    assert (tmp_path / "out" / "SageMakerLatencyAdvisor.template.json") in templates
    assert not [t.name for t in templates if "AWS::CDK::Metadata" in t.read_text()]


def test_inference_components_get_alarms_per_component():
    config = parse_config({"endpoints": [{**IC_HOST, "thresholds": {"ModelLatency": {"ms": 8000}}, "inference_components": [
        {"name": "chat-llm", "scale_to_zero": True, "thresholds": {"ModelLatency": {"ms": 12000}}},
        {"name": "embedder"}]}]}, SOURCE)
    endpoint = config.endpoints[0]
    assert endpoint.alarms == ()
    chat, embedder = endpoint.components
    assert {s.metric: s.threshold for s in chat.alarms} == {
        "ModelLatency": 12000, "OverheadLatency": 100, "NoCapacityInvocationFailures": 0}
    assert {s.metric: s.threshold for s in embedder.alarms} == {"ModelLatency": 8000, "OverheadLatency": 100}

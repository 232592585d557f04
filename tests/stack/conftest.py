"""Synthesized stacks for the stack tests: each named config is synthesized once per session, in-process."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App
from cfn_lint_batch import lint_templates

from stacks.advisor_stack import LatencyAdvisorStack, build
from stacks.config import Config, parse_config

REPO = Path(__file__).resolve().parents[2]
KINDS = ("real-time", "multi-model", "serverless", "async")
# SPEC §2, written out here rather than read from stacks.thresholds so a wrong table fails the tests.
EXPECTED_METRICS = {
    "real-time": {"ModelLatency", "OverheadLatency"},
    "multi-model": {"ModelLatency", "OverheadLatency", "ModelLoadingWaitTime", "ModelDownloadingTime",
                    "ModelLoadingTime", "ModelCacheHit"},
    "serverless": {"ModelLatency", "OverheadLatency", "ModelSetupTime"},
    "async": {"ModelLatency", "TimeInBacklog"},
}
EXISTING_SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:team/slack-AbCdEf"


def mixed_endpoints(count: int) -> list[dict[str, str]]:
    """`count` endpoints cycling through the four kinds; a shorter list is a prefix of a longer one."""
    return [{"name": f"ep-{i:03d}-{KINDS[i % 4]}", "kind": KINDS[i % 4]} for i in range(count)]


# Two endpoints hosting inference components: one LLM that may scale to zero with its own threshold, and two
# small models sharing an endpoint.
IC_HOSTS: list[dict[str, Any]] = [
    {"name": "genai-host", "kind": "inference-components", "inference_components": [
        {"name": "support-chat-ic", "scale_to_zero": True, "thresholds": {"ModelLatency": {"ms": 15000}}}]},
    {"name": "shared-host", "variant": "Blue", "kind": "inference-components",
     "thresholds": {"OverheadLatency": {"ms": 40}},
     "inference_components": [{"name": "embedder-ic"}, {"name": "classifier-ic"}]},
]

CONFIGS: dict[str, dict[str, Any]] = {
    "example": json.loads((REPO / "config" / "example.json").read_text()),
    "overrides": {
        "stack_name": "MlOpsLatency",
        "endpoints": [
            {"name": "resnet50-cpu", "kind": "real-time",
             "thresholds": {"ModelLatency": {"stat": "p99", "ms": 250, "datapoints": 2, "evaluation_periods": 3}}},
            {"name": "Batch-Scorer", "variant": "Blue", "kind": "async"},
            {"name": "Batch-Scorer", "variant": "Green", "kind": "async",
             "thresholds": {"ModelLatency": {"ms": 120000, "period_s": 300}}},
            {"name": "tenant-models", "kind": "multi-model", "thresholds": {"ModelCacheHit": {"rate": 0.9}}},
            {"name": "fast-lane", "kind": "real-time", "thresholds": {"OverheadLatency": {"period_s": 10}},
             "metrics": {"publish_frequency_s": 10, "enhanced": True}},
        ],
        "thresholds": {"OverheadLatency": {"ms": 50}},
        "notify": {"slack_secret_arn": EXISTING_SECRET_ARN},
        "advisor": {"powertools_version": "3.36.0", "reserved_concurrency": 5},
        "runbook_url": "https://wiki.example.com/runbooks/sagemaker-latency",
        "tags": {"team": "ml-platform"},
    },
    "every-kind": {"endpoints": [*mixed_endpoints(4), *IC_HOSTS]},
    # The same plus one IC on an existing IC endpoint: no other alarm may move.
    "every-kind-plus-ic": {"endpoints": [*mixed_endpoints(4), IC_HOSTS[0], {**IC_HOSTS[1], "inference_components": [
        *IC_HOSTS[1]["inference_components"], {"name": "reranker-ic"}]}]},
    "mixed-10": {"endpoints": mixed_endpoints(10)},
    "mixed-100": {"endpoints": mixed_endpoints(100)},
    "mixed-300": {"endpoints": mixed_endpoints(300)},
}


@dataclass
class Synth:
    """One synthesized app: its config, stack, and every template keyed by the stack's construct path."""

    config: Config
    stack: LatencyAdvisorStack
    templates: dict[str, dict[str, Any]]
    outdir: Path
    seconds: float

    @property
    def main(self) -> dict[str, Any]:
        """The top-level template."""
        return self.templates[self.stack.node.path]

    @property
    def nested(self) -> dict[str, dict[str, Any]]:
        """The nested alarm-stack templates (all ALARM_STACKS of them, empty slots included)."""
        return {path: t for path, t in self.templates.items() if path != self.stack.node.path}

    def resources(self, resource_type: str) -> Iterator[tuple[str, str, dict[str, Any]]]:
        """(stack path, logical id, resource) of every resource of `resource_type`, all templates."""
        for path, template in self.templates.items():
            for logical_id, resource in template["Resources"].items():
                if resource["Type"] == resource_type:
                    yield path, logical_id, resource

    def props(self, resource_type: str) -> list[dict[str, Any]]:
        """Properties of every resource of `resource_type`."""
        return [resource.get("Properties", {}) for _, _, resource in self.resources(resource_type)]

    def endpoint_alarms(self) -> dict[str, dict[str, Any]]:
        """Properties of every endpoint alarm (those in the nested stacks), keyed by alarm name."""
        return {r["Properties"]["AlarmName"]: r["Properties"]
                for template in self.nested.values() for r in template["Resources"].values()
                if r["Type"] == "AWS::CloudWatch::Alarm"}


def _synthesize(name: str, raw: dict[str, Any], outdir: Path) -> Synth:
    started = time.perf_counter()
    # As app.py makes it: version reporting off, so no template carries an AWS::CDK::Metadata resource.
    app = App(outdir=str(outdir), analytics_reporting=False)
    config = parse_config(raw, f"{name}.json")
    stack = build(app, config)
    app.synth()
    stacks: list[Any] = [stack, *stack.alarm_stacks]
    templates = {s.node.path: json.loads((outdir / s.template_file).read_text()) for s in stacks}
    return Synth(config, stack, templates, outdir, time.perf_counter() - started)


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Synth]:
    """Synthesize a config by name (of CONFIGS, or `raw` given once), at most once per session."""
    cache: dict[str, Synth] = {}

    def get(name: str, raw: dict[str, Any] | None = None) -> Synth:
        if name not in cache:
            cache[name] = _synthesize(name, raw or CONFIGS[name], tmp_path_factory.mktemp(name))
        return cache[name]

    return get


@pytest.fixture(scope="session", params=sorted(CONFIGS))
def any_synth(request: pytest.FixtureRequest, synthesized: Callable[..., Synth]) -> Synth:
    """Each named config in turn: for checks every synthesized template must pass."""
    return synthesized(request.param)


@pytest.fixture(scope="session")
def cfn_lint_findings(synthesized: Callable[..., Synth]) -> Callable[[Synth], dict[str, list[str]]]:
    """cfn-lint findings per template path of a synth. The first call lints every config of CONFIGS in one batch
    (see cfn_lint_batch: shared rules, a worker per core, results cached by template content)."""
    linted: dict[int, dict[str, list[str]]] = {}

    def get(synth: Synth) -> dict[str, list[str]]:
        if id(synth) not in linted:
            batch = [synthesized(name) for name in sorted(CONFIGS)]
            if not any(s is synth for s in batch):
                batch = [synth]
            templates = [(s, path, t) for s in batch for path, t in s.templates.items()]
            findings = lint_templates(t for _, _, t in templates)
            for (s, path, _), found in zip(templates, findings, strict=True):
                linted.setdefault(id(s), {})[path] = found
        return linted[id(synth)]

    return get


@pytest.fixture(scope="session")
def expected_metrics() -> dict[str, set[str]]:
    """The latency metrics each endpoint kind emits (SPEC §2)."""
    return EXPECTED_METRICS


@pytest.fixture(scope="session")
def example(synthesized: Callable[..., Synth]) -> Synth:
    """The example config (one endpoint of each main kind), synthesized once."""
    return synthesized("example")


@pytest.fixture(scope="session")
def overrides(synthesized: Callable[..., Synth]) -> Synth:
    """The config with global and per-endpoint threshold overrides, synthesized once."""
    return synthesized("overrides")

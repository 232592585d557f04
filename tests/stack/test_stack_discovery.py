"""Discovery at synth time against the stand-in served over HTTP (AWS_ENDPOINT_URL), then from the cache."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from aws_cdk import App
from cfnlint.api import lint

from stacks.advisor_stack import build
from stacks.config import parse_config
from stacks.discovery import DiscoveryError, context_key, resolve
from standin.coverage import load_world
from standin.server import StandinServer, load_setup

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "coverage"))
import worlds  # tests/coverage/worlds.py

REPO = Path(__file__).resolve().parents[2]
ONLY_DISCOVER = {"stack_name": "Fleet", "discover": {"tags": {"team": "ml"}}}


def _fleet_world() -> dict:
    setup = (worlds.endpoint("prod-scorer", tags={"team": "ml"})
             + worlds.endpoint("prod-chat", kind="serverless", tags={"team": "ml"})
             + worlds.endpoint("prod-tenants", kind="multi-model", tags={"team": "ml"})
             + worlds.endpoint("prod-batch", kind="async", tags={"team": "ml"})
             + worlds.endpoint("search-ranker", tags={"team": "search"})
             + worlds.endpoint("dev-scratch"))
    return {"name": "fleet", "setup": setup}


@pytest.fixture(scope="module")
def server():
    with StandinServer() as running:
        load_setup(load_world(_fleet_world()).scenario, running.endpoint_url)
        yield running


@pytest.fixture
def online(server, monkeypatch):
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1",
                        "AWS_ENDPOINT_URL": server.endpoint_url}.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def offline(monkeypatch, tmp_path):
    """No credentials at all, and an endpoint URL where nothing listens: any AWS call would fail."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{port}")


def _resolve(raw: dict, context_file: Path):
    config = parse_config(raw, "fleet.json")
    return resolve(config, raw, context_file=context_file)


def test_first_synth_looks_up_and_caches_later_synths_need_no_credentials(online, tmp_path, monkeypatch):
    context_file = tmp_path / "cdk.context.json"
    context_file.write_text(json.dumps({"other-provider:key": {"kept": True}}))
    config, line = _resolve(ONLY_DISCOVER, context_file)
    watched = {(e.name, e.variant, e.kind) for e in config.endpoints}
    assert watched == {("prod-scorer", "AllTraffic", "real-time"), ("prod-chat", "AllTraffic", "serverless"),
                       ("prod-tenants", "AllTraffic", "multi-model"), ("prod-batch", "AllTraffic", "async")}
    assert line.startswith("discover: 4 endpoint variants in 123456789012/us-east-1 match") and "looked up now" in line
    cache = json.loads(context_file.read_text())
    assert cache["other-provider:key"] == {"kept": True}
    assert cache[context_key(config)]["endpoints"]

    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    again, line = _resolve(ONLY_DISCOVER, context_file)
    assert again.endpoints == config.endpoints and "from cdk.context.json" in line


def test_only_discover_synthesizes_the_matching_alarms_lint_and_nag_clean(online, tmp_path):
    config, _ = _resolve(ONLY_DISCOVER, tmp_path / "cdk.context.json")
    app = App(outdir=str(tmp_path / "out"), analytics_reporting=False)
    stack = build(app, config)
    app.synth()
    alarms = {r["Properties"]["AlarmName"]
              for nested in stack.alarm_stacks
              for r in json.loads((tmp_path / "out" / nested.template_file).read_text())["Resources"].values()
              if r["Type"] == "AWS::CloudWatch::Alarm"}
    assert {name.split("/")[1] for name in alarms} == {"prod-scorer", "prod-chat", "prod-tenants", "prod-batch"}
    assert "Fleet/prod-tenants/AllTraffic/ModelCacheHit" in alarms  # kind learned from the model: MME alarms
    for template in (tmp_path / "out").glob("*.template.json"):
        assert [f"{m.rule.id} {m.message}" for m in lint(template.read_text())] == [], template.name
    report = json.loads((tmp_path / "out" / "validation-report.json").read_text())
    assert [v for plugin in report["pluginReports"] for v in plugin["violations"]] == []


def test_explicit_entries_win_and_carry_overrides(online, tmp_path):
    raw = {**ONLY_DISCOVER, "discover": {"tags": {"team": "ml"}, "kinds": ["real-time"], "name_prefix": "prod-"},
           "endpoints": [{"name": "prod-scorer", "kind": "real-time",
                          "thresholds": {"ModelLatency": {"stat": "p99", "ms": 250}}},
                         {"name": "hand-listed", "kind": "serverless"}]}
    config, _ = _resolve(raw, tmp_path / "cdk.context.json")
    assert [(e.name, e.kind) for e in config.endpoints] == [("prod-scorer", "real-time"), ("hand-listed", "serverless")]
    latency = next(a for a in config.endpoints[0].alarms if a.metric == "ModelLatency")
    assert (latency.stat, latency.threshold) == ("p99", 250)


def test_no_credentials_and_no_cache_is_one_line(offline, tmp_path):
    with pytest.raises(DiscoveryError) as error:
        _resolve(ONLY_DISCOVER, tmp_path / "cdk.context.json")
    message = str(error.value)
    assert message.startswith("fleet.json: discover: no AWS credentials and no cached result in cdk.context.json")
    assert "\n" not in message
    assert not (tmp_path / "cdk.context.json").exists()  # nothing half-written


def test_a_broken_context_file_is_one_line_and_left_alone(offline, tmp_path):
    context_file = tmp_path / "cdk.context.json"
    context_file.write_text("{not json")
    with pytest.raises(DiscoveryError, match=r"cdk\.context\.json: not valid JSON"):
        _resolve(ONLY_DISCOVER, context_file)
    assert context_file.read_text() == "{not json"


def _run_app(config_path: Path, outdir: Path, context: dict, cwd: Path) -> subprocess.CompletedProcess[str]:
    """app.py as `cdk synth` runs it: context (cdk.context.json's keys included) in CDK_CONTEXT_JSON."""
    env = {**os.environ, "CDK_CONTEXT_JSON": json.dumps({"config": str(config_path), **context}),
           "CDK_OUTDIR": str(outdir), "JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION": "1",
           "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "lambdas")])}
    cwd.mkdir(parents=True, exist_ok=True)
    return subprocess.run([sys.executable, str(REPO / "app.py")], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=180, check=False)


def test_app_synthesizes_from_the_cdk_context_without_credentials_and_fails_in_one_line_without_it(
        online, tmp_path, monkeypatch):
    config_path = tmp_path / "fleet.json"
    config_path.write_text(json.dumps(ONLY_DISCOVER))
    config, _ = _resolve(ONLY_DISCOVER, tmp_path / "cdk.context.json")
    cached = json.loads((tmp_path / "cdk.context.json").read_text())
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    ok = _run_app(config_path, tmp_path / "out", cached, tmp_path / "empty-dir-1")
    assert ok.returncode == 0, ok.stderr
    first, *_ = ok.stderr.splitlines()
    assert first.startswith("discover: 4 endpoint variants in 123456789012/us-east-1") and "from cdk.context.json" in first
    assert (tmp_path / "out" / "Fleet.template.json").exists()
    failed = _run_app(config_path, tmp_path / "out2", {}, tmp_path / "empty-dir-2")
    assert failed.returncode == 2
    assert failed.stderr.splitlines() == [
        f"{config_path}: discover: no AWS credentials and no cached result in cdk.context.json "
        f"(key {context_key(config)}); run cdk synth once with credentials for the endpoints' account"]

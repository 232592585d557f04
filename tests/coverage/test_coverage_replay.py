"""`advisor coverage --replay`: each kind of problem in its world, nothing in the clean one, batched calls."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import worlds  # tests/coverage/worlds.py (tests/ folders are on sys.path, see tests/conftest.py)

from advisor.cli import main
from advisor.coverage import PROBLEMS, DiscoverFilter, parse_discover
from advisor.coverage_cli import DEFAULT_STACK_NAME
from advisor.evidence import advisor_clients
from advisor.fleet import check_coverage
from stacks.config import DEFAULT_STACK_NAME as STACK_DEFAULT
from standin.coverage import coverage_world, load_world

WORLD_FILES = sorted(worlds.WORLDS.glob("*.json"))
PREFIX = f"{worlds.STACK}/"


def run(world: dict | Path, discover: DiscoverFilter | None = None) -> dict:
    loaded = load_world(world)
    with coverage_world(loaded) as opened:
        report = check_coverage(advisor_clients(opened.session, opened.region), PREFIX, opened.region,
                                discover=discover, now=opened.now)
    return report.to_dict()


def test_committed_worlds_are_what_the_builder_makes(tmp_path: Path) -> None:
    written = worlds.write(tmp_path)
    assert sorted(p.name for p in written) == [p.name for p in WORLD_FILES]
    for path in written:
        assert path.read_text() == (worlds.WORLDS / path.name).read_text(), "run python tests/coverage/worlds.py"


@pytest.mark.parametrize("path", WORLD_FILES, ids=lambda p: p.stem)
def test_world_reports_exactly_its_problems(path: Path) -> None:
    report = run(path)
    expect = json.loads(path.read_text())["expect"]
    assert {problem: report[problem] for problem in PROBLEMS} == expect
    assert report["errors"] == []
    # One page of alarms, one of endpoints, one GetMetricData; DescribeEndpoint only for watched endpoints.
    calls = report["api_calls"]["by_operation"]
    assert calls["cloudwatch.DescribeAlarms"] == 1 and calls["cloudwatch.GetMetricData"] == 1
    assert calls["sagemaker.ListEndpoints"] == 1
    assert calls.get("sagemaker.DescribeEndpoint", 0) <= report["checked"]["watched_endpoints"]
    assert report["api_calls"]["total"] == sum(calls.values())


def test_blind_reasons_name_the_cause() -> None:
    reasons = {d["name"]: d["reason"] for d in run(worlds.WORLDS / "blind.json")["details"]}
    assert "variant AllTrafic does not exist" in reasons[f"{PREFIX}typo-rt/AllTraffic/ModelLatency"]
    assert "p90 is not a statistic AWS documents for OverheadLatency" in reasons[
        f"{PREFIX}stat-rt/AllTraffic/OverheadLatency"]
    assert "serverless endpoints do not emit ModelLoadingWaitTime" in reasons[
        f"{PREFIX}kind-serverless/AllTraffic/ModelLoadingWaitTime"]


@pytest.mark.parametrize(("raw", "expected"), [
    ({"tags": {"team": "ml"}}, ["pipeline-7f3a2c"]),
    ({"tags": {"team": "search"}}, []),
    ({"name_prefix": "pipeline-"}, ["pipeline-7f3a2c"]),
    ({"name_prefix": "prod-"}, []),
    ({"kinds": ["real-time"]}, ["pipeline-7f3a2c"]),
    ({"kinds": ["serverless"]}, []),
])
def test_unwatched_follows_the_discover_filter(raw: dict, expected: list[str]) -> None:
    report = run(worlds.WORLDS / "unwatched.json", parse_discover(raw))
    assert report["unwatched"] == expected
    calls = report["api_calls"]["by_operation"]
    assert calls.get("sagemaker.ListTags", 0) == (1 if "tags" in raw else 0)  # only the one candidate


def test_300_alarms_take_at_most_3_get_metric_data_calls() -> None:
    setup = []
    for i in range(150):
        setup += worlds.endpoint(f"fleet-{i:03d}") + worlds.alarms(f"fleet-{i:03d}")
    report = run({"name": "fleet-300", "setup": setup})
    calls = report["api_calls"]["by_operation"]
    assert report["checked"]["alarms"] == 300
    assert calls["cloudwatch.GetMetricData"] <= 3
    assert calls["cloudwatch.DescribeAlarms"] == 3  # 100 a page
    assert calls["sagemaker.ListEndpoints"] == 2  # 100 a page
    assert report["api_calls"]["total"] == sum(calls.values())


def test_cli_json_is_one_object_with_the_documented_keys(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["coverage", "--replay", str(worlds.WORLDS / "orphaned.json"), "--stack-name", worlds.STACK,
                 "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {"blind", "orphaned", "stuck", "unwatched", "checked", "api_calls"} <= set(out)
    assert out["orphaned"] == json.loads((worlds.WORLDS / "orphaned.json").read_text())["expect"]["orphaned"]
    assert set(out["api_calls"]) == {"total", "by_operation"}


def test_cli_text_says_what_it_checked(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["coverage", "--replay", str(worlds.WORLDS / "clean.json"), "--stack-name", worlds.STACK]) == 0
    out = capsys.readouterr().out
    assert "no problems" in out and "Checked 11 alarms" in out and "AWS calls" in out


@pytest.mark.parametrize(("world", "config", "message"), [
    ("{", None, "not JSON"),
    ('{"name": "x", "setup": [], "event": {}}', None, "unknown key"),
    ('{"name": "x", "setup": [], "expect": {"blinds": []}}', None, "expect.blinds: unknown key"),
    ('{"name": "x", "setup": [{"service": "cloudwatch", "operation": "PutMetricAlarms"}]}', None, "not a cloudwatch"),
    ('{"name": "x", "setup": []}', '{"discover": {"tags": {"aws:team": "ml"}}}', "discover.tags.aws:team"),
    ('{"name": "x", "setup": []}', '{"discover": {"tag": {"team": "ml"}}}', "discover.tag: unknown key"),
    ('{"name": "x", "setup": []}', "[", "not valid JSON"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], world: str,
                                          config: str | None, message: str) -> None:
    (tmp_path / "world.json").write_text(world)
    args = ["coverage", "--replay", str(tmp_path / "world.json")]
    if config is not None:
        (tmp_path / "config.json").write_text(config)
        args += ["--config", str(tmp_path / "config.json")]
    assert main(args) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert message in captured.err and captured.err.count("\n") == 1


def test_no_credentials_is_one_line_and_exit_2(monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    assert main(["coverage", "--region", "us-east-1"]) == 2
    err = capsys.readouterr().err
    assert "no AWS credentials" in err and err.count("\n") == 1


def test_cli_default_stack_name_is_the_stacks() -> None:
    assert DEFAULT_STACK_NAME == STACK_DEFAULT


@pytest.mark.parametrize(("kinds", "expected"), [(["multi-model"], ["tenant-models"]), (["real-time"], [])])
def test_kind_filter_tells_multi_model_from_real_time(kinds: list[str], expected: list[str]) -> None:
    setup = worlds.endpoint("tenant-models", kind="multi-model") + worlds.traffic("tenant-models", kind="multi-model")
    report = run({"name": "mme", "setup": setup}, parse_discover({"kinds": kinds}))
    assert report["unwatched"] == expected
    calls = report["api_calls"]["by_operation"]
    assert calls["sagemaker.DescribeModel"] == calls["sagemaker.DescribeEndpointConfig"] == 1

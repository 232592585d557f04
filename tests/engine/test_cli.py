"""The `advisor` command line as a user runs it: exit codes, one-line errors, live `diagnose`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ADVISOR = str(Path(sys.executable).with_name("advisor"))
SCENARIO = REPO / "tests" / "scenarios" / "model-cpu-no-gpu--pytorch-on-c5-saturated-no-autoscaling.json"


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([ADVISOR, *args], capture_output=True, text=True, timeout=120, cwd=REPO,
                          env={**os.environ, **(env or {})}, check=False)


@pytest.mark.parametrize(("content", "message"), [
    ("{not json", "not JSON"),
    ('{"name": "x"}', "event"),
    ("typo", "'CreateModle' is not a sagemaker operation"),
])
def test_invalid_scenario_exits_2_with_one_line(tmp_path: Path, content: str, message: str) -> None:
    if content == "typo":  # a valid event, one misspelt setup operation
        event = json.loads(SCENARIO.read_text())["event"]
        content = json.dumps({"name": "typo", "event": event,
                              "setup": [{"service": "sagemaker", "operation": "CreateModle", "params": {}}]})
    path = tmp_path / "bad.json"
    path.write_text(content)
    done = run("replay", str(path), "--format", "json")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and message in done.stderr and "Traceback" not in done.stderr


def test_missing_scenario_file_exits_2(tmp_path: Path) -> None:
    done = run("replay", str(tmp_path / "nope.json"))
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


def test_diagnose_live_endpoint_through_the_stand_in_server() -> None:
    """`advisor diagnose` against an AWS endpoint URL (the stand-in server here, AWS for real users)."""
    from standin.scenario import load_scenario
    from standin.server import StandinServer, load_setup

    scenario = load_scenario(SCENARIO)
    with StandinServer() as server:
        load_setup(scenario, server.endpoint_url)
        env = {"AWS_ENDPOINT_URL": server.endpoint_url, "AWS_ACCESS_KEY_ID": "testing",
               "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing"}
        alarm = scenario.event["alarmData"]["configuration"]["metrics"][0]["metricStat"]["metric"]
        done = run("diagnose", "--endpoint", alarm["dimensions"]["EndpointName"], "--region", scenario.region,
                   "--at", scenario.alarm_time.isoformat(), "--format", "json", env=env)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert {"SCALE-NONE", "MODEL-CPU-NO-GPU"} <= {f["rule"] for f in result["findings"]}
    assert result["api_calls"]["total"] == 5 and result["errors"] == []


def test_diagnose_without_credentials_is_one_line(tmp_path: Path) -> None:
    env = {"AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "",
           "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"), "AWS_CONFIG_FILE": str(tmp_path / "none"),
           "AWS_EC2_METADATA_DISABLED": "true"}
    done = run("diagnose", "--endpoint", "x", "--region", "us-east-1", env=env)
    assert done.returncode == 1 and done.stderr.count("\n") == 1 and "Traceback" not in done.stderr

"""cdk.json's app command works whatever python3 is on PATH, and says what to run when there is no .venv."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_cdk_json_runs_app_through_the_launcher() -> None:
    assert json.loads((REPO / "cdk.json").read_text())["app"] == "sh cdk-app.sh"


def test_launcher_without_venv_says_in_one_line_to_run_make_setup(tmp_path: Path) -> None:
    shutil.copy(REPO / "cdk-app.sh", tmp_path / "cdk-app.sh")
    result = subprocess.run(["sh", "cdk-app.sh"], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert "run `make setup` first" in result.stderr


def test_launcher_uses_the_project_venv(tmp_path: Path) -> None:
    # app.py without a config context fails in one line: proof it ran, under the venv's Python (aws_cdk imported).
    result = subprocess.run(["sh", str(REPO / "cdk-app.sh")], cwd=REPO, capture_output=True, text=True,
                            check=False, env={"PATH": "/usr/bin:/bin", "CDK_OUTDIR": str(tmp_path)})
    assert result.returncode == 2, result.stderr
    # (before it, jsii may print its banner about the system Node's version)
    assert result.stderr.strip().splitlines()[-1] == (
        "context config: missing; run cdk synth -c config=path/to/config.json")

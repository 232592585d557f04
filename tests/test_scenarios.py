"""Every scenario replays to what its `expect` names: rules that fire, rules that stay quiet, missing evidence.

The scenarios (tests/scenarios/*.json, plus the shared ones in ../shared/scenarios when that folder exists)
go through `advisor replay FILE --format json`: a few as a real subprocess, the rest in-process through
`advisor.cli.main` for speed. `expect` may also carry `errors` (the evidence calls reported missing, exactly)
and `resolved` (an OK transition: a resolved notice and no findings).
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from replayed import replayed

REPO = Path(__file__).resolve().parents[1]
OWN = REPO / "tests" / "scenarios"
SHARED = REPO.parent / "shared" / "scenarios"

# SPEC §4, the stable rule IDs.
RULE_IDS = (
    "MODEL-CPU-NO-GPU", "MODEL-INFERENTIA", "MODEL-NEO", "MODEL-BENCHMARK", "MODEL-CHANGED", "MODEL-TIMEOUTS",
    "SCALE-NONE", "SCALE-AT-MAX", "OVERHEAD-COLD-START", "OVERHEAD-INFREQUENT", "OVERHEAD-PAYLOAD",
    "MME-CACHE-THRASH", "MME-SLOW-DOWNLOAD", "MME-SLOW-LOAD", "MME-COLD-MODELS", "SERVERLESS-COLD-START",
    "SERVERLESS-MEMORY", "ERRORS", "ENDPOINT-NOT-FOUND", "ENDPOINT-NOT-IN-SERVICE", "UNEXPLAINED",
)
SEVERITY_ORDER = {"critical": 0, "warning": 1, "info": 2}
AWS_HOSTS = ("aws.amazon.com", "repost.aws")  # AWS documentation, and AWS re:Post knowledge-center articles
API_CALL_BUDGET = 6
# Replayed through the installed `advisor` console script, as a user runs it: one per event form and a fault.
THROUGH_SUBPROCESS = frozenset({
    "event-form--eventbridge-state-change.json", "event-form--sns-notification.json",
    "fault--describe-scalable-targets-throttled-twice.json", "example-cpu-tensorflow-overloaded.json",
})


def scenario_files() -> list[Path]:
    """Our scenarios, then the shared ones if the shared folder is present."""
    shared = sorted(SHARED.glob("*.json")) if SHARED.is_dir() else []
    return sorted(OWN.glob("*.json")) + shared


FILES = scenario_files()
IDS = [path.name.removesuffix(".json") for path in FILES]


def test_the_shared_scenarios_are_replayed_too() -> None:
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} absent: only the repository's own scenarios were replayed")
    assert any(path.parent == SHARED for path in FILES)


@cache
def document(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def replay(path: Path) -> dict[str, Any]:
    """The advisor's JSON diagnosis of one scenario (computed once per file for all the tests below)."""
    if path.name in THROUGH_SUBPROCESS:
        advisor = Path(sys.executable).with_name("advisor")
        relative = os.path.relpath(path, REPO)  # e.g. ../shared/scenarios/x.json, as a user would type it
        done = subprocess.run([str(advisor), "replay", relative, "--format", "json"], capture_output=True,
                              text=True, timeout=180, cwd=REPO, check=False)
        assert done.returncode == 0, f"advisor replay exited {done.returncode}: {done.stderr.strip()}"
        return json.loads(done.stdout)
    return replayed(path)


def fired(diagnosis: dict[str, Any]) -> list[str]:
    return [finding["rule"] for finding in diagnosis["findings"]]


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_scenario_is_valid(path: Path) -> None:
    from standin.scenario import load_scenario

    scenario = load_scenario(path)
    assert set(scenario.expect) <= {"rules", "absent", "errors", "resolved"}
    overlap = set(scenario.expect.get("rules", [])) & set(scenario.expect.get("absent", []))
    assert not overlap, f"both expected and absent: {sorted(overlap)}"
    named = set(scenario.expect.get("rules", [])) | set(scenario.expect.get("absent", []))
    assert named <= set(RULE_IDS), f"not SPEC §4 rule IDs: {sorted(named - set(RULE_IDS))}"


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_expected_rules_fire_and_absent_ones_do_not(path: Path) -> None:
    expect, diagnosis = document(path)["expect"], replay(path)
    rules = fired(diagnosis)
    missing = [rule for rule in expect.get("rules", []) if rule not in rules]
    unwanted = [rule for rule in expect.get("absent", []) if rule in rules]
    assert not missing and not unwanted, (
        f"missing {missing}, unwanted {unwanted}; fired {rules}; errors {diagnosis.get('errors')}")


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_findings_are_complete_and_ordered(path: Path) -> None:
    diagnosis = replay(path)
    for finding in diagnosis["findings"]:
        where = finding.get("rule")
        assert finding["rule"] in RULE_IDS, where
        assert finding["severity"] in SEVERITY_ORDER, where
        assert isinstance(finding["title"], str) and finding["title"].strip(), where
        assert isinstance(finding["recommendation"], str) and finding["recommendation"].strip(), where
        evidence = finding["evidence"]
        assert isinstance(evidence, dict) and evidence, f"{where}: no evidence"
        assert all(isinstance(value, str) and value.strip() for value in evidence.values()), f"{where}: {evidence}"
        docs = finding["docs"]
        assert isinstance(docs, list) and docs, f"{where}: no documentation link"
        hosts = [urlparse(link).hostname or "" for link in docs]
        assert all(link.startswith("https://") for link in docs), f"{where}: {docs}"
        assert all(host.endswith(AWS_HOSTS) for host in hosts), f"{where}: {docs}"
        assert "docs.aws.amazon.com" in hosts, f"{where}: no AWS documentation page among {docs}"
    ranks = [SEVERITY_ORDER[finding["severity"]] for finding in diagnosis["findings"]]
    assert ranks == sorted(ranks), f"findings not ordered by severity: {fired(diagnosis)}"
    assert len(set(fired(diagnosis))) == len(diagnosis["findings"]), f"a rule reported twice: {fired(diagnosis)}"


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_api_calls_within_budget(path: Path) -> None:
    calls = replay(path)["api_calls"]
    assert calls["total"] == sum(calls["by_operation"].values())
    assert calls["total"] <= API_CALL_BUDGET, calls
    if "resolved" not in document(path)["expect"]:
        assert calls["total"] > 0, "an ALARM diagnosis gathers evidence"


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_missing_evidence_is_named(path: Path) -> None:
    expect, diagnosis = document(path)["expect"], replay(path)
    if "errors" not in expect:
        pytest.skip("this scenario does not say which evidence may be missing")
    reported = sorted(error["evidence"] for error in diagnosis["errors"])
    assert reported == sorted(expect["errors"]), diagnosis["errors"]
    for error in diagnosis["errors"]:
        assert error["code"] and isinstance(error["message"], str), error


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_alarm_gets_a_diagnosis_and_ok_a_resolved_notice(path: Path) -> None:
    expect, diagnosis = document(path)["expect"], replay(path)
    if "resolved" in expect:
        assert diagnosis["findings"] == [], fired(diagnosis)
        assert diagnosis["resolved"], "no resolved notice for an OK transition"
        assert diagnosis["resolved"]["in_alarm_s"] == pytest.approx(expect["resolved"]["in_alarm_s"])
        assert diagnosis["resolved"]["summary"].strip()
    else:
        assert diagnosis["alarm"]["state"] == "ALARM"
        assert diagnosis["findings"], "an ALARM always yields a finding (UNEXPLAINED at least)"
        assert not diagnosis.get("resolved")


def test_every_rule_fires_in_one_scenario_and_stays_quiet_in_another() -> None:
    """The coverage table: each SPEC §4 rule is expected somewhere and expected absent somewhere else."""
    expected = {path.name: document(path)["expect"] for path in FILES}
    uncovered = []
    for rule in RULE_IDS:
        firing = {name for name, expect in expected.items() if rule in expect.get("rules", [])}
        quiet = {name for name, expect in expected.items() if rule in expect.get("absent", [])}
        if not firing or not quiet - firing:
            uncovered.append(f"{rule} (fires in {len(firing)}, absent in {len(quiet)})")
    assert not uncovered, uncovered


def test_committed_scenarios_are_what_the_builder_makes() -> None:
    """tests/scenarios/build.py regenerates the committed JSON byte for byte (and nothing is left over)."""
    spec = importlib.util.spec_from_file_location("scenario_builder", OWN / "build.py")
    assert spec and spec.loader
    builder = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = builder  # dataclasses look their module up while the file executes
    try:
        spec.loader.exec_module(builder)
    finally:
        del sys.modules[spec.name]
    built = builder.render_all()
    committed = {path.name: path.read_text(encoding="utf-8") for path in OWN.glob("*.json")}
    assert sorted(committed) == sorted(built)
    stale = [name for name, text in built.items() if committed[name] != text]
    assert not stale, f"rerun `python tests/scenarios/build.py`: {stale}"

"""Every scenario replays to exactly what its `expect` names: rules that fire, rules that may, missing evidence.

The scenarios (tests/scenarios/*.json, built at session start by tests/conftest.py, plus the shared ones in
../shared/scenarios when that folder exists) are replayed once each; a few also go through the installed
`advisor replay FILE --format json` as a real subprocess, as a user runs it. `expect`: `rules` must fire,
`allowed` may, nothing else may; `absent` names the rules a near miss must not fire; `errors` (the evidence
calls reported missing, exactly) and `resolved` (an OK transition: a resolved notice and no findings).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from replayed import replay, replayed

from advisor.rules import CATALOGUE_IDS

REPO = Path(__file__).resolve().parents[1]
OWN = REPO / "tests" / "scenarios"
SHARED = REPO.parent / "shared" / "scenarios"

SEVERITY_ORDER = {"critical": 0, "warning": 1, "info": 2}
AWS_HOSTS = ("aws.amazon.com", "repost.aws")  # AWS documentation, and AWS re:Post knowledge-center articles
# The serving containers' own documentation, cited where a rule names their settings (AWS's DLC sources, TorchServe).
CONTAINER_DOCS = ("https://github.com/aws/", "https://pytorch.org/serve/",
                  "https://huggingface.co/docs/text-generation-inference/",
                  "https://github.com/huggingface/text-generation-inference/",
                  "https://docs.vllm.ai/", "https://github.com/deepjavalibrary/djl-serving/")
API_CALL_BUDGET = 8  # SPEC §4a: up to 8 AWS calls per diagnosis
# The advisor names AWS services by client name, botocore's request events by service id.
SERVICE_IDS = {"application-auto-scaling": "application-autoscaling"}
# Replayed through the installed `advisor` console script, as a user runs it: one per event form and a fault.
THROUGH_SUBPROCESS = frozenset({
    "event-form--eventbridge-state-change.json", "event-form--sns-notification.json",
    "fault--describe-scalable-targets-throttled-twice.json", "example-cpu-tensorflow-overloaded.json",
})
EXPECT_KEYS = {"rules", "allowed", "absent", "errors", "resolved"}


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
def diagnosis_of(path: Path) -> dict[str, Any]:
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


def test_the_suite_was_built() -> None:
    assert len(list(OWN.glob("*.json"))) >= 60, "tests/conftest.py builds tests/scenarios/*.json at session start"


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_scenario_is_valid(path: Path) -> None:
    from standin.scenario import load_scenario

    scenario = load_scenario(path)
    expect = scenario.expect
    assert set(expect) <= EXPECT_KEYS, sorted(set(expect) - EXPECT_KEYS)
    named = {key: set(expect.get(key, [])) for key in ("rules", "allowed", "absent")}
    assert not named["absent"] & (named["rules"] | named["allowed"]), "a rule both expected (or allowed) and absent"
    every = named["rules"] | named["allowed"] | named["absent"]
    assert every <= set(CATALOGUE_IDS), f"not rule IDs of the catalogue: {sorted(every - set(CATALOGUE_IDS))}"


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_exactly_the_expected_rules_fire(path: Path) -> None:
    expect, diagnosis = document(path)["expect"], diagnosis_of(path)
    rules = fired(diagnosis)
    missing = [rule for rule in expect.get("rules", []) if rule not in rules]
    may = set(expect.get("rules", [])) | set(expect.get("allowed", []))
    # The shared example predates `allowed`: for it, only its `absent` list bounds the rest.
    unexpected = ([rule for rule in rules if rule not in may] if "allowed" in expect
                  else [rule for rule in rules if rule in expect.get("absent", [])])
    assert not missing and not unexpected, (
        f"missing {missing}, unexpected {unexpected}; fired {rules}; errors {diagnosis.get('errors')}")


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_findings_are_complete_and_ordered(path: Path) -> None:
    diagnosis = diagnosis_of(path)
    for finding in diagnosis["findings"]:
        where = finding.get("rule")
        assert finding["rule"] in CATALOGUE_IDS, where
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
        assert all(host.endswith(AWS_HOSTS) or link.startswith(CONTAINER_DOCS)
                   for host, link in zip(hosts, docs, strict=True)), f"{where}: {docs}"
        assert "docs.aws.amazon.com" in hosts, f"{where}: no AWS documentation page among {docs}"
    ranks = [SEVERITY_ORDER[finding["severity"]] for finding in diagnosis["findings"]]
    assert ranks == sorted(ranks), f"findings not ordered by severity: {fired(diagnosis)}"
    assert len(set(fired(diagnosis))) == len(diagnosis["findings"]), f"a rule reported twice: {fired(diagnosis)}"


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_api_calls_within_budget_and_as_the_stand_in_counted(path: Path) -> None:
    calls = diagnosis_of(path)["api_calls"]
    assert calls["total"] <= API_CALL_BUDGET, calls
    if "resolved" not in document(path)["expect"]:
        assert calls["total"] > 0, "an ALARM diagnosis gathers evidence"
    if path.name in THROUGH_SUBPROCESS:
        return
    seen = {f"{SERVICE_IDS.get(key.split('.')[0], key.split('.')[0])}.{key.split('.')[1]}": count
            for key, count in replay(path).requests.items()}
    if not document(path).get("faults"):  # faults make botocore retry: attempts then outnumber calls
        assert calls["by_operation"] == seen, "the advisor's count differs from the requests the stand-in got"
        assert calls["total"] == sum(seen.values())
    else:
        assert set(calls["by_operation"]) == set(seen)
        assert all(calls["by_operation"][key] <= seen[key] for key in seen)


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_missing_evidence_is_named(path: Path) -> None:
    expect, diagnosis = document(path)["expect"], diagnosis_of(path)
    if "errors" not in expect:
        pytest.skip("this scenario does not say which evidence may be missing")
    reported = sorted(error["evidence"] for error in diagnosis["errors"])
    assert reported == sorted(expect["errors"]), diagnosis["errors"]
    for error in diagnosis["errors"]:
        assert error["code"] and isinstance(error["message"], str), error


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_alarm_gets_a_diagnosis_and_ok_a_resolved_notice(path: Path) -> None:
    expect, diagnosis = document(path)["expect"], diagnosis_of(path)
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
    """The coverage table: each catalogue rule is expected somewhere and expected absent somewhere else."""
    expected = {path.name: document(path)["expect"] for path in FILES}
    uncovered = []
    for rule in CATALOGUE_IDS:
        firing = {name for name, expect in expected.items() if rule in expect.get("rules", [])}
        quiet = {name for name, expect in expected.items() if rule in expect.get("absent", [])}
        if not firing or not quiet - firing:
            uncovered.append(f"{rule} (fires in {len(firing)}, absent in {len(quiet)})")
    assert not uncovered, uncovered

"""Snapshots of the SNS message and the Slack payload: one per rule, plus the edge cases.

Each rule's snapshot is its first firing scenario (tests/scenarios, by name), so a wording or layout change of
any finding shows up as one snapshot diff to review; the edge cases are the resolved notice, a diagnosis with
more findings than a Slack message holds, and outside text long and hostile enough to hit every limit. A new
rule gets its snapshot with `pytest tests/notify/test_message_snapshots.py --snapshot-update`.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from replayed import replayed
from samples import OVERLOADED, RESOLVED, hostile

from advisor import render
from advisor.rules import CATALOGUE_IDS

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def _first_firing() -> dict[str, Path]:
    """Rule ID → the first scenario (by file name) whose `expect.rules` names it."""
    chosen: dict[str, Path] = {}
    for path in sorted(SCENARIOS.glob("*.json")):
        for rule in json.loads(path.read_text(encoding="utf-8"))["expect"].get("rules", []):
            chosen.setdefault(rule, path)
    return chosen


FIRST_FIRING = _first_firing()


def _many_findings() -> dict:
    """More findings than one Slack message takes (50 blocks), each with a long recommendation."""
    d = copy.deepcopy(OVERLOADED)
    d["findings"] = [dict(f, title=f"{f['title']} #{i}", recommendation=f["recommendation"] * 8)
                     for i in range(30) for f in OVERLOADED["findings"]]
    return d


def _long_texts() -> dict:
    """Outside text that is hostile and far over every field limit."""
    d = hostile()
    d["alarm"]["description"] = d["alarm"]["description"] * 40
    d["alarm"]["reason"] = d["alarm"]["reason"] * 40
    return d


EDGE_CASES = {"resolved-notice": RESOLVED, "many-findings": _many_findings(), "long-hostile-texts": _long_texts()}


def messages(diagnosis: dict) -> dict:
    """What the two sinks would send: the SNS subject, attributes and text, and the Slack payload."""
    message = render.render_sns(diagnosis)
    text, marker, copy_ = message.body.partition(render.JSON_MARKER)
    if marker:  # the JSON copy is the diagnosis itself: no snapshot needed
        assert json.loads(copy_) == json.loads(json.dumps(diagnosis, default=str))
    return {"sns": {"subject": message.subject, "attributes": message.attributes, "text": text},
            "slack": render.render_slack(diagnosis)}


def test_every_rule_has_a_snapshot_scenario() -> None:
    assert set(FIRST_FIRING) == set(CATALOGUE_IDS)


@pytest.mark.parametrize("rule", sorted(FIRST_FIRING), ids=sorted(FIRST_FIRING))
def test_rule_messages(rule: str, snapshot) -> None:
    diagnosis = replayed(FIRST_FIRING[rule])
    assert rule in [f["rule"] for f in diagnosis["findings"]]
    assert messages(diagnosis) == snapshot


@pytest.mark.parametrize("case", sorted(EDGE_CASES), ids=sorted(EDGE_CASES))
def test_edge_case_messages(case: str, snapshot) -> None:
    assert messages(EDGE_CASES[case]) == snapshot

"""Snapshots of the SNS message and the Slack payload for every scenario under tests/scenarios/.

A wording or layout change shows up as a snapshot diff to review; a new scenario gets its snapshots with
`pytest tests/notify/test_message_snapshots.py --snapshot-update`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from replayed import replayed

from advisor import render

SCENARIOS = sorted((Path(__file__).resolve().parents[1] / "scenarios").glob("*.json"))


@pytest.fixture(scope="module", params=SCENARIOS, ids=[path.stem for path in SCENARIOS])
def diagnosis(request: pytest.FixtureRequest) -> dict:
    """The scenario's diagnosis, replayed once for both snapshots."""
    return replayed(request.param)


def test_sns_message(diagnosis: dict, snapshot) -> None:
    message = render.render_sns(diagnosis)
    text, marker, copy = message.body.partition(render.JSON_MARKER)
    assert marker and json.loads(copy) == diagnosis  # the JSON copy is the diagnosis itself: no snapshot needed
    assert {"subject": message.subject, "attributes": message.attributes, "text": text} == snapshot


def test_slack_payload(diagnosis: dict, snapshot) -> None:
    assert render.render_slack(diagnosis) == snapshot

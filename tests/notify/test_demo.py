"""`advisor demo` end to end: every built-in scenario delivered, readable output, no traceback, no secret."""

from __future__ import annotations

import re

import pytest

from standin import demo


def test_demo_delivers_every_scenario_and_says_how_to_deploy(capsys: pytest.CaptureFixture[str]) -> None:
    assert demo.run_demo() == 0
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and err == ""
    assert f"{len(demo.DEMO_SCENARIOS)} of {len(demo.DEMO_SCENARIOS)} alarms diagnosed and delivered" in out
    assert out.count("SNS message, read back from the queue") == len(demo.DEMO_SCENARIOS)
    assert out.count("Slack message, as the local webhook received it") == len(demo.DEMO_SCENARIOS)
    for rule in ("MODEL-CPU-NO-GPU", "SCALE-NONE", "OVERHEAD-COLD-START", "MME-CACHE-THRASH", "SERVERLESS-COLD-START"):
        assert re.search(rf"\| \d\. \w+ +{rule} ", out), rule  # a numbered finding in an SNS body
        assert f"`{rule}`" in out  # and a finding section in a Slack message
    assert "back to OK after 1 h 5 min" in out
    assert "cdk deploy -c config=watch.json" in out
    # After the alarms, the coverage report: one of each problem (tests/coverage/worlds/mixed.json).
    assert "Alarm coverage of CoverageDemo/*: 2 blind, 1 orphaned, 2 stuck, 1 unwatched" in out
    assert "/services/T00000000/B00000000/" not in out  # the webhook URL is a secret, even the demo's

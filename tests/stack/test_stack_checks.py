"""Every synthesized template passes cfn-lint and cdk-nag's AWS Solutions pack; every exception is explained."""

from __future__ import annotations

import json

from cfnlint.api import lint

ACKNOWLEDGED = "aws:cdk:acknowledged-rules"


def test_cfn_lint_reports_no_errors_or_warnings(any_synth):
    for path, template in any_synth.templates.items():
        findings = [f"{m.rule.id} {m.message}" for m in lint(json.dumps(template))]
        assert findings == [], path


def test_cdk_nag_aws_solutions_has_no_unacknowledged_finding(any_synth):
    # Synthesis would have failed on an error or warning; the report confirms nothing was let through.
    report = json.loads((any_synth.outdir / "validation-report.json").read_text())
    assert [v for plugin in report["pluginReports"] for v in plugin["violations"]] == []


def test_every_acknowledged_finding_has_a_written_reason(any_synth):
    acknowledged = {rule: reason
                    for node in any_synth.stack.node.find_all() for entry in node.node.metadata
                    if entry.type == ACKNOWLEDGED for rule, reason in entry.data.items()}
    assert acknowledged, "the stack acknowledges at least the Python 3.13 runtime choice"
    for rule, reason in acknowledged.items():
        assert rule.startswith("AwsSolutions::AwsSolutions-"), rule
        assert len(reason.split()) >= 8, (rule, reason)

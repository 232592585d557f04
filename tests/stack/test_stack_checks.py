"""Every synthesized template passes cfn-lint and cdk-nag's AWS Solutions pack; every exception is explained."""

from __future__ import annotations

import json

from cfn_lint_batch import lint_templates, template_key
from cfnlint.api import lint

ACKNOWLEDGED = "aws:cdk:acknowledged-rules"
# Three findings cfn-lint must report: a bad enum value, a missing required property, an unused parameter.
BROKEN = {"Parameters": {"Unused": {"Type": "String"}},
          "Resources": {"Alarm": {"Type": "AWS::CloudWatch::Alarm",
                                  "Properties": {"ComparisonOperator": "Bigger", "EvaluationPeriods": 1}}}}


def test_cfn_lint_reports_no_errors_or_warnings(any_synth, cfn_lint_findings):
    findings = cfn_lint_findings(any_synth)
    assert set(findings) == set(any_synth.templates)
    assert {path: found for path, found in findings.items() if found} == {}


def test_batch_lint_finds_what_cfn_lint_finds_cached_or_not(tmp_path):
    expected = sorted(f"{m.rule.id} {m.message}" for m in lint(json.dumps(BROKEN)))
    assert {line.split()[0][0] for line in expected} == {"E", "W"}, expected
    clean = {"Resources": {"Handle": {"Type": "AWS::CloudFormation::WaitConditionHandle"}}}
    for _ in ("cold", "warm"):
        findings = lint_templates([BROKEN, clean, BROKEN], cache_dir=tmp_path, workers=1)
        assert [sorted(f) for f in findings] == [expected, [], expected]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{template_key(json.dumps(t, sort_keys=True))}.json"
                                                                 for t in (BROKEN, clean))


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

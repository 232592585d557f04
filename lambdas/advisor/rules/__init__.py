"""The diagnostic rule catalogue (SPEC §4): one module per concern, each rule a pure function of the evidence."""

from __future__ import annotations

from dataclasses import dataclass

from advisor.rules import (  # noqa: F401  (importing a module registers its rules)
    asynchronous,
    components,
    endpoint,
    imbalance,
    llm,
    mme,
    model,
    overhead,
    scale,
    serverless,
)
from advisor.rules.base import REGISTRY, Finding, Rule
from advisor.rules.endpoint import UNEXPLAINED_ID, unexplained
from advisor.snapshot import Evidence, Source

CATALOGUE_IDS = (*REGISTRY, UNEXPLAINED_ID)


@dataclass(frozen=True)
class RuleRun:
    """Findings in SPEC order, and which rules were skipped for want of which evidence."""

    findings: list[Finding]
    checked: list[str]
    skipped: dict[Source, list[str]]


def run_rules(evidence: Evidence) -> RuleRun:
    """Evaluate every applicable rule; UNEXPLAINED when an ALARM is explained by none."""
    if evidence.endpoint_missing:
        rules: list[Rule] = [REGISTRY["ENDPOINT-NOT-FOUND"]]
    else:
        rules = [r for r in REGISTRY.values() if r.applies_to(evidence)]
    findings, checked = [], []
    skipped: dict[Source, list[str]] = {}
    for candidate in rules:
        missing = sorted(candidate.needs & evidence.missing, key=lambda source: source.value)
        if missing:
            for key in missing:
                skipped.setdefault(key, []).append(candidate.id)
            continue
        checked.append(candidate.id)
        finding = candidate.evaluate(evidence)
        if finding is not None:
            findings.append(finding)
    if not findings:
        flat = sorted({rule_id for ids in skipped.values() for rule_id in ids})
        findings.append(unexplained(evidence, checked, flat))
    findings.sort(key=Finding.sort_key)
    return RuleRun(findings, checked, skipped)

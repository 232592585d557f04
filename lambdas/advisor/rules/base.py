"""What a rule is: metadata beside a pure check of the evidence, and the finding it returns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from advisor.snapshot import Evidence

Severity = Literal["critical", "warning", "info"]
SEVERITY_ORDER = {"critical": 0, "warning": 1, "info": 2}

LATENCY = frozenset({"ModelLatency", "OverheadLatency"})
MME_METRICS = frozenset({"ModelLoadingWaitTime", "ModelDownloadingTime", "ModelLoadingTime", "ModelCacheHit",
                         "LoadedModelCount"})
ANY_METRIC = LATENCY | MME_METRICS | {"ModelSetupTime"}

TROUBLESHOOTING = "https://repost.aws/knowledge-center/sagemaker-endpoint-latency"
METRICS_DOC = "https://docs.aws.amazon.com/sagemaker/latest/dg/monitoring-cloudwatch.html"


@dataclass(frozen=True)
class Verdict:
    """What a check returns when its rule fires: the numbers, the advice, how strongly the evidence holds."""

    evidence: dict[str, str]
    recommendation: str
    strength: float = 1.0
    severity: Severity | None = None
    title: str | None = None


@dataclass(frozen=True)
class Finding:
    """One diagnosis line of SPEC §4: rule ID, severity, title, evidence, recommendation, docs."""

    rule: str
    severity: Severity
    title: str
    evidence: dict[str, str]
    recommendation: str
    docs: tuple[str, ...]
    strength: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        """The SPEC §5 finding object."""
        return {"rule": self.rule, "severity": self.severity, "title": self.title, "evidence": self.evidence,
                "recommendation": self.recommendation, "docs": list(self.docs)}

    def sort_key(self) -> tuple[int, float, str]:
        """Severity first, then the strength of the evidence."""
        return (SEVERITY_ORDER[self.severity], -self.strength, self.rule)


@dataclass(frozen=True)
class Rule:
    """A catalogue entry: stable ID, default severity and title, docs, where it applies, what it needs."""

    id: str
    severity: Severity
    title: str
    docs: tuple[str, ...]
    metrics: frozenset[str]
    needs: frozenset[str]
    check: Callable[[Evidence], Verdict | None] = field(compare=False)

    def applies_to(self, evidence: Evidence) -> bool:
        """True when the alarm's metric is one this rule is about."""
        return evidence.alarm.metric in self.metrics

    def evaluate(self, evidence: Evidence) -> Finding | None:
        """Run the check and dress its verdict with the rule's metadata."""
        verdict = self.check(evidence)
        if verdict is None:
            return None
        return Finding(self.id, verdict.severity or self.severity, verdict.title or self.title,
                       verdict.evidence, verdict.recommendation, self.docs, verdict.strength)


REGISTRY: dict[str, Rule] = {}


def rule(rule_id: str, *, severity: Severity, title: str, docs: tuple[str, ...], metrics: frozenset[str],
         needs: frozenset[str] | set[str] = frozenset()) -> Callable[[Callable[[Evidence], Verdict | None]],
                                                             Callable[[Evidence], Verdict | None]]:
    """Register a check under its catalogue metadata."""

    def register(check: Callable[[Evidence], Verdict | None]) -> Callable[[Evidence], Verdict | None]:
        if rule_id in REGISTRY:
            raise ValueError(f"rule {rule_id} registered twice")
        REGISTRY[rule_id] = Rule(rule_id, severity, title, docs, metrics, frozenset(needs), check)
        return check

    return register


def instance_backed(evidence: Evidence) -> bool:
    """True for variants that run on instances we know (not serverless)."""
    variant = evidence.variant
    return evidence.kind != "serverless" and variant is not None and variant.instance is not None

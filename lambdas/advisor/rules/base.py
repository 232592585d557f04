"""What a rule is: metadata beside a pure check of the evidence, and the finding it returns."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from advisor.catalogue import ALARMED, INSTANCE_KINDS, LATENCY, MME_LOADING, Kind, M
from advisor.snapshot import Evidence, Source

Severity = Literal["critical", "warning", "info"]
SEVERITY_ORDER = {"critical": 0, "warning": 1, "info": 2}

MODEL_LATENCY: frozenset[M] = frozenset({M.MODEL_LATENCY})
OVERHEAD: frozenset[M] = frozenset({M.OVERHEAD_LATENCY})
ANY_METRIC: frozenset[M] = ALARMED
__all__ = ["ANY_METRIC", "LATENCY", "MME_LOADING", "MODEL_LATENCY", "OVERHEAD", "Kind", "M", "Source"]

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
    """A catalogue entry: stable ID, default severity and title, docs, where it applies, what it needs.

    `metrics`: the alarms it diagnoses; `kinds`: the endpoint kinds it applies to (an unknown kind does not
    rule a rule out: the check decides); `needs`: the evidence without which it is skipped and reported so.
    """

    id: str
    severity: Severity
    title: str
    docs: tuple[str, ...]
    metrics: frozenset[M]
    needs: frozenset[Source]
    kinds: frozenset[Kind]
    check: Callable[[Evidence], Verdict | None] = field(compare=False)

    def applies_to(self, evidence: Evidence) -> bool:
        """True when the alarm's metric is one this rule is about, on an endpoint kind it covers."""
        kind = evidence.kind
        return evidence.alarm.metric in self.metrics and (kind is None or kind in self.kinds)

    def evaluate(self, evidence: Evidence) -> Finding | None:
        """Run the check and dress its verdict with the rule's metadata."""
        verdict = self.check(evidence)
        if verdict is None:
            return None
        return Finding(self.id, verdict.severity or self.severity, verdict.title or self.title,
                       verdict.evidence, verdict.recommendation, self.docs, verdict.strength)


REGISTRY: dict[str, Rule] = {}


def rule(rule_id: str, *, severity: Severity, title: str, docs: tuple[str, ...], metrics: Iterable[M],
         needs: Iterable[Source] = (), kinds: Iterable[Kind] = tuple(Kind),
         ) -> Callable[[Callable[[Evidence], Verdict | None]], Callable[[Evidence], Verdict | None]]:
    """Register a check under its catalogue metadata."""
    metric_set, need_set, kind_set = frozenset(metrics), frozenset(needs), frozenset(kinds)
    for value, typed in ((metric_set, M), (need_set, Source), (kind_set, Kind)):
        wrong = [v for v in value if not isinstance(v, typed)]
        if wrong:  # a string where an enum member belongs would never match: refuse it at import
            raise TypeError(f"rule {rule_id}: {wrong!r} are not {typed.__name__} members")

    def register(check: Callable[[Evidence], Verdict | None]) -> Callable[[Evidence], Verdict | None]:
        if rule_id in REGISTRY:
            raise ValueError(f"rule {rule_id} registered twice")
        REGISTRY[rule_id] = Rule(rule_id, severity, title, docs, metric_set, need_set, kind_set, check)
        return check

    return register


def instance_backed(evidence: Evidence) -> bool:
    """True for variants on instances (real-time, multi-model, async) whose variant was described."""
    return evidence.kind in INSTANCE_KINDS and evidence.variant is not None


def known_instance(evidence: Evidence) -> bool:
    """Instance-backed (an IC's host included) with an instance type the advisor knows (vCPUs, GPUs): for the
    instance-choice rules, which read an IC's image and instance type from DescribeInferenceComponent (SPEC §4b)."""
    return (evidence.kind in INSTANCE_KINDS | {Kind.INFERENCE_COMPONENTS} and evidence.variant is not None
            and evidence.variant.instance is not None)

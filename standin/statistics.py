"""CloudWatch statistics over one period's published data, computed the way CloudWatch defines them.

Sources (CloudWatch user guide "CloudWatch statistics definitions", API reference for GetMetricStatistics
and MetricDatum):
- Values/Counts: each count is "the number of times the corresponding value in the Values array occurred
  during the period", so a value weighs as much as its count.
- pNN.NN: "p95 means that 95 percent of the data within the period is lower than this value". CloudWatch does
  not interpolate, so this is the nearest rank: the smallest published value whose cumulative count reaches
  NN % of the sample count (the rank ceil(NN/100 * N) in the sorted, count-expanded values).
- tmNN / TM(a%:b%) / IQM: mean after removing the data points below a % and above b %; wm winsorizes them to
  the boundary values instead; tc / ts are the count / sum of the kept points.
- Percentiles need raw values. A statistic set stands for raw values only if its SampleCount is 1 or its
  Minimum equals its Maximum; otherwise, or when any value is negative, no percentile-style statistic exists
  for the period (no datapoint), as with CloudWatch.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

SIMPLE_STATISTICS = ("SampleCount", "Sum", "Average", "Minimum", "Maximum")

_NUMBER = r"(\d+(?:\.\d+)?)"
_PERCENTILE = re.compile(rf"p{_NUMBER}")
_SHORT_TRIMMED = re.compile(rf"(tm|wm|tc|ts){_NUMBER}")
_RANGE_TRIMMED = re.compile(rf"(TM|WM|TC|TS)\({_NUMBER}?%:{_NUMBER}?%\)")


class StatisticError(ValueError):
    """The statistic string is not one CloudWatch (or the stand-in) understands."""


@dataclass(frozen=True)
class StatisticSet:
    """A StatisticValues datum: only these four numbers were published."""

    sample_count: float
    total: float
    minimum: float
    maximum: float

    def as_values(self) -> tuple[float, float] | None:
        """(value, count) when the set stands for raw values (SampleCount 1, or Minimum == Maximum)."""
        if self.sample_count == 1:
            return self.total, 1.0
        if self.minimum == self.maximum:
            return self.minimum, self.sample_count
        return None


@dataclass(frozen=True)
class Statistic:
    """A parsed statistic: a simple one, a percentile, or a trimmed/winsorized family over [low %, high %]."""

    kind: str
    low: Fraction = Fraction(0)
    high: Fraction = Fraction(100)


def parse_statistic(text: str) -> Statistic:
    """Parse 'Average', 'p90', 'p99.9', 'tm90', 'TM(10%:90%)', 'wm95', 'IQM', ...; raise StatisticError."""
    if text in SIMPLE_STATISTICS:
        return Statistic(text)
    if text == "IQM":
        return Statistic("tm", Fraction(25), Fraction(75))
    if match := _PERCENTILE.fullmatch(text):
        return Statistic("p", high=_percent(match.group(1), text))
    if match := _SHORT_TRIMMED.fullmatch(text):
        return Statistic(match.group(1), high=_percent(match.group(2), text))
    if match := _RANGE_TRIMMED.fullmatch(text):
        low = _percent(match.group(2) or "0", text)
        high = _percent(match.group(3) or "100", text)
        if low >= high:
            raise StatisticError(f"statistic {text!r}: the lower bound must be below the upper bound")
        return Statistic(match.group(1).lower(), low, high)
    raise StatisticError(f"statistic {text!r} is not a CloudWatch statistic the stand-in computes "
                         "(SampleCount, Sum, Average, Minimum, Maximum, pNN, tmNN, wmNN, tcNN, tsNN, "
                         "TM(a%:b%), WM(a%:b%), TC(a%:b%), TS(a%:b%), IQM)")


def _percent(number: str, text: str) -> Fraction:
    value = Fraction(number)
    if value > 100:
        raise StatisticError(f"statistic {text!r}: {number} is above 100 %")
    return value


class PeriodData:
    """Everything published for one metric in one period: raw (value, count) pairs and statistic sets."""

    def __init__(self) -> None:
        self._pairs: list[tuple[float, float]] = []
        self._sets: list[StatisticSet] = []

    def add_values(self, values: Iterable[float], counts: Iterable[float]) -> None:
        """Add published Values with their Counts (a single Value is one value with count 1)."""
        self._pairs.extend((value, count) for value, count in zip(values, counts, strict=True) if count > 0)

    def add_set(self, statistic_set: StatisticSet) -> None:
        """Add a published StatisticValues datum."""
        self._sets.append(statistic_set)

    def compute(self, statistic: Statistic) -> float | None:
        """The statistic for this period, or None when CloudWatch would return no datapoint."""
        sample_count = math.fsum(count for _, count in self._pairs) + math.fsum(
            s.sample_count for s in self._sets)
        if sample_count <= 0:
            return None
        if statistic.kind == "SampleCount":
            return sample_count
        if statistic.kind == "Sum":
            return self._sum()
        if statistic.kind == "Average":
            return self._sum() / sample_count
        if statistic.kind == "Minimum":
            return min([v for v, _ in self._pairs] + [s.minimum for s in self._sets])
        if statistic.kind == "Maximum":
            return max([v for v, _ in self._pairs] + [s.maximum for s in self._sets])
        ranked = self._ranked_values()
        if ranked is None:
            return None
        if statistic.kind == "p":
            return _nearest_rank(ranked, statistic.high)
        return _trimmed(ranked, statistic)

    def _sum(self) -> float:
        return math.fsum(value * count for value, count in self._pairs) + math.fsum(s.total for s in self._sets)

    def _ranked_values(self) -> list[tuple[float, float]] | None:
        """Sorted (value, count) pairs, or None if percentile-style statistics are unavailable."""
        pairs = list(self._pairs)
        for statistic_set in self._sets:
            as_values = statistic_set.as_values()
            if as_values is None:
                return None
            pairs.append(as_values)
        if any(value < 0 for value, _ in pairs):
            return None
        return sorted(pairs)


def _nearest_rank(ranked: list[tuple[float, float]], percent: Fraction) -> float:
    """The smallest value whose cumulative count reaches `percent` of all counts."""
    needed = percent * Fraction(math.fsum(count for _, count in ranked)) / 100
    cumulative = Fraction(0)
    for value, count in ranked:
        cumulative += Fraction(count)
        if cumulative >= needed:
            return value
    return ranked[-1][0]


def _trimmed(ranked: list[tuple[float, float]], statistic: Statistic) -> float | None:
    """tm / wm / tc / ts over the points ranked between statistic.low % and statistic.high %."""
    total = Fraction(math.fsum(count for _, count in ranked))
    lower_cut, upper_cut = statistic.low * total / 100, statistic.high * total / 100
    kept_count, kept_sum = Fraction(0), Fraction(0)
    start = Fraction(0)
    for value, count in ranked:
        end = start + Fraction(count)
        # Each point occupies [start, end) on the rank axis; keep the part inside [lower_cut, upper_cut).
        kept = max(Fraction(0), min(end, upper_cut) - max(start, lower_cut))
        kept_count += kept
        kept_sum += kept * Fraction(value)
        start = end
    if statistic.kind == "tc":
        return float(kept_count)
    if statistic.kind == "ts":
        return float(kept_sum)
    if statistic.kind == "wm":
        low_value = _value_at(ranked, lower_cut)
        high_value = _nearest_rank(ranked, statistic.high)
        return float((kept_sum + lower_cut * Fraction(low_value) + (total - upper_cut) * Fraction(high_value))
                     / total)
    return float(kept_sum / kept_count) if kept_count else None


def _value_at(ranked: list[tuple[float, float]], rank: Fraction) -> float:
    """The value occupying position `rank` on the rank axis (the first point at or after it)."""
    cumulative = Fraction(0)
    for value, count in ranked:
        cumulative += Fraction(count)
        if cumulative > rank:
            return value
    return ranked[-1][0]

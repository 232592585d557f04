"""CloudWatch statistics from published Values/Counts and statistic sets, against hand-computed values."""

from __future__ import annotations

import math

import pytest

from standin.statistics import PeriodData, StatisticError, StatisticSet, parse_statistic

# 100 requests: 50 at 100 ms, 30 at 200, 10 at 300, 5 at 400, 5 at 500 (sorted ranks 1-50, 51-80, ...).
VALUES = [100.0, 200.0, 300.0, 400.0, 500.0]
COUNTS = [50.0, 30.0, 10.0, 5.0, 5.0]


def period(values: list[float] = VALUES, counts: list[float] = COUNTS) -> PeriodData:
    data = PeriodData()
    data.add_values(values, counts)
    return data


@pytest.mark.parametrize(("statistic", "expected"), [
    ("SampleCount", 100.0),
    ("Sum", 18500.0),
    ("Average", 185.0),
    ("Minimum", 100.0),
    ("Maximum", 500.0),
    # Nearest rank: the smallest value whose cumulative count reaches NN % of 100.
    ("p50", 100.0),   # rank 50 is the last 100
    ("p50.5", 200.0),  # rank 51
    ("p80", 200.0),
    ("p90", 300.0),   # linear interpolation would give 310
    ("p95", 400.0),
    ("p99", 500.0),
    ("p0", 100.0),
    ("p100", 500.0),
    ("tm90", (50 * 100 + 30 * 200 + 10 * 300) / 90),  # drop the 10 highest
    ("TM(10%:90%)", (40 * 100 + 30 * 200 + 10 * 300) / 80),
    ("IQM", (25 * 100 + 25 * 200) / 50),  # ranks 26-75
    ("wm90", (50 * 100 + 30 * 200 + 10 * 300 + 10 * 300) / 100),  # top 10 % set to p90
    ("tc90", 90.0),
    ("ts90", 50 * 100 + 30 * 200 + 10 * 300),
])
def test_statistics_of_values_with_counts(statistic: str, expected: float) -> None:
    assert period().compute(parse_statistic(statistic)) == pytest.approx(expected)


def test_counts_weigh_each_value_as_often_as_it_occurred() -> None:
    data = period([1.0, 3.0], [3.0, 1.0])
    assert data.compute(parse_statistic("Average")) == 1.5
    assert data.compute(parse_statistic("SampleCount")) == 4.0
    assert data.compute(parse_statistic("p75")) == 1.0
    assert data.compute(parse_statistic("p76")) == 3.0


def test_values_from_several_datums_merge_in_one_period() -> None:
    data = period([100.0], [50.0])
    data.add_values([200.0, 300.0], [45.0, 5.0])
    assert data.compute(parse_statistic("p90")) == 200.0
    assert data.compute(parse_statistic("p96")) == 300.0


def test_percentile_rank_is_exact_where_floating_point_is_not() -> None:
    # 0.07 * 100 is 7.000000000000001 in floating point: rank 7 must still be the answer, not rank 8.
    data = period([float(v) for v in range(1, 101)], [1.0] * 100)
    assert data.compute(parse_statistic("p7")) == 7.0
    assert data.compute(parse_statistic("p57")) == 57.0


def test_statistic_set_gives_simple_statistics_but_no_percentiles() -> None:
    data = PeriodData()
    data.add_set(StatisticSet(sample_count=10, total=1000, minimum=50, maximum=150))
    assert data.compute(parse_statistic("Average")) == 100.0
    assert data.compute(parse_statistic("Maximum")) == 150.0
    assert data.compute(parse_statistic("p90")) is None
    assert data.compute(parse_statistic("tm90")) is None


@pytest.mark.parametrize("statistic_set", [
    StatisticSet(sample_count=4, total=400, minimum=100, maximum=100),  # Minimum == Maximum
    StatisticSet(sample_count=1, total=100, minimum=100, maximum=100),  # SampleCount 1
])
def test_statistic_set_that_stands_for_raw_values_gives_percentiles(statistic_set: StatisticSet) -> None:
    data = period([10.0], [1.0])
    data.add_set(statistic_set)
    assert data.compute(parse_statistic("p90")) == 100.0
    assert data.compute(parse_statistic("p1")) == 10.0
    assert data.compute(parse_statistic("Minimum")) == 10.0


def test_negative_values_give_no_percentiles() -> None:
    data = period([-5.0, 10.0], [1.0, 1.0])
    assert data.compute(parse_statistic("p50")) is None
    assert data.compute(parse_statistic("Average")) == 2.5


def test_empty_period_and_zero_counts_give_no_datapoint() -> None:
    assert PeriodData().compute(parse_statistic("Sum")) is None
    assert period([5.0], [0.0]).compute(parse_statistic("SampleCount")) is None


@pytest.mark.parametrize("text", ["average", "P90", "p101", "p", "TM(90%:10%)", "TM(150:1000)", "pr50", ""])
def test_unknown_statistics_are_rejected(text: str) -> None:
    with pytest.raises(StatisticError):
        parse_statistic(text)


def test_percentile_equals_nearest_rank_of_the_expanded_values() -> None:
    # Oracle: expand the counts into a sorted list and take element ceil(p/100 * n) (1-based).
    values, counts = [90.0, 250.0, 40.0, 60.0], [3.0, 2.0, 60.0, 35.0]
    expanded = sorted(v for v, c in zip(values, counts, strict=True) for _ in range(int(c)))
    for p in (1, 10, 25, 50, 63, 90, 95, 97, 98, 99, 99.5):
        expected = expanded[max(math.ceil(p / 100 * len(expanded)), 1) - 1]
        assert period(values, counts).compute(parse_statistic(f"p{p}")) == expected, p

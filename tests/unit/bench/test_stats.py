from __future__ import annotations

import pytest

from bench.stats import format_number, format_summary, percentile, ratio, round_significant, summarize


def test_summarize_gives_median_and_extremes_of_the_runs() -> None:
    assert summarize([3.0, 1.0, 2.0, 10.0]) == {"median": 2.5, "min": 1.0, "max": 10.0, "runs": 4}


def test_summarize_rounds_to_significant_digits() -> None:
    assert summarize([0.000123456], digits=3)["median"] == 0.000123


def test_summarize_refuses_no_runs() -> None:
    with pytest.raises(ValueError, match="at least one run"):
        summarize([])


@pytest.mark.parametrize(("q", "expected"), [(0, 1.0), (50, 50.5), (99, 99.01), (100, 100.0)])
def test_percentile_interpolates_like_numpy(q: float, expected: float) -> None:
    values = [float(v) for v in range(100, 0, -1)]
    assert percentile(values, q) == pytest.approx(expected)


def test_percentile_of_one_value_is_that_value() -> None:
    assert percentile([4.2], 99) == 4.2


def test_percentile_refuses_out_of_range() -> None:
    with pytest.raises(ValueError, match="outside"):
        percentile([1.0], 101)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0, "0"),
        (0.000123, "0.000123"),
        (1.2345, "1.23"),
        (45.67, "45.7"),
        (1234.5, "1,230"),
        (123456, "123,000"),
    ],
)
def test_format_number_keeps_three_significant_digits(value: float, text: str) -> None:
    assert format_number(value) == text


def test_format_summary_shows_range_and_runs() -> None:
    summary = summarize([1.0, 1.5, 2.0])
    assert format_summary(summary, "s") == "1.50 s (1.00-2.00, 3 runs)"


def test_format_summary_of_one_run_has_no_range() -> None:
    assert format_summary(summarize([640.4]), "MB") == "640 MB (1 run)"


def test_ratio_divides_medians() -> None:
    assert ratio(summarize([10.0]), summarize([3.0])) == 3.33


def test_round_significant_leaves_zero_and_infinity() -> None:
    assert round_significant(0.0) == 0.0
    assert round_significant(float("inf")) == float("inf")

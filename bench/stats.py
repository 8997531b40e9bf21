"""Summaries of repeated measurements (median, min, max) and the formatting the report uses."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from typing import Any, TypedDict


class Summary(TypedDict):
    """One figure: the median over `runs` repeated measurements, with the extremes."""

    median: float
    min: float
    max: float
    runs: int


def summarize(values: Sequence[float], digits: int = 4) -> Summary:
    """Median, min and max of repeated measurements, rounded to `digits` significant digits."""
    if not values:
        raise ValueError("no measurements to summarize; every figure needs at least one run")
    return {
        "median": round_significant(statistics.median(values), digits),
        "min": round_significant(min(values), digits),
        "max": round_significant(max(values), digits),
        "runs": len(values),
    }


def round_significant(value: float, digits: int = 4) -> float:
    if value == 0 or not math.isfinite(value):
        return float(value)
    return round(value, digits - 1 - math.floor(math.log10(abs(value))))


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) with linear interpolation between order statistics (NumPy's default)."""
    if not values:
        raise ValueError("percentile of no values")
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {q} is outside 0..100")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def format_number(value: float) -> str:
    """Three significant digits, thousands separated: 0.000123, 1.23, 45.6, 1,230, 123,000."""
    if value == 0:
        return "0"
    if abs(value) >= 1000:
        return f"{round_significant(value, 3):,.0f}"
    decimals = max(0, 2 - math.floor(math.log10(abs(value))))
    return f"{value:.{decimals}f}"


def format_summary(summary: Summary, unit: str = "") -> str:
    """`1.23 s (1.10-1.40, 7 runs)`; a single run shows no range."""
    suffix = f" {unit}" if unit else ""
    text = f"{format_number(summary['median'])}{suffix}"
    if summary["runs"] > 1:
        text += f" ({format_number(summary['min'])}-{format_number(summary['max'])}, {summary['runs']} runs)"
    else:
        text += " (1 run)"
    return text


def ratio(numerator: Summary | dict[str, Any], denominator: Summary | dict[str, Any]) -> float:
    """Ratio of two medians (e.g. how many times faster), rounded to 3 significant digits."""
    return round_significant(float(numerator["median"]) / float(denominator["median"]), 3)

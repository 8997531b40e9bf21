from __future__ import annotations

from typing import Any

from bench.stats import summarize
from bench.targets import REQUIRED_KEYS, check_targets, missing_keys, scaling_exponent


def complete_results() -> dict[str, Any]:
    results: dict[str, Any] = {key: summarize([1.0]) for key in REQUIRED_KEYS}
    results["batch_rows_per_s"] = {size: summarize([1.0]) for size in ("1", "100", "10000", "100000")}
    results["pipeline_scaling"] = {"10000": summarize([10.0]), "100000": summarize([100.0])}
    return results


def test_complete_results_miss_nothing() -> None:
    assert missing_keys(complete_results()) == []


def test_missing_figure_and_batch_size_are_named() -> None:
    results = complete_results()
    del results["cv_auc"]
    del results["batch_rows_per_s"]["100000"]
    assert missing_keys(results) == ["cv_auc", "batch_rows_per_s[100000]"]


def test_scaling_exponent_is_one_for_linear_growth() -> None:
    scaling = {"10000": {"median": 5.0}, "100000": {"median": 50.0}, "1000000": {"median": 500.0}}
    assert scaling_exponent(scaling) == 1.0


def test_scaling_exponent_uses_the_two_largest_sizes() -> None:
    # Fixed costs dominate small sizes; the largest step shows the growth.
    scaling = {"10000": {"median": 20.0}, "100000": {"median": 25.0}, "1000000": {"median": 250.0}}
    assert scaling_exponent(scaling) == 1.0


def test_scaling_exponent_needs_two_sizes() -> None:
    assert scaling_exponent({"10000": {"median": 5.0}}) is None


def test_check_targets_judges_each_figure() -> None:
    results = complete_results()
    results["cold_init_s"] = summarize([0.4])
    results["original_cold_init_s"] = summarize([1.2])  # only 3x faster
    results["cv_accuracy"] = summarize([0.84])
    checks = {check.figure: check for check in check_targets(results)}
    assert checks["cold_init_s"].met is True
    assert checks["original_cold_init_s / cold_init_s"].value == 3.0
    assert checks["original_cold_init_s / cold_init_s"].met is False
    assert checks["cv_accuracy"].met is True
    assert checks["http_rps_c1"].met is False  # 1 req/s


def test_unmeasured_figure_is_neither_met_nor_missed() -> None:
    results = complete_results()
    results["pipeline_scaling"] = {}
    checks = {check.figure: check for check in check_targets(results)}
    assert checks["pipeline_scaling exponent"].met is None


def test_issue_17_serving_targets() -> None:
    """Bundle <= 60 MB; init under the emulator <= 90 ms and >= 8x faster than the original's."""
    results = complete_results()
    results["serving_bundle_mb"] = summarize([61.0])
    results["rie_init_ms"] = summarize([80.0])
    results["original_rie_init_ms"] = summarize([720.0])
    checks = {check.figure: check for check in check_targets(results)}
    assert checks["serving_bundle_mb"].met is False
    assert checks["rie_init_ms"].met is True
    assert checks["original_rie_init_ms / rie_init_ms"].value == 9.0
    assert checks["original_rie_init_ms / rie_init_ms"].met is True
    del results["rie_init_ms"]
    assert {check.figure: check for check in check_targets(results)}["rie_init_ms"].met is None

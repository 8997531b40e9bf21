"""The committed results: every figure of the issue present, well-formed, and the page in sync with them."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bench import report
from bench.config import DOC_PATH, PLOTS_DIR, RESULTS_PATH
from bench.plots import PLOTS
from bench.targets import REQUIRED_KEYS, missing_keys


@pytest.fixture(scope="module")
def results() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(RESULTS_PATH.read_text())
    return loaded


def summaries(results: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every median/min/max figure in the results, nested ones (batch sizes, scaling sizes) included."""
    found = {}
    for key, value in results.items():
        if isinstance(value, dict) and "median" in value:
            found[key] = value
        elif isinstance(value, dict):
            found.update(
                {f"{key}[{k}]": v for k, v in value.items() if isinstance(v, dict) and "median" in v}
            )
    return found


def test_every_figure_of_the_issue_is_there(results: dict[str, Any]) -> None:
    assert missing_keys(results) == []


def test_each_figure_is_a_median_between_its_min_and_max(results: dict[str, Any]) -> None:
    figures = summaries(results)
    assert {key for key in REQUIRED_KEYS if key not in ("machine", "date", "versions", "method")} <= {
        key.split("[")[0] for key in figures
    }
    for name, figure in figures.items():
        assert figure["min"] <= figure["median"] <= figure["max"], name
        assert figure["runs"] >= 1, name


def test_pipeline_scaling_has_the_synthetic_sizes(results: dict[str, Any]) -> None:
    measured = set(results["pipeline_scaling"]) | set(results.get("pipeline_scaling_skipped", {}))
    assert {"10000", "100000"} <= measured


def test_machine_date_and_versions_say_where_the_figures_come_from(results: dict[str, Any]) -> None:
    assert results["machine"]["cpu_count"] >= 1
    assert results["date"].endswith("Z")
    assert {"ours", "original"} <= set(results["versions"])
    assert results["versions"]["original"]["xgboost"].startswith("1.7")


def test_the_page_is_generated_from_these_results(results: dict[str, Any]) -> None:
    # After editing bench/analysis.md, regenerate with `python -m bench --report-only`.
    assert DOC_PATH.read_text() == report.render(results, PLOTS_DIR.relative_to(DOC_PATH.parent).as_posix())


def test_every_plot_is_committed() -> None:
    for name in PLOTS:
        assert (PLOTS_DIR / name).stat().st_size > 1000, name

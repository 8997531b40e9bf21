from __future__ import annotations

from bench.report_tables import batch_table, pipeline_table, table
from bench.stats import summarize


def test_table_is_github_markdown() -> None:
    assert table(["a", "b"], [["1", "2"]]) == "| a | b |\n|---|---|\n| 1 | 2 |"


def test_batch_table_orders_sizes_numerically() -> None:
    batch = {size: summarize([1000.0]) for size in ("100000", "1", "10000", "100")}
    rows = batch_table({"batch_rows_per_s": batch}).splitlines()[2:]
    assert [row.split(" | ")[0] for row in rows] == ["| 1", "| 100", "| 10,000", "| 100,000"]


def test_pipeline_table_lists_skipped_sizes_with_the_reason() -> None:
    results = {
        "pipeline_wall_s": summarize([10.0, 12.0]),
        "pipeline_scaling": {"10000": summarize([9.0])},
        "pipeline_scaling_skipped": {"1000000": "projected 900 s exceeds the 300 s left"},
    }
    text = pipeline_table(results)
    assert "| synthetic, 10,000 rows | 9.00 s (1 run) |" in text
    assert "| synthetic, 1,000,000 rows | skipped: projected 900 s exceeds the 300 s left |" in text


def test_pipeline_table_shows_the_re_run_and_which_steps_came_from_the_cache() -> None:
    results = {
        "pipeline_wall_s": summarize([3.0]),
        "pipeline_scaling": {},
        "pipeline_cached_rerun_s": summarize([0.7, 0.8, 0.75]),
        "pipeline_cached_rerun_steps": {"Preprocess": "cached", "Train": "cached", "Evaluate": "succeeded"},
    }
    text = pipeline_table(results)
    assert "| train.csv again, only MinAccuracy changed (from the cache: Preprocess, Train) |" in text
    assert "0.750 s (0.700-0.800, 3 runs)" in text

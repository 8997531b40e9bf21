"""Batch prediction throughput of the serving Predictor (what `mlpipe predict` runs), in memory."""

from __future__ import annotations

import csv
import time
from pathlib import Path

from bench.config import TEST_CSV, BenchConfig
from bench.stats import Summary, summarize
from lambda_inference.served_model import ScoresRecords
from pipeline.batch_predict import predict_rows

ID_COLUMN = "PassengerId"


def test_rows(n_rows: int, csv_path: Path = TEST_CSV) -> tuple[list[str], list[dict[str, str]]]:
    """`n_rows` rows of test.csv (repeated cyclically), as text, the way `mlpipe predict` reads them."""
    with csv_path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        source = list(reader)
        header = list(reader.fieldnames or [])
    return header, [source[i % len(source)] for i in range(n_rows)]


def rows_per_second(predictor: ScoresRecords, n_rows: int, repeats: int) -> Summary:
    """Throughput of `predict_rows` (records -> matrix -> booster -> output rows), no CSV I/O."""
    header, rows = test_rows(n_rows)
    predict_rows(predictor, rows, ID_COLUMN, header)  # warm-up: first-call allocations are not throughput
    rates = []
    for _ in range(repeats):
        started = time.perf_counter()
        predict_rows(predictor, rows, ID_COLUMN, header)
        rates.append(n_rows / (time.perf_counter() - started))
    return summarize(rates)


def measure_batch(predictor: ScoresRecords, config: BenchConfig) -> dict[str, Summary]:
    """`batch_rows_per_s`: batch size (as a string key, for JSON) -> rows per second."""
    return {str(n): rows_per_second(predictor, n, repeats) for n, repeats in config.batch_repeats.items()}

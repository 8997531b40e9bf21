"""Facts about the evaluated data: the raw file it came from, its digest, rows and class balance."""

from __future__ import annotations

import csv
import json
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np

from runtime.hashing import sha256_file

# What pandas.read_csv reads as missing by default (pandas._libs.parsers.STR_NA_VALUES): Preprocess and
# Train read CSVs with pandas, so the Evaluate step, which reads without it, sees the same missing values.
MISSING_TOKENS = frozenset(
    {"", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>"}
    | {"N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"}
)


def read_csv_columns(path: Path) -> dict[str, np.ndarray]:
    """Every column of a CSV with a header row, as an object array of strings (None where missing).

    What `pandas.read_csv(path, dtype=str)` gave, without importing pandas (0.26 s of a step that re-runs
    on every `mlpipe run`): blank lines skipped, short rows padded with missing values.
    """
    with path.open(newline="", encoding="utf-8-sig") as handle:
        rows = [row for row in csv.reader(handle) if row]
    if not rows:
        raise ValueError(f"{path.name} is empty; the Evaluate step needs a header row and data rows")
    header, width = rows[0], len(rows[0])
    for number, row in enumerate(rows[1:], start=1):
        if len(row) > width:
            raise ValueError(
                f"{path.name}: data row {number} has {len(row)} fields, the header {width}; fix the file"
            )
    values = [
        [None if v in MISSING_TOKENS else v for v in row] + [None] * (width - len(row)) for row in rows[1:]
    ]
    return {name: np.array([row[i] for row in values], dtype=object) for i, name in enumerate(header)}


def file_facts(data_dir: Path, name: str) -> dict[str, Any]:
    """Name, data rows and SHA-256 of the raw CSV `name` in `data_dir` (what `mlpipe data upload` records).

    `name` may be a content-addressed key (sha256/<digest>/train.csv): the file is its last segment.
    """
    name = PurePosixPath(name).name
    path = data_dir / name
    if not name or not path.is_file():
        return {"file": name or "unknown", "file_rows": "unknown", "file_sha256": "unknown"}
    with path.open(newline="", encoding="utf-8", errors="replace") as handle:
        rows = sum(1 for _ in csv.reader(handle)) - 1  # quoted newlines count once, the header not at all
    return {"file": name, "file_rows": max(rows, 0), "file_sha256": sha256_file(path)}


def class_balance(labels: np.ndarray) -> dict[str, dict[str, float]]:
    return {
        str(label): {"rows": int((labels == label).sum()), "share": float((labels == label).mean())}
        for label in (0, 1)
    }


def training_file(evaluation_dir: Path, record_name: str) -> str:
    """`name (sha256 …)` of the raw training file, from the record Preprocess leaves beside the split."""
    path = evaluation_dir / record_name
    if not path.is_file():
        return "not recorded"
    record = json.loads(path.read_text())
    return f"{record.get('file', '?')} (SHA-256 {record.get('sha256', '?')})"


def describe_set(train_file: str, test_file: str) -> tuple[str, str]:
    """(evaluated source file, human description): the --test file, or the validation split."""
    # Keys are compared (two files may share a name), names are shown.
    train_name, test_name = PurePosixPath(train_file).name, PurePosixPath(test_file).name
    if test_file and test_file != train_file:
        return test_file, f"--test file {test_name} (every row)"
    return train_file, f"validation split: the stratified ValidationFraction hold-out of {train_name}"

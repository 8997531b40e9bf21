"""Facts about the evaluated data: the raw file it came from, its digest, rows and class balance."""

from __future__ import annotations

import csv
import json
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np

from runtime.hashing import sha256_file


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

"""Batch and single predictions through the serving Predictor (`mlpipe predict`), no server involved."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from lambda_inference.served_model import ScoresRecords

PREDICTION_COLUMN = "prediction"
PROBABILITY_COLUMN = "probability"


class BatchInputError(ValueError):
    """The input CSV or an --instance assignment cannot be used; the message says how to fix it."""


def parse_instance(assignments: Iterable[str]) -> dict[str, str]:
    """`["Age=22", "Sex=male"]` -> `{"Age": "22", "Sex": "male"}`; values stay text, as in a CSV."""
    instance: dict[str, str] = {}
    for assignment in assignments:
        name, separator, value = assignment.partition("=")
        if not separator or not name.strip():
            raise BatchInputError(
                f"--instance {assignment!r} is not NAME=VALUE; write e.g. --instance Age=22"
            )
        instance[name.strip()] = value
    if not instance:
        raise BatchInputError("no --instance given; write e.g. --instance Age=22 --instance Sex=male")
    return instance


def read_csv_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """The header and rows of a CSV file, every value as text (the feature spec does the typing)."""
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            rows = list(reader)
            header = list(reader.fieldnames or [])
    except FileNotFoundError:
        raise BatchInputError(f"input file {path} not found; pass an existing CSV with --input") from None
    if not header:
        raise BatchInputError(f"{path} is empty; it needs a header row and at least one data row")
    return header, rows


def predict_rows(
    predictor: ScoresRecords, rows: Sequence[Mapping[str, str]], id_column: str, header: Sequence[str]
) -> list[dict[str, str]]:
    """One output row per input row: the id, the predicted class and the probability of class 1."""
    if id_column not in header:
        raise BatchInputError(
            f"id column {id_column!r} is not in the input; pass --id-column with one of: {', '.join(header)}"
        )
    prediction = predictor.predict_records(rows)
    labels, probabilities = prediction.labels.tolist(), prediction.probabilities.tolist()
    return [
        {id_column: row[id_column], PREDICTION_COLUMN: str(label), PROBABILITY_COLUMN: repr(probability)}
        for row, label, probability in zip(rows, labels, probabilities, strict=True)
    ]


def write_csv(path: Path, rows: Sequence[Mapping[str, str]], id_column: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=[id_column, PREDICTION_COLUMN, PROBABILITY_COLUMN])
        writer.writeheader()
        writer.writerows(rows)


def predict_csv(predictor: ScoresRecords, input_path: Path, output_path: Path, id_column: str) -> int:
    """Score every row of `input_path` into `output_path`; returns the number of rows."""
    header, rows = read_csv_rows(input_path)
    write_csv(output_path, predict_rows(predictor, rows, id_column, header), id_column)
    return len(rows)

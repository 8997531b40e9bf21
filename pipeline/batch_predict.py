"""Batch and single predictions through the serving Predictor (`mlpipe predict`), no server involved."""

from __future__ import annotations

import csv
import os
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import IO, Any

from lambda_inference.served_model import ScoresRecords
from pipeline.assignments import parse_name_values
from runtime.features.contract import (
    UNKNOWN_FIELD,
    ContractViolation,
    check_fields,
    check_required,
    unseen_categories,
)
from runtime.features.errors import FeatureError
from runtime.features.spec import FeatureSpec

ROW_COLUMN = "row"
PREDICTION_COLUMN = "prediction"
PROBABILITY_COLUMN = "probability"
# Rows scored per predictor call: memory stays bounded by the chunk, not the file (a 100 MB CSV read
# whole peaked at 2.2 GB); 10,000 rows keep the per-call overhead negligible.
CHUNK_ROWS = 10_000
# "utf-8-sig" drops the byte-order mark Excel writes ("CSV UTF-8"), as pandas does when training reads.
CSV_ENCODING = "utf-8-sig"
UTF8_FIX = "save it as UTF-8 (in Excel: Save As > CSV UTF-8) or convert it with `iconv -t UTF-8`"


class BatchInputError(ValueError):
    """The input CSV or an --instance assignment cannot be used; the message says how to fix it."""


def parse_instance(assignments: Iterable[str]) -> dict[str, str]:
    """`["Age=22", "Sex=male"]` -> `{"Age": "22", "Sex": "male"}`; values stay text, as in a CSV."""
    instance, problems = parse_name_values(assignments, "--instance", "Age=22")
    if problems:
        raise BatchInputError("; ".join(problems))
    if not instance:
        raise BatchInputError("no --instance given; write e.g. --instance Age=22 --instance Sex=male")
    return instance


@contextmanager
def csv_errors(path: Path, reader: csv.DictReader[str] | None = None) -> Iterator[None]:
    """Reading errors of `path` as BatchInputError naming the file, the line and the fix."""
    try:
        yield
    except FileNotFoundError:
        raise BatchInputError(f"input file {path} not found; pass an existing CSV with --input") from None
    except IsADirectoryError:
        raise BatchInputError(f"input {path} is a directory; pass a CSV file with --input") from None
    except PermissionError:
        raise BatchInputError(f"input file {path} cannot be read (permission denied)") from None
    except UnicodeDecodeError as error:
        byte = error.object[error.start]
        raise BatchInputError(
            f"{path} is not UTF-8 text (byte 0x{byte:02x} is invalid); {UTF8_FIX}"
        ) from None
    except csv.Error as error:
        # line_num counts the lines of complete records: the failing one starts on the next line.
        line = f", record starting on line {reader.line_num + 1}" if reader is not None else ""
        raise BatchInputError(
            f'{path}{line}: {error}; a field this long is usually an unclosed quote (") that swallows '
            "the rest of the file: check the quoting on that line"
        ) from None


def read_header(reader: csv.DictReader[str], path: Path) -> list[str]:
    """The header row; refuses an empty file and duplicate column names (which copy wins is ambiguous)."""
    header = list(reader.fieldnames or [])
    if not header:
        raise BatchInputError(f"{path} is empty; it needs a header row and at least one data row")
    duplicates = sorted(name for name, count in Counter(header).items() if count > 1)
    if duplicates:
        raise BatchInputError(
            f"{path} has duplicate column names: {', '.join(map(repr, duplicates))}; "
            "rename or remove the extra columns so each name appears once"
        )
    return header


def predict_rows(
    predictor: ScoresRecords,
    rows: Sequence[Mapping[str, str]],
    id_column: str | None,
    header: Sequence[str],
    first_row: int = 1,
) -> list[dict[str, str]]:
    """One output row per input row: the id (or the data row number), the class, the probability of 1."""
    _check_id_column(header, id_column)
    prediction = predictor.predict_records(rows)
    labels, probabilities = prediction.labels.tolist(), prediction.probabilities.tolist()
    ids = [row[id_column] for row in rows] if id_column else [str(first_row + i) for i in range(len(rows))]
    return [
        {id_column or ROW_COLUMN: key, PREDICTION_COLUMN: str(label), PROBABILITY_COLUMN: repr(probability)}
        for key, label, probability in zip(ids, labels, probabilities, strict=True)
    ]


def check_csv_contract(
    predictor: ScoresRecords,
    rows: Sequence[Mapping[str, str]],
    *,
    done: int,
    header: Sequence[str] | None = None,
    allow_unknown_columns: bool = False,
    label: str = "data row {}",
) -> list[dict[str, Any]]:
    """The serving contract (runtime/features/contract.py) on CSV rows; the header once, with `header`."""
    spec = getattr(predictor, "spec", None)
    if not isinstance(spec, FeatureSpec):
        return []
    try:
        if header is not None and not allow_unknown_columns:
            check_fields(spec, header, what="column")
        check_required(spec, rows, label=label, offset=done + 1)
    except ContractViolation as violation:
        hint = (
            "; pass --allow-unknown-columns to ignore extra columns"
            if violation.code == UNKNOWN_FIELD
            else ""
        )
        raise BatchInputError(f"{violation.code}: {violation.message}{hint}") from None
    return unseen_categories(spec, rows, offset=done + 1)


def _check_id_column(header: Sequence[str], id_column: str | None) -> None:
    if id_column and id_column not in header:
        raise BatchInputError(
            f"id column {id_column!r} is not in the input; pass --id-column with one of: {', '.join(header)}"
        )


@contextmanager
def atomic_output(path: Path) -> Iterator[IO[str]]:
    """A text file that replaces `path` only when complete: a failure leaves no half-written CSV."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed below, renamed on success
            "w", newline="", encoding="utf-8", dir=path.parent, prefix=f".{path.name}.", delete=False
        )
    except OSError as error:
        raise BatchInputError(f"cannot write {path}: {error.strerror}; pick another --output") from None
    try:
        with handle:
            yield handle
        os.replace(handle.name, path)
    except IsADirectoryError:
        raise BatchInputError(f"--output {path} is a directory; give a file name") from None
    finally:
        Path(handle.name).unlink(missing_ok=True)


def _score_chunks(
    predictor: ScoresRecords,
    reader: csv.DictReader[str],
    id_column: str | None,
    writer: csv.DictWriter[str],
    options: CsvOptions,
) -> int:
    """Score `reader` CHUNK_ROWS at a time into `writer`; returns the number of rows."""
    header = list(reader.fieldnames or [])
    columns = [name for name in header if name != id_column]
    done = 0
    while chunk := list(islice(reader, CHUNK_ROWS)):
        options.warnings += check_csv_contract(
            predictor,
            chunk,
            done=done,
            header=columns if done == 0 else None,
            allow_unknown_columns=options.allow_unknown_columns,
        )
        try:
            writer.writerows(predict_rows(predictor, chunk, id_column, header, done + 1))
        except FeatureError as error:
            raise BatchInputError(f"data rows {done + 1}-{done + len(chunk)}: {error}") from None
        done += len(chunk)
    return done


@dataclass
class CsvOptions:
    """The contract switch of `mlpipe predict --input`, and where unseen-category warnings collect."""

    allow_unknown_columns: bool = False
    warnings: list[dict[str, Any]] = field(default_factory=list)


def predict_csv(
    predictor: ScoresRecords,
    input_path: Path,
    output_path: Path,
    id_column: str | None,
    options: CsvOptions | None = None,
) -> int:
    """Score every row of `input_path` into `output_path`, streaming; returns the number of rows.

    Without an id column the output names rows by their data row number (column `row`).
    """
    options = options or CsvOptions()
    with csv_errors(input_path), input_path.open(newline="", encoding=CSV_ENCODING) as handle:
        reader = csv.DictReader(handle)
        with csv_errors(input_path, reader):
            _check_id_column(read_header(reader, input_path), id_column)
            with atomic_output(output_path) as sink:
                fields = [id_column or ROW_COLUMN, PREDICTION_COLUMN, PROBABILITY_COLUMN]
                writer = csv.DictWriter(sink, fieldnames=fields)
                writer.writeheader()
                return _score_chunks(predictor, reader, id_column, writer, options)

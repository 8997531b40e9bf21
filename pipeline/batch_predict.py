"""Batch and single predictions through the serving Predictor (`mlpipe predict`), no server involved."""

from __future__ import annotations

import csv
import os
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import IO

from lambda_inference.served_model import ScoresRecords
from runtime.features.errors import FeatureError

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
    predictor: ScoresRecords, rows: Sequence[Mapping[str, str]], id_column: str, header: Sequence[str]
) -> list[dict[str, str]]:
    """One output row per input row: the id, the predicted class and the probability of class 1."""
    _check_id_column(header, id_column)
    prediction = predictor.predict_records(rows)
    labels, probabilities = prediction.labels.tolist(), prediction.probabilities.tolist()
    return [
        {id_column: row[id_column], PREDICTION_COLUMN: str(label), PROBABILITY_COLUMN: repr(probability)}
        for row, label, probability in zip(rows, labels, probabilities, strict=True)
    ]


def _check_id_column(header: Sequence[str], id_column: str) -> None:
    if id_column not in header:
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
    predictor: ScoresRecords, reader: csv.DictReader[str], id_column: str, writer: csv.DictWriter[str]
) -> int:
    """Score `reader` CHUNK_ROWS at a time into `writer`; returns the number of rows."""
    header = list(reader.fieldnames or [])
    done = 0
    while chunk := list(islice(reader, CHUNK_ROWS)):
        try:
            writer.writerows(predict_rows(predictor, chunk, id_column, header))
        except FeatureError as error:
            raise BatchInputError(f"data rows {done + 1}-{done + len(chunk)}: {error}") from None
        done += len(chunk)
    return done


def predict_csv(predictor: ScoresRecords, input_path: Path, output_path: Path, id_column: str) -> int:
    """Score every row of `input_path` into `output_path`, streaming; returns the number of rows."""
    with csv_errors(input_path), input_path.open(newline="", encoding=CSV_ENCODING) as handle:
        reader = csv.DictReader(handle)
        with csv_errors(input_path, reader):
            _check_id_column(read_header(reader, input_path), id_column)
            with atomic_output(output_path) as sink:
                fields = [id_column, PREDICTION_COLUMN, PROBABILITY_COLUMN]
                writer = csv.DictWriter(sink, fieldnames=fields)
                writer.writeheader()
                return _score_chunks(predictor, reader, id_column, writer)

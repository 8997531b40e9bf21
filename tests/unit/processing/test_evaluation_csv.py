"""The Evaluate step reads its CSV without pandas, and sees what `pandas.read_csv(dtype=str)` saw."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from processing import evaluate
from processing.report import data

# pandas.read_csv's default missing-value strings, as its documentation lists them (the `na_values`
# parameter: https://pandas.pydata.org/docs/reference/api/pandas.read_csv.html), and near misses.
PANDAS_MISSING = ["", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN"]
PANDAS_MISSING += ["<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"]
TRICKY_CELLS = [*PANDAS_MISSING, " NA", "na", "NONE", "0", "1", "1.0", "a,b", 'say "hi"', "two\nlines", "  "]


def as_pandas_read_it(path: Path) -> dict[str, list[str | None]]:
    frame = pd.read_csv(path, dtype=str)
    return {str(c): [None if isinstance(v, float) else v for v in frame[c]] for c in frame.columns}


@st.composite
def csv_texts(draw: st.DrawFn) -> str:
    """A CSV as pandas' to_csv or a spreadsheet writes it: a header, quoted fields where needed."""
    width = draw(st.integers(2, 4))
    cell = st.one_of(st.sampled_from(TRICKY_CELLS), st.text("ab1 ,.\"'-", max_size=4))
    rows = draw(st.lists(st.lists(cell, min_size=width, max_size=width), max_size=8))
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([[f"c{i}" for i in range(width)], *rows])
    return out.getvalue()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=csv_texts())
def test_every_value_and_missing_value_is_what_pandas_read(text: str, tmp_path: Path) -> None:
    path = tmp_path / "evaluation.csv"
    path.write_text(text)

    columns = data.read_csv_columns(path)

    assert {name: list(values) for name, values in columns.items()} == as_pandas_read_it(path)


def test_blank_lines_are_skipped_and_short_rows_padded(tmp_path: Path) -> None:
    path = tmp_path / "evaluation.csv"
    path.write_text("\ufeffa,b,c\n1,NA,x\n\n2\n")

    columns = data.read_csv_columns(path)

    assert {name: list(values) for name, values in columns.items()} == as_pandas_read_it(path)
    assert list(columns) == ["a", "b", "c"] and list(columns["c"]) == ["x", None]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "evaluation.csv is empty; the Evaluate step needs a header row"),
        ("a,b\n1,2,3\n", "evaluation.csv: data row 1 has 3 fields, the header 2; fix the file"),
    ],
)
def test_an_unreadable_file_is_refused_with_the_fix(text: str, message: str, tmp_path: Path) -> None:
    (tmp_path / "evaluation.csv").write_text(text)
    with pytest.raises(ValueError, match=message):
        data.read_csv_columns(tmp_path / "evaluation.csv")


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            "Pclass,Label\n1,0\n2,1\n",
            "target column 'Survived' missing from evaluation.csv; check the Target",
        ),
        ("Survived\n0\n1\n2\n", "evaluation.csv: target 'Survived' must be 0/1 with both classes present"),
        ("Survived\n0\nNA\n1\n", "evaluation.csv: target 'Survived' must be 0/1 with both classes present"),
        ("Survived\n0\nyes\n1\n", "evaluation.csv: target 'Survived' must be 0/1 with both classes present"),
        ("Survived\n1\n1.0\n", "evaluation.csv: target 'Survived' must be 0/1 with both classes present"),
    ],
)
def test_the_target_must_be_present_and_0_1_with_both_classes(
    rows: str, message: str, tmp_path: Path
) -> None:
    (tmp_path / "evaluation.csv").write_text(rows)
    with pytest.raises(ValueError, match=message):
        evaluate.read_evaluation_set(tmp_path, "Survived")


def test_labels_are_read_as_numbers_as_pandas_to_numeric_did(tmp_path: Path) -> None:
    (tmp_path / "evaluation.csv").write_text("Survived,Age\n1.0,22\n 0 ,\n+1,NA\n")

    columns, labels = evaluate.read_evaluation_set(tmp_path, "Survived")

    assert labels.tolist() == [1, 0, 1] and labels.dtype == np.int64
    assert list(columns["Age"]) == ["22", None, None]

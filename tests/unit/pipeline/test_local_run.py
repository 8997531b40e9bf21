"""Local-run glue: input checks and placeholder values, without running the pipeline."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pipeline.definition import placeholders
from pipeline.local_run import DEFINITION_PATH, InputError, input_overrides, local_values, new_execution_id
from runtime.settings import Settings


def test_train_and_test_names_become_the_file_parameters(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("x\n")
    (tmp_path / "b.csv").write_text("x\n")

    overrides = input_overrides(tmp_path / "a.csv", tmp_path / "b.csv", {"MaxDepth": "3"})

    assert overrides == {"MaxDepth": "3", "TrainFile": "a.csv", "TestFile": "b.csv"}
    assert input_overrides(tmp_path / "a.csv", None, {})["TestFile"] == "a.csv"


def test_train_and_test_with_the_same_name_are_refused(tmp_path: Path) -> None:
    for folder in ("one", "two"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "data.csv").write_text("x\n")
    with pytest.raises(InputError, match=r"both named data\.csv"):
        input_overrides(tmp_path / "one" / "data.csv", tmp_path / "two" / "data.csv", {})


def test_a_missing_test_file_names_the_flag(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("x\n")
    with pytest.raises(InputError, match=r"--test .*missing\.csv: no such file"):
        input_overrides(tmp_path / "a.csv", tmp_path / "missing.csv", {})


def test_every_placeholder_of_the_committed_definition_gets_a_local_value() -> None:
    code = {
        placeholders.PROCESSING_CODE_URI: "s3://mlpipe-local/p.tar.gz",
        placeholders.TRAINING_CODE_URI: "s3://mlpipe-local/t.tar.gz",
    }
    values = local_values(Settings(model_package_group="g"), code)

    text = json.dumps(placeholders.substitute(json.loads(DEFINITION_PATH.read_text()), values))

    assert set(values) == set(placeholders.ALL)
    assert "placeholder" not in text
    assert '"ModelPackageGroupName": "g"' in text


def test_execution_ids_sort_in_start_order_within_one_second() -> None:
    """Cached re-runs finish in well under a second; `runs list` and `status` sort runs by their id."""
    start = datetime(2026, 11, 30, 2, 4, 38, 999_000, tzinfo=UTC)
    moments = [start + timedelta(milliseconds=n) for n in (-998, -500, -1, 0, 1, 2)]

    ids = [new_execution_id(moment) for moment in moments]

    assert sorted(ids) == ids
    assert ids[3].startswith("20261130T020438999Z-")
    assert len(set(ids)) == len(ids)

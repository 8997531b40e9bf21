from __future__ import annotations

from pathlib import Path

import pandas as pd

from bench.config import TRAIN_CSV
from bench.synthetic import synthetic_frame, write_synthetic_csv


def test_synthetic_rows_keep_the_titanic_columns_and_missing_values() -> None:
    source = pd.read_csv(TRAIN_CSV)
    frame = synthetic_frame(source, 5000, seed=1)
    assert list(frame.columns) == list(source.columns)
    assert len(frame) == 5000
    assert frame["PassengerId"].is_unique
    # Resampling keeps the shares of missing ages and cabins close to the source's.
    assert abs(frame["Age"].isna().mean() - source["Age"].isna().mean()) < 0.03
    assert abs(frame["Cabin"].isna().mean() - source["Cabin"].isna().mean()) < 0.03
    assert set(frame["Survived"]) == {0, 1}
    assert frame["Age"].dropna().between(0.42, 80).all()


def test_synthetic_rows_are_jittered_not_copies() -> None:
    source = pd.read_csv(TRAIN_CSV)
    frame = synthetic_frame(source, 2000, seed=1)
    assert frame["Fare"].nunique() > source["Fare"].nunique()


def test_same_seed_same_data(tmp_path: Path) -> None:
    first = write_synthetic_csv(tmp_path / "a.csv", 300, seed=5)
    second = write_synthetic_csv(tmp_path / "b.csv", 300, seed=5)
    assert first.read_bytes() == second.read_bytes()


def test_existing_file_of_another_size_is_rewritten(tmp_path: Path) -> None:
    path = write_synthetic_csv(tmp_path / "s.csv", 100)
    write_synthetic_csv(path, 200)
    assert len(pd.read_csv(path)) == 200

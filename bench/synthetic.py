"""Titanic-shaped synthetic data: train.csv rows resampled with replacement, numeric columns jittered."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from bench.config import TRAIN_CSV


def synthetic_frame(source: pd.DataFrame, n_rows: int, seed: int = 0) -> pd.DataFrame:
    """`n_rows` rows drawn from `source` (seeded); Age and Fare jittered, missing values kept missing."""
    rng = np.random.default_rng(seed)
    frame = source.iloc[rng.integers(0, len(source), size=n_rows)].reset_index(drop=True)
    frame["PassengerId"] = np.arange(1, n_rows + 1)
    age = frame["Age"].to_numpy(dtype=np.float64)
    # Jitter makes rows distinct (no duplicate rows to memorise) while keeping the columns' shapes.
    frame["Age"] = np.clip(np.round(age + rng.normal(0.0, 2.0, n_rows), 1), 0.42, 80.0)
    fare = frame["Fare"].to_numpy(dtype=np.float64)
    frame["Fare"] = np.round(fare * rng.lognormal(0.0, 0.1, n_rows), 4)
    return frame


def write_synthetic_csv(path: Path, n_rows: int, seed: int = 0, source_csv: Path = TRAIN_CSV) -> Path:
    """Write the synthetic CSV once; an existing file of the right size is reused (it is deterministic)."""
    marker = path.with_suffix(".rows")
    if path.is_file() and marker.is_file() and marker.read_text() == f"{n_rows} {seed}":
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    synthetic_frame(pd.read_csv(source_csv), n_rows, seed).to_csv(path, index=False)
    marker.write_text(f"{n_rows} {seed}")
    return path

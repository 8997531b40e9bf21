"""The tiny model unit tests train on tests/fixtures/titanic_tiny.csv, and its packed model archive."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import numpy as np
import xgboost as xgb

from runtime.features.archive import (
    METADATA_FILE,
    MODEL_FILE,
    SERVING_MODEL_FILE,
    SPEC_FILE,
    write_model_archive,
)
from runtime.features.spec import FeatureSpec
from training.train import TrainingConfig, fit_model, read_columns

TINY_CSV = Path(__file__).resolve().parents[1] / "fixtures" / "titanic_tiny.csv"
TINY_CONFIG = TrainingConfig(
    max_depth=3,
    eta=0.3,
    num_round=10,
    target="Survived",
    feature_columns="Pclass,Sex,Age,Fare",
    categorical_columns="Sex",
    derived_features="Title=title(Name)",
)
Trained = tuple[xgb.Booster, FeatureSpec, dict[str, np.ndarray], int]


def train_tiny(config: TrainingConfig = TINY_CONFIG, **changes: Any) -> Trained:
    """A booster and its spec fitted on the tiny fixture (`changes` override `config`), and its columns."""
    columns, n_rows = read_columns(TINY_CSV)
    booster, spec, _ = fit_model(columns, n_rows, dataclasses.replace(config, **changes))
    return booster, spec, columns, n_rows


def pack_model(work: Path, ubj_booster: xgb.Booster, json_booster: xgb.Booster, spec: FeatureSpec) -> Path:
    """The folder holding `model.tar.gz` as training writes it, from the two boosters it may disagree on."""
    work.mkdir(exist_ok=True)
    ubj_booster.save_model(str(work / MODEL_FILE))
    json_booster.save_model(str(work / SERVING_MODEL_FILE))
    (work / SPEC_FILE).write_text(json.dumps(spec.to_dict()))
    (work / METADATA_FILE).write_text("{}")
    (work / "packed").mkdir()
    write_model_archive(work, work / "packed" / "model.tar.gz")
    return work / "packed"

"""The Predictor: feature spec + XGBoost booster -> labels and probabilities (no pandas, no sklearn)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from runtime.features.archive import ArchiveError, ModelFiles
from runtime.features.booster_trial import check_booster
from runtime.features.spec import FeatureSpec
from runtime.features.values import ColumnValues

if TYPE_CHECKING:
    import xgboost as xgb


@dataclass(frozen=True)
class Prediction:
    """Predicted classes (0/1, int64) and the probability of class 1 (float64), one per row."""

    labels: np.ndarray
    probabilities: np.ndarray


class Predictor:
    """Applies the stored feature spec and predicts with `Booster.inplace_predict` on float32 rows."""

    def __init__(
        self, booster: xgb.Booster, spec: FeatureSpec, version: int | str, threshold: float = 0.5
    ) -> None:
        if booster.num_features() != len(spec.feature_names):
            raise ArchiveError(
                f"model expects {booster.num_features()} features but the feature spec makes "
                f"{len(spec.feature_names)}; the archive mixes files from different trainings"
            )
        self.booster = booster
        self.spec = spec
        self.version = version
        self.threshold = threshold
        objective = json.loads(booster.save_config())["learner"]["objective"]["name"]
        # binary:logitraw outputs margins; every other binary objective already outputs probabilities.
        self._outputs_margin = objective == "binary:logitraw"

    @classmethod
    def from_model_files(cls, files: ModelFiles, version: int | str, threshold: float = 0.5) -> Predictor:
        # Imported on first model load, not with the module: `mlpipe` commands that never load a model
        # (help, run, models) then start without paying for xgboost's import (seconds with sklearn present).
        import xgboost as xgb  # noqa: PLC0415

        try:
            spec = FeatureSpec.from_dict(files.feature_spec)
        except ValueError as error:
            raise ArchiveError(f"model archive content is unusable: {error}") from error
        # XGBoost's native loader trusts its input: a crafted booster could crash or hang this process.
        check_booster(files.booster_bytes)
        booster = xgb.Booster(params={"nthread": 1})
        try:
            booster.load_model(bytearray(files.booster_bytes))
        except (xgb.core.XGBoostError, ValueError) as error:
            raise ArchiveError(f"model archive content is unusable: {error}") from error
        booster.set_param({"nthread": 1})
        return cls(booster, spec, version, threshold)

    def predict_records(self, records: Sequence[Mapping[str, object]]) -> Prediction:
        """Predict JSON-like records; keys a record leaves out are missing values."""
        return self._predict(self.spec.transform_records(records))

    def predict_columns(self, columns: Mapping[str, ColumnValues], n_rows: int) -> Prediction:
        """Predict column-oriented input (e.g. a CSV read as arrays)."""
        return self._predict(self.spec.transform_columns(columns, n_rows))

    def _predict(self, matrix: np.ndarray) -> Prediction:
        if matrix.shape[0] == 0:
            return Prediction(labels=np.empty(0, dtype=np.int64), probabilities=np.empty(0, dtype=np.float64))
        raw = np.asarray(self.booster.inplace_predict(matrix, missing=np.nan), dtype=np.float64).reshape(-1)
        probabilities = 1.0 / (1.0 + np.exp(-raw)) if self._outputs_margin else raw
        labels = (probabilities >= self.threshold).astype(np.int64)
        return Prediction(labels=labels, probabilities=probabilities)

"""The Predictor: feature spec + tree ensemble -> labels and probabilities (NumPy only: no xgboost).

Serving scores the archive's JSON model with `runtime.features.trees`, which reproduces XGBoost's
CPU predictor; the Evaluate step proves it on every model before registration
(`runtime.features.parity`), and tests/property/test_tree_parity.py on random models.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from runtime.features.archive import ArchiveError, ModelFiles
from runtime.features.spec import FeatureSpec
from runtime.features.trees import TreeEnsemble, parse_model
from runtime.features.values import ColumnValues


@dataclass(frozen=True)
class Prediction:
    """Predicted classes (0/1, int64) and the probability of class 1 (float64), one per row."""

    labels: np.ndarray
    probabilities: np.ndarray


class Predictor:
    """Applies the stored feature spec and scores the float32 rows with the tree ensemble."""

    def __init__(
        self, model: TreeEnsemble, spec: FeatureSpec, version: int | str, threshold: float = 0.5
    ) -> None:
        if model.num_features != len(spec.feature_names):
            raise ArchiveError(
                f"model expects {model.num_features} features but the feature spec makes "
                f"{len(spec.feature_names)}; the archive mixes files from different trainings"
            )
        self.model = model
        self.spec = spec
        self.version = version
        self.threshold = threshold
        # XGBoost's own booster where the caller loaded it (the Evaluate step: importance, explanations,
        # the parity check); always None in serving, which never imports xgboost.
        self.booster: Any = None

    @classmethod
    def from_model_files(cls, files: ModelFiles, version: int | str, threshold: float = 0.5) -> Predictor:
        try:
            spec = FeatureSpec.from_dict(files.feature_spec)
        except ValueError as error:
            raise ArchiveError(f"model archive content is unusable: {error}") from error
        try:
            model = parse_model(files.serving_model)
        except ArchiveError as error:
            raise ArchiveError(f"model archive content is unusable: {error}") from error
        return cls(model, spec, version, threshold)

    def predict_records(self, records: Sequence[Mapping[str, object]]) -> Prediction:
        """Predict JSON-like records; keys a record leaves out are missing values."""
        return self._predict(self.spec.transform_records(records))

    def predict_columns(self, columns: Mapping[str, ColumnValues], n_rows: int) -> Prediction:
        """Predict column-oriented input (e.g. a CSV read as arrays)."""
        return self._predict(self.spec.transform_columns(columns, n_rows))

    def predict_matrix(self, matrix: np.ndarray) -> Prediction:
        """Predict an already transformed float32 matrix (the parity check scores the same one)."""
        return self._predict(matrix)

    def _predict(self, matrix: np.ndarray) -> Prediction:
        if matrix.shape[0] == 0:
            return Prediction(labels=np.empty(0, dtype=np.int64), probabilities=np.empty(0, dtype=np.float64))
        probabilities = probabilities_from_outputs(self.model.objective, self.model.outputs(matrix))
        labels = (probabilities >= self.threshold).astype(np.int64)
        return Prediction(labels=labels, probabilities=probabilities)


def probabilities_from_outputs(objective: str, outputs: np.ndarray) -> np.ndarray:
    """Float64 probabilities from what XGBoost's predict returns for `objective`.

    binary:logitraw outputs margins, mapped through the sigmoid here; every other served objective
    already outputs probabilities (binary:hinge: 0 or 1).
    """
    raw = np.asarray(outputs, dtype=np.float64).reshape(-1)
    return 1.0 / (1.0 + np.exp(-raw)) if objective == "binary:logitraw" else raw

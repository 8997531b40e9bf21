"""The serving scorer must never disagree with XGBoost: a per-model check the Evaluate step runs.

The Evaluate step scores the evaluation set (plus one all-missing row, which walks every default
direction) with XGBoost itself and with the serving Predictor; a model where any probability differs
by more than `PARITY_TOLERANCE` is refused, so it is never registered. XGBoost is passed in (this
module never imports it: the runtime layer ships in the serving image, which has no xgboost).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from runtime.features.archive import ArchiveError
from runtime.features.predictor import Predictor, probabilities_from_outputs

PARITY_TOLERANCE = 1e-6
PARITY_METRIC = "serving_parity_max_difference"


class BoosterLike(Protocol):
    """The two `xgboost.Booster` methods the check calls."""

    def save_config(self) -> str: ...
    def inplace_predict(self, data: Any, *, missing: float = ...) -> Any: ...


class ParityError(ArchiveError):
    """The serving scorer and XGBoost disagree on this model: it must not be registered."""


@dataclass(frozen=True)
class Parity:
    """The worst absolute probability difference over `rows` rows, against the tolerance."""

    rows: int
    max_difference: float
    tolerance: float = PARITY_TOLERANCE

    @property
    def passed(self) -> bool:
        return self.max_difference <= self.tolerance


def xgboost_probabilities(booster: BoosterLike, matrix: np.ndarray) -> np.ndarray:
    """Probabilities as XGBoost computes them (what serving returned when it loaded XGBoost)."""
    objective = json.loads(booster.save_config())["learner"]["objective"]["name"]
    return probabilities_from_outputs(objective, booster.inplace_predict(matrix, missing=np.nan))


def measure_parity(booster: BoosterLike, predictor: Predictor, matrix: np.ndarray) -> Parity:
    """Score `matrix` and one all-missing row both ways; the worst difference (NaN counts as infinite)."""
    width = len(predictor.spec.feature_names)
    rows = np.vstack([np.asarray(matrix, dtype=np.float32), np.full((1, width), np.nan, dtype=np.float32)])
    expected = xgboost_probabilities(booster, rows)
    served = predictor.predict_matrix(rows).probabilities
    differences = np.abs(expected - served)
    worst = float(np.max(np.where(np.isnan(differences), np.inf, differences)))
    return Parity(rows=len(rows), max_difference=worst)


def check_parity(booster: BoosterLike, predictor: Predictor, matrix: np.ndarray) -> Parity:
    """`measure_parity`, raising ParityError when any probability differs by more than the tolerance."""
    parity = measure_parity(booster, predictor, matrix)
    if not parity.passed:
        raise ParityError(
            f"the serving scorer and XGBoost disagree on this model by up to {parity.max_difference:.3g} "
            f"in probability (tolerance {parity.tolerance:g}, {parity.rows} rows); the model is not "
            "registered: report it with the model archive, and retrain with another objective meanwhile"
        )
    return parity

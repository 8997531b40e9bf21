"""The NumPy scorer never disagrees with XGBoost: random models, random inputs (Hypothesis).

Models vary in objective (every one the pipeline's `Objective` accepts: training refuses anything but
`binary:*`, and XGBoost's binary objectives are these three), depth (lossguide trees up to 12 levels),
rounds, width, tree method, parallel trees, base score, learning rate and share of missing values.
Inputs mix fresh values, NaN and exact training values (so that a value equal to a threshold, where
`<` and `<=` differ, is common). `make test` tries PARITY_MODELS models, `make test-long` LONG_PARITY_MODELS.
"""

from __future__ import annotations

import numpy as np
import pytest
import xgboost as xgb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runtime.features.parity import PARITY_TOLERANCE
from runtime.features.predictor import probabilities_from_outputs
from runtime.features.trees import SUPPORTED_OBJECTIVES, parse_model

PARITY_MODELS = 40
LONG_PARITY_MODELS = 400


@st.composite
def models_and_inputs(draw: st.DrawFn) -> tuple[xgb.Booster, np.ndarray]:
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    n_rows, n_features = draw(st.integers(8, 150)), draw(st.integers(1, 6))
    missing = draw(st.sampled_from([0.0, 0.1, 0.5, 0.9]))
    # Rounded values: many ties with thresholds; some columns heavy-tailed.
    data = np.round(rng.standard_cauchy((n_rows, n_features)) * 3, draw(st.integers(0, 3))).astype(np.float32)
    data[rng.random(data.shape) < missing] = np.nan
    labels = (rng.random(n_rows) < draw(st.floats(0.05, 0.95))).astype(np.float64)
    labels[:2] = (0.0, 1.0)
    params: dict[str, object] = {
        "objective": draw(st.sampled_from(SUPPORTED_OBJECTIVES)),
        "eta": draw(st.sampled_from([0.01, 0.3, 1.0])),
        "tree_method": draw(st.sampled_from(["hist", "approx", "exact"])),
        "num_parallel_tree": draw(st.integers(1, 2)),
        "min_child_weight": draw(st.sampled_from([0.0, 1.0])),
        "seed": seed,
        "nthread": 1,
    }
    depth = draw(st.integers(0, 8))
    if depth == 0:  # unlimited depth, bounded by leaves: deep and lopsided trees
        params |= {"max_depth": 0, "grow_policy": "lossguide", "max_leaves": 24, "tree_method": "hist"}
    else:
        params["max_depth"] = depth
    if draw(st.booleans()):
        params["base_score"] = draw(st.floats(0.05, 0.95))
    booster = xgb.train(params, xgb.DMatrix(data, label=labels), num_boost_round=draw(st.integers(1, 40)))
    inputs = rng.standard_normal((draw(st.integers(1, 64)), n_features)).astype(np.float32) * 5
    ties = data[rng.integers(0, n_rows, len(inputs))]
    inputs = np.where(rng.random(inputs.shape) < 0.5, ties, inputs)
    inputs[rng.random(inputs.shape) < draw(st.sampled_from([0.0, 0.2, 0.7]))] = np.nan
    return booster, inputs


def assert_parity(trained: xgb.Booster, inputs: np.ndarray) -> None:
    # As the Evaluate step and the old serving path load it: from the saved UBJ.
    booster = xgb.Booster(model_file=bytearray(trained.save_raw("ubj")))
    model = parse_model(bytes(booster.save_raw("json")))
    expected_margin = booster.inplace_predict(inputs, missing=np.nan, predict_type="margin")
    # Same walk and float32 sums; only the base margin's logf may round one ulp apart (see trees.py).
    np.testing.assert_allclose(model.margins(inputs), expected_margin, rtol=0, atol=1e-5)
    expected = booster.inplace_predict(inputs, missing=np.nan)
    served = model.outputs(inputs)
    assert np.abs(served.astype(np.float64) - expected).max() <= PARITY_TOLERANCE
    objective = model.objective
    assert np.array_equal(
        probabilities_from_outputs(objective, served), probabilities_from_outputs(objective, expected)
    )


def check(models: int) -> None:
    @settings(
        max_examples=models,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(models_and_inputs())
    def parity(case: tuple[xgb.Booster, np.ndarray]) -> None:
        assert_parity(*case)

    parity()


def test_random_models_score_as_xgboost() -> None:
    check(PARITY_MODELS)


@pytest.mark.long
def test_random_models_score_as_xgboost_long() -> None:
    check(LONG_PARITY_MODELS)

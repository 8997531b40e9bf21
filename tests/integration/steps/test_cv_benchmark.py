from __future__ import annotations

import dataclasses
from pathlib import Path

from bench.cv import cross_validate, default_config
from pipeline.parameters import PARAMETERS_BY_NAME

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "titanic_tiny.csv"


def test_default_config_follows_the_pipeline_parameters() -> None:
    config = default_config()
    assert config.max_depth == PARAMETERS_BY_NAME["MaxDepth"].default
    assert config.feature_columns == PARAMETERS_BY_NAME["FeatureColumns"].default
    assert config.derived_features == PARAMETERS_BY_NAME["DerivedFeatures"].default


def test_cross_validation_reports_mean_and_spread() -> None:
    config = dataclasses.replace(default_config(), num_round=20)
    figures = cross_validate(config, csv_path=FIXTURE, folds=2, repeats=2)
    assert (figures["folds"], figures["repeats"], figures["rows"]) == (2, 2, 40)
    assert 0.5 <= figures["accuracy_mean"] <= 1.0 and figures["accuracy_std"] >= 0.0
    assert 0.5 <= figures["auc_mean"] <= 1.0 and figures["auc_std"] >= 0.0

from __future__ import annotations

import dataclasses
from pathlib import Path

from bench.cv import TITANIC_CONFIG, cross_validate, default_config
from pipeline.cli.project import load_project
from pipeline.parameters import validated

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "titanic_tiny.csv"


def test_default_config_follows_the_pipeline_parameters() -> None:
    """The parameters `mlpipe run --config examples/titanic/mlpipe.toml` resolves (the defaults name no
    target; the example config sets it and the columns)."""
    config = default_config()
    parameters = validated(load_project(TITANIC_CONFIG).parameters)
    assert config.target == parameters["Target"] == "Survived"
    assert config.max_depth == parameters["MaxDepth"]
    assert config.feature_columns == parameters["FeatureColumns"]
    assert config.derived_features == parameters["DerivedFeatures"]
    assert config.required_columns == parameters["RequiredColumns"]


def test_cross_validation_reports_mean_and_spread() -> None:
    config = dataclasses.replace(default_config(), num_round=20)
    figures = cross_validate(config, csv_path=FIXTURE, folds=2, repeats=2)
    assert (figures["folds"], figures["repeats"], figures["rows"]) == (2, 2, 40)
    assert 0.5 <= figures["accuracy_mean"] <= 1.0 and figures["accuracy_std"] >= 0.0
    assert 0.5 <= figures["auc_mean"] <= 1.0 and figures["auc_std"] >= 0.0

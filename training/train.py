"""SageMaker script-mode entry point: fit the feature spec and an XGBoost model, write the model folder.

Contract (XGBoost framework container): hyperparameters are read from the platform's
hyperparameters.json only (names and types from runtime/parameters.py); data in SM_CHANNEL_TRAIN /
SM_CHANNEL_VALIDATION; the model goes to SM_MODEL_DIR, which the platform packs into model.tar.gz.
Writes XGBoost's native UBJSON and its JSON dump, never pickle.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xgboost as xgb

from runtime.features.archive import METADATA_FILE, MODEL_FILE, SERVING_MODEL_FILE, SPEC_FILE
from runtime.features.columns import parse_column_list, resolve_columns
from runtime.features.derived import parse_derived_features
from runtime.features.errors import FeatureError
from runtime.features.predictor import probabilities_from_outputs
from runtime.features.spec import FeatureSpec, fit_feature_spec
from runtime.hashing import sha256_file
from runtime.monitoring.profile import BASELINE_FILE, build_baseline
from runtime.parameters import ParameterError, read_hyperparameters

HYPERPARAMETERS_FILE = "hyperparameters.json"
# Fixed regularisation, chosen by the 5x5 cross-validation in bench/cv.py (not pipeline parameters).
ROWS_PER_THREAD = 100_000
FIXED_BOOSTER_PARAMS = {"min_child_weight": 2.0, "subsample": 0.8, "colsample_bytree": 0.8, "lambda": 1.0}


@dataclass(frozen=True, kw_only=True)
class TrainingConfig:
    """The training hyperparameters: the `hyperparameter` names of runtime/parameters.py (a test keeps
    fields and defaults equal to the declarations; read_config fills every field from them)."""

    max_depth: int
    eta: float
    num_round: int
    target: str
    feature_columns: str = ""  # empty: every column but the target and the id column
    categorical_columns: str = ""  # empty: the features that are not all numbers
    derived_features: str = ""
    id_column: str = ""
    required_columns: str = ""  # empty: the features with no missing value in training
    objective: str = "binary:logistic"
    seed: int = 42


def read_columns(path: Path) -> tuple[dict[str, np.ndarray], int]:
    """Every CSV column as an object array of raw strings (NaN where empty): the spec does the typing."""
    frame = pd.read_csv(path, dtype=str)
    return {str(name): frame[name].to_numpy(dtype=object) for name in frame.columns}, len(frame)


def read_labels(columns: dict[str, np.ndarray], target: str) -> np.ndarray:
    if target not in columns:
        raise FeatureError(target, f"target column missing; available columns: {', '.join(columns)}")
    labels = pd.to_numeric(pd.Series(columns[target]), errors="coerce").to_numpy(dtype=np.float64)
    if not np.isin(labels, (0.0, 1.0)).all():
        raise FeatureError(target, "target must be 0 or 1 in every row; run the preprocess step first")
    return labels


def fit_spec(
    columns: dict[str, np.ndarray], config: TrainingConfig, validation: dict[str, np.ndarray] | None = None
) -> FeatureSpec:
    """Fit on the training rows; default columns are decided on train + validation (what preprocess saw)."""
    every_row = columns
    if validation is not None and list(validation) == list(columns):
        every_row = {name: np.concatenate([columns[name], validation[name]]) for name in columns}
    features, categorical = resolve_columns(
        every_row,
        target=config.target,
        id_column=config.id_column,
        feature_columns=config.feature_columns,
        categorical_columns=config.categorical_columns,
    )
    return fit_feature_spec(
        columns,
        target=config.target,
        feature_columns=features,
        categorical_columns=categorical,
        derived=parse_derived_features(config.derived_features),
        required=parse_column_list(config.required_columns, "RequiredColumns"),
        known=list(columns),
    )


def thread_count(n_rows: int) -> int:
    """One thread per 100k rows, up to the CPUs: on small data more threads only wait on each other
    (measured here: 300 rounds on 700 rows took 0.05 s with one thread, 2.4 s with two on a busy machine)."""
    return max(1, min(os.cpu_count() or 1, n_rows // ROWS_PER_THREAD))


def booster_params(config: TrainingConfig, n_rows: int = 0) -> dict[str, Any]:
    """XGBoost's parameters; the objective was checked (binary:*) by the parameter contract."""
    return {
        **FIXED_BOOSTER_PARAMS,
        "objective": config.objective,
        "max_depth": config.max_depth,
        "eta": config.eta,
        "seed": config.seed,
        "nthread": thread_count(n_rows),
        "tree_method": "hist",
        "eval_metric": ["logloss", "auc", "error"],
    }


def fit_model(
    train: dict[str, np.ndarray],
    n_rows: int,
    config: TrainingConfig,
    validation: dict[str, np.ndarray] | None = None,
    n_validation: int = 0,
) -> tuple[xgb.Booster, FeatureSpec, dict[str, float]]:
    """Fit the spec on the training columns only, then the booster; metrics on validation if given."""
    spec = fit_spec(train, config, validation)
    dtrain = xgb.DMatrix(spec.transform_columns(train, n_rows), label=read_labels(train, config.target))
    booster = xgb.train(booster_params(config, n_rows), dtrain, num_boost_round=config.num_round)
    metrics: dict[str, float] = {}
    if validation is not None:
        matrix = spec.transform_columns(validation, n_validation)
        labels = read_labels(validation, config.target)
        metrics = validation_metrics(booster, xgb.DMatrix(matrix, label=labels))
    return booster, spec, metrics


def validation_metrics(booster: xgb.Booster, validation: xgb.DMatrix) -> dict[str, float]:
    """The booster's eval metrics on the validation set, computed once after training.

    Evaluating every round (xgb.train's `evals`) cost a fifth of the step at 1M rows, for values of
    which only the last was kept.
    """
    text = booster.eval(validation, "validation")  # "[0]\tvalidation-logloss:0.41\tvalidation-auc:0.87..."
    final: dict[str, float] = {}
    for item in text.split("\t")[1:]:
        name, value = item.split(":", 1)
        final[name[len("validation-") :]] = float(value)
    return {"log_loss": final["logloss"], "auc": final["auc"], "accuracy": 1.0 - final["error"]}


def metadata(
    config: TrainingConfig, spec: FeatureSpec, train_file: Path, metrics: dict[str, float]
) -> dict[str, Any]:
    return {
        "format": "mlpipe.model-metadata/1",
        "input_schema": spec.input_schema(),
        "output_schema": spec.output_schema(),
        "parameters": {name: str(value) for name, value in asdict(config).items()},
        "feature_names": list(spec.feature_names),
        "training_data": {"file": train_file.name, "sha256": sha256_file(train_file)},
        "library_versions": {
            "python": platform.python_version(),
            "xgboost": xgb.__version__,
            "numpy": np.__version__,
            "pandas": pd.__version__,
        },
        "validation_metrics": metrics,
    }


def training_baseline(
    booster: xgb.Booster,
    spec: FeatureSpec,
    objective: str,
    train: tuple[dict[str, np.ndarray], int],
    validation: tuple[dict[str, np.ndarray] | None, int],
) -> dict[str, Any]:
    """The drift check's baseline: the training columns, and the probabilities on the validation rows
    (held out, like the evaluation set; the training rows when there are none)."""
    held_out, n_held_out = validation
    scored, n_scored, rows = (
        (held_out, n_held_out, "validation") if held_out is not None else (*train, "train")
    )
    outputs = booster.predict(xgb.DMatrix(spec.transform_columns(scored, n_scored)))
    probabilities = probabilities_from_outputs(objective, outputs)
    return build_baseline(spec, train[0], train[1], probabilities, prediction_rows=rows)


def first_csv(channel: Path) -> Path:
    found = sorted(channel.glob("*.csv"))
    if not found:
        raise FileNotFoundError(f"no *.csv file in {channel}; check the training channel's S3 input")
    return found[0]


def read_config(environ: Mapping[str, str]) -> TrainingConfig:
    """The hyperparameters from the platform's hyperparameters.json, typed and checked by the contract.

    SageMaker writes the CreateTrainingJob request's HyperParameters, as the strings sent, to
    /opt/ml/input/config/hyperparameters.json
    (https://docs.aws.amazon.com/sagemaker/latest/dg/your-algorithms-training-algo-running-container.html).
    The container also passes them as arguments and in SM_HPS, after JSON-decoding each value, which
    turns a column named `1e3` into 1000.0; the file is the one lossless copy, so it is the only one read.
    """
    path = Path(environ.get("SM_INPUT_CONFIG_DIR", "/opt/ml/input/config")) / HYPERPARAMETERS_FILE
    raw = json.loads(path.read_text(encoding="utf-8"))
    # Typed by the declarations; mypy cannot see that each field receives its declared type.
    values: dict[str, Any] = dict(read_hyperparameters(raw))
    return TrainingConfig(**values)


def parse_args(argv: list[str], environ: Mapping[str, str] = os.environ) -> argparse.Namespace:
    """Folders only (hyperparameters come from read_config); defaults are the SM_* variables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--train", type=Path, default=Path(environ.get("SM_CHANNEL_TRAIN", "/opt/ml/input/data/train"))
    )
    parser.add_argument("--validation", type=Path, default=environ.get("SM_CHANNEL_VALIDATION"))
    parser.add_argument("--model-dir", type=Path, default=Path(environ.get("SM_MODEL_DIR", "/opt/ml/model")))
    parser.add_argument("--output-data-dir", type=Path, default=environ.get("SM_OUTPUT_DATA_DIR"))
    # The container also passes every hyperparameter as `--name value`: ignored, see read_config.
    args, _hyperparameter_arguments = parser.parse_known_args(argv)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        config = read_config(os.environ)
    except (ParameterError, OSError) as error:
        print(f"training failed: hyperparameters: {error}", file=sys.stderr)
        return 2
    train_file = first_csv(args.train)
    train, n_rows = read_columns(train_file)
    validation, n_validation = (
        read_columns(first_csv(Path(args.validation))) if args.validation else (None, 0)
    )
    try:
        booster, spec, metrics = fit_model(train, n_rows, config, validation, n_validation)
    except ValueError as error:  # FeatureError included: bad data or parameters, not a crash
        print(f"training failed: {error}", file=sys.stderr)
        return 2
    args.model_dir.mkdir(parents=True, exist_ok=True)
    booster.save_model(str(args.model_dir / MODEL_FILE))
    # The same model as XGBoost's JSON dump: serving scores it in NumPy without loading XGBoost.
    booster.save_model(str(args.model_dir / SERVING_MODEL_FILE))
    (args.model_dir / SPEC_FILE).write_text(json.dumps(spec.to_dict(), indent=2) + "\n")
    info = metadata(config, spec, train_file, metrics)
    (args.model_dir / METADATA_FILE).write_text(json.dumps(info, indent=2, sort_keys=True) + "\n")
    baseline = training_baseline(booster, spec, config.objective, (train, n_rows), (validation, n_validation))
    (args.model_dir / BASELINE_FILE).write_text(json.dumps(baseline, sort_keys=True) + "\n")
    if args.output_data_dir:
        Path(args.output_data_dir).mkdir(parents=True, exist_ok=True)
        (Path(args.output_data_dir) / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    print(json.dumps({"validation_metrics": metrics}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

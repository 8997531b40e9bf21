from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import pytest
import xgboost as xgb

from runtime.features.spec import FeatureSpec
from runtime.parameters import HYPERPARAMETERS as HYPERPARAMETER_DECLARATIONS
from training import train

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "titanic_tiny.csv"
# As SageMaker writes them to input/config/hyperparameters.json: the request's strings.
HYPERPARAMETERS = {
    "max_depth": "3",
    "eta": "0.3",
    "num_round": "10",
    "target": "Survived",
    "feature_columns": '["Pclass", "Sex", "Age", "SibSp", "Parch", "Fare", "Embarked"]',
    "categorical_columns": '["Sex", "Embarked"]',
    "derived_features": "Title=title(Name)",
    "sagemaker_program": '"train.py"',
}


def write_hyperparameters(folder: Path, **changes: str) -> None:
    (folder / "config").mkdir(exist_ok=True)
    (folder / "config" / "hyperparameters.json").write_text(json.dumps({**HYPERPARAMETERS, **changes}))


@pytest.fixture
def channels(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for channel in ("train", "validation"):
        (tmp_path / channel).mkdir()
        shutil.copy(FIXTURE, tmp_path / channel / f"{channel}.csv")
        monkeypatch.setenv(f"SM_CHANNEL_{channel.upper()}", str(tmp_path / channel))
    monkeypatch.setenv("SM_MODEL_DIR", str(tmp_path / "model"))
    monkeypatch.setenv("SM_OUTPUT_DATA_DIR", str(tmp_path / "output"))
    monkeypatch.setenv("SM_INPUT_CONFIG_DIR", str(tmp_path / "config"))
    write_hyperparameters(tmp_path)
    return tmp_path


def test_writes_model_spec_and_metadata(channels: Path) -> None:
    assert train.main([]) == 0
    model = channels / "model"
    assert sorted(p.name for p in model.iterdir()) == [
        "baseline.json",  # the drift check's training profile (issue 16)
        "feature_spec.json",
        "metadata.json",
        "xgboost-model.json",  # the JSON dump serving scores without xgboost (issue 17)
        "xgboost-model.ubj",
    ]
    spec = FeatureSpec.from_dict(json.loads((model / "feature_spec.json").read_text()))
    booster = xgb.Booster(model_file=str(model / "xgboost-model.ubj"))
    assert booster.num_features() == len(spec.feature_names) == 8
    metadata = json.loads((model / "metadata.json").read_text())
    assert metadata["training_data"]["sha256"] == train.sha256_file(FIXTURE)
    assert metadata["parameters"]["max_depth"] == "3" and metadata["parameters"]["seed"] == "42"
    assert set(metadata["validation_metrics"]) == {"accuracy", "auc", "log_loss"}
    assert metadata["input_schema"] == spec.input_schema()
    assert metadata["output_schema"]["properties"]["prediction"]["enum"] == [0, 1]
    assert set(metadata["library_versions"]) == {"python", "xgboost", "numpy", "pandas"}
    assert json.loads((channels / "output" / "metrics.json").read_text()) == metadata["validation_metrics"]


def test_training_is_reproducible(channels: Path) -> None:
    train.main([])
    first = (channels / "model" / "xgboost-model.ubj").read_bytes()
    train.main([])
    assert (channels / "model" / "xgboost-model.ubj").read_bytes() == first


def test_hyperparameters_come_from_the_file_only_and_keep_their_text(channels: Path) -> None:
    """The container's `--name value` arguments (JSON-decoded copies) are ignored; a column named `1e3`
    stays "1e3" (JSON-decoding makes it 1000.0), and `"` or `\\` in a name need no quoting."""
    columns = '["Pclass", "Sex", "Age", "1e3", "a\\"b\\\\c"]'
    csv = (channels / "train" / "train.csv").read_text().splitlines()
    for channel in ("train", "validation"):
        rows = [csv[0] + ',1e3,"a""b\\c"', *(f"{line},{i % 3},{i % 2}" for i, line in enumerate(csv[1:]))]
        (channels / channel / f"{channel}.csv").write_text("\n".join(rows) + "\n")
    write_hyperparameters(channels, feature_columns=columns, categorical_columns='["Sex"]', eta="0.1")
    assert train.main(["--eta", "0.9", "--max_depth", "-3"]) == 0
    metadata = json.loads((channels / "model" / "metadata.json").read_text())
    assert metadata["parameters"]["eta"] == "0.1" and metadata["parameters"]["max_depth"] == "3"
    assert {"1e3", 'a"b\\c'} <= set(metadata["feature_names"])


def test_invalid_hyperparameters_are_all_reported_with_exit_2(
    channels: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_hyperparameters(channels, max_depth="-3", num_round="0", objective="reg:squarederror")
    assert train.main([]) == 2
    error = capsys.readouterr().err
    assert "MaxDepth=-3" in error and "NumRound=0" in error and "Objective='reg:squarederror'" in error
    assert not (channels / "model").exists()


def test_training_config_fields_and_defaults_are_the_declared_hyperparameters() -> None:
    fields = {field.name: field for field in dataclasses.fields(train.TrainingConfig)}
    assert set(fields) == set(HYPERPARAMETER_DECLARATIONS)
    for name, field in fields.items():
        if field.default is not dataclasses.MISSING:
            assert field.default == HYPERPARAMETER_DECLARATIONS[name].default, name


def test_without_validation_channel_there_are_no_metrics(
    channels: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SM_CHANNEL_VALIDATION")
    assert train.main([]) == 0
    assert json.loads((channels / "model" / "metadata.json").read_text())["validation_metrics"] == {}


@pytest.mark.parametrize(
    ("override", "message"),
    [
        (
            {"feature_columns": '["Pclass", "Sex", "Embarked", "Deck"]'},
            "'Deck': missing from the training data",
        ),
    ],
)
def test_bad_parameters_exit_2(
    channels: Path, capsys: pytest.CaptureFixture[str], override: dict[str, str], message: str
) -> None:
    write_hyperparameters(channels, **override)
    assert train.main([]) == 2
    assert message in capsys.readouterr().err
    assert not (channels / "model").exists()


def test_empty_channel_is_reported(channels: Path) -> None:
    (channels / "train" / "train.csv").unlink()
    with pytest.raises(FileNotFoundError, match=r"no \*\.csv file"):
        train.main([])


def test_threads_follow_the_data_size(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(train.os, "cpu_count", lambda: 8)
    assert [train.thread_count(n) for n in (0, 891, 250_000, 10**8)] == [1, 1, 2, 8]


def test_validation_metrics_match_an_independent_computation() -> None:
    import numpy as np
    from sklearn.metrics import accuracy_score, log_loss, roc_auc_score

    # given a booster trained on a noisy linear problem
    rng = np.random.default_rng(0)
    features = rng.normal(size=(500, 4))
    labels = (features[:, 0] + rng.normal(size=500) > 0).astype(float)
    config = train.TrainingConfig(max_depth=3, eta=0.3, num_round=20, target="y", feature_columns="a")
    booster = xgb.train(
        train.booster_params(config), xgb.DMatrix(features[:400], label=labels[:400]), num_boost_round=20
    )
    held_out = xgb.DMatrix(features[400:], label=labels[400:])

    # when the metrics are computed once after training
    metrics = train.validation_metrics(booster, held_out)

    # then they are the ones scikit-learn computes from the predictions
    probabilities = booster.predict(held_out)
    assert metrics["log_loss"] == pytest.approx(log_loss(labels[400:], probabilities), rel=1e-5)
    assert metrics["auc"] == pytest.approx(roc_auc_score(labels[400:], probabilities), rel=1e-6)
    assert metrics["accuracy"] == pytest.approx(accuracy_score(labels[400:], probabilities > 0.5))

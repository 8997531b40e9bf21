"""Each step script run as the containers run it: `python3 <dir>/<script>.py` in a fresh process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest

from pipeline import bundles
from runtime.features.archive import write_model_archive

REPO = Path(__file__).resolve().parents[3]
TITANIC = REPO / "data" / "titanic"
FEATURES = [
    "--target",
    "Survived",
    "--feature-columns",
    "Pclass,Sex,Age,SibSp,Parch,Fare,Embarked",
    "--categorical-columns",
    "Sex,Embarked",
    "--derived-features",
    "Title=title(Name);HasCabin=present(Cabin)",
]


def script(
    path: Path, *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(path), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
        cwd=cwd,
        check=False,
    )


def flat_bundle(dest: Path, build: Callable[[Path], Path]) -> Path:
    """A bundle as pipeline/bundles.py builds it, unpacked into `dest` as the job's container does."""
    dest.mkdir()
    with tarfile.open(build(dest.parent / f"{dest.name}.tar.gz")) as tar:
        tar.extractall(dest, filter="data")
    return dest


# The CreateTrainingJob request's HyperParameters: a map of strings.
HYPERPARAMETERS = {
    "max_depth": "4",
    "eta": "0.05",
    "num_round": "100",
    "target": "Survived",
    "feature_columns": "Pclass,Sex,Age,SibSp,Parch,Fare,Embarked",
    "categorical_columns": "Sex,Embarked",
    "derived_features": "Title=title(Name);HasCabin=present(Cabin)",
    "seed": "42",
}
# The container also passes each hyperparameter as `--name value`; train.py must ignore them.
HYPERPARAMETER_ARGUMENTS = [part for name, value in HYPERPARAMETERS.items() for part in (f"--{name}", value)]


def train_env(work: Path) -> dict[str, str]:
    """The job's SM_* variables, with HYPERPARAMETERS in <SM_INPUT_CONFIG_DIR>/hyperparameters.json, the
    strings as sent, where SageMaker writes them (/opt/ml/input/config in the container:
    https://docs.aws.amazon.com/sagemaker/latest/dg/your-algorithms-training-algo-running-container.html)."""
    config_dir = work / "input" / "config"
    config_dir.mkdir(parents=True)
    (config_dir / "hyperparameters.json").write_text(json.dumps(HYPERPARAMETERS))
    return {
        "SM_CHANNEL_TRAIN": str(work / "prep" / "train"),
        "SM_CHANNEL_VALIDATION": str(work / "prep" / "validation"),
        "SM_MODEL_DIR": str(work / "model"),
        "SM_OUTPUT_DATA_DIR": str(work / "output"),
        "SM_INPUT_CONFIG_DIR": str(config_dir),
    }


@pytest.mark.slow
def test_steps_end_to_end_from_flat_bundles(tmp_path: Path) -> None:
    processing = flat_bundle(tmp_path / "processing", bundles.build_processing_bundle)
    training = flat_bundle(tmp_path / "training", bundles.build_training_bundle)
    done = script(
        processing / "preprocess.py",
        "--input-dir",
        str(TITANIC),
        "--output-dir",
        str(tmp_path / "prep"),
        *FEATURES,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    done = script(training / "train.py", *HYPERPARAMETER_ARGUMENTS, env=train_env(tmp_path), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    (tmp_path / "packed").mkdir()
    write_model_archive(tmp_path / "model", tmp_path / "packed" / "model.tar.gz")
    done = script(
        processing / "evaluate.py",
        "--model-dir",
        str(tmp_path / "packed"),
        "--evaluation-dir",
        str(tmp_path / "prep" / "evaluation"),
        "--output-dir",
        str(tmp_path / "out"),
        "--target",
        "Survived",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads((tmp_path / "out" / "evaluation" / "evaluation.json").read_text())
    assert report["binary_classification_metrics"]["accuracy"]["value"] >= 0.75
    assert (tmp_path / "out" / "report" / "index.html").is_file()


@pytest.mark.slow
def test_scripts_run_from_the_repository(tmp_path: Path) -> None:
    done = script(
        REPO / "processing" / "preprocess.py",
        "--input-dir",
        str(TITANIC),
        "--output-dir",
        str(tmp_path / "prep"),
        *FEATURES,
    )
    assert done.returncode == 0, done.stderr
    done = script(REPO / "training" / "train.py", *HYPERPARAMETER_ARGUMENTS, env=train_env(tmp_path))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1])["validation_metrics"]["accuracy"] > 0.7


def test_bad_data_exits_2_with_the_message(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "train.csv").write_text(
        (TITANIC / "train.csv").read_text().replace(",22,", ",twenty-two,")
    )
    done = script(
        REPO / "processing" / "preprocess.py",
        "--input-dir",
        str(tmp_path / "data"),
        "--output-dir",
        str(tmp_path / "prep"),
        *FEATURES,
    )
    assert done.returncode == 2
    assert "column 'Age' in train.csv: line 2 has 'twenty-two', which is not a number" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "prep").exists()


def test_predictor_imports_without_pandas_or_sklearn() -> None:
    code = (
        "import sys\nsys.modules['pandas'] = None\nsys.modules['sklearn'] = None\n"
        "from runtime.features.predictor import Predictor\nimport runtime.features\nprint('ok')"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=REPO, check=False
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr

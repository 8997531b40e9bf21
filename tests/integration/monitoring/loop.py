"""The monitoring loop offline: train.py on a split of train.csv, serve held-out rows through the handler
with capture on, read the captured window back and compare it with the archive's baseline."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
import pandas as pd

from lambda_inference.handler import handle_event
from lambda_inference.served_model import LoadedModel
from runtime.features.archive import read_model_archive, write_model_archive
from runtime.features.predictor import Predictor
from runtime.monitoring.capture import CaptureBuffer, CaptureSettings
from runtime.monitoring.drift import DriftReport, compare
from runtime.monitoring.window import read_window
from runtime.store.local import LOCAL_BUCKET, LocalArtifactStore
from training import train

REPO_ROOT = Path(__file__).resolve().parents[3]
TRAIN_CSV = REPO_ROOT / "data" / "titanic" / "train.csv"
NAME = "titanic"
# examples/titanic/mlpipe.toml, with few rounds: the loop is about the inputs, not the model's quality.
HYPERPARAMETERS = {
    "target": "Survived",
    "id_column": "PassengerId",
    "feature_columns": json.dumps(["Pclass", "Sex", "Age", "Fare", "Embarked"]),
    "categorical_columns": json.dumps(["Sex", "Embarked"]),
    "derived_features": "Title=title(Name);FamilySize=sum(SibSp,Parch);HasCabin=present(Cabin)",
    "required_columns": json.dumps(["Pclass", "Sex"]),
    "max_depth": "3",
    "eta": "0.3",
    "num_round": "20",
}
SHIFTED = {"Age", "Sex", "Embarked"}


class FixedLoader:
    def __init__(self, model: LoadedModel) -> None:
        self.model = model

    def current(self) -> LoadedModel:
        return self.model


def split(seed: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Train 60 %, validation 15 %, held out 25 % of train.csv, shuffled by `seed`."""
    frame = pd.read_csv(TRAIN_CSV, dtype=str, keep_default_na=False)
    order = np.random.default_rng(seed).permutation(len(frame))
    a, b = int(0.6 * len(frame)), int(0.75 * len(frame))
    return frame.iloc[order[:a]], frame.iloc[order[a:b]], frame.iloc[order[b:]]


def train_model(work: Path, seed: int) -> tuple[bytes, pd.DataFrame]:
    """Run training/train.py's main on a split; the packed archive and the held-out rows."""
    train_rows, validation_rows, held_out = split(seed)
    for channel, rows in (("train", train_rows), ("validation", validation_rows)):
        (work / channel).mkdir(parents=True)
        rows.to_csv(work / channel / f"{channel}.csv", index=False)
    (work / "config").mkdir()
    (work / "config" / "hyperparameters.json").write_text(json.dumps({**HYPERPARAMETERS, "seed": str(seed)}))
    argv = [
        f"--train={work / 'train'}",
        f"--validation={work / 'validation'}",
        f"--model-dir={work / 'model'}",
    ]
    with mock.patch.dict(os.environ, {"SM_INPUT_CONFIG_DIR": str(work / "config")}):
        assert train.main(argv) == 0
    write_model_archive(work / "model", work / "model.tar.gz")
    return (work / "model.tar.gz").read_bytes(), held_out


def requests(rows: pd.DataFrame, size: int = 10) -> list[list[dict[str, Any]]]:
    """The rows as prediction requests of `size` instances, typed like JSON (numbers, strings, absent)."""
    instances = []
    for record in rows.drop(columns=["Survived"]).to_dict("records"):
        instance: dict[str, Any] = {}
        for key, text in record.items():
            if text == "":
                continue
            try:
                instance[str(key)] = int(text) if text.lstrip("-").isdigit() else float(text)
            except ValueError:
                instance[str(key)] = text
        instances.append(instance)
    return [instances[i : i + size] for i in range(0, len(instances), size)]


def shifter(seed: int) -> Callable[[list[dict[str, Any]]], list[dict[str, Any]]]:
    rng = np.random.default_rng(seed)
    return lambda batch: shift(batch, rng)


def shift(batch: list[dict[str, Any]], rng: np.random.Generator) -> list[dict[str, Any]]:
    """Ages +20 years, the sex ratio flipped, and a port the model never saw for a third of the rows."""
    shifted = []
    for instance in batch:
        changed = dict(instance)
        if "Age" in changed:
            changed["Age"] = changed["Age"] + 20
        changed["Sex"] = {"male": "female", "female": "male"}[changed["Sex"]]
        if rng.random() < 1 / 3:
            changed["Embarked"] = "X"
        shifted.append(changed)
    return shifted


def serve_and_check(
    archive: bytes,
    batches: list[list[dict[str, Any]]],
    home: Path,
    transform: Callable[[list[dict[str, Any]]], list[dict[str, Any]]] = lambda batch: batch,
) -> DriftReport:
    """Serve the batches with capture on, flush, read today's window back and compare with the baseline."""
    files = read_model_archive(archive)
    model = LoadedModel(version=1, sha256="0" * 64, predictor=Predictor.from_model_files(files, 1))
    store = LocalArtifactStore(home)
    capture = CaptureBuffer(CaptureSettings(bucket=LOCAL_BUCKET, name=NAME, max_records=50), lambda: store)
    for i, batch in enumerate(batches):
        response = handle_event({"instances": transform(batch)}, FixedLoader(model), f"req-{i}", capture)
        assert response["statusCode"] == 200, response
        capture.end_invocation()
    assert capture.flush(timeout=10)
    now = datetime.now(UTC)
    window = read_window(store, LOCAL_BUCKET, NAME, start=now - timedelta(hours=1), end=now + timedelta(1))
    assert files.baseline is not None
    return compare(files.baseline, window.records)

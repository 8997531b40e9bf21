"""Issue 18 item 10: a feature column whose name holds `"` and `\\` trains end to end (it died in Train)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from pipeline.local_run import run_locally
from runtime.features.archive import read_model_archive
from runtime.settings import Settings
from runtime.store.local import LocalArtifactStore

TITANIC_TRAIN = Path(__file__).resolve().parents[3] / "data" / "titanic" / "train.csv"
# Both characters JSON must escape; hand-quoting the hyperparameter ('"' + value + '"') broke on each.
AGE = 'Age "years" \\ raw'


def quoted_csv(folder: Path) -> Path:
    """Titanic's label and four features, with Age renamed to AGE."""
    with TITANIC_TRAIN.open(newline="") as source:
        rows = list(csv.DictReader(source))
    path = folder / "quoted.csv"
    with path.open("w", newline="") as target:
        writer = csv.writer(target)
        writer.writerow(["Survived", "Pclass", "Sex", AGE, "Fare"])
        writer.writerows([r["Survived"], r["Pclass"], r["Sex"], r["Age"], r["Fare"]] for r in rows)
    return path


@pytest.mark.slow
def test_a_column_named_with_quote_and_backslash_is_trained_and_registered(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", model_package_group="quoted")

    result = run_locally(
        settings,
        train=quoted_csv(tmp_path),
        overrides={"Target": "Survived", "FeatureColumns": json.dumps(["Pclass", "Sex", AGE, "Fare"])},
    )

    (version,) = result.registered
    archive = read_model_archive(LocalArtifactStore(settings.home).get_bytes(version.artifact_uri))
    assert AGE in archive.metadata["feature_names"]
    assert json.loads(archive.metadata["parameters"]["feature_columns"]) == ["Pclass", "Sex", AGE, "Fare"]

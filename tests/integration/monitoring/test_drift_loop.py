"""Issue 16's done-when: shifted traffic flags exactly the shifted inputs; held-out traffic never alarms.

Each seed trains a model with training/train.py (which writes baseline.json), serves its held-out rows
(25 % of train.csv, 223 rows) through the Lambda handler with capture on, reads the captured gzip JSON
lines back from the local store and compares them with the archive's baseline.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from runtime.monitoring.drift import DriftReport
from tests.integration.monitoring import loop

pytestmark = pytest.mark.slow
SEEDS = range(20)


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[DriftReport, DriftReport]]:
    """(unshifted report, shifted report) per seed."""
    out = []
    for seed in SEEDS:
        work: Path = tmp_path_factory.mktemp(f"seed{seed}")
        archive, held_out = loop.train_model(work / "train", seed)
        batches = loop.requests(held_out)
        plain = loop.serve_and_check(archive, batches, work / "plain")
        shifted = loop.serve_and_check(archive, batches, work / "shifted", loop.shifter(seed))
        out.append((plain, shifted))
    return out


def test_held_out_traffic_raises_no_alarm_over_20_seeds(reports: list) -> None:
    false_alarms = [
        (seed, plain.drifted_features, plain.prediction_drifted)
        for seed, (plain, _) in zip(SEEDS, reports, strict=True)
        if plain.drifted_features or plain.prediction_drifted
    ]
    print(f"false alarms over {len(SEEDS)} seeds: {len(false_alarms)}")
    assert all(plain.enough_rows and plain.rows == 223 for plain, _ in reports)
    assert false_alarms == []


def test_shifted_traffic_flags_exactly_the_shifted_inputs(reports: list) -> None:
    for plain, shifted in reports:
        assert set(shifted.drifted_features) == loop.SHIFTED
        assert shifted.prediction_drifted  # older passengers and more men: fewer predicted survivors
        embarked = next(c for c in shifted.columns if c.name == "Embarked")
        assert embarked.new_values == ("X",)
        assert plain.rows == shifted.rows


def test_the_baseline_travels_in_the_archive_train_py_writes(tmp_path: Path) -> None:
    from runtime.features.archive import read_model_archive

    archive, _ = loop.train_model(tmp_path, seed=0)
    baseline = read_model_archive(archive).baseline
    assert baseline is not None
    assert baseline["prediction"]["scored"] == "validation"
    assert baseline["prediction"]["rows"] == 134  # the validation split: 15 % of 891
    age = baseline["features"]["Age"]
    assert age["kind"] == "numeric" and age["rows"] == 534 and len(age["edges"]) == 9
    assert baseline["features"]["Sex"]["categories"] == ["female", "male"]

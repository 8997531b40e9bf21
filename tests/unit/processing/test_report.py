"""The Evaluate step's parts: baseline, small property file, champion loading and fairness, the page."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from processing import evaluate
from processing.report import champion, charts, gate, metrics, page
from runtime.store.local import LocalArtifactStore
from tests.unit.processing.test_evaluate import evaluation_dir, model_dir, run  # noqa: F401 (fixtures)

NOISE_ROWS = 5000


def noise(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    generator = np.random.default_rng(seed)
    return (generator.random(NOISE_ROWS) < 0.1).astype(np.int64), generator.random(NOISE_ROWS) * 0.2


def test_the_baseline_is_the_majority_class() -> None:
    labels, _ = noise()
    baseline = metrics.baseline_metrics(labels)
    assert baseline["accuracy"] == pytest.approx(1 - labels.mean())
    assert (baseline["auc"], baseline["recall"], baseline["f1"]) == (0.5, 0.0, 0.0)


def test_the_property_file_stays_small_however_many_rows(tmp_path: Path) -> None:
    """SageMaker reads it in the condition step: curves are downsampled, not one point per row."""
    labels, probabilities = noise()
    figures = metrics.scalar_metrics(labels, probabilities)
    document = evaluate.quality_report(figures, labels, probabilities, "0" * 64)
    roc = document["binary_classification_metrics"]["receiver_operating_characteristic_curve"]
    assert len(roc["false_positive_rates"]) == metrics.CURVE_POINTS
    assert (roc["false_positive_rates"][0], roc["false_positive_rates"][-1]) == (0.0, 1.0)
    assert len(json.dumps(document)) < 3000


def test_failure_text_lists_each_failed_check_with_value_and_threshold() -> None:
    figures = {"accuracy": 0.89, "precision": 0.0, "recall": 0.0, "f1": 0.0, "auc": 0.51}
    baseline = {**figures, "accuracy": 0.9, "auc": 0.5}
    thresholds = gate.Thresholds(
        minimums={"accuracy": 0.75, "f1": 0.1},
        accuracy_over_baseline=0.01,
        auc_over_chance=0.05,
        champion_tolerance=0.01,
        primary_metric="auc",
    )
    derived = gate.derived_figures(figures, baseline, None, "auc")
    text = gate.failure_text(gate.run_checks(figures, derived, thresholds, baseline, None))
    assert text.split("; ") == [
        "f1 >= MinF1: f1 0.0000, 0.0000 < MinF1 0.1",
        "accuracy beats the majority class: accuracy 0.8900 vs majority-class 0.9000, "
        "-0.0100 < MinAccuracyOverBaseline 0.01",
        "ROC AUC above chance: auc 0.5100 vs chance 0.5, 0.0100 < MinAucOverChance 0.05",
    ]


def test_an_unknown_primary_metric_is_refused() -> None:
    with pytest.raises(ValueError, match="PrimaryMetric 'log_loss' is not one of"):
        gate.check_primary_metric("log_loss")


def test_a_champion_is_only_gated_on_when_it_never_saw_the_rows() -> None:
    same = {"training_data": {"sha256": "a"}}
    assert champion.not_comparable(same, same, on_split=True) == ""
    assert "another split" in champion.not_comparable({"training_data": {"sha256": "b"}}, same, on_split=True)
    assert champion.not_comparable({"training_data": {"sha256": "b"}}, same, on_split=False) == ""


def test_the_champion_is_read_from_the_local_engine_store(model_dir: Path, tmp_path: Path) -> None:  # noqa: F811
    store = LocalArtifactStore(tmp_path)
    uri = "s3://mlpipe-local/runs/r1/train/job/output/model.tar.gz"
    store.put_file(model_dir / "model.tar.gz", uri)
    environ = {"MLPIPE_BACKEND": "local", "MLPIPE_HOME": str(tmp_path)}

    loaded = champion.load_champion(uri, environ)

    assert loaded is not None and loaded[0].spec.target == "Survived"
    assert champion.load_champion("", environ) is None


def test_the_same_model_as_champion_has_no_shortfall(
    model_dir: Path,  # noqa: F811
    evaluation_dir: Path,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    uri = "s3://mlpipe-local/runs/r1/model.tar.gz"
    LocalArtifactStore(tmp_path / "home").put_file(model_dir / "model.tar.gz", uri)
    monkeypatch.setenv("MLPIPE_BACKEND", "local")
    monkeypatch.setenv("MLPIPE_HOME", str(tmp_path / "home"))

    assert (
        evaluate.main([*ARGS(model_dir, evaluation_dir, tmp_path / "out"), f"--champion-model-uri={uri}"])
        == 0
    )

    document = json.loads((tmp_path / "out" / "evaluation" / "evaluation.json").read_text())
    assert document["quality_gate"]["shortfall_vs_champion"]["value"] == 0.0
    assert document["champion"]["metrics"]["auc"] == document["binary_classification_metrics"]["auc"]["value"]
    html = (tmp_path / "out" / "report" / "index.html").read_text()
    assert "champion artifact" in html


def ARGS(model: Path, evaluation: Path, output: Path) -> list[str]:
    return [
        f"--model-dir={model}",
        f"--evaluation-dir={evaluation}",
        f"--output-dir={output}",
        "--target=Survived",
    ]


def test_the_page_is_self_contained(model_dir: Path, evaluation_dir: Path, tmp_path: Path) -> None:  # noqa: F811
    assert run(model_dir, evaluation_dir, tmp_path / "out") == 0
    html = (tmp_path / "out" / "report" / "index.html").read_text()
    assert all(f'id="{section}"' in html for section in page.SECTION_IDS)
    # Nothing to fetch: no src/href attributes, no CSS url(), no scripts; only the SVG namespace URI.
    assert not re.search(r"\b(src|href)=|url\(|<script|<link", html)
    assert set(re.findall(r"https?://[^\"' ]+", html)) == {"http://www.w3.org/2000/svg"}


def test_feature_importance_is_sized_to_the_number_of_features() -> None:
    three = charts.bar_chart("x", [("a", 3.0), ("b", 2.0), ("c", 1.0)])
    thirty = charts.bar_chart("x", [(f"f{i}", float(i)) for i in range(30)])
    height = re.compile(r'viewBox="0 0 \d+ (\d+)"')
    assert int(height.findall(thirty)[0]) > 5 * int(height.findall(three)[0])

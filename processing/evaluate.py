"""Processing step: score the trained model on the evaluation set through the serving code path.

Writes evaluation.json in SageMaker's model-quality format (plus the archive's SHA-256) and a human
report: ROC curve, confusion matrix and feature importance as PNG files, embedded in one HTML page.
"""

from __future__ import annotations

import argparse
import base64
import html
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn import metrics as skm

from runtime.features.archive import ArchiveError, read_model_archive, sha256_bytes
from runtime.features.predictor import Prediction, Predictor

PLOTS = ("roc.png", "confusion_matrix.png", "feature_importance.png")


def load_predictor(model_dir: Path) -> tuple[Predictor, str]:
    archive = model_dir / "model.tar.gz"
    if not archive.is_file():
        raise FileNotFoundError(f"{archive} not found; the Evaluate step needs the Train step's model.tar.gz")
    data = archive.read_bytes()
    return Predictor.from_model_files(read_model_archive(data), version="evaluation"), sha256_bytes(data)


def read_evaluation_set(evaluation_dir: Path, target: str) -> tuple[dict[str, np.ndarray], np.ndarray]:
    found = sorted(evaluation_dir.glob("*.csv"))
    if not found:
        raise FileNotFoundError(f"no *.csv in {evaluation_dir}; the Evaluate step needs the evaluation split")
    frame = pd.read_csv(found[0], dtype=str)
    if target not in frame.columns:
        raise ValueError(f"target column {target!r} missing from {found[0].name}; check the Target parameter")
    labels = pd.to_numeric(frame[target], errors="coerce").to_numpy(dtype=np.float64)
    if not np.isin(labels, (0.0, 1.0)).all() or len(np.unique(labels)) != 2:
        raise ValueError(f"{found[0].name}: target {target!r} must be 0/1 with both classes present")
    return {str(c): frame[c].to_numpy(dtype=object) for c in frame.columns}, labels.astype(np.int64)


def compute_metrics(labels: np.ndarray, prediction: Prediction) -> dict[str, Any]:
    predicted, probabilities = prediction.labels, prediction.probabilities
    matrix = skm.confusion_matrix(labels, predicted, labels=[0, 1])
    false_positive_rates, true_positive_rates, _ = skm.roc_curve(labels, probabilities)
    return {
        "accuracy": float(skm.accuracy_score(labels, predicted)),
        "precision": float(skm.precision_score(labels, predicted, zero_division=0)),
        "recall": float(skm.recall_score(labels, predicted, zero_division=0)),
        "f1": float(skm.f1_score(labels, predicted, zero_division=0)),
        "auc": float(skm.roc_auc_score(labels, probabilities)),
        "log_loss": float(skm.log_loss(labels, probabilities, labels=[0, 1])),
        # SageMaker's layout: confusion_matrix[actual][predicted]
        "confusion_matrix": {str(a): {str(p): int(matrix[a, p]) for p in (0, 1)} for a in (0, 1)},
        "roc": {
            "false_positive_rates": false_positive_rates.tolist(),
            "true_positive_rates": true_positive_rates.tolist(),
        },
    }


def quality_report(figures: dict[str, Any], sha256: str) -> dict[str, Any]:
    """The model-quality JSON that the CheckAccuracy condition and the registry read."""
    scalars = {
        name: {"value": value, "standard_deviation": "NaN"}
        for name, value in figures.items()
        if isinstance(value, float)
    }
    return {
        "binary_classification_metrics": {
            **scalars,
            "confusion_matrix": figures["confusion_matrix"],
            "receiver_operating_characteristic_curve": figures["roc"],
        },
        "artifact": {"sha256": sha256},
    }


def feature_importance(predictor: Predictor) -> dict[str, float]:
    """Total gain per feature, by feature-spec name (the booster only knows f0, f1, ...)."""
    gains = predictor.booster.get_score(importance_type="total_gain")
    names = predictor.spec.feature_names
    return {names[int(key[1:])]: float(value) for key, value in gains.items() if isinstance(value, float)}


def write_plots(
    report_dir: Path, labels: np.ndarray, figures: dict[str, Any], gains: dict[str, float]
) -> None:
    import matplotlib  # noqa: PLC0415 (optional: the HTML report still works without it)

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    figure, axes = plt.subplots(figsize=(5, 4))
    axes.plot(figures["roc"]["false_positive_rates"], figures["roc"]["true_positive_rates"])
    axes.plot([0, 1], [0, 1], linestyle="--", color="grey")
    axes.set(
        xlabel="false positive rate", ylabel="true positive rate", title=f"ROC (AUC {figures['auc']:.3f})"
    )
    figure.savefig(report_dir / "roc.png", dpi=100, bbox_inches="tight")
    matrix = np.array([[figures["confusion_matrix"][a][p] for p in "01"] for a in "01"])
    figure, axes = plt.subplots(figsize=(4, 4))
    axes.imshow(matrix, cmap="Blues")
    for (row, column), count in np.ndenumerate(matrix):
        colour = "white" if count > matrix.max() / 2 else "black"  # readable on dark and light cells
        axes.text(column, row, str(count), ha="center", va="center", color=colour)
    axes.set(xticks=[0, 1], yticks=[0, 1], xlabel="predicted", ylabel="actual", title="Confusion matrix")
    figure.savefig(report_dir / "confusion_matrix.png", dpi=100, bbox_inches="tight")
    ordered = sorted(gains.items(), key=lambda item: item[1])
    figure, axes = plt.subplots(figsize=(5, 4))
    axes.barh([name for name, _ in ordered], [gain for _, gain in ordered])
    axes.set(xlabel="total gain", title="Feature importance")
    figure.savefig(report_dir / "feature_importance.png", dpi=100, bbox_inches="tight")
    plt.close("all")


def write_report(
    report_dir: Path, labels: np.ndarray, figures: dict[str, Any], gains: dict[str, float]
) -> None:
    report_dir.mkdir(parents=True, exist_ok=True)
    try:
        write_plots(report_dir, labels, figures, gains)
        images = [
            f'<img alt="{name}" src="data:image/png;base64,'
            f'{base64.b64encode((report_dir / name).read_bytes()).decode()}">'
            for name in PLOTS
        ]
    except ImportError:
        images = ["<p>matplotlib is not installed, so this report has no charts.</p>"]
    rows = "".join(
        f"<tr><td>{html.escape(name)}</td><td>{value:.4f}</td></tr>"
        for name, value in figures.items()
        if isinstance(value, float)
    )
    page = (
        f"<!doctype html><html><head><meta charset='utf-8'><title>Model evaluation</title></head><body>"
        f"<h1>Model evaluation</h1><table>{rows}</table>{''.join(images)}</body></html>\n"
    )
    (report_dir / "index.html").write_text(page)


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-dir", type=Path, default=Path("/opt/ml/processing/input/model"))
    parser.add_argument("--evaluation-dir", type=Path, default=Path("/opt/ml/processing/input/evaluation"))
    parser.add_argument("--output-dir", type=Path, default=Path("/opt/ml/processing/output"))
    parser.add_argument("--target", required=True)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        predictor, sha256 = load_predictor(args.model_dir)
        columns, labels = read_evaluation_set(args.evaluation_dir, args.target)
        figures = compute_metrics(labels, predictor.predict_columns(columns, len(labels)))
    except (OSError, ArchiveError, ValueError) as error:
        print(f"evaluate: {error}", file=sys.stderr)
        return 2
    (args.output_dir / "evaluation").mkdir(parents=True, exist_ok=True)
    report = quality_report(figures, sha256)
    (args.output_dir / "evaluation" / "evaluation.json").write_text(json.dumps(report, indent=2) + "\n")
    write_report(args.output_dir / "report", labels, figures, feature_importance(predictor))
    print(f"evaluate: accuracy {figures['accuracy']:.4f}, AUC {figures['auc']:.4f} on {len(labels)} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())

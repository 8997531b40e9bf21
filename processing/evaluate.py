"""Processing step: score the trained model, and the live champion, on the evaluation set.

Writes evaluation/evaluation.json, the property file the quality gate's condition step reads: SageMaker's
model-quality format (curves downsampled so the file stays a few kB), the majority-class baseline, the
gate's figures and verdict, the champion's metrics, the report's URI and the archive's SHA-256. Writes
report/index.html, the self-contained page a reviewer approves from (processing/report/).
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from runtime.features.archive import ArchiveError, read_model_archive
from runtime.features.parity import PARITY_METRIC, check_parity
from runtime.features.predictor import Predictor
from runtime.hashing import sha256_bytes
from runtime.model_quality import METRICS_KEY, quality_document, write_evaluation
from runtime.registry.model_package import TRAINING_DATA_FILE, registration_facts
from runtime.store.base import StoreError

if __package__:  # imported as processing.evaluate (tests, tooling)
    from processing.report import champion, data, explain, gate, metrics, page
else:  # run as a script: its folder (the bundle's root, or processing/) is sys.path[0]
    from report import champion, data, explain, gate, metrics, page  # type: ignore[no-redef]

REPORT_FILE = "index.html"


def load_predictor(model_dir: Path) -> tuple[Predictor, str]:
    archive = model_dir / "model.tar.gz"
    if not archive.is_file():
        raise FileNotFoundError(f"{archive} not found; the Evaluate step needs the Train step's model.tar.gz")
    archive_bytes = archive.read_bytes()
    files = read_model_archive(archive_bytes)
    predictor = Predictor.from_model_files(files, version="evaluation")
    # Serving scores the JSON model in NumPy; XGBoost's booster is for importance, explanations, parity.
    import xgboost as xgb  # noqa: PLC0415 - the step's container has it; imported where it is used

    predictor.booster = xgb.Booster(model_file=bytearray(files.booster_bytes))
    return predictor, sha256_bytes(archive_bytes)


def read_evaluation_set(evaluation_dir: Path, target: str) -> tuple[dict[str, np.ndarray], np.ndarray]:
    found = sorted(evaluation_dir.glob("*.csv"))
    if not found:
        raise FileNotFoundError(f"no *.csv in {evaluation_dir}; the Evaluate step needs the evaluation split")
    columns = data.read_csv_columns(found[0])
    if target not in columns:
        raise ValueError(f"target column {target!r} missing from {found[0].name}; check the Target parameter")
    labels = np.array([number_or_nan(value) for value in columns[target]], dtype=np.float64)
    if not np.isin(labels, (0.0, 1.0)).all() or len(np.unique(labels)) != 2:
        raise ValueError(f"{found[0].name}: target {target!r} must be 0/1 with both classes present")
    return columns, labels.astype(np.int64)


def number_or_nan(value: str | None) -> float:
    """The label as a number, NaN when it is missing or not a number (what pandas.to_numeric coerced)."""
    try:
        return float(value) if value is not None else math.nan
    except ValueError:
        return math.nan


def scored(labels: np.ndarray, probabilities: np.ndarray) -> dict[str, Any]:
    """Metrics and the curves the report draws (a few hundred points at most)."""
    return {
        "metrics": metrics.scalar_metrics(labels, probabilities),
        "roc": metrics.roc_curve(labels, probabilities, 101),
        "pr": metrics.pr_curve(labels, probabilities, 101),
    }


def quality_report(
    figures: dict[str, float], labels: np.ndarray, probabilities: np.ndarray, sha256: str
) -> dict[str, Any]:
    """The model-quality JSON (SageMaker's layout) that the gate's condition step and the registry read."""
    return quality_document(
        figures,
        sha256,
        {
            "confusion_matrix": metrics.confusion_matrix(labels, probabilities),
            "receiver_operating_characteristic_curve": metrics.roc_curve(
                labels, probabilities, metrics.CURVE_POINTS
            ),
            "precision_recall_curve": metrics.pr_curve(labels, probabilities, metrics.CURVE_POINTS),
        },
    )


def thresholds_from(args: argparse.Namespace) -> gate.Thresholds:
    gate.check_primary_metric(args.primary_metric)
    return gate.Thresholds(
        minimums={m: getattr(args, f"min_{m}") for m in metrics.HIGHER_IS_BETTER},
        accuracy_over_baseline=args.min_accuracy_over_baseline,
        auc_over_chance=args.min_auc_over_chance,
        champion_tolerance=args.champion_tolerance,
        primary_metric=args.primary_metric,
    )


def score_champion(
    args: argparse.Namespace, columns: dict[str, np.ndarray], labels: np.ndarray, metadata: dict[str, Any]
) -> dict[str, Any] | None:
    """The champion's scores on the same rows, and whether comparing with them is fair."""
    found = champion.load_champion(args.champion_model_uri)
    if found is None:
        return None
    predictor, champion_metadata = found
    on_split = not args.test_file or args.test_file == args.train_file
    probabilities = predictor.predict_columns(columns, len(labels)).probabilities
    return {
        "uri": args.champion_model_uri,
        "not_comparable": champion.not_comparable(champion_metadata, metadata, on_split),
        **scored(labels, probabilities),
    }


def page_context(
    args: argparse.Namespace,
    predictor: Predictor,
    columns: dict[str, np.ndarray],
    labels: np.ndarray,
    probabilities: np.ndarray,
) -> dict[str, Any]:
    """What the report shows besides the figures evaluation.json holds."""
    source, described = data.describe_set(args.train_file, args.test_file)
    matrix = predictor.spec.transform_columns(columns, len(labels))
    return {
        "model": {
            "name": args.model_name,
            "version": "assigned when registered (`mlpipe report` lists it)",
            "run_id": args.run_id,
            # timezone.utc, not datetime.UTC (3.11): the XGBoost container runs Python 3.10.
            "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),  # noqa: UP017
        },
        "data": {
            "evaluated": described,
            **data.file_facts(args.data_dir, source),
            "rows": len(labels),
            "class_balance": data.class_balance(labels),
            "training_file": data.training_file(args.evaluation_dir, TRAINING_DATA_FILE),
        },
        "target": args.target,
        "curves": scored(labels, probabilities),
        "calibration": metrics.calibration(labels, probabilities),
        "thresholds": metrics.threshold_table(labels, probabilities),
        "importance": explain.feature_importance(predictor),
        "shap": explain.shap_summary(predictor, matrix),
        "data_summary": explain.data_summary(columns, list(predictor.spec.input_columns)),
    }


def gate_parameters(args: argparse.Namespace) -> dict[str, str]:
    values = {gate.parameter_name(m): getattr(args, f"min_{m}") for m in metrics.HIGHER_IS_BETTER}
    values |= {
        "MinAccuracyOverBaseline": args.min_accuracy_over_baseline,
        "MinAucOverChance": args.min_auc_over_chance,
        "ChampionModelUri": args.champion_model_uri or "(none)",
        "ChampionTolerance": args.champion_tolerance,
        "PrimaryMetric": args.primary_metric,
    }
    return {name: str(value) for name, value in values.items()}


def evaluate(args: argparse.Namespace) -> tuple[dict[str, Any], dict[str, Any]]:
    """(evaluation.json, the report's page context); raises on unusable inputs."""
    thresholds = thresholds_from(args)
    predictor, sha256 = load_predictor(args.model_dir)
    columns, labels = read_evaluation_set(args.evaluation_dir, args.target)
    probabilities = predictor.predict_columns(columns, len(labels)).probabilities
    figures = metrics.scalar_metrics(labels, probabilities)
    matrix = predictor.spec.transform_columns(columns, len(labels))
    figures[PARITY_METRIC] = check_parity(predictor.booster, predictor, matrix).max_difference
    baseline = metrics.baseline_metrics(labels)
    metadata = read_model_archive((args.model_dir / "model.tar.gz").read_bytes()).metadata
    found = score_champion(args, columns, labels, metadata)
    # An unfair comparison is reported, not gated on (the check then has no champion to beat).
    champion_metrics = None if found is None or found["not_comparable"] else found["metrics"]
    derived = gate.derived_figures(figures, baseline, champion_metrics, thresholds.primary_metric)
    checks = gate.run_checks(figures, derived, thresholds, baseline, champion_metrics)
    report = quality_report(figures, labels, probabilities, sha256)
    # The facts the Register step records besides the metrics (runtime/registry/model_package.py).
    report["registration"] = registration_facts(args.evaluation_dir, metadata, figures)
    report["baseline"] = {"majority_class": baseline}
    report["quality_gate"] = gate.gate_section(checks, derived)
    report["champion"] = {
        "uri": args.champion_model_uri,
        "metrics": None if found is None else found["metrics"],
        "not_comparable": "" if found is None else found["not_comparable"],
    }
    report["report"] = {"uri": args.report_uri}
    context = page_context(args, predictor, columns, labels, probabilities)
    context["model"]["sha256"] = sha256
    context |= {
        "parameters": {**metadata.get("parameters", {}), **gate_parameters(args)},
        "metrics": figures,
        "baseline": baseline,
        "gate": report["quality_gate"],
        "champion": found,
        "confusion_matrix": report[METRICS_KEY]["confusion_matrix"],
    }
    return report, context


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-dir", type=Path, default=Path("/opt/ml/processing/input/model"))
    parser.add_argument("--evaluation-dir", type=Path, default=Path("/opt/ml/processing/input/evaluation"))
    parser.add_argument("--data-dir", type=Path, default=Path("/opt/ml/processing/input/data"))
    parser.add_argument("--output-dir", type=Path, default=Path("/opt/ml/processing/output"))
    parser.add_argument("--target", required=True)
    parser.add_argument("--train-file", default="")
    parser.add_argument("--test-file", default="")
    parser.add_argument("--model-name", default="model")
    parser.add_argument("--run-id", default="local")
    parser.add_argument("--report-uri", default="", help="where the report lands (for the Fail message)")
    for metric in metrics.HIGHER_IS_BETTER:
        parser.add_argument(f"--min-{metric}", type=float, default=0.0)
    parser.add_argument("--min-accuracy-over-baseline", type=float, default=0.01)
    parser.add_argument("--min-auc-over-chance", type=float, default=0.05)
    parser.add_argument("--champion-model-uri", default="")
    parser.add_argument("--champion-tolerance", type=float, default=0.01)
    parser.add_argument("--primary-metric", default="auc")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        report, context = evaluate(args)
    except (OSError, ArchiveError, StoreError, ValueError) as error:
        print(f"evaluate: {error}", file=sys.stderr)
        return 2
    write_evaluation(report, args.output_dir / "evaluation")
    (args.output_dir / "report").mkdir(parents=True, exist_ok=True)
    (args.output_dir / "report" / REPORT_FILE).write_text(page.render(context))
    verdict = (
        "passed" if report["quality_gate"]["passed"] else f"refused: {report['quality_gate']['failures']}"
    )
    figures, rows = context["metrics"], context["data"]["rows"]
    print(f"evaluate: accuracy {figures['accuracy']:.4f}, AUC {figures['auc']:.4f} on {rows} rows")
    print(f"evaluate: quality gate {verdict}")
    return 0


if __name__ == "__main__":
    # xgboost imports scikit-learn when it can, for its optional sklearn-style estimators (xgboost/compat.py
    # catches the ImportError and goes on without them); this step only uses Booster and DMatrix. A None
    # entry in sys.modules makes `import sklearn` raise ImportError
    # (https://docs.python.org/3/reference/import.html#the-module-cache): xgboost then imports in 0.21 s
    # instead of 1.07 s, and the step re-runs on every `mlpipe run`. Only here, where this script is the
    # process: a test or tool importing this module keeps its scikit-learn.
    sys.modules.setdefault("sklearn", None)  # type: ignore[arg-type]
    sys.exit(main())

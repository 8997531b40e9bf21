"""The quality gate's checks, computed where the numbers are so the report and the Fail message agree.

The pipeline's condition step compares the same numbers from evaluation.json with the same parameters
(pipeline/definition/gate.py); this module only explains the outcome (which checks failed, by how much).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from .metrics import HIGHER_IS_BETTER

CHANCE_AUC = 0.5


@dataclass(frozen=True, kw_only=True)
class Thresholds:
    """The gate's parameters; a minimum of 0 never fails a metric that lies in [0, 1]."""

    minimums: dict[str, float]  # metric -> minimum, e.g. {"accuracy": 0.75}
    accuracy_over_baseline: float  # MinAccuracyOverBaseline
    auc_over_chance: float  # MinAucOverChance
    champion_tolerance: float  # ChampionTolerance
    primary_metric: str  # PrimaryMetric, compared with the champion


@dataclass(frozen=True, kw_only=True)
class Check:
    name: str
    parameter: str
    value: float
    threshold: float
    passed: bool
    detail: str


def parameter_name(metric: str) -> str:
    """`Min` + the metric in CamelCase: accuracy -> MinAccuracy, f1 -> MinF1."""
    return "Min" + "".join(part.capitalize() for part in metric.split("_"))


def derived_figures(
    metrics: dict[str, float], baseline: dict[str, float], champion: dict[str, float] | None, primary: str
) -> dict[str, float]:
    """The differences the condition step compares (it can compare, not subtract)."""
    shortfall = 0.0 if champion is None else champion[primary] - metrics[primary]
    return {
        "accuracy_over_baseline": metrics["accuracy"] - baseline["accuracy"],
        "auc_over_chance": metrics["auc"] - CHANCE_AUC,
        "shortfall_vs_champion": shortfall,
    }


def run_checks(
    metrics: dict[str, float],
    figures: dict[str, float],
    thresholds: Thresholds,
    baseline: dict[str, float],
    champion: dict[str, float] | None,
) -> list[Check]:
    """Every check, in the order of the condition step's conditions."""
    checks = [
        Check(
            name=f"{metric} >= {parameter_name(metric)}",
            parameter=parameter_name(metric),
            value=metrics[metric],
            threshold=minimum,
            passed=metrics[metric] >= minimum,
            detail=f"{metric} {metrics[metric]:.4f}",
        )
        for metric, minimum in thresholds.minimums.items()
    ]
    primary = thresholds.primary_metric
    versus = "no champion to compare with" if champion is None else f"champion {champion[primary]:.4f}"
    checks += [
        Check(
            name="accuracy beats the majority class",
            parameter="MinAccuracyOverBaseline",
            value=figures["accuracy_over_baseline"],
            threshold=thresholds.accuracy_over_baseline,
            passed=figures["accuracy_over_baseline"] >= thresholds.accuracy_over_baseline,
            detail=f"accuracy {metrics['accuracy']:.4f} vs majority-class {baseline['accuracy']:.4f}",
        ),
        Check(
            name="ROC AUC above chance",
            parameter="MinAucOverChance",
            value=figures["auc_over_chance"],
            threshold=thresholds.auc_over_chance,
            passed=figures["auc_over_chance"] >= thresholds.auc_over_chance,
            detail=f"auc {metrics['auc']:.4f} vs chance {CHANCE_AUC}",
        ),
        Check(
            name=f"{primary} not worse than the champion",
            parameter="ChampionTolerance",
            value=figures["shortfall_vs_champion"],
            threshold=thresholds.champion_tolerance,
            passed=figures["shortfall_vs_champion"] <= thresholds.champion_tolerance,
            detail=f"{primary} {metrics[primary]:.4f} vs {versus}",
        ),
    ]
    return checks


def failure_text(checks: list[Check]) -> str:
    """Every failed check with its value and threshold, for the Fail step's message."""
    failed = [
        f"{c.name}: {c.detail}, {c.value:.4f} {'>' if c.parameter == 'ChampionTolerance' else '<'} "
        f"{c.parameter} {c.threshold:g}"
        for c in checks
        if not c.passed
    ]
    return "; ".join(failed) if failed else "none (every check passed)"


def gate_section(checks: list[Check], figures: dict[str, float]) -> dict[str, Any]:
    """The evaluation.json section the condition step and the Fail message read."""
    return {
        **{name: {"value": value} for name, value in figures.items()},
        "passed": all(c.passed for c in checks),
        "failures": failure_text(checks),
        "checks": [asdict(c) for c in checks],
    }


def check_primary_metric(primary: str) -> None:
    if primary not in HIGHER_IS_BETTER:
        raise ValueError(f"PrimaryMetric {primary!r} is not one of {', '.join(HIGHER_IS_BETTER)}")

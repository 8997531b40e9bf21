"""Each quality-gate check, end to end on the committed definition: evaluation.json as Evaluate writes it
(processing/report/gate.py), CheckQuality's conditions and QualityGateFailed's message as the local
engine resolves them from pipeline/definition/pipeline.json.

SageMaker evaluates a Condition step's conditions as a conjunction and a Fail step's ErrorMessage as the
resolved expression (https://docs.aws.amazon.com/sagemaker/latest/dg/build-and-manage-steps-types.html,
"Condition step" and "Fail step"); the engine does the same, so these cases hold on both.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import pytest

from pipeline.engine.context import RunContext
from pipeline.engine.errors import PipelineFailed
from pipeline.engine.graph import PlannedStep, plan_steps
from pipeline.engine.params import resolve_parameters
from pipeline.engine.steps.control import run_condition, run_fail
from pipeline.local_run import DEFINITION_PATH
from processing.report import gate
from processing.report.metrics import HIGHER_IS_BETTER
from runtime.registry.base import ModelRegistry
from runtime.store.local import LocalArtifactStore

EVALUATION_PREFIX = "s3://b/runs/mlpipe-g/exec-1/evaluate/evaluation"
CONDITION_STEP, FAIL_STEP = "CheckQuality", "QualityGateFailed"  # pipeline/definition/gate.py
REPORT_URI = "s3://b/runs/mlpipe-g/exec-1/evaluate/report/index.html"
GOOD = {"accuracy": 0.82, "precision": 0.8, "recall": 0.7, "f1": 0.75, "auc": 0.87, "log_loss": 0.4}
BASELINE = {"accuracy": 0.62, "precision": 0.0, "recall": 0.0, "f1": 0.0, "auc": 0.5, "log_loss": 0.67}


@dataclass
class Gate:
    context: RunContext
    steps: dict[str, PlannedStep]

    def outcome(
        self,
        metrics: dict[str, float],
        champion: dict[str, float] | None = None,
        baseline: dict[str, float] = BASELINE,
    ) -> bool:
        """Write evaluation.json as Evaluate does, then run CheckQuality; True = register."""
        values = self.context.parameters
        thresholds = gate.Thresholds(
            minimums={m: float(values[gate.parameter_name(m)]) for m in HIGHER_IS_BETTER},
            accuracy_over_baseline=float(values["MinAccuracyOverBaseline"]),
            auc_over_chance=float(values["MinAucOverChance"]),
            champion_tolerance=float(values["ChampionTolerance"]),
            primary_metric=str(values["PrimaryMetric"]),
        )
        derived = gate.derived_figures(metrics, baseline, champion, thresholds.primary_metric)
        checks = gate.run_checks(metrics, derived, thresholds, baseline, champion)
        document = {
            "binary_classification_metrics": {k: {"value": v} for k, v in metrics.items()},
            "quality_gate": gate.gate_section(checks, derived),
            "report": {"uri": REPORT_URI},
        }
        store = cast(LocalArtifactStore, self.context.store)
        store.put_bytes(json.dumps(document).encode(), f"{EVALUATION_PREFIX}/evaluation.json")
        outcome = bool(run_condition(self.steps[CONDITION_STEP], self.context)["Outcome"])
        assert outcome == document["quality_gate"]["passed"], "Evaluate's verdict and the condition differ"
        return outcome

    def message(self) -> str:
        with pytest.raises(PipelineFailed) as failed:
            run_fail(self.steps[FAIL_STEP], self.context)
        return failed.value.message


@pytest.fixture
def quality_gate(tmp_path: Path) -> Gate:
    definition = json.loads(DEFINITION_PATH.read_text())
    steps = {step.name: step for step in plan_steps(definition)}
    evaluate_outputs = [{"OutputName": "evaluation", "S3Output": {"S3Uri": EVALUATION_PREFIX}}]
    context = RunContext(
        store=LocalArtifactStore(tmp_path),
        registry=cast(ModelRegistry, None),
        execution_id="exec-1",
        pipeline_name="p",
        run_dir=tmp_path / "run",
        parameters=dict(resolve_parameters(definition["Parameters"], {})),
        definitions={"Evaluate": steps["Evaluate"].definition},
        properties={"Evaluate": {"ProcessingOutputConfig": {"Outputs": evaluate_outputs}}},
    )
    return Gate(context=context, steps=steps)


def test_a_good_model_passes_every_default_check(quality_gate: Gate) -> None:
    assert quality_gate.outcome(GOOD)


@pytest.mark.parametrize("metric", list(HIGHER_IS_BETTER))
def test_each_metric_minimum_refuses_below_it(quality_gate: Gate, metric: str) -> None:
    parameter = gate.parameter_name(metric)
    quality_gate.context.parameters[parameter] = GOOD[metric] + 0.01

    assert not quality_gate.outcome(GOOD)
    message = quality_gate.message()
    assert f"{metric} >= {parameter}: {metric} {GOOD[metric]:.4f}" in message
    assert f"< {parameter} {GOOD[metric] + 0.01:g}" in message
    assert message.count(";") == 0, "only the failed check is listed"
    assert message.endswith(f"Evaluation report: {REPORT_URI}")


def test_the_majority_class_baseline_refuses_a_model_that_does_not_beat_it(quality_gate: Gate) -> None:
    # Pure noise with 10% positives: accuracy 0.89 against a majority class of 0.90, AUC 0.51.
    noise = {**GOOD, "accuracy": 0.89, "auc": 0.51, "f1": 0.0}
    assert not quality_gate.outcome(noise, baseline={**BASELINE, "accuracy": 0.9})

    message = quality_gate.message()
    assert "accuracy beats the majority class: accuracy 0.8900 vs majority-class 0.9000" in message
    assert "-0.0100 < MinAccuracyOverBaseline 0.01" in message
    assert "ROC AUC above chance: auc 0.5100 vs chance 0.5, 0.0100 < MinAucOverChance 0.05" in message


def test_the_margins_are_inclusive_and_configurable(quality_gate: Gate) -> None:
    quality_gate.context.parameters["MinAucOverChance"] = 0.37
    assert quality_gate.outcome(GOOD)  # 0.87 - 0.5 = 0.37 exactly
    quality_gate.context.parameters["MinAucOverChance"] = 0.38
    assert not quality_gate.outcome(GOOD)
    assert "MinAucOverChance 0.38" in quality_gate.message()


def test_a_challenger_worse_than_the_champion_is_refused(quality_gate: Gate) -> None:
    champion = {**GOOD, "auc": 0.90}

    assert not quality_gate.outcome(GOOD, champion)

    message = quality_gate.message()
    assert "auc not worse than the champion: auc 0.8700 vs champion 0.9000" in message
    assert "> ChampionTolerance 0.01" in message


def test_the_champion_tolerance_is_configurable_and_no_champion_passes(quality_gate: Gate) -> None:
    champion = {**GOOD, "auc": 0.90}
    quality_gate.context.parameters["ChampionTolerance"] = 0.05
    assert quality_gate.outcome(GOOD, champion)
    quality_gate.context.parameters["ChampionTolerance"] = 0.0
    assert quality_gate.outcome(GOOD, None)  # no live version (or ChampionModelUri empty): nothing to beat


def test_the_primary_metric_chooses_what_is_compared(quality_gate: Gate) -> None:
    champion = {**GOOD, "auc": 0.95, "accuracy": 0.80}
    quality_gate.context.parameters["PrimaryMetric"] = "accuracy"
    assert quality_gate.outcome(GOOD, champion)

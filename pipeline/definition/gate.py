"""The quality gate: CheckQuality, then Register (register.py) or QualityGateFailed.

Every check is one condition of one Condition step, on numbers processing/evaluate.py writes into
evaluation.json (the property file), against a pipeline parameter. SageMaker conditions compare but
cannot subtract, so Evaluate writes the differences the default-on checks need:

| check | condition (value from evaluation.json, parameter) | default |
|---|---|---|
| minimum per metric | `<metric> >= Min<Metric>` | MinAccuracy 0.75, others 0 |
| beats the majority class | `accuracy - majority-class accuracy >= MinAccuracyOverBaseline` | 0.01 |
| better than a coin toss | `auc - 0.5 >= MinAucOverChance` | 0.05: AUC >= 0.55 |
| champion/challenger | `champion's PrimaryMetric - this model's <= ChampionTolerance` | 0.01, auc |

The champion is the live (latest approved) version: `mlpipe run` sets ChampionModelUri to its artifact;
empty means no champion (the shortfall is 0), which also turns the comparison off for one run
(`--param ChampionModelUri=`). A Fail step's message cannot be assembled conditionally (Std:Join only
concatenates), so Evaluate also writes the text listing every failed check with its value and threshold,
computed from the same numbers and parameters, and the Fail step joins it in.
"""

from __future__ import annotations

from collections.abc import Mapping

from sagemaker.core.helper.pipeline_variable import PipelineVariable
from sagemaker.core.workflow.conditions import (
    Condition,
    ConditionGreaterThanOrEqualTo,
    ConditionLessThanOrEqualTo,
)
from sagemaker.core.workflow.functions import Join, JsonGet
from sagemaker.core.workflow.properties import PropertyFile
from sagemaker.mlops.workflow.condition_step import ConditionStep
from sagemaker.mlops.workflow.fail_step import FailStep
from sagemaker.mlops.workflow.model_step import ModelStep
from sagemaker.mlops.workflow.steps import ProcessingStep

from runtime.model_quality import EVALUATION_FILE, METRIC_PATH

EVALUATION_OUTPUT = "evaluation"
CONDITION_STEP = "CheckQuality"
FAIL_STEP = "QualityGateFailed"
# metric -> its minimum's parameter (processing/report/gate.py derives the same names)
MINIMUMS = {
    "accuracy": "MinAccuracy",
    "precision": "MinPrecision",
    "recall": "MinRecall",
    "f1": "MinF1",
    "auc": "MinAuc",
}
# (evaluation.json path, parameter, "min" = value >= parameter, "max" = value <= parameter)
DERIVED_CHECKS = (
    ("quality_gate.accuracy_over_baseline.value", "MinAccuracyOverBaseline", "min"),
    ("quality_gate.auc_over_chance.value", "MinAucOverChance", "min"),
    ("quality_gate.shortfall_vs_champion.value", "ChampionTolerance", "max"),
)
FAILURES_PATH = "quality_gate.failures"
REPORT_URI_PATH = "report.uri"
# Evaluate's flags that carry the gate's parameters.
GATE_FLAGS = {
    **{f"min-{metric}": parameter for metric, parameter in MINIMUMS.items()},
    "min-accuracy-over-baseline": "MinAccuracyOverBaseline",
    "min-auc-over-chance": "MinAucOverChance",
    "champion-model-uri": "ChampionModelUri",
    "champion-tolerance": "ChampionTolerance",
    "primary-metric": "PrimaryMetric",
}


def evaluation_report() -> PropertyFile:
    return PropertyFile(name="EvaluationReport", output_name=EVALUATION_OUTPUT, path=EVALUATION_FILE)


def gate_arguments(p: Mapping[str, PipelineVariable]) -> dict[str, PipelineVariable]:
    """Evaluate's arguments for the gate: the same parameters the conditions compare with."""
    return {flag: p[parameter] for flag, parameter in GATE_FLAGS.items()}


def conditions(
    evaluate: ProcessingStep, report: PropertyFile, p: Mapping[str, PipelineVariable]
) -> list[Condition]:
    """One condition per check; the step passes when all hold."""

    def value(path: str) -> JsonGet:
        return JsonGet(step_name=evaluate.name, property_file=report, json_path=path)

    found: list[Condition] = [
        ConditionGreaterThanOrEqualTo(left=value(METRIC_PATH.format(metric)), right=p[parameter])
        for metric, parameter in MINIMUMS.items()
    ]
    for path, parameter, kind in DERIVED_CHECKS:
        compare = ConditionGreaterThanOrEqualTo if kind == "min" else ConditionLessThanOrEqualTo
        found.append(compare(left=value(path), right=p[parameter]))
    return found


def gate_step(
    *,
    evaluate: ProcessingStep,
    report: PropertyFile,
    p: Mapping[str, PipelineVariable],
    register: ModelStep,
) -> ConditionStep:
    """Register when every check holds, else fail listing each failed check and the report's URI."""

    def text(path: str) -> JsonGet:
        return JsonGet(step_name=evaluate.name, property_file=report, json_path=path)

    refused = FailStep(
        name=FAIL_STEP,
        error_message=Join(
            on="",
            values=[
                "The quality gate refused the model: ",
                text(FAILURES_PATH),
                ". Nothing was registered. Evaluation report: ",
                text(REPORT_URI_PATH),
            ],
        ),
    )
    return ConditionStep(
        name=CONDITION_STEP,
        conditions=conditions(evaluate, report, p),
        if_steps=[register],
        else_steps=[refused],
    )

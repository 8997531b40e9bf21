"""The pipeline's parameters: one list used by the definition builder, the local engine and the CLI.

There is no TrainingInstanceCount: training always runs on one instance. With several, SageMaker
starts the script on every host and each would train the same model on all of the data, since
`training/train.py` joins no XGBoost collective and the channels are not sharded; for data of the
size this pipeline validates with pandas in one processing job, one larger instance is the faster
and cheaper answer (docs/aws-walkthrough.md, "When to raise the instance type").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

ParameterType = Literal["String", "Integer", "Float"]


@dataclass(frozen=True, kw_only=True)
class PipelineParameter:
    """A SageMaker pipeline parameter with its default (Titanic is only the default)."""

    name: str
    type: ParameterType
    default: str | int | float
    help: str


PARAMETERS: tuple[PipelineParameter, ...] = (
    PipelineParameter(
        name="TrainFile",
        type="String",
        default="train.csv",
        help="labelled CSV file name in the pipeline's data location",
    ),
    PipelineParameter(
        name="TestFile",
        type="String",
        default="",
        help="optional labelled CSV for evaluation; empty or TrainFile's name means the validation split",
    ),
    PipelineParameter(name="Target", type="String", default="Survived", help="binary (0/1) label column"),
    PipelineParameter(
        name="FeatureColumns",
        type="String",
        default="Pclass,Sex,Age,Fare,Embarked",
        help="comma-separated raw columns used as features",
    ),
    PipelineParameter(
        name="CategoricalColumns",
        type="String",
        default="Sex,Embarked",
        help="comma-separated subset of FeatureColumns treated as categories",
    ),
    PipelineParameter(
        name="DerivedFeatures",
        type="String",
        default="Title=title(Name);FamilySize=sum(SibSp,Parch);HasCabin=present(Cabin)",
        help="semicolon-separated NAME=function(columns); functions: title, sum, present",
    ),
    PipelineParameter(
        name="ValidationFraction",
        type="Float",
        default=0.2,
        help="share of TrainFile held out (stratified) for validation",
    ),
    PipelineParameter(name="Seed", type="Integer", default=42, help="seed for the split and training"),
    PipelineParameter(name="MaxDepth", type="Integer", default=4, help="XGBoost max_depth"),
    PipelineParameter(name="Eta", type="Float", default=0.03, help="XGBoost learning rate"),
    PipelineParameter(name="NumRound", type="Integer", default=300, help="XGBoost boosting rounds"),
    PipelineParameter(
        name="Objective",
        type="String",
        default="binary:logistic",
        help="XGBoost objective (binary classification)",
    ),
    PipelineParameter(
        name="MinAccuracy",
        type="Float",
        default=0.75,
        help="quality gate: evaluation accuracy needed to register",
    ),
    PipelineParameter(
        name="ProcessingInstanceType",
        type="String",
        default="ml.m5.large",
        help="instance type of the processing steps (AWS only)",
    ),
    PipelineParameter(
        name="TrainingInstanceType",
        type="String",
        default="ml.m5.large",
        help="instance type of the training step (AWS only; training runs on one instance)",
    ),
)

PARAMETERS_BY_NAME: dict[str, PipelineParameter] = {p.name: p for p in PARAMETERS}


def with_exact_test_file(values: Mapping[str, str]) -> dict[str, str]:
    """`values` with TestFile set to TrainFile's name when it is empty or not given.

    Preprocess downloads exactly `data/<TestFile>` through its own processing input, and the
    definition cannot leave an input out at run time (Std:Join only concatenates; condition branches
    cannot rejoin, aws/sagemaker-python-sdk#3565). An empty TestFile would make that input the whole
    `data/` prefix; TrainFile's name is one object that exists, and preprocess reads it as "evaluate
    on the validation split", which is what an empty TestFile means.
    """
    train_file = values.get("TrainFile") or str(PARAMETERS_BY_NAME["TrainFile"].default)
    return {**values, "TestFile": values.get("TestFile") or train_file}

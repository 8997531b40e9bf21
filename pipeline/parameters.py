"""The pipeline's parameters: one list used by the definition builder, the local engine and the CLI."""

from __future__ import annotations

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
        help="optional labelled CSV for evaluation; empty means the validation split",
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
        help="instance type of the training step (AWS only)",
    ),
    PipelineParameter(
        name="TrainingInstanceCount",
        type="Integer",
        default=1,
        help="training instances; XGBoost distributes over several (AWS only)",
    ),
)

PARAMETERS_BY_NAME: dict[str, PipelineParameter] = {p.name: p for p in PARAMETERS}

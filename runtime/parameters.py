"""The pipeline's parameters, each declared once: name, type, default, help, check, training hyperparameter.

The definition factory, the local run, the AWS execution and `training/train.py` all derive from
PARAMETERS; adding a parameter is adding one `Parameter(...)` here (and using it where it matters).
Standard library only and Python 3.10: `training/train.py` imports it inside the SageMaker XGBoost
container.

There is no TrainingInstanceCount: training always runs on one instance. With several, SageMaker
starts the script on every host and each would train the same model on all of the data, since
`training/train.py` joins no XGBoost collective and the channels are not sharded; for data of the
size this pipeline validates with pandas in one processing job, one larger instance is the faster
and cheaper answer (docs/aws-walkthrough.md, "When to raise the instance type").
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Literal, Union

ParameterType = Literal["String", "Integer", "Float"]
Value = Union[str, int, float]  # noqa: UP007 (runtime alias on Python 3.10)
# A check returns "" for a good value, else what is wrong and what a good value looks like.
Check = Callable[[Value], str]

# StartPipelineExecution accepts parameter values of at most 1024 characters (botocore's service
# model for SageMaker, shape String1024 of PipelineParameter.Value); the local run keeps the same limit.
MAX_STRING_LENGTH = 1024


class ParameterError(ValueError):
    """Parameter values the pipeline does not accept; the message lists every problem with its fix."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = tuple(problems)
        if len(self.problems) == 1:
            message = self.problems[0]
        else:
            message = f"{len(self.problems)} parameter problems:\n" + "\n".join(
                f"  - {problem}" for problem in self.problems
            )
        super().__init__(message)


def between(low: float, high: float, *, low_open: bool = False, high_open: bool = False) -> Check:
    """Within [low, high]; an open end excludes that bound."""
    left, right = "(" if low_open else "[", ")" if high_open else "]"

    def check(value: Value) -> str:
        number = float(value)
        too_low = number <= low if low_open else number < low
        too_high = number >= high if high_open else number > high
        return f"must be in {left}{low:g}, {high:g}{right}" if too_low or too_high else ""

    return check


def not_blank(value: Value) -> str:
    return "must not be empty" if not str(value).strip() else ""


def starts_with(prefix: str, example: str) -> Check:
    def check(value: Value) -> str:
        return "" if str(value).startswith(prefix) else f"must start with {prefix!r}, e.g. {example}"

    return check


def matches(pattern: str, example: str) -> Check:
    compiled = re.compile(pattern)

    def check(value: Value) -> str:
        return "" if compiled.fullmatch(str(value)) else f"must look like {example}"

    return check


@dataclass(frozen=True, kw_only=True)
class Parameter:
    """One pipeline parameter; `hyperparameter` is the name train.py receives it under ("" = not sent)."""

    name: str
    type: ParameterType
    default: Value
    help: str
    check: Check | None = None
    hyperparameter: str = ""


INSTANCE_TYPE = matches(r"ml\.[a-z0-9]+\.[a-z0-9]+", "ml.m5.large")

PARAMETERS: tuple[Parameter, ...] = (
    Parameter(
        name="TrainFile",
        type="String",
        default="train.csv",
        help="labelled CSV file name in the pipeline's data location",
        check=not_blank,
    ),
    Parameter(
        name="TestFile",
        type="String",
        default="",
        help="optional labelled CSV for evaluation; empty or TrainFile's name means the validation split",
    ),
    Parameter(
        name="Target",
        type="String",
        default="",
        help="binary (0/1) label column (required: --target or mlpipe.toml)",
        check=not_blank,
        hyperparameter="target",
    ),
    Parameter(
        name="FeatureColumns",
        type="String",
        default="",
        help=(
            'JSON list of raw feature columns, e.g. ["Age", "Sex"]; '
            "empty: every column but Target and IdColumn"
        ),
        hyperparameter="feature_columns",
    ),
    Parameter(
        name="CategoricalColumns",
        type="String",
        default="",
        help="JSON list, subset of FeatureColumns treated as categories; empty: the non-numeric features",
        hyperparameter="categorical_columns",
    ),
    Parameter(
        name="DerivedFeatures",
        type="String",
        default="",
        help="semicolon-separated NAME=function(columns); functions: title, sum, present; empty: none",
        hyperparameter="derived_features",
    ),
    Parameter(
        name="IdColumn",
        type="String",
        default="",
        help="identifier column, never a feature; empty: none",
        hyperparameter="id_column",
    ),
    Parameter(
        name="RequiredColumns",
        type="String",
        default="",
        help="JSON list of inputs every request must carry; empty: the features never missing in training",
        hyperparameter="required_columns",
    ),
    Parameter(
        name="ValidationFraction",
        type="Float",
        default=0.2,
        help="share of TrainFile held out (stratified) for validation",
        check=between(0, 1, low_open=True, high_open=True),
    ),
    Parameter(
        name="Seed",
        type="Integer",
        default=42,
        help="seed for the split and training",
        # numpy's and scikit-learn's random_state range.
        check=between(0, 2**32 - 1),
        hyperparameter="seed",
    ),
    Parameter(
        name="MaxDepth",
        type="Integer",
        default=4,
        help="XGBoost max_depth: depth of each tree",
        check=between(1, 30),
        hyperparameter="max_depth",
    ),
    Parameter(
        name="Eta",
        type="Float",
        default=0.03,
        help="XGBoost eta: learning rate",
        check=between(0, 1, low_open=True),
        hyperparameter="eta",
    ),
    Parameter(
        name="NumRound",
        type="Integer",
        default=300,
        help="XGBoost boosting rounds",
        check=between(1, 100_000),
        hyperparameter="num_round",
    ),
    Parameter(
        name="Objective",
        type="String",
        default="binary:logistic",
        help="XGBoost objective (binary classification)",
        check=starts_with("binary:", "binary:logistic"),
        hyperparameter="objective",
    ),
    Parameter(
        name="MinAccuracy",
        type="Float",
        default=0.75,
        help="quality gate: evaluation accuracy needed to register",
        check=between(0, 1),
    ),
    # More minimums on the metrics evaluation.json holds (0 = no minimum); the gate's checks and
    # margins are explained in pipeline/definition/gate.py.
    Parameter(
        name="MinPrecision",
        type="Float",
        default=0.0,
        help="quality gate: evaluation precision needed to register (0: no minimum)",
        check=between(0, 1),
    ),
    Parameter(
        name="MinRecall",
        type="Float",
        default=0.0,
        help="quality gate: evaluation recall needed to register (0: no minimum)",
        check=between(0, 1),
    ),
    Parameter(
        name="MinF1",
        type="Float",
        default=0.0,
        help="quality gate: evaluation F1 needed to register (0: no minimum)",
        check=between(0, 1),
    ),
    Parameter(
        name="MinAuc",
        type="Float",
        default=0.0,
        help="quality gate: evaluation ROC AUC needed to register (0: no minimum)",
        check=between(0, 1),
    ),
    Parameter(
        name="MinAccuracyOverBaseline",
        type="Float",
        default=0.01,
        help="quality gate: accuracy must beat always predicting the majority class by this much",
        check=between(-1, 1),
    ),
    Parameter(
        name="MinAucOverChance",
        type="Float",
        default=0.05,
        help="quality gate: ROC AUC must exceed 0.5 (a coin toss) by this much",
        check=between(-0.5, 0.5),
    ),
    Parameter(
        name="ChampionModelUri",
        type="String",
        default="",
        help="model.tar.gz of the live version to beat; `mlpipe run` sets it; empty: no comparison",
        check=lambda value: (
            "" if not str(value) or str(value).startswith("s3://") else "must be an s3:// URI or empty"
        ),
    ),
    Parameter(
        name="ChampionTolerance",
        type="Float",
        default=0.01,
        help="quality gate: how much worse than the champion on PrimaryMetric a new version may be",
        check=between(0, 1),
    ),
    Parameter(
        name="PrimaryMetric",
        type="String",
        default="auc",
        help="metric compared with the champion: accuracy, precision, recall, f1 or auc",
        check=matches("accuracy|precision|recall|f1|auc", "auc"),
    ),
    Parameter(
        name="ProcessingInstanceType",
        type="String",
        default="ml.m5.large",
        help="instance type of the processing steps (AWS only)",
        check=INSTANCE_TYPE,
    ),
    Parameter(
        name="TrainingInstanceType",
        type="String",
        default="ml.m5.large",
        help="instance type of the training step (AWS only; training runs on one instance)",
        check=INSTANCE_TYPE,
    ),
)

PARAMETERS_BY_NAME: dict[str, Parameter] = {p.name: p for p in PARAMETERS}
HYPERPARAMETERS: dict[str, Parameter] = {p.hyperparameter: p for p in PARAMETERS if p.hyperparameter}


def convert(parameter_type: str, raw: str) -> Value:
    """`raw` as the declared type; raises ValueError saying what a valid value looks like."""
    if parameter_type == "Integer":
        try:
            return int(raw)
        except ValueError:
            raise ValueError(f"is Integer; got {raw!r} (e.g. 5)") from None
    if parameter_type == "Float":
        try:
            number = float(raw)
        except ValueError:
            raise ValueError(f"is Float; got {raw!r} (e.g. 0.1)") from None
        if not math.isfinite(number):
            raise ValueError(f"is Float; got {raw!r}, which is not a finite number (e.g. 0.1)")
        return number
    return raw


def problem_with(parameter: Parameter, value: Value) -> str:
    """The problem with `value` for `parameter`, naming both ("" when the value is acceptable)."""
    if parameter.type == "String" and len(str(value)) > MAX_STRING_LENGTH:
        return (
            f"{parameter.name} is {len(str(value))} characters long; at most {MAX_STRING_LENGTH} are allowed"
        )
    problem = parameter.check(value) if parameter.check else ""
    shown = repr(value) if isinstance(value, str) else value
    return f"{parameter.name}={shown} {problem}" if problem else ""


def _typed(parameter: Parameter, raw: str, problems: list[str]) -> Value | None:
    try:
        value = convert(parameter.type, raw)
    except ValueError as error:
        example = "5" if parameter.type == "Integer" else "0.1"
        problems.append(f"parameter {parameter.name} {error}; set it with --param {parameter.name}={example}")
        return None
    problem = problem_with(parameter, value)
    if problem:
        problems.append(problem)
        return None
    return value


def resolve(overrides: Mapping[str, str], parameters: Iterable[Parameter] = PARAMETERS) -> dict[str, Value]:
    """Every parameter's value (defaults overridden), or ParameterError listing every problem at once."""
    declared = {p.name: p for p in parameters}
    problems: list[str] = []
    unknown = sorted(set(overrides) - set(declared))
    if unknown:
        problems.append(
            f"unknown parameter(s) {', '.join(unknown)}; valid names: {', '.join(sorted(declared))}"
        )
    values = {name: _value(parameter, overrides, problems) for name, parameter in declared.items()}
    if problems:
        raise ParameterError(problems)
    return values


def _value(parameter: Parameter, given: Mapping[str, str], problems: list[str]) -> Value:
    """The given value typed and checked, else the default (checked too: a required one is empty)."""
    if parameter.name not in given:
        problem = problem_with(parameter, parameter.default)
        if problem:
            problems.append(f"{problem}; set it with --param {parameter.name}=VALUE")
        return parameter.default
    value = _typed(parameter, given[parameter.name], problems)
    return parameter.default if value is None else value


def read_hyperparameters(raw: Mapping[str, str]) -> dict[str, Value]:
    """train.py's side: the hyperparameters as SageMaker hands them over (strings), typed and checked.

    Keys that are not declared hyperparameters (the container's own `sagemaker_*`) are ignored; a
    declared one that is absent takes its parameter's default.
    """
    problems: list[str] = []
    given = {parameter.name: raw[name] for name, parameter in HYPERPARAMETERS.items() if name in raw}
    values = {name: _value(parameter, given, problems) for name, parameter in HYPERPARAMETERS.items()}
    if problems:
        raise ParameterError(problems)
    return values
